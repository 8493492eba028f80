/* schema_diff.c: what a file changes in a dataset's schema (added, removed, retyped and
 * renamed columns, each rename with a confidence), and what an append does about it:
 * safe changes become the new Delta schema, others are refused with the diff unless the
 * caller allows them. The rules are stated in docs/INTERNALS.md ("Schema evolution"). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/util.h"
#include "ingest/ingest_int.h"
#include "table/table.h"

/* ---- types and widening ---- */

typedef enum tkind { T_OTHER, T_INT, T_FLOAT, T_DOUBLE, T_DECIMAL, T_STRING } tkind;

typedef struct tinfo {
    tkind kind;
    int digits;  /* integers: decimal digits they can hold (3, 5, 10, 19); decimals: precision */
    int scale;   /* decimals */
} tinfo;

static tinfo type_info(const char *t)
{
    static const struct { const char *name; tkind kind; int digits; } simple[] = {
        {"TINYINT", T_INT, 3},   {"SMALLINT", T_INT, 5}, {"INTEGER", T_INT, 10},
        {"BIGINT", T_INT, 19},   {"FLOAT", T_FLOAT, 7},  {"DOUBLE", T_DOUBLE, 15},
        {"VARCHAR", T_STRING, 0},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (!strcasecmp(t, simple[i].name))
            return (tinfo){simple[i].kind, simple[i].digits, 0};
    if (!strncasecmp(t, "DECIMAL(", 8)) {
        char *end = NULL;
        long p = strtol(t + 8, &end, 10), s = 0;
        if (end && *end == ',')
            s = strtol(end + 1, &end, 10);
        if (end && *end == ')' && p >= 1 && p <= 38 && s >= 0 && s <= p)
            return (tinfo){T_DECIMAL, (int)p, (int)s};
    }
    return (tinfo){T_OTHER, 0, 0};
}

static bool is_numeric(tinfo t)
{
    return t.kind == T_INT || t.kind == T_FLOAT || t.kind == T_DOUBLE || t.kind == T_DECIMAL;
}

/* True when every value of type f is held by type t without loss (our widening rules;
 * BIGINT -> DOUBLE is accepted although integers above 2^53 round). */
static bool widens(tinfo f, tinfo t)
{
    switch (f.kind) {
    case T_INT:
        if (t.kind == T_INT)
            return t.digits > f.digits;
        if (t.kind == T_DOUBLE)
            return true;
        if (t.kind == T_FLOAT)
            return f.digits <= 5;
        return t.kind == T_DECIMAL && t.digits - t.scale >= f.digits;
    case T_FLOAT:
        return t.kind == T_DOUBLE;
    case T_DECIMAL:
        if (t.kind == T_DECIMAL)
            return t.scale >= f.scale && t.digits - t.scale >= f.digits - f.scale;
        return t.kind == T_DOUBLE && f.digits <= 15;
    default:
        return false;
    }
}

lh__type_rel lh__schema_type_relation(const char *dataset_type, const char *file_type)
{
    if (!strcasecmp(dataset_type, file_type))
        return LH__TYPE_SAME;
    tinfo d = type_info(dataset_type), f = type_info(file_type);
    if (widens(d, f))
        return LH__TYPE_WIDEN;
    if (widens(f, d))
        return LH__TYPE_CAST_UP;
    return LH__TYPE_INCOMPATIBLE;
}

/* ---- name similarity ---- */

#define MAX_TOKENS 32
#define TOKEN_LEN 64

/* Splits a column name into lowercase tokens: at non-alphanumerics (_ - . space),
 * lower->upper ("customerEmail"), acronym ends ("HTTPServer" -> http, server) and
 * letter<->digit changes ("address2"). Returns the number of distinct tokens. */
static size_t name_tokens(const char *s, char toks[MAX_TOKENS][TOKEN_LEN])
{
    size_t n = 0, len = 0;
    char cur[TOKEN_LEN];
    for (size_t i = 0;; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = c && isalnum(c);
        bool split = !alnum;
        if (alnum && len) {
            unsigned char p = (unsigned char)s[i - 1], nx = (unsigned char)s[i + 1];
            split = (isupper(c) && (islower(p) || isdigit(p))) ||
                    (isupper(c) && isupper(p) && nx && islower(nx)) ||
                    (isdigit(c) != 0) != (isdigit(p) != 0);
        }
        if (split && len) {
            cur[len] = '\0';
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = !strcmp(toks[k], cur);
            if (!dup && n < MAX_TOKENS)
                memcpy(toks[n++], cur, len + 1);
            len = 0;
        }
        if (!c)
            break;
        if (alnum && len < TOKEN_LEN - 1)
            cur[len++] = (char)tolower(c);
    }
    return n;
}

/* Shared tokens of two names: the mean of shared/all (Jaccard) and shared/fewer (so that
 * "email" -> "email_address" counts more than "id" -> "customer_id" does by edit distance). */
static double token_overlap(const char *a, const char *b)
{
    char ta[MAX_TOKENS][TOKEN_LEN], tb[MAX_TOKENS][TOKEN_LEN];
    size_t na = name_tokens(a, ta), nb = name_tokens(b, tb), shared = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t k = 0; k < nb; k++)
            shared += !strcmp(ta[i], tb[k]);
    size_t all = na + nb - shared, fewer = na < nb ? na : nb;
    if (!fewer)
        return 0.0;
    return 0.5 * (double)shared / (double)all + 0.5 * (double)shared / (double)fewer;
}

