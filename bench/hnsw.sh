#!/usr/bin/env bash
# bench/hnsw.sh: approximate search (our HNSW, src/ann/hnsw.h) against hnswlib, faiss
# IndexHNSWFlat and LanceDB, in the same run, on the same data (issue 15, "Benchmarks").
# Writes the "Approximate search (HNSW)" section of docs/BENCHMARKS.md.
#
#   bench/hnsw.sh                  the full run (100,000 rows; about 15 minutes here)
#   BENCH_QUICK=1 bench/hnsw.sh    20,000 rows, fewer settings (under 3 minutes); prints only
#
# Data (bench/out/hnsw/<set>/, git-ignored; hnsw_common.h says the files):
#   clustered  N x 768: 1000 Gaussian clusters (bench/hnsw.c gen), 1000 held-out queries
#   uniform    N x 768: components uniform in [-1, 1), normalised; 1000 held-out queries
#   resumes    the demo's resume embeddings (256 dims, builtin model): `lakehouse demo`
#              into bench/out/hnsw/demo/ (it builds the index candidates_resume_text), the
#              vectors read back through our engine (bench/hnsw_export.c), 1000 random rows
#              held out as the queries (so N - 1000 rows are indexed)
# Ground truth: exact search (lh_vec_search, inner product, k 10).
#
# Contenders, M 16 for all, inner product (= cosine on the unit rows):
#   ours     bench/hnsw.c over build/release/liblh.a (-O2, the shipped flags)
#   hnswlib  Debian libhnswlib-dev 0.6.2, faiss: Debian libfaiss-dev 1.7.3 IndexHNSWFlat;
#            bench/hnsw_baselines.cpp, g++ -O3 -march=native (they must be installed:
#            apt-get install libhnswlib-dev libfaiss-dev; not in scripts/deps.sh, only the
#            benchmark needs them)
#   lancedb  npm @lancedb/lancedb 0.31.0 (bench/lancedb/package.json and its lock, installed
#            here with `npm ci` into bench/out/lancedb/), IVF_HNSW_SQ: bench/hnsw_lancedb.mjs
# Each (set, ef_construction) builds every contender's graph with BENCH_HNSW_THREADS (2)
# threads, then sweeps ef_search: recall@10, p50/p99 of one query at a time in one thread.
# The 1-thread build is timed for ours and hnswlib at BENCH_HNSW_EFC1. Then the filtered
# search measurement (our graph vs exact search at allowed fractions 50% .. 0.5%, with 3%:
# the LH_HNSW_FILTER_MIN_FRACTION the core picked on 128 dimensions).
#
# Environment (defaults: full run / BENCH_QUICK=1):
#   BENCH_HNSW_ROWS        100000 / 20000 (clustered and uniform; the demo's scale follows)
#   BENCH_HNSW_QUERIES     1000 / 200
#   BENCH_HNSW_SETS        "clustered uniform resumes" / "clustered"
#   BENCH_HNSW_EFC         "40 80" / "40": ours and hnswlib on clustered ("40 80 200" is
#                          the issue's full sweep: about 8 minutes more here)
#   BENCH_HNSW_EFC_UNIFORM "40" / "40": ours and hnswlib on uniform
#   BENCH_HNSW_EFC_RESUMES "80" / "40": ours and hnswlib on resumes
#   BENCH_HNSW_FAISS_EFC   "40" / "40": faiss on clustered only (Debian's faiss is a
#                          generic build: about 7 times hnswlib's build time here)
#   BENCH_HNSW_LANCE_EFC   "80" / "40": LanceDB on clustered only ("" = none)
#   BENCH_HNSW_EFC1        "40" / "": the 1-thread builds (clustered)
#   BENCH_HNSW_EFS         16,24,32,48,64,96,128,192,256 / 16,32,64,128
#   BENCH_HNSW_THREADS     2
#   BENCH_HNSW_LANCE_IVFPQ 1 to add LanceDB's IVF_PQ (its training took minutes here)
#   BENCH_NO_DOC=1         print only (BENCH_QUICK=1 and other row counts never write the doc)
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    D_ROWS=20000 D_NQ=200 D_SETS=clustered D_EFC=40 D_UNI=40 D_RES=40 D_LANCE=40 D_EFC1=""
    D_EFS=16,32,64,128
else
    D_ROWS=100000 D_NQ=1000 D_SETS="clustered uniform resumes" D_EFC="40 80" D_UNI=40 D_RES=80
    D_LANCE=80 D_EFC1=40 D_EFS=16,24,32,48,64,96,128,192,256
