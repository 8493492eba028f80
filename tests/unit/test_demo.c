/* Unit tests for the demo generator: calendar, word lists, the world's invariants (keys
 * in range, timelines, exact counts), phone and template shapes, determinism, and paths
 * past their buffers' limits, the load that generates and ingests at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/util.h"
#include "demo/demo_int.h"
#include "testutil.h"

static void calendar(void **state)
{
    (void)state;
    char d[11], ts[20];
    lh__day_format(0, d);
    assert_string_equal(d, "1970-01-01");
    lh__day_format(11016, d);
    assert_string_equal(d, "2000-02-29");
    lh__day_format(20088, d);
    assert_string_equal(d, "2024-12-31");
    lh__day_format(LH__DAY_FIRST, d);
    assert_string_equal(d, "2019-01-01");
    lh__day_format(LH__DAY_REF, d);
    assert_string_equal(d, "2026-06-30");
    lh__ts_format((int64_t)LH__DAY_FIRST * 86400 + 13 * 3600 + 5 * 60 + 9, ts);
    assert_string_equal(ts, "2019-01-01 13:05:09");
    assert_int_equal(lh__weekday(LH__DAY_FIRST), 1); /* a Tuesday */
    assert_int_equal(lh__weekday(0), 3);              /* a Thursday */
}

static void row_counts(void **state)
{
    (void)state;
    assert_int_equal(lh_demo_rows("candidates", 1.0), 100000);
    assert_int_equal(lh_demo_rows("timesheets", 0.01), 18000);
    assert_int_equal(lh_demo_rows("recruiters", 0.001), 1); /* round(0.5) */
    assert_int_equal(lh_demo_rows("recruiters", 0.0001), 1);
    assert_int_equal(lh_demo_rows("nope", 1.0), -1);
    int64_t total = 0;
    const char *names[] = {"recruiters", "clients", "candidates", "job_orders", "placements",
                           "timesheets", "call_logs"};
    for (size_t i = 0; i < 7; i++)
        total += lh_demo_rows(names[i], 1.0);
    assert_int_equal(total, 2472500);
}

static void word_lists(void **state)
{
    (void)state;
    for (size_t c = 0; c < lh__ncities; c++) {
        assert_true(lh__cities[c].area[0] >= 201 && lh__cities[c].area[0] <= 989);
        assert_int_equal(strlen(lh__cities[c].state), 2);
        assert_true(lh__cities[c].weight > 0);
    }
    for (size_t t = 0; t < lh__ntitles; t++)
        assert_true(lh__titles[t].team < LH__NTEAMS);
    for (int t = 0; t < LH__NTEAMS; t++) {
        const lh__team *tm = &lh__teams[t];
        size_t n = 0;
        while (n < LH__LIST(tm->skills) && tm->skills[n])
            n++;
        assert_true(n >= 7 && n < LH__LIST(tm->skills)); /* NULL-terminated, enough to pick 7 */
        for (size_t w = 0; w < LH__LIST(tm->wins) && tm->wins[w]; w++) {
            const char *bar = strchr(tm->wins[w], '|');
            assert_non_null(bar);
            const char *pct = strstr(bar, "%d");
            assert_non_null(pct);
            assert_null(strstr(pct + 2, "%d")); /* exactly one number */
        }
        for (size_t k = 0; k < LH__LIST(tm->domains); k++)
            assert_non_null(tm->domains[k]);
        for (size_t k = 0; k < LH__LIST(tm->degrees); k++)
            assert_non_null(tm->degrees[k]);
    }
}

static void phones_are_nanp(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 20000; i++) {
        lh__rng r = lh__rng_for(99, i);
        char p[16];
        lh__city_phone(&r, (uint16_t)(i % lh__ncities), p);
        assert_int_equal(strlen(p), 14);
        assert_true(p[0] == '(' && p[4] == ')' && p[5] == ' ' && p[9] == '-');
        assert_true(p[1] >= '2' && p[6] >= '2');
        assert_false(p[7] == '1' && p[8] == '1');            /* no N11 exchange */
        assert_false(p[6] == '5' && p[7] == '5' && p[8] == '5');
    }
}

