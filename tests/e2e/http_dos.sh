# Denial of service within the limits: /health while long queries fill the worker pool, a
# header trickled one byte at a time, 64 idle connections from one IP, and several slow
# readers of a 100 MB object.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
ms_of() { python3 -c 'import sys; print(int(float(sys.argv[1]) * 1000))' "$1"; }

# ---- (a) /health and /metrics never queue behind queries ----------------------------------
if srv_start Q LAKEHOUSE_DATA="$WORK/dataQ" LAKEHOUSE_SERVER_WORKERS=4 LAKEHOUSE_SERVER_SHUTDOWN_MS=200; then
  URL=$SRV_URL
  pids=()
  for i in 1 2 3 4 5 6; do
    curl -s --max-time 40 -o /dev/null -XPOST -H "$J" \
      -d '{"sql":"SELECT sum(i % 7) AS n FROM range(10000000000) t(i)","timeout_ms":30000}' "$URL/query/sql" &
    pids+=($!)
  done
  sleep 1.5
  busy=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -XPOST -H "$J" -d '{"sql":"SELECT 1 AS x","format":"csv"}' "$URL/query/sql")
  expect_eq "six long queries fill the 4 workers: a seventh query waits (no answer within 5 s)" 000 "$busy"
  read -r code t < <(curl -s --max-time 10 -o /dev/null -w '%{http_code} %{time_total}\n' "$URL/health")
  expect_eq "/health answers in < 1 s while the pool is full" "200 yes" "$code $([[ $(ms_of "$t") -lt 1000 ]] && echo yes || echo "no (${t}s)")"
  read -r code t < <(curl -s --max-time 10 -o /dev/null -w '%{http_code} %{time_total}\n' "$URL/metrics")
  expect_eq "/metrics answers in < 1 s while the pool is full" "200 yes" "$code $([[ $(ms_of "$t") -lt 1000 ]] && echo yes || echo "no (${t}s)")"
  srv_stop "$SRV_PID"
  for p in "${pids[@]}"; do wait "$p"; done
  expect_eq "the server with a full pool stops on SIGTERM (exit 0)" 0 "$SRV_RC"
  [[ $SRV_RC == 0 ]] || sed 's/^/# /' "$WORK/Q.err" | grep -vE '"(route|status)"' | tail -n 30
else not_ok "server Q starts"; fi

# ---- (b) headers must be complete within header_timeout_ms ---------------------------------
if srv_start T LAKEHOUSE_DATA="$WORK/dataT" LAKEHOUSE_SERVER_HEADER_TIMEOUT_MS=1500 LAKEHOUSE_SERVER_REQUEST_TIMEOUT_MS=3000; then
  res=$(python3 - "$SRV_PORT" <<'PY'
import socket, sys, time
port = sys.argv[1]
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port.encode() + b"\r\nX-Slow: ")
t = time.time()
closed = None
while time.time() - t < 8:          # one byte every 0.4 s: never idle for the 3 s timeout
    time.sleep(0.4)
    try:
        s.sendall(b"a")
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed = time.time() - t
                break
        except BlockingIOError:
            pass
        s.setblocking(True)
    except OSError:
        closed = time.time() - t
        break
print("open" if closed is None else "closed %.1f" % closed)
PY
)
  read -r what secs <<<"$res"
  expect_eq "a header trickled at 2.5 bytes/s is cut at header_timeout_ms (1.5 s), before request_timeout_ms" "closed yes" \
    "$what $([[ -n $secs ]] && python3 -c "print('yes' if 1.0 <= $secs <= 3.0 else 'no ($secs s)')")"
  code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$SRV_URL/health")
  expect_eq "... and a normal client is served" 200 "$code"
  # a keep-alive connection that completes its headers in time is unaffected
  res=$(python3 - "$SRV_PORT" <<'PY'
import socket, sys, time
port = sys.argv[1]
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
out = []
for i in range(3):
    s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port.encode() + b"\r\n\r\n")
    d = s.recv(65536)
    out.append(d[9:12].decode())
    time.sleep(0.5)
print(" ".join(out))
PY
)
  expect_eq "keep-alive requests within the deadline are served" "200 200 200" "$res"
  srv_stop "$SRV_PID"
else not_ok "server T starts"; fi

# ---- (c) idle connections cannot lock an IP out --------------------------------------------
# At per_ip_connections, a new connection evicts the IP's oldest idle one (no request in
# progress); only connections serving requests count against a newcomer.
if srv_start C LAKEHOUSE_DATA="$WORK/dataC" LAKEHOUSE_SERVER_PER_IP_CONNECTIONS=64; then
  python3 - "$SRV_PORT" > idle.txt <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) for _ in range(64)]
print("open", len(socks), flush=True)
time.sleep(6)
PY
  holder=$!
  for ((i = 0; i < 50; i++)); do grep -q open idle.txt 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  read -r code t < <(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{time_total}\n' "$SRV_URL/health")
  expect_eq "64 idle connections from 127.0.0.1: a new client still gets /health (within 1 s)" "200 yes" \
    "$code $([[ $(ms_of "$t") -lt 1000 ]] && echo yes || echo "no (${t}s)")"
  out=$(LAKEHOUSE_DATA="$WORK/dataC" timeout 20 "$LH" datasets 2>&1 >/dev/null; echo "rc=$?")
  expect_eq "... and the local CLI works" "rc=0" "$(tail -n 1 <<<"$out")"
  kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
  srv_stop "$SRV_PID"
else not_ok "server C starts"; fi

# ---- (d) slow readers of a large object do not hold it in memory ---------------------------
if srv_start M LAKEHOUSE_DATA="$WORK/dataM"; then
  mkdir -p "$WORK/dataM/objects"
  head -c $((100 * 1024 * 1024)) /dev/urandom > "$WORK/dataM/objects/big.bin"
  rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
  curl -s -o /dev/null "$SRV_URL/health"
  sleep 0.5
  idle=$(rss "$SRV_PID")
  pids=()
  for i in 1 2 3 4 5 6; do
    curl -s --limit-rate 2M --max-time 4 -o "$WORK/part$i" "$SRV_URL/storage/objects/big.bin" &
    pids+=($!)
  done
  peak=$idle
  for ((i = 0; i < 35; i++)); do r=$(rss "$SRV_PID"); [[ -n $r && $r -gt $peak ]] && peak=$r; sleep 0.1; done
  for p in "${pids[@]}"; do wait "$p"; done
  echo "# idle RSS $((idle / 1024)) MB, peak with 6 slow readers $((peak / 1024)) MB"
  expect_eq "6 slow readers of a 100 MB object: RSS grows < 100 MB" yes \
    "$([[ $((peak - idle)) -lt 102400 ]] && echo yes || echo "no (+$(((peak - idle) / 1024)) MB)")"
  expect_eq "the slow readers were receiving bytes" yes "$([[ $(stat -c %s "$WORK/part1") -gt 1000000 ]] && echo yes || echo no)"
  curl -s -o full.bin "$SRV_URL/storage/objects/big.bin"
  expect_eq "a full read is byte-identical" "$(sha256sum < "$WORK/dataM/objects/big.bin")" "$(sha256sum < full.bin)"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$SRV_URL/storage/objects/nope.bin")
  expect_eq "a missing object is still 404" 404 "$code"
  srv_stop "$SRV_PID"
else not_ok "server M starts"; fi
