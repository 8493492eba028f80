#!/usr/bin/env bash
# bench/query_cost.sh [N] [R]: what one user query costs in the engine, step by step, and
# a 1M-row NDJSON stream, against DuckDB on a plain connection in the same run
# (bench/query_cost.c). Needs `make` first (build/liblh.a).
#   bench/query_cost.sh --public SRC LIBLH [N] [R]: the public-API parts only, built
#   against another tree (e.g. /work/main/src /work/main/build/liblh.a) for before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
SRC=src LIB=build/liblh.a DEFS=
if [ "${1:-}" = --public ]; then SRC=$2 LIB=$3 DEFS=-DLH_PUBLIC_ONLY; shift 3; fi
mkdir -p bench/out
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 $DEFS -I"$SRC" -I"$DUCKDB_DIR" -o bench/out/query_cost \
  bench/query_cost.c "$LIB" -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
  -lduckdb -ljansson -lcrypto -lpthread -lm -lbz2 -lz -lzstd -llzma \
  $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl)
bench/out/query_cost "${1:-2000}" "${2:-5}"
