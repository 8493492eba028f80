/* profiles.c: model profiles of the data directory (lake.h; catalog/profiles.h). */
#include "lake/lake.h"

#include "catalog/profiles.h"
#include "core/util.h"
#include "lake/lake_int.h"
#include "vector/profile.h"

lh_status lh_lake_profile_create(lh_lake *lake, const json_t *body, const char *actor,
                                 json_t **out, lh_err *err)
{
    if (out)
        *out = NULL;
    /* the whole body is checked before anything is written */
    lh_status st = lh_profiles_check(body, err);
    if (!st) /* the graph's own check too: the bounds above are the issue's, these the graph's */
        st = lh_vec_profile_check(body, err);
    if (st)
        return st;
    /* under the write lock: the bindings checked are the datasets that exist when the file
     * is written (a dataset is created under the same lock) */
    lh__lake_lock(lake);
    st = lh_profiles_create(lh_lake_store(lake), lh_lake_catalog(lake), body, actor, lh_now_ms(),
                            out, err);
    lh__lake_unlock(lake);
    return st;
}

lh_status lh_lake_profile(lh_lake *lake, const char *id, json_t **out, lh_err *err)
{
    return lh_profiles_get(lh_lake_store(lake), id, out, err);
}

lh_status lh_lake_profiles(lh_lake *lake, json_t **out, lh_err *err)
{
    return lh_profiles_list(lh_lake_store(lake), out, err);
}

lh_status lh_lake_profile_delete(lh_lake *lake, const char *id, lh_err *err)
{
    lh__lake_lock(lake);
    lh_status st = lh_profiles_delete(lh_lake_store(lake), id, err);
    lh__lake_unlock(lake);
    return st;
}
