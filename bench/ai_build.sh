#!/usr/bin/env bash
# bench/ai_build.sh [SCALE [RUNS]]: the builtin model's build throughput on the demo's
# resumes (bench/ai_build.c): chunking, BM25, LSA fit, embedding; median of RUNS (3).
# Needs build/liblh.a (make build/lakehouse). Prints markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/liblh.a ] || { echo "ai_build.sh: build/liblh.a missing: run make build/lakehouse first" >&2; exit 1; }
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
mkdir -p bench/out
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Isrc -o bench/out/ai_build bench/ai_build.c \
  build/liblh.a -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
  -lduckdb -ljansson -lcrypto -lpthread -lm \
  $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl zlib libzstd liblzma) -lbz2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
bench/out/ai_build "${1:-1}" "${2:-3}"
