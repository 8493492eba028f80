/* Unit tests for model profiles: the body checks and storage of src/catalog/profiles.c
 * (ids, unknown fields, providers, bindings, HNSW bounds; put-if-absent, reopen, listing
 * order, damaged files, delete) and the index selection and search scope of
 * src/vector/profile.c over registry entries written by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "catalog/profiles.h"
#include "core/buf.h"
#include "core/util.h"
#include "storage/storage.h"
#include "vector/profile.h"
#include "testutil.h"

#define T0 1795712400000LL /* 2026-11-26T17:00:00.000Z */

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!v)
        fail_msg("bad test JSON (%s): %s", je.text, text);
    return v;
}

#define GOOD "{\"id\": \"analyst\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"sales\"]}"

static void ids(void **state)
{
    (void)state;
    char n64[65], n65[66];
    memset(n64, 'a', 64);
    n64[64] = '\0';
    memset(n65, 'a', 65);
    n65[65] = '\0';
    const char *good[] = {"a", "analyst", "team-a_1", "0", "-", n64};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        lh_err err = {{0}};
        if (lh_profiles_check_id(good[i], &err))
            fail_msg("'%s' refused: %s", good[i], err.msg);
    }
    const char *bad[] = {"", n65, "A", "a.b", "..", ".", "../x", "a/b", "a\\b", "a b", "caf\xc3\xa9",
                         "x\n", "%2e%2e", "a:b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lh_err err = {{0}};
        if (lh_profiles_check_id(bad[i], &err) != LH_EINVAL)
            fail_msg("bad id '%s' accepted", bad[i]);
        assert_non_null(strstr(err.msg, "profile id"));
    }
    assert_int_equal(lh_profiles_check_id(NULL, NULL), LH_EINVAL);
    lh_buf key;
    lh_buf_init(&key, 0);
    assert_int_equal(lh_profiles_key("team-a", &key, NULL), LH_OK);
    assert_string_equal(lh_buf_cstr(&key), "_catalog/profiles/team-a.json");
    lh_buf_reset(&key);
    assert_int_equal(lh_profiles_key("../x", &key, NULL), LH_EINVAL);
    assert_int_equal(key.len, 0);
    lh_buf_release(&key);
}

