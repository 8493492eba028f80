#!/usr/bin/env bash
# bench/http_phases.sh: where the microseconds of one request go inside the server, from
# the server's own trace spans (docs/INTERNALS.md, "Where the microseconds of a GET
# /health go"); not part of `make test`.
#
#   bench/http_phases.sh [BIN]     BIN = the lakehouse binary (default build/lakehouse)
#
# Runs a server with [tracing] exporter = file, drives GET /health, GET /journal/stats (a
# trivial handler on the worker pool) and POST /query/sql SELECT 1 with wrk at one
# keep-alive connection for BENCH_PHASES_SECONDS (default 3) each, and prints, per route,
# the median over all its requests of (microseconds):
#   route    first libmicrohttpd callback (headers parsed) -> routing, auth, limits done
#   queue    routed -> handler starts (body read, JSON parsed, and for worker routes the
#            suspend, the queue and the worker's wake-up)
#   handler  the handler itself
#   reply    handler done -> request completed (for worker routes the resume and the
#            network thread's wake-up; the response written to the socket)
#   total    first callback -> completed; wrk's p50 is this plus parsing the request,
#            the kernel's loopback and the client
# Tracing itself costs a little (a JSON line per request, written after the request).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "http_phases.sh: $BIN is not executable (run make)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "http_phases.sh: wrk is not installed; install it with: apt-get install wrk" >&2; exit 1; }
SECS=${BENCH_PHASES_SECONDS:-3}
OUT=$PWD/bench/out/http_phases
unset LAKEHOUSE_LOG
rm -rf "$OUT"
mkdir -p "$OUT"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; true' EXIT
LAKEHOUSE_DATA=$OUT/data LAKEHOUSE_TRACING_EXPORTER=file LAKEHOUSE_TRACING_FILE=$OUT/trace.jsonl \
  "$BIN" serve --bind 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 150); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$OUT/serve.out" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "http_phases.sh: the server did not start: $(head -c 400 "$OUT/serve.err")" >&2; exit 1; }
wrk -t1 -c1 -d"${SECS}s" "$URL/health" >/dev/null
wrk -t1 -c1 -d"${SECS}s" "$URL/journal/stats" >/dev/null
wrk -t1 -c1 -d"${SECS}s" -s bench/select1.lua "$URL/query/sql" >/dev/null
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
python3 - "$OUT/trace.jsonl" <<'PY'
import json, statistics, sys
phases = {}
for line in open(sys.argv[1]):
    spans = json.loads(line)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    by = {s["name"]: s for s in spans}
    srv = spans[0]
    t = lambda s, k: int(s[k]) / 1000.0
    start, end = t(srv, "startTimeUnixNano"), t(srv, "endTimeUnixNano")
    routed = t(by["route"], "endTimeUnixNano")
    h = [s for s in spans[2:]]
    if not h:
        continue
    hs, he = t(h[0], "startTimeUnixNano"), t(h[0], "endTimeUnixNano")
    row = phases.setdefault(srv["name"], [])
    row.append((routed - start, hs - routed, he - hs, end - he, end - start))
print("| request | requests | route µs | queue µs | handler µs | reply µs | total µs |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, rows in phases.items():
    med = [statistics.median(r[i] for r in rows) for i in range(5)]
    print("| %s | %d | %s |" % (name, len(rows), " | ".join("%.1f" % m for m in med)))
PY
