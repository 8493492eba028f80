#!/usr/bin/env bash
# `lakehouse delete` of 100,000 keys in one call: it must work or be refused with nothing
# changed (issue 13 item 6; it used to apply the tombstones, then exit 11 "journal event over
# 1048576 bytes"). 150,000 rows ingested, 100,000 keys deleted; the time against DuckDB
# rewriting the same table without those keys (an anti join written to a new Parquet file,
# a whole process: what a copy-on-write delete costs).
#
#   bench/delete_100k.sh BIN     BENCH_DELETE_KEYS (default 100000; 20000 with BENCH_QUICK=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/delete_100k.sh build/lakehouse}")" && pwd)/$(basename "$1")
K=${BENCH_DELETE_KEYS:-$([ "${BENCH_QUICK:-0}" = 1 ] && echo 20000 || echo 100000)}
ROWS=$((K + K / 2))
OUT=$PWD/bench/out/delete_100k
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
rm -rf "$OUT"; mkdir -p "$OUT"
unset LAKEHOUSE_LOG
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"
"$OUT/duckref" "COPY (SELECT i AS id, 'name ' || i AS name, i % 50 AS grp FROM range($ROWS) t(i)) TO '$OUT/people.csv' (HEADER)" > /dev/null
"$BIN" ingest "$OUT/people.csv" --name people --data "$OUT/data" > /dev/null
seq 0 $((K - 1)) > "$OUT/keys.txt"
state() { (cd "$OUT/data" && find . -type f ! -name .lock -print0 | sort -z | xargs -0 -r sha256sum); }
before=$(state)
mapfile -t KEYS < "$OUT/keys.txt"
t0=$(date +%s%N)
set +e
"$BIN" delete people --data "$OUT/data" --reason bench --key id "${KEYS[@]}" > "$OUT/delete.out" 2> "$OUT/delete.err"
rc=$?
set -e
LH_MS=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.0f", d / 1e6}')
VISIBLE=$("$BIN" sql "SELECT count(*) FROM people" --format csv --data "$OUT/data" | tail -n 1 | tr -d '\r')
if [ "$rc" = 0 ] && [ "$VISIBLE" = $((ROWS - K)) ]; then
    outcome="worked"; ok=yes
elif [ "$rc" != 0 ] && [ "$VISIBLE" = "$ROWS" ] && [ "$before" = "$(state)" ]; then
    outcome="refused, nothing changed (exit $rc)"; ok=yes
else
    outcome="exit $rc, $VISIBLE of $ROWS rows visible: NOT all or nothing"; ok=no
fi
echo "delete of $K keys: $outcome in $LH_MS ms; $(head -c 300 "$OUT/delete.err")" >&2
FILES=$(python3 bench/delta_files.py "$OUT/data/tables/people" "$OUT/duckref" | sed "s/.*/'&'/" | paste -sd,)
t0=$(date +%s%N)
"$OUT/duckref" "CREATE TABLE k AS SELECT column0 AS id FROM read_csv('$OUT/keys.txt', header=false, columns={'column0': 'BIGINT'})" \
    "COPY (SELECT * FROM read_parquet([$FILES]) p ANTI JOIN k USING (id)) TO '$OUT/rewritten.parquet' (FORMAT parquet, COMPRESSION snappy)" > /dev/null
DUCK_MS=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.0f", d / 1e6}')
printf 'ROW\tdelete of %d keys (CLI, one call)\t%s ms, %s\t%s ms (DuckDB rewrite without the keys)\t%s\tall or nothing\t%s\n' \
    "$K" "$LH_MS" "$outcome" "$DUCK_MS" "$(awk -v a="$LH_MS" -v b="$DUCK_MS" 'BEGIN {printf "%.2f", a / b}')" "$ok"
