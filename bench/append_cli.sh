#!/usr/bin/env bash
# Appends through the CLI stay flat: N appends of 100 rows each into one dataset with
# `lakehouse ingest` (a whole process per append, as a user or a cron job runs it), the
# time of append #1, #150 and #N (median of the 5 appends ending there), against DuckDB
# writing the same 100 rows to a new Parquet file as a process (duckref COPY, timed next
# to the same appends). Then the Delta checkpoints the N commits left (target: one every
# 10 commits).
#
#   bench/append_cli.sh BIN      BENCH_APPENDS (default 1000; 150 with BENCH_QUICK=1)
#
# Prints ROW lines (bench/rows.sh) and the per-append times to bench/out/append_cli/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/append_cli.sh build/lakehouse}")" && pwd)/$(basename "$1")
N=${BENCH_APPENDS:-$([ "${BENCH_QUICK:-0}" = 1 ] && echo 150 || echo 1000)}
OUT=$PWD/bench/out/append_cli
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
rm -rf "$OUT"; mkdir -p "$OUT"
unset LAKEHOUSE_LOG
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"
ms() { awk -v d=$(( $(date +%s%N) - $1 )) 'BEGIN {printf "%.1f\n", d / 1e6}'; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# the appends whose DuckDB twin is timed too: the 5 ending at #5, #150 and #N
sampled() { local i=$1; { [ "$i" -le 5 ]; } || { [ "$i" -gt 145 ] && [ "$i" -le 150 ]; } || [ "$i" -gt $((N - 5)) ]; }
: > "$OUT/lh.txt"; : > "$OUT/duck.txt"
for ((i = 1; i <= N; i++)); do
    f=$OUT/batch.csv
    { echo "id,grp,amount,note"; for ((r = 0; r < 100; r++)); do echo "$((i * 100 + r)),$((r % 7)),$((i + r)).5,batch $i row $r"; done; } > "$f"
    t0=$(date +%s%N)
    "$BIN" ingest "$f" --name events --data "$OUT/data" > /dev/null
    echo "$i $(ms "$t0")" >> "$OUT/lh.txt"
    if sampled "$i"; then
        t0=$(date +%s%N)
        "$OUT/duckref" "COPY (FROM read_csv('$f')) TO '$OUT/duck-$i.parquet' (FORMAT parquet, COMPRESSION snappy)" > /dev/null
        echo "$i $(ms "$t0")" >> "$OUT/duck.txt"
    fi
    [ $((i % 100)) = 0 ] && echo "  $i appends, last $(tail -n 1 "$OUT/lh.txt" | cut -d' ' -f2) ms" >&2
done
at() { awk -v lo="$(($2 - 4))" -v hi="$2" '$1 >= lo && $1 <= hi {print $2}' "$1" | median; }
L1=$(at "$OUT/lh.txt" 5) L150=$(at "$OUT/lh.txt" 150) LN=$(at "$OUT/lh.txt" "$N")
D1=$(at "$OUT/duck.txt" 5) D150=$(at "$OUT/duck.txt" 150) DN=$(at "$OUT/duck.txt" "$N")
ROWS=$("$BIN" sql "SELECT count(*) FROM events" --format csv --data "$OUT/data" | tail -n 1 | tr -d '\r')
[ "$ROWS" = $((N * 100)) ] || { echo "append_cli: $ROWS rows after $N appends, expected $((N * 100))" >&2; exit 1; }
r() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
met() { awk -v a="$1" -v t="$2" 'BEGIN {print (a <= t) ? "yes" : "no"}'; }
echo "append #1..#5 $L1 ms, #146..#150 $L150 ms, #$((N - 4))..#$N $LN ms; DuckDB COPY $D1 / $D150 / $DN ms" >&2
[ "$N" -ge 150 ] && printf 'ROW\tappend #150 vs #1 (100 rows, CLI)\t%s ms\t%s ms (#1)\t%s\t<= 1.2 (flat)\t%s\n' "$L150" "$L1" "$(r "$L150" "$L1")" "$(met "$(r "$L150" "$L1")" 1.2)"
[ "$N" != 150 ] && printf 'ROW\tappend #%d vs #1 (100 rows, CLI)\t%s ms\t%s ms (#1)\t%s\t<= 1.2\t%s\n' "$N" "$LN" "$L1" "$(r "$LN" "$L1")" "$(met "$(r "$LN" "$L1")" 1.2)"
printf 'ROW\tappend #%d vs DuckDB COPY process (#%d)\t%s ms\t%s ms\t%s\t- (DuckDB flat: #1 %s ms)\t-\n' "$N" "$N" "$LN" "$DN" "$(r "$LN" "$DN")" "$D1"
# Delta checkpoints written by the N commits (the table's log).
LOG=$OUT/data/tables/events/_delta_log
CP=$(find "$LOG" -name '*.checkpoint.parquet' 2>/dev/null | wc -l)
LAST=$([ -f "$LOG/_last_checkpoint" ] && echo yes || echo no)
# N commits are versions 0 .. N-1: one checkpoint at each of versions 10, 20, ... below N.
WANT=$(((N - 1) / 10))
printf 'ROW\tDelta checkpoints after %d commits\t%d (_last_checkpoint: %s)\t-\t-\t%d (one every 10 commits)\t%s\n' "$N" "$CP" "$LAST" "$WANT" \
    "$([ "$CP" -ge "$WANT" ] && [ "$LAST" = yes ] && echo yes || echo no)"
