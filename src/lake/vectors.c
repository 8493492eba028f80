/* vectors.c: what the vector indexes (vector/index.h) need of an opened data directory:
 * the store, catalog and engine, the source read at one version with its tombstones
 * applied (the time-travel path of user queries), and the journal. */
#include "core/util.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "vector/index.h"

static lh_status open_source(void *ctx, const char *sql, const char *dataset, int64_t version,
                             lh_query **out, lh_err *err)
{
    lh_lake *lake = ctx;
    json_t *as_of = json_pack("{s:I}", dataset, (json_int_t)version);
    if (!as_of)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    lh_lake_query q = {.as_of = as_of};
    lh_status st = lh_lake_query_open(lake, sql, &q, out, err);
    json_decref(as_of);
    return st;
}

static void journal(void *ctx, json_t *event)
{
    lh_lake *lake = ctx;
    lh_err err;
    if (lake->journal && lh_journal_append(lake->journal, event, false, &err))
        lh_log(LH_LOG_WARN, "journal: vector index event not recorded: %s", err.msg);
}

void lh_lake_vec_env(lh_lake *lake, lh_vec_env *env)
{
    *env = (lh_vec_env){.store = lake->store, .catalog = lake->cat, .engine = lake->eng,
                        .open_source = open_source, .journal = journal, .ctx = lake,
                        .network = lake->ai, .network_model = lake->ai_model,
                        .embed_workers = lake->embed_workers,
                        .embed_retries = lake->embed_retries};
}

void lh_lake_set_ai(lh_lake *lake, lh_ai *ai, const char *model)
{
    lake->ai = ai;
    lake->ai_model = model;
}

void lh__lake_vectors_stale(lh_lake *lake, const char *dataset, int64_t version)
{
    lh_err err;
    size_t marked = 0;
    if (lh_vec_mark_stale(lake->store, dataset, version, &marked, &err))
        lh_log(LH_LOG_WARN, "vector indexes of %s not marked stale: %s", dataset, err.msg);
    else if (marked)
        lh_log(LH_LOG_INFO, "%zu vector index(es) of %s are stale now", marked, dataset);
}
