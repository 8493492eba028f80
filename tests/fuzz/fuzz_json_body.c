/* fuzz_json_body: what the server does with a JSON request body before and at the start
 * of a handler: the body checks of src/http/server.c (checks_pass: jansson with
 * JSON_REJECT_DUPLICATES, an empty body is {}, the body must be an object) and the field
 * helpers of src/api/api_util.c (lh__api_only_fields, lh__api_string, lh__api_int) with
 * the field lists of real handlers, the parser of POST /vectors/index's body
 * (lh_vec_spec_from_json, src/vector/spec.c), the autotune grid's
 * (lh_vec_grid_from_json, src/vector/hnsw_grid.c), and the checks of POST /catalog/profiles'
 * body (lh_profiles_check, src/catalog/profiles.c, and lh_vec_profile_check).
 *
 * server.c is #included (as unit tests do) to reach its static checks_pass; the request is
 * built by hand, without a connection (nothing on these paths touches it).
 * Invariants: checks_pass agrees with jansson on the same flags; it replies exactly when
 * it refuses (400) and leaves an object otherwise; each helper replies exactly when it
 * returns false, with status 400; a string it hands out is the field's value; a profile
 * body accepted has a valid id, 1-256 distinct valid bindings and HNSW values within the
 * bounds, and a refused one gets a one-line message.
 * LH_FUZZ_JSON_ALLOW_503=1 (set by tests/fuzz/run.sh unless FUZZ_STRICT=1) tolerates the
 * known open finding "a refusal answers 503 instead of 400" (regressions/json_body/open/). */
#include "http/server.c"

#include "api/api_int.h"
#include "catalog/catalog.h"
#include "catalog/profiles.h"
#include "core/util.h"
#include "fuzz_util.h"
#include "vector/index.h"
#include "vector/profile.h"
#include "vector/tune.h"

typedef struct profile {
    const char *const *allowed;
    const char *const *strings; /* fetched with lh__api_string, first one required */
    const char *const *ints;
} profile;

static const char *const q_allowed[] = {"sql", "format", "limit", "timeout_ms", NULL};
static const char *const q_strings[] = {"sql", "format", NULL};
static const char *const q_ints[] = {"limit", "timeout_ms", NULL};
static const char *const c_allowed[] = {"name", "description", "owner", "sensitivity", "tags", NULL};
static const char *const c_strings[] = {"name", "description", "owner", "sensitivity", NULL};
static const char *const j_allowed[] = {"entity", "entity_id", "field", "old_value", "new_value",
                                        "source", "workspace", NULL};
static const char *const j_strings[] = {"entity", "entity_id", "field", "source", NULL};
/* the /ai routes (src/api/api_ai.c) */
static const char *const ae_allowed[] = {"texts", NULL};
static const char *const ag_allowed[] = {"prompt", NULL};
static const char *const ar_allowed[] = {"query", "texts", NULL};
static const char *const ar_strings[] = {"query", NULL};
static const char *const as_allowed[] = {"question", "datasets", NULL};
static const char *const as_strings[] = {"question", NULL};
/* POST /vectors/search, /vectors/rag, /vectors/evaluate (api_vectors_search.c) */
static const char *const vs_allowed[] = {"index", "query", "vector", "k", "where", "mode", "columns",
                                         "weight", "fusion", "int8", "as_of", NULL};
static const char *const vs_strings[] = {"index", "query", "where", "mode", "fusion", NULL};
static const char *const vs_ints[] = {"k", NULL};
static const char *const vr_allowed[] = {"index", "question", "k", "where", "as_of", NULL};
static const char *const vr_strings[] = {"index", "question", "where", NULL};
static const char *const ve_allowed[] = {"index", "queries", "judgements", "modes", "k", NULL};
static const char *const ve_strings[] = {"index", "queries", "judgements", NULL};
static const char *const v_allowed[] = {"name", "dataset", "text_column", "key_column", "provider",
                                        "model", "chunk_size", "chunk_overlap", "chunk_unit", NULL};
