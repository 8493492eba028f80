/* pdf.c: a PDF -> one row per page: source, page_no, text, chars. Title, author and page
 * count go to lineage ("pdf"), pages without text to lineage "warnings". The only file
 * that includes poppler (and through it GLib).
 *
 * Limits, so that a hostile or pathological document cannot run away with the process:
 * at most LH_PDF_MAX_PAGES pages, LH__ROW_MAX_BYTES of text per page, LH_PDF_MAX_TEXT in
 * all, and LH_PDF_MAX_SECONDS of extraction (checked between pages: one page that makes
 * poppler spin is not interrupted). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util.h"
#include "ingest/ingest_int.h"

#define LH_PDF_MAX_PAGES 10000
#define LH_PDF_MAX_TEXT ((size_t)512 << 20)
#define LH_PDF_MAX_SECONDS 300
/* Decompressed bytes of all non-image Flate streams (page content, fonts, object streams)
 * a document may hold. Poppler inflates and parses content streams with no limit and no
 * way to cancel: a 1 MB file inflating to 300 MB of drawing operators took minutes per
 * page. Images are not counted (text extraction does not decode them). */
#define LH_PDF_MAX_INFLATED ((size_t)64 << 20)

/* Poppler reports syntax problems through GLib logging; they would print on stderr where
 * the CLI promises one line. Keep the first as the reason for a failure instead. */
static __thread char poppler_note[256];

static void on_poppler_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)data;
    if (!poppler_note[0] && msg)
        snprintf(poppler_note, sizeof poppler_note, "%.*s", (int)strcspn(msg, "\n"), msg);
}

/* A file cut short loses its trailer: PDF readers look for %%EOF in the last 1 KiB. Poppler
 * silently rebuilds such files from what is left, so we check it ourselves. */
static lh_status check_complete(const char *path, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    struct stat sb;
    char tail[1025];
    ssize_t n = -1;
    if (!fstat(fd, &sb)) {
        off_t from = sb.st_size > 1024 ? sb.st_size - 1024 : 0;
        n = pread(fd, tail, 1024, from);
    }
    close(fd);
    if (n < 0)
        return lh_fail(err, LH_EIO, "read %s: %s", path, strerror(errno));
    tail[n] = '\0';
    if (!memmem(tail, (size_t)n, "%%EOF", 5))
        return lh_fail(err, LH_EINVAL, "is a truncated PDF (no %%%%EOF marker at its end)");
    return LH_OK;
}

/* Inflates one Flate stream into a scratch buffer, counting bytes; stops past budget. */
static size_t inflated_size(const unsigned char *p, size_t n, size_t budget)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return 0;
    static __thread unsigned char out[1 << 16];
    size_t total = 0;
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)(n > UINT_MAX ? UINT_MAX : n);
    for (;;) {
        z.next_out = out;
        z.avail_out = sizeof out;
        int rc = inflate(&z, Z_NO_FLUSH);
        total += sizeof out - z.avail_out;
        if (rc != Z_OK || total > budget || (z.avail_in == 0 && z.avail_out != 0))
            break;
    }
    inflateEnd(&z);
    return total;
}

/* Refuses a decompression bomb before poppler sees it: sums what every non-image
 * FlateDecode stream inflates to (bounded work: at most LH_PDF_MAX_INFLATED bytes are
 * produced). Streams are found by their "stream" keyword and the dictionary before it. */
static lh_status check_inflation(const char *path, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || sb.st_size <= 0) {
        if (fd >= 0)
            close(fd);
        return lh_fail(err, LH_EIO, "cannot read the PDF: %s", strerror(errno));
    }
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return lh_fail(err, LH_EIO, "cannot map the PDF: %s", strerror(errno));
    const unsigned char *b = map, *end = b + sb.st_size;
    lh_status st = LH_OK;
    size_t total = 0;
    const unsigned char *p = b;
    while (!st && (p = memmem(p, (size_t)(end - p), "stream", 6))) {
        const unsigned char *kw = p;
        p += 6;
        if (kw > b && kw[-1] == 'd') /* "endstream" */
            continue;
        const unsigned char *q = p;
        if (q < end && *q == '\r')
            q++;
        if (q < end && *q == '\n')
            q++;
        else if (q == p)
            continue; /* "stream" inside some other word */
        /* The stream's dictionary: back to the object's "obj" (at most 4 KiB). */
        const unsigned char *from = kw - b > 4096 ? kw - 4096 : b, *dict = from;
        for (const unsigned char *o = from; (o = memmem(o, (size_t)(kw - o), "obj", 3)); o += 3)
            dict = o;
        size_t dlen = (size_t)(kw - dict);
        if (!memmem(dict, dlen, "FlateDecode", 11) || memmem(dict, dlen, "/Image", 6))
            continue;
        const unsigned char *stop = memmem(q, (size_t)(end - q), "endstream", 9);
        size_t n = stop ? (size_t)(stop - q) : (size_t)(end - q);
        total += inflated_size(q, n, LH_PDF_MAX_INFLATED - total);
        if (total > LH_PDF_MAX_INFLATED)
            st = lh_fail(err, LH_ETOOBIG, "is refused: its content streams inflate to over %zu MiB "
                         "(a decompression bomb?)", LH_PDF_MAX_INFLATED >> 20);
        p = q + n;
    }
    munmap(map, (size_t)sb.st_size);
    return st;
}

