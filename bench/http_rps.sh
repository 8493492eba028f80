#!/usr/bin/env bash
# bench/http_rps.sh: per-request cost of the HTTP server (issue 13, item 1); not part of
# `make test`. One server on an empty data directory (defaults: access log on, to a
# file), wrk on the same cores:
#
#   bench/http_rps.sh [BIN]        BIN = the lakehouse binary (default build/lakehouse)
#
# - GET /health at 1 and 8 connections (requests/s, p50, p99);
# - POST /query/sql {"sql":"SELECT 1 AS x"} at 8 keep-alive connections (bench/select1.lua);
# - the HTTP overhead of SELECT 1: p50 of SELECT 1 minus p50 of GET /metrics, each at one
#   warm keep-alive connection, runs alternated (median of BENCH_RPS_ROUNDS);
# - SELECT 1 in-process in DuckDB (bench/http_point.c: one connection, sequential), for
#   the ratios HTTP / in-process.
# Prints a Markdown section; writes it between <!-- bench:http_rps --> markers in
# docs/BENCHMARKS.md unless BENCH_NO_DOC=1. BENCH_RPS_SECONDS (default 5) per wrk run,
# BENCH_RPS_ROUNDS (default 3). Needs wrk (Debian package "wrk").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "http_rps.sh: $BIN is not executable (run make)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "http_rps.sh: wrk is not installed; install it with: apt-get install wrk" >&2; exit 1; }
SECS=${BENCH_RPS_SECONDS:-5}
ROUNDS=${BENCH_RPS_ROUNDS:-3}
OUT=$PWD/bench/out/http_rps
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
unset LAKEHOUSE_LOG
rm -rf "$OUT"
mkdir -p "$OUT"
say() { printf '== %s\n' "$*" >&2; }

${CC:-gcc} -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" bench/http_point.c -o "$OUT/http_point" \
  -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"

SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; true' EXIT
LAKEHOUSE_DATA=$OUT/data "$BIN" serve --bind 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 150); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT/serve.out" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "http_rps.sh: the server did not start: $(head -c 400 "$OUT/serve.err")" >&2; exit 1; }
# one tiny dataset: http_point needs Parquet files for its view (SELECT 1 reads none)
printf 'id\n1\n' > "$OUT/one.csv"
curl -sf -o /dev/null -F "file=@$OUT/one.csv" -F name=points "$URL/ingest/file"
check=$(curl -sf -XPOST -H 'Content-Type: application/json' -d '{"sql":"SELECT 1 AS x","format":"csv"}' \
  "$URL/query/sql" | tr -d '\r' | tr '\n' ' ')
say "server at $URL; SELECT 1 as CSV: $check"

