/* Unit tests for the vector index pieces that need no build (src/vector/spec.c, layout.c,
 * registry.c, job.c) and the Parquet writer of index rows (src/engine/vec_write.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/engine.h"
#include "engine/vec_write.h"
#include "storage/storage.h"
#include "testutil.h"
#include "vector/index.h"
#include "vector/index_int.h"

static lh_err err;

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    assert_non_null(v);
    return v;
}

/* spec_from_json on text: its status, and err.msg */
static lh_status spec_of(const char *text, lh_vec_spec *s)
{
    json_t *b = parse(text);
    lh_status st = lh_vec_spec_from_json(b, s, &err);
    json_decref(b);
    return st;
}

static void spec_defaults(void **state)
{
    (void)state;
    lh_vec_spec s;
    assert_int_equal(spec_of("{\"dataset\":\"candidates\",\"text_column\":\"Resume Text\","
                             "\"key_column\":\"id\"}", &s), LH_OK);
    assert_string_equal(s.name, "candidates_resume_text"); /* lowercased, space -> _ */
    assert_string_equal(s.provider, "builtin");
    assert_string_equal(s.model, "lsa-256");
    assert_int_equal(s.chunk.unit, LH_CHUNK_CHARS);
    assert_int_equal(s.chunk.size, 2000);
    assert_int_equal(s.chunk.overlap, 200);
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"chunk_unit\":\"tokens\"}", &s), LH_OK);
    assert_int_equal(s.chunk.unit, LH_CHUNK_TOKENS);
    assert_int_equal(s.chunk.size, 400);
    assert_int_equal(s.chunk.overlap, 40);
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"chunk_unit\":\"tokens\",\"chunk_size\":50,\"chunk_overlap\":0,"
                             "\"name\":\"x1\"}", &s), LH_OK);
    assert_int_equal(s.chunk.size, 50);
    assert_int_equal(s.chunk.overlap, 0);
    assert_string_equal(s.name, "x1");
    /* to_json and back is the same spec (job files rely on it) */
    json_t *j = lh_vec_spec_to_json(&s);
    lh_vec_spec s2;
    assert_int_equal(lh_vec_spec_from_json(j, &s2, &err), LH_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    json_decref(j);
    /* a provider without a default model: the empty model survives the round trip
     * (fuzz finding: "model": "" was refused when read back) */
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"provider\":\"openai\"}", &s), LH_OK);
    assert_string_equal(s.model, "");
    j = lh_vec_spec_to_json(&s);
    assert_int_equal(lh_vec_spec_from_json(j, &s2, &err), LH_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    json_decref(j);
}

static void spec_errors(void **state)
{
    (void)state;
    lh_vec_spec s;
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\"}", &s), LH_EINVAL);
    assert_string_equal(err.msg, "missing field 'key_column'");
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\",\"x\":1}", &s),
                     LH_EINVAL);
    assert_string_equal(err.msg, "unknown field 'x'");
    assert_int_equal(spec_of("{\"dataset\":5,\"text_column\":\"t\",\"key_column\":\"k\"}", &s), LH_EINVAL);
    assert_string_equal(err.msg, "field 'dataset' must be a non-empty string");
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"chunk_unit\":\"words\"}", &s), LH_EINVAL);
    assert_non_null(strstr(err.msg, "chunk_unit"));
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"chunk_size\":-1}", &s), LH_EINVAL);
    assert_int_equal(spec_of("{\"dataset\":\"d\",\"text_column\":\"t\",\"key_column\":\"k\","
                             "\"chunk_size\":1.5}", &s), LH_EINVAL);
    /* a default name over 63 bytes is refused, asking for a name */
    char long_body[512];
    snprintf(long_body, sizeof long_body, "{\"dataset\":\"%s\",\"text_column\":\"%s\",\"key_column\":\"k\"}",
             "dddddddddddddddddddddddddddddddddddddddd", "tttttttttttttttttttttttttttttttt");
    assert_int_equal(spec_of(long_body, &s), LH_EINVAL);
    assert_non_null(strstr(err.msg, "give a name"));
    json_t *arr = json_array();
    assert_int_equal(lh_vec_spec_from_json(arr, &s, &err), LH_EINVAL);
    json_decref(arr);
}

