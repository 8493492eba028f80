#!/usr/bin/env bash
# `lakehouse demo` (generate + ingest the staffing agency, a fresh data directory each run)
# against its own generator plus DuckDB: `lakehouse demo --out DIR` (the same seven CSV
# files) followed by one DuckDB process COPYing each CSV to Snappy Parquet. Runs
# alternated, medians; every run's per-table times to stderr. Target: ratio <= 1.15.
# usage: bench/demo.sh [BIN] [RUNS] [SCALE]   (defaults: build/lakehouse, 3, 1;
#        BENCH_QUICK=1: scale 0.1). Prints a ROW line (bench/rows.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:-build/lakehouse}")" && pwd)/$(basename "${1:-build/lakehouse}")
QUICK=${BENCH_QUICK:-0}
RUNS=${2:-3}
SCALE=${3:-$([ "$QUICK" = 1 ] && echo 0.1 || echo 1)}
OUT=$PWD/bench/out/demo
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
rm -rf "$OUT"; mkdir -p "$OUT"
unset LAKEHOUSE_LOG
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"
ms() { awk -v d=$(( $(date +%s%N) - $1 )) 'BEGIN {printf "%.0f\n", d / 1e6}'; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
run_lh() {
    rm -rf "$OUT/data"
    local t0; t0=$(date +%s%N)
    "$BIN" demo --scale "$SCALE" --no-index --data "$OUT/data" --json > "$OUT/run.json"
    ms "$t0" >> "$OUT/lh.txt"
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1])):
    print("  %-11s %9d rows  generate %6d ms  ingest %6d ms" % (r["table"], r["rows"], r["generate_ms"], r["ingest_ms"]), file=sys.stderr)' "$OUT/run.json"
}
run_base() {
    rm -rf "$OUT/csv" "$OUT/pq"; mkdir -p "$OUT/csv" "$OUT/pq"
    local t0 t1 sql="" f; t0=$(date +%s%N)
    "$BIN" demo --scale "$SCALE" --out "$OUT/csv" --json > /dev/null
    t1=$(date +%s%N)
    for f in "$OUT"/csv/*.csv; do
        sql+="COPY (FROM read_csv('$f')) TO '$OUT/pq/$(basename "$f" .csv).parquet' (FORMAT parquet, COMPRESSION snappy);"
    done
    "$OUT/duckref" "$sql" > /dev/null
    ms "$t0" >> "$OUT/base.txt"
    echo "  baseline: generate $(( (t1 - t0) / 1000000 )) ms + DuckDB COPY $(( $(tail -n 1 "$OUT/base.txt") - (t1 - t0) / 1000000 )) ms" >&2
}
: > "$OUT/lh.txt"; : > "$OUT/base.txt"
for i in $(seq 1 "$RUNS"); do
    if ((i % 2)); then run_lh; run_base; else run_base; run_lh; fi
    echo "run $i: lakehouse demo $(tail -n 1 "$OUT/lh.txt") ms, generator + DuckDB COPY $(tail -n 1 "$OUT/base.txt") ms" >&2
done
rm -rf "$OUT/csv" "$OUT/pq"
L=$(median < "$OUT/lh.txt") B=$(median < "$OUT/base.txt")
R=$(awk -v a="$L" -v b="$B" 'BEGIN {printf "%.2f", a / b}')
echo "median over $RUNS runs at scale $SCALE: lakehouse demo $L ms, generator + DuckDB COPY $B ms, ratio $R" >&2
printf 'ROW\tlakehouse demo --scale %s vs its generator + DuckDB COPY\t%s ms\t%s ms\t%s\t<= 1.15\t%s\n' \
    "$SCALE" "$L" "$B" "$R" "$(awk -v r="$R" 'BEGIN {print (r <= 1.15) ? "yes" : "no"}')"
