# Attack requests: every tests/attacks/http/NAME.http is sent byte for byte (after the
# placeholder substitutions of tests/attacks/http/README.md) on a fresh connection; the
# status must be the one in NAME.expect and /health must still answer afterwards.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
DIR=$LH_REPO/tests/attacks/http

SECRETS=$WORK/secrets.toml
declare -A KEY
for role in reader writer admin; do
  KEY[$role]=$(LAKEHOUSE_AUTH_SECRETS_FILE=$SECRETS "$LH" keys add --principal "p_$role" --role "$role" 2>/dev/null)
done
KEY[unknown]=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
printf '\n[[keys]]\nsha256 = "%s"\nprincipal = "p_unknown"\nrole = "superuser"\n' \
  "$(printf '%s' "${KEY[unknown]}" | sha256sum | cut -c1-64)" >> "$SECRETS"
chmod 600 "$SECRETS"

srv_start OPEN LAKEHOUSE_DATA="$WORK/dataO" || { not_ok "default server starts"; exit 1; }
OPEN_PORT=$SRV_PORT
srv_start AUTH LAKEHOUSE_DATA="$WORK/dataA" LAKEHOUSE_AUTH_ENABLED=true LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" \
  || { not_ok "auth server starts"; exit 1; }
AUTH_PORT=$SRV_PORT

# send FILE PORT: prints the status code of the reply ("000" when the server closed the
# connection without one).
send() {
  python3 - "$1" "$2" "${KEY[reader]}" "${KEY[writer]}" "${KEY[admin]}" "${KEY[unknown]}" <<'PY'
import socket, sys
path, port = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
for k, v in {"HOST": "127.0.0.1:" + port, "PORT": port, "KEY_READER": sys.argv[3],
             "KEY_WRITER": sys.argv[4], "KEY_ADMIN": sys.argv[5], "KEY_UNKNOWN": sys.argv[6]}.items():
    data = data.replace(b"{{" + k.encode() + b"}}", v.encode())
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
try:
    s.sendall(data)
except OSError:
    pass  # the server may answer and close before reading everything
got = b""
try:
    while b"\r\n" not in got:
        d = s.recv(4096)
        if not d:
            break
        got += d
except OSError:
    pass
print(got[9:12].decode() if got.startswith(b"HTTP/1.") else "000")
PY
}

n=0
for f in "$DIR"/*.http; do
  name=$(basename "$f" .http)
  want=$(head -n 1 "$DIR/$name.expect")
  port=$OPEN_PORT
  if grep -q '{{KEY_' "$f" || grep -q '^server: auth' "$DIR/$name.expect"; then port=$AUTH_PORT; fi
  got=$(send "$f" "$port")
  if [[ "|$want|" == *"|$got|"* ]]; then ok "attack $name: $got"
  else not_ok "attack $name: expected $want, got $got"; fi
  h=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$port/health")
  expect_eq "attack $name: /health still answers" 200 "$h"
  n=$((n + 1))
done
expect_eq "at least 15 attack requests" yes "$([[ $n -ge 15 ]] && echo yes || echo "no ($n)")"
# the refusals answered before any handler: nothing was created on the default server
expect_eq "no dataset was created by the attacks" "" "$(ls "$WORK/dataO/tables" 2>/dev/null)$(ls "$WORK/dataA/tables" 2>/dev/null)"

# ---- what stays allowed, and the configuration keys ------------------------------------------
srv_stop_all
if srv_start CFG LAKEHOUSE_DATA="$WORK/dataC" LAKEHOUSE_SERVER_ALLOWED_HOSTS="lake.internal,proxy.example:8443" \
     LAKEHOUSE_SERVER_ALLOWED_ORIGINS="https://ui.example.com"; then
  P=$SRV_PORT
  c() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
  expect_eq "Host localhost:PORT is this server" 200 "$(c -H "Host: localhost:$P" "$SRV_URL/health")"
  expect_eq "Host [::1]:PORT is this server" 200 "$(c -H "Host: [::1]:$P" "$SRV_URL/health")"
  expect_eq "an allowed_hosts name without a port matches any port" 200 "$(c -H "Host: lake.internal:9999" "$SRV_URL/health")"
  expect_eq "an allowed_hosts name:port matches that port" 200 "$(c -H "Host: proxy.example:8443" "$SRV_URL/health")"
  expect_eq "... and not another port" 421 "$(c -H "Host: proxy.example:8444" "$SRV_URL/health")"
  expect_eq "a same-origin browser POST (Origin http://127.0.0.1:PORT) is served" 200 \
    "$(c -XPOST -H "Origin: http://127.0.0.1:$P" -H 'Sec-Fetch-Site: same-origin' -H 'Content-Type: application/json' -d '{}' "$SRV_URL/journal/flush")"
  expect_eq "an allowed_origins origin is served, even cross-site" 200 \
    "$(c -XPOST -H 'Origin: https://ui.example.com' -H 'Sec-Fetch-Site: cross-site' -H 'Content-Type: application/json' -d '{}' "$SRV_URL/journal/flush")"
  expect_eq "a typed-in URL (Sec-Fetch-Site: none) is served" 200 "$(c -H 'Sec-Fetch-Site: none' "$SRV_URL/health")"
  expect_eq "application/json; charset=utf-8 is JSON" 200 \
    "$(c -XPOST -H 'Content-Type: application/json; charset=utf-8' -d '{}' "$SRV_URL/journal/flush")"
  expect_eq "chunked JSON with the JSON type is served" 200 \
    "$(c -XPOST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' -d '{}' "$SRV_URL/journal/flush")"
  expect_eq "a body-less POST without a type is an empty object" 200 "$(c -XPOST "$SRV_URL/journal/flush")"
  srv_stop "$SRV_PID"
else not_ok "server with allowed_hosts/allowed_origins starts"; echo "# $(head -c 600 "$WORK/CFG.err")"; fi

expect_fail "serve on 0.0.0.0 without auth is refused at start" "refusing to serve 0.0.0.0:0 without authentication.*allow_unauthenticated_remote" \
  env LAKEHOUSE_DATA="$WORK/dataR" timeout 20 "$LH" serve --bind 0.0.0.0:0
# serve_bg NAME VAR=VALUE... -- ARGS...: starts `lakehouse serve ARGS` with those
# variables; sets BG_PID; succeeds once the ready line is printed.
serve_bg() {
  local name=$1 i; shift
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  env "${vars[@]}" "$LH" serve "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  BG_PID=$!
  for ((i = 0; i < 150; i++)); do
    grep -q serving "$WORK/$name.out" && return 0
    kill -0 "$BG_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
if serve_bg R1 LAKEHOUSE_DATA="$WORK/dataR" -- --bind 0.0.0.0:0 --allow-unauthenticated-remote; then
  ok "--allow-unauthenticated-remote lets it bind 0.0.0.0"
else not_ok "--allow-unauthenticated-remote lets it bind 0.0.0.0"; echo "# $(head -c 400 "$WORK/R1.err")"; fi
srv_stop "$BG_PID"
if serve_bg R2 LAKEHOUSE_DATA="$WORK/dataR" LAKEHOUSE_SERVER_ALLOW_UNAUTHENTICATED_REMOTE=true -- --bind 0.0.0.0:0; then
  ok "[server] allow_unauthenticated_remote = true lets it bind 0.0.0.0"
else not_ok "[server] allow_unauthenticated_remote = true lets it bind 0.0.0.0"; echo "# $(head -c 400 "$WORK/R2.err")"; fi
srv_stop "$BG_PID"