static const char *const v_strings[] = {"dataset", "text_column", "key_column", "name", "provider",
                                        "model", NULL};
static const char *const v_ints[] = {"chunk_size", "chunk_overlap", NULL};
/* the /vectors/hnsw routes (api_hnsw.c): eval, autogen, trial, autotune */
static const char *const he_allowed[] = {"name", "index", "queries", NULL};
static const char *const he_strings[] = {"name", "index", NULL};
static const char *const ha_allowed[] = {"index", "n", NULL};
static const char *const ha_strings[] = {"index", NULL};
static const char *const ha_ints[] = {"n", NULL};
static const char *const ht_allowed[] = {"index", "eval", "M", "ef_construction", "ef_search", "seed", NULL};
static const char *const ht_strings[] = {"index", "eval", NULL};
static const char *const ht_ints[] = {"M", "ef_construction", "ef_search", "seed", NULL};
static const char *const hu_allowed[] = {"index", "eval", "min_recall", "grid", NULL};
/* POST /catalog/profiles (catalog/profiles.c checks the body itself: the strings it reads) */
static const char *const p_allowed[] = {"id", "description", "embed", "generate_model",
                                        "bound_datasets", "hnsw", NULL};
static const char *const p_strings[] = {"id", "description", "generate_model", NULL};
static const char *const none[] = {NULL};
static const profile profiles[] = {
    {q_allowed, q_strings, q_ints},
    {c_allowed, c_strings, none},
    {j_allowed, j_strings, none},
    {vs_allowed, vs_strings, vs_ints},
    {vr_allowed, vr_strings, vs_ints},
    {ve_allowed, ve_strings, vs_ints},
    {v_allowed, v_strings, v_ints},
    {none, none, none},
    {ae_allowed, none, none},
    {ag_allowed, ag_allowed, none},
    {ar_allowed, ar_strings, none},
    {as_allowed, as_strings, none},
    {he_allowed, he_strings, none},
    {ha_allowed, ha_strings, ha_ints},
    {ht_allowed, ht_strings, ht_ints},
    {hu_allowed, ht_strings, none},
    {p_allowed, p_strings, none},
};

static lh_http_route route = {.method = "POST", .pattern = "/fuzz", .body = LH_BODY_JSON};

static void reset_reply(lh_http_req *r)
{
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = NULL;
    r->status = 0;
}

static void expect_reply(lh_http_req *r, bool ok, const char *what)
{
    static int allow_503 = -1;
    if (allow_503 < 0) {
        const char *v = getenv("LH_FUZZ_JSON_ALLOW_503");
        allow_503 = v && !strcmp(v, "1");
    }
    if (ok && r->response)
        fuzz_fail("%s succeeded but replied %d", what, r->status);
    if (!ok && (!r->response || (r->status != 400 && !(allow_503 && r->status == 503))))
        fuzz_fail("%s failed but replied %s (status %d)", what, r->response ? "" : "nothing",
                  r->status);
}

/* lh_vec_spec_from_json: an accepted body gives a spec whose required fields are the body's
 * values, whose strings are terminated within their arrays, and which survives a round trip
 * through lh_vec_spec_to_json unchanged (job files rely on it). */
