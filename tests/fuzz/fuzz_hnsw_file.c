/* fuzz_hnsw_file: the HNSW graph file reader (lh_hnsw_load_mem, src/ann/hnsw_file.c) on
 * arbitrary bytes, over a small fixed base (FUZZ_HNSW_ROWS x FUZZ_HNSW_DIMS).
 *
 * Input: byte 0 holds flags, the rest is the file. Flag 1: the harness rewrites the
 * header's checksum to match the body before loading, so that mutations get past the
 * SHA-256 to the structural checks (levels, counts, link ids, entry point) behind it.
 *
 * Invariants beyond the sanitizers: a refused file is LH_ECORRUPT (or LH_ENOMEM) with
 * *out NULL and a message saying "is corrupt"; an accepted one holds at most the base's
 * rows, and every search of it (several queries, ef, k, a filter, a deleted row, the
 * int8 walk) returns at most k rows, each < the base's rows, allowed, not deleted, best
 * first; adding the base's missing rows to it succeeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ann/hnsw.h"
#include "core/sha256.h"
#include "fuzz_util.h"

#define FUZZ_HNSW_ROWS 64
#define FUZZ_HNSW_DIMS 8

/* The base every input is loaded over: deterministic unit rows. */
static const float *fuzz_hnsw_base(void)
{
    static float base[FUZZ_HNSW_ROWS * FUZZ_HNSW_DIMS];
    static int ready;
    if (!ready) {
        uint64_t s = 12345;
        for (size_t i = 0; i < FUZZ_HNSW_ROWS * FUZZ_HNSW_DIMS; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            base[i] = (float)((int64_t)(s >> 33) % 2001 - 1000) / 1000.0f;
        }
        for (size_t r = 0; r < FUZZ_HNSW_ROWS; r++)
            lh_vec_normalize(base + r * FUZZ_HNSW_DIMS, FUZZ_HNSW_DIMS);
        ready = 1;
    }
    return base;
}

static void check_search(const lh_hnsw *g, const float *q, size_t k, uint32_t ef,
                         const uint64_t *allow, const lh_vec_q8 *q8)
{
    lh_vec_hit hits[FUZZ_HNSW_ROWS + 1];
    size_t n = 999;
    lh_err err;
    lh_hnsw_search_opts so = {.k = k, .ef = ef, .allow = allow, .q8 = q8};
    lh_status st = lh_hnsw_search(g, q, &so, hits, &n, &err);
    if (st == LH_ENOMEM)
        return;
    if (st)
        fuzz_fail("search of an accepted graph failed (%d): %s", (int)st, err.msg);
    if (n > k)
        fuzz_fail("search returned %zu hits for k %zu", n, k);
    for (size_t i = 0; i < n; i++) {
        if (hits[i].row >= FUZZ_HNSW_ROWS)
            fuzz_fail("search returned row %llu of %d", (unsigned long long)hits[i].row,
                      FUZZ_HNSW_ROWS);
        if (allow && !((allow[hits[i].row / 64] >> (hits[i].row % 64)) & 1))
            fuzz_fail("search returned row %llu, not allowed", (unsigned long long)hits[i].row);
        if (lh_hnsw_is_deleted(g, (uint32_t)hits[i].row))
            fuzz_fail("search returned deleted row %llu", (unsigned long long)hits[i].row);
        for (size_t j = 0; j < i; j++)
            if (hits[j].row == hits[i].row)
                fuzz_fail("search returned row %llu twice", (unsigned long long)hits[i].row);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    data++;
    size--;
    uint8_t *copy = NULL;
    if ((flags & 1) && size >= 176) { /* the checksum of the body, as hex, at offset 112 */
        copy = malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data, size);
        char hex[65];
        lh_sha256_hex(copy + 176, size - 176, hex);
        memcpy(copy + 112, hex, 64);
        data = copy;
    }
    const float *base = fuzz_hnsw_base();
    lh_hnsw *g = (lh_hnsw *)1;
    int64_t sv = 0;
    lh_err err = {{0}};
    lh_status st = lh_hnsw_load_mem(data, size, base, FUZZ_HNSW_ROWS, FUZZ_HNSW_DIMS, &g, &sv,
                                    &err);
    if (st) {
        if (g)
            fuzz_fail("load failed (%d) but left *out set", (int)st);
        if (st != LH_ECORRUPT && st != LH_ENOMEM)
            fuzz_fail("load failed with %d, not LH_ECORRUPT: %s", (int)st, err.msg);
        if (st == LH_ECORRUPT && !strstr(err.msg, "is corrupt"))
            fuzz_fail("a corrupt file's message does not say so: '%s'", err.msg);
        free(copy);
        return 0;
    }
    if (lh_hnsw_size(g) > FUZZ_HNSW_ROWS || lh_hnsw_dims(g) != FUZZ_HNSW_DIMS)
        fuzz_fail("accepted a graph of %zu rows x %zu dims", lh_hnsw_size(g), lh_hnsw_dims(g));
    uint64_t allow[1] = {0x5555555555555555ull};
    lh_vec_q8 *q8 = NULL;
    lh_err qerr;
    if (lh_vec_q8_new(base, FUZZ_HNSW_ROWS, FUZZ_HNSW_DIMS, &q8, &qerr))
        q8 = NULL;
    for (size_t q = 0; q < 4; q++) {
        const float *qv = base + q * 13 * FUZZ_HNSW_DIMS;
        check_search(g, qv, 1, 0, NULL, NULL);
        check_search(g, qv, 10, 3, NULL, NULL);
        check_search(g, qv, FUZZ_HNSW_ROWS, 200, NULL, NULL);
        check_search(g, qv, 5, 16, allow, NULL);
        if (q8)
            check_search(g, qv, 5, 16, NULL, q8);
    }
    /* a deleted row is never returned; the missing rows can be added */
    lh_hnsw_delete(g, 0);
    check_search(g, base, 10, 20, NULL, NULL);
    for (uint32_t r = 0; r < FUZZ_HNSW_ROWS; r++) {
        if (r > 0 && lh_hnsw_is_deleted(g, r))
            continue;
        lh_status ast = lh_hnsw_add(g, r, &err);
        if (ast && ast != LH_EEXIST && ast != LH_ENOMEM)
            fuzz_fail("adding row %u to an accepted graph failed (%d): %s", r, (int)ast, err.msg);
    }
    if (lh_hnsw_size(g) != FUZZ_HNSW_ROWS)
        fuzz_fail("after adding every row the graph holds %zu", lh_hnsw_size(g));
    check_search(g, base + 5 * FUZZ_HNSW_DIMS, 10, 20, NULL, q8);
    lh_vec_q8_free(q8);
    lh_hnsw_free(g);
    free(copy);
    return 0;
}
