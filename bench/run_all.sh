#!/usr/bin/env bash
# `make bench`: the foundation benchmarks (see docs/BENCHMARKS.md).
#
#   bench/run_all.sh BIN            BIN = the lakehouse binary (build/lakehouse)
#
# (a) `BIN ingest` of a 1,000,000-row, 15-column CSV vs DuckDB's own
#     COPY (FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION snappy), both as whole
#     processes, alternating, a fresh data directory for every ingest;
#     plus a step-by-step replay of the ingest SQL to show where its time goes.
# (b) five analytic queries through `BIN sql ... --format csv` (whole process) vs the same
#     SQL in-process in DuckDB over the same Parquet files, and the CLI's start-up cost
#     (`BIN sql "SELECT 1"` on the same data directory).
# (c) wide CSVs (400, 1,200, 5,000 columns) vs DuckDB COPY: bench/wide_ingest.sh.
#
# (d) bench/compressed_ingest.sh (skip with BENCH_NO_COMPRESSED=1).
# (e) bench/exact_search.sh: exact vector search vs faiss and numpy (skip with
#     BENCH_NO_VECTORS=1).
# (e2) bench/hnsw.sh: approximate search (our HNSW) vs hnswlib, faiss and LanceDB (skip
#     with BENCH_NO_HNSW=1).
# (f) bench/rows.sh: every row of issue 13's table as a same-run ratio, one summary table
#     at the end (BENCH_QUICK=1 or BENCH_ROWS_ONLY=1: only this part); among them
#     bench/tombstone_filter.sh, which builds and runs bench/tomb_shapes.c.
# Environment: BENCH_INGEST_RUNS (default 7), BENCH_QUERY_RUNS (default 10),
# BENCH_BREAKDOWN_RUNS (default 3), BENCH_ROWS (default 1000000; other sizes are for
# trying the script out and are not written to docs/BENCHMARKS.md), BENCH_NO_DOC=1 to
# only print, BENCH_NO_HYPERFINE=1 to time with the plain loop. Uses hyperfine for the query timings when installed, else a plain loop.
# Everything it writes goes to bench/out/ (git-ignored) and docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/run_all.sh path/to/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "run_all.sh: $BIN is not executable" >&2; exit 1; }
# Issue 13's table (bench/rows.sh) ends every run with its summary; BENCH_QUICK=1 (small
# sizes) or BENCH_ROWS_ONLY=1 runs only that part.
if [ "${BENCH_QUICK:-0}" = 1 ] || [ "${BENCH_ROWS_ONLY:-0}" = 1 ]; then
    exec bench/rows.sh "$BIN"
fi

N_INGEST=${BENCH_INGEST_RUNS:-7}
N_QUERY=${BENCH_QUERY_RUNS:-10}
N_BREAK=${BENCH_BREAKDOWN_RUNS:-3}
ROWS=${BENCH_ROWS:-1000000}
OUT=$PWD/bench/out
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
CC=${CC:-gcc}
mkdir -p "$OUT"
unset LAKEHOUSE_LOG

say() { printf '== %s\n' "$*" >&2; }

# --- helpers ---------------------------------------------------------------------------

now_ns() { date +%s%N; }

# Median of the numbers on stdin (one per line).
median() { sort -g | awk '{v[NR]=$1} END {if (!NR) exit 1; if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# Wall milliseconds of one run of "$@" (stdout discarded; stderr kept for errors).
wall_ms() {
    local t0 t1
    t0=$(now_ns)
    "$@" > /dev/null
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) | awk '{printf "%.1f\n", $1 / 1000}'
}