/* Levenshtein distance of the names' lowercase alphanumerics (first 128 of each). */
static int edit_distance(const char *a, const char *b, int *longer)
{
    char x[129], y[129];
    size_t nx = 0, ny = 0;
    for (const char *p = a; *p && nx < 128; p++)
        if (isalnum((unsigned char)*p))
            x[nx++] = (char)tolower((unsigned char)*p);
    for (const char *p = b; *p && ny < 128; p++)
        if (isalnum((unsigned char)*p))
            y[ny++] = (char)tolower((unsigned char)*p);
    int row[129];
    for (size_t k = 0; k <= ny; k++)
        row[k] = (int)k;
    for (size_t i = 1; i <= nx; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t k = 1; k <= ny; k++) {
            int up = row[k];
            int best = diag + (x[i - 1] != y[k - 1]);
            if (row[k] + 1 < best)
                best = row[k] + 1;
            if (row[k - 1] + 1 < best)
                best = row[k - 1] + 1;
            row[k] = best;
            diag = up;
        }
    }
    *longer = (int)(nx > ny ? nx : ny);
    return row[ny];
}

double lh__schema_name_score(const char *a, const char *b, double *parts, int *distance,
                             double *similarity)
{
    int longer = 0;
    *parts = token_overlap(a, b);
    *distance = edit_distance(a, b, &longer);
    *similarity = longer ? 1.0 - (double)*distance / longer : 0.0;
    return 0.5 * *parts + 0.5 * *similarity;
}

double lh__schema_confidence(double name_score, double value_overlap, int64_t sampled)
{
    if (value_overlap < 0)
        return name_score;
    /* A handful of distinct values (booleans, small codes) overlap by chance: their
     * evidence counts in proportion, in full from 20 distinct values on. */
    double weight = sampled >= 20 ? 1.0 : (double)sampled / 20.0;
    return name_score + (1.0 - name_score) * 0.9 * value_overlap * weight;
}

/* ---- the diff ---- */

typedef struct cand {
    size_t removed, added;      /* indexes into the removed/added lists */
    double parts, similarity, name, overlap, confidence;
    int distance;
    int64_t sampled;
} cand;

static int by_name_desc(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->name != b->name)
        return a->name < b->name ? 1 : -1;
    return a->removed != b->removed ? (a->removed < b->removed ? -1 : 1)
                                    : (a->added < b->added ? -1 : a->added > b->added);
}

static int by_confidence_desc(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->confidence != b->confidence)
        return a->confidence < b->confidence ? 1 : -1;
    return by_name_desc(pa, pb);
}

static const char *col_name(const json_t *c)
{
    return json_string_value(json_object_get(c, "name")) ?: "";
}

static const char *col_type(const json_t *c)
{
    return json_string_value(json_object_get(c, "type")) ?: "";
}

static json_t *find_col(const json_t *cols, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
        if (!strcasecmp(col_name(c), name))
            return c;
    return NULL;
}

static double round3(double v)
{
    return (double)(long long)(v * 1000.0 + 0.5) / 1000.0;
}

