"""The baselines of bench/exact_search.sh: faiss IndexFlatIP and numpy on the same vectors.

    /usr/bin/python3 bench/exact_search.py DIR N DIMS NQ THREADS OURS_IDS

Reads DIR/x_N_DIMS.f32 and DIR/q_N_DIMS.f32 (written by `exact_search gen`), times one
query at a time (k 10, inner product) with faiss and with numpy, alternating query by
query so that both see the same load, after 3 warm-up queries each. faiss gets THREADS
OpenMP threads, numpy's BLAS THREADS threads (set before numpy loads). Prints "key value"
lines: p50/p95 in wall ms, p50 of the process's CPU ms per query, and how many of the rows in OURS_IDS (the lakehouse top 10 per
query) each baseline also returned."""
import math
import os
import sys
import time

DIR, N, DIMS, NQ, THREADS, OURS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import numpy as np  # noqa: E402

try:
    import faiss  # noqa: E402
except ImportError:
    sys.exit("exact_search.py: faiss is missing; install it with: apt-get install python3-faiss")

K = 10
x = np.fromfile(f"{DIR}/x_{N}_{DIMS}.f32", dtype=np.float32).reshape(N, DIMS)
q = np.fromfile(f"{DIR}/q_{N}_{DIMS}.f32", dtype=np.float32).reshape(NQ, DIMS)
ours = [set(int(v) for v in line.split()) for line in open(OURS)]

faiss.omp_set_num_threads(THREADS)
index = faiss.IndexFlatIP(DIMS)
index.add(x)


def faiss_top(i):
    _, ids = index.search(q[i:i + 1], K)
    return ids[0]


def numpy_top(i):
    s = x @ q[i]
    top = np.argpartition(-s, K)[:K]
    return top[np.argsort(-s[top], kind="stable")]


def pct(values, p):
    v = sorted(values)
    r = math.ceil(p / 100 * len(v))
    return v[max(r, 1) - 1]


for i in range(min(3, NQ)):
    faiss_top(i)
    numpy_top(i)
times = {"faiss": [], "numpy": []}
cpu = {"faiss": [], "numpy": []}
agree = {"faiss": 0, "numpy": 0}
for i in range(NQ):
    for name, fn in (("faiss", faiss_top), ("numpy", numpy_top)):
        c0, t0 = time.process_time(), time.perf_counter()
        ids = fn(i)
        times[name].append((time.perf_counter() - t0) * 1e3)
        cpu[name].append((time.process_time() - c0) * 1e3)
        agree[name] += len(ours[i] & set(int(v) for v in ids))
for name in ("faiss", "numpy"):
    print(f"{name}_p50_ms {pct(times[name], 50):.3f}")
    print(f"{name}_p95_ms {pct(times[name], 95):.3f}")
    print(f"{name}_cpu_p50_ms {pct(cpu[name], 50):.3f}")
    print(f"{name}_agree {agree[name] / (NQ * K):.4f}")
print(f"faiss_version {faiss.__version__}")
print(f"numpy_version {np.__version__}")
