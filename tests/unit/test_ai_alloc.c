/* Allocation-failure torture for src/ai: every allocation of a chunk → index → fit →
 * embed → save → load → rerank cycle fails once, in turn (LH_FAIL_ALLOC_AT, core/alloc.h),
 * in a child process; each failure must come back as LH_ENOMEM (or the buffer's
 * LH_ETOOBIG), never as a crash, a wrong status or a wrong result. Needs the test build's
 * fault points (LH_FAULTS); skipped in a build without them. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ai/ai.h"
#include "vector/chunker.h"
#include "ai/eval.h"
#include "ai/fusion.h"

static const char *const corpus[] = {
    "Bake the bread in a hot oven until the crust is golden. Knead the dough first.",
    "Knead the dough with flour and yeast, then let the bread rise overnight.",
    "The telescope tracked the comet across the night sky for a week.",
    "A planet orbits its star; the telescope measured the orbit again.",
    "Caf\xc3\xa9 owners bake bread; astronomers watch the star and the comet.",
};
#define N_DOCS (sizeof corpus / sizeof corpus[0])

/* Out of memory is the only acceptable failure: the child then stops (its half-built
 * objects are not freed: _exit, so that a leak checker does not count them). */
#define STEP(call)                                                                        \
    do {                                                                                  \
        lh_status st_ = (call);                                                           \
        if (st_ == LH_ENOMEM || st_ == LH_ETOOBIG)                                        \
            _exit(0);                                                                     \
        if (st_ != LH_OK) {                                                               \
            fprintf(stderr, "line %d: %s: %s\n", __LINE__, lh_status_name(st_), err.msg); \
            _exit(2);                                                                     \
        }                                                                                 \
    } while (0)

static int child(void)
{
    lh_err err = {{0}};
    size_t lens[N_DOCS];
    for (size_t i = 0; i < N_DOCS; i++)
        lens[i] = strlen(corpus[i]);
    lh_chunk_opts co = {.unit = LH_CHUNK_CHARS, .size = 30, .overlap = 8};
    lh_chunk_list cl = {0};
    STEP(lh_chunk_text(&co, "row-1", corpus[0], lens[0], &cl, &err));
    if (cl.n < 2)
        _exit(3);
    lh_chunk_list_release(&cl);

    lh_bm25_params bp = lh_bm25_defaults();
    bp.bigrams = true;
    lh_bm25 *bm;
    STEP(lh_bm25_new(&bp, &bm, &err));
    for (size_t i = 0; i < N_DOCS; i++)
        STEP(lh_bm25_add(bm, corpus[i], lens[i], &err));
    lh_ai_hit hits[3];
    size_t n;
    STEP(lh_bm25_search(bm, "bread oven", 10, 3, hits, &n, &err));
    if (n != 3 || hits[0].doc != 0)
        _exit(4);
    lh_buf b;
    lh_buf_init(&b, 0);
    STEP(lh_bm25_save(bm, &b));
    lh_bm25 *bm2;
    STEP(lh_bm25_load(b.data, b.len, &bm2, &err));
    lh_buf_release(&b);
    lh_bm25_free(bm2);

    lh_lsa_params lp = lh_lsa_defaults();
    lp.dims = 4;
    lp.bigrams = true;
    lh_lsa *m;
    STEP(lh_lsa_fit(&lp, corpus, lens, N_DOCS, &m, &err));
    float v[4];
    STEP(lh_lsa_embed(m, corpus[1], lens[1], v, &err));
    lh_buf_init(&b, 0);
    STEP(lh_lsa_save(m, &b));
    lh_lsa *m2;
    STEP(lh_lsa_load(b.data, b.len, &m2, &err));
    lh_buf_release(&b);
    lh_lsa_free(m2);
    /* more chunks than terms: the fit's terms-side path */
    const char *small[8];
    size_t slens[8];
    for (size_t i = 0; i < 8; i++) {
        small[i] = i % 2 ? "alpha beta gamma" : "gamma delta";
        slens[i] = strlen(small[i]);
    }
    lp.dims = 2;
    lp.porter = true;
    STEP(lh_lsa_fit(&lp, small, slens, 8, &m2, &err));
    lh_lsa_free(m2);

    lh_ai *ai;
    STEP(lh_ai_builtin_new(m, bm, 0.2f, &ai, &err));
    float scores[N_DOCS];
    STEP(lh_ai_rerank(ai, "bread", corpus, NULL, N_DOCS, scores, &err));
    if (!(scores[0] > scores[2]))
        _exit(5);
    float vs[2 * 4];
    STEP(lh_ai_embed(ai, corpus, NULL, 2, vs, &err));
    lh_ai_free(ai);

    lh_ai_hit a[] = {{1, 3}, {2, 1}}, d[] = {{2, 0.5f}}, out[3];
    STEP(lh_fuse(LH_FUSE_WEIGHTED, 0.5f, a, 2, d, 1, out, &n, &err));
    STEP(lh_fuse(LH_FUSE_ZSCORE, 0.5f, a, 2, d, 1, out, &n, &err));
    const char *tsv = "q\tA\t1\nq\tB\t1\n";
    lh_qrels *q;
    STEP(lh_qrels_parse(tsv, strlen(tsv), &q, &err));
    const char *ranked[] = {"B", "X"};
    double nd, rc;
    STEP(lh_eval_query(q, "q", ranked, 2, 10, 10, &nd, &rc));
    lh_qrels_free(q);
    return 0;
}

static char self_path[4096];

/* Runs the child with LH_FAIL_ALLOC_AT=at; returns its exit status (-1: killed) and
 * whether the injection happened. */
static int run_child(long at, bool *injected)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        char n[32];
        snprintf(n, sizeof n, "%ld", at);
        setenv("LH_FAIL_ALLOC_AT", n, 1);
        execl(self_path, self_path, "--alloc-child", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[4096];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0 && len < sizeof buf - 1)
        len += (size_t)r;
    while (read(fds[0], buf, 0) > 0) /* drain (nothing more expected) */
        ;
    close(fds[0]);
    buf[len] = '\0';
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    *injected = strstr(buf, "injected allocation failure") != NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "LH_FAIL_ALLOC_AT=%ld: %s", at, buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void every_allocation_fails_once(void **state)
{
    (void)state;
#ifndef LH_FAULTS
    skip();
#endif
    long at = 1;
    for (;; at++) {
        bool injected;
        assert_int_equal(run_child(at, &injected), 0);
        if (!injected)
            break;
        assert_true(at < 100000);
    }
    /* the cycle allocates plenty: a loop that stopped at once would prove nothing */
    assert_true(at > 100);
    fprintf(stderr, "# %ld allocations, each failed once\n", at - 1);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--alloc-child") == 0)
        return child();
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n <= 0)
        return 1;
    self_path[n] = '\0';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allocation_fails_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
