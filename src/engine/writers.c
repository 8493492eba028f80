/* writers.c: JSON, NDJSON, CSV and text-table renderings of a streamed result. */
#include "engine/writers.h"
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define FLUSH_AT (64 * 1024)
#define MAX_TABLE_ROWS 1000
#define MAX_TABLE_CELL 60

struct lh_result_writer {
    lh_result_format fmt;
    lh_write_fn write;
    void *write_ctx;
    lh_buf out;
    const lh_result_column *cols;
    size_t ncols;
    uint64_t rows;
    double start_ms;
    /* NDJSON: each column's `{"name":` / `,"name":` prefix, escaped once at begin */
    lh_buf keys;
    size_t *key_off;         /* ncols + 1 offsets into keys */
    /* text table: buffered cells (row-major, heap strings; NULL = SQL NULL) */
    char **cells;
    size_t ncells, capcells;
    uint64_t table_extra;
};

lh_status lh_result_format_parse(const char *s, lh_result_format *out, lh_err *err)
{
    static const struct { const char *name; lh_result_format fmt; } names[] = {
        {"json", LH_FORMAT_JSON}, {"ndjson", LH_FORMAT_NDJSON},
        {"csv", LH_FORMAT_CSV}, {"table", LH_FORMAT_TABLE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s && !strcmp(s, names[i].name)) {
            *out = names[i].fmt;
            return LH_OK;
        }
    return lh_fail(err, LH_EINVAL, "unknown format '%s' (expected table, csv, json or ndjson)",
                   s ? s : "");
}

static lh_status flush(lh_result_writer *w, bool force, lh_err *err)
{
    if (!w->out.len || (!force && w->out.len < FLUSH_AT))
        return LH_OK;
    lh_status st = w->write(w->write_ctx, lh_buf_cstr(&w->out), w->out.len, err);
    lh_buf_reset(&w->out);
    return st;
}

/* The appenders below write into w->out without checking each add: the sink callbacks
 * check the buffer once (lh_buf_status) before anything built is flushed. */

/* JSON string escaping per RFC 8259 (control characters as \u00XX). Runs of bytes that
 * need no escape are copied whole. */
static void add_json_string(lh_buf *b, const char *s, size_t n)
{
    lh_buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        const char *esc = NULL;
        char tmp[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        }
        lh_buf_add(b, s + run, i - run);
        lh_buf_adds(b, esc);
        run = i + 1;
    }
    lh_buf_add(b, s + run, n - run);
    lh_buf_addc(b, '"');
}

/* A number as DuckDB prints it is valid JSON unless it is inf/nan. */
static bool json_number_ok(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'))
            return false;
    }
    return true;
}

static void add_json_cell(lh_buf *b, const lh_result_column *col, const char *s, size_t n)
{
    if (!s)
        lh_buf_adds(b, "null");
    else if (col->kind == LH_CELL_BOOL || col->kind == LH_CELL_JSON ||
             (col->kind == LH_CELL_NUMBER && json_number_ok(s, n)))
        lh_buf_add(b, s, n);
    else
        add_json_string(b, s, n);
}

static void add_csv_field(lh_buf *b, const char *s, size_t n)
{
    if (!s)
        return; /* NULL is an empty field */
    bool quote = n == 0 ? false : memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) ||
                                  memchr(s, '\r', n) || s[0] == ' ' || s[n - 1] == ' ';
    if (!quote) {
        lh_buf_add(b, s, n);
        return;
    }
    lh_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"')
            lh_buf_adds(b, "\"\"");
        else
            lh_buf_addc(b, s[i]);
    lh_buf_addc(b, '"');
}

