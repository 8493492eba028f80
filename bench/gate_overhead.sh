#!/usr/bin/env bash
# bench/gate_overhead.sh [N]: per-query cost of the statement gate and the rolled-back
# transaction, against DuckDB run directly (bench/gate_overhead.c). Needs `make` first.
set -euo pipefail
cd "$(dirname "$0")/.."
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
mkdir -p bench/out
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -Isrc -I"$DUCKDB_DIR" -o bench/out/gate_overhead \
  bench/gate_overhead.c build/liblh.a -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
  -lduckdb -ljansson -lcrypto -lpthread -lm $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl)
bench/out/gate_overhead "${1:-300}"
