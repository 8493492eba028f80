/* engine.c: opening the locked-down DuckDB database and running our own SQL. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fsio.h"
#include "core/util.h"
#include "engine/engine_int.h"

lh_status lh__engine_result_error(duckdb_result *res, lh_status st, const char *what, lh_err *err)
{
    const char *msg = res ? duckdb_result_error(res) : NULL;
    char text[sizeof err->msg];
    lh__engine_user_message(msg ? msg : "unknown DuckDB error", NULL, text, sizeof text);
    /* "engine" says nothing a user can use; other labels name the step that failed. */
    if (!strcmp(what, "engine"))
        return lh_fail(err, st, "%s", text);
    return lh_fail(err, st, "%s: %s", what, text);
}

void lh_engine_set_progress(lh_engine *e, lh_progress_fn fn, void *ctx)
{
    e->progress = fn;
    e->progress_ctx = ctx;
}

/* The watcher: polls DuckDB's progress for the connection while a statement runs. */
typedef struct watch {
    lh_engine *e;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done, started;
} watch;

static void *watch_main(void *arg)
{
    watch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->done) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
        if (w->done)
            break;
        duckdb_query_progress_type p = duckdb_query_progress(w->e->conn);
        w->e->progress(w->e->progress_ctx, p.percentage, p.rows_processed, p.total_rows_to_process);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void watch_start(lh_engine *e, watch *w)
{
    w->e = e;
    w->done = false;
    w->started = false;
    if (!e->progress)
        return;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->started = pthread_create(&w->thread, NULL, watch_main, w) == 0;
    if (!w->started) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
}

static void watch_stop(watch *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    /* A last report, so that even a statement shorter than one poll ends at 100%. */
    w->e->progress(w->e->progress_ctx, 100.0, 0, 0);
}

duckdb_state lh__engine_admin_query(lh_engine *e, const char *sql, duckdb_result *res)
{
    pthread_mutex_lock(&e->admin_mu);
    duckdb_state s = duckdb_query(e->conn, sql, res);
    pthread_mutex_unlock(&e->admin_mu);
    /* Every change of the catalog is made here, on the admin connection. DuckDB 1.4.4
     * does not bind a kept prepared statement again when a view it reads is replaced
     * from another connection (tests/unit/test_stmt_cache.c), so anything but a
     * SELECT that succeeded marks the pooled connections' kept statements stale. */
    if (s == DuckDBError || duckdb_result_statement_type(*res) != DUCKDB_STATEMENT_TYPE_SELECT)
        lh__engine_policy_changed(e);
    return s;
}

/* duckdb_query on the admin connection with the progress watcher around it. */
static duckdb_state run(lh_engine *e, const char *sql, duckdb_result *res)
{
    watch w;
    watch_start(e, &w);
    duckdb_state s = lh__engine_admin_query(e, sql, res);
    watch_stop(&w);
    return s;
}

lh__conn *lh__engine_acquire(lh_engine *e)
{
    lh__conn *c = NULL;
    pthread_mutex_lock(&e->pool_mu);
    if (e->npool)
        c = e->pool[--e->npool];
    pthread_mutex_unlock(&e->pool_mu);
    if (!c) {
        if (!(c = lh_calloc(1, sizeof *c)))
            return NULL;
        if (duckdb_connect(e->db, &c->conn) == DuckDBError) {
            free(c);
            return NULL;
        }
    }
    pthread_mutex_lock(&e->pool_mu);
    if (!lh_grow(&e->busy, &e->capbusy, e->nbusy + 1, sizeof *e->busy))
        e->busy[e->nbusy++] = c;
    pthread_mutex_unlock(&e->pool_mu);
    return c;
}

void lh_engine_interrupt_all(lh_engine *e)
{
    pthread_mutex_lock(&e->pool_mu);
    for (size_t i = 0; i < e->nbusy; i++)
        duckdb_interrupt(e->busy[i]->conn);
    pthread_mutex_unlock(&e->pool_mu);
    duckdb_interrupt(e->conn); /* an ingest's COPY: it fails cleanly, nothing is committed */
}

/* Caller holds pool_mu. */
static void unbusy(lh_engine *e, const lh__conn *c)
{
    for (size_t i = 0; i < e->nbusy; i++)
        if (e->busy[i] == c) {
            e->busy[i] = e->busy[--e->nbusy];
            break;
        }
}