static void add_rule(json_t *rules, json_t *rule, bool automatic, const char *note)
{
    json_object_set_new(rule, "auto", json_boolean(automatic));
    json_object_set_new(rule, "note", json_string(note));
    json_array_append_new(rules, rule);
}

static void list_cols(lh_buf *b, const json_t *cols)
{
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
        lh_buf_printf(b, "%s%s %s", i ? ", " : "", col_name(c), col_type(c));
    if (!json_array_size(cols))
        lh_buf_adds(b, "(none)");
}

/* The text an LLM gets to settle which missing columns were renamed. Names, types and
 * the heuristics' numbers only: no values leave the lake through it. */
static json_t *rename_prompt(const char *dataset, const json_t *dcols, const json_t *fcols,
                             const json_t *removed, const json_t *added, const json_t *renamed)
{
    if (!json_array_size(renamed) && !(json_array_size(removed) && json_array_size(added)))
        return json_null();
    json_t *missing = json_deep_copy(removed), *fresh = json_deep_copy(added);
    size_t i;
    json_t *r;
    json_array_foreach(renamed, i, r) {
        json_array_append_new(missing, json_pack("{s:O, s:O}", "name", json_object_get(r, "from"),
                                                 "type", json_object_get(r, "from_type")));
        json_array_append_new(fresh, json_pack("{s:O, s:O}", "name", json_object_get(r, "to"),
                                               "type", json_object_get(r, "to_type")));
    }
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_buf_printf(&b, "A file is being appended to the dataset \"%s\". Decide which of the "
                      "dataset's columns that the file lacks were renamed in the file, and which "
                      "were really removed.\nDataset columns: ", dataset);
    list_cols(&b, dcols);
    lh_buf_adds(&b, "\nFile columns: ");
    list_cols(&b, fcols);
    lh_buf_adds(&b, "\nDataset columns missing from the file: ");
    list_cols(&b, missing);
    lh_buf_adds(&b, "\nFile columns new to the dataset: ");
    list_cols(&b, fresh);
    lh_buf_adds(&b, "\nCandidate renames found by heuristics (confidence 0..1 from shared name "
                    "parts, edit distance and the share of the file's sampled values found in the "
                    "old column):");
    json_array_foreach(renamed, i, r) {
        json_t *ev = json_object_get(r, "evidence");
        json_t *ov = json_object_get(ev, "value_overlap");
        lh_buf_printf(&b, "\n- %s -> %s: confidence %.2f (name parts %.2f, edit distance %lld, "
                          "value overlap %s%.2f)",
                      json_string_value(json_object_get(r, "from")),
                      json_string_value(json_object_get(r, "to")),
                      json_real_value(json_object_get(r, "confidence")),
                      json_real_value(json_object_get(ev, "name_parts")),
                      (long long)json_integer_value(json_object_get(ev, "edit_distance")),
                      json_is_real(ov) ? "" : "unknown ", json_is_real(ov) ? json_real_value(ov) : 0.0);
    }
    if (!json_array_size(renamed))
        lh_buf_adds(&b, " none.");
    lh_buf_adds(&b, "\nA rename keeps the dataset's column name; a removed column stays in the "
                    "dataset and reads NULL for the new rows. Answer with JSON only, in this "
                    "shape: {\"renames\": [{\"from\": \"<dataset column>\", \"to\": \"<file "
                    "column>\"}], \"removed\": [\"<dataset column>\"]}");
    /* NULL when the text could not be built: the diff then fails as out of memory. */
    json_t *out = lh_buf_status(&b) ? NULL : json_string(lh_buf_cstr(&b));
    lh_buf_release(&b);
    json_decref(missing);
    json_decref(fresh);
    return out;
}

