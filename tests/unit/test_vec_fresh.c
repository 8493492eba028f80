/* Unit tests for what keeps vector indexes fresh and erased (issue 14, item 7): the
 * refresh's diff by key and content hash (src/vector/diff.c) and the LSA vocabulary's
 * pruning after an erasure (lh_lsa_prune, src/ai/lsa.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/lsa.h"
#include "core/buf.h"
#include "vector/diff.h"

static void diff(const lh_vec_rowsig *old, size_t nold, const lh_vec_rowsig *cur, size_t ncur,
                 lh_vec_diff *d)
{
    lh_err err = {{0}};
    lh_status st = lh_vec_diff_compute(old, nold, cur, ncur, d, &err);
    if (st)
        fail_msg("diff: %s", err.msg);
}

static void diff_by_hand(void **state)
{
    (void)state;
    /* old: a b c d e; cur: e (same) a (changed) f (new) c (same) g (new); b, d gone */
    const lh_vec_rowsig old[] = {{"a", "h1"}, {"b", "h2"}, {"c", "h3,h4"}, {"d", "h5"},
                                 {"e", "h6"}};
    const lh_vec_rowsig cur[] = {{"e", "h6"}, {"a", "h1x"}, {"f", "h7"}, {"c", "h3,h4"},
                                 {"g", "h8"}};
    lh_vec_diff d;
    diff(old, 5, cur, 5, &d);
    assert_int_equal(d.nnew, 2);
    assert_int_equal(d.nchanged, 1);
    assert_int_equal(d.ngone, 2);
    assert_int_equal(d.nsame, 2);
    /* embed: a (cur 1), f (cur 2), g (cur 4), ascending */
    assert_int_equal(d.nembed, 3);
    assert_int_equal(d.embed[0], 1);
    assert_int_equal(d.embed[1], 2);
    assert_int_equal(d.embed[2], 4);
    /* drop: a (old 0), b (old 1), d (old 3) */
    assert_int_equal(d.ndrop, 3);
    assert_int_equal(d.drop[0], 0);
    assert_int_equal(d.drop[1], 1);
    assert_int_equal(d.drop[2], 3);
    lh_vec_diff_release(&d);
    /* a signature that is a prefix of the other is a change (one more chunk) */
    const lh_vec_rowsig longer[] = {{"c", "h3,h4,h9"}};
    diff(old + 2, 1, longer, 1, &d);
    assert_int_equal(d.nchanged, 1);
    assert_int_equal(d.nembed, 1);
    assert_int_equal(d.ndrop, 1);
    lh_vec_diff_release(&d);
}

static void diff_edges(void **state)
{
    (void)state;
    const lh_vec_rowsig rows[] = {{"k1", "x"}, {"k2", "y"}};
    lh_vec_diff d;
    /* empty index: every row is new; empty source: every row is gone */
    diff(NULL, 0, rows, 2, &d);
    assert_int_equal(d.nnew, 2);
    assert_int_equal(d.nembed, 2);
    assert_int_equal(d.ndrop, 0);
    lh_vec_diff_release(&d);
    diff(rows, 2, NULL, 0, &d);
    assert_int_equal(d.ngone, 2);
    assert_int_equal(d.ndrop, 2);
    assert_int_equal(d.nembed, 0);
    lh_vec_diff_release(&d);
    diff(rows, 2, rows, 2, &d);
    assert_int_equal(d.nsame, 2);
    assert_int_equal(d.nembed + d.ndrop, 0);
    lh_vec_diff_release(&d);
    /* keys compare byte for byte: "K1" is not "k1" */
    const lh_vec_rowsig upper[] = {{"K1", "x"}};
    diff(rows, 1, upper, 1, &d);
    assert_int_equal(d.nnew, 1);
    assert_int_equal(d.ngone, 1);
    lh_vec_diff_release(&d);
    /* a key twice is refused, naming it */
    const lh_vec_rowsig twice[] = {{"k9", "x"}, {"k1", "y"}, {"k9", "z"}};
    lh_err err = {{0}};
    assert_int_equal(lh_vec_diff_compute(rows, 2, twice, 3, &d, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "'k9' appears twice in the source rows"));
    assert_null(d.embed);
    assert_int_equal(lh_vec_diff_compute(twice, 3, rows, 2, &d, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "indexed rows"));
}