static void conn_free(lh__conn *c)
{
    if (c->serialize)
        duckdb_destroy_prepare(&c->serialize);
    if (c->begin)
        duckdb_destroy_prepare(&c->begin);
    if (c->rollback)
        duckdb_destroy_prepare(&c->rollback);
    lh__stmt_cache_release(&c->stmts);
    duckdb_disconnect(&c->conn);
    free(c);
}

void lh__kept_run(duckdb_prepared_statement *ps, unsigned *runs)
{
    if (*ps && *runs >= LH__KEPT_RUNS_MAX) {
        duckdb_destroy_prepare(ps);
        *ps = NULL;
    }
    *runs = *ps ? *runs + 1 : 1; /* a NULL one is prepared now for this run */
}

void lh_engine_release_idle(lh_engine *e)
{
    pthread_mutex_lock(&e->pool_mu);
    lh__conn **idle = e->pool;
    size_t n = e->npool;
    e->pool = NULL;
    e->npool = e->cappool = 0;
    pthread_mutex_unlock(&e->pool_mu);
    for (size_t i = 0; i < n; i++)
        conn_free(idle[i]);
    free(idle);
}

void lh__engine_forget(lh_engine *e, lh__conn *c)
{
    pthread_mutex_lock(&e->pool_mu);
    unbusy(e, c);
    pthread_mutex_unlock(&e->pool_mu);
    conn_free(c);
}

void lh__engine_release(lh_engine *e, lh__conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&e->pool_mu);
    unbusy(e, c);
    if (!lh_grow(&e->pool, &e->cappool, e->npool + 1, sizeof *e->pool)) {
        e->pool[e->npool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&e->pool_mu);
    if (c)
        conn_free(c);
}

/* A NULL statement is a builder that failed and was not checked: refused, never run (an
 * empty string in its place would silently run nothing). */
static lh_status refuse_null_sql(lh_err *err)
{
    return lh_fail(err, LH_EINVAL, "no SQL statement (a failed builder?)");
}

lh_status lh_engine_exec(lh_engine *e, const char *sql, lh_err *err)
{
    if (!sql)
        return refuse_null_sql(err);
    duckdb_result res;
    lh_status st = LH_OK;
    if (run(e, sql, &res) == DuckDBError)
        st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
    duckdb_destroy_result(&res);
    lh__engine_policy_changed(e); /* several statements: the result types only the last */
    return st;
}

static lh_status collect_rows(lh_engine *e, const char *sql, size_t max_rows, json_t **rows,
                              lh_err *err)
{
    if (!sql)
        return refuse_null_sql(err);
    duckdb_result res;
    if (run(e, sql, &res) == DuckDBError) {
        lh_status st = lh__engine_result_error(&res, LH_EINVAL, "engine", err);
        duckdb_destroy_result(&res);
        return st;
    }
    idx_t ncols = duckdb_column_count(&res);
    json_t *out = json_array();
    lh_status st = LH_OK;
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
        if (!chunk)
            break;
        idx_t n = duckdb_data_chunk_get_size(chunk);
        for (idx_t r = 0; r < n && !st; r++) {
            if (json_array_size(out) >= max_rows) {
                st = lh_fail(err, LH_ETOOBIG, "internal query returned over %zu rows", max_rows);
                break;
            }
            json_t *row = json_array();
            for (idx_t c = 0; c < ncols; c++) {
                duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
                uint64_t *validity = duckdb_vector_get_validity(vec);
                if (validity && !duckdb_validity_row_is_valid(validity, r)) {
                    json_array_append_new(row, json_null());
                    continue;
                }
                /* Internal queries cast to VARCHAR themselves; other types read via value API. */
                duckdb_logical_type lt = duckdb_vector_get_column_type(vec);
                duckdb_type t = duckdb_get_type_id(lt);
                duckdb_destroy_logical_type(&lt);
                if (t == DUCKDB_TYPE_VARCHAR) {
                    duckdb_string_t *s = (duckdb_string_t *)duckdb_vector_get_data(vec) + r;
                    uint32_t len = duckdb_string_t_length(*s);
                    json_array_append_new(row, json_stringn(duckdb_string_t_data(s), len));
                } else if (t == DUCKDB_TYPE_BIGINT) {
                    int64_t v = ((int64_t *)duckdb_vector_get_data(vec))[r];
                    char tmp[32];
                    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
                    json_array_append_new(row, json_string(tmp));
                } else if (t == DUCKDB_TYPE_BOOLEAN) {
                    bool v = ((bool *)duckdb_vector_get_data(vec))[r];
                    json_array_append_new(row, json_string(v ? "true" : "false"));
                } else {
                    json_array_append_new(row, json_null());
                    st = lh_fail(err, LH_EINTERNAL, "internal query column %llu is not VARCHAR/BIGINT",
                                 (unsigned long long)c);
                }
            }
            /* A value lost to a failed allocation would read as a shorter row (a column
             * missing from a DESCRIBE, say): fail the query instead. */
            if (st) {
                json_decref(row);
            } else if (json_array_size(row) != ncols) {
                json_decref(row);
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            } else if (json_array_append_new(out, row)) {
                /* jansson released row already: a failed append_new steals it too */
                st = lh_fail(err, LH_ENOMEM, "out of memory");
            }
        }
        duckdb_destroy_data_chunk(&chunk);
        if (st)
            break;
    }
    duckdb_destroy_result(&res);
    if (st) {
        json_decref(out);
        return st;
    }
    *rows = out;
    return LH_OK;
}