/* Each bad body is refused with a message holding the expected words. */
static void body_checks(void **state)
{
    (void)state;
    json_t *ok = parse(GOOD), *b;
    lh_err err = {{0}};
    assert_int_equal(lh_profiles_check(ok, &err), LH_OK);
    json_decref(ok);
    ok = parse("{\"id\": \"p\", \"description\": \"d\", \"embed\": {\"provider\": \"ollama\", \"model\": "
               "\"nomic-embed-text\"}, \"generate_model\": \"llama3\", \"bound_datasets\": [\"a\", \"b\"], "
               "\"hnsw\": {\"M\": 4, \"ef_construction\": 400, \"ef_search\": 200, \"seed\": 0}}");
    assert_int_equal(lh_profiles_check(ok, &err), LH_OK);
    json_decref(ok);
    ok = parse("{\"id\": \"p\", \"embed\": {\"provider\": \"openai\", \"model\": \"m\"}, "
               "\"bound_datasets\": [\"a\"], \"hnsw\": null, \"generate_model\": null}");
    assert_int_equal(lh_profiles_check(ok, &err), LH_OK);
    json_decref(ok);

    static const struct { const char *body, *want; } bad[] = {
        {"[]", "JSON object"},
        {"{\"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"]}", "'id' is required"},
        {"{\"id\": 7, \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"]}", "'id' must be a string"},
        {"{\"id\": \"../etc\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"]}", "profile id"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"x\": 1}", "unknown field 'x'"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"created_by\": \"me\"}", "the server sets it"},
        {"{\"id\": \"p\", \"bound_datasets\": [\"a\"]}", "'embed' is required"},
        {"{\"id\": \"p\", \"embed\": \"builtin\", \"bound_datasets\": [\"a\"]}", "'embed' must be an object"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"acme\"}, \"bound_datasets\": [\"a\"]}", "builtin, ollama or openai"},
        {"{\"id\": \"p\", \"embed\": {}, \"bound_datasets\": [\"a\"]}", "'embed.provider' is required"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"ollama\"}, \"bound_datasets\": [\"a\"]}", "'embed.model' is required"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\", \"dims\": 3}, \"bound_datasets\": [\"a\"]}", "unknown field 'embed.dims'"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\", \"model\": 5}, \"bound_datasets\": [\"a\"]}", "'embed.model' must be a string"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}}", "'bound_datasets' is required"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": []}", "non-empty array"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": \"a\"}", "non-empty array"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [1]}", "item 0 is not a string"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\", \"../b\"]}", "item 1"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\", \"a\"]}", "names 'a' twice"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\\u0000b\"]}", "NUL"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": 16}", "'hnsw' must be null or an object"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 80, \"ef_search\": 30}}", "'hnsw.seed' is required"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 3, \"ef_construction\": 80, \"ef_search\": 30, \"seed\": 1}}", "'hnsw.M' must be from 4 to 64, not 3"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 65, \"ef_construction\": 80, \"ef_search\": 30, \"seed\": 1}}", "'hnsw.M' must be from 4 to 64"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 9, \"ef_search\": 30, \"seed\": 1}}", "'hnsw.ef_construction' must be from 10 to 400"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 401, \"ef_search\": 30, \"seed\": 1}}", "'hnsw.ef_construction' must be from 10 to 400"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 80, \"ef_search\": 201, \"seed\": 1}}", "'hnsw.ef_search' must be from 10 to 200"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 80, \"ef_search\": 9, \"seed\": 1}}", "'hnsw.ef_search' must be from 10 to 200"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 80, \"ef_search\": 30, \"seed\": -1}}", "'hnsw.seed' must be >= 0"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16.5, \"ef_construction\": 80, \"ef_search\": 30, \"seed\": 1}}", "'hnsw.M' must be a whole number"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"hnsw\": {\"M\": 16, \"ef_construction\": 80, \"ef_search\": 30, \"seed\": 1, \"ef\": 3}}", "unknown field 'hnsw.ef'"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"description\": [\"x\"]}", "'description' must be a string"},
        {"{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], \"generate_model\": {}}", "'generate_model' must be a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b = parse(bad[i].body);
        lh_err e = {{0}};
        if (lh_profiles_check(b, &e) != LH_EINVAL)
            fail_msg("body %zu accepted: %s", i, bad[i].body);
        if (!strstr(e.msg, bad[i].want))
            fail_msg("body %zu: message '%s' lacks '%s'", i, e.msg, bad[i].want);
        assert_null(strchr(e.msg, '\n'));
        json_decref(b);
    }

    /* what the client sent is quoted on one line of valid UTF-8: a field name with a line
     * break, an id cut inside a character by the 64-byte quote (fuzz_json_body finding) */
    b = parse("{\"id\": \"p\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"a\"], "
              "\"x\\ny\\u0001\": 1}");
    assert_int_equal(lh_profiles_check(b, &err), LH_EINVAL);
    assert_string_equal(err.msg, "unknown field 'x?y?'");
    json_decref(b);
    char id[80];
    memset(id, 'a', 63);
    memcpy(id + 63, "\xc3\xa9\n", 4); /* byte 64 is the first of two of an e-acute */
    assert_int_equal(lh_profiles_check_id(id, &err), LH_EINVAL);
    assert_null(strchr(err.msg, '\n'));
    assert_true(lh_utf8_valid(err.msg, strlen(err.msg)));
    assert_non_null(strstr(err.msg, "aaa?...' is longer than 64"));

    /* the bounds on sizes: 256 bindings pass, 257 do not; a 4 KiB description passes */
    json_t *arr = json_array();
    b = parse(GOOD);
    char name[16];
    for (int i = 0; i < LH_PROFILE_BINDINGS_MAX; i++) {
        snprintf(name, sizeof name, "d%d", i);
        json_array_append_new(arr, json_string(name));
    }
    json_object_set(b, "bound_datasets", arr);
    assert_int_equal(lh_profiles_check(b, &err), LH_OK);
    json_array_append_new(arr, json_string("one_more"));
    assert_int_equal(lh_profiles_check(b, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "257 names, over the 256"));
    json_decref(arr);
    char *desc = malloc(LH_PROFILE_DESCRIPTION_MAX + 2);
    memset(desc, 'x', LH_PROFILE_DESCRIPTION_MAX + 1);
    desc[LH_PROFILE_DESCRIPTION_MAX + 1] = '\0';
    json_object_set_new(b, "bound_datasets", json_pack("[s]", "a"));
    json_object_set_new(b, "description", json_string(desc));
    assert_int_equal(lh_profiles_check(b, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "'description' is longer than 4096"));
    desc[LH_PROFILE_DESCRIPTION_MAX] = '\0';
    json_object_set_new(b, "description", json_string(desc));
    assert_int_equal(lh_profiles_check(b, &err), LH_OK);
    free(desc);
    json_decref(b);
}

