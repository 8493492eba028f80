#!/usr/bin/env bash
# bench/vec_index.sh [BIN [SCALE [RUNS]]]: a whole vector index build through the real CLI
# (`lakehouse vectors index candidates --text resume_text --key candidate_id`: read the
# resumes through the engine, chunk, fit LSA on a sample of at most 50,000 chunks, embed every chunk,
# BM25, Parquet + Delta commit, model files, registry) on the demo's resumes, against the
# in-process pipeline of bench/ai_build.c (chunk + BM25 + LSA fit with the library's
# defaults + embed, no I/O) in the same run: the ratio of their chunks/s. Defaults: build/lakehouse, scale 1
# (100,000 resumes), 3 runs (median). Needs build/liblh.a for ai_build (make build/lakehouse).
# BENCH_FIT_SWEEP="5000 10000 ..." also builds once per LSA sample size (the test build's
# LAKEHOUSE_VEC_FIT_SAMPLE) and prints where each build's time went (the job's timings).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
SCALE=${2:-1}
RUNS=${3:-3}
OUT=$PWD/bench/out/vec_index
rm -rf "$OUT"
mkdir -p "$OUT"
export LAKEHOUSE_DATA=$OUT/data
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BIN" demo --scale "$SCALE" --no-index >/dev/null
walls=() cpus=() chunks=0
for ((i = 1; i <= RUNS; i++)); do
  "$BIN" vectors drop candidates_resume_text >/dev/null 2>&1 || true
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$OUT/cpu.txt" "$BIN" vectors index candidates --text resume_text \
    --key candidate_id --json >"$OUT/job.json"
  t1=$(date +%s%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$OUT/cpu.txt")
  chunks=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["chunks_done"])' "$OUT/job.json")
  echo "run $i: $chunks chunks, $wall s wall, $cpu s CPU" >&2
  walls+=("$wall") cpus+=("$cpu")
  /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings"]; print("  timings: " + ", ".join("%s %.2f s" % kv for kv in t.items()))' "$OUT/job.json" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
W=$(median "${walls[@]}") C=$(median "${cpus[@]}")
[[ -n ${BENCH_FIT_SWEEP:-} ]] && printf '| LSA sample (chunks) | fit | embed + BM25 + write | whole build | CPU |\n|---:|---:|---:|---:|---:|\n'
for n in ${BENCH_FIT_SWEEP:-}; do
  "$BIN" vectors drop candidates_resume_text >/dev/null 2>&1 || true
  /usr/bin/time -f '%U %S' -o "$OUT/cpu.txt" env LAKEHOUSE_VEC_FIT_SAMPLE="$n" "$BIN" vectors index \
    candidates --text resume_text --key candidate_id --json >"$OUT/job.json"
  /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings"]; c=open(sys.argv[3]).read().split(); print("| %s | %.2f s | %.2f s | %.2f s | %.2f s |" % (sys.argv[2], t["fit_s"], t["embed_s"], sum(t.values()), float(c[0]) + float(c[1])))' \
    "$OUT/job.json" "$n" "$OUT/cpu.txt"
done
# the in-process baseline, same machine, same moment
bench/ai_build.sh "$SCALE" 1 >"$OUT/ai_build.txt"
BW=$(grep 'whole build' "$OUT/ai_build.txt" | sed -E 's/.*\| ([0-9.]+) s \(.*/\1/')
cat "$OUT/ai_build.txt" >&2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
awk -v n="$chunks" -v w="$W" -v c="$C" -v bw="$BW" 'BEGIN {
  printf "| chunks | %d |\n", n
  printf "| `lakehouse vectors index` (CLI, whole build) | %.2f s wall (%.0f chunks/s), %.2f s CPU (%.0f chunks per CPU second) |\n", w, n / w, c, n / c
  printf "| in-process baseline (bench/ai_build.c: chunk + BM25 + fit + embed, no I/O) | %.2f s wall (%.0f chunks/s) |\n", bw, n / bw
  printf "| ratio CLI / in-process (chunks/s) | %.2f |\n", (n / w) / (n / bw)
}'
