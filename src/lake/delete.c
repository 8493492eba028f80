/* delete.c: tombstones (soft deletes) through the lake: validate against the dataset's
 * columns, append durably, extend the in-memory key table, journal (mutations.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/tombstones.h"
#include "core/alloc.h"
#include "core/util.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "lake/mutations.h"

#define MAX_VALUES 1000000

/* The manifest column named column (case-insensitive), or NULL. */
static json_t *find_column(const json_t *m, const char *column)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "columns"), i, c)
        if (!strcasecmp(json_string_value(json_object_get(c, "name")) ?: "", column))
            return c;
    return NULL;
}

/* Typed copies of the request's values for a key column of DuckDB type type. */
static lh_status typed_values(const lh_tombstone_request *req, const char *type, json_t **out,
                              lh_err *err)
{
    bool text = !strcmp(type, "VARCHAR");
    int64_t lo = !strcmp(type, "INTEGER") ? INT32_MIN : INT64_MIN;
    int64_t hi = !strcmp(type, "INTEGER") ? INT32_MAX : INT64_MAX;
    size_t n = json_array_size(req->values);
    if (!json_is_array(req->values) || n == 0)
        return lh_fail(err, LH_EINVAL, "row_key_values must be a non-empty array");
    if (n > MAX_VALUES)
        return lh_fail(err, LH_ETOOBIG, "at most %d row_key_values per call (got %zu)", MAX_VALUES, n);
    json_t *vals = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(req->values, i);
        int64_t x = 0;
        if (text && json_is_string(v)) {
            json_array_append(vals, v);
        } else if (text && json_is_integer(v)) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
            json_array_append_new(vals, json_string(tmp));
        } else if (!text && (json_is_integer(v) ||
                             (json_is_string(v) && !lh_parse_i64(json_string_value(v), &x)))) {
            if (json_is_integer(v))
                x = json_integer_value(v);
            if (x < lo || x > hi) {
                json_decref(vals);
                return lh_fail(err, LH_EINVAL, "row_key_values[%zu]: %lld is out of range for %s column %s",
                               i, (long long)x, type, req->column);
            }
            json_array_append_new(vals, json_integer(x));
        } else {
            json_decref(vals);
            char *shown = lh_json_dumps(v, JSON_ENCODE_ANY);
            lh_status st = lh_fail(err, LH_EINVAL, "key value %s is not %s: column %s is %s; "
                                   "nothing was deleted", shown ? shown : "?",
                                   text ? "text" : "a whole number", req->column, type);
            free(shown);
            return st;
        }
    }
    *out = vals;
    return LH_OK;
}

/* The journal's view of a set of keys: salted hashes only. */
static lh_status key_hashes(lh_lake *lake, const json_t *vals, json_t **out, lh_err *err)
{
    char salt[65];
    lh_status st = lh_tombstones_salt(lh_lake_store(lake), salt, err);
    if (st)
        return st;
    json_t *arr = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(arr ? vals : NULL, i, v) {
        char text[32], hash[65];
        if (json_is_integer(v))
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        lh_tombstones_key_hash(salt, json_is_integer(v) ? text : json_string_value(v), hash);
        if (!hash[0] || json_array_append_new(arr, json_string(hash))) { /* "": no memory */
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    *out = arr;
    return LH_OK;
}

/* Salted hashes per journal event: 64 hex digits cost 69 bytes in the event's line (the
 * value is stored as JSON text, so each hash's quotes are escaped), so a part stays well
 * under the journal's 1 MiB line limit whatever the number of keys. */
#define HASHES_PER_EVENT 10000

lh_status lh__lake_hash_events(const json_t *ev, const json_t *hashes, json_t **out, lh_err *err)
{
    size_t n = json_array_size(hashes);
    size_t parts = n ? (n + HASHES_PER_EVENT - 1) / HASHES_PER_EVENT : 1;
    json_t *events = json_array();
    bool oom = !events;
    for (size_t p = 0; !oom && p < parts; p++) {
        json_t *e = json_copy((json_t *)ev);
        json_t *nv = json_copy(json_object_get(ev, "new_value"));
        json_t *part = json_array();
        oom = !e || !nv || !part;
        for (size_t i = p * HASHES_PER_EVENT; !oom && i < n && i < (p + 1) * HASHES_PER_EVENT; i++)
            oom = json_array_append(part, json_array_get(hashes, i));
        oom = oom || json_object_set_new(nv, "part", json_integer((json_int_t)p + 1)) ||
              json_object_set_new(nv, "parts", json_integer((json_int_t)parts)) ||
              json_object_set(nv, "key_hashes", part) || json_object_set(e, "new_value", nv) ||
              json_array_append(events, e);
        json_decref(part);
        json_decref(nv);
        json_decref(e);
    }
    if (oom) {
        json_decref(events);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    *out = events;
    return LH_OK;
}

/* The tombstone call's journal record (lh__lake_hash_events) over hashes. */
static lh_status tombstone_events(const lh_tombstone_request *req, const char *column,
                                  size_t count, const json_t *hashes, json_t **out, lh_err *err)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:n, s:{s:s, s:I, s:s?}, s:s, s:s}", "entity",
                           "dataset", "entity_id", req->dataset, "field", "tombstone",
                           "old_value", "new_value", "row_key_column", column, "count",
                           (json_int_t)count, "reason", req->reason, "actor",
                           req->actor ?: "cli", "source", "tombstone");
    lh_status st = ev ? lh__lake_hash_events(ev, hashes, out, err)
                      : lh_fail(err, LH_ENOMEM, "out of memory");
    json_decref(ev);
    return st;
}