lh_status lh__schema_compare(const char *dataset, const json_t *dcols, const json_t *fcols,
                             lh__overlap_fn overlap, void *ctx, json_t **out, lh_err *err)
{
    *out = NULL;
    json_t *removed = json_array(), *added = json_array(), *changed = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(dcols, i, c)
        if (!find_col(fcols, col_name(c)))
            json_array_append_new(removed, json_pack("{s:s, s:s}", "name", col_name(c), "type",
                                                     col_type(c)));
    json_array_foreach(fcols, i, c) {
        json_t *d = find_col(dcols, col_name(c));
        if (!d) {
            json_array_append_new(added, json_pack("{s:s, s:s}", "name", col_name(c), "type",
                                                   col_type(c)));
            continue;
        }
        lh__type_rel rel = lh__schema_type_relation(col_type(d), col_type(c));
        if (rel != LH__TYPE_SAME)
            json_array_append_new(changed, json_pack("{s:s, s:s, s:s, s:b, s:s}", "name",
                                  col_name(d), "from", col_type(d), "to", col_type(c), "safe",
                                  rel != LH__TYPE_INCOMPATIBLE, "change",
                                  rel == LH__TYPE_WIDEN ? "widen"
                                  : rel == LH__TYPE_CAST_UP ? "narrower_in_file" : "incompatible"));
    }

    /* Rename candidates: every removed column against every added one of a type it can
     * be read as; values are compared for the 64 best pairs by name. */
    size_t nr = json_array_size(removed), na = json_array_size(added), nc = 0;
    cand *cands = nr && na ? lh_calloc(nr * na, sizeof *cands) : NULL;
    if (nr && na && !cands) {
        json_decref(removed);
        json_decref(added);
        json_decref(changed);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < nr; r++)
        for (size_t a = 0; a < na; a++) {
            json_t *rc = json_array_get(removed, r), *ac = json_array_get(added, a);
            tinfo rt = type_info(col_type(rc)), at = type_info(col_type(ac));
            if (lh__schema_type_relation(col_type(rc), col_type(ac)) == LH__TYPE_INCOMPATIBLE &&
                !(is_numeric(rt) && is_numeric(at)))
                continue;
            cand *k = &cands[nc++];
            k->removed = r;
            k->added = a;
            k->name = lh__schema_name_score(col_name(rc), col_name(ac), &k->parts, &k->distance,
                                            &k->similarity);
            k->overlap = -1;
        }
    if (nc)
        qsort(cands, nc, sizeof *cands, by_name_desc);
    lh_status st = LH_OK;
    for (size_t k = 0; k < nc && !st; k++) {
        if (overlap && k < 64) {
            json_t *rc = json_array_get(removed, cands[k].removed);
            json_t *ac = json_array_get(added, cands[k].added);
            st = overlap(ctx, col_name(rc), col_type(rc), col_name(ac), col_type(ac),
                         &cands[k].overlap, &cands[k].sampled, err);
        }
        cands[k].confidence = lh__schema_confidence(cands[k].name, cands[k].overlap,
                                                    cands[k].sampled);
    }
    if (st) {
        free(cands);
        json_decref(removed);
        json_decref(added);
        json_decref(changed);
        return st;
    }
    if (nc)
        qsort(cands, nc, sizeof *cands, by_confidence_desc);
    bool *used_r = lh_calloc(nr + 1, 1), *used_a = lh_calloc(na + 1, 1);
    json_t *renamed = json_array();
    for (size_t k = 0; k < nc && used_r && used_a; k++) {
        cand *x = &cands[k];
        if (x->confidence < LH__RENAME_THRESHOLD || used_r[x->removed] || used_a[x->added])
            continue;
        used_r[x->removed] = used_a[x->added] = true;
        json_t *rc = json_array_get(removed, x->removed), *ac = json_array_get(added, x->added);
        json_t *ev = json_pack("{s:f, s:i, s:f}", "name_parts", round3(x->parts), "edit_distance",
                               x->distance, "edit_similarity", round3(x->similarity));
        json_object_set_new(ev, "value_overlap",
                            x->overlap < 0 ? json_null() : json_real(round3(x->overlap)));
        json_object_set_new(ev, "values_sampled", json_integer(x->sampled));
        json_array_append_new(renamed, json_pack("{s:s, s:s, s:s, s:s, s:f, s:o}", "from",
                              col_name(rc), "to", col_name(ac), "from_type", col_type(rc),
                              "to_type", col_type(ac), "confidence", round3(x->confidence),
                              "evidence", ev));
    }
    /* Paired columns leave the removed/added lists: the rename entry stands for them. */
    json_t *rem2 = json_array(), *add2 = json_array();
    for (size_t r = 0; r < nr; r++)
        if (!used_r || !used_r[r])
            json_array_append(rem2, json_array_get(removed, r));
    for (size_t a = 0; a < na; a++)
        if (!used_a || !used_a[a])
            json_array_append(add2, json_array_get(added, a));
    free(used_r);
    free(used_a);
    free(cands);
    json_decref(removed);
    json_decref(added);

    bool safe = !json_array_size(rem2) && !json_array_size(renamed);
    json_t *rules = json_array();
    json_array_foreach(add2, i, c)
        add_rule(rules, json_pack("{s:s, s:O, s:O}", "action", "add_column", "column",
                                  json_object_get(c, "name"), "type", json_object_get(c, "type")),
                 true, "new nullable column; older rows read NULL");
    json_array_foreach(changed, i, c) {
        const char *how = json_string_value(json_object_get(c, "change"));
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *from = json_string_value(json_object_get(c, "from"));
        const char *to = json_string_value(json_object_get(c, "to"));
        if (!strcmp(how, "widen"))
            add_rule(rules, json_pack("{s:s, s:s, s:s, s:s}", "action", "widen", "column", name,
                                      "from", from, "to", to), true,
                     "the dataset's column takes the wider type; older files are read cast to it");
        else if (!strcmp(how, "narrower_in_file"))
            add_rule(rules, json_pack("{s:s, s:s, s:s, s:s}", "action", "cast", "column", name,
                                      "from", to, "to", from), true,
                     "the file's values are cast up to the dataset's type when written");
        else {
            safe = false;
            add_rule(rules, json_pack("{s:s, s:s, s:s, s:s, s:s}", "action", "cast", "column",
                                      name, "from", from, "to", "VARCHAR", "file_type", to), false,
                     "the column becomes VARCHAR: older files and this file are read as text");
        }
    }
    json_t *r;
    json_array_foreach(renamed, i, r)
        add_rule(rules, json_pack("{s:s, s:O, s:O, s:O}", "action", "rename", "file_column",
                                  json_object_get(r, "to"), "dataset_column", json_object_get(r, "from"),
                                  "confidence", json_object_get(r, "confidence")), false,
                 "the file's column is written under the dataset's existing name (Delta without "
                 "column mapping cannot rename a column)");
    json_array_foreach(rem2, i, c)
        add_rule(rules, json_pack("{s:s, s:O, s:O}", "action", "drop", "column",
                                  json_object_get(c, "name"), "type", json_object_get(c, "type")),
                 false, "the column stays in the dataset's schema; rows of this file read NULL");
    json_t *prompt = rename_prompt(dataset, dcols, fcols, rem2, add2, renamed);
    *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "dataset", dataset, "added", add2,
                     "removed", rem2, "type_changed", changed, "renamed", renamed, "safe", safe,
                     "rules", rules, "prompt", prompt);
    return *out ? LH_OK : lh_fail(err, LH_ENOMEM, "out of memory");
}

