#!/usr/bin/env bash
# bench/cache.sh: the hot cache, pinned vs unpinned (not part of `make test` or `make bench`).
#
#   bench/cache.sh [BIN]        BIN = the lakehouse binary (default build/lakehouse)
#
# The foundation's five queries (bench/queries.tsv) on the 1,000,000-row candidates data
# (bench/gen_candidates.c), and the same five shapes on the demo's largest table
# (timesheets, 1,800,000 rows, `lakehouse demo`), each through a running `lakehouse serve`
# (pins live in the server): two servers, one with the table pinned (POST
# /query/cache/pin) and one over a copy of the data directory, unpinned; BENCH_CACHE_RUNS
# timings per query and server (default 15, after one warm-up each), alternating between
# the two, with curl's time_total; the medians, their ratio, and a check that both give
# the same bytes. Only the big table is pinned (recruiters and placements, the joins'
# small sides, are not).
# Writes the "## Hot cache" section of docs/BENCHMARKS.md (between <!-- bench:cache -->
# markers); BENCH_NO_DOC=1 only prints.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "cache.sh: $BIN is not executable (run make)" >&2; exit 1; }
RUNS=${BENCH_CACHE_RUNS:-15}
OUT=$PWD/bench/out/cache
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
unset LAKEHOUSE_LOG LAKEHOUSE_CACHE_MAX_BYTES
mkdir -p "$OUT"
say() { printf '== %s\n' "$*" >&2; }

GEN=$PWD/bench/out/gen_candidates
if [ ! -x "$GEN" ] || [ bench/gen_candidates.c -nt "$GEN" ]; then
  ${CC:-gcc} -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" bench/gen_candidates.c -o "$GEN" \
    -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"
fi
CSV_DIR=$PWD/bench/out/data-1000000
if [ ! -s "$CSV_DIR/candidates.csv" ] || [ ! -s "$CSV_DIR/recruiters.csv" ]; then
  say "generate 1,000,000 candidates into $CSV_DIR"
  mkdir -p "$CSV_DIR"
  "$GEN" "$CSV_DIR" 1000000
fi

rm -rf "$OUT/cand" "$OUT/demo"
say "ingest candidates and recruiters"
"$BIN" ingest "$CSV_DIR/candidates.csv" --name candidates --data "$OUT/cand" > /dev/null
"$BIN" ingest "$CSV_DIR/recruiters.csv" --name recruiters --data "$OUT/cand" > /dev/null
say "lakehouse demo (scale 1)"
"$BIN" demo --data "$OUT/demo" > /dev/null 2>&1

grep -v '^#' bench/queries.tsv > "$OUT/cand.tsv"
cat > "$OUT/demo.tsv" <<'TSV'
filter_count	SELECT count(*) FROM timesheets WHERE status = 'approved' AND regular_hours = 40 AND overtime_hours >= 2 AND bill_rate < 60
groupby_top10	SELECT placement_id, count(*) AS n, round(sum(billed_amount), 2) AS billed FROM timesheets GROUP BY placement_id ORDER BY n DESC, placement_id LIMIT 10
join	SELECT p.status, count(*) AS n, round(avg(t.billed_amount), 2) AS avg_billed FROM timesheets t JOIN placements p ON t.placement_id = p.placement_id WHERE t.overtime_hours > 0 GROUP BY p.status ORDER BY n DESC
point_lookup	SELECT * FROM timesheets WHERE timesheet_id = 'TS-0777777'
ilike_scan	SELECT count(*) FROM timesheets WHERE status ILIKE '%disput%' OR placement_id ILIKE '%777%'
TSV

SERVER_PIDS=()
trap 'for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; true' EXIT

# start_server DATA_DIR NAME: runs a server, sets URL and SERVER_PID.
start_server() {
  LAKEHOUSE_DATA=$1 "$BIN" serve --bind 127.0.0.1:0 >"$OUT/$2.out" 2>"$OUT/$2.err" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  URL=""
  for _ in $(seq 1 150); do
    URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT/$2.out" || true)
    [ -n "$URL" ] && break
    sleep 0.1
  done
  [ -n "$URL" ] || { echo "cache.sh: the server did not start: $(head -c 400 "$OUT/$2.err")" >&2; exit 1; }
}