#define MAX_COUNTED 10000

/* How many visible rows of name have each key (in the order of vals), before the
 * tombstones hide them: [{value, rows}] into *matched and the sum into *total. Up to
 * MAX_COUNTED keys; more are counted in total only. */
static lh_status match_counts(lh_lake *lake, const char *name, const char *column,
                              const json_t *vals, json_t **matched, json_int_t *total, lh_err *err)
{
    size_t n = json_array_size(vals);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT to_json(list(c ORDER BY i))::VARCHAR, sum(c)::BIGINT FROM (SELECT v.i, "
                      "count(t.k) AS c FROM (SELECT unnest(l) AS k, unnest(range(len(l))) AS i "
                      "FROM (SELECT ");
    lh_status lst = lh__tombs_add_list(&sql, vals, json_is_integer(json_array_get(vals, 0))
                                                      ? "BIGINT" : "VARCHAR");
    lh_buf_adds(&sql, " AS l)) v LEFT JOIN (SELECT ");
    lh_buf_add_sql_ident(&sql, column);
    lh_buf_adds(&sql, " AS k FROM ");
    lh_buf_add_sql_ident(&sql, name);
    lh_buf_adds(&sql, ") t ON t.k = v.k GROUP BY v.i)");
    json_t *row = NULL;
    lh_status st = lst ? lst : lh_buf_status(&sql);
    if (st == LH_ENOMEM)
        st = lh_fail(err, st, "out of memory");
    else if (st)
        st = lh_fail(err, st, "dataset %s: too many keys for one statement", name);
    else
        st = lh_engine_query_row(lh__lake_engine(lake), sql.data, &row, err);
    lh_buf_release(&sql);
    if (st)
        return st;
    const char *text = json_string_value(json_array_get(row, 0)) ?: "[]";
    json_t *counts = lh_json_loadb(text, strlen(text), 0, NULL); /* counts for display */
    *total = strtoll(json_string_value(json_array_get(row, 1)) ?: "0", NULL, 10);
    *matched = json_array();
    for (size_t i = 0; i < n && i < MAX_COUNTED; i++)
        json_array_append_new(*matched, json_pack("{s:O, s:I}", "value", json_array_get(vals, i),
                                                  "rows", json_integer_value(json_array_get(counts, i))));
    json_decref(counts);
    json_decref(row);
    return LH_OK;
}

