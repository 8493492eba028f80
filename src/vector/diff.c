/* diff.c: old and new rows of an index's source, by key and signature (diff.h). Both sides
 * are sorted by key (an index array each, the inputs stay as given) and walked together:
 * O((n + m) log(n + m)) time, two arrays of indexes of memory. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "vector/diff.h"

typedef struct by_key {
    const lh_vec_rowsig *rows;
} by_key;

static int cmp_key(const void *a, const void *b, void *ctx)
{
    const by_key *k = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(k->rows[x].key, k->rows[y].key);
    return c ? c : (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* order[0, n) = the rows sorted by key; a key twice is LH_EINVAL. */
static lh_status sort_side(const lh_vec_rowsig *rows, size_t n, const char *side, size_t **order,
                           lh_err *err)
{
    size_t *o = lh_calloc(n + 1, sizeof *o);
    if (!o)
        return lh_fail(err, LH_ENOMEM, "out of memory comparing %zu rows", n);
    for (size_t i = 0; i < n; i++)
        o[i] = i;
    by_key k = {rows};
    if (n > 1)
        qsort_r(o, n, sizeof *o, cmp_key, &k);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(rows[o[i - 1]].key, rows[o[i]].key)) {
            lh_status st = lh_fail(err, LH_EINVAL, "key '%.100s' appears twice in the %s rows",
                                   rows[o[i]].key, side);
            free(o);
            return st;
        }
    *order = o;
    return LH_OK;
}

lh_status lh_vec_diff_compute(const lh_vec_rowsig *old, size_t nold, const lh_vec_rowsig *cur,
                              size_t ncur, lh_vec_diff *out, lh_err *err)
{
    *out = (lh_vec_diff){0};
    size_t *oo = NULL, *co = NULL;
    lh_status st = sort_side(old, nold, "indexed", &oo, err);
    if (!st)
        st = sort_side(cur, ncur, "source", &co, err);
    if (!st) {
        out->embed = lh_calloc(ncur + 1, sizeof *out->embed);
        out->drop = lh_calloc(nold + 1, sizeof *out->drop);
        if (!out->embed || !out->drop)
            st = lh_fail(err, LH_ENOMEM, "out of memory comparing %zu rows", nold + ncur);
    }
    for (size_t i = 0, j = 0; !st && (i < nold || j < ncur);) {
        int c = i == nold ? 1 : j == ncur ? -1 : strcmp(old[oo[i]].key, cur[co[j]].key);
        if (c < 0) {
            out->drop[out->ndrop++] = oo[i++];
            out->ngone++;
        } else if (c > 0) {
            out->embed[out->nembed++] = co[j++];
            out->nnew++;
        } else {
            if (strcmp(old[oo[i]].sig, cur[co[j]].sig)) {
                out->drop[out->ndrop++] = oo[i];
                out->embed[out->nembed++] = co[j];
                out->nchanged++;
            } else {
                out->nsame++;
            }
            i++;
            j++;
        }
    }
    free(oo);
    free(co);
    if (st) {
        lh_vec_diff_release(out);
        return st;
    }
    if (out->nembed > 1)
        qsort(out->embed, out->nembed, sizeof *out->embed, cmp_size);
    if (out->ndrop > 1)
        qsort(out->drop, out->ndrop, sizeof *out->drop, cmp_size);
    return LH_OK;
}

void lh_vec_diff_release(lh_vec_diff *d)
{
    free(d->embed);
    free(d->drop);
    *d = (lh_vec_diff){0};
}