lh_status lh_engine_query_rows(lh_engine *e, const char *sql, size_t max_rows, json_t **rows,
                               lh_err *err)
{
    return collect_rows(e, sql, max_rows, rows, err);
}

lh_status lh_engine_query_row(lh_engine *e, const char *sql, json_t **row, lh_err *err)
{
    json_t *rows = NULL;
    lh_status st = collect_rows(e, sql, 1000000, &rows, err);
    if (st)
        return st;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return lh_fail(err, LH_ENOTFOUND, "internal query returned no row");
    }
    *row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return LH_OK;
}

lh_status lh_engine_side_query(lh_engine *e, const char *sql, json_t **row, lh_err *err)
{
    if (!sql)
        return refuse_null_sql(err);
    lh__conn *conn = lh__engine_acquire(e);
    if (!conn)
        return lh_fail(err, LH_EINTERNAL, "engine: could not open a connection");
    duckdb_result res;
    lh_status st = LH_OK;
    if (duckdb_query(conn->conn, sql, &res) == DuckDBError) {
        st = lh__engine_result_error(&res, LH_EINTERNAL, "engine", err);
    } else if (row) {
        json_t *out = json_array();
        idx_t ncols = duckdb_column_count(&res);
        bool any = duckdb_row_count(&res) > 0;
        for (idx_t c = 0; out && any && c < ncols; c++) {
            char *v = duckdb_value_is_null(&res, c, 0) ? NULL : duckdb_value_varchar(&res, c, 0);
            if (json_array_append_new(out, v ? json_string(v) : json_null()))
                json_decref(out), out = NULL;
            duckdb_free(v);
        }
        if (!out)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        *row = out;
    }
    duckdb_destroy_result(&res);
    if (st)
        lh__engine_forget(e, conn); /* its state after a failure is not known */
    else
        lh__engine_release(e, conn);
    return st;
}

lh_status lh_engine_define_view(lh_engine *e, const char *name, const char *select_sql, lh_err *err)
{
    if (!name || !select_sql)
        return refuse_null_sql(err);
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "CREATE OR REPLACE VIEW ");
    lh_buf_add_sql_ident(&sql, name);
    lh_buf_adds(&sql, " AS ");
    lh_buf_adds(&sql, select_sql);
    lh_status st = lh_buf_status(&sql);
    if (st)
        st = lh_fail(err, st, "view %s: statement over %zu bytes or out of memory", name, sql.max);
    else
        st = lh_engine_exec(e, lh_buf_cstr(&sql), err);
    lh_buf_release(&sql);
    return st;
}

static lh_status add_relation(lh_engine *e, const char *name, lh_err *err);

bool lh__engine_relation_allowed(const lh_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nrelations; i++)
        if (!strcasecmp(e->relations[i], name))
            return true;
    return false;
}

lh_status lh_engine_allow_relation(lh_engine *e, const char *name, lh_err *err)
{
    pthread_rwlock_wrlock(&e->rel_lock);
    lh_status st = LH_OK;
    if (!lh__engine_relation_allowed(e, name)) {
        st = add_relation(e, name, err);
        lh__engine_policy_changed(e);
    }
    pthread_rwlock_unlock(&e->rel_lock);
    return st;
}

static lh_status add_relation(lh_engine *e, const char *name, lh_err *err)
{
    if (lh_grow(&e->relations, &e->caprelations, e->nrelations + 1, sizeof *e->relations))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    char *copy = lh_strdup(name);
    if (!copy)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    e->relations[e->nrelations++] = copy;
    return LH_OK;
}