static void world_invariants(void **state)
{
    (void)state;
    lh__world w;
    lh_err err;
    assert_int_equal(lh__world_build(&w, 0.05, &err), LH_OK);
    int64_t weeks = 0;
    for (int64_t i = 0; i < w.n[LH__CANDIDATES]; i++) {
        const lh__candidate *c = &w.candidates[i];
        assert_true(c->recruiter >= 0 && c->recruiter < w.n[LH__RECRUITERS]);
        assert_true(c->created / 86400 >= LH__DAY_FIRST && c->created / 86400 < LH__DAY_REF);
        assert_true(c->salary >= 24000);
        if (i)
            assert_true(c->created / 86400 >= w.candidates[i - 1].created / 86400);
    }
    for (int64_t i = 0; i < w.n[LH__JOBS]; i++) {
        const lh__job *j = &w.jobs[i];
        assert_true(j->client >= 0 && j->client < w.n[LH__CLIENTS]);
        assert_true(w.clients[j->client].created <= j->opened);
        assert_true(j->recruiter >= 0 && j->recruiter < w.n[LH__RECRUITERS]);
        assert_true(j->bill > j->pay && j->pay > 0);
    }
    for (int64_t i = 0; i < w.n[LH__PLACEMENTS]; i++) {
        const lh__placement *p = &w.placements[i];
        assert_true(p->job >= 0 && p->job < w.n[LH__JOBS]);
        assert_true(p->candidate >= 0 && p->candidate < w.n[LH__CANDIDATES]);
        assert_true(w.candidates[p->candidate].created / 86400 < p->start);
        assert_true(w.jobs[p->job].opened < p->start);
        assert_int_equal(lh__weekday(p->start), 0);
        assert_true(p->weeks >= 1 && p->planned_weeks >= p->weeks);
        assert_true(p->start + 7 * p->weeks <= LH__DAY_REF);
        assert_true(p->start + 7 * p->planned_weeks - 3 <= LH__DAY_REF + 184); /* within 2026 */
        weeks += p->weeks;
    }
    assert_int_equal(weeks, w.n[LH__TIMESHEETS]);
    assert_int_equal(w.n[LH__TIMESHEETS], lh_demo_rows("timesheets", 0.05));
    lh__world_release(&w);
}

static void deterministic_files(void **state)
{
    (void)state;
    char a[256], b[256];
    lh_test_tmpdir(a, sizeof a);
    lh_test_tmpdir(b, sizeof b);
    lh_demo_options opts = {.scale = 0.003};
    lh_demo_report ra, rb;
    lh_err err;
    assert_int_equal(lh_demo_write(&opts, a, &ra, &err), LH_OK);
    assert_int_equal(lh_demo_write(&opts, b, &rb, &err), LH_OK);
    for (int t = 0; t < LH_DEMO_NTABLES; t++) {
        assert_int_equal(ra.tables[t].rows, rb.tables[t].rows);
        assert_int_equal(ra.tables[t].rows, lh_demo_rows(ra.tables[t].name, 0.003));
        char pa[512], pb[512], ha[65], hb[65];
        snprintf(pa, sizeof pa, "%s/%s.csv", a, ra.tables[t].name);
        snprintf(pb, sizeof pb, "%s/%s.csv", b, rb.tables[t].name);
        int64_t sa, sb;
        assert_int_equal(lh_sha256_file(pa, ha, &sa, &err), LH_OK);
        assert_int_equal(lh_sha256_file(pb, hb, &sb, &err), LH_OK);
        assert_string_equal(ha, hb);
        assert_true(sa > 0);
    }
    lh_demo_report_release(&ra);
    lh_demo_report_release(&rb);
    /* A file already there is not overwritten. */
    assert_int_equal(lh_demo_write(&opts, a, &ra, &err), LH_EIO);
    lh_demo_report_release(&ra);
    lh_demo_options bad = {.scale = 0};
    assert_int_equal(lh_demo_write(&bad, a, &ra, &err), LH_EINVAL);
    lh_demo_report_release(&ra);
    lh_test_rmtree(a);
    lh_test_rmtree(b);
}

static lh_status no_history(void *ctx, const char *name, json_t **hist, lh_err *err)
{
    (void)ctx, (void)name, (void)hist, (void)err;
    fail_msg("the sink was reached with a path that was never built");
    return LH_EINTERNAL;
}

static lh_status no_ingest(void *ctx, const lh_ingest_request *req, lh_ingest_result *res,
                           lh_err *err)
{
    (void)ctx, (void)req, (void)res, (void)err;
    fail_msg("the sink was reached with a path that was never built");
    return LH_EINTERNAL;
}

/* A directory (or TMPDIR) so long that the files' paths pass PATH_MAX: a clear
 * LH_ETOOBIG before anything is written. It used to hand the failed buffer's NULL to
 * fopen (LH_EIO, "create (null)") and to mkdtemp (a crash). */