static lh_status tombstone(lh_lake *lake, const lh_tombstone_request *req, json_t **out,
                           lh_err *err)
{
    const char *name = req->dataset;
    json_t *m = lh_catalog_get(lh_lake_catalog(lake), name);
    if (!m)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
    if (!req->column || !*req->column)
        return lh_fail(err, LH_EINVAL, "row_key_column is required");
    json_t *col = find_column(m, req->column);
    if (!col)
        return lh_fail(err, LH_EINVAL, "dataset %s has no column %s", name, req->column);
    char have_col[256], have_type[256];
    if (lh__tombs_column(lake, name, have_col, have_type, sizeof have_col) &&
        strcasecmp(have_col, req->column))
        return lh_fail(err, LH_EINVAL, "dataset %s already has tombstones keyed by column %s "
                       "(one key column per dataset; got %s)", name, have_col, req->column);
    const char *column = json_string_value(json_object_get(col, "name"));
    const char *type = json_string_value(json_object_get(col, "type")) ?: "";
    if (strcmp(type, "VARCHAR") && strcmp(type, "INTEGER") && strcmp(type, "BIGINT"))
        return lh_fail(err, LH_EINVAL, "column %s of %s is %s; a row key must be text (VARCHAR), "
                       "int32 (INTEGER) or int64 (BIGINT)", column, name, type);
    json_t *vals = NULL, *lines = json_array(), *hashes = NULL, *events = NULL;
    lh_status st = typed_values(req, type, &vals, err);
    /* Everything that can refuse the call is checked before the first write, the journal
     * record too, so that a delete that cannot be recorded changes nothing rather than
     * failing after its effect. Its size does not depend on the hashes' values: checked
     * with stand-ins, before the first delete of the bucket creates the salt. */
    size_t n = json_array_size(vals);
    if (!st) {
        json_t *stand_in = json_string("0000000000000000000000000000000000000000000000000000000000000000");
        json_t *fake = json_array();
        for (size_t k = 0; fake && stand_in && k < n; k++)
            if (json_array_append(fake, stand_in))
                break;
        st = fake && stand_in && json_array_size(fake) == n
                 ? tombstone_events(req, column, n, fake, &events, err)
                 : lh_fail(err, LH_ENOMEM, "out of memory");
        json_decref(stand_in);
        json_decref(fake);
    }
    if (!st && (st = lh_journal_check(events, err)))
        st = lh_fail_wrap(err, st, "dataset %s: nothing was deleted; the journal record of "
                          "these %zu keys cannot be written", name, n);
    json_decref(events);
    events = NULL;
    json_t *matched = NULL;
    json_int_t rows_matched = 0;
    if (!st)
        st = match_counts(lake, name, column, vals, &matched, &rows_matched, err);
    if (!st)
        st = key_hashes(lake, vals, &hashes, err);
    if (!st)
        st = tombstone_events(req, column, n, hashes, &events, err);
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    size_t i;
    json_t *v;
    json_array_foreach(st ? NULL : vals, i, v)
        json_array_append_new(lines, json_pack("{s:s, s:s, s:O, s:s, s:s, s:s?}", "dataset", name,
                                               "row_key_column", column, "row_key_value", v,
                                               "deleted_at", ts, "actor", req->actor ?: "cli",
                                               "reason", req->reason));
    /* Durable first: once appended, every later open hides these rows. */
    if (!st)
        st = lh_tombstones_append(lh_lake_store(lake), name, lines, err);
    bool created = false;
    if (!st)
        st = lh__tombs_add(lake, name, column, type, vals, &created, err);
    (void)created;
    /* Always: besides the first tombstone's new view, a pinned copy of the dataset must be
     * rebuilt without these rows before the call returns. */
    if (!st)
        st = lh__lake_define_view(lake, name, err);
    if (!st)
        lh__tombs_cache_save(lake, name);
    /* All parts in one WAL write: the record is whole or absent. Checked above, so only
     * I/O or memory can fail here, after the tombstones took effect: say so. */
    if (!st && (st = lh_journal_append_many(lh_lake_journal(lake), events, true, NULL, err)))
        st = lh_fail_wrap(err, st, "dataset %s: the %zu keys are tombstoned (their rows are "
                          "hidden), but their journal record failed", name, n);
    json_t *rows = NULL;
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SELECT count(*) FROM ");
    lh_buf_printf(&sql, "\"__tomb__%s\"", name);
    if (!st && !lh_buf_status(&sql) &&
        !lh_engine_query_row(lh__lake_engine(lake), sql.data, &rows, NULL))
        *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O}", "dataset", name, "row_key_column", column,
                         "tombstoned", (json_int_t)json_array_size(vals), "total_tombstones",
                         (json_int_t)strtoll(json_string_value(json_array_get(rows, 0)) ?: "0", NULL, 10),
                         "rows_matched", rows_matched, "matched", matched);
    else if (!st)
        *out = json_pack("{s:s, s:s, s:I, s:I, s:O}", "dataset", name, "row_key_column", column,
                         "tombstoned", (json_int_t)json_array_size(vals), "rows_matched",
                         rows_matched, "matched", matched);
    json_decref(matched);
    lh_buf_release(&sql);
    json_decref(rows);
    json_decref(vals);
    json_decref(lines);
    json_decref(hashes);
    json_decref(events);
    return st;
}

lh_status lh_lake_tombstone(lh_lake *lake, const lh_tombstone_request *req, json_t **out,
                            lh_err *err)
{
    lh_assert(lh__lake_is_writer(lake));
    lh_status st = lh_catalog_check_name(req->dataset, err);
    if (st)
        return st;
    lh__lake_lock(lake);
    st = tombstone(lake, req, out, err);
    lh__lake_unlock(lake);
    return st;
}

lh_status lh_lake_tombstones(lh_lake *lake, const char *dataset, json_t **out, lh_err *err)
{
    lh_status st = lh_catalog_check_name(dataset, err);
    json_t *m = st ? NULL : lh_lake_dataset(lake, dataset);
    if (!st && !m)
        st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", dataset);
    json_decref(m);
    json_t *lines = NULL;
    if (!st)
        st = lh_tombstones_load(lh_lake_store(lake), dataset, &lines, err);
    if (st)
        return st;
    json_t *col = json_object_get(json_array_get(lines, 0), "row_key_column");
    *out = json_pack("{s:s, s:O, s:I, s:o}", "dataset", dataset, "row_key_column",
                     col ? col : json_null(), "count", (json_int_t)json_array_size(lines),
                     "tombstones", lines);
    return LH_OK;
}
