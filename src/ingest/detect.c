/* detect.c: format detection and the staging copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/sha256.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

static const struct { const char *magic; size_t len; const char *what; } magics[] = {
    {"%PDF", 4, "a PDF document"},   {"PAR1", 4, "a Parquet file"},
    {"\x89PNG", 4, "a PNG image"},   {"PK\x03\x04", 4, "a ZIP archive"},
    {"\x1f\x8b", 2, "gzip-compressed data"}, {"\x7f" "ELF", 4, "an executable"},
    {"\xff\xd8\xff", 3, "a JPEG image"}, {"GIF8", 4, "a GIF image"},
    {"SQLite format 3", 15, "an SQLite database"},
};

static const char *ext_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot ? dot + 1 : "";
}

/* The format an extension names, or NULL. */
static const char *format_of_ext(const char *ext)
{
    static const struct { const char *ext, *format; } exts[] = {
        {"csv", "csv"},   {"tsv", "csv"},   {"ndjson", "ndjson"}, {"jsonl", "ndjson"},
        {"json", "json"}, {"txt", "text"},  {"text", "text"},     {"md", "text"},
        {"markdown", "text"}, {"log", "lines"}, {"xml", "sms"},    {"pdf", "pdf"},
    };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(ext, exts[i].ext))
            return exts[i].format;
    return NULL;
}

/* How errors name a format. */
static const char *format_label(const char *fmt)
{
    return !strcmp(fmt, "csv") ? "CSV" : !strcmp(fmt, "text") || !strcmp(fmt, "lines") ? "text"
         : !strcmp(fmt, "sms") ? "an SMS backup (XML)" : !strcmp(fmt, "pdf") ? "a PDF" : "JSON";
}

static bool starts_with(const unsigned char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    return n >= k && !memcmp(p, s, k);
}

/* Refuses a CSV whose header line has more than LH_INGEST_MAX_COLUMNS fields for any
 * candidate delimiter. Reads from fd's current offset, at most LH_INGEST_HEADER_SCAN bytes
 * and only up to the first newline outside quotes. */
static lh_status check_header_width(int fd, const char *path, lh_err *err)
{
    static const char delims[] = ",;\t|";
    size_t count[sizeof delims - 1] = {0};
    bool quoted = false, done = false;
    size_t seen = 0;
    static __thread char chunk[65536];
    while (!done && seen < LH_INGEST_HEADER_SCAN) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lh_fail(err, LH_EIO, "read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n && !done; i++) {
            char c = chunk[i];
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && (c == '\n' || c == '\r'))
                done = true;
            else if (!quoted)
                for (size_t d = 0; d < sizeof delims - 1; d++)
                    count[d] += c == delims[d];
        }
        seen += (size_t)n;
    }
    for (size_t d = 0; d < sizeof delims - 1; d++)
        if (count[d] + 1 > LH_INGEST_MAX_COLUMNS)
            return lh_fail(err, LH_ETOOBIG, "%s has %zu columns in its header line, over the "
                           "limit of %d", path, count[d] + 1, LH_INGEST_MAX_COLUMNS);
    return LH_OK;
}

