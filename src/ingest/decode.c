/* decode.c: the staging pass that reads an uploaded file once and, on the way, hashes its
 * bytes as uploaded (the dedup key), decompresses it (gzip, zstd, bzip2, xz: told by their
 * magic bytes, never by the name alone), converts it to UTF-8 (Windows-1252, Latin-1,
 * UTF-16 LE/BE; a byte-order mark is dropped) and refuses NUL bytes in text. With no
 * output it only hashes and validates (the helper thread of hash_async.c). */
#include <bzlib.h>
#include <errno.h>
#include <iconv.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/sha256.h"
#include "ingest/ingest_int.h"

const char *lh__ingest_compression(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip";
    if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return "zstd";
    if (n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
        return "bzip2";
    if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return "xz";
    return NULL;
}

size_t lh__utf8_valid_prefix(const unsigned char *p, size_t n, bool *truncated)
{
    size_t i = 0;
    *truncated = false;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (!len)
            return i;
        for (size_t k = 1; k < len; k++) {
            if (i + k >= n) {
                *truncated = true;
                return i;
            }
            unsigned char d = p[i + k];
            bool ok = (d & 0xc0) == 0x80;
            if (k == 1 && c == 0xe0) ok = ok && d >= 0xa0;  /* overlong */
            if (k == 1 && c == 0xed) ok = ok && d < 0xa0;   /* surrogates */
            if (k == 1 && c == 0xf0) ok = ok && d >= 0x90;  /* overlong */
            if (k == 1 && c == 0xf4) ok = ok && d < 0x90;   /* over U+10FFFF */
            if (!ok)
                return i;
        }
        i += len;
    }
    return n;
}

const char *lh__ingest_sniff_encoding(const unsigned char *p, size_t n, bool eof, size_t *bom)
{
    *bom = 0;
    if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
        *bom = 3;
        return "utf-8";
    }
    if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
        *bom = 2;
        return "utf-16le";
    }
    if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
        *bom = 2;
        return "utf-16be";
    }
    /* UTF-16 without a mark: text in the Latin range has a zero in every other byte. */
    size_t pairs = (n < 8192 ? n : 8192) / 2, even = 0, odd = 0;
    for (size_t i = 0; i < pairs; i++) {
        even += p[2 * i] == 0;
        odd += p[2 * i + 1] == 0;
    }
    if (pairs >= 2 && odd * 10 >= pairs * 3 && even * 20 < pairs)
        return "utf-16le";
    if (pairs >= 2 && even * 10 >= pairs * 3 && odd * 20 < pairs)
        return "utf-16be";
    bool truncated;
    size_t ok = lh__utf8_valid_prefix(p, n, &truncated);
    if (ok == n || (truncated && !eof && n - ok < 4))
        return "utf-8";
    /* Control characters (other than tab, line ends, form feed) mean binary data, not
     * single-byte text: random bytes hold about 11%, text in any encoding next to none. */
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++)
        ctrl += (p[i] < 0x20 && !strchr("\t\n\r\f\v", p[i])) || p[i] == 0x7f;
    if (ctrl * 100 > n)
        return "binary";
    /* Windows-1252 leaves five bytes undefined; Latin-1 takes every byte. */
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0x81 || p[i] == 0x8d || p[i] == 0x8f || p[i] == 0x90 || p[i] == 0x9d)
            return "iso-8859-1";
    return "windows-1252";
}

const char *lh__ingest_encoding_name(const char *name)
{
    static const struct { const char *alias, *name; } names[] = {
        {"utf-8", "utf-8"}, {"utf8", "utf-8"}, {"windows-1252", "windows-1252"},
        {"cp1252", "windows-1252"}, {"win1252", "windows-1252"}, {"latin-1", "iso-8859-1"},
        {"latin1", "iso-8859-1"}, {"iso-8859-1", "iso-8859-1"}, {"iso8859-1", "iso-8859-1"},
        {"iso-8859-15", "iso-8859-15"}, {"latin-9", "iso-8859-15"}, {"utf-16", "utf-16"},
        {"utf-16le", "utf-16le"}, {"utf-16be", "utf-16be"},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(name, names[i].alias))
            return names[i].name;
    return NULL;
}