/* ---- value overlap through the engine ---- */

typedef struct overlap_ctx {
    lh_engine *eng;
    const char *table_dir;
    const lh_table_snapshot *snap;
    lh_buf dataset_sql;       /* SELECT over the dataset's live files, built when first needed */
    const char *file_sql;     /* SELECT over the incoming file (after the projection) */
} overlap_ctx;

/* One column's values as comparable text: numbers via DOUBLE so 1 and 1.0 meet. */
static void value_expr(lh_buf *sql, const char *name, bool numeric)
{
    lh_buf_adds(sql, numeric ? "CAST(CAST(" : "CAST(");
    lh_buf_add_sql_ident(sql, name);
    lh_buf_adds(sql, numeric ? " AS DOUBLE) AS VARCHAR)" : " AS VARCHAR)");
}

/* The share of up to 1,000 distinct values of the file's column (a deterministic pseudo-
 * random sample: ordered by hash) that occur in the dataset's column. */
static lh_status engine_overlap(void *vctx, const char *dcol, const char *dtype, const char *fcol,
                                const char *ftype, double *overlap, int64_t *sampled, lh_err *err)
{
    overlap_ctx *x = vctx;
    /* Built here, not before the comparison: its DESCRIBE opens every live file (a
     * union by name), which an append whose columns match (no rename to weigh) must not
     * pay for on a table of many files. */
    if (!x->dataset_sql.len) {
        lh_status bst = lh_engine_snapshot_select(x->eng, x->table_dir, x->snap, &x->dataset_sql, err);
        if (bst)
            return bst;
    }
    bool numeric = is_numeric(type_info(dtype)) && is_numeric(type_info(ftype));
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "WITH b AS (SELECT DISTINCT ");
    value_expr(&sql, fcol, numeric);
    lh_buf_printf(&sql, " AS v FROM (%s) WHERE ", x->file_sql);
    lh_buf_add_sql_ident(&sql, fcol);
    lh_buf_adds(&sql, " IS NOT NULL ORDER BY hash(v), v LIMIT 1000), a AS (SELECT DISTINCT ");
    value_expr(&sql, dcol, numeric);
    lh_buf_printf(&sql, " AS v FROM (%s) WHERE ", x->dataset_sql.data);
    lh_buf_add_sql_ident(&sql, dcol);
    lh_buf_adds(&sql, " IS NOT NULL) SELECT (SELECT count(*) FROM b), "
                      "(SELECT count(*) FROM b WHERE v IN (SELECT v FROM a))");
    json_t *row = NULL;
    lh_status st = lh__ingest_built(&sql, "the value-overlap SQL", err);
    if (st) {
        lh_buf_release(&sql);
        return st;
    }
    st = lh_engine_query_row(x->eng, sql.data, &row, err);
    lh_buf_release(&sql);
    if (st) {
        /* Value evidence is optional: a column DuckDB cannot compare gets none. */
        *overlap = -1;
        *sampled = 0;
        return LH_OK;
    }
    int64_t n = 0, hit = 0;
    lh_parse_i64(json_string_value(json_array_get(row, 0)), &n);
    lh_parse_i64(json_string_value(json_array_get(row, 1)), &hit);
    json_decref(row);
    *sampled = n;
    *overlap = n ? (double)hit / (double)n : -1;
    return LH_OK;
}

