#!/usr/bin/env bash
# bench/rows.sh BIN: every row of issue 13's table, each a same-run ratio against DuckDB
# 1.4.4 (or the named baseline), gathered into one summary table at the end. `make bench`
# runs it last (bench/run_all.sh); BENCH_QUICK=1 make bench runs only this, with small sizes.
#
# The convention: each script below is run as `bench/NAME.sh BIN`; every line it prints
# to stdout that starts with "ROW<TAB>" is a row of the summary:
#     ROW<TAB>name<TAB>lakehouse<TAB>baseline<TAB>ratio<TAB>target<TAB>met
# (lakehouse and baseline with their unit, e.g. "412 ms", "5200 req/s"; ratio a number or
# "-"; target as text, e.g. "<= 1.2"; met "yes", "no" or "-"). Everything else a script
# prints goes to bench/out/rows/NAME.log. A script that is not there yet is skipped with a
# line saying so; one that fails is reported as failed, and the others still run.
# BENCH_QUICK=1 is passed on (each script picks its small sizes); BENCH_NO_DOC=1 writes
# nothing to docs/BENCHMARKS.md (otherwise each run is added at the top of its "## Issue 13
# rows" section, the earlier runs kept below it).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/rows.sh path/to/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
OUT=$PWD/bench/out/rows
DOC=docs/BENCHMARKS.md
mkdir -p "$OUT"
export BENCH_QUICK=${BENCH_QUICK:-0}
# In the order of the issue's table. http_rps.sh (HTTP SELECT 1 added latency, 8 clients,
# /health), startup.sh and auto_compact.sh come from other work; http.sh gives the point
# lookup row.
SCRIPTS=(http_rps http startup append_cli auto_compact tombstone_filter delete_100k ndjson demo)
ROWS=$OUT/rows.tsv
: > "$ROWS"
NOTES=()
start_all=$(date +%s)
for s in "${SCRIPTS[@]}"; do
    f=bench/$s.sh
    if [ ! -x "$f" ]; then
        echo "== rows: skip $s: $f is not there yet"
        NOTES+=("$s: skipped ($f not there yet)")
        continue
    fi
    echo "== rows: $s"
    t0=$(date +%s)
    # The scripts' own sections of docs/BENCHMARKS.md (http.sh, tombstone_filter.sh rewrite
    # theirs when run alone) are left as they are: this run's figures go to the rows
    # section, added above the earlier runs, so that the history stays.
    BENCH_NO_DOC=1 "$f" "$BIN" > "$OUT/$s.out" 2> "$OUT/$s.log"
    rc=$?
    grep -P '^ROW\t' "$OUT/$s.out" | cut -f2- >> "$ROWS"
    n=$(grep -cP '^ROW\t' "$OUT/$s.out")
    echo "   $n row(s), exit $rc, $(( $(date +%s) - t0 )) s (log: bench/out/rows/$s.log)"
    if [ "$rc" != 0 ]; then
        NOTES+=("$s: exit $rc (see bench/out/rows/$s.log: $(tail -n 1 "$OUT/$s.log" | head -c 200))")
    fi
done
secs=$(( $(date +%s) - start_all ))

TABLE=$OUT/summary.md
{
    echo "| row | lakehouse | baseline | ratio | target | met? |"
    echo "|---|---:|---:|---:|---|---|"
    while IFS=$'\t' read -r name ours base ratio target met; do
        echo "| $name | $ours | $base | $ratio | $target | $met |"
    done < "$ROWS"
} > "$TABLE"
echo
echo "== issue 13 rows (lakehouse / baseline, same run; $secs s; BENCH_QUICK=$BENCH_QUICK)"
column -t -s $'\t' -N row,lakehouse,baseline,ratio,target,met "$ROWS" 2>/dev/null || cat "$ROWS"
for n in "${NOTES[@]}"; do echo "   note: $n"; done

if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
    SECTION=$OUT/section.md
    {
        echo "$(date -u +%Y-%m-%dT%H:%MZ), commit \`$(git rev-parse --short HEAD)\`, $(nproc) cores shared with other work (medians of alternated runs);"
        echo "command: \`$( [ "$BENCH_QUICK" = 1 ] && echo "BENCH_QUICK=1 ")$( [ "${BENCH_ROWS_ONLY:-0}" = 1 ] && echo "BENCH_ROWS_ONLY=1 ")make bench\` (this part: \`bench/rows.sh build/lakehouse\`, $secs s)."
        echo
        cat "$TABLE"
        for n in "${NOTES[@]}"; do echo; echo "- $n"; done
    } > "$SECTION"
    if ! grep -q '^<!-- bench:rows -->$' "$DOC"; then
        printf '\n## Issue 13 rows\n\n<!-- bench:rows -->\n<!-- /bench:rows -->\n' >> "$DOC"
    fi
    awk -v body="$SECTION" '
        $0 == "<!-- bench:rows -->" {print; while ((getline line < body) > 0) print line; print ""; next}
        {print}' "$DOC" > "$DOC.tmp" && mv "$DOC.tmp" "$DOC"
    echo "== wrote the Issue 13 rows section of $DOC"
fi
