#!/usr/bin/env bash
# bench/query_memory.sh [N]: the resident memory of an engine running N user queries one
# after the other (bench/query_memory.c), the same text each time and a new text each
# time, for this tree and for a baseline tree built before (default /work/main: its src/
# and build/liblh.a), in the same run. Needs `make` first (build/liblh.a).
#   BASE_SRC=/path/src BASE_LIB=/path/build/liblh.a bench/query_memory.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
BASE_SRC=${BASE_SRC:-/work/main/src} BASE_LIB=${BASE_LIB:-/work/main/build/liblh.a}
N=${1:-100000}
mkdir -p bench/out
build() { # out src lib
  ${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -I"$2" -I"$DUCKDB_DIR" -o "$1" bench/query_memory.c "$3" \
    -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
    -lduckdb -ljansson -lcrypto -lpthread -lm -lbz2 -lz -lzstd -llzma \
    $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl)
}
build bench/out/query_memory src build/liblh.a
build bench/out/query_memory_base "$BASE_SRC" "$BASE_LIB"
for mode in same new; do
  echo "== baseline ($BASE_LIB)"; bench/out/query_memory_base "$N" "$mode"
  echo "== this tree"; bench/out/query_memory "$N" "$mode"
done