static void check_vec_spec(const json_t *body)
{
    lh_vec_spec s;
    memset(&s, 0x5a, sizeof s);
    lh_err err;
    if (lh_vec_spec_from_json(body, &s, &err)) {
        if (!memchr(err.msg, '\0', sizeof err.msg) || !err.msg[0])
            fuzz_fail("lh_vec_spec_from_json failed without a message");
        return;
    }
    if (!memchr(s.name, '\0', sizeof s.name) || !s.name[0] || !memchr(s.provider, '\0', sizeof s.provider) ||
        !memchr(s.model, '\0', sizeof s.model))
        fuzz_fail("an accepted spec has an unterminated or empty string");
    if (strcmp(s.dataset, json_string_value(json_object_get(body, "dataset")) ?: "") ||
        strcmp(s.text_column, json_string_value(json_object_get(body, "text_column")) ?: "") ||
        strcmp(s.key_column, json_string_value(json_object_get(body, "key_column")) ?: ""))
        fuzz_fail("an accepted spec does not hold the body's fields");
    if (s.chunk.unit != LH_CHUNK_CHARS && s.chunk.unit != LH_CHUNK_TOKENS)
        fuzz_fail("an accepted spec has chunk unit %d", (int)s.chunk.unit);
    json_t *j = lh_vec_spec_to_json(&s);
    lh_vec_spec back;
    memset(&back, 0x5a, sizeof back);
    if (!j || lh_vec_spec_from_json(j, &back, &err) || strcmp(back.name, s.name) ||
        strcmp(back.dataset, s.dataset) || back.chunk.size != s.chunk.size ||
        back.chunk.overlap != s.chunk.overlap || back.chunk.unit != s.chunk.unit)
        fuzz_fail("a spec does not survive its JSON round trip");
    json_decref(j);
}

/* lh_vec_grid_from_json on the body's "grid" (POST /vectors/hnsw/autotune): an accepted grid
 * has 1..16 sorted distinct values per axis, each inside the bounds, at most 60 configs. */
static void check_grid(const json_t *body)
{
    lh_vec_grid g;
    lh_err err = {{0}};
    if (lh_vec_grid_from_json(json_object_get(body, "grid"), &g, &err)) {
        if (!err.msg[0] || strchr(err.msg, '\n'))
            fuzz_fail("lh_vec_grid_from_json failed without a one-line message");
        return;
    }
    const struct { const uint32_t *v; size_t n; uint32_t lo, hi; } axes[] = {
        {g.M, g.nM, LH_TUNE_M_MIN, LH_TUNE_M_MAX},
        {g.ef_construction, g.nefc, LH_TUNE_EFC_MIN, LH_TUNE_EFC_MAX},
        {g.ef_search, g.nefs, LH_TUNE_EFS_MIN, LH_TUNE_EFS_MAX},
    };
    for (size_t a = 0; a < 3; a++) {
        if (axes[a].n < 1 || axes[a].n > LH_TUNE_AXIS_MAX)
            fuzz_fail("an accepted grid axis has %zu values", axes[a].n);
        for (size_t i = 0; i < axes[a].n; i++)
            if (axes[a].v[i] < axes[a].lo || axes[a].v[i] > axes[a].hi || (i && axes[a].v[i] <= axes[a].v[i - 1]))
                fuzz_fail("an accepted grid holds %u out of bounds or order", axes[a].v[i]);
    }
    if (g.nM * g.nefc * g.nefs > LH_TUNE_GRID_MAX)
        fuzz_fail("an accepted grid has %zu configs", g.nM * g.nefc * g.nefs);
}

/* lh_profiles_check: an accepted body holds exactly what a stored profile may; a refused
 * one says why on one line. lh_vec_profile_check (the graph's own bounds) never refuses a
 * body the catalog accepted, since the catalog's bounds are the tighter ones. */