# Median wall milliseconds of "$@" over N runs (after one warm-up), by hyperfine when
# installed (it runs the command without a shell, -N) or a plain loop otherwise.
time_median() {
    local n=$1
    shift
    if [ -n "$HYPERFINE" ]; then
        local cmd="" a
        for a in "$@"; do cmd+="$(printf '%q' "$a") "; done
        hyperfine -N --style none --warmup 1 --runs "$n" --export-csv "$OUT/hf.csv" \
            --command-name bench "$cmd" > /dev/null
        awk -F, 'NR == 2 {printf "%.1f\n", $4 * 1000}' "$OUT/hf.csv"
    else
        "$@" > /dev/null
        local i
        for ((i = 0; i < n; i++)); do wall_ms "$@"; done | median
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", a / b}'; }

# --- machine, build, data --------------------------------------------------------------

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ {printf "%.1f GiB\n", $2 / 1048576}' /proc/meminfo)
NPROC=$(nproc)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
DUCKDB_VERSION=$(cat "$DUCKDB_DIR/VERSION" 2>/dev/null || echo unknown)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
HYPERFINE=$([ "${BENCH_NO_HYPERFINE:-0}" = 1 ] || command -v hyperfine || true)
TIMER=$([ -n "$HYPERFINE" ] && hyperfine --version || echo "a date +%s%N loop")
say "machine: $NPROC x $CPU, $MEM; DuckDB $DUCKDB_VERSION; $DATE"

build() {
    local src=bench/$1.c exe=$OUT/$1
    if [ ! -x "$exe" ] || [ "$src" -nt "$exe" ]; then
        say "build $exe"
        "$CC" -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" "$src" -o "$exe" \
            -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"
    fi
}
build gen_candidates
build duckdb_baseline
GEN=$OUT/gen_candidates
BASE=$OUT/duckdb_baseline

DATA=$OUT/data-$ROWS
mkdir -p "$DATA"
if [ ! -s "$DATA/candidates.csv" ] || [ ! -s "$DATA/recruiters.csv" ] || [ "$GEN" -nt "$DATA/candidates.csv" ]; then
    say "generate $ROWS candidates into $DATA"
    "$GEN" "$DATA" "$ROWS"
fi
CSV=$DATA/candidates.csv
CSV_MB=$(du -m "$CSV" | cut -f1)
CSV_COLS=$(head -n 1 "$CSV" | awk -F, '{print NF}')
cat "$CSV" "$DATA/recruiters.csv" > /dev/null # into the page cache for both contenders

# --- (a) ingest ------------------------------------------------------------------------

say "(a) ingest vs DuckDB COPY, $N_INGEST alternating runs"
: > "$OUT/ingest_lh.txt"
: > "$OUT/ingest_duck.txt"
: > "$OUT/ingest_duck_inner.txt"
run_lh() {
    rm -rf "$OUT/ingest-data"
    wall_ms "$BIN" ingest "$CSV" --name candidates --data "$OUT/ingest-data" >> "$OUT/ingest_lh.txt"
}
run_duck() {
    rm -f "$OUT/copy.parquet"
    local t0 t1
    t0=$(now_ns)
    "$BASE" copy "$CSV" "$OUT/copy.parquet" | awk '{print $2}' >> "$OUT/ingest_duck_inner.txt"
    t1=$(now_ns)
    awk -v d=$((t1 - t0)) 'BEGIN {printf "%.1f\n", d / 1e6}' >> "$OUT/ingest_duck.txt"
}
for ((r = 1; r <= N_INGEST; r++)); do
    if ((r % 2)); then run_lh; run_duck; else run_duck; run_lh; fi
    say "  run $r: lakehouse $(tail -n 1 "$OUT/ingest_lh.txt") ms, duckdb $(tail -n 1 "$OUT/ingest_duck.txt") ms"
done
ING_ROWS=$("$BIN" sql "SELECT count(*) FROM candidates" --format csv --data "$OUT/ingest-data" | tail -n 1 | tr -d '\r')
PARQ_MB=$(du -m "$OUT"/ingest-data/tables/candidates/*.parquet | cut -f1)
DUCK_PARQ_MB=$(du -m "$OUT/copy.parquet" | cut -f1)
rm -rf "$OUT/ingest-data" "$OUT/copy.parquet"
LH_MED=$(median < "$OUT/ingest_lh.txt")
DUCK_MED=$(median < "$OUT/ingest_duck.txt")
DUCK_INNER=$(median < "$OUT/ingest_duck_inner.txt")
MED_RATIO=$(ratio "$LH_MED" "$DUCK_MED")
# The headline is the median of the per-pair ratios: the two runs of a pair are adjacent,
# so a noisy spell on the box moves both, where it can move one median alone.
ING_RATIO=$(paste "$OUT/ingest_lh.txt" "$OUT/ingest_duck.txt" | awk '{printf "%.4f\n", $1 / $2}' | median | awk '{printf "%.2f\n", $1}')
PAIRS=$(paste -d/ "$OUT/ingest_lh.txt" "$OUT/ingest_duck.txt" | paste -sd' ' | sed 's| |, |g')
ING_MET=$(awk -v r="$ING_RATIO" 'BEGIN {print (r <= 1.3) ? "**met**" : "**not met**"}')

say "(a') where ingest time goes: $N_BREAK replays of its SQL steps"
: > "$OUT/breakdown.txt"
mkdir -p "$OUT/breakdown"
for ((r = 1; r <= N_BREAK; r++)); do
    "$BASE" breakdown "$CSV" "$OUT/breakdown" >> "$OUT/breakdown.txt"
done
rmdir "$OUT/breakdown" 2>/dev/null || true
step_ms() { awk -v s="$1" '$1 == s {print $2}' "$OUT/breakdown.txt" | median; }
# lakehouse hashes with OpenSSL's EVP SHA-256 during the staging copy: price it alone.
SHA_MS=$(if command -v openssl > /dev/null; then
    for ((r = 0; r < 3; r++)); do wall_ms openssl dgst -sha256 "$CSV"; done | median
else echo "n/a"; fi)

# --- (b) queries -----------------------------------------------------------------------

say "(b) queries: lakehouse sql (whole process, median of $N_QUERY) vs in-process DuckDB"
QDATA=$OUT/query-data
rm -rf "$QDATA"
"$BIN" ingest "$CSV" --name candidates --data "$QDATA" > /dev/null
"$BIN" ingest "$DATA/recruiters.csv" --name recruiters --data "$QDATA" > /dev/null
STARTUP=$(time_median "$N_QUERY" "$BIN" sql "SELECT 1" --format csv --data "$QDATA")
say "  start-up (SELECT 1): $STARTUP ms"
# Each query's two sides run back to back, so that a noisy spell hits both.
: > "$OUT/inproc.txt"
: > "$OUT/cli.txt"
while IFS=$'\t' read -r name sql; do
    case $name in '#'* | '') continue ;; esac
    "$BASE" queries bench/queries.tsv "$QDATA" "$N_QUERY" "$name" >> "$OUT/inproc.txt"
    ms=$(time_median "$N_QUERY" "$BIN" sql "$sql" --format csv --data "$QDATA")
    echo "$name $ms" >> "$OUT/cli.txt"
    say "  $name: $ms ms"
done < bench/queries.tsv
STARTUP2=$(time_median "$N_QUERY" "$BIN" sql "SELECT 1" --format csv --data "$QDATA")
say "  start-up again after the queries: $STARTUP2 ms"

# --- report ----------------------------------------------------------------------------

MACHINE="- Machine: $NPROC × $CPU, $MEM RAM ($(uname -sr))
- Date: $DATE; lakehouse commit \`$COMMIT\`; DuckDB $DUCKDB_VERSION (libduckdb, in-process baseline)
- Timer: $TIMER for the query rows; \`date +%s%N\` around whole processes for ingest"

INGEST_MD="Input: \`candidates.csv\`, $ING_ROWS rows × $CSV_COLS columns, $CSV_MB MiB (generated by
\`bench/gen_candidates.c\`, seeded, identical bytes on every run). Output: one snappy Parquet file
($PARQ_MB MiB from lakehouse, $DUCK_PARQ_MB MiB from the plain COPY). Both sides are whole processes
timed by wall clock, run alternately $N_INGEST times (the CSV already in the page cache; a fresh
lakehouse data directory every run).

| contender | median wall ms |
|---|---:|
| \`lakehouse ingest candidates.csv --name candidates\` | $LH_MED |
| DuckDB process: \`COPY (FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION snappy)\` | $DUCK_MED |
| (the COPY statement alone, in-process) | $DUCK_INNER |

**Ratio lakehouse / DuckDB = $ING_RATIO** (median of the $N_INGEST per-pair ratios; the ratio of the
two medians above is $MED_RATIO). The pairs, lakehouse/DuckDB ms: $PAIRS.
Target ≤ 1.3: $ING_MET.

Where the ingest time goes: the same steps as \`src/ingest/\` replayed in one in-process DuckDB
(\`duckdb_baseline breakdown\`), median of $N_BREAK replays, in ms:

| step | ms | note |
|---|---:|---|
| staging copy + fsync | $(step_ms stage_copy_fsync) | lakehouse also SHA-256es the bytes in this pass |
| SHA-256 of the file alone (\`openssl dgst -sha256\`) | $SHA_MS | OpenSSL EVP, as lakehouse uses |
| \`sniff_csv(..., strict_mode=true)\` | $(step_ms sniff_csv) | |
| DESCRIBE the source | $(step_ms describe_source) | |
| DESCRIBE the projection | $(step_ms describe_projection) | |
| COPY (projection) TO parquet | $(step_ms copy_to_parquet) | explicit dialect, strict, TIMESTAMP → TIMESTAMPTZ cast |
| stats read-back (full scan of the Parquet) | $(step_ms stats_readback) | min/max/null count + row count |
| fsync of the Parquet file | $(step_ms fsync_parquet) | |
| **sum of the steps** | $(step_ms total_steps) | |
| *alternative:* the same stats from the Parquet footer | $(step_ms alt_stats_from_footer) | \`parquet_metadata()\`, no data pages |
| *variant:* plain \`COPY (FROM read_csv(x))\` | $(step_ms variant_plain_copy) | the baseline statement |
| *variant:* explicit dialect + strict, no cast | $(step_ms variant_explicit_strict_no_cast) | |
| *variant:* plain read_csv + TIMESTAMPTZ cast | $(step_ms variant_plain_with_cast) | |

The staging copy and the fsyncs are bound by the disk and vary most from run to run.

Produced by: \`make bench\` (\`bench/run_all.sh build/lakehouse\`), BENCH_INGEST_RUNS=$N_INGEST, BENCH_BREAKDOWN_RUNS=$N_BREAK."

QROWS=""
while read -r name cli; do
    read -r _ inp lo first nrows < <(awk -v n="$name" '$1 == n' "$OUT/inproc.txt")
    r1=$(ratio "$cli" "$inp")
    net=$(awk -v c="$cli" -v s="$STARTUP" 'BEGIN {d = c - s; printf "%.1f\n", (d > 0 ? d : 0)}')
    r2=$(ratio "$net" "$inp")
    r3=$(ratio "$net" "$first")
    QROWS+="| $name | $cli | $net | $inp | $first | $r1 | $r2 | $r3 |
"
done < "$OUT/cli.txt"

QUERY_MD="Data: the tables lakehouse wrote for (a) plus \`recruiters\` (500 rows). The in-process side opens
an in-memory DuckDB with one view per table over **the very Parquet files lakehouse wrote**
(\`DATA/tables/<name>/*.parquet\`), runs each query $N_QUERY times and fully materialises each
result (\`duckdb_query\`). The lakehouse side is the whole process
\`lakehouse sql \"Q\" --format csv --data DATA > /dev/null\`, median of $N_QUERY runs after one warm-up.

**CLI start-up cost** (\`lakehouse sql \"SELECT 1\"\` on the same data directory): **$STARTUP ms**
(again after the queries: $STARTUP2 ms).

| query | lakehouse sql ms | minus start-up | DuckDB in-process ms (median) | in-process first run | ratio | ratio minus start-up | same, vs first run |
|---|---:|---:|---:|---:|---:|---:|---:|
$QROWS
The queries (\`bench/queries.tsv\`):

\`\`\`sql
$(grep -v '^#' bench/queries.tsv | sed 's/\t/: /')
\`\`\`

No target was set for (b). \"Ratio\" compares whole CLI processes with warm in-process runs;
\"ratio minus start-up\" takes the \`SELECT 1\` process time off first, leaving the engine-side
overhead (the view over \`read_parquet(..., union_by_name=true)\` with a projection, the SQL gate,
the CSV writer) plus the cost of a cold DuckDB instance, which every CLI process is: the last
column compares with the in-process *first* run, which is cold in the same way.

Produced by: \`make bench\` (\`bench/run_all.sh build/lakehouse\`), BENCH_QUERY_RUNS=$N_QUERY."

printf '\n## (a) Ingest\n\n%s\n\n## (b) Queries\n\n%s\n\n%s\n' "$INGEST_MD" "$QUERY_MD" "$MACHINE"

if [ "${BENCH_NO_DOC:-0}" = 1 ] || [ "$ROWS" != 1000000 ]; then
    say "not writing $DOC (BENCH_NO_DOC=1 or BENCH_ROWS is not 1000000)"
    exec bench/rows.sh "$BIN"
fi

# docs/BENCHMARKS.md: a fixed intro, then sections between <!-- bench:NAME --> and
# <!-- /bench:NAME --> markers, each replaced by this run and kept otherwise.
if [ ! -f "$DOC" ]; then
    mkdir -p "$(dirname "$DOC")"
    cat > "$DOC" <<'EOF'
# Benchmarks

What is measured, against what, and on which machine. Every number here was produced by
`make bench` (`bench/run_all.sh build/lakehouse`), which regenerates this file's sections;
nothing is typed in by hand. The machines we have are noisy 2-core boxes, so each result is
a ratio of two contenders measured in the same run, and each time is the median of several
repetitions.

- **(a) Ingest**: `lakehouse ingest` of a generated 1,000,000-row, 15-column CSV
  (`bench/gen_candidates.c`: ids, names, e-mails, phones, cities, quoted skill lists,
  integers, decimals, statuses, timestamps, booleans, free text) vs DuckDB's own
  `COPY (FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION snappy)`. Target: ratio ≤ 1.3.
- **(b) Queries**: five analytic queries (filter + count, group-by top-10, a join, a point
  lookup, an ILIKE scan) through `lakehouse sql` vs the same SQL in-process in DuckDB
  (`bench/duckdb_baseline.c`) over the same Parquet files; the CLI's start-up cost separately.

Run it: `make bench` (about two minutes here; the CSV is generated once into the git-ignored
`bench/out/`). Knobs: `BENCH_INGEST_RUNS`, `BENCH_QUERY_RUNS`, `BENCH_BREAKDOWN_RUNS`,
`BENCH_NO_DOC=1` (print only). Query timings use `hyperfine` when it is installed and a
`date +%s%N` loop otherwise.

## Machine

<!-- bench:machine -->
<!-- /bench:machine -->

## (a) Ingest: lakehouse vs DuckDB COPY

<!-- bench:ingest -->
<!-- /bench:ingest -->

## (b) Queries: lakehouse sql vs DuckDB in-process

<!-- bench:queries -->
<!-- /bench:queries -->
EOF
fi

replace_section() {
    local name=$1 file=$2
    awk -v name="$name" -v body="$file" '
        $0 == "<!-- bench:" name " -->" {print; while ((getline line < body) > 0) print line; skip = 1; next}
        $0 == "<!-- /bench:" name " -->" {skip = 0}
        !skip {print}' "$DOC" > "$DOC.tmp"
    mv "$DOC.tmp" "$DOC"
}
printf '%s\n' "$MACHINE" > "$OUT/sec_machine.md"
printf '%s\n' "$INGEST_MD" > "$OUT/sec_ingest.md"
printf '%s\n' "$QUERY_MD" > "$OUT/sec_queries.md"
replace_section machine "$OUT/sec_machine.md"
replace_section ingest "$OUT/sec_ingest.md"
replace_section queries "$OUT/sec_queries.md"
say "wrote $DOC"

# Compressed input (gzip/zstd vs plain, vs DuckDB reading the .gz): its own section.
if [[ -z ${BENCH_NO_COMPRESSED:-} && $ROWS == 1000000 ]]; then
    BENCH_NO_DOC=${BENCH_NO_DOC:-} ./bench/compressed_ingest.sh "$BIN"
fi
# (c) wide files (bench/wide_ingest.sh writes its own "## Wide files" section)
say "wide files"
BENCH_NO_DOC=${BENCH_NO_DOC:-} bench/wide_ingest.sh "$BIN"
# Exact vector search vs faiss and numpy (bench/exact_search.sh writes its own section;
# skip with BENCH_NO_VECTORS=1)
if [[ -z ${BENCH_NO_VECTORS:-} ]]; then
    say "exact vector search"
    BENCH_NO_DOC=${BENCH_NO_DOC:-} bench/exact_search.sh
fi
# Approximate search (HNSW) vs hnswlib, faiss and LanceDB (bench/hnsw.sh writes its own
# section; about 15 minutes; skip with BENCH_NO_HNSW=1)
if [[ -z ${BENCH_NO_HNSW:-} ]]; then
    say "approximate vector search (HNSW)"
    BENCH_NO_DOC=${BENCH_NO_DOC:-} bench/hnsw.sh
fi
# Issue 13's rows, each against DuckDB in the same run, and their summary table (last).
bench/rows.sh "$BIN"
