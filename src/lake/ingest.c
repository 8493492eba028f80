/* ingest.c (lake): an ingest as one write of the data directory: under the write lock,
 * the ingest module's commit, then its journal event, then the dataset's view. */
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "lake/lake_int.h"

/* An ingest that committed: "version" old -> new (old null for a new table). */
static void journal_ingest(lh_lake *lake, const lh_ingest_result *res, const char *actor,
                           const char *source)
{
    json_t *old = res->version > 0 ? json_integer(res->version - 1) : NULL;
    json_t *now = json_integer(res->version);
    lh__lake_journal_event(lake, res->dataset, "version", old, now, actor ? actor : "cli", source);
    json_decref(old);
    json_decref(now);
    lh__lake_vectors_stale(lake, res->dataset, res->version); /* and its vector indexes */
}

lh_status lh_lake_ingest(lh_lake *lake, const lh_ingest_request *req, lh_ingest_result *res,
                         lh_err *err)
{
    lh_assert(lake->writer);
    pthread_mutex_lock(&lake->write_mu);
    lh_status st = lh_ingest_file(lake->store, lake->cat, lake->eng, req, res, err);
    if (!st && !res->deduplicated)
        lh__lake_checkpoint(lake, res->dataset, res->version);
    if (!st && !res->deduplicated)
        journal_ingest(lake, res, req->actor, "ingest");
    if (!st && !res->deduplicated)
        lh__lake_vectors_ingested(lake, res->dataset, res->version);
    if (!st && !res->deduplicated)
        st = lake->lazy ? lh__lake_mark_pending(lake, res->dataset, err)
                        : lh__lake_define_view(lake, res->dataset, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

lh_status lh_lake_schema_diff(lh_lake *lake, const lh_ingest_request *req, json_t **diff,
                              lh_err *err)
{
    pthread_mutex_lock(&lake->write_mu); /* stages a file and uses the engine like an ingest */
    lh_status st = lh_ingest_schema_diff(lake->store, lake->cat, lake->eng, req, diff, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}

void lh_lake_set_progress(lh_lake *lake, lh_progress_fn fn, void *ctx)
{
    lh_engine_set_progress(lake->eng, fn, ctx);
}

static void lock_writer(void *lake) { pthread_mutex_lock(&((lh_lake *)lake)->write_mu); }
static void unlock_writer(void *lake) { pthread_mutex_unlock(&((lh_lake *)lake)->write_mu); }

lh_status lh_lake_ingest_postgres(lh_lake *lake, const lh_ingest_pg_request *req,
                                  lh_ingest_result *res, lh_err *err)
{
    lh_assert(lake->writer);
    /* Connecting and copying run without the writer lock (a slow or unreachable server
     * must not stall every other write); the ingest takes it for the commit only. */
    lh_ingest_pg_request locked = *req;
    locked.lock = lock_writer;
    locked.unlock = unlock_writer;
    locked.lock_ctx = lake;
    lh_status st = lh_ingest_postgres(lake->store, lake->cat, lake->eng, &locked, res, err);
    pthread_mutex_lock(&lake->write_mu);
    if (!st && !res->deduplicated)
        lh__lake_checkpoint(lake, res->dataset, res->version);
    if (!st && !res->deduplicated)
        journal_ingest(lake, res, req->actor, "ingest.postgres");
    if (!st && !res->deduplicated)
        lh__lake_vectors_ingested(lake, res->dataset, res->version);
    if (!st && !res->deduplicated)
        st = lh__lake_define_view(lake, res->dataset, err);
    pthread_mutex_unlock(&lake->write_mu);
    return st;
}
