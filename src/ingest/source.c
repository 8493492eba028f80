/* source.c: the DuckDB reader call for a staged file, after sniffing the CSV dialect and
 * refusing what the sniffer would otherwise silently get wrong (ragged rows that it
 * "fixes" by skipping lines or reading one column, duplicate header names it renames). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

/* Splits the header line on delim (honouring quote) and refuses repeated names
 * (case-insensitive: Delta column names are). */
static lh_status check_header(const char *staged, char delim, char quote, int64_t skip, lh_err *err)
{
    FILE *f = fopen(staged, "r");
    if (!f)
        return lh_fail(err, LH_EIO, "reopen staged file");
    char line[65536];
    lh_status st = LH_OK;
    for (int c; skip > 0 && (c = fgetc(f)) != EOF;)
        skip -= c == '\n';
    if (fgets(line, sizeof line, f)) {
        char names[256][128];
        size_t n = 0, len = 0;
        bool inq = false;
        const char *p = line;
        if (!strncmp(p, "\xef\xbb\xbf", 3))
            p += 3;
        for (;; p++) {
            char c = *p;
            if (quote && c == quote) {
                inq = !inq;
                continue;
            }
            if (!c || c == '\n' || c == '\r' || (c == delim && !inq)) {
                if (n < 256) {
                    names[n][len < 127 ? len : 127] = '\0';
                    for (size_t i = 0; i < n && !st; i++)
                        if (names[n][0] && !strcasecmp(names[i], names[n]))
                            st = lh_fail(err, LH_EINVAL, "duplicate column name '%s' in the header", names[n]);
                    n++;
                }
                len = 0;
                if (st || !c || c == '\n' || c == '\r')
                    break;
                continue;
            }
            if (n < 256 && len < 127)
                names[n][len] = c;
            len++;
        }
    }
    fclose(f);
    return st;
}

/* True when the header line (after skip lines) names its first columns and leaves only
 * trailing cells empty (a spreadsheet export with blank columns at the right): DuckDB's
 * sniffer takes such a line for data when every column is text, and the names are lost. */
static bool trailing_empty_header(const char *staged, char delim, char quote, int64_t skip)
{
    FILE *f = fopen(staged, "r");
    if (!f)
        return false;
    char line[65536];
    for (int c; skip > 0 && (c = fgetc(f)) != EOF;)
        skip -= c == '\n';
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
        return false;
    char *p = line;
    if (!strncmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    p[strcspn(p, "\r\n")] = '\0';
    size_t named = 0, empty_after = 0, cell = 0;
    bool inq = false;
    for (;; p++) {
        if (quote && *p == quote) {
            inq = !inq;
            cell++;
            continue;
        }
        if (!*p || (*p == delim && !inq)) {
            if (cell && empty_after)
                return false; /* a name after an empty cell: not a trailing gap */
            if (cell)
                named++;
            else
                empty_after++;
            cell = 0;
            if (!*p)
                break;
            continue;
        }
        cell++;
    }
    return named > 0 && empty_after > 0;
}

/* The most frequent of , ; TAB | in the first line, or 0. */
static char likely_delimiter(const char *staged)
{
    FILE *f = fopen(staged, "r");
    if (!f)
        return 0;
    char line[65536];
    char best = 0;
    if (fgets(line, sizeof line, f)) {
        size_t best_n = 0;
        for (const char *d = ",;\t|"; *d; d++) {
            size_t k = 0;
            for (const char *p = line; *p; p++)
                k += *p == *d;
            if (k > best_n) {
                best_n = k;
                best = *d;
            }
        }
    }
    fclose(f);
    return best;
}

static void add_char_option(lh_buf *b, const char *key, const char *val, json_t *options)
{
    json_object_set_new(options, key, json_string(val));
    lh_buf_printf(b, ", %s=", key);
    lh_buf_add_sql_string(b, val);
}

/* The column types and date formats the sniffer found, passed on so that every later
 * read of the file (DESCRIBE, COPY) skips sniffing types again. */
static void add_sniffed_types(lh_buf *b, json_t *row)
{
    const char *text = json_string_value(json_array_get(row, 6)) ?: "";
    /* a parse lost to memory only costs the hint: the readers sniff again */
    json_t *cols = lh_json_loadb(text, strlen(text), 0, NULL);
    if (!json_is_array(cols) || !json_array_size(cols)) {
        json_decref(cols);
        return;
    }
    lh_buf_adds(b, ", auto_detect=false, columns={");
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        if (i)
            lh_buf_adds(b, ", ");
        lh_buf_add_sql_string(b, json_string_value(json_object_get(c, "name")) ?: "");
        lh_buf_adds(b, ": ");
        lh_buf_add_sql_string(b, json_string_value(json_object_get(c, "type")) ?: "VARCHAR");
    }
    lh_buf_adds(b, "}");
    json_decref(cols);
    const char *datefmt = json_string_value(json_array_get(row, 7));
    const char *tsfmt = json_string_value(json_array_get(row, 8));
    if (datefmt && *datefmt) {
        lh_buf_adds(b, ", dateformat=");
        lh_buf_add_sql_string(b, datefmt);
    }
    if (tsfmt && *tsfmt) {
        lh_buf_adds(b, ", timestampformat=");
        lh_buf_add_sql_string(b, tsfmt);
    }
}