fi
ROWS=${BENCH_HNSW_ROWS:-$D_ROWS}
NQ=${BENCH_HNSW_QUERIES:-$D_NQ}
SETS=${BENCH_HNSW_SETS:-$D_SETS}
EFC=${BENCH_HNSW_EFC:-$D_EFC}
EFC_UNIFORM=${BENCH_HNSW_EFC_UNIFORM:-$D_UNI}
EFC_RESUMES=${BENCH_HNSW_EFC_RESUMES:-$D_RES}
efcs_of() { case $1 in clustered) echo "$EFC" ;; uniform) echo "$EFC_UNIFORM" ;; *) echo "$EFC_RESUMES" ;; esac; }
FAISS_EFC=${BENCH_HNSW_FAISS_EFC-40}
LANCE_EFC=${BENCH_HNSW_LANCE_EFC-$D_LANCE}
EFC1=${BENCH_HNSW_EFC1-$D_EFC1}
EFS=${BENCH_HNSW_EFS:-$D_EFS}
THREADS=${BENCH_HNSW_THREADS:-2}
M=16
FILTER_PERMILLE=500,200,100,50,30,20,10,5
FILTER_NQ=$((NQ < 200 ? NQ : 200)) # the first 200 queries: the exact scans at 50% are long
OUT=$PWD/bench/out/hnsw
BIN=bench/out
DOC=docs/BENCHMARKS.md
mkdir -p "$OUT"
say() { printf '== %s\n' "$*" >&2; }
T_START=$(date +%s)

# ---- baselines and drivers ------------------------------------------------------------------
missing=()
for p in libhnswlib-dev libfaiss-dev; do
    dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2> /dev/null | grep -q '^ii' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "hnsw.sh: the baselines need Debian's ${missing[*]}; install them with:" \
        "apt-get install -y ${missing[*]}" >&2
    exit 1
