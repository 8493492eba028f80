#!/usr/bin/env bash
# A 1,000,000-row result as NDJSON: `lakehouse sql ... --format ndjson` (a whole process,
# output to a pipe) against a DuckDB process streaming the same rows with its JSON writer
# (COPY (...) TO '/dev/stdout' (FORMAT json): one object a line, the same bytes), runs
# alternated, medians; peak memory (max RSS) of each side too.
#
#   bench/ndjson.sh BIN       BENCH_NDJSON_RUNS (default 7; 3 with BENCH_QUICK=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/ndjson.sh build/lakehouse}")" && pwd)/$(basename "$1")
RUNS=${BENCH_NDJSON_RUNS:-$([ "${BENCH_QUICK:-0}" = 1 ] && echo 3 || echo 7)}
OUT=$PWD/bench/out/ndjson
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
rm -rf "$OUT"; mkdir -p "$OUT/data"
unset LAKEHOUSE_LOG
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"
Q="SELECT i, i * 2 AS j, 'x' || i AS s FROM range(1000000) t(i)"
lh() { "$BIN" sql "$Q" --format ndjson --data "$OUT/data"; }
duck() { "$OUT/duckref" "COPY ($Q) TO '/dev/stdout' (FORMAT json)"; }
# same bytes on both sides (duckref prints the COPY's row count after the rows)
[ "$(lh | sha256sum)" = "$(duck | head -n 1000000 | sha256sum)" ] || echo "ndjson: the two outputs differ" >&2
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
one() { # one FUNC: "ms maxrss_kb" of one run, output through a pipe to wc
    local t0 f=$OUT/rss
    t0=$(date +%s%N)
    if [ "$1" = lh ]; then
        /usr/bin/time -f %M -o "$f" "$BIN" sql "$Q" --format ndjson --data "$OUT/data" | wc -c > /dev/null
    else
        /usr/bin/time -f %M -o "$f" "$OUT/duckref" "COPY ($Q) TO '/dev/stdout' (FORMAT json)" | wc -c > /dev/null
    fi
    echo "$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", d / 1e6}') $(tail -n 1 "$f")"
}
: > "$OUT/lh.txt"; : > "$OUT/duck.txt"
for ((i = 0; i < RUNS; i++)); do
    if ((i % 2)); then one duck >> "$OUT/duck.txt"; one lh >> "$OUT/lh.txt"
    else one lh >> "$OUT/lh.txt"; one duck >> "$OUT/duck.txt"; fi
done
L=$(cut -d' ' -f1 "$OUT/lh.txt" | median) D=$(cut -d' ' -f1 "$OUT/duck.txt" | median)
LM=$(cut -d' ' -f2 "$OUT/lh.txt" | median) DM=$(cut -d' ' -f2 "$OUT/duck.txt" | median)
R=$(awk -v a="$L" -v b="$D" 'BEGIN {printf "%.2f", a / b}')
printf 'ROW\t1M-row NDJSON (CLI sql --format ndjson vs DuckDB COPY TO stdout FORMAT json)\t%s ms, %d MB RSS\t%s ms, %d MB RSS\t%s\t<= 1.1\t%s\n' \
    "$L" $((${LM%.*} / 1024)) "$D" $((${DM%.*} / 1024)) "$R" "$(awk -v r="$R" 'BEGIN {print (r <= 1.1) ? "yes" : "no"}')"