/* A larger diff checked against a plain quadratic comparison. */
static void diff_against_brute_force(void **state)
{
    (void)state;
    enum { N = 300 };
    static char okeys[N][16], osigs[N][16], ckeys[N][16], csigs[N][16];
    lh_vec_rowsig old[N], cur[N];
    unsigned seed = 12345;
    size_t nold = 0, ncur = 0;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) % 4;
        snprintf(okeys[i], sizeof okeys[i], "key%zu", i);
        snprintf(osigs[i], sizeof osigs[i], "s%zu", i);
        if (r != 0) { /* 0: gone */
            old[nold++] = (lh_vec_rowsig){okeys[i], osigs[i]};
        }
        snprintf(ckeys[i], sizeof ckeys[i], r == 1 ? "new%zu" : "key%zu", i);
        snprintf(csigs[i], sizeof csigs[i], r == 2 ? "t%zu" : "s%zu", i);
        cur[ncur++] = (lh_vec_rowsig){ckeys[i], csigs[i]};
    }
    lh_vec_diff d;
    diff(old, nold, cur, ncur, &d);
    size_t want_embed = 0, want_drop = 0, same = 0;
    for (size_t j = 0; j < ncur; j++) {
        bool found = false, equal = false;
        for (size_t i = 0; i < nold; i++)
            if (!strcmp(old[i].key, cur[j].key)) {
                found = true;
                equal = !strcmp(old[i].sig, cur[j].sig);
            }
        if (!found || !equal) {
            assert_int_equal(d.embed[want_embed], j);
            want_embed++;
        } else {
            same++;
        }
    }
    for (size_t i = 0; i < nold; i++) {
        bool keep = false;
        for (size_t j = 0; j < ncur; j++)
            if (!strcmp(old[i].key, cur[j].key) && !strcmp(old[i].sig, cur[j].sig))
                keep = true;
        if (!keep) {
            assert_int_equal(d.drop[want_drop], i);
            want_drop++;
        }
    }
    assert_int_equal(d.nembed, want_embed);
    assert_int_equal(d.ndrop, want_drop);
    assert_int_equal(d.nsame, same);
    assert_int_equal(d.nnew + d.nchanged, want_embed);
    assert_int_equal(d.ngone + d.nchanged, want_drop);
    lh_vec_diff_release(&d);
}

/* ---- LSA pruning ------------------------------------------------------------------------ */

static const char *const people[] = {
    "Nurse with ten years in cardiology and intensive care.",
    "Cardiology nurse, intensive care unit, night shifts.",
    "Software engineer: kubernetes, payments, site reliability.",
    "Site reliability engineer who ran kubernetes for payments.",
    /* the person to erase: "zyxwolski" occurs in two chunks, so it is in the vocabulary */
    "Zyxwolski led the payments migration as engineer.",
    "Zyxwolski, kubernetes engineer, nurse before.",
};

static lh_lsa *fit_people(size_t n)
{
    size_t lens[8];
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(people[i]);
    lh_lsa_params p = lh_lsa_defaults();
    p.dims = 4;
    lh_lsa *m;
    lh_err err = {{0}};
    if (lh_lsa_fit(&p, people, lens, n, &m, &err))
        fail_msg("fit: %s", err.msg);
    return m;
}

static bool model_has(const lh_lsa *m, const char *needle)
{
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_lsa_save(m, &b), LH_OK);
    bool found = memmem(b.data, b.len, needle, strlen(needle)) != NULL;
    lh_buf_release(&b);
    return found;
}

static void lsa_prune_drops_the_erased_words(void **state)
{
    (void)state;
    lh_lsa *m = fit_people(6);
    size_t before = lh_lsa_terms(m);
    assert_true(model_has(m, "zyxwolski"));
    float v[4][4], w[4][4];
    lh_err err = {{0}};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(lh_lsa_embed(m, people[i], strlen(people[i]), v[i], &err), LH_OK);
    size_t lens[4], dropped = 0;
    for (size_t i = 0; i < 4; i++)
        lens[i] = strlen(people[i]);
    /* the four rows that remain after the erasure of the last two */
    assert_int_equal(lh_lsa_prune(m, people, lens, 4, &dropped, &err), LH_OK);
    assert_true(dropped >= 1);
    assert_int_equal(lh_lsa_terms(m), before - dropped);
    assert_false(model_has(m, "zyxwolski"));
    /* the remaining rows embed to the same bytes */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(lh_lsa_embed(m, people[i], strlen(people[i]), w[i], &err), LH_OK);
        assert_memory_equal(v[i], w[i], sizeof v[i]);
    }
    /* the erased name is an unknown word now */
    float q[4];
    assert_int_equal(lh_lsa_embed(m, "zyxwolski", 9, q, &err), LH_OK);
    for (size_t c = 0; c < 4; c++)
        assert_float_equal(q[c], 0.0, 0);
    /* the pruned model survives its file */
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_lsa_save(m, &b), LH_OK);
    lh_lsa *again;
    assert_int_equal(lh_lsa_load(b.data, b.len, &again, &err), LH_OK);
    assert_int_equal(lh_lsa_terms(again), lh_lsa_terms(m));
    assert_int_equal(lh_lsa_embed(again, people[2], strlen(people[2]), q, &err), LH_OK);
    assert_memory_equal(q, v[2], sizeof q);
    lh_lsa_free(again);
    lh_buf_release(&b);
    /* pruning with every remaining text again drops nothing */
    assert_int_equal(lh_lsa_prune(m, people, lens, 4, &dropped, &err), LH_OK);
    assert_int_equal(dropped, 0);
    lh_lsa_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(diff_by_hand),
        cmocka_unit_test(diff_edges),
        cmocka_unit_test(diff_against_brute_force),
        cmocka_unit_test(lsa_prune_drops_the_erased_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