fi
make -s build/release/liblh.a build/release/lakehouse
stale() { [ ! -x "$1" ] || [ -n "$(find "${@:2}" -newer "$1" 2> /dev/null)" ]; }
if stale $BIN/hnsw_bench bench/hnsw.c bench/hnsw_common.h build/release/liblh.a; then
    say "build $BIN/hnsw_bench"
    ${CC:-gcc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Isrc -o $BIN/hnsw_bench \
        bench/hnsw.c build/release/liblh.a -ljansson -lcrypto -lpthread -lm
fi
if stale $BIN/hnsw_baselines bench/hnsw_baselines.cpp bench/hnsw_common.h; then
    say "build $BIN/hnsw_baselines (g++ -O3 -march=native)"
    g++ -std=c++17 -O3 -march=native -fopenmp -Wall -Wextra -Werror -o $BIN/hnsw_baselines \
        bench/hnsw_baselines.cpp -lfaiss -lopenblas -llapack -lpthread
fi
DUCKDB=$PWD/third_party/duckdb
if stale $BIN/hnsw_export bench/hnsw_export.c build/release/liblh.a; then
    say "build $BIN/hnsw_export"
    # shellcheck disable=SC2046
    ${CC:-gcc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Isrc -I"$DUCKDB" \
        $(pkg-config --cflags libxml-2.0 poppler-glib) -o $BIN/hnsw_export bench/hnsw_export.c \
        build/release/liblh.a -L"$DUCKDB" -Wl,-rpath,"$DUCKDB" -lduckdb -ljansson -lcrypto \
        -lpthread -lm -lbz2 $(pkg-config --libs zlib libzstd liblzma)
fi

# LanceDB: the pinned package and its lock (integrity hashes), installed with npm ci.
LANCE_NOTE=""
LANCE_DIR=$PWD/$BIN/lancedb
lance_ok() { [ "$(node -p 'require(process.argv[1]).version' "$LANCE_DIR/node_modules/@lancedb/lancedb/package.json" 2> /dev/null)" = 0.31.0 ]; }
if [ -n "$LANCE_EFC" ]; then
    if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
        LANCE_NOTE="not run: node and npm are not installed"
    elif ! lance_ok || [ bench/lancedb/package-lock.json -nt "$LANCE_DIR/node_modules" ]; then
        say "npm ci @lancedb/lancedb 0.31.0 into $LANCE_DIR"
        mkdir -p "$LANCE_DIR"
        cp bench/lancedb/package.json bench/lancedb/package-lock.json "$LANCE_DIR/"
        if ! (cd "$LANCE_DIR" && npm ci --no-audit --no-fund --omit-lockfile-registry-resolved > npm.log 2>&1) || ! lance_ok; then
            LANCE_NOTE="not run: npm ci of @lancedb/lancedb 0.31.0 failed ($(tail -n 1 "$LANCE_DIR/npm.log"))"
        fi
    fi
    [ -n "$LANCE_NOTE" ] && say "LanceDB $LANCE_NOTE"
fi

# ---- data ---------------------------------------------------------------------------------------
# set -> "N DIMS" after prepare
declare -A SHAPE
prepare() {
    local set=$1 dir=$OUT/$1-$ROWS n dims
    mkdir -p "$dir"
    case $set in
    clustered | uniform)
        n=$ROWS dims=768
        if [ ! -s "$dir/queries.f32" ] || [ "$(cat "$dir/meta" 2> /dev/null)" != "$n $dims $NQ" ] || [ bench/hnsw.c -nt "$dir/queries.f32" ]; then
            say "generate $set: $n x $dims and $NQ queries"
            rm -f "$dir/gt.bin"
            $BIN/hnsw_bench gen "$dir" "$set" "$n" "$dims" "$NQ" 42
            echo "$n $dims $NQ" > "$dir/meta"
        fi
        ;;
    resumes)
        local scale data=$OUT/demo-$ROWS total
        scale=$(awk -v r="$ROWS" 'BEGIN {print r / 100000}')
        if ! build/release/lakehouse vectors show candidates_resume_text --data "$data" > /dev/null 2>&1; then
            say "lakehouse demo --scale $scale (with its resume index) into $data"
            rm -rf "$data"
            build/release/lakehouse demo --scale "$scale" --data "$data" > "$OUT/demo.log"
        fi
        if [ ! -s "$dir/queries.f32" ] || [ "$(cut -d' ' -f3 "$dir/meta" 2> /dev/null)" != "$NQ" ] || [ bench/hnsw_export.c -nt "$dir/queries.f32" ]; then
            say "export the resume vectors"
            $BIN/hnsw_export "$data" candidates_resume_text "$dir/all.f32" > "$dir/export.txt"
            total=$(awk '$1 == "rows" {print $2}' "$dir/export.txt")
            dims=$(awk '$1 == "dims" {print $2}' "$dir/export.txt")
            rm -f "$dir/gt.bin"
            $BIN/hnsw_bench holdout "$dir" "$total" "$dims" "$NQ" 42
            rm -f "$dir/all.f32"
            echo "$((total - NQ)) $dims $NQ" > "$dir/meta"
        fi
        read -r n dims _ < "$dir/meta"
        ;;
    *)
        echo "hnsw.sh: unknown set '$set'" >&2
        exit 2
        ;;
    esac
    if [ ! -s "$dir/gt.bin" ]; then
        say "$set: exact top 10 of $NQ queries"
        $BIN/hnsw_bench gt "$dir" "$n" "$dims" "$NQ" "$THREADS"
    fi
    SHAPE[$set]="$n $dims"
}