static void check_profile(const json_t *body)
{
    lh_err err;
    memset(&err, 0, sizeof err);
    if (lh_profiles_check(body, &err)) {
        if (!err.msg[0] || strchr(err.msg, '\n') || !lh_utf8_valid(err.msg, strlen(err.msg)))
            fuzz_fail("lh_profiles_check failed without a one-line UTF-8 message: '%s'", err.msg);
        return;
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    if (!id || lh_profiles_check_id(id, NULL) || strchr(id, '/') || strchr(id, '.'))
        fuzz_fail("an accepted profile has a bad id");
    const json_t *b = json_object_get(body, "bound_datasets");
    size_t n = json_array_size(b);
    if (n < 1 || n > LH_PROFILE_BINDINGS_MAX)
        fuzz_fail("an accepted profile binds %zu names", n);
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(b, i));
        if (!name || lh_catalog_check_name(name, NULL))
            fuzz_fail("an accepted profile binds a bad name");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, json_string_value(json_array_get(b, j))))
                fuzz_fail("an accepted profile binds '%s' twice", name);
    }
    const char *prov = json_string_value(json_object_get(json_object_get(body, "embed"), "provider"));
    if (!prov || (strcmp(prov, "builtin") && strcmp(prov, "ollama") && strcmp(prov, "openai")))
        fuzz_fail("an accepted profile has provider '%s'", prov ? prov : "(none)");
    const json_t *h = json_object_get(body, "hnsw");
    if (json_is_object(h)) {
        json_int_t m = json_integer_value(json_object_get(h, "M"));
        json_int_t efc = json_integer_value(json_object_get(h, "ef_construction"));
        json_int_t efs = json_integer_value(json_object_get(h, "ef_search"));
        if (m < LH_PROFILE_M_MIN || m > LH_PROFILE_M_MAX || efc < LH_PROFILE_EFC_MIN ||
            efc > LH_PROFILE_EFC_MAX || efs < LH_PROFILE_EFS_MIN || efs > LH_PROFILE_EFS_MAX ||
            json_integer_value(json_object_get(h, "seed")) < 0)
            fuzz_fail("an accepted profile has HNSW values out of bounds");
    } else if (h && !json_is_null(h)) {
        fuzz_fail("an accepted profile has an hnsw that is neither null nor an object");
    }
    if (lh_vec_profile_check(body, &err))
        fuzz_fail("the graph's check refused a profile the catalog accepted: %s", err.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_http_req *r = calloc(1, sizeof *r);
    if (!r)
        return 0;
    r->route = &route;
    r->limit = 1 << 20;
    snprintf(r->method, sizeof r->method, "POST");
    r->path = (char *)"/fuzz";
    lh_buf_init(&r->body, (size_t)r->limit);
    lh_buf_add(&r->body, data, size);

    json_error_t je;
    json_t *ref = size ? json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je)
                       : json_object();
    bool want = json_is_object(ref);
    bool ok = checks_pass(r);
    if (ok != want)
        fuzz_fail("checks_pass said %d, jansson says %d", ok, want);
    expect_reply(r, ok, "checks_pass");
    if (ok && (!json_is_object(r->json) || !json_equal(ref, r->json)))
        fuzz_fail("checks_pass left a body that is not the parsed object");
    json_decref(ref);

    for (size_t p = 0; ok && p < sizeof profiles / sizeof profiles[0]; p++) {
        bool fine = lh__api_only_fields(r, profiles[p].allowed);
        expect_reply(r, fine, "lh__api_only_fields");
        reset_reply(r);
        for (size_t i = 0; profiles[p].strings[i]; i++) {
            const char *v = (const char *)1;
            fine = lh__api_string(r, profiles[p].strings[i], i == 0, &v);
            expect_reply(r, fine, "lh__api_string");
            if (fine) {
                json_t *f = json_object_get(r->json, profiles[p].strings[i]);
                if (v != json_string_value(f))
                    fuzz_fail("lh__api_string('%s') handed out the wrong value", profiles[p].strings[i]);
            }
            reset_reply(r);
        }
        for (size_t i = 0; profiles[p].ints[i]; i++) {
            int64_t v = 42;
            fine = lh__api_int(r, profiles[p].ints[i], 0, INT64_MAX, &v);
            expect_reply(r, fine, "lh__api_int");
            if (fine && v < 0)
                fuzz_fail("lh__api_int('%s') gave %lld below its minimum", profiles[p].ints[i],
                          (long long)v);
            reset_reply(r);
        }
    }
    if (ok) {
        check_vec_spec(r->json);
        check_grid(r->json);
        check_profile(r->json);
    }
    reset_reply(r);
    json_decref(r->json);
    lh_buf_release(&r->body);
    free(r);
    return 0;
}
