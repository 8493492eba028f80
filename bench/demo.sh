#!/usr/bin/env bash
# Wall time of `lakehouse demo` (generate + ingest the staffing agency) into a fresh data
# directory each run; prints every run and the median. Results: docs/BENCHMARKS.md.
# usage: bench/demo.sh [BIN] [RUNS] [SCALE]
set -euo pipefail
BIN=${1:-build/lakehouse}
RUNS=${2:-3}
SCALE=${3:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lh-bench-demo-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
times=()
for i in $(seq 1 "$RUNS"); do
  rm -rf "$TMP/data"
  start=$(date +%s%N)
  "$BIN" demo --scale "$SCALE" --data "$TMP/data" --json > "$TMP/run$i.json"
  end=$(date +%s%N)
  t=$(( (end - start) / 1000000 ))
  times+=("$t")
  echo "run $i: ${t} ms"
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1])):
    print("  %-11s %9d rows  generate %6d ms  ingest %6d ms" % (r["table"], r["rows"], r["generate_ms"], r["ingest_ms"]))' "$TMP/run$i.json"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
echo "median wall time of lakehouse demo --scale $SCALE over $RUNS runs: ${median} ms"