# ---- runs ---------------------------------------------------------------------------------------
RES=$OUT/results.txt
: > "$RES"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
in_list() { [[ " $2 " == *" $1 "* ]]; }
for set in $SETS; do
    prepare "$set"
    read -r n dims <<< "${SHAPE[$set]}"
    dir=$OUT/$set-$ROWS
    efcs=$(efcs_of "$set")
    rm -f "$dir"/*.lhg # graphs kept by `hnsw ours` for the filter measurement
    for efc in $efcs; do
        say "$set ($n x $dims), ef_construction $efc: ours"
        $BIN/hnsw_bench ours "$dir" "$n" "$dims" "$NQ" $M "$efc" "$THREADS" "$EFS" | sed "s/^/$set /" >> "$RES"
        say "$set, ef_construction $efc: hnswlib"
        $BIN/hnsw_baselines hnswlib "$dir" "$n" "$dims" "$NQ" $M "$efc" "$THREADS" "$EFS" | sed "s/^/$set /" >> "$RES"
        if [ "$set" = clustered ] && in_list "$efc" "$EFC1"; then
            say "$set, ef_construction $efc: 1-thread builds"
            $BIN/hnsw_bench ours "$dir" "$n" "$dims" "$NQ" $M "$efc" 1 - | sed "s/^/$set /" >> "$RES"
            $BIN/hnsw_baselines hnswlib "$dir" "$n" "$dims" "$NQ" $M "$efc" 1 - | sed "s/^/$set /" >> "$RES"
        fi
        if [ "$set" = clustered ] && in_list "$efc" "$FAISS_EFC"; then
            say "$set, ef_construction $efc: faiss"
            $BIN/hnsw_baselines faiss "$dir" "$n" "$dims" "$NQ" $M "$efc" "$THREADS" "$EFS" | sed "s/^/$set /" >> "$RES"
        fi
        if [ "$set" = clustered ] && [ -z "$LANCE_NOTE" ] && in_list "$efc" "$LANCE_EFC"; then
            say "$set, ef_construction $efc: LanceDB"
            probes=""
            [ "${BENCH_HNSW_LANCE_IVFPQ:-0}" = 1 ] && probes=10,20,50
            if ! RUST_LOG=error node bench/hnsw_lancedb.mjs "$LANCE_DIR" "$dir" "$n" "$dims" "$NQ" $M "$efc" "$EFS" $probes 2> "$OUT/lancedb.err" | sed "s/^/$set /" >> "$RES" ||
                ! grep -q "^$set search lancedb" "$RES"; then
                LANCE_NOTE="failed: $(grep -v WARN "$OUT/lancedb.err" | tail -n 1)"
                say "LanceDB $LANCE_NOTE"
            fi
        fi
    done
done
FILTER=$OUT/filter.txt
: > "$FILTER"
fefc=""
if in_list clustered "$SETS"; then
    read -r n dims <<< "${SHAPE[clustered]}"
    fefc=$(echo "$EFC" | awk '{print ($0 ~ /(^| )80( |$)/) ? 80 : $1}')
    say "filtered search (clustered, ef_construction $fefc, ef 64, $FILTER_NQ queries): ours vs exact"
    $BIN/hnsw_bench filter "$OUT/clustered-$ROWS" "$n" "$dims" "$FILTER_NQ" $M "$fefc" 64 "$FILTER_PERMILLE" > "$FILTER"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - T_START))

# ---- the report -----------------------------------------------------------------------------------
# results.txt lines: SET build WHO EFC THREADS MS GRAPH_BYTES RSS_BYTES
#                    SET search WHO EFC EF RECALL P50_US P99_US
# The smallest ef whose recall@10 reaches 0.95, as "ef recall p50 p99" ("" when none does).
first95() {
    awk -v s="$1" -v w="$2" -v e="$3" '$1 == s && $2 == "search" && $3 == w && $4 == e && $6 >= 0.95 {print $5, $6, $7, $8; exit}' "$RES"
}
build_ms() {
    awk -v s="$1" -v w="$2" -v e="$3" -v t="$4" '$1 == s && $2 == "build" && $3 == w && $4 == e && $5 == t {print $6; exit}' "$RES"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", a / b}'; }
cell95() { if [ -n "$1" ]; then echo "$1" | awk '{printf "ef %s: %s, %s µs", $1, $2, $3}'; else echo "no ef reached 0.95"; fi; }
verdict() { awk -v r="$1" -v l="$2" 'BEGIN {print (r <= l) ? "**met**" : "**not met**"}'; }

SWEEPS=""
for set in $SETS; do
    read -r n dims <<< "${SHAPE[$set]}"
    head="| contender | ef_construction | ${EFS//,/ | } |"
    sep="|---|---:|$(echo "$EFS" | sed 's/[0-9]*/---:/g; s/,/|/g')|"
    rows=$(awk -v s="$set" '$1 == s && $2 == "search" {
            key = $3 " " $4
            if (!(key in seen)) {seen[key] = 1; order[++nk] = key}
            cell[key] = cell[key] sprintf(" %.3f / %.0f / %.0f |", $6, $7, $8)
        } END {for (i = 1; i <= nk; i++) {split(order[i], k, " "); printf "| %s | %s |%s\n", k[1], k[2], cell[order[i]]}}' "$RES")
    SWEEPS+="**$set** ($n × $dims), each cell recall@10 / p50 µs / p99 µs at ef_search =

$head
$sep
$rows

"
done

BUILDS=$(awk '$2 == "build" {printf "| %s | %s | %s | %s | %.1f | %.1f | %.1f |\n", $1, $3, $4, ($5 == 0 ? "its own" : $5), $6 / 1000, $7 / 1048576, $8 / 1048576}' "$RES")