/* ---- the reader: raw bytes (hashed) -> decompressed bytes ---- */

typedef struct reader {
    int fd;
    lh_sha256 *h;
    const char *kind;            /* compression, or NULL */
    z_stream z;
    ZSTD_DStream *zs;
    size_t zlast;                /* zstd's last hint: 0 at the end of a frame */
    bz_stream bz;
    lzma_stream xz;
    bool started, raw_eof, end;
    unsigned char in[1 << 17];
    size_t in_pos, in_len;
    int64_t raw_total, out_total;
} reader;

static lh_status fill_raw(reader *r, lh_err *err)
{
    if (r->in_pos < r->in_len || r->raw_eof)
        return LH_OK;
    for (;;) {
        ssize_t n = read(r->fd, r->in, sizeof r->in);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lh_fail(err, LH_EIO, "read: %s", strerror(errno));
        r->in_pos = 0;
        r->in_len = (size_t)n;
        r->raw_eof = n == 0;
        r->raw_total += n;
        if (n > 0)
            lh_sha256_update(r->h, r->in, (size_t)n);
        return LH_OK;
    }
}

static lh_status corrupt(const reader *r, lh_err *err)
{
    return lh_fail(err, LH_EINVAL, "the %s-compressed data is damaged or truncated (after %lld "
                   "bytes of output)", r->kind, (long long)r->out_total);
}

static void reader_end(reader *r)
{
    if (!r->started)
        return;
    if (!strcmp(r->kind, "gzip"))
        inflateEnd(&r->z);
    else if (!strcmp(r->kind, "zstd"))
        ZSTD_freeDStream(r->zs);
    else if (!strcmp(r->kind, "bzip2"))
        BZ2_bzDecompressEnd(&r->bz);
    else
        lzma_end(&r->xz);
    r->started = false;
}

