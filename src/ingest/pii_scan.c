/* pii_scan.c: samples a dataset's values and records PII flags in its manifest (the
 * classifier itself is catalog/pii.c). One query samples up to SLICE_COLUMNS columns at
 * once (a reservoir of rows when the source is larger than the sample); per column the
 * distinct non-NULL values are collected here. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/pii.h"
#include "core/alloc.h"
#include "core/util.h"
#include "ingest/ingest_int.h"

#define SAMPLE_ROWS 1000  /* rows drawn (one pass, reservoir) */
#define SCAN_ROWS 100000  /* rows the sample is drawn from */
#define SAMPLE_VALUES 200 /* distinct values per column handed to the classifier */
#define SLICE_COLUMNS 1000 /* columns per sampling statement (see scan) */

/* Columns of from_sql (name -> DuckDB type); a file may lack columns the dataset has. */
static lh_status source_columns(lh_engine *eng, const char *from_sql, json_t **out, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_printf(&sql, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM %s)", from_sql);
    json_t *rows = NULL;
    lh_status st = lh__ingest_built(&sql, "the SQL describing the columns", err);
    if (!st)
        st = lh_engine_query_rows(eng, sql.data, 100000, &rows, err);
    lh_buf_release(&sql);
    if (st)
        return st;
    json_t *cols = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *name = json_string_value(json_array_get(r, 0));
        if (name)
            json_object_set(cols, name, json_array_get(r, 1));
    }
    json_decref(rows);
    *out = cols;
    return LH_OK;
}

/* Lowercase name -> the source's own spelling (Delta compares names case-insensitively):
 * one lookup per column, where a scan per column was quadratic in the width. */
