/* cache.c: the hot cache (see cache.h): pinned copies, their sizes, LRU eviction and
 * hit/miss counts. */
#include "engine/cache.h"
#include "core/alloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/util.h"

/* One dataset the cache has seen: pinned now, or pinned once, or only missed. */
typedef struct entry {
    char *name;
    bool pinned;
    int64_t bytes, rows;
    uint64_t hits, misses, evictions, unpins, refreshes;
    int64_t pinned_at, last_used_at; /* ms since the epoch; 0 = never */
    uint64_t tick;                   /* LRU order: larger = used more recently */
} entry;

struct lh_cache {
    lh_engine *e;
    int64_t max_bytes;
    pthread_mutex_t mu; /* the entries and counters */
    entry *v;
    size_t n, cap;
    uint64_t tick;
    uint64_t hits, misses;
    bool attached;
};

lh_cache *lh_cache_new(lh_engine *e, int64_t max_bytes)
{
    lh_cache *c = lh_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->e = e;
    if (max_bytes <= 0)
        max_bytes = (int64_t)(lh_physical_memory() / 4);
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void lh_cache_free(lh_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].name);
    free(c->v);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The entry for name, created when create is set; NULL otherwise or out of memory.
 * Caller holds mu; the pointer is valid until the next creation. */
static entry *find(lh_cache *c, const char *name, bool create)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcasecmp(c->v[i].name, name))
            return &c->v[i];
    if (!create)
        return NULL;
    if (lh_grow(&c->v, &c->cap, c->n + 1, sizeof *c->v))
        return NULL;
    entry *en = &c->v[c->n];
    memset(en, 0, sizeof *en);
    if (!(en->name = lh_strdup(name)))
        return NULL;
    c->n++;
    return en;
}

bool lh_cache_pinned(lh_cache *c, const char *name)
{
    pthread_mutex_lock(&c->mu);
    entry *en = find(c, name, false);
    bool pinned = en && en->pinned;
    pthread_mutex_unlock(&c->mu);
    return pinned;
}

/* Sets the pinned flag of name; returns the old one. */
static bool set_pinned(lh_cache *c, const char *name, bool pinned)
{
    pthread_mutex_lock(&c->mu);
    entry *en = find(c, name, false);
    bool was = en && en->pinned;
    if (en)
        en->pinned = pinned;
    pthread_mutex_unlock(&c->mu);
    return was;
}

/* Appends to the caller's builder, which checks it once when done. */
static void copy_sql(lh_buf *sql, const char *verb, const char *name)
{
    lh_buf_adds(sql, verb);
    lh_buf_adds(sql, "lh_cache.main.");
    lh_buf_add_sql_ident(sql, name);
}

/* The builder's latched failure as an error, or LH_OK. */
static lh_status built(const lh_buf *sql, const char *name, lh_err *err)
{
    lh_status st = lh_buf_status(sql);
    return st ? lh_fail(err, st, "cache %s: statement too long or out of memory", name) : LH_OK;
}

static lh_status drop_copy(lh_cache *c, const char *name, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    copy_sql(&sql, "DROP TABLE IF EXISTS ", name);
    lh_status st = built(&sql, name, err);
    if (!st)
        st = lh_engine_exec(c->e, lh_buf_cstr(&sql), err);
    lh_buf_release(&sql);
    return st;
}

/* Bytes of every in-memory table (our copies are the only ones). */
static lh_status table_memory(lh_cache *c, int64_t *bytes, lh_err *err)
{
    json_t *row = NULL;
    lh_status st = lh_engine_query_row(c->e, "SELECT CAST(coalesce(sum(memory_usage_bytes), 0) AS "
                                       "VARCHAR) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'",
                                       &row, err);
    if (!st && lh_parse_i64(json_string_value(json_array_get(row, 0)), bytes))
        st = lh_fail(err, LH_EINTERNAL, "cannot read the engine's memory use");
    json_decref(row);
    return st;
}

/* Copies the public view name into lh_cache and points the view at the copy. The caller
 * made sure that neither reads an old copy (none, or the view was restored first). */