TARGETS=""
BUILD_TARGETS=""
HALF_MS=""
for set in $SETS; do
    efcs=$(efcs_of "$set")
    for efc in $efcs; do
        o=$(first95 "$set" ours "$efc")
        h=$(first95 "$set" hnswlib "$efc")
        if [ -n "$o" ] && [ -n "$h" ]; then
            read -r oe orc op50 _ <<< "$o"
            read -r he hrc hp50 _ <<< "$h"
            r=$(ratio "$op50" "$hp50")
            TARGETS+="| $set | $efc | ef $oe: $orc, $op50 µs | ef $he: $hrc, $hp50 µs | $r | $(verdict "$r" 1) |
"
        else
            TARGETS+="| $set | $efc | $(cell95 "$o") | $(cell95 "$h") | – | not comparable |
"
        fi
        for t in "$THREADS" 1; do
            ob=$(build_ms "$set" ours "$efc" "$t")
            hb=$(build_ms "$set" hnswlib "$efc" "$t")
            if [ -z "$ob" ] || [ -z "$hb" ]; then continue; fi
            r=$(ratio "$ob" "$hb")
            BUILD_TARGETS+="| $set | $efc | $t | $(awk -v a="$ob" 'BEGIN {printf "%.1f", a / 1000}') | $(awk -v a="$hb" 'BEGIN {printf "%.1f", a / 1000}') | $r | $(verdict "$r" 1.2) |
"
        done
        if [ "$set" != resumes ]; then # the target is on 100K x 768
            if [ -n "$o" ]; then
                read -r oe orc op50 _ <<< "$o"
                HALF_MS+="| $set | $efc | $oe | $orc | $op50 | $(awk -v p="$op50" 'BEGIN {print (p < 500) ? "**met**" : "**not met**"}') |
"
            else
                HALF_MS+="| $set | $efc | – | below 0.95 at every ef | – | **not met** |
"
            fi
        fi
    done
done

FILTER_ROWS=$(awk '$1 == "filter" {printf "| %.1f%% | %.3f | %.0f | %.0f | %.0f | %.0f | %.2f | %s | %s | %.0f | %.0f | %s |\n", $2 / 10, $3, $4, $5, $6, $7, $6 / $4, ($6 <= $4 || $3 < 0.95) ? "exact" : "HNSW", $8 ? "exact" : "HNSW", $9, $10, ($9 <= $4 || $3 < 0.95) ? "exact" : "HNSW"}' "$FILTER")
CROSS=$(awk '$1 == "filter" && ($6 <= $4 || $3 < 0.95) && !done {printf "%.1f%%", $2 / 10; done = 1} END {if (!done) print "none of the fractions measured"}' "$FILTER")
CROSS_G=$(awk '$1 == "filter" && ($9 <= $4 || $3 < 0.95) && !done {printf "%.1f%%", $2 / 10; done = 1} END {if (!done) print "none of the fractions measured"}' "$FILTER")
FRAC=$(awk '/^#define LH_HNSW_FILTER_MIN_FRACTION/ {print $3}' src/ann/hnsw.h)

FILTER_MD=""
if [ -s "$FILTER" ]; then
    FILTER_MD="### Filtered search: when exact search wins