static void layout_keys(void **state)
{
    (void)state;
    lh_buf b;
    lh_buf_init(&b, 0);
    assert_int_equal(lh_vec_index_prefix("res", &b), LH_OK);
    assert_string_equal(b.data, "_vectors/res");
    lh_buf_reset(&b);
    assert_int_equal(lh_vec_index_key("res", "model/lsa.bin", &b), LH_OK);
    assert_string_equal(b.data, "_vectors/res/model/lsa.bin");
    lh_buf_reset(&b);
    assert_int_equal(lh_vec_job_key("vj-1", &b), LH_OK);
    assert_string_equal(b.data, "_jobs/vj-1.json");
    lh_buf_release(&b);
    assert_string_equal(lh_vec_root_key(), "_vectors");
}

/* A store with one dataset manifest, for spec_check and the registry. */
typedef struct fixture {
    char root[256];
    lh_store *store;
    lh_catalog *cat;
    json_t *events;
} fixture;

static void record(void *ctx, json_t *event)
{
    fixture *f = ctx;
    json_array_append(f->events, event);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lh_test_tmpdir(f->root, sizeof f->root);
    if (lh_store_open_local(f->root, &f->store, &err) || lh_catalog_open(f->store, &f->cat, &err))
        return -1;
    json_t *m = parse("{\"manifest_version\":1,\"name\":\"people\",\"table_version\":3,"
                      "\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                      "{\"name\":\"bio\",\"type\":\"VARCHAR\"},{\"name\":\"age\",\"type\":\"INTEGER\"}]}");
    if (lh_catalog_put(f->cat, m, &err))
        return -1;
    json_decref(m);
    f->events = json_array();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_catalog_free(f->cat);
    lh_store_free(f->store);
    lh_test_rmtree(f->root);
    json_decref(f->events);
    free(f);
    return 0;
}

static lh_status check(fixture *f, const char *body)
{
    lh_vec_spec s;
    lh_vec_env env = {.store = f->store, .catalog = f->cat};
    json_t *b = parse(body);
    lh_status st = lh_vec_spec_from_json(b, &s, &err);
    json_decref(b);
    return st ? st : lh_vec_spec_check(&env, &s, &err);
}

static void put(fixture *f, const char *key, const char *text)
{
    assert_int_equal(lh_store_put(f->store, key, text, strlen(text), &err), LH_OK);
}

static void spec_check_source(void **state)
{
    fixture *f = *state;
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\"}"), LH_OK);
    assert_int_equal(check(f, "{\"dataset\":\"nope\",\"text_column\":\"bio\",\"key_column\":\"id\"}"), LH_ENOTFOUND);
    assert_string_equal(err.msg, "no dataset named 'nope'");
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"cv\",\"key_column\":\"id\"}"), LH_ENOTFOUND);
    assert_string_equal(err.msg, "dataset 'people' has no column 'cv'");
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"pk\"}"), LH_ENOTFOUND);
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"age\",\"key_column\":\"id\"}"), LH_EINVAL);
    assert_string_equal(err.msg, "column 'age' of dataset 'people' is INTEGER, not text: index a text column");
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\",\"name\":\"Bad-Name\"}"), LH_EINVAL);
    assert_non_null(strstr(err.msg, "index name"));
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\",\"name\":\"_x\"}"), LH_EINVAL);
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\","
                              "\"chunk_size\":100,\"chunk_overlap\":100}"), LH_EINVAL);
    assert_non_null(strstr(err.msg, "must be smaller than the chunk size"));
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\",\"provider\":\"openai\"}"),
                     LH_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "openai"));
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\",\"model\":\"big\"}"), LH_EINVAL);
    /* an existing registry entry: the name is taken */
    put(f, "_vectors/people_bio/index.json", "{\"format\":1,\"name\":\"people_bio\"}");
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\"}"), LH_EEXIST);
    /* a leftover directory without a registry entry does not take the name */
    put(f, "_vectors/other/part-00000-b000000-x-c000.snappy.parquet", "x");
    assert_int_equal(check(f, "{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\",\"name\":\"other\"}"), LH_OK);
}