static void overlong_paths_are_errors(void **state)
{
    (void)state;
    static char dir[4200];
    memset(dir, 'd', sizeof dir - 1);
    dir[0] = '/';
    lh_demo_options opts = {.scale = 0.003};
    lh_demo_report rep;
    lh_err err = {{0}};
    assert_int_equal(lh_demo_write(&opts, dir, &rep, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "path is over"));
    lh_demo_report_release(&rep);

    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    assert_int_equal(setenv("TMPDIR", dir, 1), 0);
    lh_demo_sink sink = {no_history, no_ingest, NULL};
    memset(&err, 0, sizeof err);
    lh_status st = lh_demo_load_to(&sink, &opts, &rep, &err);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_int_equal(st, LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "TMPDIR too long"));
    assert_false(rep.loaded);
    lh_demo_report_release(&rep);
}

/* The load into an empty directory generates table t+1 while table t is ingested: each
 * CSV reaches the sink complete (the same bytes lh_demo_write writes), in table order;
 * a failed ingest stops the generator, is the result, and leaves no temporary file. */
typedef struct pipe_sink {
    const char *ref;  /* lh_demo_write's files */
    int calls, fail_at;
} pipe_sink;

static lh_status absent_history(void *ctx, const char *name, json_t **hist, lh_err *err)
{
    (void)ctx, (void)name, (void)hist;
    return lh_fail(err, LH_ENOTFOUND, "no dataset");
}

static lh_status check_ingest(void *ctx, const lh_ingest_request *req, lh_ingest_result *res,
                              lh_err *err)
{
    pipe_sink *ps = ctx;
    memset(res, 0, sizeof *res);
    int t = ps->calls++;
    static const char *order[] = {"recruiters", "clients", "candidates", "job_orders",
                                  "placements", "timesheets", "call_logs"};
    assert_string_equal(req->name, order[t]);
    char ref[512], h1[65], h2[65];
    int64_t s1, s2;
    snprintf(ref, sizeof ref, "%s/%s.csv", ps->ref, req->name);
    assert_int_equal(lh_sha256_file(ref, h1, &s1, err), LH_OK);
    assert_int_equal(lh_sha256_file(req->path, h2, &s2, err), LH_OK);
    assert_string_equal(h1, h2);
    if (t == ps->fail_at)
        return lh_fail(err, LH_EIO, "the sink refused %s", req->name);
    return LH_OK;
}

static int entries(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

static void pipelined_load(void **state)
{
    (void)state;
    char ref[256], tmp[256];
    lh_test_tmpdir(ref, sizeof ref);
    lh_test_tmpdir(tmp, sizeof tmp);
    lh_demo_options opts = {.scale = 0.01};
    lh_demo_report rep;
    lh_err err;
    assert_int_equal(lh_demo_write(&opts, ref, &rep, &err), LH_OK);
    lh_demo_report_release(&rep);
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    assert_int_equal(setenv("TMPDIR", tmp, 1), 0);

    pipe_sink ps = {ref, 0, -1};
    lh_demo_sink sink = {absent_history, check_ingest, &ps};
    lh_status st = lh_demo_load_to(&sink, &opts, &rep, &err);
    assert_int_equal(st, LH_OK);
    assert_int_equal(ps.calls, LH_DEMO_NTABLES);
    assert_true(rep.loaded);
    for (int t = 0; t < LH_DEMO_NTABLES; t++)
        assert_int_equal(rep.tables[t].rows, lh_demo_rows(rep.tables[t].name, 0.01));
    lh_demo_report_release(&rep);
    assert_int_equal(entries(tmp), 0);

    ps = (pipe_sink){ref, 0, 2};
    st = lh_demo_load_to(&sink, &opts, &rep, &err);
    assert_int_equal(st, LH_EIO);
    assert_non_null(strstr(err.msg, "ingest candidates"));
    assert_non_null(strstr(err.msg, "the sink refused candidates"));
    assert_int_equal(ps.calls, 3);
    assert_false(rep.loaded);
    lh_demo_report_release(&rep);
    assert_int_equal(entries(tmp), 0);

    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    lh_test_rmtree(ref);
    lh_test_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar),
        cmocka_unit_test(row_counts),
        cmocka_unit_test(word_lists),
        cmocka_unit_test(phones_are_nanp),
        cmocka_unit_test(world_invariants),
        cmocka_unit_test(deterministic_files),
        cmocka_unit_test(overlong_paths_are_errors),
        cmocka_unit_test(pipelined_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