void lh_engine_clear_relations(lh_engine *e)
{
    pthread_rwlock_wrlock(&e->rel_lock);
    for (size_t i = 0; i < e->nrelations; i++)
        free(e->relations[i]);
    e->nrelations = 0;
    json_object_clear(e->unavailable);
    lh__engine_policy_changed(e);
    pthread_rwlock_unlock(&e->rel_lock);
}

static void lowercase(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

lh_status lh_engine_set_unavailable(lh_engine *e, const char *name, const char *why,
                                    lh_err *err)
{
    char key[256];
    lowercase(name, key, sizeof key);
    pthread_rwlock_wrlock(&e->rel_lock);
    int rc = why ? json_object_set_new(e->unavailable, key, json_string(why))
                 : (json_object_del(e->unavailable, key), 0);
    lh__engine_policy_changed(e);
    pthread_rwlock_unlock(&e->rel_lock);
    return rc ? lh_fail(err, LH_ENOMEM, "out of memory") : LH_OK;
}

bool lh__engine_relation_unavailable(const lh_engine *e, const char *name, char *why,
                                     size_t size)
{
    char key[256];
    lowercase(name, key, sizeof key);
    const char *w = json_string_value(json_object_get(e->unavailable, key));
    if (w)
        snprintf(why, size, "%s", w);
    return w != NULL;
}

/* Reads back one setting and compares it, so that a DuckDB change in behaviour is caught
 * at start instead of silently running an open sandbox. */
/* The sandbox settings read back from DuckDB in one query: each must hold its value, or
 * the engine does not open. */
static const struct {
    const char *name, *want;
} sandbox_settings[] = {
    {"enable_external_access", "false"},
    {"lock_configuration", "true"},
    {"autoload_known_extensions", "false"},
    {"autoinstall_known_extensions", "false"},
};
#define N_SANDBOX_SETTINGS (sizeof sandbox_settings / sizeof sandbox_settings[0])

static lh_status check_sandbox(lh_engine *e, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 4096);
    lh_buf_adds(&sql, "SELECT ");
    for (size_t i = 0; i < N_SANDBOX_SETTINGS; i++) {
        lh_buf_adds(&sql, i ? ", CAST(current_setting(" : "CAST(current_setting(");
        lh_buf_add_sql_string(&sql, sandbox_settings[i].name);
        lh_buf_adds(&sql, ") AS VARCHAR)");
    }
    json_t *row = NULL;
    lh_status st = lh_buf_status(&sql);
    if (st)
        st = lh_fail(err, st, "sandbox check: out of memory");
    else
        st = lh_engine_query_row(e, lh_buf_cstr(&sql), &row, err);
    lh_buf_release(&sql);
    for (size_t i = 0; !st && i < N_SANDBOX_SETTINGS; i++) {
        const char *got = json_string_value(json_array_get(row, i));
        if (!got || strcasecmp(got, sandbox_settings[i].want))
            st = lh_fail(err, LH_EINTERNAL, "sandbox check failed: %s is '%s', expected '%s'",
                         sandbox_settings[i].name, got ? got : "NULL", sandbox_settings[i].want);
    }
    json_decref(row);
    return st;
}

/* One round trip for the settings (each SET alone cost a parse, a plan and a result at
 * every start), one for the read-back. DuckDB runs the statements in order and stops at
 * the first that fails. */
static lh_status lock_down(lh_engine *e, lh_err *err)
{
    lh_buf sql;
    lh_buf_init(&sql, 0);
    lh_buf_adds(&sql, "SET allowed_directories=[");
    lh_buf_add_sql_string(&sql, e->data_root);
    lh_buf_adds(&sql, ",");
    lh_buf_add_sql_string(&sql, e->temp_dir);
    lh_buf_adds(&sql, "]; "
                      /* DuckDB tracks progress only with its progress bar on; ours draws it. */
                      "SET enable_progress_bar=true; SET enable_progress_bar_print=false; "
                      "SET enable_external_access=false; SET lock_configuration=true");
    lh_status st = lh_buf_status(&sql);
    if (st)
        st = lh_fail(err, st, "sandbox directories: statement too long or out of memory");
    else
        st = lh_engine_exec(e, lh_buf_cstr(&sql), err);
    lh_buf_release(&sql);
    return st ? st : check_sandbox(e, err);
}

static lh_status set_config(duckdb_config cfg, const char *k, const char *v, lh_err *err)
{
    if (duckdb_set_config(cfg, k, v) == DuckDBError)
        return lh_fail(err, LH_EINVAL, "engine setting %s=%s refused", k, v);
    return LH_OK;
}

