/* text.c: plain text, Markdown and log files -> one row per paragraph:
 * source, paragraph_no, line_start, text. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "ingest/ingest_int.h"

static bool blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\f\v", p[i]) || !p[i])
            return false;
    return true;
}

lh_status lh__text_split(const char *data, size_t len, lh__para_fn fn, void *ctx, lh_err *err)
{
    size_t pos = 0;
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
        pos = 3;
    int64_t line = 1, para_line = 0;
    size_t para_start = 0, para_end = 0; /* para_end: end of the last non-blank line */
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t content_end = end > pos && data[end - 1] == '\r' ? end - 1 : end;
        if (blank_line(data + pos, content_end - pos)) {
            if (para_line) {
                lh_status st = fn(ctx, data + para_start, para_end - para_start, para_line, err);
                if (st)
                    return st;
                para_line = 0;
            }
        } else {
            if (!para_line) {
                para_line = line;
                para_start = pos;
            }
            para_end = content_end;
        }
        pos = nl ? end + 1 : len;
        line++;
    }
    return para_line ? fn(ctx, data + para_start, para_end - para_start, para_line, err) : LH_OK;
}

typedef struct text_job {
    lh__rows rows;
    const char *source;
    lh_buf text;
} text_job;

/* The 1-based line (counted from line_start) that holds the first invalid UTF-8 byte. */
static int64_t bad_utf8_line(const char *p, size_t n, int64_t line_start)
{
    int64_t line = line_start;
    for (size_t pos = 0; pos < n; line++) {
        const char *nl = memchr(p + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (!lh_utf8_valid(p + pos, end - pos))
            return line;
        pos = end + 1;
    }
    return line_start;
}

static lh_status put_paragraph(void *ctx, const char *p, size_t n, int64_t line_start, lh_err *err)
{
    text_job *t = ctx;
    if (memchr(p, '\0', n))
        return lh_fail(err, LH_EINVAL, "holds binary data (a NUL byte in the paragraph at line %lld), "
                       "not text", (long long)line_start);
    if (!lh_utf8_valid(p, n))
        return lh_fail(err, LH_EINVAL, "is not valid UTF-8 text (line %lld); convert it to UTF-8 first",
                       (long long)bad_utf8_line(p, n, line_start));
    if (n > LH__ROW_MAX_BYTES)
        return lh_fail(err, LH_ETOOBIG, "the paragraph at line %lld is over %zu MiB",
                       (long long)line_start, LH__ROW_MAX_BYTES >> 20);
    lh_buf_reset(&t->text);
    for (size_t i = 0; i < n; i++) /* CRLF -> LF inside the paragraph */
        if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
            lh_buf_addc(&t->text, p[i]);
    lh_status st = lh__ingest_built(&t->text, "a paragraph", err);
    if (st)
        return st;
    json_t *row = json_pack("{s:s, s:I, s:I, s:s%}", "source", t->source, "paragraph_no",
                            (json_int_t)(t->rows.count + 1), "line_start", (json_int_t)line_start,
                            "text", lh_buf_cstr(&t->text), t->text.len);
    return lh__rows_put(&t->rows, row, err);
}

lh_status lh__convert_text(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                           json_t *lineage, lh_err *err)
{
    void *map = NULL;
    size_t len = 0;
    lh_status mst = lh__ingest_map(in_path, &map, &len, err);
    if (mst)
        return mst;

    text_job t = {.source = source_name};
    lh_buf_init(&t.text, LH__ROW_MAX_BYTES + 1);
    lh_status st = lh__rows_open(&t.rows, out_path, err);
    if (!st && map)
        st = lh__text_split(map, len, put_paragraph, &t, err);
    lh_status cst = lh__rows_close(&t.rows, err);
    st = st ? st : cst;
    if (!st && !t.rows.count)
        st = lh_fail(err, LH_EINVAL, "holds no text (only white space)");
    if (!st) {
        lh__rows_column(columns, "source", "VARCHAR");
        lh__rows_column(columns, "paragraph_no", "BIGINT");
        lh__rows_column(columns, "line_start", "BIGINT");
        lh__rows_column(columns, "text", "VARCHAR");
        json_object_set_new(lineage, "text", json_pack("{s:I}", "paragraphs", (json_int_t)t.rows.count));
    }
    lh_buf_release(&t.text);
    if (map)
        munmap(map, len);
    return st;
}
