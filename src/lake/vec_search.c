/* vec_search.c: what search, RAG and evaluation (vector/search.h) need of an opened data
 * directory: the store, the engine, and user queries through the lake's gated path (lazy
 * views, tombstones hidden, time travel with as_of). */
#include "lake/lake_int.h"
#include "vector/search.h"

static lh_status run_sql(void *ctx, const char *sql, const json_t *as_of,
                         const lh_result_sink *sink, lh_err *err)
{
    lh_lake_query q = {.as_of = (json_t *)as_of};
    return lh_lake_sql(ctx, sql, &q, sink, err);
}

void lh_lake_vec_senv(lh_lake *lake, lh_vec_senv *env)
{
    *env = (lh_vec_senv){.store = lake->store, .eng = lake->eng, .sql = run_sql, .sql_ctx = lake,
                         .network = lake->ai, .network_model = lake->ai_model,
                         .generator = lake->ai};
}