static void registry_list_get_drop(void **state)
{
    fixture *f = *state;
    put(f, "_vectors/a1/index.json", "{\"name\":\"a1\",\"source\":{\"dataset\":\"people\"},\"model\":{\"name\":\"lsa-256\"},\"chunks\":4}");
    put(f, "_vectors/a1/part-00000-b000000-x-c000.snappy.parquet", "data");
    put(f, "_vectors/a1/model/lsa.bin", "LHLSA");
    put(f, "_vectors/b2/index.json", "{\"name\":\"b2\",\"source\":{\"dataset\":\"orders\"},\"model\":{\"name\":\"m2\"}}");
    put(f, "_vectors/half/part-00000-b000000-y-c000.snappy.parquet", "partial: no index.json");
    put(f, "_vectors/bad/index.json", "not json");
    json_t *l = NULL;
    assert_int_equal(lh_vec_registry_list(f->store, NULL, NULL, &l, &err), LH_OK);
    assert_int_equal(json_array_size(l), 2); /* the half-built and the damaged are not listed */
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")), "a1");
    json_decref(l);
    assert_int_equal(lh_vec_registry_list(f->store, "people", NULL, &l, &err), LH_OK);
    assert_int_equal(json_array_size(l), 1);
    json_decref(l);
    assert_int_equal(lh_vec_registry_list(f->store, NULL, "m2", &l, &err), LH_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")), "b2");
    json_decref(l);
    json_t *e = NULL;
    assert_int_equal(lh_vec_registry_get(f->store, "half", &e, &err), LH_ENOTFOUND);
    assert_string_equal(err.msg, "no vector index named 'half'");
    assert_int_equal(lh_vec_registry_get(f->store, "bad", &e, &err), LH_ECORRUPT);
    assert_int_equal(lh_vec_registry_get(f->store, "../x", &e, &err), LH_EINVAL);
    lh_buf m;
    lh_buf_init(&m, 0);
    assert_int_equal(lh_vec_model_read(f->store, "a1", "model/lsa.bin", &m, &err), LH_OK);
    assert_int_equal(m.len, 5);
    lh_buf_release(&m);
    /* drop: entry gone, files gone, one journal event */
    lh_vec_env env = {.store = f->store, .catalog = f->cat, .journal = record, .ctx = f};
    assert_int_equal(lh_vec_index_drop(&env, "a1", "tester", &err), LH_OK);
    assert_int_equal(lh_vec_registry_get(f->store, "a1", &e, &err), LH_ENOTFOUND);
    lh_object_info info;
    assert_int_equal(lh_store_head(f->store, "_vectors/a1/model/lsa.bin", &info, &err), LH_ENOTFOUND);
    assert_int_equal(lh_store_head(f->store, "_vectors/a1/part-00000-b000000-x-c000.snappy.parquet", &info, &err),
                     LH_ENOTFOUND);
    char path[512];
    snprintf(path, sizeof path, "%s/_vectors/a1", f->root);
    FILE *fp = fopen(path, "r");
    assert_null(fp); /* the directory went too */
    assert_int_equal(json_array_size(f->events), 1);
    json_t *ev = json_array_get(f->events, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "entity")), "vector_index");
    assert_string_equal(json_string_value(json_object_get(ev, "entity_id")), "a1");
    assert_string_equal(json_string_value(json_object_get(ev, "field")), "drop");
    assert_string_equal(json_string_value(json_object_get(ev, "actor")), "tester");
    assert_int_equal(lh_vec_index_drop(&env, "a1", "tester", &err), LH_ENOTFOUND);
    assert_int_equal(json_array_size(f->events), 1);
}