static lh_status build(lh_cache *c, const char *name, int64_t *rows, int64_t *bytes, lh_err *err)
{
    lh_status st = LH_OK;
    if (!c->attached) {
        /* Attached at the first pin, so that a process that never pins has no copy DB. */
        st = lh_engine_exec(c->e, "ATTACH IF NOT EXISTS ':memory:' AS lh_cache (COMPRESS)", err);
        c->attached = !st;
    }
    int64_t before = 0, after = 0;
    if (!st)
        st = drop_copy(c, name, err);
    if (!st)
        st = table_memory(c, &before, err);
    lh_buf sql, view;
    lh_buf_init(&sql, 0);
    lh_buf_init(&view, 0);
    copy_sql(&sql, "CREATE TABLE ", name);
    lh_buf_adds(&sql, " AS SELECT * FROM memory.main.");
    lh_buf_add_sql_ident(&sql, name);
    json_t *row = NULL;
    if (!st)
        st = built(&sql, name, err);
    if (!st)
        st = lh_engine_query_row(c->e, lh_buf_cstr(&sql), &row, err);
    if (!st && lh_parse_i64(json_string_value(json_array_get(row, 0)), rows))
        *rows = -1;
    json_decref(row);
    if (!st)
        st = table_memory(c, &after, err);
    *bytes = after > before ? after - before : 0;
    copy_sql(&view, "SELECT * FROM ", name);
    if (!st)
        st = built(&view, name, err);
    if (!st)
        st = lh_engine_define_view(c->e, name, lh_buf_cstr(&view), err);
    if (st)
        drop_copy(c, name, NULL);
    lh_buf_release(&sql);
    lh_buf_release(&view);
    return st;
}