# wrk_run CONNS URL [LUA]: prints "req_per_s p50_ms p99_ms errors"
wrk_run() {
  local c=$1 url=$2 lua=${3:-} t=1
  [ "$c" -gt 1 ] && t=2
  wrk -t"$t" -c"$c" -d"${SECS}s" --latency ${lua:+-s "$lua"} "$url" > "$OUT/wrk.txt"
  python3 - "$OUT/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(m.group(1)) if m else 0) + (sum(map(int, e.groups())) if e else 0)
print("%.0f %.3f %.3f %d" % (rps, p50, p99, errors))
PY
}
median() { python3 -c 'import statistics, sys; print("%g" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

rows=()
for c in 1 8; do
  say "wrk GET /health, $c connections"
  read -r rps p50 p99 err < <(wrk_run "$c" "$URL/health")
  rows+=("| GET /health | $c | $rps | $p50 | $p99 | $err |")
  [ "$c" = 1 ] && HEALTH1=$rps
  [ "$c" = 8 ] && HEALTH8=$rps
done
say "wrk GET /metrics, 8 connections"
read -r rps p50 p99 err < <(wrk_run 8 "$URL/metrics")
rows+=("| GET /metrics | 8 | $rps | $p50 | $p99 | $err |")
say "wrk POST /query/sql SELECT 1, 8 connections"
read -r rps p50 p99 err < <(wrk_run 8 "$URL/query/sql" bench/select1.lua)
rows+=("| POST /query/sql SELECT 1 | 8 | $rps | $p50 | $p99 | $err |")
SEL8=$rps

m50=() s50=() s1rps=()
for i in $(seq 1 "$ROUNDS"); do
  say "round $i/$ROUNDS: GET /metrics then SELECT 1, one keep-alive connection"
  read -r _ p50 _ _ < <(wrk_run 1 "$URL/metrics")
  m50+=("$p50")
  read -r rps p50 _ _ < <(wrk_run 1 "$URL/query/sql" bench/select1.lua)
  s50+=("$p50")
  s1rps+=("$rps")
done
M50=$(median "${m50[@]}")
S50=$(median "${s50[@]}")
S1RPS=$(median "${s1rps[@]}")
ADDED=$(python3 -c "print('%.3f' % ($S50 - $M50))")

say "in-process DuckDB: SELECT 1"
read -r _ IN_P50 _ IN_P99 _ IN_QPS _ _ < <("$OUT/http_point" "$OUT/data/tables/points/*.parquet" 20000 "SELECT 1 AS x")
R_P50=$(python3 -c "print('%.1f' % ($S50 / $IN_P50))")
R_QPS=$(python3 -c "print('%.2f' % ($SEL8 / $IN_QPS))")
rows+=("| POST /query/sql SELECT 1 | 1 | $S1RPS | $S50 | - | - |")
rows+=("| in-process DuckDB SELECT 1 (\`bench/http_point.c\`, 20,000 runs) | 1 | $IN_QPS | $IN_P50 | $IN_P99 | 0 |")

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
body=$OUT/section.md
{
  echo "- Machine: $(nproc) × ${CPU:-unknown CPU} ($(uname -sr)); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other agents share the cores); wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}') on the same cores (loopback)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); lakehouse commit \`$(git rev-parse --short HEAD)\`; server defaults (threads = cores, access log on, to a file), empty data directory"
  echo "- Command: \`bench/http_rps.sh build/lakehouse\` (${SECS} s per wrk run; -t1 at 1 connection, -t2 at 8)"
  echo
  echo "| request | connections | requests/s | p50 ms | p99 ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "**HTTP overhead of SELECT 1** (one warm keep-alive connection, median of $ROUNDS alternated rounds):"
  echo "p50 SELECT 1 $S50 ms − p50 GET /metrics $M50 ms = **$ADDED ms added** (target ≤ 0.3 ms)."
  echo "SELECT 1 over HTTP / in-process: p50 $R_P50×; 8-connection requests/s / in-process queries/s: $R_QPS."
  echo "GET /health at 8 connections: **$HEALTH8 requests/s** (target ≥ 10,000)."
} > "$body"
cat "$body"

# ROW lines for bench/rows.sh (issue 13's table).
yes_no() { python3 -c "print('yes' if $1 else 'no')"; }
printf 'ROW\tHTTP SELECT 1, warm keep-alive: p50 added over GET /metrics\t%s ms\t%s ms (in-process p50)\t%s\t<= 0.3 ms added\t%s\n' \
  "$ADDED" "$IN_P50" "$R_P50" "$(yes_no "$ADDED <= 0.3")"
printf 'ROW\t8 keep-alive clients, SELECT 1 (wrk)\t%s req/s\t%s q/s (in-process, 1 connection)\t%s\t>= 5000 req/s\t%s\n' \
  "$SEL8" "$IN_QPS" "$R_QPS" "$(yes_no "$SEL8 >= 5000")"
printf 'ROW\tGET /health, wrk, 1 / 8 connections\t%s / %s req/s\t-\t-\t>= 10000 req/s at 8\t%s\n' \
  "$HEALTH1" "$HEALTH8" "$(yes_no "$HEALTH8 >= 10000")"

if [ "${BENCH_NO_DOC:-0}" = 1 ]; then exit 0; fi
if ! grep -q '^<!-- bench:http_rps -->$' "$DOC"; then
  printf '\n## HTTP per-request cost\n\n<!-- bench:http_rps -->\n<!-- /bench:http_rps -->\n' >> "$DOC"
fi
awk -v body="$body" '
  $0 == "<!-- bench:http_rps -->" {print; while ((getline line < body) > 0) print line; skip = 1; next}
  $0 == "<!-- /bench:http_rps -->" {skip = 0}
  !skip {print}' "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
say "wrote the HTTP per-request cost section of $DOC"