/* The user's overrides as reader options (sniff_csv and read_csv take the same). */
static void add_overrides(lh_buf *b, const lh_ingest_csv *csv)
{
    char c[2] = {0, 0};
    if (csv->delim) {
        c[0] = csv->delim;
        lh_buf_adds(b, ", delim=");
        lh_buf_add_sql_string(b, c);
    }
    if (csv->quote) {
        c[0] = csv->quote;
        lh_buf_adds(b, ", quote=");
        lh_buf_add_sql_string(b, c);
    }
    if (csv->escape) {
        c[0] = csv->escape;
        lh_buf_adds(b, ", escape=");
        lh_buf_add_sql_string(b, c);
    }
    if (csv->header)
        lh_buf_printf(b, ", header=%s", csv->header > 0 ? "true" : "false");
    if (csv->skip)
        lh_buf_printf(b, ", skip=%lld", (long long)csv->skip);
}

lh_status lh_ingest_csv_parse(lh_ingest_csv *csv, const char *header, const char *delim,
                              const char *quote, const char *skip, lh_err *err)
{
    if (header && *header) {
        if (!strcasecmp(header, "true") || !strcmp(header, "1") || !strcasecmp(header, "yes"))
            csv->header = 1;
        else if (!strcasecmp(header, "false") || !strcmp(header, "0") || !strcasecmp(header, "no"))
            csv->header = -1;
        else
            return lh_fail(err, LH_EINVAL, "header must be true or false, not '%.40s'", header);
    }
    if (delim && *delim) {
        if (!strcmp(delim, "\\t") || !strcasecmp(delim, "tab"))
            csv->delim = '\t';
        else if (strlen(delim) == 1 && delim[0] != '\n' && delim[0] != '\r' && delim[0] != '"')
            csv->delim = delim[0];
        else
            return lh_fail(err, LH_EINVAL, "the delimiter must be one character (or tab), not '%.40s'",
                           delim);
    }
    if (quote && *quote) {
        if (strlen(quote) != 1 || quote[0] == '\n' || quote[0] == '\r')
            return lh_fail(err, LH_EINVAL, "the quote must be one character, not '%.40s'", quote);
        csv->quote = quote[0];
    }
    if (csv->delim && csv->delim == csv->quote)
        return lh_fail(err, LH_EINVAL, "the delimiter and the quote must differ");
    if (skip && *skip) {
        int64_t n = -1;
        if (lh_parse_i64(skip, &n) != LH_OK || n < 0 || n > 1000000)
            return lh_fail(err, LH_EINVAL, "skip must be a number of lines (0 to 1000000), not '%.40s'",
                           skip);
        csv->skip = n;
    }
    return LH_OK;
}

