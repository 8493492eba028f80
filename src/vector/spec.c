/* spec.c: what an index build is asked to do, from a request body, and its checks
 * against the data directory before anything is written (index.h). */
#include <string.h>
#include <strings.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "vector/index_int.h"

static lh_status copy_field(const json_t *body, const char *field, bool required, char *dst,
                            size_t size, lh_err *err)
{
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v)) {
        if (required)
            return lh_fail(err, LH_EINVAL, "missing field '%s'", field);
        return LH_OK;
    }
    if (!json_is_string(v) || !json_string_length(v))
        return lh_fail(err, LH_EINVAL, "field '%s' must be a non-empty string", field);
    if (json_string_length(v) >= size || strlen(json_string_value(v)) != json_string_length(v))
        return lh_fail(err, LH_EINVAL, "field '%s' is too long (at most %zu bytes) or holds a NUL",
                       field, size - 1);
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return LH_OK;
}

static lh_status uint_field(const json_t *body, const char *field, uint32_t *out, lh_err *err)
{
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v))
        return LH_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
        return lh_fail(err, LH_EINVAL, "field '%s' must be a whole number from 0 to 1000000", field);
    *out = (uint32_t)json_integer_value(v);
    return LH_OK;
}

lh_status lh_vec_spec_from_json(const json_t *body, lh_vec_spec *out, lh_err *err)
{
    static const char *const allowed[] = {"name", "dataset", "text_column", "key_column",
                                          "provider", "model", "chunk_size", "chunk_overlap",
                                          "chunk_unit", NULL};
    memset(out, 0, sizeof *out);
    if (!json_is_object(body))
        return lh_fail(err, LH_EINVAL, "the body must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (!ok)
            return lh_fail(err, LH_EINVAL, "unknown field '%.64s'", k);
    }
    out->chunk = lh_chunk_defaults();
    lh_status st;
    if ((st = copy_field(body, "dataset", true, out->dataset, sizeof out->dataset, err)) ||
        (st = copy_field(body, "text_column", true, out->text_column, sizeof out->text_column, err)) ||
        (st = copy_field(body, "key_column", true, out->key_column, sizeof out->key_column, err)) ||
        (st = copy_field(body, "name", false, out->name, sizeof out->name, err)) ||
        (st = copy_field(body, "provider", false, out->provider, sizeof out->provider, err)) ||
        (st = copy_field(body, "model", false, out->model, sizeof out->model, err)) ||
        (st = uint_field(body, "chunk_size", &out->chunk.size, err)) ||
        (st = uint_field(body, "chunk_overlap", &out->chunk.overlap, err)))
        return st;
    json_t *unit = json_object_get(body, "chunk_unit");
    if (unit && !json_is_null(unit)) {
        const char *u = json_string_value(unit);
        if (u && !strcmp(u, "chars"))
            out->chunk.unit = LH_CHUNK_CHARS;
        else if (u && !strcmp(u, "tokens"))
            out->chunk.unit = LH_CHUNK_TOKENS;
        else
            return lh_fail(err, LH_EINVAL, "field 'chunk_unit' must be \"chars\" or \"tokens\"");
        /* token windows: the defaults in characters make no sense; a size in tokens of
         * about the same text (2,000 characters ~ 400 words) unless given */
        if (out->chunk.unit == LH_CHUNK_TOKENS && !json_object_get(body, "chunk_size"))
            out->chunk.size = 400;
        if (out->chunk.unit == LH_CHUNK_TOKENS && !json_object_get(body, "chunk_overlap"))
            out->chunk.overlap = 40;
    }
    if (!out->provider[0])
        memcpy(out->provider, "builtin", sizeof "builtin");
    if (!out->model[0] && !strcmp(out->provider, "builtin"))
        memcpy(out->model, "lsa-256", sizeof "lsa-256");
    if (!out->name[0]) {
        lh_buf n;
        lh_buf_init(&n, sizeof out->name - 1);
        lh_buf_printf(&n, "%s_%s", out->dataset, out->text_column);
        for (size_t i = 0; i < n.len; i++) {
            char c = n.data[i];
            if (c >= 'A' && c <= 'Z')
                n.data[i] = (char)(c - 'A' + 'a');
            else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                n.data[i] = '_';
        }
        st = lh_buf_status(&n);
        if (!st)
            memcpy(out->name, n.data, n.len + 1);
        lh_buf_release(&n);
        if (st)
            return lh_fail(err, LH_EINVAL, "the default index name (dataset_textcolumn) is too "
                           "long: give a name");
    }
    return LH_OK;
}