Clustered set, $FILTER_NQ queries, our graph (ef_construction $fefc, ef_search 64) with \`opts.allow\` = a seeded random
subset of the rows, against exact search over the same bitmap (\`lh_vec_search\`, 1 thread);
recall@10 against the exact filtered top 10. \"Better\" = exact when it is at least as fast or
HNSW's recall is below 0.95. The last column is what \`lh_hnsw_filter_prefers_exact\` says with
LH_HNSW_FILTER_MIN_FRACTION = $FRAC.

The last three columns: the same exact search over only the allowed rows, gathered into one
matrix beforehand (untimed): what an exact scan that scores only the rows it may return could
reach. \`lh_vec_search\` scores a block of 64 rows whole when it holds more than 16 allowed
rows and the allowed ones alone otherwise, so it stays near that bound at every fraction.

| allowed | HNSW recall@10 | HNSW p50 µs | HNSW p99 µs | exact p50 µs | exact p99 µs | exact / HNSW p50 | better | the code picks | allowed rows only: exact p50 µs | p99 µs | better |
|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|
$FILTER_ROWS

Exact search is the better choice from **$CROSS** of the rows allowed downwards (first fraction, from
the largest, where it is); an exact scan of only the allowed rows would be from **$CROSS_G**.
"
fi
QUICK_NOTE=""
[ "$QUICK" = 1 ] && QUICK_NOTE="BENCH_QUICK=1 "
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
VERS="hnswlib $(dpkg-query -W -f '${Version}' libhnswlib-dev), faiss $(dpkg-query -W -f '${Version}' libfaiss-dev), g++ $(g++ -dumpversion), node $(node --version 2> /dev/null || echo none)"
LANCE_LINE="LanceDB: @lancedb/lancedb 0.31.0, IVF_HNSW_SQ (one partition, int8 codes, distance cosine; its \"dot\" gave recall@10 near 0.1 and is not used), its own threads, timed through its Node API (each query awaited). ${LANCE_NOTE:+**LanceDB $LANCE_NOTE.**}"
MD="Run on $(date -u +%Y-%m-%d) at commit \`$(git rev-parse --short HEAD)\`, $(nproc) × $CPU, $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; $VERS.
**The machine may have been shared with other work** (load average $LOAD_BEFORE at the
start, $LOAD_AFTER at the end, on 2 cores; the whole run took $ELAPSED s): times are inflated and
noisy, so the targets are same-run ratios. Contenders ran one after another per
ef_construction (ours, then hnswlib, then the others), each query's latency the fastest of 2
passes over all the queries.

M 16, inner product on unit rows, k 10, $NQ held-out queries; ground truth by exact search
(\`lh_vec_search\`). Ours: \`src/ann/hnsw*\` at -O2 (the shipped build; its kernels pick AVX2 at
run time), its vectors advised onto huge pages as the server's index loader does
(\`lh_hnsw_advise_huge\`; transparent huge pages: $(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null)); hnswlib and faiss: Debian's packages, compiled with g++ -O3 -march=native (faiss is
Debian's static library, a generic build without its AVX2 kernels, which makes its distance
computations and so its build and search several times slower than hnswlib's here). $LANCE_LINE
Graphs built with $THREADS threads unless the build table says 1.

$SWEEPS
Build time (s), the graph's memory beside the vectors (MB: ours \`lh_hnsw_bytes\`; hnswlib its
level-0 blocks less the vectors, its upper-level lists and per-row level, label pointer and
lock; faiss neighbors + offsets + levels; LanceDB the index files on disk) and the growth of
the process's resident memory over the build (MB; hnswlib and faiss copy the vectors in,
ours borrows them):

| set | contender | ef_construction | threads | build s | graph MB | RSS growth MB |
|---|---|---:|---:|---:|---:|---:|
$BUILDS

### Targets (same run)

p50 ≤ hnswlib's at equal recall ≥ 0.95: each side at its smallest ef_search whose recall@10 reaches
0.95 (recall, p50):

| set | ef_construction | ours | hnswlib | p50 ours / hnswlib | target ≤ 1 |
|---|---:|---|---|---:|---|
$TARGETS
Build ≤ 1.2 × hnswlib's (same ef_construction, same threads):

| set | ef_construction | threads | ours s | hnswlib s | ours / hnswlib | target ≤ 1.2 |
|---|---:|---:|---:|---:|---:|---|
$BUILD_TARGETS
Recall@10 ≥ 0.95 at p50 < 0.5 ms (ours, smallest ef reaching 0.95):

| set | ef_construction | ef_search | recall@10 | p50 µs | target |
|---|---:|---:|---:|---:|---|
$HALF_MS
$FILTER_MD
Produced by: \`${QUICK_NOTE}bench/hnsw.sh\` (rows $ROWS, queries $NQ, ef_construction \"$EFC\" on clustered, \"$EFC_UNIFORM\" on uniform, \"$EFC_RESUMES\" on resumes, faiss at \"$FAISS_EFC\", LanceDB at \"$LANCE_EFC\", 1-thread builds at \"$EFC1\")."

printf '\n## Approximate search (HNSW)\n\n%s\n' "$MD"
if [ "${BENCH_NO_DOC:-0}" = 1 ] || [ "$QUICK" = 1 ] || [ "$ROWS" != 100000 ]; then
    say "not writing $DOC (BENCH_NO_DOC=1, BENCH_QUICK=1 or other sizes)"
    exit 0
fi
if ! grep -q '^<!-- bench:hnsw -->$' "$DOC"; then
    printf '\n## Approximate search (HNSW)\n\n<!-- bench:hnsw -->\n<!-- /bench:hnsw -->\n' >> "$DOC"
fi
printf '%s\n' "$MD" > "$OUT/section.md"
awk -v body="$OUT/section.md" '
    $0 == "<!-- bench:hnsw -->" {print; while ((getline line < body) > 0) print line; skip = 1; next}
    $0 == "<!-- /bench:hnsw -->" {skip = 0}
    !skip {print}' "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
say "wrote $DOC"
