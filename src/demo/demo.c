/* demo.c: writing the demo tables and loading them through the real ingest path. */
#include "catalog/catalog.h"
#include "demo/demo.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsio.h"
#include "core/sha256.h"
#include "core/util.h"
#include "demo/demo_int.h"
#include "ingest/ingest.h"

static const struct {
    const char *name;
    int64_t base;    /* rows at scale 1 */
} tables[LH_DEMO_NTABLES] = {
    {"recruiters", 500},      {"clients", 2000},        {"candidates", 100000},
    {"job_orders", 20000},    {"placements", 50000},    {"timesheets", 1800000},
    {"call_logs", 500000},
};

int64_t lh_demo_rows(const char *table, double scale)
{
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        if (strcmp(tables[t].name, table))
            continue;
        int64_t n = llround((double)tables[t].base * scale);
        return n < 1 ? 1 : n;
    }
    return -1;
}

/* The one check of a path built in b (lh_buf errors are sticky: the appends before it go
 * unchecked), before the path is used. */
static lh_status path_built(const lh_buf *b, lh_err *err)
{
    lh_status st = lh_buf_status(b);
    if (st == LH_ETOOBIG)
        return lh_fail(err, st, "a demo file's path is over %zu bytes (TMPDIR too long?)", b->max);
    return st ? lh_fail(err, st, "out of memory") : LH_OK;
}

static lh_status check_scale(double scale, lh_err *err)
{
    if (!(scale > 0) || scale > LH_DEMO_MAX_SCALE)
        return lh_fail(err, LH_EINVAL, "scale must be a number above 0 and at most %g", LH_DEMO_MAX_SCALE);
    return LH_OK;
}

static void report_init(lh_demo_report *rep)
{
    memset(rep, 0, sizeof *rep);
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        rep->tables[t].name = tables[t].name;
        rep->tables[t].ingest.version = -1;
    }
}

static lh_status write_all(const lh_demo_options *opts, const char *dir, lh_demo_report *rep,
                           lh_err *err)
{
    lh__world w;
    lh_status st = lh__world_build(&w, opts->scale, err);
    if (st)
        return st;
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    for (int t = 0; !st && t < LH_DEMO_NTABLES; t++) {
        lh__progress p = {opts->progress, opts->progress_ctx, tables[t].name};
        lh_buf_reset(&path);
        lh_buf_printf(&path, "%s/%s.csv", dir, tables[t].name);
        double t0 = lh_mono_ms();
        st = path_built(&path, err);
        if (!st)
            st = lh__demo_write_table(&w, t, path.data, &p, &rep->tables[t].rows, err);
        rep->tables[t].generate_ms = lh_mono_ms() - t0;
    }
    lh_buf_release(&path);
    lh__world_release(&w);
    return st;
}

lh_status lh_demo_write(const lh_demo_options *opts, const char *dir, lh_demo_report *rep,
                        lh_err *err)
{
    report_init(rep);
    double t0 = lh_mono_ms();
    lh_status st = check_scale(opts->scale, err);
    if (!st)
        st = write_all(opts, dir, rep, err);
    rep->total_ms = lh_mono_ms() - t0;
    return st;
}

/* LH_ECONFLICT when dataset exists and none of its commits carried these bytes. */
static lh_status check_existing(const lh_demo_sink *sink, const char *name, const char *path,
                                lh_err *err)
{
    json_t *hist = NULL;
    lh_status st = sink->history(sink->ctx, name, &hist, err);
    if (st == LH_ENOTFOUND)
        return LH_OK;
    char sha[65];
    int64_t size = 0;
    if (!st)
        st = lh_sha256_file(path, sha, &size, err);
    if (st) {
        json_decref(hist);
        return st;
    }
    bool same = false;
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h) {
        const char *s = json_string_value(
            json_object_get(json_object_get(h, "operationParameters"), "content_sha256"));
        same |= s && !strcmp(s, sha);
    }
    json_decref(hist);
    if (!same)
        return lh_fail(err, LH_ECONFLICT,
                       "dataset '%s' already exists with other data (an earlier demo at another "
                       "scale?); load the demo into an empty data directory (--data DIR)",
                       name);
    return LH_OK;
}

static void remove_dir(const char *dir)
{
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        lh_buf_reset(&path);
        lh_buf_printf(&path, "%s/%s.csv", dir, tables[t].name);
        if (!lh_buf_status(&path)) /* else it was never written (write_all checked) */
            lh_file_remove(path.data, NULL);
    }
    lh_buf_release(&path);
    if (rmdir(dir))
        lh_log(LH_LOG_WARN, "could not remove %s: %s", dir, strerror(errno));
}

