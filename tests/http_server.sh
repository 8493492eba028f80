# http_server.sh: start and stop `lakehouse serve` for the HTTP end-to-end tests (sourced
# after tests/e2e/lib.sh, which sets LH and WORK). Every server listens on 127.0.0.1 only.
#   srv_start NAME [VAR=VALUE...]  runs "$LH serve --bind 127.0.0.1:0" with those extra
#                                  environment variables (auto_compact off unless
#                                  given); stdout in $WORK/NAME.out, stderr in
#                                  $WORK/NAME.err. Waits at most 15 s for the ready line.
#                                  Sets SRV_PID, SRV_URL, SRV_PORT; fails when it did not come up.
#   srv_stop PID [SIGNAL]          sends SIGNAL (TERM), waits at most 20 s (then KILL);
#                                  sets SRV_RC (the exit status) and SRV_STOP_MS.
#   srv_stop_all                   KILLs every server still running (for the EXIT trap).
SRV_PIDS=()

srv_start() {
  local name=$1 i
  shift
  # The background compactor ([storage] auto_compact, on by default) rewrites data and
  # journal files on its own schedule: off unless the test asks for it (VAR=VALUE given
  # later wins), so that tests comparing the data directory see only their own writes.
  env LAKEHOUSE_STORAGE_AUTO_COMPACT=false "$@" "$LH" serve --bind 127.0.0.1:0 >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SRV_PID=$!
  SRV_PIDS+=("$SRV_PID")
  SRV_URL=""
  for ((i = 0; i < 150; i++)); do
    SRV_URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/$name.out" 2>/dev/null | head -n 1)
    [[ -n $SRV_URL ]] && break
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  SRV_PORT=${SRV_URL##*:}
  [[ -n $SRV_URL ]]
}

srv_stop() {
  local pid=$1 sig=${2:-TERM} i start
  start=$(date +%s%N)
  kill -"$sig" "$pid" 2>/dev/null
  for ((i = 0; i < 400; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  SRV_STOP_MS=$((($(date +%s%N) - start) / 1000000))
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  SRV_RC=$?
}

srv_stop_all() {
  local p
  for p in "${SRV_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  return 0
}

# hdr NAME: a header of the last response saved in $WORK/hdrs (curl -D), without CR.
hdr() { grep -i "^$1:" "$WORK/hdrs" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }

# jb EXPR: a Python expression over d, the JSON in $WORK/body; a tuple prints space-joined.
jb() {
  python3 - "$WORK/body" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("<not json: %s>" % e); sys.exit(0)
try:
    r = eval(sys.argv[2])
    print(" ".join(map(str, r)) if isinstance(r, tuple) else r)
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
PY
}
