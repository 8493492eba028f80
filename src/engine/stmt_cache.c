/* stmt_cache.c: the gate's verdict and the prepared statement kept per pooled connection.
 *
 * A repeated SELECT 1 spent most of its engine time deciding again what it had decided
 * a moment before: DuckDB's parse to extract the statement, json_serialize_sql's parse,
 * the walk and the bind (docs/INTERNALS.md, "Where the microseconds of a SELECT 1 go").
 * The decision depends on three things only: the statement's bytes (DuckDB parses
 * them), the allow-list of relations and the relations marked unavailable (the walk's
 * lookups; the function and node lists are constants). So a statement accepted on this
 * connection is kept with the policy generation it was accepted under, and reused only
 * for a byte-identical text while that generation holds; any change of the allow-list or
 * the unavailable set, and any view defined, bumps the generation, and the next use goes
 * through the whole gate again. Nothing here reads SQL: the key is compared byte for
 * byte, the decision was DuckDB's parse.
 *
 * What a statement means also changes without the policy changing: an append redefines
 * its dataset's view (a new file list), a delete replaces a key table. DuckDB 1.4.4 does
 * NOT bind a prepared statement again when a view it reads is replaced from another
 * connection (seen with a kept statement over a replaced view: it returned the old
 * view's rows), so kept, it would go on reading the old files. Every catalog change,
 * which the engine makes on its admin connection only, bumps the same generation
 * (lh__engine_admin_query); tests/unit/test_stmt_cache.c redefines and drops a view
 * under a kept statement. A kept statement that fails to start is dropped (query.c).
 * Time-travel queries shadow views with TEMP views on their own connection, which no
 * generation tracks: query.c never uses the cache for them. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/engine_int.h"

struct lh__stmt {
    char *sql;                     /* the exact bytes, NUL-terminated */
    size_t len;
    uint64_t hash;
    uint64_t gen;                  /* policy_gen read before the gate accepted it */
    duckdb_prepared_statement ps;
    json_t *seen;                  /* the catalog relations it references */
    uint64_t used;                 /* cache tick of its last use */
    unsigned runs;                 /* uses so far (at most LH__KEPT_RUNS_MAX) */
    bool pinned;                   /* a query is running it */
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void entry_free(lh__stmt *s)
{
    if (!s)
        return;
    if (s->ps)
        duckdb_destroy_prepare(&s->ps);
    json_decref(s->seen);
    free(s->sql);
    free(s);
}

static void remove_at(lh__stmt_cache *c, size_t i)
{
    entry_free(c->slot[i]);
    c->slot[i] = c->slot[--c->n];
    c->slot[c->n] = NULL;
}

void lh__engine_policy_changed(lh_engine *e)
{
    __atomic_add_fetch(&e->policy_gen, 1, __ATOMIC_RELEASE);
}

/* A free slot: appended, or the least recently used unpinned entry dropped; -1 when
 * every entry is pinned. */
static long take_slot(lh__stmt_cache *c)
{
    if (c->n < LH__STMT_CACHE_MAX)
        return (long)c->n++;
    long victim = -1;
    for (size_t i = 0; i < c->n; i++)
        if (!c->slot[i]->pinned && (victim < 0 || c->slot[i]->used < c->slot[victim]->used))
            victim = (long)i;
    if (victim >= 0) {
        entry_free(c->slot[victim]);
        c->slot[victim] = NULL;
    }
    return victim;
}

lh_status lh__conn_gate_prepare(lh_engine *e, lh__conn *pc, const char *sql, size_t sql_len,
                                json_t *seen, duckdb_prepared_statement *out, lh_err *err)
{
    lh__kept_run(&pc->serialize, &pc->serialize_runs);
    return lh__sql_gate_prepare_with(e, pc->conn, &pc->serialize, sql, sql_len, seen, out, err);
}

lh_status lh__stmt_cache_prepare(lh_engine *e, lh__conn *pc, const char *sql, size_t sql_len,
                                 json_t *seen, duckdb_prepared_statement *out, lh__stmt **held,
                                 lh_err *err)
{
    *out = NULL;
    *held = NULL;
    lh__stmt_cache *c = &pc->stmts;
    uint64_t gen = __atomic_load_n(&e->policy_gen, __ATOMIC_ACQUIRE);
    /* Texts the gate refuses before parsing (too long, a NUL inside) are never keys, nor
     * texts too long to keep. */
    bool keyable = sql && sql_len <= e->max_sql_bytes && sql_len <= LH__STMT_CACHE_TEXT_MAX &&
                   !memchr(sql, '\0', sql_len);
    uint64_t h = keyable ? fnv1a(sql, sql_len) : 0;
    for (size_t i = 0; keyable && i < c->n; i++) {
        lh__stmt *s = c->slot[i];
        if (s->hash != h || s->len != sql_len || s->pinned || memcmp(s->sql, sql, sql_len))
            continue;
        /* Decided under another policy: decide again. Run LH__KEPT_RUNS_MAX times: its
         * plan has grown by as many result collectors (engine_int.h); a new one. */
        if (s->gen != gen || s->runs >= LH__KEPT_RUNS_MAX) {
            remove_at(c, i);
            break;
        }
        if (seen && json_object_update(seen, s->seen)) /* the caller's copy only */
            return lh_fail(err, LH_ENOMEM, "out of memory");
        s->used = ++c->tick;
        s->runs++;
        s->pinned = true;
        c->hits++;
        *out = s->ps;
        *held = s;
        return LH_OK;
    }
    json_t *mine = keyable ? json_object() : NULL;
    c->gated++;
    lh_status st = lh__conn_gate_prepare(e, pc, sql, sql_len, mine ? mine : seen, out, err);
    if (st || !mine) {
        json_decref(mine);
        return st;
    }
    if (seen && json_object_update(seen, mine)) {
        json_decref(mine);
        duckdb_destroy_prepare(out);
        *out = NULL;
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    /* Keeping it is an optimisation: without memory or a free slot the caller owns it. */
    lh__stmt *s = lh_calloc(1, sizeof *s);
    char *copy = s ? lh_malloc(sql_len + 1) : NULL;
    long at = copy ? take_slot(c) : -1;
    if (at < 0) {
        free(copy);
        free(s);
        json_decref(mine);
        return LH_OK;
    }
    memcpy(copy, sql, sql_len);
    copy[sql_len] = '\0';
    *s = (lh__stmt){.sql = copy, .len = sql_len, .hash = h, .gen = gen, .ps = *out,
                    .seen = mine, .used = ++c->tick, .runs = 1, .pinned = true};
    c->slot[at] = s;
    *held = s;
    return LH_OK;
}

void lh__stmt_cache_done(lh__conn *pc, lh__stmt *s, bool keep)
{
    if (!s)
        return;
    lh__stmt_cache *c = &pc->stmts;
    for (size_t i = 0; i < c->n; i++)
        if (c->slot[i] == s) {
            s->pinned = false;
            if (!keep)
                remove_at(c, i);
            return;
        }
    lh_assert(!"a pinned statement is always in its cache");
}

void lh__stmt_cache_release(lh__stmt_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_free(c->slot[i]);
    memset(c, 0, sizeof *c);
}