json_t *lh_vec_spec_to_json(const lh_vec_spec *s)
{
    /* an empty model (a provider without a default one) is null: read back as absent */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:s}", "name", s->name, "dataset",
                     s->dataset, "text_column", s->text_column, "key_column", s->key_column,
                     "provider", s->provider, "model", s->model[0] ? s->model : NULL,
                     "chunk_size", (int)s->chunk.size,
                     "chunk_overlap", (int)s->chunk.overlap, "chunk_unit",
                     s->chunk.unit == LH_CHUNK_TOKENS ? "tokens" : "chars");
}

lh_status lh__vec_spec_of_doc(const json_t *doc, lh_vec_spec *out, lh_err *err)
{
    return lh_vec_spec_from_json(json_object_get(doc, "spec"), out, err);
}

/* The type of column col in manifest m, or NULL when it has none. */
static const char *column_type(const json_t *m, const char *col)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "columns"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", col))
            return json_string_value(json_object_get(c, "type")) ?: "";
    return NULL;
}

lh_status lh_vec_spec_check(const lh_vec_env *env, const lh_vec_spec *spec, lh_err *err)
{
    lh_status st = lh_catalog_check_name(spec->name, err);
    if (st)
        return lh_fail(err, st, "index name: %s", err->msg);
    if ((st = lh_chunk_check(&spec->chunk, err)))
        return st;
    if (strcmp(spec->provider, "builtin"))
        return lh_fail(err, LH_EUNSUPPORTED, "provider '%.32s' is not available for index builds "
                       "yet; use provider \"builtin\"", spec->provider);
    if (strcmp(spec->model, "lsa-256"))
        return lh_fail(err, LH_EINVAL, "the builtin provider has one model, \"lsa-256\", not '%.64s'",
                       spec->model);
    json_t *m = lh_catalog_check_name(spec->dataset, err) ? NULL
              : lh_catalog_get_copy(env->catalog, spec->dataset);
    if (!m)
        return lh_fail(err, LH_ENOTFOUND, "no dataset named '%.64s'", spec->dataset);
    const char *tt = column_type(m, spec->text_column);
    const char *kt = column_type(m, spec->key_column);
    if (!tt)
        st = lh_fail(err, LH_ENOTFOUND, "dataset '%s' has no column '%.200s'", spec->dataset,
                     spec->text_column);
    else if (!kt)
        st = lh_fail(err, LH_ENOTFOUND, "dataset '%s' has no column '%.200s'", spec->dataset,
                     spec->key_column);
    else if (strcasecmp(tt, "VARCHAR") && strcasecmp(tt, "TEXT") && strcasecmp(tt, "STRING"))
        st = lh_fail(err, LH_EINVAL, "column '%.200s' of dataset '%s' is %.64s, not text: index a "
                     "text column", spec->text_column, spec->dataset, tt);
    else if (!json_is_integer(json_object_get(m, "table_version")))
        st = lh_fail(err, LH_EINVAL, "dataset '%s' has no data yet", spec->dataset);
    json_decref(m);
    if (st)
        return st;
    json_t *existing = NULL;
    lh_err e2;
    if (!lh_vec_registry_get(env->store, spec->name, &existing, &e2)) {
        json_decref(existing);
        return lh_fail(err, LH_EEXIST, "a vector index named '%s' exists already (drop it first, "
                       "or choose another name)", spec->name);
    }
    return LH_OK;
}