static lh_status csv_source(lh_engine *eng, const char *staged, const lh_ingest_csv *csv,
                            lh_buf *source, json_t *options, lh_err *err)
{
    static const lh_ingest_csv none;
    if (!csv)
        csv = &none;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT Delimiter, Quote, Escape, CAST(HasHeader AS VARCHAR), "
                      "CAST(SkipRows AS VARCHAR), CAST(len(Columns) AS VARCHAR), "
                      "CAST(to_json(Columns) AS VARCHAR), DateFormat, TimestampFormat FROM sniff_csv(");
    lh_buf_add_sql_string(&sql, staged);
    lh_buf_adds(&sql, ", strict_mode=true");
    add_overrides(&sql, csv);
    lh_buf_adds(&sql, ")");
    json_t *row = NULL;
    lh_status st = lh__ingest_built(&sql, "the SQL sniffing the CSV file", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    st = lh_engine_query_row(eng, sql.data, &row, err);
    lh_buf_release(&sql);
    char forced = 0;
    if (st) {
        lh__ingest_short_error(err);
        return lh_fail_wrap(err, LH_EINVAL, "cannot read as CSV");
    }
    const char *delim = json_string_value(json_array_get(row, 0));
    const char *quote = json_string_value(json_array_get(row, 1));
    const char *escape = json_string_value(json_array_get(row, 2));
    bool header = csv->header ? csv->header > 0
                              : !strcmp(json_string_value(json_array_get(row, 3)) ?: "", "true");
    const char *skip = json_string_value(json_array_get(row, 4));
    const char *ncols = json_string_value(json_array_get(row, 5));
    if (!header && !csv->header) {
        const char *types = json_string_value(json_array_get(row, 6)) ?: "";
        size_t n = 0, text = 0;
        for (const char *t = types; (t = strstr(t, "\"type\":\"")); t += 8, n++)
            text += !strncmp(t + 8, "VARCHAR\"", 8);
        char d = delim && *delim ? delim[0] : ',';
        if (n && n == text &&
            trailing_empty_header(staged, d, quote && *quote && strcmp(quote, "(empty)") ? quote[0] : '"',
                                  csv->skip)) {
            lh_ingest_csv fixed = *csv;
            fixed.header = 1;
            json_decref(row);
            st = csv_source(eng, staged, &fixed, source, options, err);
            if (!st && !csv->header && !csv->delim && !csv->quote && !csv->skip)
                json_object_del(options, "overrides");
            if (!st)
                json_object_set_new(options, "header_note", json_string(
                    "the first line is the header (its trailing cells are empty)"));
            return st;
        }
    }
    /* sniff_csv spells "no quote/escape" as the text "(empty)". */
    if (quote && !strcmp(quote, "(empty)"))
        quote = "";
    if (escape && !strcmp(escape, "(empty)"))
        escape = "";
    int64_t skipped = 0;
    if (skip && (lh_parse_i64(skip, &skipped) != LH_OK || skipped != csv->skip)) {
        st = lh_fail(err, LH_EINVAL,
                     "ragged rows: the first %s line(s) do not have the same number of fields as the rest; "
                     "pass --skip %s if they are a preamble", skip, skip);
    } else if (!csv->delim && ncols && !strcmp(ncols, "1") && (forced = likely_delimiter(staged)) &&
               (!delim || delim[0] != forced)) {
        /* One column although the header line is full of separators: the rows disagree
         * on their field count. Read strictly with that separator to get the exact line. */
        char d[2] = {forced, 0};
        lh_buf probe;
        lh_buf_init(&probe, 0);
        lh_buf_adds(&probe, "SELECT count(*) FROM read_csv(");
        lh_buf_add_sql_string(&probe, staged);
        lh_buf_adds(&probe, ", delim=");
        lh_buf_add_sql_string(&probe, d);
        lh_buf_adds(&probe, ", strict_mode=true, null_padding=false)");
        st = lh__ingest_built(&probe, "the SQL probing the CSV file", err);
        if (!st && lh_engine_exec(eng, probe.data, err)) {
            lh__ingest_short_error(err);
            st = lh_fail_wrap(err, LH_EINVAL, "ragged rows");
        } else if (!st) {
            delim = NULL; /* the strict read worked: use that separator */
        }
        lh_buf_release(&probe);
    }
    if (!st && header)
        st = check_header(staged, forced && !delim ? forced : (delim && *delim ? delim[0] : ','),
                          quote && *quote ? quote[0] : 0, csv->skip, err);
    if (!st) {
        char d[2] = {forced, 0};
        lh_buf_adds(source, "read_csv(");
        lh_buf_add_sql_string(source, staged);
        add_char_option(source, "delim", forced && !delim ? d : (delim ? delim : ","), options);
        add_char_option(source, "quote", quote ? quote : "", options);
        add_char_option(source, "escape", escape ? escape : "", options);
        lh_buf_printf(source, ", header=%s, skip=%lld, strict_mode=true, null_padding=false",
                      header ? "true" : "false", (long long)csv->skip);
        if (!forced || delim)
            add_sniffed_types(source, row);
        lh_buf_adds(source, ")");
        st = lh__ingest_built(source, "the SQL reading the CSV file", err);
    }
    if (!st) {
        json_object_set_new(options, "header", json_boolean(header));
        json_object_set_new(options, "skip", json_integer(csv->skip));
        json_object_set_new(options, "encoding", json_string("utf-8"));
        if (csv->header || csv->delim || csv->quote || csv->escape || csv->skip) {
            json_t *given = json_object();
            char c[2] = {0, 0};
            if (csv->header)
                json_object_set_new(given, "header", json_boolean(csv->header > 0));
            if (csv->delim && (c[0] = csv->delim))
                json_object_set_new(given, "delim", json_string(c));
            if (csv->quote && (c[0] = csv->quote))
                json_object_set_new(given, "quote", json_string(c));
            if (csv->escape && (c[0] = csv->escape))
                json_object_set_new(given, "escape", json_string(c));
            if (csv->skip)
                json_object_set_new(given, "skip", json_integer(csv->skip));
            json_object_set_new(options, "overrides", given);
        }
    }
    json_decref(row);
    return st;
}

lh_status lh__ingest_source_sql(lh_engine *eng, const char *format, const char *staged,
                                const lh_ingest_csv *csv, lh_buf *source, json_t *options,
                                lh_err *err)
{
    if (!strcmp(format, "csv"))
        return csv_source(eng, staged, csv, source, options, err);
    /* JSON: DuckDB detects array-of-objects vs newline-delimited itself ("auto"); an
     * explicit ndjson request pins it. */
    const char *jf = !strcmp(format, "ndjson") ? "newline_delimited" : "auto";
    lh_status st = lh__json_depth_check(staged, LH_JSON_MAX_DEPTH, err);
    if (st)
        return st;
    lh_buf_adds(source, "read_json(");
    lh_buf_add_sql_string(source, staged);
    lh_buf_printf(source, ", format='%s', maximum_object_size=67108864)", jf);
    st = lh__ingest_built(source, "the SQL reading the JSON file", err);
    if (st)
        return st;
    json_object_set_new(options, "json_format", json_string(jf));
    json_object_set_new(options, "encoding", json_string("utf-8"));
    return LH_OK;
}
