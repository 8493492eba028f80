/* chunk_file.c: one Parquet file of an index table from keyed chunks and their vectors
 * (the columns of index.h), for builds (build.c) and refreshes (refresh.c) alike. */
#include "core/alloc.h"
#include "core/fsio.h"
#include "engine/vec_write.h"
#include "vector/index_int.h"

lh_status lh__vec_write_chunk_file(lh_engine *eng, const char *path, const lh__vec_keyed *items,
                                   size_t n, size_t dims, float *vecs, lh_err *err)
{
    const char **keys = lh_calloc(n + 1, sizeof *keys), **ids = lh_calloc(n + 1, sizeof *ids);
    const char **texts = lh_calloc(n + 1, sizeof *texts), **hashes = lh_calloc(n + 1, sizeof *hashes);
    size_t *klens = lh_calloc(n + 1, sizeof *klens), *tlens = lh_calloc(n + 1, sizeof *tlens);
    int32_t *ords = lh_calloc(n + 1, sizeof *ords);
    int64_t *starts = lh_calloc(n + 1, sizeof *starts), *ends = lh_calloc(n + 1, sizeof *ends);
    lh_status st = LH_OK;
    if (!keys || !ids || !texts || !hashes || !klens || !tlens || !ords || !starts || !ends)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        const lh__vec_keyed *p = &items[i];
        keys[i] = p->key;
        klens[i] = p->key_len;
        ids[i] = p->c.id;
        ords[i] = (int32_t)p->c.ordinal;
        starts[i] = (int64_t)p->c.start;
        ends[i] = (int64_t)p->c.end;
        texts[i] = p->c.text;
        tlens[i] = p->c.end - p->c.start;
        hashes[i] = p->c.content_hash;
    }
    lh_vec_rows rows = {n, dims, keys, klens, ids, ords, starts, ends, texts, tlens, hashes, vecs};
    if (!st)
        st = lh_engine_write_vec_parquet(eng, path, &rows, err);
    if (!st)
        st = lh_fsync_path(path, err);
    free(keys), free(ids), free(texts), free(hashes), free(klens), free(tlens), free(ords);
    free(starts), free(ends);
    return st;
}