static lh_status on_begin(void *ctx, const lh_result_column *cols, size_t ncols, lh_err *err)
{
    lh_result_writer *w = ctx;
    w->cols = cols;
    w->ncols = ncols;
    if (w->fmt == LH_FORMAT_JSON) {
        lh_buf_adds(&w->out, "{\"columns\":[");
        for (size_t i = 0; i < ncols; i++) {
            lh_buf_adds(&w->out, i ? ",{\"name\":" : "{\"name\":");
            add_json_string(&w->out, cols[i].name, strlen(cols[i].name));
            lh_buf_adds(&w->out, ",\"type\":");
            add_json_string(&w->out, cols[i].type, strlen(cols[i].type));
            lh_buf_addc(&w->out, '}');
        }
        lh_buf_adds(&w->out, "],\"rows\":[");
    } else if (w->fmt == LH_FORMAT_NDJSON) {
        if (!(w->key_off = lh_calloc(ncols + 1, sizeof *w->key_off)))
            return lh_fail(err, LH_ENOMEM, "out of memory");
        for (size_t i = 0; i < ncols; i++) {
            w->key_off[i] = w->keys.len;
            lh_buf_addc(&w->keys, i ? ',' : '{');
            add_json_string(&w->keys, cols[i].name, strlen(cols[i].name));
            lh_buf_addc(&w->keys, ':');
        }
        w->key_off[ncols] = w->keys.len;
        lh_status st = lh_buf_status(&w->keys);
        if (st)
            return lh_fail(err, st, "result column names too long to render");
    } else if (w->fmt == LH_FORMAT_CSV) {
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                lh_buf_addc(&w->out, ',');
            add_csv_field(&w->out, cols[i].name, strlen(cols[i].name));
        }
        lh_buf_adds(&w->out, "\r\n");
    }
    lh_status st = lh_buf_status(&w->out);
    if (st)
        return lh_fail(err, st, "result too large to render");
    return flush(w, false, err);
}

static lh_status table_keep(lh_result_writer *w, const char *s, size_t n, lh_err *err)
{
    if (lh_grow(&w->cells, &w->capcells, w->ncells + 1, sizeof *w->cells))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    char *copy = NULL;
    if (s) {
        /* Show one line per cell: newlines and tabs become spaces, long text is cut. */
        bool cut = n > MAX_TABLE_CELL;
        size_t keep = cut ? MAX_TABLE_CELL - 3 : n; /* room for "..." when cut */
        while (cut && keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
            keep--; /* never cut a UTF-8 sequence in half */
        copy = lh_malloc(keep + 4);
        if (!copy)
            return lh_fail(err, LH_ENOMEM, "out of memory");
        for (size_t i = 0; i < keep; i++)
            copy[i] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
        if (cut)
            memcpy(copy + keep, "...", 3);
        copy[keep + (cut ? 3 : 0)] = '\0';
    }
    w->cells[w->ncells++] = copy;
    return LH_OK;
}

static lh_status on_row(void *ctx, const char *const *cells, const size_t *lens, lh_err *err)
{
    lh_result_writer *w = ctx;
    switch (w->fmt) {
    case LH_FORMAT_JSON:
        lh_buf_adds(&w->out, w->rows ? ",[" : "[");
        for (size_t i = 0; i < w->ncols; i++) {
            if (i)
                lh_buf_addc(&w->out, ',');
            add_json_cell(&w->out, &w->cols[i], cells[i], lens[i]);
        }
        lh_buf_addc(&w->out, ']');
        break;
    case LH_FORMAT_NDJSON:
        if (!w->ncols)
            lh_buf_addc(&w->out, '{');
        for (size_t i = 0; i < w->ncols; i++) {
            lh_buf_add(&w->out, w->keys.data + w->key_off[i], w->key_off[i + 1] - w->key_off[i]);
            add_json_cell(&w->out, &w->cols[i], cells[i], lens[i]);
        }
        lh_buf_adds(&w->out, "}\n");
        break;
    case LH_FORMAT_CSV:
        for (size_t i = 0; i < w->ncols; i++) {
            if (i)
                lh_buf_addc(&w->out, ',');
            add_csv_field(&w->out, cells[i], lens[i]);
        }
        lh_buf_adds(&w->out, "\r\n");
        break;
    case LH_FORMAT_TABLE:
        if (w->rows >= MAX_TABLE_ROWS) {
            w->table_extra++;
            break;
        }
        for (size_t i = 0; i < w->ncols; i++) {
            lh_status st = table_keep(w, cells[i], lens[i], err);
            if (st)
                return st;
        }
        break;
    }
    lh_status st = lh_buf_status(&w->out);
    if (st)
        return lh_fail(err, st, "row too large to render");
    w->rows++;
    return flush(w, false, err);
}

static size_t display_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80; /* count code points, not bytes */
    return n;
}