lh_status lh__schema_diff(lh_engine *eng, const char *table_dir, const lh_table_snapshot *snap,
                          const char *dataset, const json_t *file_cols, const char *file_sql,
                          json_t **out, lh_err *err)
{
    json_t *dcols = lh_table_schema_columns(snap->schema);
    overlap_ctx x = {.eng = eng, .table_dir = table_dir, .snap = snap, .file_sql = file_sql};
    lh_buf_init(&x.dataset_sql, 0);
    lh_status st = lh__schema_compare(dataset, dcols, file_cols, snap->nfiles ? engine_overlap : NULL,
                                &x, out, err);
    if (!st)
        json_object_set_new(*out, "version", json_integer(snap->version));
    lh_buf_release(&x.dataset_sql);
    json_decref(dcols);
    return st;
}

/* ---- applying it ---- */

/* One line for the refusal: each unsafe difference, then what to do. */
static void refusal(const json_t *diff, lh_buf *b)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(diff, "removed"), i, c)
        lh_buf_printf(b, "%scolumn %s (%s) is missing from the file", b->len ? "; " : "",
                      col_name(c), col_type(c));
    json_array_foreach(json_object_get(diff, "type_changed"), i, c)
        if (!json_is_true(json_object_get(c, "safe")))
            lh_buf_printf(b, "%scolumn %s: %s -> %s (not a widening)", b->len ? "; " : "",
                          col_name(c), json_string_value(json_object_get(c, "from")),
                          json_string_value(json_object_get(c, "to")));
    json_array_foreach(json_object_get(diff, "renamed"), i, c)
        lh_buf_printf(b, "%scolumn %s looks renamed to %s (confidence %.2f)", b->len ? "; " : "",
                      json_string_value(json_object_get(c, "from")),
                      json_string_value(json_object_get(c, "to")),
                      json_real_value(json_object_get(c, "confidence")));
    json_array_foreach(json_object_get(diff, "added"), i, c)
        lh_buf_printf(b, "%snew column %s (%s) would be fine", b->len ? "; " : "", col_name(c),
                      col_type(c));
}

/* Sets field's type to the Spark type of the DuckDB type t. */
static lh_status set_field_type(json_t *field, const char *name, const char *t, lh_err *err)
{
    const char *names[1] = {name}, *types[1] = {t};
    json_t *one = NULL;
    lh_status st = lh_table_schema_from_duckdb(names, types, NULL, 1, &one, err);
    if (!st)
        json_object_set(field, "type",
                        json_object_get(json_array_get(json_object_get(one, "fields"), 0), "type"));
    json_decref(one);
    return st;
}