/* ---- generating and ingesting at once ----
 * Into a data directory that holds none of the demo's datasets, table t+1 is generated
 * on a helper thread while table t is ingested: DuckDB's CSV reading and Parquet writing
 * leave a core idle often enough that the generator's time mostly disappears from the
 * wall time (the demo took 1.48x its generator + DuckDB COPY, run one after the other). */
typedef struct gen_job {
    const lh_demo_options *opts;
    const char *dir;
    lh_demo_report *rep;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;      /* tables whose CSV is complete */
    bool stop;      /* the loader failed: write no more */
    lh_status st;   /* the generator's failure, with err */
    lh_err err;
} gen_job;

static void gen_done(gen_job *g, int ready, lh_status st)
{
    pthread_mutex_lock(&g->mu);
    if (st)
        g->st = st;
    else
        g->ready = ready;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void *gen_main(void *arg)
{
    gen_job *g = arg;
    lh_err err;
    lh__world w;
    lh_status st = lh__world_build(&w, g->opts->scale, &err);
    if (st) {
        g->err = err;
        gen_done(g, 0, st);
        return NULL;
    }
    lh_buf path;
    lh_buf_init(&path, PATH_MAX);
    /* no progress lines from this thread: the loader's own would be overwritten */
    lh__progress p = {NULL, NULL, NULL};
    for (int t = 0; !st && t < LH_DEMO_NTABLES; t++) {
        pthread_mutex_lock(&g->mu);
        bool stop = g->stop;
        pthread_mutex_unlock(&g->mu);
        if (stop)
            break;
        lh_buf_reset(&path);
        lh_buf_printf(&path, "%s/%s.csv", g->dir, tables[t].name);
        double t0 = lh_mono_ms();
        p.table = tables[t].name;
        st = path_built(&path, &err);
        int64_t rows = 0;
        if (!st)
            st = lh__demo_write_table(&w, t, path.data, &p, &rows, &err);
        pthread_mutex_lock(&g->mu);
        g->rep->tables[t].rows = rows;
        g->rep->tables[t].generate_ms = lh_mono_ms() - t0;
        if (st)
            g->err = err;
        pthread_mutex_unlock(&g->mu);
        gen_done(g, t + 1, st);
    }
    lh_buf_release(&path);
    lh__world_release(&w);
    return NULL;
}

/* LH_OK when table t's CSV is complete; the generator's failure otherwise. */
static lh_status gen_wait(gen_job *g, int t, lh_err *err)
{
    pthread_mutex_lock(&g->mu);
    while (g->ready <= t && !g->st)
        pthread_cond_wait(&g->cv, &g->mu);
    lh_status st = g->ready > t ? LH_OK : g->st;
    if (st && err)
        *err = g->err;
    pthread_mutex_unlock(&g->mu);
    return st;
}

static lh_status lake_history(void *ctx, const char *name, json_t **hist, lh_err *err)
{
    lh_lake *lake = ctx;
    if (!lh_catalog_get(lh_lake_catalog(lake), name))
        return LH_ENOTFOUND;
    return lh_lake_history(lake, name, hist, err);
}

static lh_status lake_ingest(void *ctx, const lh_ingest_request *req, lh_ingest_result *res,
                             lh_err *err)
{
    return lh_lake_ingest(ctx, req, res, err);
}

lh_status lh_demo_load(lh_lake *lake, const lh_demo_options *opts, lh_demo_report *rep,
                       lh_err *err)
{
    lh_demo_sink sink = {lake_history, lake_ingest, lake};
    return lh_demo_load_to(&sink, opts, rep, err);
}

/* Ingests table t's CSV (in dir) through the sink, then removes the CSV. */
static lh_status ingest_one(const lh_demo_sink *sink, const lh_demo_options *opts,
                            lh_demo_report *rep, const char *dir, int t, lh_err *err)
{
    lh_demo_table *tr = &rep->tables[t];
    lh_buf path, uri;
    lh_buf_init(&path, PATH_MAX);
    lh_buf_init(&uri, PATH_MAX);
    lh_buf_printf(&path, "%s/%s.csv", dir, tables[t].name);
    lh_buf_printf(&uri, "demo:scale=%g/%s.csv", opts->scale, tables[t].name);
    lh_status st;
    if (!(st = path_built(&path, err)) && !(st = path_built(&uri, err))) {
        /* The dialect the writer used (tables.c, RFC 4180): DuckDB's sniffer then only
         * types the columns instead of trying every dialect (a quarter of its time). */
        lh_ingest_request req = {.path = path.data, .name = tables[t].name, .format = "csv",
                                 .actor = "demo", .source_uri = uri.data,
                                 .csv = {.header = 1, .delim = ',', .quote = '"', .escape = '"'}};
        if (opts->progress)
            opts->progress(opts->progress_ctx, tables[t].name, "ingest", 0, tr->rows);
        double i0 = lh_mono_ms();
        st = sink->ingest(sink->ctx, &req, &tr->ingest, err);
        tr->ingest_ms = lh_mono_ms() - i0;
        if (st)
            lh_fail_wrap(err, st, "ingest %s", tables[t].name);
        else if (opts->progress)
            opts->progress(opts->progress_ctx, tables[t].name, "ingest", tr->rows, tr->rows);
        /* The CSV is no longer needed: free the space before the next table. */
        lh_file_remove(path.data, NULL);
    }
    lh_buf_release(&path);
    lh_buf_release(&uri);
    return st;
}

/* *fresh = none of the demo's datasets exists (a missing one is LH_ENOTFOUND). */
static lh_status none_exists(const lh_demo_sink *sink, bool *fresh, lh_err *err)
{
    *fresh = true;
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        json_t *hist = NULL;
        lh_status st = sink->history(sink->ctx, tables[t].name, &hist, err);
        json_decref(hist);
        if (st == LH_ENOTFOUND)
            continue;
        if (!st)
            *fresh = false;
        return st;
    }
    return LH_OK;
}

