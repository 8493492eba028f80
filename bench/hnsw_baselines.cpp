// hnsw_baselines.cpp: the C++ baselines of bench/hnsw.sh, from Debian's packages,
// compiled at bench time with g++ -O3 -march=native into bench/out/:
//   hnswlib 0.6.2 (libhnswlib-dev, header-only): HierarchicalNSW<float> over
//           InnerProductSpace, random_seed 100 (its default);
//   faiss 1.7.3 (libfaiss-dev, static): IndexHNSWFlat(dims, M, METRIC_INNER_PRODUCT).
//
//   hnsw_baselines hnswlib|faiss DIR N DIMS NQ M EFC THREADS EFS
//
// Builds the graph of DIR/base.f32 with THREADS threads (hnswlib: addPoint from THREADS
// std::threads taking rows in order from a shared counter, the first row alone first, as
// its Python binding does; faiss: its OpenMP build with omp_set_num_threads(THREADS)),
// prints the build line, then a search line per ef of EFS ("-" = build only): one query
// at a time from this thread (faiss: OpenMP set to 1 thread). Lines and measurement:
// hnsw_common.h, the same as bench/hnsw.c's for our graph.
//
// Graph bytes: what the index holds beside the vectors (hnswlib keeps each vector inside
// its level-0 block, so its graph is that block less the vectors, plus the upper levels'
// link lists and its per-row level, lock and label bookkeeping; faiss: neighbors, offsets,
// levels). The RSS growth over the build is printed too (vectors copied in included).
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <faiss/IndexHNSW.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include "hnsw_common.h"

namespace {

struct data {
    size_t n, dims, nq;
    float *base;
    float *q;
    hb_gt g;
};

template <typename Search>
double sweep(const data &d, Search search, double *lat)
{
    uint64_t rows[HNSW_K];
    size_t right = 0;
    for (size_t i = 0; i < 5 && i < d.nq; i++)
        search(d.q + i * d.dims, rows);
    for (int pass = 0; pass < HNSW_PASSES; pass++)
        for (size_t i = 0; i < d.nq; i++) {
            double t0 = hb_now_us();
            size_t got = search(d.q + i * d.dims, rows);
            double us = hb_now_us() - t0;
            if (!pass || us < lat[i])
                lat[i] = us;
            if (!pass)
                right += hb_hits(d.base, d.dims, d.q + i * d.dims, rows, got, d.g.scores + i * HNSW_K);
        }
    return (double)right / (double)(d.nq * HNSW_K);
}

void print_build(const char *who, size_t efc, int threads, double ms, size_t graph, size_t rss0)
{
    size_t rss1 = hb_rss();
    printf("build %s %zu %d %.1f %zu %zu\n", who, efc, threads, ms, graph, rss1 > rss0 ? rss1 - rss0 : 0);
    fflush(stdout);
}

int run_hnswlib(const data &d, size_t m, size_t efc, int threads, const std::vector<size_t> &efs)
{
    hnswlib::InnerProductSpace space(d.dims);
    size_t rss0 = hb_rss();
    double t0 = hb_now_us();
    hnswlib::HierarchicalNSW<float> index(&space, d.n, m, efc, 100);
    if (d.n)
        index.addPoint(d.base, 0);
    std::atomic<size_t> next(1);
    auto worker = [&]() {
        for (size_t r; (r = next++) < d.n;)
            index.addPoint(d.base + r * d.dims, r);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; t++)
        pool.emplace_back(worker);
    worker();
    for (auto &t : pool)
        t.join();
    double ms = (hb_now_us() - t0) / 1e3;
    size_t upper = 0;
    for (size_t r = 0; r < d.n; r++)
        upper += (size_t)index.element_levels_[r] * index.size_links_per_element_;
    size_t graph = d.n * (index.size_data_per_element_ - index.data_size_) + upper +
                   d.n * (sizeof(int) + sizeof(void *) + sizeof(std::mutex));
    print_build("hnswlib", efc, threads, ms, graph, rss0);

    std::vector<double> lat(d.nq);
    for (size_t ef : efs) {
        index.setEf(ef);
        double recall = sweep(d, [&](const float *q, uint64_t *rows) {
            auto res = index.searchKnn(q, HNSW_K);
            size_t got = res.size();
            // the priority queue pops the worst first
            for (size_t j = got; j-- > 0; res.pop())
                rows[j] = res.top().second;
            return got;
        }, lat.data());
        hb_print_search("hnswlib", efc, ef, recall, lat.data(), d.nq);
    }
    return 0;
}

int run_faiss(const data &d, size_t m, size_t efc, int threads, const std::vector<size_t> &efs)
{
    omp_set_num_threads(threads);
    size_t rss0 = hb_rss();
    double t0 = hb_now_us();
    faiss::IndexHNSWFlat index((int)d.dims, (int)m, faiss::METRIC_INNER_PRODUCT);
    index.hnsw.efConstruction = (int)efc;
    index.add((faiss::Index::idx_t)d.n, d.base);
    double ms = (hb_now_us() - t0) / 1e3;
    const faiss::HNSW &h = index.hnsw;
    size_t graph = h.neighbors.size() * sizeof(h.neighbors[0]) + h.offsets.size() * sizeof(h.offsets[0]) +
                   h.levels.size() * sizeof(h.levels[0]);
    print_build("faiss", efc, threads, ms, graph, rss0);

    omp_set_num_threads(1);
    std::vector<double> lat(d.nq);
    for (size_t ef : efs) {
        index.hnsw.efSearch = (int)ef; // 1.7.3's search ignores SearchParametersHNSW
        double recall = sweep(d, [&](const float *q, uint64_t *rows) {
            float dist[HNSW_K];
            faiss::Index::idx_t ids[HNSW_K];
            index.search(1, q, HNSW_K, dist, ids);
            size_t got = 0;
            for (size_t j = 0; j < HNSW_K; j++)
                if (ids[j] >= 0)
                    rows[got++] = (uint64_t)ids[j];
            return got;
        }, lat.data());
        hb_print_search("faiss", efc, ef, recall, lat.data(), d.nq);
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc != 10 || (strcmp(argv[1], "hnswlib") && strcmp(argv[1], "faiss"))) {
        fprintf(stderr, "usage: hnsw_baselines hnswlib|faiss DIR N DIMS NQ M EFC THREADS EFS|-\n");
        return 2;
    }
    const char *dir = argv[2];
    data d;
    d.n = hb_arg(argv[3]);
    d.dims = hb_arg(argv[4]);
    d.nq = hb_arg(argv[5]);
    size_t m = hb_arg(argv[6]), efc = hb_arg(argv[7]);
    int threads = (int)hb_arg(argv[8]);
    std::vector<size_t> efs;
    if (strcmp(argv[9], "-")) {
        size_t v[64], n = hb_list(argv[9], v, 64);
        efs.assign(v, v + n);
    }
    d.base = hb_read_f32(dir, "base.f32", d.n, d.dims);
    d.q = efs.empty() ? nullptr : hb_read_f32(dir, "queries.f32", d.nq, d.dims);
    d.g = efs.empty() ? hb_gt{nullptr, nullptr} : hb_read_gt(dir, "gt.bin", d.nq);
    int rc = !strcmp(argv[1], "hnswlib") ? run_hnswlib(d, m, efc, threads, efs)
                                          : run_faiss(d, m, efc, threads, efs);
    free(d.base);
    free(d.q);
    free(d.g.ids);
    free(d.g.scores);
    return rc;
}
