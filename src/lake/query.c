/* query.c: user queries over the lake. A query sees every dataset's view; time travel
 * (as_of: dataset -> version) adds views seen by that query alone, built here from the
 * table log at that version with the dataset's tombstones and erasures applied. */
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/cache.h"
#include "engine/engine.h"
#include "lake/lake_int.h"

/* The per-query views that time travel needs (see lh_lake_query). */
typedef struct as_of_views {
    const char **names, **sqls;
    lh_buf *bufs;
    size_t n, cap;
} as_of_views;

static void views_release(as_of_views *v)
{
    for (size_t i = 0; v->bufs && i < v->cap; i++)
        lh_buf_release(&v->bufs[i]);
    free(v->bufs);
    free(v->names);
    free(v->sqls);
}

static lh_status views_build(lh_lake *lake, const lh_lake_query *opts, as_of_views *v, lh_err *err)
{
    memset(v, 0, sizeof *v);
    v->cap = opts && opts->as_of ? json_object_size(opts->as_of) : 0;
    v->names = lh_calloc(v->cap + 1, sizeof *v->names);
    v->sqls = lh_calloc(v->cap + 1, sizeof *v->sqls);
    v->bufs = lh_calloc(v->cap + 1, sizeof *v->bufs);
    if (!v->names || !v->sqls || !v->bufs)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < v->cap; i++)
        lh_buf_init(&v->bufs[i], 0);
    const char *name;
    json_t *val;
    lh_status st = LH_OK;
    if (v->cap)
        json_object_foreach(opts->as_of, name, val) {
            json_int_t version = json_integer_value(val);
            json_t *m = NULL;
            if ((st = lh_catalog_check_name(name, err)))
                break;
            if (!json_is_integer(val) || version < 0) {
                st = lh_fail(err, LH_EINVAL, "as_of %s: the version must be a whole number >= 0", name);
                break;
            }
            if (!(m = lh_catalog_get_copy(lake->cat, name))) {
                st = lh_fail(err, LH_ENOTFOUND, "no dataset named '%s'", name);
                break;
            }
            json_decref(m);
            lh__lake_prepare_dataset(lake, name);
            if ((st = lh__lake_table_select(lake, name, version, &v->bufs[v->n], err)) ||
                (st = lh__tombs_filter(lake, name, &v->bufs[v->n], err)))
                break;
            v->names[v->n] = name;
            v->sqls[v->n] = v->bufs[v->n].data;
            v->n++;
        }
    return st;
}

/* Hot-cache hits and misses of one query (see lh_cache_note). */
typedef struct note_ctx {
    lh_lake *lake;
    json_t *as_of;
} note_ctx;

static void note_relations(void *ctx, const json_t *names)
{
    note_ctx *n = ctx;
    lh_cache_note(n->lake->cache, names, n->as_of);
}

static lh_query_opts engine_opts(const lh_lake_query *opts, const as_of_views *v, note_ctx *n)
{
    lh_query_opts qo = {.limit = opts ? opts->limit : 0, .timeout_ms = opts ? opts->timeout_ms : 0,
                        .explain = opts && opts->explain,
                        .view_names = v->names, .view_sqls = v->sqls, .nviews = v->n,
                        .on_relations = note_relations, .relations_ctx = n};
    return qo;
}

lh_status lh_lake_query_open(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                            lh_query **out, lh_err *err)
{
    lh__lake_prepare_sql(lake, sql);
    as_of_views v;
    lh_status st = views_build(lake, opts, &v, err);
    if (!st) {
        note_ctx n = {lake, opts ? opts->as_of : NULL};
        lh_query_opts qo = engine_opts(opts, &v, &n);
        st = lh_engine_query_open(lake->eng, sql, &qo, out, err);
    }
    views_release(&v);
    return st;
}

lh_status lh_lake_check_sql(lh_lake *lake, const char *sql, json_t **relations, lh_err *err)
{
    lh__lake_prepare_sql(lake, sql);
    return lh_engine_check_sql(lake->eng, sql, relations, err);
}

lh_status lh_lake_export_parquet(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                                 const char *path, uint64_t *rows, lh_err *err)
{
    lh__lake_prepare_sql(lake, sql);
    as_of_views v;
    lh_status st = views_build(lake, opts, &v, err);
    if (!st) {
        note_ctx n = {lake, opts ? opts->as_of : NULL};
        lh_query_opts qo = engine_opts(opts, &v, &n);
        st = lh_engine_export_parquet(lake->eng, sql, &qo, path, rows, err);
    }
    views_release(&v);
    return st;
}

lh_status lh_lake_sql(lh_lake *lake, const char *sql, const lh_lake_query *opts,
                      const lh_result_sink *sink, lh_err *err)
{
    lh_query *q = NULL;
    lh_status st = lh_lake_query_open(lake, sql, opts, &q, err);
    if (!st)
        st = lh_query_drain(q, sink, err);
    lh_query_close(q);
    return st;
}

void lh_lake_interrupt(lh_lake *lake) { lh_engine_interrupt_all(lake->eng); }