static json_t *schema_field(json_t *schema, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(schema, "fields"), i, f)
        if (!strcasecmp(json_string_value(json_object_get(f, "name")) ?: "", name))
            return f;
    return NULL;
}

/* The projection expression of one written column. */
static void out_column(lh_buf *p, const char *file_name, const char *cast_to, const char *as)
{
    if (p->len)
        lh_buf_adds(p, ", ");
    if (cast_to) {
        lh_buf_adds(p, "CAST(");
        lh_buf_add_sql_ident(p, file_name);
        lh_buf_printf(p, " AS %s)", cast_to);
    } else {
        lh_buf_add_sql_ident(p, file_name);
    }
    lh_buf_adds(p, " AS ");
    lh_buf_add_sql_ident(p, as);
}

lh_status lh__schema_plan(const json_t *schema, const json_t *file_cols, const json_t *diff,
                          bool allow, json_t **new_schema, lh_buf *projection, lh_err *err)
{
    *new_schema = NULL;
    lh_buf_reset(projection);
    if (!json_is_true(json_object_get(diff, "safe")) && !allow) {
        lh_buf b;
        lh_buf_init(&b, 0);
        refusal(diff, &b);
        lh_status st = lh_fail(err, LH_ESCHEMA, "schema differs from dataset '%s': %s; nothing "
                               "was written (--allow-schema-change, or allow_schema_change=true "
                               "over HTTP, applies it)",
                               json_string_value(json_object_get(diff, "dataset")),
                               lh_buf_status(&b) ? "(the differences could not be listed)" : lh_buf_cstr(&b));
        lh_buf_release(&b);
        return st;
    }
    json_t *ns = json_deep_copy(schema);
    json_t *dcols = lh_table_schema_columns(schema);
    bool schema_changed = false, rewrite = false;
    lh_status st = LH_OK;
    lh_buf p;
    lh_buf_init(&p, 0);
    size_t i;
    json_t *c;
    json_array_foreach(file_cols, i, c) {
        if (st)
            break;
        const char *fname = col_name(c), *ftype = col_type(c), *as = fname;
        json_t *d = find_col(dcols, fname);
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(diff, "renamed"), k, r)
            if (!d && !strcmp(json_string_value(json_object_get(r, "to")), fname)) {
                d = find_col(dcols, json_string_value(json_object_get(r, "from")));
                as = col_name(d);
                rewrite = true;
            }
        const char *cast = NULL;
        if (d) {
            lh__type_rel rel = lh__schema_type_relation(col_type(d), ftype);
            if (rel == LH__TYPE_CAST_UP) {
                cast = col_type(d);
            } else if (rel == LH__TYPE_WIDEN) {
                st = set_field_type(schema_field(ns, col_name(d)), col_name(d), ftype, err);
                schema_changed = true;
            } else if (rel == LH__TYPE_INCOMPATIBLE) {
                if (strcasecmp(ftype, "VARCHAR"))
                    cast = "VARCHAR";
                if (strcasecmp(col_type(d), "VARCHAR")) {
                    st = set_field_type(schema_field(ns, col_name(d)), col_name(d), "VARCHAR", err);
                    schema_changed = true;
                }
            }
        } else {
            const char *names[1] = {fname}, *types[1] = {ftype};
            json_t *one = NULL;
            st = lh_table_schema_from_duckdb(names, types, NULL, 1, &one, err);
            if (!st)
                json_array_append(json_object_get(ns, "fields"),
                                  json_array_get(json_object_get(one, "fields"), 0));
            json_decref(one);
            schema_changed = true;
        }
        rewrite |= cast != NULL;
        out_column(&p, fname, cast, as);
    }
    if (!st)
        st = lh__ingest_built(&p, "the projection", err);
    if (!st && rewrite) {
        lh_buf_adds(projection, lh_buf_cstr(&p));
        st = lh__ingest_built(projection, "the projection", err);
    }
    if (!st && schema_changed) {
        *new_schema = ns;
        ns = NULL;
    }
    lh_buf_release(&p);
    json_decref(ns);
    json_decref(dcols);
    return st;
}