typedef struct fixture {
    char root[256];
    lh_store *store;
    lh_catalog *cat;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    lh_test_tmpdir(f->root, sizeof f->root);
    lh_err err = {{0}};
    if (lh_store_open_local(f->root, &f->store, &err) || lh_catalog_open(f->store, &f->cat, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    const char *names[] = {"sales", "hr"};
    for (size_t i = 0; i < 2; i++) {
        json_t *m = lh_manifest_new(names[i], T0);
        if (lh_catalog_put(f->cat, m, &err))
            return -1;
        json_decref(m);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_catalog_free(f->cat);
    lh_store_free(f->store);
    lh_test_rmtree(f->root);
    free(f);
    return 0;
}

static void put(fixture *f, const char *key, const char *text)
{
    lh_err err = {{0}};
    if (lh_store_put(f->store, key, text, strlen(text), &err))
        fail_msg("put %s: %s", key, err.msg);
}

static char *file_text(fixture *f, const char *key)
{
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_err err = {{0}};
    char *out = NULL;
    if (!lh_store_get(f->store, key, 1 << 20, &b, &err))
        out = strdup(lh_buf_cstr(&b));
    lh_buf_release(&b);
    return out;
}

static void create_get_list_delete(void **state)
{
    fixture *f = *state;
    lh_err err = {{0}};
    json_t *out = NULL;

    /* a binding that is neither a dataset nor a view: nothing written */
    json_t *b = parse("{\"id\": \"x\", \"embed\": {\"provider\": \"builtin\"}, \"bound_datasets\": [\"sales\", \"nope\"]}");
    assert_int_equal(lh_profiles_create(f->store, f->cat, b, "alice", T0, &out, &err), LH_EINVAL);
    assert_string_equal(err.msg, "bound dataset 'nope' is neither a dataset nor an AI-safe view");
    assert_null(out);
    assert_null(file_text(f, "_catalog/profiles/x.json"));
    json_decref(b);

    /* an AI-safe view counts once its definition is in the bucket */
    put(f, "_catalog/views/safe_sales.json", "{\"name\": \"safe_sales\"}");
    b = parse("{\"id\": \"team-b\", \"description\": \"HR analysts\", \"embed\": {\"provider\": \"builtin\"}, "
              "\"bound_datasets\": [\"hr\", \"safe_sales\"], \"hnsw\": {\"M\": 8, \"ef_construction\": 40, "
              "\"ef_search\": 20, \"seed\": 7}}");
    assert_int_equal(lh_profiles_create(f->store, f->cat, b, "alice", T0, &out, &err), LH_OK);
    json_t *want = parse("{\"profile_version\": 1, \"id\": \"team-b\", \"description\": \"HR analysts\", "
                         "\"embed\": {\"provider\": \"builtin\", \"model\": \"lsa-256\"}, \"generate_model\": null, "
                         "\"bound_datasets\": [\"hr\", \"safe_sales\"], \"hnsw\": {\"M\": 8, "
                         "\"ef_construction\": 40, \"ef_search\": 20, \"seed\": 7}, "
                         "\"created_at\": \"2026-11-26T17:00:00.000Z\", \"created_by\": \"alice\"}");
    assert_true(json_equal(out, want));
    json_decref(out);

    /* a duplicate id: LH_EEXIST naming it, the stored file unchanged */
    char *before = file_text(f, "_catalog/profiles/team-b.json");
    assert_non_null(before);
    json_object_set_new(b, "description", json_string("other"));
    assert_int_equal(lh_profiles_create(f->store, f->cat, b, "bob", T0 + 1, &out, &err), LH_EEXIST);
    assert_string_equal(err.msg, "profile 'team-b' already exists");
    char *after = file_text(f, "_catalog/profiles/team-b.json");
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(b);

    /* more profiles, ids that sort differently as keys ("a-b.json" < "a.json") and as ids */
    const char *more[] = {"a", "a-b", "zz"};
    for (size_t i = 0; i < 3; i++) {
        b = json_pack("{s:s, s:{s:s}, s:[s]}", "id", more[i], "embed", "provider", "builtin",
                      "bound_datasets", "sales");
        assert_int_equal(lh_profiles_create(f->store, f->cat, b, NULL, T0, NULL, &err), LH_OK);
        json_decref(b);
    }

    /* a second store over the same root (a restart) sees the same profiles */
    lh_store *s2 = NULL;
    assert_int_equal(lh_store_open_local(f->root, &s2, &err), LH_OK);
    json_t *got = NULL;
    assert_int_equal(lh_profiles_get(s2, "team-b", &got, &err), LH_OK);
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    assert_int_equal(lh_profiles_get(s2, "a", &got, &err), LH_OK);
    assert_string_equal(json_string_value(json_object_get(got, "created_by")), "anonymous");
    json_decref(got);

    /* a damaged file: get says so, list skips it */
    put(f, "_catalog/profiles/broken.json", "{\"id\": \"broken\", ");
    put(f, "_catalog/profiles/notes.txt", "not a profile");
    assert_int_equal(lh_profiles_get(s2, "broken", &got, &err), LH_ECORRUPT);
    assert_non_null(strstr(err.msg, "profile 'broken' is damaged"));
    json_t *list = NULL;
    assert_int_equal(lh_profiles_list(s2, &list, &err), LH_OK);
    const char *order[] = {"a", "a-b", "team-b", "zz"};
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(list, i), "id")), order[i]);
    json_decref(list);

    /* get/delete of unknown or bad ids */
    assert_int_equal(lh_profiles_get(s2, "nope", &got, &err), LH_ENOTFOUND);
    assert_string_equal(err.msg, "no profile 'nope'");
    assert_int_equal(lh_profiles_get(s2, "../catalog/datasets/sales", &got, &err), LH_EINVAL);
    assert_int_equal(lh_profiles_delete(s2, "../datasets/sales", &err), LH_EINVAL);
    char *m = file_text(f, "_catalog/datasets/sales.json");
    assert_non_null(m); /* the manifest a '..' id would have reached is still there */
    free(m);

    assert_int_equal(lh_profiles_delete(s2, "a-b", &err), LH_OK);
    assert_int_equal(lh_profiles_delete(s2, "a-b", &err), LH_ENOTFOUND);
    assert_int_equal(lh_profiles_get(f->store, "a-b", &got, &err), LH_ENOTFOUND);
    assert_int_equal(lh_profiles_list(f->store, &list, &err), LH_OK);
    assert_int_equal(json_array_size(list), 3);
    json_decref(list);
    lh_store_free(s2);
}