static lh_status reader_begin(reader *r, lh_err *err)
{
    int rc = 0;
    if (!strcmp(r->kind, "gzip")) {
        memset(&r->z, 0, sizeof r->z);
        rc = inflateInit2(&r->z, 15 + 32) != Z_OK;
    } else if (!strcmp(r->kind, "zstd")) {
        rc = !(r->zs = ZSTD_createDStream());
        r->zlast = 1;
    } else if (!strcmp(r->kind, "bzip2")) {
        memset(&r->bz, 0, sizeof r->bz);
        rc = BZ2_bzDecompressInit(&r->bz, 0, 0) != BZ_OK;
    } else {
        lzma_stream init = LZMA_STREAM_INIT;
        r->xz = init;
        rc = lzma_stream_decoder(&r->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK;
    }
    if (rc)
        return lh_fail(err, LH_ENOMEM, "cannot start the %s decoder", r->kind);
    r->started = true;
    return LH_OK;
}

/* Up to cap decompressed bytes into out; *got = 0 only at the end. */
static lh_status reader_read(reader *r, unsigned char *out, size_t cap, size_t *got, lh_err *err)
{
    *got = 0;
    while (!*got && !r->end) {
        lh_status st = fill_raw(r, err);
        if (st)
            return st;
        size_t avail = r->in_len - r->in_pos;
        if (!r->kind) {
            size_t k = avail < cap ? avail : cap;
            memcpy(out, r->in + r->in_pos, k);
            r->in_pos += k;
            *got = k;
            r->end = r->raw_eof;
            continue;
        }
        if (!r->started && (st = reader_begin(r, err)))
            return st;
        unsigned char *next = r->in + r->in_pos;
        size_t used = 0, made = 0;
        bool stream_end = false;
        if (!strcmp(r->kind, "gzip")) {
            r->z.next_in = next;
            r->z.avail_in = (uInt)avail;
            r->z.next_out = out;
            r->z.avail_out = (uInt)cap;
            int rc = inflate(&r->z, Z_NO_FLUSH);
            used = avail - r->z.avail_in;
            made = cap - r->z.avail_out;
            if (rc == Z_STREAM_END)
                stream_end = true;
            else if (rc != Z_OK && !(rc == Z_BUF_ERROR && !avail && r->raw_eof && made))
                if (rc != Z_BUF_ERROR || r->raw_eof)
                    return corrupt(r, err);
        } else if (!strcmp(r->kind, "zstd")) {
            ZSTD_inBuffer ib = {next, avail, 0};
            ZSTD_outBuffer ob = {out, cap, 0};
            size_t rc = ZSTD_decompressStream(r->zs, &ob, &ib);
            if (ZSTD_isError(rc))
                return corrupt(r, err);
            used = ib.pos;
            made = ob.pos;
            if (!made && !used && r->raw_eof) {
                if (r->zlast)
                    return corrupt(r, err);
                r->end = true;
            }
            if (made || used)
                r->zlast = rc;
        } else if (!strcmp(r->kind, "bzip2")) {
            r->bz.next_in = (char *)next;
            r->bz.avail_in = (unsigned)avail;
            r->bz.next_out = (char *)out;
            r->bz.avail_out = (unsigned)cap;
            int rc = BZ2_bzDecompress(&r->bz);
            used = avail - r->bz.avail_in;
            made = cap - r->bz.avail_out;
            if (rc == BZ_STREAM_END)
                stream_end = true;
            else if (rc != BZ_OK || (!made && !used && r->raw_eof))
                return corrupt(r, err);
        } else {
            r->xz.next_in = next;
            r->xz.avail_in = avail;
            r->xz.next_out = out;
            r->xz.avail_out = cap;
            lzma_ret rc = lzma_code(&r->xz, r->raw_eof ? LZMA_FINISH : LZMA_RUN);
            used = avail - r->xz.avail_in;
            made = cap - r->xz.avail_out;
            if (rc == LZMA_STREAM_END)
                r->end = true;
            else if (rc != LZMA_OK || (!made && !used && r->raw_eof))
                return corrupt(r, err);
        }
        r->in_pos += used;
        *got = made;
        if (stream_end) {
            /* Concatenated members (gzip -c a b, pbzip2): go on while bytes follow. */
            reader_end(r);
            if ((st = fill_raw(r, err)))
                return st;
            if (r->in_pos >= r->in_len && r->raw_eof)
                r->end = true;
        } else if (!strcmp(r->kind, "gzip") && !made && !used && r->raw_eof) {
            return corrupt(r, err);
        }
    }
    r->out_total += (int64_t)*got;
    if (r->kind && r->out_total > LH_INGEST_INFLATE_FREE &&
        r->out_total > (int64_t)LH_INGEST_INFLATE_RATIO * (r->raw_total ? r->raw_total : 1))
        return lh_fail(err, LH_ETOOBIG, "the %s-compressed data expands more than %d times (over "
                       "%lld MiB from %lld KiB): refused as a decompression bomb; decompress it "
                       "yourself if it is genuine", r->kind, LH_INGEST_INFLATE_RATIO,
                       (long long)(r->out_total >> 20), (long long)(r->raw_total >> 10));
    if (r->out_total > LH_INGEST_INFLATE_MAX)
        return lh_fail(err, LH_ETOOBIG, "the %s-compressed data expands to over %lld GiB, the "
                       "limit", r->kind, (long long)(LH_INGEST_INFLATE_MAX >> 30));
    return LH_OK;
}

/* ---- the writer: UTF-8 out, NUL check, line count ---- */

typedef struct writer {
    int fd;                   /* -1: validate only */
    bool text;
    int64_t total, lines, first_nul;
    unsigned char buf[1 << 17];
    size_t len;
} writer;

static lh_status flush_out(writer *w, lh_err *err)
{
    lh_status st = w->fd >= 0 ? lh_write_all(w->fd, w->buf, w->len, "the staged copy", err) : LH_OK;
    w->len = 0;
    return st;
}

static lh_status emit(writer *w, const unsigned char *p, size_t n, lh_err *err)
{
    if (w->text && w->first_nul < 0) {
        const unsigned char *z = memchr(p, 0, n);
        if (z)
            w->first_nul = w->total + (z - p);
    }
    for (size_t i = 0; i < n; i++)
        w->lines += p[i] == '\n';
    w->total += (int64_t)n;
    if (w->fd < 0)
        return LH_OK;
    while (n) {
        size_t k = sizeof w->buf - w->len < n ? sizeof w->buf - w->len : n;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
        if (w->len == sizeof w->buf) {
            lh_status st = flush_out(w, err);
            if (st)
                return st;
        }
    }
    return LH_OK;
}

/* How messages spell an encoding. */
static const char *display(const char *enc)
{
    static const struct { const char *name, *shown; } names[] = {
        {"utf-8", "UTF-8"}, {"windows-1252", "Windows-1252"}, {"iso-8859-1", "Latin-1"},
        {"iso-8859-15", "ISO-8859-15"}, {"utf-16le", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(enc, names[i].name))
            return names[i].shown;
    return enc;
}

static lh_status undecodable(const lh__decode_opts *o, const char *enc, int64_t at, int64_t line,
                             lh_err *err)
{
    enc = display(enc);
    if (o->encoding)
        return lh_fail(err, LH_EINVAL, "byte %lld (line %lld) is not valid %s; pass --encoding with "
                       "the file's encoding (utf-8, windows-1252, latin-1, utf-16le, utf-16be)",
                       (long long)at, (long long)line, enc);
    if (!strcmp(enc, "UTF-8"))
        return lh_fail(err, LH_EINVAL, "byte %lld (line %lld) is not valid UTF-8 (the first 64 KiB "
                       "were); pass --encoding windows-1252 (or latin-1, utf-16le ...) if that is "
                       "the file's encoding", (long long)at, (long long)line);
    return lh_fail(err, LH_EINVAL, "byte %lld (line %lld) is not valid UTF-8 or %s; pass "
                   "--encoding with the file's encoding (utf-8, windows-1252, latin-1, utf-16le, "
                   "utf-16be)", (long long)at, (long long)line, enc);
}

#define SAMPLE ((size_t)64 << 10)

lh_status lh__ingest_decode(int in_fd, int out_fd, const lh__decode_opts *o, char sha[65],
                            lh__decode_info *info, lh_err *err)
{
    memset(info, 0, sizeof *info);
    reader *r = lh_calloc(1, sizeof *r);
    writer *w = lh_calloc(1, sizeof *w);
    unsigned char *chunk = lh_malloc(SAMPLE + 8);
    char *conv = lh_malloc(SAMPLE * 4 + 16);
    iconv_t cd = (iconv_t)-1;
    lh_status st = LH_OK;
    if (!r || !w || !chunk || !conv || !(r->h = lh_sha256_new())) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    r->fd = in_fd;
    w->fd = out_fd;
    w->text = o->text;
    w->first_nul = -1;
    if ((st = fill_raw(r, err)))
        goto cleanup;
    r->kind = o->decompress ? lh__ingest_compression(r->in, r->in_len) : NULL;
    snprintf(info->compression, sizeof info->compression, "%s", r->kind ? r->kind : "");

    /* The sample: the first 64 KiB of content decide the encoding. */
    size_t have = 0, got = 0;
    do {
        if ((st = reader_read(r, chunk + have, SAMPLE - have, &got, err)))
            goto cleanup;
        have += got;
    } while (got && have < SAMPLE);
    bool eof = have < SAMPLE;
    const char *enc = NULL;
    size_t bom = 0;
    bool markup = (have >= 5 && !memcmp(chunk, "%PDF-", 5)) ||
                  (have >= 5 && !memcmp(chunk, "<?xml", 5)) || (have >= 6 && !memcmp(chunk, "<smses", 6));
    if (!o->encode || (markup && !o->encoding)) {
        enc = NULL; /* bytes as they are */
    } else if (o->encoding) {
        enc = lh__ingest_encoding_name(o->encoding);
        if (!enc) {
            st = lh_fail(err, LH_EINVAL, "unknown encoding '%s' (expected utf-8, windows-1252, "
                         "latin-1, iso-8859-15, utf-16, utf-16le or utf-16be)", o->encoding);
            goto cleanup;
        }
        size_t b2;
        const char *seen = lh__ingest_sniff_encoding(chunk, have, eof, &b2);
        if (!strcmp(enc, "utf-16"))
            enc = !strcmp(seen, "utf-16be") ? "utf-16be" : "utf-16le";
        if (!strcmp(enc, seen))
            bom = b2;
    } else {
        enc = lh__ingest_sniff_encoding(chunk, have, eof, &bom);
        if (!strcmp(enc, "binary"))
            enc = NULL; /* kept as it is: format detection refuses it */
    }
    snprintf(info->encoding, sizeof info->encoding, "%s", enc ? enc : "");
    info->bom = bom > 0;
    bool utf8 = enc && !strcmp(enc, "utf-8");
    if (enc && !utf8 && (cd = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
        st = lh_fail(err, LH_EINVAL, "encoding %s is not available here", enc);
        goto cleanup;
    }

    /* Convert chunk by chunk; carry holds an incomplete sequence at a chunk's end. */
    int64_t consumed = 0; /* decoded-input offset of chunk[0] */
    size_t start = bom, carry = 0;
    for (;;) {
        size_t n = have;
        if (!enc) {
            st = emit(w, chunk + start, n - start, err);
            carry = 0;
        } else if (utf8) {
            bool trunc;
            size_t ok = start + lh__utf8_valid_prefix(chunk + start, n - start, &trunc);
            if (ok < n && (!trunc || r->end)) {
                if (!(st = emit(w, chunk + start, ok - start, err)))
                    st = undecodable(o, "utf-8", consumed + (int64_t)ok, w->lines + 1, err);
                goto cleanup;
            }
            st = emit(w, chunk + start, ok - start, err);
            carry = n - ok;
        } else {
            char *ip = (char *)chunk + start, *op = conv;
            size_t il = n - start, ol = SAMPLE * 4 + 16;
            size_t rc = iconv(cd, &ip, &il, &op, &ol);
            int e = errno;
            st = emit(w, (unsigned char *)conv, (size_t)(op - conv), err);
            if (!st && rc == (size_t)-1 && (e == EILSEQ || (e == EINVAL && r->end))) {
                st = undecodable(o, enc, consumed + (ip - (char *)chunk), w->lines + 1, err);
                goto cleanup;
            }
            carry = il;
        }
        if (!st && r->end && carry)
            st = undecodable(o, enc ? enc : "utf-8", consumed + (int64_t)(have - carry),
                             w->lines + 1, err);
        if (st || r->end)
            break;
        memmove(chunk, chunk + have - carry, carry);
        consumed += (int64_t)(have - carry);
        have = carry;
        start = 0;
        do {
            if ((st = reader_read(r, chunk + have, SAMPLE - have, &got, err)))
                goto cleanup;
            have += got;
        } while (got && have < SAMPLE / 2);
    }
    if (!st)
        st = flush_out(w, err);
    if (!st && w->first_nul >= 0)
        st = lh_fail(err, LH_EINVAL, "holds binary data: a NUL byte at offset %lld; text formats "
                     "cannot hold NUL bytes", (long long)w->first_nul);
cleanup:
    if (r && r->h) {
        if (!st && sha)
            lh_sha256_final(r->h, sha);
        lh_sha256_free(r->h);
        info->in_bytes = r->raw_total;
        info->out_bytes = w ? w->total : 0;
    }
    if (r)
        reader_end(r);
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    free(r);
    free(w);
    free(chunk);
    free(conv);
    return st;
}
