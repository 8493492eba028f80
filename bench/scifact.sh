#!/usr/bin/env bash
# bench/scifact.sh [scifact_eval options]: retrieval quality of the builtin model (BM25,
# LSA, hybrid) on SciFact (BEIR format) read from $LH_SHARED_DIR/retrieval/scifact (never
# copied into the repo). Builds bench/out/scifact_eval against build/liblh.a (run
# `make build/lakehouse` first) and prints markdown table rows; options are those of
# bench/scifact_eval.c (--k1, --b, --dims, --weights, --depth, --chunk, --no-stop,
# --no-stem, --porter/--no-porter/--bm25-porter/--lsa-porter, --lsa-bigrams, --bm25-bigrams,
# --terms, --sigma, --fb-docs, --fit-docs, --zscore, --rerank, --tfidf/--log-entropy,
# --doc-agg). With no option it runs the sweep recorded in docs/BENCHMARKS.md "Builtin
# retrieval" (about 25 minutes on a loaded 2-core machine).
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
  -lduckdb -ljansson -lcrypto -lpthread -lm \
  $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl zlib libzstd liblzma) -lbz2
if (($#)); then
  exec bench/out/scifact_eval "$SET" "$@"
fi
# The recorded sweep: the defaults' chunking with BM25 k1/b, LSA dims, fusion weights and
# feedback; then the other chunkings and the ablations, one table each.
run() {
  echo
  echo "#### \`bench/scifact.sh $*\`"
  echo
  echo "| mode | setting | nDCG@10 | recall@100 |"
  echo "|---|---|---|---|"
  bench/out/scifact_eval "$SET" "$@"
}
run --k1 0.9,1.2 --b 0.4,0.75 --dims 128,256,512 --weights 0.1,0.2,0.3,0.5 --fb-docs 3,10
run --weights 0.2 --fb-docs 3 --rerank
run --zscore --weights 0.1,0.2,0.3,0.5 --fb-docs 3
run --depth 300 --weights 0.1,0.2,0.3 --fb-docs 3
run --tfidf --weights 0.1,0.2,0.3 --fb-docs 3
run --no-porter --tfidf --weights 0.2 --fb-docs 3
run --no-porter --weights 0.2 --fb-docs 3
run --no-porter --bm25-porter --weights 0.2 --fb-docs 3
run --no-porter --lsa-porter --weights 0.2 --fb-docs 3
run --fit-docs 1000 --weights 0.2 --fb-docs 3
run --fit-docs 2000 --weights 0.2 --fb-docs 3
run --fit-docs 3000 --weights 0.2 --fb-docs 3
run --doc-agg sum --weights 0.2 --fb-docs 3
run --doc-agg frac --weights 0.2 --fb-docs 3
run --chunk 1000/200 --weights 0.2 --fb-docs 3
run --chunk 4000/0 --weights 0.2 --fb-docs 3
run --lsa-bigrams --weights 0.2 --fb-docs 3
run --sigma -0.5,-1 --weights 0.2 --fb-docs 3
run --dims 0 --no-porter
run --dims 0 --no-stem
run --dims 0 --no-stop
run --dims 0 --bm25-bigrams
