#!/usr/bin/env bash
# bench/vec_fresh.sh [BIN [SCALE [NEW]]]: what keeping a vector index fresh costs, against
# rebuilding it, in the same run (issue 14, item 7). On the demo's resumes (scale 0.1 =
# 10,000 by default): NEW rows (100) appended, then `lakehouse vectors refresh candidates`
# (diff by key + chunk hashes, only the new rows embedded, BM25 rebuilt) against
# `lakehouse vectors index` of the same dataset from scratch; and `compact --erase-now` of
# three tombstoned candidates with the index (the index rewritten, BM25 rebuilt, LSA pruned)
# against the same compaction of a copy without the index. Prints wall seconds and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/${1:-build/lakehouse}
SCALE=${2:-0.1}
NEW=${3:-100}
OUT=$PWD/bench/out/vec_fresh
rm -rf "$OUT"
mkdir -p "$OUT"
export LAKEHOUSE_DATA=$OUT/data
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BIN" demo --scale "$SCALE" >/dev/null
wall() { local t0; t0=$(date +%s%N); "$@" >/dev/null; echo "scale=3; ($(date +%s%N) - t0) / 1000000000" | sed "s/t0/$t0/" | bc; }
"$BIN" sql "SELECT 'NEW-' || candidate_id AS candidate_id, * EXCLUDE (candidate_id) FROM candidates ORDER BY candidate_id LIMIT $NEW" --format csv >"$OUT/new.csv"
"$BIN" ingest "$OUT/new.csv" --name candidates >/dev/null
refresh=$(wall "$BIN" vectors refresh candidates)
full=$(wall "$BIN" vectors index candidates --text resume_text --key candidate_id --name bench_full)
"$BIN" vectors drop bench_full >/dev/null
"$BIN" delete candidates --key candidate_id CAND-000010 CAND-000020 CAND-000030 >/dev/null
cp -a "$LAKEHOUSE_DATA" "$OUT/noidx"
rm -rf "$OUT/noidx/_vectors"
erase=$(wall "$BIN" compact candidates --erase-now)
plain=$(LAKEHOUSE_DATA=$OUT/noidx wall "$BIN" compact candidates --erase-now)
echo "refresh after $NEW new rows: $refresh s; full rebuild: $full s; ratio $(echo "scale=2; $full / $refresh" | bc)x"
echo "compact --erase-now with the index: $erase s; without: $plain s; ratio $(echo "scale=2; $erase / $plain" | bc)x"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