static lh_status load_pipelined(const lh_demo_sink *sink, const lh_demo_options *opts,
                                lh_demo_report *rep, const char *dir, lh_err *err)
{
    gen_job g = {.opts = opts, .dir = dir, .rep = rep};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    pthread_t th;
    lh_status st = LH_OK;
    if (pthread_create(&th, NULL, gen_main, &g)) {
        st = lh_fail(err, LH_EINTERNAL, "could not start the demo's generator thread");
    } else {
        for (int t = 0; !st && t < LH_DEMO_NTABLES; t++) {
            st = gen_wait(&g, t, err);
            if (opts->progress && !st)
                opts->progress(opts->progress_ctx, tables[t].name, "generate", rep->tables[t].rows,
                               rep->tables[t].rows);
            if (!st)
                st = ingest_one(sink, opts, rep, dir, t, err);
        }
        pthread_mutex_lock(&g.mu);
        g.stop = true;
        pthread_mutex_unlock(&g.mu);
        pthread_join(th, NULL);
    }
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
    return st;
}

lh_status lh_demo_load_to(const lh_demo_sink *sink, const lh_demo_options *opts,
                          lh_demo_report *rep, lh_err *err)
{
    report_init(rep);
    double t0 = lh_mono_ms();
    lh_status st = check_scale(opts->scale, err);
    if (st)
        return st;
    const char *tmp = getenv("TMPDIR");
    lh_buf dir, path;
    lh_buf_init(&dir, PATH_MAX);
    lh_buf_init(&path, PATH_MAX);
    lh_buf_printf(&dir, "%s/lakehouse-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    st = path_built(&dir, err);
    if (!st && !mkdtemp(dir.data))
        st = lh_fail(err, LH_EIO, "create a temporary directory under %s: %s",
                     tmp && *tmp ? tmp : "/tmp", strerror(errno));
    if (st)
        lh_buf_reset(&dir); /* nothing made: nothing to remove */
    bool fresh = false;
    if (!st)
        st = none_exists(sink, &fresh, err);
    if (!st && fresh) {
        st = load_pipelined(sink, opts, rep, dir.data, err);
    } else if (!st) {
        /* Some of it is there: every CSV first, and refuse before changing anything
         * (appending to other data would break the keys). */
        st = write_all(opts, dir.data, rep, err);
        for (int t = 0; !st && t < LH_DEMO_NTABLES; t++) {
            lh_buf_reset(&path);
            lh_buf_printf(&path, "%s/%s.csv", dir.data, tables[t].name);
            st = path_built(&path, err);
            if (!st)
                st = check_existing(sink, tables[t].name, path.data, err);
        }
        for (int t = 0; !st && t < LH_DEMO_NTABLES; t++)
            st = ingest_one(sink, opts, rep, dir.data, t, err);
    }
    if (dir.len)
        remove_dir(dir.data);
    rep->loaded = !st;
    lh_buf_release(&dir);
    lh_buf_release(&path);
    rep->total_ms = lh_mono_ms() - t0;
    return st;
}

void lh_demo_report_release(lh_demo_report *rep)
{
    for (int t = 0; t < LH_DEMO_NTABLES; t++)
        lh_ingest_result_release(&rep->tables[t].ingest);
    memset(rep, 0, sizeof *rep);
}