static lh_status open_document(const char *path, PopplerDocument **doc, lh_err *err)
{
    char abs[PATH_MAX];
    if (!realpath(path, abs))
        return lh_fail(err, LH_EIO, "%s: %s", path, strerror(errno));
    GError *gerr = NULL;
    gchar *uri = g_filename_to_uri(abs, NULL, &gerr);
    if (!uri) {
        lh_status st = lh_fail(err, LH_EIO, "%s: %s", abs, gerr ? gerr->message : "bad file name");
        g_clear_error(&gerr);
        return st;
    }
    *doc = poppler_document_new_from_file(uri, NULL, &gerr);
    g_free(uri);
    if (*doc)
        return LH_OK;
    lh_status st;
    if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
        st = lh_fail(err, LH_EINVAL, "is an encrypted (password-protected) PDF; "
                     "remove the password first");
    else
        st = lh_fail(err, LH_EINVAL, "is a damaged PDF (%s)",
                     poppler_note[0] ? poppler_note : gerr ? gerr->message : "unreadable");
    g_clear_error(&gerr);
    return st;
}

/* Metadata string for lineage: JSON null when absent or not UTF-8. */
static json_t *meta(gchar *s)
{
    json_t *v = s && *s ? json_string(s) : NULL;
    g_free(s);
    return v ? v : json_null();
}

typedef struct pdf_job {
    lh__rows rows;
    PopplerDocument *doc;
    const char *source;   /* the original file name, for the "source" column */
    int pages, empty_pages;
    size_t total_text;
} pdf_job;

static lh_status put_page(pdf_job *j, int i, lh_err *err)
{
    PopplerPage *page = poppler_document_get_page(j->doc, i);
    if (!page)
        return lh_fail(err, LH_EINVAL, "is a damaged PDF (page %d cannot be read)", i + 1);
    gchar *text = poppler_page_get_text(page);
    g_object_unref(page);
    if (text && !g_utf8_validate(text, -1, NULL)) {
        gchar *fixed = g_utf8_make_valid(text, -1);
        g_free(text);
        text = fixed;
    }
    const char *t = text ? text : "";
    size_t len = strlen(t);
    bool blank = true;
    for (size_t k = 0; k < len && blank; k++)
        blank = strchr(" \t\r\n\f\v", t[k]) != NULL;
    j->empty_pages += blank;
    j->total_text += len;
    lh_status st = LH_OK;
    if (len > LH__ROW_MAX_BYTES)
        st = lh_fail(err, LH_ETOOBIG, "page %d holds over %zu MiB of text", i + 1, LH__ROW_MAX_BYTES >> 20);
    else if (j->total_text > LH_PDF_MAX_TEXT)
        st = lh_fail(err, LH_ETOOBIG, "holds over %zu MiB of text (the limit)", LH_PDF_MAX_TEXT >> 20);
    if (!st) {
        json_t *row = json_pack("{s:s, s:i, s:s, s:I}", "source", j->source, "page_no",
                                i + 1, "text", t, "chars", (json_int_t)g_utf8_strlen(t, -1));
        st = lh__rows_put(&j->rows, row, err);
    }
    g_free(text);
    return st;
}

lh_status lh__convert_pdf(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                          json_t *lineage, lh_err *err)
{
    lh_status st = lh__pdf_load(err);
    if (!st)
        st = check_complete(in_path, err);
    if (!st)
        st = check_inflation(in_path, err);
    if (st)
        return st;
    poppler_note[0] = '\0';
    guint handler = g_log_set_handler("Poppler", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
                                      G_LOG_FLAG_RECURSION, on_poppler_log, NULL);
    pdf_job j = {.source = source_name};
    st = open_document(in_path, &j.doc, err);
    if (!st) {
        j.pages = poppler_document_get_n_pages(j.doc);
        if (j.pages <= 0)
            st = lh_fail(err, LH_EINVAL, "is a damaged PDF (it has no pages)");
        else if (j.pages > LH_PDF_MAX_PAGES)
            st = lh_fail(err, LH_ETOOBIG, "has %d pages; the limit is %d", j.pages, LH_PDF_MAX_PAGES);
    }
    if (!st)
        st = lh__rows_open(&j.rows, out_path, err);
    double start = lh_mono_ms();
    for (int i = 0; !st && i < j.pages; i++) {
        st = put_page(&j, i, err);
        if (!st && lh_mono_ms() - start > LH_PDF_MAX_SECONDS * 1000.0)
            st = lh_fail(err, LH_ETOOBIG, "text extraction took over %d s (stopped at page %d of %d)",
                         LH_PDF_MAX_SECONDS, i + 1, j.pages);
    }
    lh_status cst = lh__rows_close(&j.rows, err);
    st = st ? st : cst;
    if (!st) {
        lh__rows_column(columns, "source", "VARCHAR");
        lh__rows_column(columns, "page_no", "INTEGER");
        lh__rows_column(columns, "text", "VARCHAR");
        lh__rows_column(columns, "chars", "INTEGER");
        json_object_set_new(lineage, "pdf", json_pack("{s:o, s:o, s:i}", "title",
                                                      meta(poppler_document_get_title(j.doc)), "author",
                                                      meta(poppler_document_get_author(j.doc)),
                                                      "pages", j.pages));
        json_t *warnings = json_array();
        if (j.empty_pages) {
            char w[200];
            snprintf(w, sizeof w, "%d of %d pages have no extractable text (scanned or image-only?); "
                     "their text is empty", j.empty_pages, j.pages);
            json_array_append_new(warnings, json_string(w));
        }
        if (poppler_note[0]) {
            char w[300];
            snprintf(w, sizeof w, "the PDF has errors that were worked around: %s", poppler_note);
            json_array_append_new(warnings, json_string(w));
        }
        json_object_set_new(lineage, "warnings", warnings);
    }
    if (j.doc)
        g_object_unref(j.doc);
    g_log_remove_handler("Poppler", handler);
    return st;
}
