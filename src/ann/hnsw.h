/* hnsw.h: a Hierarchical Navigable Small World graph over float32 rows (issue 15, item 1).
 *
 * The approximate counterpart of exact search (ann/exact.h): the same metrics, the
 * same SIMD kernels (core/simd.h), the same hit type. It knows nothing of files of the
 * lake, indexes or datasets: the caller hands it the vectors (a row-major matrix it
 * BORROWS, row r at base + r * dims; the caller keeps it alive and unchanged while the
 * graph uses it) and gets back row numbers.
 *
 * Parameters (lh_hnsw_params): M links per node on the upper layers (2*M on layer 0),
 * ef_construction the candidate list of an insertion, ef_search the default candidate
 * list of a search (a search may ask for another), seed the level generator. The seed's
 * measured sweet spot, used until a tuned config is promoted: M 16, ef_construction 80,
 * ef_search 30 (LH_HNSW_DEFAULTS).
 *
 * Determinism: for a given seed, base and insertion order the graph is the same whatever
 * the thread count (levels come from the seed and the row number; a parallel build
 * inserts in fixed batches whose searches run against the graph as it stood before the
 * batch, then links in row order), so a search returns the same hits on every build.
 *
 * Deletion marks a row deleted: it is never returned (it still routes searches, as in
 * hnswlib's mark_delete); lh_hnsw_add of a deleted row undeletes it with its new vector.
 * lh_hnsw_delete may run while searches run (the flag is set and read atomically: a search
 * already past that row may still return it; every later one will not).
 *
 * Filtered search: opts->allow (the bitmap of exact.h) restricts the hits; the search
 * widens its candidate list while too few allowed rows are found, and callers fall back to
 * exact search when the filter keeps fewer than LH_HNSW_FILTER_MIN_FRACTION of the rows
 * (lh_hnsw_filter_prefers_exact).
 *
 * int8: with opts->q8 (exact.h's int8 copy of the same base) the graph walk scores on the
 * int8 codes and the best candidates are re-ranked exactly on the float rows.
 *
 * Thread-safety: searches may run from many threads at once on one graph, and
 * lh_hnsw_delete beside them (one delete at a time); add and set_base need the caller to
 * exclude searches (the server swaps whole graphs instead, see docs/INTERNALS.md
 * "Approximate search"). */
#ifndef LH_ANN_HNSW_H
#define LH_ANN_HNSW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "ann/exact.h"

typedef struct lh_hnsw_params {
    uint32_t M;               /* 2..LH_HNSW_M_MAX */
    uint32_t ef_construction; /* 1..LH_HNSW_EF_MAX */
    uint32_t ef_search;       /* 1..LH_HNSW_EF_MAX */
    uint64_t seed;
} lh_hnsw_params;

#define LH_HNSW_M_MAX 128
#define LH_HNSW_EF_MAX 4096
#define LH_HNSW_DEFAULTS ((lh_hnsw_params){.M = 16, .ef_construction = 80, .ef_search = 30, .seed = 42})

/* Below this fraction of allowed rows a filtered search is answered exactly. The graph
 * must visit about 1/f nodes per admissible one, while the exact scan scores only the
 * allowed rows of a sparse 64-row block (ann/topk.c). Measured, M 16, k 10, ef 64, one
 * thread (docs/BENCHMARKS.md "Approximate search (HNSW)"): 20K x 768 clustered: exact is
 * faster from 20% allowed down (10%: 0.32 vs 2.05 ms; 50%: the graph, 0.50 vs 5.6 ms);
 * 100K x 768, an exact scan of the allowed rows only: 1.2 ms vs the graph's 2.6 ms at 10%,
 * the crossover between 20% and 10%. The graph's filtered recall also falls (0.96 at 20%)
 * where exact is exact. Before the sparse-block scan the crossover was near 2-3%. */
#define LH_HNSW_FILTER_MIN_FRACTION 0.10

typedef struct lh_hnsw lh_hnsw;

/* LH_EINVAL naming the bad parameter (M, ef_construction, ef_search out of range). */
lh_status lh_hnsw_params_check(const lh_hnsw_params *p, lh_err *err);

/* Builds the graph of rows 0..n-1 of base (n x dims), inserted in row order, with threads
 * workers (0 = one per online CPU, 1 = the calling thread only). metric: LH_VEC_COSINE
 * expects L2-normalised rows (scored as dot), LH_VEC_DOT, LH_VEC_L2. progress (may be
 * NULL) is called now and then with the rows inserted so far; a non-zero return cancels
 * (LH_ECONFLICT "... cancelled", as index builds do). n may be 0. Free with lh_hnsw_free. */
typedef int (*lh_hnsw_progress)(void *ctx, size_t done, size_t total);
lh_status lh_hnsw_build(const float *base, size_t n, size_t dims, lh_vec_metric metric,
                        const lh_hnsw_params *p, int threads, lh_hnsw_progress progress,
                        void *progress_ctx, lh_hnsw **out, lh_err *err);