static void mark_stale(void **state)
{
    fixture *f = *state;
    put(f, "_vectors/p1/index.json", "{\"name\":\"p1\",\"source\":{\"dataset\":\"people\",\"table_version\":3},\"stale_since\":null}");
    put(f, "_vectors/p2/index.json", "{\"name\":\"p2\",\"source\":{\"dataset\":\"people\",\"table_version\":5},\"stale_since\":null}");
    put(f, "_vectors/o1/index.json", "{\"name\":\"o1\",\"source\":{\"dataset\":\"orders\",\"table_version\":0},\"stale_since\":null}");
    size_t n = 9;
    json_t *l = NULL, *e = NULL;
    assert_int_equal(lh_vec_registry_stale(f->store, &l, &err), LH_OK);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    /* version 4 of people: p1 (built from 3) is stale, p2 (built from 5) is not, nor orders' */
    assert_int_equal(lh_vec_mark_stale(f->store, "people", 4, &n, &err), LH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lh_vec_registry_get(f->store, "p1", &e, &err), LH_OK);
    const char *since = json_string_value(json_object_get(e, "stale_since"));
    assert_non_null(since);
    char first[64];
    snprintf(first, sizeof first, "%s", since);
    json_decref(e);
    assert_int_equal(lh_vec_registry_get(f->store, "p2", &e, &err), LH_OK);
    assert_true(json_is_null(json_object_get(e, "stale_since")));
    json_decref(e);
    assert_int_equal(lh_vec_registry_stale(f->store, &l, &err), LH_OK);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")), "p1");
    json_decref(l);
    /* a later ingest: p2 becomes stale too, p1 keeps its first time */
    assert_int_equal(lh_vec_mark_stale(f->store, "people", 6, &n, &err), LH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lh_vec_registry_get(f->store, "p1", &e, &err), LH_OK);
    assert_string_equal(json_string_value(json_object_get(e, "stale_since")), first);
    json_decref(e);
    /* no index at all: nothing to do */
    assert_int_equal(lh_vec_mark_stale(f->store, "nothing", 1, &n, &err), LH_OK);
    assert_int_equal(n, 0);
}

static void job_docs(void **state)
{
    fixture *f = *state;
    lh_vec_spec s;
    assert_int_equal(spec_of("{\"dataset\":\"people\",\"text_column\":\"bio\",\"key_column\":\"id\"}", &s), LH_OK);
    json_t *d1 = lh__vec_job_new_doc(&s, 3, "alice");
    assert_non_null(d1);
    assert_string_equal(json_string_value(json_object_get(d1, "state")), "queued");
    assert_true(lh__vec_job_unfinished(d1));
    assert_int_equal(json_integer_value(json_object_get(d1, "source_version")), 3);
    assert_string_equal(json_string_value(json_object_get(d1, "actor")), "alice");
    const char *id = json_string_value(json_object_get(d1, "id"));
    assert_true(!strncmp(id, "vj-", 3));
    lh__vec_job j = {.doc = d1};
    pthread_mutex_init(&j.mu, NULL);
    assert_int_equal(lh__vec_job_save(f->store, &j, &err), LH_OK);
    json_t *back = NULL;
    assert_int_equal(lh__vec_job_load(f->store, id, &back, &err), LH_OK);
    assert_true(json_equal(back, d1));
    json_decref(back);
    assert_int_equal(lh__vec_job_load(f->store, "../../etc", &back, &err), LH_ENOTFOUND);
    json_object_set_new(d1, "state", json_string("succeeded"));
    assert_false(lh__vec_job_unfinished(d1));
    json_t *all = NULL;
    assert_int_equal(lh__vec_job_list(f->store, &all, &err), LH_OK);
    assert_int_equal(json_array_size(all), 1);
    json_decref(all);
    pthread_mutex_destroy(&j.mu);
    json_decref(d1);
}