static json_t *spellings(json_t *src_cols)
{
    json_t *m = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(src_cols, k, v) {
        char *low = lh_strdup(k);
        for (char *p = low; p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (low && !json_object_get(m, low))
            json_object_set_new(m, low, json_string(k));
        free(low);
    }
    return m;
}

/* The source's own spelling of name, or NULL. */
static const char *source_name(json_t *spelled, const char *name)
{
    char *low = lh_strdup(name);
    for (char *p = low; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *r = low ? json_string_value(json_object_get(spelled, low)) : NULL;
    free(low);
    return r;
}

static bool has_string(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    return false;
}

/* ---- dataset context: pay is personal data only where the rows are people ---- */

/* Classes that say whom a row is about. */
static bool identifying_class(const char *cls)
{
    static const char *const who[] = {"email", "phone", "ssn", "name", "address", NULL};
    for (const char *const *w = who; cls && *w; w++)
        if (!strcmp(cls, *w))
            return true;
    return false;
}

static bool has_identifying(const json_t *pii)
{
    size_t i;
    json_t *v;
    json_array_foreach(pii, i, v)
        if (identifying_class(json_string_value(v)))
            return true;
    return false;
}

/* A column that identifies a person by its name alone: what the classifier flags from the
 * name without values ("first_name", "patient_name", "email"), or a person's key
 * ("employee_id", "emp_no", "customerKey"). */
static bool person_column_name(const char *name, const char *type)
{
    json_t *r = lh_pii_classify(name, type, NULL, 0);
    bool yes = r && has_identifying(json_object_get(r, "pii"));
    json_decref(r);
    if (yes || !name)
        return yes;
    char sq[64];
    size_t n = 0;
    for (const char *p = name; *p && n < sizeof sq - 1; p++)
        if (isalnum((unsigned char)*p))
            sq[n++] = (char)tolower((unsigned char)*p);
    sq[n] = '\0';
    static const char *const who[] = {"employee", "emp", "patient", "customer", "cust", "person",
                                      "member", "student", "candidate", "applicant", "client",
                                      "staff", "worker", "user", "citizen", "voter", "passenger",
                                      "guest", "tenant", "borrower", "insured", "subscriber",
                                      "contact", "people", NULL};
    static const char *const key[] = {"id", "no", "num", "number", "key", NULL};
    for (const char *const *w = who; *w; w++) {
        size_t wl = strlen(*w);
        if (strncmp(sq, *w, wl))
            continue;
        for (const char *const *k = key; *k; k++)
            if (!strcmp(sq + wl, *k))
                return true;
    }
    return false;
}

/* Removes cls from one classification (its flag, its rule) and lowers the sensitivity to
 * what the remaining classes imply. */
static void drop_class(json_t *found, const char *cls)
{
    json_t *pii = json_object_get(found, "pii"), *rules = json_object_get(found, "pii_rules");
    for (size_t i = json_array_size(pii); i-- > 0;)
        if (!strcmp(json_string_value(json_array_get(pii, i)) ?: "", cls))
            json_array_remove(pii, i);
    for (size_t i = json_array_size(rules); i-- > 0;)
        if (!strcmp(json_string_value(json_object_get(json_array_get(rules, i), "class")) ?: "", cls))
            json_array_remove(rules, i);
    int rank = -1;
    size_t i;
    json_t *v;
    json_array_foreach(pii, i, v) {
        int r = lh_pii_sensitivity_rank(lh_pii_class_sensitivity(json_string_value(v)));
        if (r > rank)
            rank = r;
    }
    json_object_set_new(found, "sensitivity",
                        rank >= 0 ? json_string(lh_pii_sensitivity_name(rank)) : json_null());
}

/* The dataset-level pass over the classifications of one dataset's n columns (names,
 * DuckDB types, found[] from lh_pii_classify). A pay-named amount ("income", "wages") is
 * someone's pay only when the rows describe people; a table with no column that says
 * whom a row is about (flagged email, phone, ssn, name or address, a person-name column
 * name, a person's key) holds per-country or per-year figures, and its salary flags are
 * dropped. person_known: the dataset is already known to hold people (earlier flags).
 * Only salary: a birth date or a diagnosis is sensitive even without a name next to it
 * (birth date, sex and ZIP identify most people; health data stays health data). */
static void person_context(const char *const *names, const char *const *types,
                           json_t *const *found, size_t n, bool person_known)
{
    if (person_known)
        return;
    for (size_t k = 0; k < n; k++)
        if (has_identifying(json_object_get(found[k], "pii")) ||
            person_column_name(names[k], types[k]))
            return;
    for (size_t k = 0; k < n; k++)
        drop_class(found[k], "salary");
}

/* Writes one column's detection into col. replace: the detection is the whole truth
 * (resync over every live file); else it is added to what the column had (an append
 * sees only its new file and cannot make a column less sensitive). */
static void apply(json_t *col, json_t *found, bool replace)
{
    json_t *pii = json_object_get(found, "pii"), *rules = json_object_get(found, "pii_rules");
    json_t *old_pii = json_object_get(col, "pii"), *old_rules = json_object_get(col, "pii_rules");
    if (!replace && json_is_array(old_pii)) {
        json_t *merged_pii = json_deep_copy(pii), *merged_rules = json_deep_copy(rules);
        size_t i;
        json_t *v;
        json_array_foreach(old_pii, i, v)
            if (json_is_string(v) && !has_string(merged_pii, json_string_value(v)))
                json_array_append(merged_pii, v);
        json_array_foreach(old_rules, i, v) {
            const char *cls = json_string_value(json_object_get(v, "class"));
            if (cls && !has_string(pii, cls))
                json_array_append(merged_rules, v);
        }
        json_object_set_new(col, "pii", merged_pii);
        json_object_set_new(col, "pii_rules", merged_rules);
    } else {
        json_object_set(col, "pii", pii);
        json_object_set(col, "pii_rules", rules);
    }
    /* a column's sensitivity is never lowered automatically */
    int have = lh_pii_sensitivity_rank(json_string_value(json_object_get(col, "sensitivity")));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(col, "pii"), i, c) {
        int r = lh_pii_sensitivity_rank(lh_pii_class_sensitivity(json_string_value(c)));
        if (r > have)
            have = r;
    }
    if (have >= 0)
        json_object_set_new(col, "sensitivity", json_string(lh_pii_sensitivity_name(have)));
}

/* src: the source's columns (name -> DuckDB type), taken; total: its row count, or -1
 * when unknown (then counted here). */
static lh_status scan(lh_engine *eng, const char *from_sql, json_t *src, int64_t total,
                      json_t *manifest, bool replace, lh_err *err)
{
    json_t *cols = json_object_get(manifest, "columns");
    lh_status st = LH_OK;
    /* the manifest columns the source has, in manifest order */
    json_t *scan = json_array();
    json_t *spelled = spellings(src);
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        const char *name = source_name(spelled, json_string_value(json_object_get(c, "name")) ?: "");
        if (name)
            json_array_append_new(scan, json_pack("{s:o, s:s}", "col", json_incref(c), "name", name));
    }
    /* The sample comes from the first SCAN_ROWS rows: a reservoir over the whole table
     * would read every row of every column (a sixth of a large ingest) for little gain. */
    /* A source that fits in the sample is read whole: every operator over a wide
     * relation costs DuckDB time in proportion to its width, whatever the row count. */
    if (total < 0 && json_array_size(scan)) {
        lh_buf cnt;
        lh_buf_init(&cnt, 0);
        lh_buf_printf(&cnt, "SELECT count(*) FROM %s", from_sql);
        json_t *crow = NULL;
        lh_err cerr; /* the count is a shortcut: without it the sample is drawn */
        if (!lh_buf_status(&cnt) && !lh_engine_query_row(eng, cnt.data, &crow, &cerr))
            lh_parse_i64(json_string_value(json_array_get(crow, 0)), &total);
        json_decref(crow);
        lh_buf_release(&cnt);
    }
    lh_buf from;
    lh_buf_init(&from, 0);
    if (total >= 0 && total <= SAMPLE_ROWS)
        lh_buf_printf(&from, " FROM %s", from_sql);
    else
        lh_buf_printf(&from, " FROM (SELECT * FROM %s LIMIT %d) AS __src USING SAMPLE reservoir(%d ROWS) "
                             "REPEATABLE (42)", from_sql, SCAN_ROWS, SAMPLE_ROWS);
    if (!st)
        st = lh__ingest_built(&from, "the sample's FROM clause", err);
    /* per column: [distinct values] (at most SAMPLE_VALUES), and the set that finds repeats */
    size_t ncol = json_array_size(scan);
    json_t *distinct = json_array(), *sets = json_array();
    for (size_t k = 0; k < ncol; k++) {
        json_array_append_new(distinct, json_array());
        json_array_append_new(sets, json_object());
    }
    /* The sample is fetched as text and each column's distinct values are collected
     * here, in sample order: any SQL that aggregates per column (a DISTINCT aggregate per
     * column, or an UNPIVOT to (column, value) pairs) costs DuckDB time that grows with
     * the square of the width (12 s for 500 columns of 36 rows; 6 s for 5,000 unpivoted).
     * Even a plain read grows faster than the width: 5,000 columns of Parquet read in one
     * statement took twice as long as in five of 1,000, so wide sources are sampled in
     * equal slices of at most SLICE_COLUMNS. Columns are classified one by one, so the
     * slices need not see the same rows. */
    size_t nslices = (ncol + SLICE_COLUMNS - 1) / SLICE_COLUMNS;
    size_t per = nslices ? (ncol + nslices - 1) / nslices : 0;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    for (size_t lo = 0; !st && lo < ncol; lo += per) {
        size_t hi = lo + per < ncol ? lo + per : ncol;
        lh_buf_reset(&sql);
        lh_buf_adds(&sql, "SELECT ");
        for (size_t k = lo; k < hi; k++) {
            lh_buf_adds(&sql, k > lo ? ", CAST(" : "CAST(");
            lh_buf_add_sql_ident(&sql, json_string_value(json_object_get(json_array_get(scan, k),
                                                                         "name")));
            lh_buf_adds(&sql, " AS VARCHAR)");
        }
        lh_buf_adds(&sql, from.data);
        json_t *rows = NULL;
        st = lh__ingest_built(&sql, "the sampling SQL", err);
        if (!st)
            st = lh_engine_query_rows(eng, sql.data, SAMPLE_ROWS, &rows, err);
        json_t *r;
        json_array_foreach(rows, i, r) {
            for (size_t k = lo; k < hi; k++) {
                const char *v = json_string_value(json_array_get(r, k - lo));
                json_t *vals = json_array_get(distinct, k), *set = json_array_get(sets, k);
                if (!v || json_array_size(vals) >= SAMPLE_VALUES || json_object_get(set, v))
                    continue;
                json_object_set_new(set, v, json_true());
                json_array_append_new(vals, json_string(v));
            }
        }
        json_decref(rows);
    }
    lh_buf_release(&sql);
    lh_buf_release(&from);
    json_decref(sets);
    /* every column classified first, then the dataset-level pass, then the manifest */
    json_t **found_all = lh_calloc(ncol ? ncol : 1, sizeof *found_all);
    const char **names = lh_calloc(ncol ? ncol : 1, sizeof *names);
    const char **types = lh_calloc(ncol ? ncol : 1, sizeof *types);
    if (!st && (!found_all || !names || !types))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    json_array_foreach(scan, i, c) {
        if (st)
            break;
        json_t *vals = json_incref(json_array_get(distinct, i));
        size_t n = json_array_size(vals);
        if (n > SAMPLE_VALUES)
            n = SAMPLE_VALUES;
        const char **v = lh_calloc(n ? n : 1, sizeof *v);
        if (!v) {
            json_decref(vals);
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            const char *s = json_string_value(json_array_get(vals, j));
            if (s)
                v[k++] = s;
        }
        names[i] = json_string_value(json_object_get(c, "name"));
        types[i] = json_string_value(json_object_get(src, names[i]));
        found_all[i] = lh_pii_classify(names[i], types[i], v, k);
        free(v);
        json_decref(vals);
        if (!found_all[i]) {
            st = lh_fail(err, LH_ENOMEM, "out of memory");
            break;
        }
    }
    if (!st) {
        /* earlier flags on any column (an append's other files, a resync's last scan)
         * already say the rows are people */
        bool person_known = false;
        json_array_foreach(cols, i, c)
            person_known = person_known || has_identifying(json_object_get(c, "pii"));
        person_context(names, types, found_all, ncol, person_known);
        json_array_foreach(scan, i, c)
            apply(json_object_get(c, "col"), found_all[i], replace);
    }
    for (size_t k = 0; found_all && k < ncol; k++)
        json_decref(found_all[k]);
    free(found_all);
    free(names);
    free(types);
    json_decref(distinct);
    json_decref(spelled);
    json_decref(scan);
    json_decref(src);
    if (st) {
        lh__ingest_short_error(err);
        return lh_fail_wrap(err, st, "PII scan");
    }
    /* the dataset is at least as sensitive as its most sensitive column; an explicit
     * higher setting stays */
    int rank = lh_pii_sensitivity_rank(json_string_value(json_object_get(manifest, "sensitivity")));
    json_array_foreach(cols, i, c) {
        int r = lh_pii_sensitivity_rank(json_string_value(json_object_get(c, "sensitivity")));
        if (r > rank)
            rank = r;
    }
    if (rank >= 0)
        json_object_set_new(manifest, "sensitivity", json_string(lh_pii_sensitivity_name(rank)));
    return LH_OK;
}

lh_status lh_ingest_scan_pii(lh_engine *eng, const char *from_sql, json_t *manifest, bool replace,
                              lh_err *err)
{
    json_t *src = NULL;
    lh_status st = source_columns(eng, from_sql, &src, err);
    return st ? st : scan(eng, from_sql, src, -1, manifest, replace, err);
}

lh_status lh__ingest_scan_pii_file(lh_engine *eng, const char *from_sql, const json_t *columns,
                                   int64_t rows, json_t *manifest, lh_err *err)
{
    /* The file was just written from these columns: no DESCRIBE, no count (each a
     * statement over the whole width). */
    json_t *src = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(columns, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        if (name)
            json_object_set(src, name, json_object_get(c, "type"));
    }
    return scan(eng, from_sql, src, rows, manifest, false, err);
}