/* Unpins name (the view first, then the copy); counted as an eviction or an unpin. */
static lh_status unpin(lh_cache *c, const char *name, bool eviction, lh_cache_restore_fn restore,
                       void *ctx, lh_err *err)
{
    set_pinned(c, name, false); /* so that restoring does not refresh it */
    lh_status st = restore(ctx, name, err);
    if (st) {
        set_pinned(c, name, true); /* the view still reads the copy: keep both */
        return st;
    }
    st = drop_copy(c, name, err);
    pthread_mutex_lock(&c->mu);
    entry *en = find(c, name, false);
    if (en) {
        en->bytes = 0;
        if (eviction)
            en->evictions++;
        else
            en->unpins++;
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}

/* Evicts least recently used pins other than keep until the cache fits its budget. */
static void fit(lh_cache *c, const char *keep, lh_cache_restore_fn restore, void *ctx)
{
    for (;;) {
        pthread_mutex_lock(&c->mu);
        int64_t total = 0;
        entry *victim = NULL;
        for (size_t i = 0; i < c->n; i++) {
            entry *en = &c->v[i];
            if (!en->pinned)
                continue;
            total += en->bytes;
            if (strcasecmp(en->name, keep) && (!victim || en->tick < victim->tick))
                victim = en;
        }
        char *name = total > c->max_bytes && victim ? lh_strdup(victim->name) : NULL;
        pthread_mutex_unlock(&c->mu);
        if (!name)
            return;
        lh_err err;
        lh_status st = unpin(c, name, true, restore, ctx, &err);
        if (st)
            lh_log(LH_LOG_WARN, "cache: evicting %s failed: %s", name, err.msg);
        else
            lh_log(LH_LOG_INFO, "cache: evicted %s (least recently used, over %lld bytes)", name,
                   (long long)c->max_bytes);
        free(name);
        if (st)
            return;
    }
}

/* Makes a fresh copy of name and records it; refresh tells a commit from a pin. */
static lh_status make_copy(lh_cache *c, const char *name, bool refresh, lh_cache_restore_fn restore,
                           void *ctx, lh_err *err)
{
    int64_t rows = 0, bytes = 0;
    lh_status st = build(c, name, &rows, &bytes, err);
    pthread_mutex_lock(&c->mu);
    entry *en = find(c, name, true);
    if (!en) {
        st = st ? st : lh_fail(err, LH_ENOMEM, "out of memory");
    } else if (st) {
        en->pinned = false;
        en->bytes = 0;
    } else {
        int64_t now = lh_now_ms();
        en->pinned = true;
        en->rows = rows;
        en->bytes = bytes;
        en->tick = ++c->tick;
        en->last_used_at = now;
        if (refresh)
            en->refreshes++;
        else
            en->pinned_at = now;
    }
    pthread_mutex_unlock(&c->mu);
    if (!st && bytes > c->max_bytes) {
        lh_err ignored;
        unpin(c, name, refresh, restore, ctx, &ignored);
        return lh_fail(err, LH_ETOOBIG, "dataset %s needs %lld bytes in memory, more than the "
                       "cache's whole budget of %lld bytes ([cache] max_bytes)", name,
                       (long long)bytes, (long long)c->max_bytes);
    }
    if (!st)
        fit(c, name, restore, ctx);
    return st;
}

lh_status lh_cache_pin(lh_cache *c, const char *name, lh_cache_restore_fn restore, void *ctx,
                       lh_err *err)
{
    pthread_mutex_lock(&c->mu);
    entry *en = find(c, name, false);
    bool pinned = en && en->pinned;
    if (pinned) {
        en->tick = ++c->tick;
        en->last_used_at = lh_now_ms();
    }
    pthread_mutex_unlock(&c->mu);
    return pinned ? LH_OK : make_copy(c, name, false, restore, ctx, err);
}

lh_status lh_cache_refresh(lh_cache *c, const char *name, lh_cache_restore_fn restore, void *ctx,
                           lh_err *err)
{
    if (!lh_cache_pinned(c, name))
        return LH_OK;
    /* The view already reads the new files: the old copy can go first (and until the
     * new one is ready, queries are misses served from the files). */
    set_pinned(c, name, false);
    return make_copy(c, name, true, restore, ctx, err);
}

lh_status lh_cache_evict(lh_cache *c, const char *name, lh_cache_restore_fn restore, void *ctx,
                         lh_err *err)
{
    if (!lh_cache_pinned(c, name))
        return lh_fail(err, LH_ENOTFOUND, "dataset '%s' is not pinned", name);
    return unpin(c, name, false, restore, ctx, err);
}

void lh_cache_note(lh_cache *c, const json_t *names, const json_t *shadowed)
{
    const char *name;
    json_t *v;
    pthread_mutex_lock(&c->mu);
    int64_t now = 0;
    json_object_foreach((json_t *)names, name, v) {
        entry *en = find(c, name, true);
        bool hit = en && en->pinned && !json_object_get(shadowed, name);
        if (hit) {
            en->hits++;
            en->tick = ++c->tick;
            en->last_used_at = now ? now : (now = lh_now_ms());
            c->hits++;
        } else {
            if (en)
                en->misses++;
            c->misses++;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

static json_t *time_or_null(int64_t ms) { return ms ? json_integer(ms) : json_null(); }

json_t *lh_cache_stats(lh_cache *c)
{
    json_t *list = json_array();
    int64_t bytes = 0;
    uint64_t evictions = 0;
    size_t entries = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        const entry *en = &c->v[i];
        if (en->pinned) {
            entries++;
            bytes += en->bytes;
        }
        evictions += en->evictions;
        json_array_append_new(list, json_pack(
            "{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "dataset", en->name,
            "pinned", en->pinned, "bytes", (json_int_t)(en->pinned ? en->bytes : 0), "rows",
            (json_int_t)(en->pinned ? en->rows : 0), "hits", (json_int_t)en->hits, "misses",
            (json_int_t)en->misses, "evictions", (json_int_t)en->evictions, "unpins",
            (json_int_t)en->unpins, "refreshes", (json_int_t)en->refreshes, "pinned_at",
            time_or_null(en->pinned ? en->pinned_at : 0), "last_used_at",
            time_or_null(en->last_used_at)));
    }
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "max_bytes",
                            (json_int_t)c->max_bytes, "entries", (json_int_t)entries, "bytes",
                            (json_int_t)bytes, "hits", (json_int_t)c->hits, "misses",
                            (json_int_t)c->misses, "evictions", (json_int_t)evictions, "datasets",
                            list);
    pthread_mutex_unlock(&c->mu);
    return out;
}
