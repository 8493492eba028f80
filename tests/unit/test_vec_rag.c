/* RAG over a real index (src/vector/rag.c): a data directory in a temp dir, a CSV
 * ingested, an index built (lh_vec_build), then lh_vec_rag_json. Checks that every
 * citation's character offsets slice its quote out of the source row's text (counted
 * here in code points, as SQL's substring counts them), that a generator answering
 * LH_EUNSUPPORTED (the builtin provider) falls back to the extractive answer, and that a
 * where filter and k bound the cited rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "lake/lake.h"
#include "testutil.h"
#include "vector/index.h"
#include "vector/search_int.h"

typedef struct fixture {
    char root[256];
    lh_lake *lake;
    lh_vec_senv env;
    lh_vec_index *idx;
} fixture;

static const char *const bodies[] = {
    "Zoë Ünal led the payments platform migration to Kubernetes. She owned the ledger.",
    "Bakes sourdough bread every morning. Runs the bakery ovens.",
    "Résumé: builds fraud detection models for card payments. Tunes the models weekly.",
    "Runs Kubernetes clusters as a site reliability engineer. Keeps them patched.",
    "Led the migration of a legacy billing platform to microservices. Cut costs by 37%.",
    "Pastry chef and cake decoration. Bread and pastry every day.",
};
#define N (sizeof bodies / sizeof bodies[0])

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lh_err err = {{0}};
    lh_test_tmpdir(f->root, sizeof f->root);
    char data[300], csv[300];
    snprintf(data, sizeof data, "%s/data", f->root);
    snprintf(csv, sizeof csv, "%s/docs.csv", f->root);
    FILE *fp = fopen(csv, "w");
    fprintf(fp, "id,state,body\n");
    for (size_t i = 0; i < N; i++)
        fprintf(fp, "%zu,%s,\"%s\"\n", i + 1, i % 2 ? "CA" : "TX", bodies[i]);
    fclose(fp);
    lh_lake_options lo = {.data_dir = data, .writer = true};
    if (lh_lake_open(&lo, &f->lake, &err))
        fail_msg("open: %s", err.msg);
    lh_ingest_request req = {.path = csv, .name = "docs"};
    lh_ingest_result res;
    if (lh_lake_ingest(f->lake, &req, &res, &err))
        fail_msg("ingest: %s", err.msg);
    lh_ingest_result_release(&res);
    lh_vec_env venv;
    lh_lake_vec_env(f->lake, &venv);
    json_t *body = json_pack("{s:s, s:s, s:s}", "dataset", "docs", "text_column", "body",
                             "key_column", "id");
    lh_vec_spec spec;
    if (lh_vec_spec_from_json(body, &spec, &err) || lh_vec_build(&venv, &spec, "test", NULL, NULL, NULL, &err))
        fail_msg("build: %s", err.msg);
    json_decref(body);
    lh_lake_vec_senv(f->lake, &f->env);
    if (lh_vec_index_load(&f->env, "docs_body", &f->idx, &err))
        fail_msg("load: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_vec_index_free(f->idx);
    lh_lake_free(f->lake);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

/* The characters [start, end) of s, as SQL's substring(s, start + 1, end - start). */
static char *slice_chars(const char *s, size_t start, size_t end)
{
    size_t c = 0, i = 0, b = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (c == start)
            b = i;
        if (c == end)
            break;
        c++;
    }
    if (c < end)
        i = strlen(s);
    char *out = calloc(1, i - b + 1);
    memcpy(out, s + b, i - b);
    return out;
}

static json_t *rag(fixture *f, const char *q, size_t k, const char *where)
{
    json_t *out = NULL;
    lh_err err = {{0}};
    if (lh_vec_rag_json(&f->env, f->idx, q, k, where, NULL, &out, &err))
        fail_msg("rag: %s", err.msg);
    return out;
}

