/* relations.c: the relation names a statement reads, from DuckDB's own parse tree
 * (json_serialize_sql), for callers that define relations on demand (lake/lazy.c). Not a
 * security check: the statement gate (sql_gate.c) still decides what may run. */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "engine/engine_int.h"

/* Adds to names every BASE_TABLE's table_name under v, and to ctes every CTE's name. */
static void collect(const json_t *v, json_t *names, json_t *ctes, int depth)
{
    if (depth > 2000)
        return;
    size_t i;
    const char *key;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            collect(x, names, ctes, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *type = json_string_value(json_object_get(v, "type"));
    const char *table = json_string_value(json_object_get(v, "table_name"));
    if (type && table && !strcmp(type, "BASE_TABLE"))
        json_array_append_new(names, json_string(table));
    json_t *map = json_object_get(json_object_get(v, "cte_map"), "map");
    json_array_foreach(json_is_array(map) ? map : NULL, i, x) {
        const char *cte = json_string_value(json_object_get(x, "key"));
        if (cte)
            json_array_append_new(ctes, json_string(cte));
    }
    json_object_foreach((json_t *)v, key, x)
        collect(x, names, ctes, depth + 1);
}

static bool listed(const json_t *list, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
        if (!strcasecmp(json_string_value(x), name))
            return true;
    return false;
}

/* Appends to out the names of list not in it yet (case-insensitive). */
static void add_unique(json_t *out, const json_t *list)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
        if (!listed(out, json_string_value(x)))
            json_array_append(out, x);
}

lh_status lh_engine_relations(lh_engine *e, const char *sql, json_t **tables, json_t **ctes,
                              lh_err *err)
{
    *tables = *ctes = NULL;
    lh_buf q;
    lh_buf_init(&q, 0);
    lh_buf_adds(&q, "SELECT json_serialize_sql(");
    lh_buf_add_sql_string(&q, sql);
    lh_buf_adds(&q, ")");
    json_t *row = NULL, *tree = NULL;
    lh_status st = lh_buf_status(&q);
    if (st)
        st = lh_fail(err, st, "the query is too long to list its relations");
    else
        st = lh_engine_query_row(e, lh_buf_cstr(&q), &row, err);
    lh_buf_release(&q);
    const char *text = st ? NULL : json_string_value(json_array_get(row, 0));
    if (!st && text)
        tree = lh_json_loadb(text, strlen(text), JSON_DECODE_INT_AS_REAL, NULL);
    json_decref(row);
    if (!st && (!tree || json_is_true(json_object_get(tree, "error"))))
        st = lh_fail(err, LH_EINVAL, "the query does not parse");
    json_t *all_t = json_array(), *all_c = json_array(), *ut = json_array(), *uc = json_array();
    if (!st && (!all_t || !all_c || !ut || !uc))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    if (!st) {
        collect(tree, all_t, all_c, 0);
        add_unique(ut, all_t);
        add_unique(uc, all_c);
        *tables = ut;
        *ctes = uc;
        ut = uc = NULL;
    }
    json_decref(tree);
    json_decref(all_t);
    json_decref(all_c);
    json_decref(ut);
    json_decref(uc);
    return st;
}

bool lh_engine_relation_known(lh_engine *e, const char *name)
{
    pthread_rwlock_rdlock(&e->rel_lock);
    bool known = lh__engine_relation_allowed(e, name);
    pthread_rwlock_unlock(&e->rel_lock);
    return known;
}
