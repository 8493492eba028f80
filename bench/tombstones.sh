#!/usr/bin/env bash
# The cost of tombstones on reads: the foundation's five queries (bench/queries.tsv)
# through `lakehouse sql` (whole process, as bench/run_all.sh (b) runs them) over a
# 1,000,000-row candidates dataset, first without tombstones, then with 100,000 of them
# (every id ending in 3: the view filters rows whose key is in the engine's key set), then after
# `lakehouse compact`. Target: with tombstones, every query within 2x of without.
#
#   bench/tombstones.sh BIN        BIN = the lakehouse binary (build/lakehouse)
#
# Environment: BENCH_QUERY_RUNS (default 10), BENCH_ROWS (default 1000000; other sizes
# are for trying the script out and are not written to docs/BENCHMARKS.md),
# BENCH_NO_DOC=1 to only print. Writes to bench/out/ (git-ignored) and the "## Tombstones"
# section of docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/tombstones.sh path/to/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
N=${BENCH_QUERY_RUNS:-10}
ROWS=${BENCH_ROWS:-1000000}
OUT=$PWD/bench/out
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
mkdir -p "$OUT"
unset LAKEHOUSE_LOG
say() { printf '== %s\n' "$*" >&2; }
now_ns() { date +%s%N; }
median() { sort -g | awk '{v[NR]=$1} END {if (!NR) exit 1; if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
HYPERFINE=$(command -v hyperfine || true)
time_median() {
    local n=$1; shift
    if [ -n "$HYPERFINE" ]; then
        local cmd="" a
        for a in "$@"; do cmd+="$(printf '%q' "$a") "; done
        hyperfine -N --style none --warmup 1 --runs "$n" --export-csv "$OUT/hf.csv" \
            --command-name bench "$cmd" > /dev/null
        awk -F, 'NR == 2 {printf "%.1f\n", $4 * 1000}' "$OUT/hf.csv"
    else
        "$@" > /dev/null
        local i t0
        for ((i = 0; i < n; i++)); do t0=$(now_ns); "$@" > /dev/null; echo $(( ($(now_ns) - t0) / 1000 )); done |
            median | awk '{printf "%.1f\n", $1 / 1000}'
    fi
}
ms_of() { local t0; t0=$(now_ns); "$@" > /dev/null; awk -v d=$(( $(now_ns) - t0 )) 'BEGIN {printf "%.0f\n", d / 1e6}'; }

GEN=$OUT/gen_candidates
if [ ! -x "$GEN" ] || [ bench/gen_candidates.c -nt "$GEN" ]; then
    "${CC:-gcc}" -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" bench/gen_candidates.c -o "$GEN" \
        -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"
fi
DATA=$OUT/data-$ROWS
mkdir -p "$DATA"
[ -s "$DATA/candidates.csv" ] && [ -s "$DATA/recruiters.csv" ] && [ ! "$GEN" -nt "$DATA/candidates.csv" ] ||
    "$GEN" "$DATA" "$ROWS"
Q=$OUT/tomb-data
rm -rf "$Q"
"$BIN" ingest "$DATA/candidates.csv" --name candidates --data "$Q" > /dev/null
"$BIN" ingest "$DATA/recruiters.csv" --name recruiters --data "$Q" > /dev/null

run_queries() { # label -> lines "name ms" in $OUT/tomb_<label>.txt
    : > "$OUT/tomb_$1.txt"
    echo "startup $(time_median "$N" "$BIN" sql "SELECT 1" --format csv --data "$Q")" >> "$OUT/tomb_$1.txt"
    while IFS=$'\t' read -r name sql; do
        case $name in '#'* | '') continue ;; esac
        echo "$name $(time_median "$N" "$BIN" sql "$sql" --format csv --data "$Q")" >> "$OUT/tomb_$1.txt"
    done < bench/queries.tsv
    say "$1: $(paste -sd' ' "$OUT/tomb_$1.txt")"
}

say "queries without tombstones ($ROWS rows, median of $N)"
run_queries none
"$BIN" sql "SELECT id FROM candidates WHERE id % 10 = 3 ORDER BY id" --format csv --data "$Q" | tail -n +2 | tr -d '\r' > "$OUT/tomb_keys.txt"
mapfile -t KEYS < "$OUT/tomb_keys.txt"
NKEYS=${#KEYS[@]}
say "tombstoning $NKEYS ids in one call"
DELETE_MS=$(ms_of "$BIN" delete candidates --data "$Q" --reason bench --key id "${KEYS[@]}")
VISIBLE=$("$BIN" sql "SELECT count(*) FROM candidates" --format csv --data "$Q" | tail -n 1)
say "  delete: $DELETE_MS ms; visible rows now $VISIBLE"
run_queries tomb
COMPACT_MS=$(ms_of "$BIN" compact candidates --data "$Q")
say "compact: $COMPACT_MS ms"
run_queries compacted

ROWS_MD=""
WORST=0
while read -r name none; do
    tomb=$(awk -v n="$name" '$1 == n {print $2}' "$OUT/tomb_tomb.txt")
    comp=$(awk -v n="$name" '$1 == n {print $2}' "$OUT/tomb_compacted.txt")
    r=$(awk -v a="$tomb" -v b="$none" 'BEGIN {printf "%.2f", a / b}')
    WORST=$(awk -v a="$r" -v b="$WORST" 'BEGIN {print (a > b ? a : b)}')
    ROWS_MD+="| $name | $none | $tomb | **$r** | $comp |"$'\n'
done < "$OUT/tomb_none.txt"
MET=$(awk -v w="$WORST" 'BEGIN {print (w <= 2 ? "met (worst " w "x)" : "NOT met (worst " w "x)")}')
SECTION="## Tombstones

\`bench/tombstones.sh build/lakehouse\`: the five queries of (b) through \`lakehouse sql\` (whole
process, median of $N runs, $(basename "${HYPERFINE:-date loop}")) over the $ROWS-row \`candidates\` dataset
(plus \`recruiters\`), without tombstones, with $NKEYS of them (every \`id\` ending in 3, one
\`lakehouse delete\` call: $DELETE_MS ms including its fsync and journal record; $VISIBLE rows stay
visible), and after \`lakehouse compact\` ($COMPACT_MS ms: rewrite, full verification scan, commit).
A dataset with tombstones is read as \`__raw__candidates\` filtered during the scan by
\`NOT __lh_hidden_i('candidates', id)\` (a hash set in C built from the in-memory table
\`__tomb__candidates\`, itself filled at every start from the key cache or
\`_catalog/tombstones/candidates.jsonl\`, which the startup row includes; see also
\"Tombstone filter\").

| query | no tombstones ms | $NKEYS tombstones ms | ratio | after compact ms |
|---|---:|---:|---:|---:|
$ROWS_MD
Target: every query with tombstones within 2x of the same without: $MET.
$(date -u +%Y-%m-%dT%H:%MZ), commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo).
"
printf '%s\n' "$SECTION"
if [ "${BENCH_NO_DOC:-0}" != 1 ] && [ "$ROWS" = 1000000 ]; then
    python3 - "$DOC" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip("\n") + "\n"
doc = open(path).read()
m = re.search(r"^## Tombstones\n.*?(?=^## |\Z)", doc, flags=re.S | re.M)
doc = doc[:m.start()] + section + "\n" + doc[m.end():] if m else doc.rstrip("\n") + "\n\n" + section
open(path, "w").write(doc)
PY
fi