static void citations_slice_the_source(void **state)
{
    fixture *f = *state;
    json_t *out = rag(f, "who led the payments platform migration to kubernetes?", 3, NULL);
    json_t *cites = json_object_get(out, "citations");
    assert_true(json_array_size(cites) >= 1);
    assert_string_equal(json_string_value(json_object_get(out, "provider")), "builtin");
    /* the best sentence is the first row's, with its non-ASCII name before it */
    json_t *c0 = json_array_get(cites, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "key")), "1");
    assert_string_equal(json_string_value(json_object_get(c0, "quote")),
                        "Zoë Ünal led the payments platform migration to Kubernetes.");
    size_t i;
    json_t *c;
    json_array_foreach(cites, i, c) {
        long key = strtol(json_string_value(json_object_get(c, "key")), NULL, 10);
        assert_true(key >= 1 && key <= (long)N);
        assert_string_equal(json_string_value(json_object_get(c, "dataset")), "docs");
        assert_int_equal(json_integer_value(json_object_get(c, "table_version")), 0);
        char *q = slice_chars(bodies[key - 1], (size_t)json_integer_value(json_object_get(c, "start")),
                              (size_t)json_integer_value(json_object_get(c, "end")));
        assert_string_equal(q, json_string_value(json_object_get(c, "quote")));
        free(q);
        /* the answer quotes it, followed by its number */
        char mark[32];
        snprintf(mark, sizeof mark, " [%zu]", i + 1);
        const char *ans = json_string_value(json_object_get(out, "answer"));
        const char *at = strstr(ans, json_string_value(json_object_get(c, "quote")));
        assert_non_null(at);
        assert_memory_equal(at + strlen(json_string_value(json_object_get(c, "quote"))), mark,
                            strlen(mark));
    }
    /* a second sentence after two 2-byte letters: character 57 is byte 59 */
    json_t *o2 = rag(f, "who tunes the fraud models weekly?", 1, NULL);
    json_t *d0 = json_array_get(json_object_get(o2, "citations"), 0);
    assert_string_equal(json_string_value(json_object_get(d0, "key")), "3");
    assert_string_equal(json_string_value(json_object_get(d0, "quote")), "Tunes the models weekly.");
    assert_int_equal(json_integer_value(json_object_get(d0, "start")), 57);
    assert_int_equal(json_integer_value(json_object_get(d0, "end")), 57 + 24);
    json_decref(o2);
    json_decref(out);
}

static void unsupported_generator_falls_back(void **state)
{
    fixture *f = *state;
    const char *q = "who bakes sourdough bread?";
    json_t *plain = rag(f, q, 2, NULL);
    f->env.generator = f->idx->ai; /* the builtin provider: generate is LH_EUNSUPPORTED */
    json_t *fell = rag(f, q, 2, NULL);
    f->env.generator = NULL;
    assert_true(json_equal(plain, fell));
    assert_string_equal(json_string_value(json_object_get(fell, "provider")), "builtin");
    json_decref(plain);
    json_decref(fell);
}

static void where_and_k_bound_the_citations(void **state)
{
    fixture *f = *state;
    /* state CA = the even ids (2, 4, 6): the migration row 1 (TX) can never be cited */
    json_t *out = rag(f, "who led the payments platform migration to kubernetes?", 2, "state = 'CA'");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(out, "citations"), i, c)
        assert_int_equal(strtol(json_string_value(json_object_get(c, "key")), NULL, 10) % 2, 0);
    json_decref(out);
    /* nothing allowed: an answer that says so, no citation */
    out = rag(f, "bread", 3, "state = 'nowhere'");
    assert_int_equal(json_array_size(json_object_get(out, "citations")), 0);
    assert_string_equal(json_string_value(json_object_get(out, "answer")),
                        "No indexed row matches the question.");
    json_decref(out);
    lh_err err = {{0}};
    assert_int_equal(lh_vec_rag_json(&f->env, f->idx, "x", 0, NULL, NULL, &out, &err), LH_EINVAL);
    assert_int_equal(lh_vec_rag_json(&f->env, f->idx, "x", 101, NULL, NULL, &out, &err), LH_EINVAL);
    assert_int_equal(lh_vec_rag_json(&f->env, f->idx, "  ", 3, NULL, NULL, &out, &err), LH_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(citations_slice_the_source),
        cmocka_unit_test(unsupported_generator_falls_back),
        cmocka_unit_test(where_and_k_bound_the_citations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