static void pad(lh_buf *b, const char *s, size_t width)
{
    lh_buf_adds(b, s);
    for (size_t n = display_width(s); n < width; n++)
        lh_buf_addc(b, ' ');
}

/* Appends the whole table to w->out (the caller checks it); LH_ENOMEM for the widths. */
static lh_status render_table(lh_result_writer *w)
{
    size_t nrows = w->ncols ? w->ncells / w->ncols : 0;
    size_t *width = lh_calloc(w->ncols ? w->ncols : 1, sizeof *width);
    if (!width)
        return LH_ENOMEM;
    for (size_t c = 0; c < w->ncols; c++) {
        width[c] = display_width(w->cols[c].name);
        for (size_t r = 0; r < nrows; r++) {
            const char *s = w->cells[r * w->ncols + c];
            size_t n = display_width(s ? s : "NULL");
            if (n > width[c])
                width[c] = n;
        }
    }
    for (size_t c = 0; c < w->ncols; c++) {
        if (c)
            lh_buf_adds(&w->out, " | ");
        pad(&w->out, w->cols[c].name, c + 1 < w->ncols ? width[c] : 0);
    }
    lh_buf_addc(&w->out, '\n');
    for (size_t c = 0; c < w->ncols; c++) {
        if (c)
            lh_buf_adds(&w->out, "-+-");
        for (size_t i = 0; i < width[c]; i++)
            lh_buf_addc(&w->out, '-');
    }
    lh_buf_addc(&w->out, '\n');
    for (size_t r = 0; r < nrows && !lh_buf_status(&w->out); r++) {
        for (size_t c = 0; c < w->ncols; c++) {
            const char *s = w->cells[r * w->ncols + c];
            if (c)
                lh_buf_adds(&w->out, " | ");
            pad(&w->out, s ? s : "NULL", c + 1 < w->ncols ? width[c] : 0);
        }
        lh_buf_addc(&w->out, '\n');
    }
    free(width);
    return LH_OK;
}

static lh_status on_end(void *ctx, uint64_t rows, bool truncated, lh_err *err)
{
    lh_result_writer *w = ctx;
    lh_status st = LH_OK;
    if (w->fmt == LH_FORMAT_JSON) {
        double elapsed = w->start_ms > 0 ? lh_mono_ms() - w->start_ms : 0;
        lh_buf_printf(&w->out, "],\"row_count\":%llu,\"truncated\":%s,\"elapsed_ms\":%.3f}\n",
                      (unsigned long long)rows, truncated ? "true" : "false", elapsed);
    } else if (w->fmt == LH_FORMAT_TABLE) {
        st = render_table(w);
        if (w->table_extra)
            lh_buf_printf(&w->out, "... %llu more rows not shown\n",
                          (unsigned long long)w->table_extra);
        lh_buf_printf(&w->out, "(%llu row%s%s)\n", (unsigned long long)rows,
                      rows == 1 ? "" : "s", truncated ? ", truncated by limit" : "");
    }
    if (!st)
        st = lh_buf_status(&w->out);
    if (st)
        return lh_fail(err, st, "result too large to render");
    return flush(w, true, err);
}

lh_status lh_result_writer_new(lh_result_format fmt, lh_write_fn write, void *write_ctx,
                               lh_result_writer **out, lh_err *err)
{
    lh_result_writer *w = lh_calloc(1, sizeof *w);
    if (!w)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    w->fmt = fmt;
    w->write = write;
    w->write_ctx = write_ctx;
    /* One row may be large (a 10 MB text cell): allow up to 256 MiB per flush unit. */
    lh_buf_init(&w->out, (size_t)256 << 20);
    lh_buf_init(&w->keys, (size_t)16 << 20);
    *out = w;
    return LH_OK;
}

void lh_result_writer_free(lh_result_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->ncells; i++)
        free(w->cells[i]);
    free(w->cells);
    free(w->key_off);
    lh_buf_release(&w->keys);
    lh_buf_release(&w->out);
    free(w);
}

lh_result_sink lh_result_writer_sink(lh_result_writer *w)
{
    lh_result_sink s = {on_begin, on_row, on_end, w};
    return s;
}

void lh_result_writer_set_start(lh_result_writer *w, double mono_start_ms) { w->start_ms = mono_start_ms; }
