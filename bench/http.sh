#!/usr/bin/env bash
# bench/http.sh: the HTTP API on loopback (not part of `make test`; bench/rows.sh runs it
# for two rows of issue 13's table, printed as ROW lines).
#
#   bench/http.sh [BIN]        BIN = the lakehouse binary (default build/lakehouse)
#
# - wrk against GET /health and POST /query/sql (a point lookup on a 100,000-row dataset,
#   the body from a wrk Lua script) at 1, 8 and 64 connections: requests/s, p50, p99;
# - the same point query in-process in DuckDB over the same Parquet files
#   (bench/http_point.c), so the HTTP overhead is a ratio;
# - streaming throughput of a 1,000,000-row result as NDJSON and CSV (curl to /dev/null).
# Writes the "## HTTP API" section of docs/BENCHMARKS.md (between <!-- bench:http -->
# markers; the rest of the file is kept). Environment: BENCH_HTTP_SECONDS (5 per wrk run),
# BENCH_HTTP_RUNS (3 per streaming format), BENCH_NO_DOC=1 to only print.
# Needs wrk: apt-get install wrk (Debian package "wrk").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "http.sh: $BIN is not executable (run make)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "http.sh: wrk is not installed; install it with: sudo apt-get install wrk" >&2; exit 1; }
SECS=${BENCH_HTTP_SECONDS:-$([ "${BENCH_QUICK:-0}" = 1 ] && echo 2 || echo 5)}
RUNS=${BENCH_HTTP_RUNS:-3}
OUT=$PWD/bench/out/http
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
POINT_SQL="SELECT * FROM points WHERE id = 42424"
unset LAKEHOUSE_LOG
rm -rf "$OUT"
mkdir -p "$OUT"
say() { printf '== %s\n' "$*" >&2; }

${CC:-gcc} -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" bench/http_point.c -o "$OUT/http_point" \
  -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"

python3 - "$OUT/points.csv" <<'PY'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("id,name,city,score,joined\n")
    for i in range(100000):
        f.write("%d,name%d,%s,%.2f,2024-%02d-%02d\n" % (i, i, random.choice(["Oslo", "Lima", "Pune", "Kyiv"]),
                random.random() * 100, 1 + i % 12, 1 + i % 28))
PY

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
[ -n "$URL" ] || { echo "http.sh: the server did not start: $(head -c 400 "$OUT/serve.err")" >&2; exit 1; }
curl -sf -o /dev/null -F "file=@$OUT/points.csv" -F name=points "$URL/ingest/file"
check=$(curl -sf -XPOST -H 'Content-Type: application/json' \
  -d "{\"sql\":\"$POINT_SQL\",\"format\":\"csv\"}" "$URL/query/sql" | tail -n 1 | tr -d '\r')
say "server at $URL; point query returns: $check"

cat > "$OUT/point.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"sql":"$POINT_SQL","format":"json"}'
EOF

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

rows=()
for c in 1 8 64; do
  say "wrk GET /health, $c connections"
  read -r rps p50 p99 err < <(wrk_run "$c" "$URL/health")
  rows+=("| GET /health | $c | $rps | $p50 | $p99 | $err |")
  say "wrk POST /query/sql point lookup, $c connections"
  read -r rps p50 p99 err < <(wrk_run "$c" "$URL/query/sql" "$OUT/point.lua")
  rows+=("| POST /query/sql (point lookup) | $c | $rps | $p50 | $p99 | $err |")
  [ "$c" = 1 ] && { HTTP_P50=$p50; HTTP_RPS1=$rps; }
  [ "$c" = 8 ] && HEALTH8=$(grep -F "| GET /health | 8 |" <(printf '%s\n' "${rows[@]}") | cut -d'|' -f4 | tr -d ' ')
done

