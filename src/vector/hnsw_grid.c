/* hnsw_grid.c: the bounds of a tuned config, eval names, the autotune grid and ids (tune.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "vector/tune_int.h"

static lh_status bound(const char *field, uint32_t v, uint32_t lo, uint32_t hi, lh_err *err)
{
    return v >= lo && v <= hi ? LH_OK
         : lh_fail(err, LH_EINVAL, "field '%s' must be a whole number from %u to %u", field, lo, hi);
}

lh_status lh_vec_tune_params_check(const lh_hnsw_params *p, lh_err *err)
{
    lh_status st = bound("M", p->M, LH_TUNE_M_MIN, LH_TUNE_M_MAX, err);
    if (!st)
        st = bound("ef_construction", p->ef_construction, LH_TUNE_EFC_MIN, LH_TUNE_EFC_MAX, err);
    if (!st)
        st = bound("ef_search", p->ef_search, LH_TUNE_EFS_MIN, LH_TUNE_EFS_MAX, err);
    if (!st) { /* the graph's own check, in case its limits ever get tighter than ours */
        st = lh_hnsw_params_check(p, err);
    }
    return st;
}

lh_status lh_vec_eval_name_check(const char *name, lh_err *err)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 1 && n <= 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
             name[i] == '_' || name[i] == '-';
    return ok ? LH_OK
              : lh_fail(err, LH_EINVAL, "an eval set name is 1 to 64 characters of a-z, 0-9, _ and -");
}

void lh_vec_grid_default(lh_vec_grid *g)
{
    *g = (lh_vec_grid){.M = {8, 16, 32}, .nM = 3, .ef_construction = {40, 80, 200}, .nefc = 3,
                       .ef_search = {10, 16, 30, 64, 128}, .nefs = 5};
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static lh_status axis(const json_t *grid, const char *field, uint32_t lo, uint32_t hi,
                      uint32_t *vals, size_t *n, lh_err *err)
{
    const json_t *a = json_object_get(grid, field);
    if (!a || json_is_null(a))
        return LH_OK; /* the default's values */
    if (!json_is_array(a) || !json_array_size(a) || json_array_size(a) > LH_TUNE_AXIS_MAX)
        return lh_fail(err, LH_EINVAL, "grid field '%s' must be an array of 1 to %d whole numbers",
                       field, LH_TUNE_AXIS_MAX);
    size_t i, k = 0;
    const json_t *v;
    json_array_foreach(a, i, v) {
        json_int_t x = json_is_integer(v) ? json_integer_value(v) : -1;
        if (x < lo || x > hi)
            return lh_fail(err, LH_EINVAL, "grid field '%s' must hold whole numbers from %u to %u",
                           field, lo, hi);
        vals[k++] = (uint32_t)x;
    }
    qsort(vals, k, sizeof *vals, cmp_u32);
    for (i = 1; i < k; i++)
        if (vals[i] == vals[i - 1])
            return lh_fail(err, LH_EINVAL, "grid field '%s' holds %u twice", field, vals[i]);
    *n = k;
    return LH_OK;
}

lh_status lh_vec_grid_from_json(const json_t *grid, lh_vec_grid *out, lh_err *err)
{
    lh_vec_grid_default(out);
    if (!grid || json_is_null(grid))
        return LH_OK;
    if (!json_is_object(grid))
        return lh_fail(err, LH_EINVAL, "field 'grid' must be an object {M, ef_construction, ef_search}");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)grid, key, v)
        if (strcmp(key, "M") && strcmp(key, "ef_construction") && strcmp(key, "ef_search")) {
            char shown[65]; /* the caller's bytes, on one line */
            snprintf(shown, sizeof shown, "%s", key);
            for (char *c = shown; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    *c = '?';
            lh_utf8_scrub(shown);
            return lh_fail(err, LH_EINVAL, "unknown grid field '%s' (M, ef_construction, ef_search)", shown);
        }
    lh_status st = axis(grid, "M", LH_TUNE_M_MIN, LH_TUNE_M_MAX, out->M, &out->nM, err);
    if (!st)
        st = axis(grid, "ef_construction", LH_TUNE_EFC_MIN, LH_TUNE_EFC_MAX, out->ef_construction,
                  &out->nefc, err);
    if (!st)
        st = axis(grid, "ef_search", LH_TUNE_EFS_MIN, LH_TUNE_EFS_MAX, out->ef_search, &out->nefs, err);
    size_t total = out->nM * out->nefc * out->nefs;
    if (!st && total > LH_TUNE_GRID_MAX)
        st = lh_fail(err, LH_EINVAL, "the grid has %zu configs (%zu x %zu x %zu); at most %d",
                     total, out->nM, out->nefc, out->nefs, LH_TUNE_GRID_MAX);
    return st;
}

static json_t *u32_array(const uint32_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

json_t *lh_vec_grid_to_json(const lh_vec_grid *g)
{
    return json_pack("{s:o, s:o, s:o}", "M", u32_array(g->M, g->nM), "ef_construction",
                     u32_array(g->ef_construction, g->nefc), "ef_search",
                     u32_array(g->ef_search, g->nefs));
}

void lh__tune_id(const char *prefix, char out[48])
{
    char hex[17];
    lh_random_hex(hex, 4);
    snprintf(out, 48, "%s%013lld-%s", prefix, (long long)lh_now_ms(), hex);
}