lh_status lh_engine_open(const lh_engine_config *cfg, lh_engine **out, lh_err *err)
{
    lh_engine *e = lh_calloc(1, sizeof *e);
    if (!e || !(e->data_root = lh_strdup(cfg->data_root))) {
        free(e);
        return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&e->admin_mu, NULL);
    pthread_mutex_init(&e->pool_mu, NULL);
    pthread_mutex_init(&e->dog_mu, NULL);
    pthread_rwlock_init(&e->rel_lock, NULL);
    lh_status st = LH_OK;
    if (!(e->unavailable = json_object()))
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    else if (cfg->temp_dir) {
        e->temp_dir = lh_strdup(cfg->temp_dir);
        st = e->temp_dir ? lh_mkdirs(cfg->temp_dir, err) : lh_fail(err, LH_ENOMEM, "out of memory");
    } else {
        char tmpl[] = "/tmp/lakehouse-duckdb-XXXXXX";
        if (!mkdtemp(tmpl))
            st = lh_fail(err, LH_EIO, "create engine temp directory: %s", strerror(errno));
        else if (!(e->temp_dir = lh_strdup(tmpl)))
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        e->own_temp_dir = true;
    }
    duckdb_config dc = NULL;
    if (!st && duckdb_create_config(&dc) == DuckDBError)
        st = lh_fail(err, LH_ENOMEM, "engine config");
    char threads[16];
    snprintf(threads, sizeof threads, "%d", cfg->threads);
    if (!st)
        st = set_config(dc, "autoload_known_extensions", "false", err);
    if (!st)
        st = set_config(dc, "autoinstall_known_extensions", "false", err);
    if (!st)
        st = set_config(dc, "temp_directory", e->temp_dir, err);
    if (!st && cfg->threads > 0)
        st = set_config(dc, "threads", threads, err);
    /* DuckDB's own default is 80% of RAM, for a process that is only DuckDB; ours also
     * holds the hot cache, the HTTP buffers and the ingest staging. */
    char mem[32];
    if (cfg->memory_limit && *cfg->memory_limit)
        snprintf(mem, sizeof mem, "%s", cfg->memory_limit);
    else
        snprintf(mem, sizeof mem, "%lluMB", (unsigned long long)(lh_physical_memory() / 2 >> 20));
    if (!st)
        st = set_config(dc, "memory_limit", mem, err);
    if (!st)
        st = set_config(dc, "max_temp_directory_size", cfg->max_temp_size && *cfg->max_temp_size
                        ? cfg->max_temp_size : LH_ENGINE_TEMP_DEFAULT, err);
    e->max_sql_bytes = cfg->max_sql_bytes ? cfg->max_sql_bytes : LH_ENGINE_SQL_DEFAULT;
    char *open_err = NULL;
    if (!st && duckdb_open_ext(NULL, &e->db, dc, &open_err) == DuckDBError) {
        st = lh_fail(err, LH_EINTERNAL, "open engine: %s", open_err ? open_err : "unknown error");
        duckdb_free(open_err);
        e->db = NULL;
    }
    if (dc)
        duckdb_destroy_config(&dc);
    if (!st && duckdb_connect(e->db, &e->conn) == DuckDBError)
        st = lh_fail(err, LH_EINTERNAL, "connect engine");
    if (!st)
        st = lh__engine_keysets_open(e, err);
    if (!st)
        st = lh__engine_rowsets_open(e, err);
    if (!st)
        st = lock_down(e, err);
    if (st) {
        lh_engine_free(e);
        return st;
    }
    *out = e;
    return LH_OK;
}

void lh_engine_free(lh_engine *e)
{
    if (!e)
        return;
    lh__watchdog_stop(e);
    for (size_t i = 0; i < e->npool; i++)
        conn_free(e->pool[i]);
    free(e->pool);
    free(e->busy);
    if (e->conn)
        duckdb_disconnect(&e->conn);
    if (e->db)
        duckdb_close(&e->db);
    lh__engine_keysets_free(e);
    lh__engine_rowsets_free(e);
    if (e->own_temp_dir && e->temp_dir)
        rmdir(e->temp_dir);
    lh_engine_clear_relations(e);
    free(e->relations);
    json_decref(e->unavailable);
    free(e->temp_dir);
    free(e->data_root);
    pthread_mutex_destroy(&e->admin_mu);
    pthread_mutex_destroy(&e->pool_mu);
    pthread_mutex_destroy(&e->dog_mu);
    pthread_rwlock_destroy(&e->rel_lock);
    free(e);
}