/* Rows written by the appender come back from the Parquet file exactly. */
static void vec_parquet_roundtrip(void **state)
{
    fixture *f = *state;
    lh_engine *eng = NULL;
    lh_engine_config cfg = {.data_root = lh_store_root(f->store), .threads = 1};
    assert_int_equal(lh_engine_open(&cfg, &eng, &err), LH_OK);
    enum { N = 3000, D = 5 }; /* more rows than one data chunk (2048) */
    const char **keys = calloc(N, sizeof *keys), **ids = calloc(N, sizeof *ids);
    const char **texts = calloc(N, sizeof *texts), **hashes = calloc(N, sizeof *hashes);
    size_t *klens = calloc(N, sizeof *klens), *tlens = calloc(N, sizeof *tlens);
    int32_t *ords = calloc(N, sizeof *ords);
    int64_t *starts = calloc(N, sizeof *starts), *ends = calloc(N, sizeof *ends);
    float *vecs = calloc(N * D, sizeof *vecs);
    char (*kb)[16] = calloc(N, sizeof *kb), (*ib)[32] = calloc(N, sizeof *ib);
    for (int i = 0; i < N; i++) {
        snprintf(kb[i], sizeof kb[i], "k%d", i);
        snprintf(ib[i], sizeof ib[i], "k%d/0/abc", i);
        keys[i] = kb[i];
        klens[i] = strlen(kb[i]);
        ids[i] = ib[i];
        texts[i] = i == 7 ? "caf\xc3\xa9 \"quoted\", a\nnewline" : "plain text";
        tlens[i] = strlen(texts[i]);
        hashes[i] = "0123456789abcdef";
        ords[i] = i % 3;
        starts[i] = i;
        ends[i] = i + (int64_t)tlens[i];
        for (int d = 0; d < D; d++)
            vecs[i * D + d] = (float)i / 1000.0f - (float)d * 0.25f;
    }
    lh_vec_rows rows = {N, D, keys, klens, ids, ords, starts, ends, texts, tlens, hashes, vecs};
    char path[512];
    snprintf(path, sizeof path, "%s/rows.parquet", f->root);
    assert_int_equal(lh_engine_write_vec_parquet(eng, path, &rows, &err), LH_OK);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT count(*), sum(ordinal)::BIGINT, sum(chunk_start)::BIGINT, max(len(vector))::BIGINT, "
             "CAST(sum(list_sum(vector::DOUBLE[]))::DECIMAL(18,3) AS VARCHAR), "
             "max(chunk_text) FILTER (WHERE key = 'k7'), typeof(any_value(vector))::VARCHAR "
             "FROM read_parquet('%s')", path);
    json_t *row = NULL;
    lh_status qst = lh_engine_query_row(eng, sql, &row, &err);
    if (qst)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(qst, LH_OK);
    assert_string_equal(json_string_value(json_array_get(row, 0)), "3000");
    assert_string_equal(json_string_value(json_array_get(row, 1)), "3000"); /* 0+1+2 per 3 rows */
    assert_string_equal(json_string_value(json_array_get(row, 2)), "4498500");
    assert_string_equal(json_string_value(json_array_get(row, 3)), "5");
    double want = 0;
    for (int i = 0; i < N; i++)
        for (int d = 0; d < D; d++)
            want += (double)vecs[i * D + d];
    char ws[64];
    snprintf(ws, sizeof ws, "%.3f", want);
    assert_string_equal(json_string_value(json_array_get(row, 4)), ws);
    assert_string_equal(json_string_value(json_array_get(row, 5)), texts[7]);
    /* Parquet has no fixed-size list: FLOAT[5] is written as a list, read back as FLOAT[] */
    assert_string_equal(json_string_value(json_array_get(row, 6)), "FLOAT[]");
    json_decref(row);
    rows.dims = 0;
    assert_int_equal(lh_engine_write_vec_parquet(eng, path, &rows, &err), LH_EINVAL);
    lh_engine_free(eng);
    free(keys), free(ids), free(texts), free(hashes), free(klens), free(tlens), free(ords);
    free(starts), free(ends), free(vecs), free(kb), free(ib);
}

int main(void)
{
    lh_alloc_install_json();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_defaults),
        cmocka_unit_test(spec_errors),
        cmocka_unit_test(layout_keys),
        cmocka_unit_test_setup_teardown(spec_check_source, setup, teardown),
        cmocka_unit_test_setup_teardown(registry_list_get_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(mark_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(job_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(vec_parquet_roundtrip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