one() { curl -sf -o /dev/null -w '%{time_total}\n' -XPOST -H 'Content-Type: application/json' -d "$2" "$1/query/sql"; }
median_ms() { sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.2f\n", m * 1000}'; }

# bench_one DATA_DIR TSV TABLE LABEL: two servers, one over DATA_DIR with TABLE pinned and
# one over a copy of it, unpinned; each query's runs alternate between them, so that
# whatever else the machine does weighs on both alike.
bench_one() {
  local data=$1 tsv=$2 table=$3 label=$4 upurl ppurl ppid t0 t1 name sql body i
  rm -rf "$data.copy"
  cp -r "$data" "$data.copy"
  start_server "$data.copy" "$label.unpinned"
  upurl=$URL
  start_server "$data" "$label.pinned"
  ppurl=$URL ppid=$SERVER_PID
  t0=$(date +%s%N)
  curl -sf -o "$OUT/$label.pin.json" -XPOST -H 'Content-Type: application/json' -d "{\"dataset\":\"$table\"}" "$ppurl/query/cache/pin"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" > "$OUT/$label.pin_ms"
  say "$label: pinned $table in $(cat "$OUT/$label.pin_ms") ms: $(cat "$OUT/$label.pin.json")"
  : > "$OUT/$label.unpinned.txt"
  : > "$OUT/$label.pinned.txt"
  while IFS=$'\t' read -r name sql; do
    [ -n "$name" ] || continue
    body=$(python3 -c 'import json,sys; print(json.dumps({"sql": sys.argv[1], "format": "csv", "timeout_ms": 600000}))' "$sql")
    curl -sf -o "$OUT/$label.unpinned.$name.csv" -XPOST -H 'Content-Type: application/json' -d "$body" "$upurl/query/sql"
    curl -sf -o "$OUT/$label.pinned.$name.csv" -XPOST -H 'Content-Type: application/json' -d "$body" "$ppurl/query/sql"
    : > "$OUT/u.t"
    : > "$OUT/p.t"
    for ((i = 0; i < RUNS; i++)); do
      one "$upurl" "$body" >> "$OUT/u.t"
      one "$ppurl" "$body" >> "$OUT/p.t"
    done
    echo "$name $(median_ms < "$OUT/u.t")" >> "$OUT/$label.unpinned.txt"
    echo "$name $(median_ms < "$OUT/p.t")" >> "$OUT/$label.pinned.txt"
    say "$label $name: unpinned $(tail -n 1 "$OUT/$label.unpinned.txt" | cut -d' ' -f2) ms, pinned $(tail -n 1 "$OUT/$label.pinned.txt" | cut -d' ' -f2) ms"
  done < "$tsv"
  curl -sf -o "$OUT/$label.stats.json" "$ppurl/query/cache/stats"
  awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$ppid/status" > "$OUT/$label.rss_mb"
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  SERVER_PIDS=()
  rm -rf "$data.copy"
}

bench_one "$OUT/cand" "$OUT/cand.tsv" candidates cand
bench_one "$OUT/demo" "$OUT/demo.tsv" timesheets demo

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
body=$OUT/section.md
python3 - "$OUT" "$RUNS" > "$body" <<'PY'
import json, os, sys
out, runs = sys.argv[1], sys.argv[2]
def load(p):
    return dict(l.split() for l in open(p) if l.strip())
for label, title, table, rows in (("cand", "candidates (bench/gen_candidates.c)", "candidates", "1,000,000"),
                                  ("demo", "timesheets (`lakehouse demo`, scale 1)", "timesheets", "1,800,000")):
    u, p = load(f"{out}/{label}.unpinned.txt"), load(f"{out}/{label}.pinned.txt")
    pin = json.load(open(f"{out}/{label}.pin.json"))
    pin_ms = open(f"{out}/{label}.pin_ms").read().strip()
    rss = open(f"{out}/{label}.rss_mb").read().strip()
    print(f"**{title}**: {rows} rows; pinning took {int(pin_ms) / 1000:.1f} s and holds "
          f"{pin['bytes'] / 1048576:.0f} MiB (server peak RSS {rss} MB).\n")
    print("| query | unpinned (ms) | pinned (ms) | speed-up | same result |")
    print("|---|---:|---:|---:|---|")
    for name in u:
        same = open(f"{out}/{label}.unpinned.{name}.csv", "rb").read() == open(f"{out}/{label}.pinned.{name}.csv", "rb").read()
        print(f"| {name} | {float(u[name]):.1f} | {float(p[name]):.1f} | {float(u[name]) / float(p[name]):.1f}× | {'yes' if same else 'NO'} |")
    print()
PY
{
  echo "Medians of $RUNS requests per query and side (after one warm-up), \`curl\` \`time_total\`"
  echo "against two local \`lakehouse serve\`s, one with the table pinned and one over a copy of"
  echo "the data directory, unpinned, requests alternating between them; each time includes"
  echo "HTTP and CSV rendering. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  cat "$body"
  echo "- Machine: $(nproc) × ${CPU:-unknown CPU}, $MEM RAM ($(uname -sr)); DuckDB $(cat "$DUCKDB_DIR/VERSION" 2>/dev/null || echo unknown), default threads"
  echo "- Command: \`make && bench/cache.sh build/lakehouse\` (BENCH_CACHE_RUNS=$RUNS)"
} > "$body.full"
cat "$body.full"

if [ "${BENCH_NO_DOC:-0}" = 1 ]; then exit 0; fi
if ! grep -q '^<!-- bench:cache -->$' "$DOC"; then
  printf '\n## Hot cache\n\n<!-- bench:cache -->\n<!-- /bench:cache -->\n' >> "$DOC"
fi
awk -v body="$body.full" '
  $0 == "<!-- bench:cache -->" {print; while ((getline line < body) > 0) print line; skip = 1; next}
  $0 == "<!-- /bench:cache -->" {skip = 0}
  !skip {print}' "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
say "wrote the Hot cache section of $DOC"
