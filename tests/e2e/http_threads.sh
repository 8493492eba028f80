# No thread is created per request (issue 13: every GET /health used to cost a clone3).
# The server runs under strace, which logs every clone/clone3 of every thread, and every
# openat: GET /metrics opens /proc/self/statm, which marks in the log where a batch of
# requests begins and ends. Between the marks, 200 requests over the routes that answer
# in the network thread (/health, /metrics, HEAD, an unknown path, a refused method) and
# over the worker pool (/catalog/datasets, /journal/stats) must log no clone at all, and
# /proc/PID/task must count the same threads before and after. Counting clones catches a
# thread that is created and gone again between two looks at /proc, which a count of the
# tasks alone cannot. The log is read after the server stopped (strace has flushed it),
# so nothing depends on timing.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
unset LAKEHOUSE_LOG

if ! command -v strace >/dev/null; then
  not_ok "strace is installed (scripts/deps.sh lists it)"
  exit 0
fi

# health_probe_ms: the engine probe behind /health runs once, in the warm-up, and its
# result serves every /health of the batch (a probe is a query, and a query's timeout
# still has a thread of its own in the engine).
LAKEHOUSE_SERVER_HEALTH_PROBE_MS=600000 strace -f -qq -e trace=clone,clone3,openat -o "$WORK/strace.log" \
  "$LH" serve --bind 127.0.0.1:0 >"$WORK/S.out" 2>"$WORK/S.err" &
TRACER=$!
trap 'kill -KILL "$TRACER" 2>/dev/null; [[ -n ${SPID:-} ]] && kill -KILL "$SPID" 2>/dev/null; srv_stop_all; wait 2>/dev/null; rm -rf "$WORK"' EXIT
URL=""
for ((i = 0; i < 300; i++)); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/S.out" 2>/dev/null | head -n 1)
  [[ -n $URL ]] && break
  kill -0 "$TRACER" 2>/dev/null || break
  sleep 0.1
done
SPID=$(pgrep -P "$TRACER" | head -n 1)
if [[ -z $URL || -z $SPID ]]; then
  not_ok "the server starts under strace"
  sed 's/^/# /' "$WORK/S.err" | tail -n 5
  exit 0
fi
ok "the server starts under strace"

c() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# warm-up: the first /health probes the engine; every route is served once
warm="$(c "$URL/health") $(c "$URL/catalog/datasets") $(c "$URL/journal/stats") $(c "$URL/nope")"
expect_eq "warm-up requests answer" "200 200 200 404" "$warm"
tasks_before=$(ls "/proc/$SPID/task" | wc -l)

# the batch: 200 requests, on keep-alive connections (curl reuses one for its URLs)
urls=()
for ((i = 0; i < 25; i++)); do
  for u in "$URL/health" "$URL/metrics" "$URL/catalog/datasets" "$URL/journal/stats" "$URL/nope" "$URL/health?x=$i"; do
    urls+=(-o /dev/null "$u")
  done
done
codes=$(c "$URL/metrics")
codes+=$(curl -s -w '%{http_code}\n' "${urls[@]}" | sort | uniq -c | awk '{printf " %s×%s", $2, $1}')
codes+=" $(c -I "$URL/health") $(c -X DELETE "$URL/health")"
for ((i = 0; i < 20; i++)); do curl -s -o /dev/null "$URL/health"; done # new connections too
codes+=" $(c "$URL/metrics")"
tasks_after=$(ls "/proc/$SPID/task" | wc -l)
expect_eq "the batch's answers" "200 200×125 404×25 200 405 200" "$codes"
expect_eq "the server has as many threads after the batch as before ($tasks_before)" "$tasks_before" "$tasks_after"

# /health reused the warm-up's probe all along (health_probe_ms = 600000): it says how old
sleep 1.1
age=$(curl -s "$URL/health" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], d["engine"]["ok"], d["engine"]["age_ms"] >= 1100)')
expect_eq "/health reports the cached probe's age (engine.age_ms >= the 1.1 s slept)" "ok True True" "$age"

kill -TERM "$SPID"
wait "$TRACER"
# the clone lines between the first and the last /metrics of the batch (the 2nd and the
# last statm opens: /metrics ran once more in the batch itself, 25 times)
read -r opens clones < <(awk '
  /openat\(.*"\/proc\/self\/statm"/ { n++; last = NR; if (n == 1) first = NR }
  /clone3?\(/ && !/resumed>/ { c[NR] = 1 }
  END { k = 0; for (l in c) if (l > first && l < last) k++; print n + 0, k }' "$WORK/strace.log")
expect_eq "/metrics opened /proc/self/statm once per request (27 marks in the log)" 27 "$opens"
expect_eq "no clone/clone3 between the first and last /metrics of the batch (200+ requests)" 0 "$clones"
[[ $clones == 0 ]] || grep -E 'clone3?\(' "$WORK/strace.log" | tail -n 5 | sed 's/^/# /'

# health_probe_ms = 1: every /health that comes later probes the engine anew on a control
# worker (its result is at most as old as the request itself, never the 2 s slept)
if srv_start P LAKEHOUSE_DATA="$WORK/dataP" LAKEHOUSE_SERVER_HEALTH_PROBE_MS=1; then
  first=$(curl -s "$SRV_URL/health" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
  sleep 2
  again=$(curl -s "$SRV_URL/health" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], d["engine"]["age_ms"] < 2000)')
  expect_eq "health_probe_ms=1: a later /health probes again (engine.age_ms < the 2 s slept)" "ok ok True" "$first $again"
  srv_stop "$SRV_PID"
else not_ok "server P starts"; fi