lh_status lh__ingest_detect_format(const char *path, const char *shown, const char *requested,
                                   char out[16], lh_err *err)
{
    const char *real = path;
    path = shown ? shown : path; /* messages and the extension use the name the user knows */
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
     * Only regular files are read, and for those the flag is cleared again. */
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return lh_fail(err, errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return lh_fail(err, LH_EINVAL, "%s is not a regular file (%s); only regular files can be "
                       "ingested", path, S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISDIR(sb.st_mode) ?
                       "a directory" : "a device or socket");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    unsigned char head[65536];
    ssize_t n = read(fd, head, sizeof head);
    if (n < 0) {
        close(fd);
        return lh_fail(err, LH_EIO, "read %s: %s", path, strerror(errno));
    }
    if (n == 0) {
        close(fd);
        return lh_fail(err, LH_EINVAL, "%s is empty", path);
    }
    bool pdf_magic = starts_with(head, (size_t)n, "%PDF-");
    size_t skip = 0;
    if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
        skip = 3; /* UTF-8 byte-order mark */
    while (skip < (size_t)n && strchr(" \t\r\n", head[skip]))
        skip++;
    char first = skip < (size_t)n ? (char)head[skip] : ' ';
    bool xml_start = starts_with(head + skip, (size_t)n - skip, "<?xml") ||
                     starts_with(head + skip, (size_t)n - skip, "<smses");

    const char *fmt = requested;
    if (!fmt)
        fmt = format_of_ext(ext_of(path));
    if (!fmt)
        fmt = pdf_magic ? "pdf" : xml_start ? "sms" : (first == '{' || first == '[') ? "json" : "csv";
    lh_status wide = LH_OK;
    if (!strcmp(fmt, "csv") && lseek(fd, 0, SEEK_SET) == 0)
        wide = check_header_width(fd, path, err);
    close(fd);
    if (wide)
        return wide;
    if (strcmp(fmt, "csv") && strcmp(fmt, "json") && strcmp(fmt, "ndjson") && strcmp(fmt, "text") &&
        strcmp(fmt, "lines") && strcmp(fmt, "sms") && strcmp(fmt, "pdf"))
        return lh_fail(err, LH_EINVAL,
                       "unknown format '%s' (expected csv, json, ndjson, text, lines, sms or pdf)", fmt);
    if (!strcmp(fmt, "pdf")) {
        /* Binary by nature: the converter (poppler) judges the rest. */
        if (!pdf_magic)
            return lh_fail(err, LH_EINVAL, "%s is not a PDF (it does not start with %%PDF-)", path);
        snprintf(out, 16, "pdf");
        return LH_OK;
    }
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if ((size_t)n >= magics[i].len && !memcmp(head, magics[i].magic, magics[i].len))
            return lh_fail(err, LH_EINVAL, "%s is %s, not %s", path, magics[i].what, format_label(fmt));
    if (memchr(head, '\0', (size_t)n))
        return lh_fail(err, LH_EINVAL, "%s holds binary data (NUL bytes), not text", path);
    if (skip == (size_t)n && (size_t)n < sizeof head)
        return lh_fail(err, LH_EINVAL, "%s holds only white space", path);

    if (!strcmp(fmt, "sms")) {
        if (!xml_start)
            return lh_fail(err, LH_EINVAL, "%s does not look like an SMS backup (XML starting with "
                           "<?xml or <smses)", path);
    } else if (!strcmp(fmt, "json") || !strcmp(fmt, "ndjson")) {
        if (first != '{' && first != '[')
            return lh_fail(err, LH_EINVAL, "%s does not look like JSON (it starts with '%c')", path, first);
    } else if (!strcmp(fmt, "csv") && (first == '{' || first == '[') && !requested) {
        return lh_fail(err, LH_EINVAL, "%s looks like JSON, not CSV; pass --format json to read it as JSON",
                       path);
    }
    snprintf(out, 16, "%s", fmt);
    return LH_OK;
}

lh_status lh__ingest_stage_copy(const char *src, const char *dst, char sha[65], int64_t *size,
                                lh_err *err)
{
    /* On the data root's filesystem a hard link stages a regular file at no cost (no copy,
     * and removing the link later frees nothing of the user's file). Elsewhere, copy. */
    struct stat sb;
    if (!sha && lstat(src, &sb) == 0 && S_ISREG(sb.st_mode) && link(src, dst) == 0) {
        *size = sb.st_size;
        return LH_OK;
    }
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* never wait on a FIFO */
    if (in < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", src, strerror(errno));
    if (fstat(in, &sb) || !S_ISREG(sb.st_mode)) {
        close(in);
        return lh_fail(err, LH_EINVAL, "%s is not a regular file", src);
    }
    fcntl(in, F_SETFL, fcntl(in, F_GETFL) & ~O_NONBLOCK);
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) {
        close(in);
        return lh_fail(err, LH_EIO, "create %s: %s", dst, strerror(errno));
    }
    int64_t total = 0;
    lh_status st = LH_OK;
    if (!sha) {
        /* No hashing wanted: let the kernel move the bytes (or share extents). */
        for (;;) {
            ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                if (n < 0 && total == 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                                            errno == EOPNOTSUPP))
                    break; /* not supported here: fall back to read/write below */
                if (n < 0)
                    st = lh_fail(err, LH_EIO, "copy %s: %s", src, strerror(errno));
                close(in);
                close(out);
                if (st)
                    unlink(dst);
                else
                    *size = total;
                return st;
            }
            total += n;
        }
    }
    lh_sha256 *h = sha ? lh_sha256_new() : NULL;
    if (sha && !h) {
        close(in);
        close(out);
        unlink(dst);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    static __thread char chunk[1 << 20];
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = lh_fail(err, LH_EIO, "read %s: %s", src, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (h)
            lh_sha256_update(h, chunk, (size_t)n);
        st = lh_write_all(out, chunk, (size_t)n, dst, err);
        if (st)
            break;
        total += n;
    }
    if (h && !st)
        lh_sha256_final(h, sha);
    lh_sha256_free(h);
    /* No fsync: a staged input is scratch. It never becomes committed state, and a crash
     * simply drops it (the next writer clears _staging). */
    close(in);
    close(out);
    if (st) {
        unlink(dst);
        return st;
    }
    *size = total;
    return LH_OK;
}

void lh__ingest_short_error(lh_err *err)
{
    if (!err)
        return;
    /* DuckDB errors run to dozens of lines of hints: keep the first line plus the first
     * later line that says what exactly was wrong, cut to stay readable. */
    static const char *telling[] = {"Invalid unicode", "Expected Number", "Maximum line size",
                                    "It was not possible", "Malformed JSON", "Original Line"};
    char *nl = strchr(err->msg, '\n');
    if (!nl)
        return;
    char detail[200] = "";
    for (size_t k = 0; k < sizeof telling / sizeof telling[0] && !detail[0]; k++) {
        char *hit = strstr(nl, telling[k]);
        if (hit) {
            size_t len = strcspn(hit, "\n");
            snprintf(detail, sizeof detail, "%.*s", (int)(len < 160 ? len : 160), hit);
        }
    }
    *nl = '\0';
    size_t used = strlen(err->msg);
    if (detail[0] && used + 2 + strlen(detail) < sizeof err->msg)
        snprintf(err->msg + used, sizeof err->msg - used, "; %s", detail);
}