say "in-process DuckDB, the same point query"
# The table's files from its Delta log (a glob of the directory would also read files a
# compaction replaced).
POINT_FILES="[$(python3 bench/delta_files.py "$OUT/data/tables/points" | sed "s/.*/'&'/" | paste -sd,)]"
read -r _ IN_P50 _ IN_P99 _ IN_QPS _ IN_ROWS < <("$OUT/http_point" "$POINT_FILES" 2000 "$POINT_SQL")
RATIO=$(python3 -c "print('%.1f' % ($HTTP_P50 / $IN_P50))")
# ROW lines for bench/rows.sh (issue 13's table; its point-lookup row is on 5M rows, this
# one on 100,000).
printf 'ROW\tHTTP point lookup (100K rows, 1 connection, p50) vs in-process DuckDB\t%s ms\t%s ms\t%s\t<= 1.2\t%s\n' \
  "$HTTP_P50" "$IN_P50" "$(python3 -c "print('%.2f' % ($HTTP_P50 / $IN_P50))")" \
  "$(python3 -c "print('yes' if $HTTP_P50 / $IN_P50 <= 1.2 else 'no')")"

# stream FORMAT: median MB/s over RUNS downloads of the 1,000,000-row result
stream() {
  local fmt=$1 i
  for i in $(seq 1 "$RUNS"); do
    curl -sf -o /dev/null -w '%{size_download} %{time_total}\n' -XPOST -H 'Content-Type: application/json' \
      -d "{\"sql\":\"SELECT i, i*2 AS j, 'x' || i AS s FROM range(1000000) t(i)\",\"format\":\"$fmt\"}" "$URL/query/sql"
  done | python3 -c '
import statistics, sys
runs = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print("%.1f %.0f %.3f" % (statistics.median(b / t / 1e6 for b, t in runs), runs[0][0], statistics.median(t for _, t in runs)))'
}
say "streaming 1,000,000 rows"
read -r ND_MBS ND_BYTES ND_S < <(stream ndjson)
read -r CSV_MBS CSV_BYTES CSV_S < <(stream csv)
RSS_MB=$(( $(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status") / 1024 ))

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
body=$OUT/section.md
{
  echo "- Machine: $(nproc) × ${CPU:-unknown CPU}, $MEM RAM ($(uname -sr)); wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), client and server on the same cores (loopback)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); lakehouse commit \`$(git rev-parse --short HEAD)\`; server defaults (threads = cores, access log on, to a file)"
  echo "- Command: \`bench/http.sh build/lakehouse\` (${SECS} s per wrk run; wrk -t1 at 1 connection, -t2 otherwise)"
  echo
  echo "Point lookup: \`$POINT_SQL\` over a 100,000-row, 5-column dataset (one Parquet file), JSON result."
  echo
  echo "| request | connections | requests/s | p50 ms | p99 ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo "| in-process DuckDB, same query and Parquet file (\`bench/http_point.c\`, 2000 runs) | 1 | $IN_QPS | $IN_P50 | $IN_P99 | 0 |"
  echo
  echo "**HTTP overhead: p50 over HTTP / p50 in-process = $RATIO** at one connection (HTTP $HTTP_P50 ms,"
  echo "$HTTP_RPS1 requests/s; in-process $IN_P50 ms). Besides the socket round trip, each request goes through"
  echo "the read-only SQL gate and JSON rendering; wrk shares the cores with the server."
  echo
  echo "Streaming \`SELECT i, i*2 AS j, 'x' || i AS s FROM range(1000000) t(i)\` to curl (\`-o /dev/null\`),"
  echo "median of $RUNS:"
  echo
  echo "| format | bytes | seconds | MB/s |"
  echo "|---|---:|---:|---:|"
  echo "| ndjson | $ND_BYTES | $ND_S | $ND_MBS |"
  echo "| csv | $CSV_BYTES | $CSV_S | $CSV_MBS |"
  echo
  echo "Server peak resident memory over the whole run (VmHWM): $RSS_MB MB."
} > "$body"
cat "$body" >&2

if [ "${BENCH_NO_DOC:-0}" = 1 ]; then exit 0; fi
if ! grep -q '^<!-- bench:http -->$' "$DOC"; then
  printf '\n## HTTP API\n\n<!-- bench:http -->\n<!-- /bench:http -->\n' >> "$DOC"
fi
awk -v body="$body" '
  $0 == "<!-- bench:http -->" {print; while ((getline line < body) > 0) print line; skip = 1; next}
  $0 == "<!-- /bench:http -->" {skip = 0}
  !skip {print}' "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
say "wrote the HTTP API section of $DOC"
