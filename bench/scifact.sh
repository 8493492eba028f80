#!/usr/bin/env bash
# bench/scifact.sh [scifact_eval options]: retrieval quality of the builtin model (BM25,
# LSA, hybrid) on SciFact (BEIR format) read from $LH_SHARED_DIR/retrieval/scifact (never
# copied into the repo). Builds bench/out/scifact_eval against build/liblh.a (run
# `make build/lakehouse` first) and prints markdown table rows; options are those of
# bench/scifact_eval.c (--k1, --b, --dims, --weights, --depth, --chunk, --no-stop,
# --no-stem, --no-bigrams). With no option it runs the sweep recorded in
# docs/BENCHMARKS.md "Builtin retrieval".
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
SET=$SHARED/retrieval/scifact
[ -f "$SET/corpus.jsonl" ] || { echo "scifact.sh: $SET/corpus.jsonl not found (set LH_SHARED_DIR)" >&2; exit 1; }
[ -f build/liblh.a ] || { echo "scifact.sh: build/liblh.a missing: run make build/lakehouse first" >&2; exit 1; }
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
mkdir -p bench/out
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Isrc -o bench/out/scifact_eval \
  bench/scifact_eval.c build/liblh.a -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
  -lduckdb -ljansson -lcrypto -lpthread -lm -llapacke -lopenblas \
  $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl zlib libzstd liblzma) -lbz2
if (($#)); then
  exec bench/out/scifact_eval "$SET" "$@"
fi
echo "| mode | setting | nDCG@10 | recall@100 |"
echo "|---|---|---|---|"
bench/out/scifact_eval "$SET" --k1 0.9,1.2 --b 0.4,0.75 --dims 256 --weights 0.1,0.2,0.3,0.4,0.5