void lh_hnsw_free(lh_hnsw *h);

/* Re-points the graph at a (grown or moved) copy of its vectors: rows 0..n-1 of base,
 * n >= the rows the graph holds; the rows it holds must be unchanged. */
void lh_hnsw_set_base(lh_hnsw *h, const float *base, size_t n);
/* Inserts row (< the n of set_base; rows may be added in any order, each once, or again
 * after a delete, which undeletes it and links it from its current vector). LH_EINVAL for
 * a row past the base, LH_EEXIST for a row in the graph and not deleted, LH_ENOMEM. A
 * loaded (mapped) graph is copied to the heap on its first add. */
lh_status lh_hnsw_add(lh_hnsw *h, uint32_t row, lh_err *err);
/* Marks row deleted (no-op when absent or already deleted). */
void lh_hnsw_delete(lh_hnsw *h, uint32_t row);
bool lh_hnsw_is_deleted(const lh_hnsw *h, uint32_t row);

size_t lh_hnsw_size(const lh_hnsw *h);     /* rows inserted, deleted ones included */
size_t lh_hnsw_dims(const lh_hnsw *h);
lh_vec_metric lh_hnsw_metric(const lh_hnsw *h);
const lh_hnsw_params *lh_hnsw_get_params(const lh_hnsw *h);
size_t lh_hnsw_bytes(const lh_hnsw *h);    /* memory the graph holds (links, levels, flags) */

typedef struct lh_hnsw_search_opts {
    size_t k;                /* >= 1 */
    uint32_t ef;             /* candidate list; 0 = the graph's ef_search; raised to k */
    const uint64_t *allow;   /* NULL or the bitmap of allowed rows (exact.h) */
    const lh_vec_q8 *q8;     /* NULL, or the int8 copy of base: walk on codes, re-rank exactly */
} lh_hnsw_search_opts;

/* The (approximately) nearest opts->k rows to query, best first, as exact.h orders hits
 * (COSINE/DOT higher first, L2 lower first; ties by row). *out_n may be < k when fewer rows
 * are allowed and live. COSINE normalises a copy of the query. out has room for k hits.
 * LH_EINVAL for k 0 or an int8 copy of other dims or fewer rows than the graph's;
 * LH_ENOMEM. Allocates nothing once the graph's scratch pool is warm. */
lh_status lh_hnsw_search(const lh_hnsw *h, const float *query, const lh_hnsw_search_opts *opts,
                         lh_vec_hit *out, size_t *out_n, lh_err *err);

/* Advises the kernel to back the 2 MB-aligned interior of [p, p + bytes) with huge pages.
 * For the owner of a vector matrix: call it right after allocating the matrix, before
 * writing it (advice given later only lets khugepaged merge pages some time after). Each
 * vector a search or build touches is then no TLB miss: on 100K x 768 rows the p50 of a
 * search fell by about 20% (docs/INTERNALS.md "Approximate search"). Advice only: memory
 * from lh_malloc stays freed with free(), and nothing fails when the kernel declines. */
void lh_hnsw_advise_huge(void *p, size_t bytes);

/* True when a filter keeping `allowed` of n rows is better answered by exact search. */
bool lh_hnsw_filter_prefers_exact(size_t allowed, size_t n);

/* ---- the graph file ---------------------------------------------------------------------
 * One file per graph: a fixed header (magic "LHHNSW01", format version, dims, metric,
 * params, rows, source_version: the version of the index table whose vectors it links,
 * the byte sizes of its sections, a SHA-256 of everything after the header), then the
 * levels, the deleted flags and the link lists. Written to path.tmp, fsynced, renamed.
 * Loaded with mmap (the links are used in place; the file stays mapped until
 * lh_hnsw_free). A file that is short, of another magic or version, of other dims than
 * expected, or whose checksum does not match is LH_ECORRUPT ("graph file ... is corrupt:
 * <what>", never the path beyond its last two components): the caller rebuilds. */
lh_status lh_hnsw_save(const lh_hnsw *h, int64_t source_version, const char *path, lh_err *err);
/* Loads path over base (n x dims): LH_ENOTFOUND when there is no file; LH_ECORRUPT as above,
 * also when the file's rows exceed n or its dims differ from dims. *source_version gets the
 * header's. */
lh_status lh_hnsw_load(const char *path, const float *base, size_t n, size_t dims,
                       lh_hnsw **out, int64_t *source_version, lh_err *err);
/* The same checks over a file already in memory (what the fuzz harness drives); the graph
 * copies what it needs, data may be freed after. */
lh_status lh_hnsw_load_mem(const void *data, size_t len, const float *base, size_t n,
                           size_t dims, lh_hnsw **out, int64_t *source_version, lh_err *err);

#endif
