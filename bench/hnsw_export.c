/* hnsw_export.c: the demo's resume embeddings for bench/hnsw.sh.
 *
 *   hnsw_export DATA_DIR INDEX OUT
 *
 * Loads vector index INDEX of the data directory DATA_DIR the way `lakehouse search` does
 * (a reader: lh_lake_open, lh_vec_index_load: its Delta table at the latest version, the
 * `vector` column of its Parquet files read through our engine) and writes its vectors to
 * OUT as float32, row-major, no header. Prints "rows N" and "dims D".
 *
 * The matrix is reached through vector/search_int.h: search.h has no accessor for it (a
 * benchmark driver, not a module, so the internal header is acceptable here). */
#include <stdio.h>
#include <stdlib.h>

#include "lake/lake.h"
#include "vector/search.h"
#include "vector/search_int.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hnsw_export DATA_DIR INDEX OUT\n");
        return 2;
    }
    lh_err err;
    lh_lake *lake = NULL;
    lh_vec_index *idx = NULL;
    lh_vec_senv env;
    lh_lake_options lo = {.data_dir = argv[1], .writer = false, .lazy_views = true};
    lh_status st = lh_lake_open(&lo, &lake, &err);
    if (!st) {
        lh_lake_vec_senv(lake, &env);
        st = lh_vec_index_load(&env, argv[2], &idx, &err);
    }
    if (st) {
        fprintf(stderr, "hnsw_export: %s\n", err.msg);
        lh_lake_free(lake);
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    size_t n = idx->n * idx->dims;
    int rc = !f || fwrite(idx->matrix, sizeof *idx->matrix, n, f) != n;
    if (f && fclose(f))
        rc = 1;
    if (rc)
        perror(argv[3]);
    else
        printf("rows %zu\ndims %zu\n", idx->n, idx->dims);
    lh_vec_index_free(idx);
    lh_lake_free(lake);
    return rc;
}