static void binds(void **state)
{
    (void)state;
    json_t *p = parse("{\"id\": \"p\", \"bound_datasets\": [\"a\", \"bc\"]}");
    assert_true(lh_profiles_binds(p, "a"));
    assert_true(lh_profiles_binds(p, "bc"));
    assert_false(lh_profiles_binds(p, "b"));
    assert_false(lh_profiles_binds(p, "abc"));
    assert_false(lh_profiles_binds(p, NULL));
    json_decref(p);
}

/* A registry entry written by hand: what lh_vec_registry_get reads. */
static void index_entry(fixture *f, const char *name, const char *dataset, const char *provider,
                        const char *model)
{
    char key[256], text[512];
    snprintf(key, sizeof key, "_vectors/%s/index.json", name);
    snprintf(text, sizeof text, "{\"format\": 1, \"name\": \"%s\", \"source\": {\"dataset\": \"%s\"}, "
             "\"model\": {\"provider\": \"%s\", \"name\": \"%s\"}}", name, dataset, provider, model);
    put(f, key, text);
}

static void indexes_and_scope(void **state)
{
    fixture *f = *state;
    index_entry(f, "sales_body", "sales", "builtin", "lsa-256");
    index_entry(f, "sales_net", "sales", "ollama", "nomic-embed-text");
    index_entry(f, "hr_body", "hr", "builtin", "lsa-256");
    index_entry(f, "other_body", "other", "builtin", "lsa-256");
    json_t *p = parse("{\"id\": \"team\", \"embed\": {\"provider\": \"builtin\", \"model\": \"lsa-256\"}, "
                      "\"bound_datasets\": [\"sales\", \"hr\", \"safe_view\"]}");
    json_t *use = NULL, *skipped = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_vec_profile_indexes(f->store, p, &use, &skipped, &err), LH_OK);
    json_t *want_use = parse("[{\"index\": \"hr_body\", \"dataset\": \"hr\"}, "
                             "{\"index\": \"sales_body\", \"dataset\": \"sales\"}]");
    assert_true(json_equal(use, want_use));
    assert_int_equal(json_array_size(skipped), 1);
    json_t *s = json_array_get(skipped, 0);
    assert_string_equal(json_string_value(json_object_get(s, "index")), "sales_net");
    assert_non_null(strstr(json_string_value(json_object_get(s, "reason")),
                           "embedded with ollama/nomic-embed-text, not the profile's builtin/lsa-256"));
    json_decref(use);
    json_decref(skipped);
    json_decref(want_use);

    /* scope: an index over a bound dataset passes whatever its model; others are refused
     * naming the bindings; an unknown index is not found */
    assert_int_equal(lh_vec_profile_scope(f->store, p, "sales_body", &err), LH_OK);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "sales_net", &err), LH_OK);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "other_body", &err), LH_EDENIED);
    assert_string_equal(err.msg, "profile 'team' may search only: sales, hr, safe_view");
    /* a name that is no index: a bound one passes (a dataset name, resolved later), any
     * other is refused like an out-of-scope index, saying nothing of what exists */
    assert_int_equal(lh_vec_profile_scope(f->store, p, "hr", &err), LH_OK);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "other", &err), LH_EDENIED);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "nope", &err), LH_EDENIED);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "../x", &err), LH_EINVAL);
    json_decref(p);

    /* many bindings: the message stays one bounded line and says how many it left out */
    json_t *arr = json_array();
    char name[64];
    for (int i = 0; i < LH_PROFILE_BINDINGS_MAX; i++) {
        snprintf(name, sizeof name, "dataset_with_a_rather_long_name_number_%03d", i);
        json_array_append_new(arr, json_string(name));
    }
    p = json_pack("{s:s, s:o}", "id", "big", "bound_datasets", arr);
    assert_int_equal(lh_vec_profile_scope(f->store, p, "other_body", &err), LH_EDENIED);
    assert_non_null(strstr(err.msg, "profile 'big' may search only: dataset_with_a_rather_long_name_number_000, "));
    assert_non_null(strstr(err.msg, " more"));
    assert_true(strlen(err.msg) < sizeof err.msg - 1);
    json_decref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids),
        cmocka_unit_test(body_checks),
        cmocka_unit_test(binds),
        cmocka_unit_test_setup_teardown(create_get_list_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(indexes_and_scope, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
