# CLI writes while the server runs (issue 11, item 10): delete, compact, vacuum, datasets
# edits, resync and demo go to the server that holds the data directory, with the API key
# from LAKEHOUSE_API_KEY when auth is on, and print the same shape as a local run (the same
# JSON keys; the same human lines once numbers are masked).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

LOCAL=$WORK/local
REMOTE=$WORK/remote
SECRETS=$WORK/secrets.json
printf 'id,name\n1,Ann\n2,Bob\n3,Cy\n' > people.csv
printf 'id,name\n4,Dee\n' > more.csv
KEY=$(LAKEHOUSE_AUTH_SECRETS_FILE=$SECRETS "$LH" keys add --principal ops --role admin 2>/dev/null)
[[ -n $KEY ]] && ok "an admin key for the server" || not_ok "an admin key"

# shape FILE: JSON keys (recursively, sorted) or, for text, the lines with digits, quoted
# values and timestamps masked.
shape() {
  python3 - "$1" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def keys(v, p=""):
    if isinstance(v, dict):
        return sorted(set(sum((keys(x, p + "." + k) for k, x in v.items()), [p + "." + k for k in v])))
    if isinstance(v, list):
        return sorted(set(sum((keys(x, p + "[]") for x in v), [])))
    return []
try:
    print("\n".join(keys(json.loads(text))))
except ValueError:
    print(re.sub(r"[0-9]+(\.[0-9]+)?", "N", text))
PY
}

# both WHAT ARGS...: runs "lakehouse ARGS" locally (data LOCAL, no server) and through the
# server (data REMOTE), and compares exit status and output shape.
both() {
  local what=$1; shift
  LAKEHOUSE_DATA=$LOCAL "$LH" "$@" >"$WORK/l.out" 2>"$WORK/l.err"; local lrc=$?
  LAKEHOUSE_DATA=$REMOTE LAKEHOUSE_API_KEY=$KEY "$LH" "$@" >"$WORK/r.out" 2>"$WORK/r.err"; local rrc=$?
  if [[ $lrc -eq 0 && $rrc -eq 0 && "$(shape "$WORK/l.out")" == "$(shape "$WORK/r.out")" ]]; then
    ok "$what: through the server, same shape as locally"
  else
    not_ok "$what: through the server, same shape as locally"
    echo "# local exit $lrc: $(head -c 300 "$WORK/l.out") $(head -c 300 "$WORK/l.err")"
    echo "# server exit $rrc: $(head -c 300 "$WORK/r.out") $(head -c 300 "$WORK/r.err")"
  fi
}

LAKEHOUSE_DATA=$LOCAL "$LH" ingest people.csv --name people >/dev/null
LAKEHOUSE_DATA=$LOCAL "$LH" ingest more.csv --name people >/dev/null
LAKEHOUSE_DATA=$REMOTE "$LH" ingest people.csv --name people >/dev/null
LAKEHOUSE_DATA=$REMOTE "$LH" ingest more.csv --name people >/dev/null
srv_start fwd LAKEHOUSE_DATA="$REMOTE" LAKEHOUSE_AUTH_ENABLED=true LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" \
  || { not_ok "server starts"; cat "$WORK/fwd.err"; exit 0; }
ok "a server with auth holds the remote data directory"

expect_fail "without a key the server refuses the forwarded delete (its own message)" "key" \
  env LAKEHOUSE_DATA="$REMOTE" "$LH" delete people --key id 1
both "delete" delete people --key id 1 999
both "delete --json" delete people --key id 2 --json
both "compact" compact people
both "compact --json" compact people --json
both "vacuum" vacuum people --retention-hours 0
both "vacuum --json" vacuum people --retention-hours 0 --json
both "datasets --set" datasets people --set description=staff --tag hr
both "datasets --untag --json" datasets people --untag hr --json
both "resync" resync
both "resync --json" resync people --json
both "demo" demo --scale 0.001
both "demo --json (again: deduplicated)" demo --scale 0.001 --json

# errors come back as a local run prints them
LAKEHOUSE_DATA=$LOCAL "$LH" compact nosuch 2>"$WORK/l.err"; lrc=$?
LAKEHOUSE_DATA=$REMOTE LAKEHOUSE_API_KEY=$KEY "$LH" compact nosuch 2>"$WORK/r.err"; rrc=$?
expect_eq "an error through the server: same exit status and message as locally" \
  "$lrc $(cat "$WORK/l.err")" "$rrc $(cat "$WORK/r.err")"
LAKEHOUSE_DATA=$REMOTE LAKEHOUSE_API_KEY=$KEY "$LH" delete people --key id abc --json 2>"$WORK/r.err"
expect_eq "--json error through the server" "invalid_input" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$WORK/r.err")"

# the server's view changed: the writes really went through it
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H "X-API-Key: $KEY" "$SRV_URL/catalog/datasets/by-name/people")
expect_eq "the server's manifest carries the forwarded edit" "200 staff" "$code $(jb 'd["description"]')"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -d '{"sql":"SELECT count(*) FROM people"}' "$SRV_URL/query/sql")
expect_eq "the server's queries see the forwarded deletes" "200 2" "$code $(jb 'd["rows"][0][0]')"
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H "X-API-Key: $KEY" "$SRV_URL/catalog/datasets/by-name/timesheets")
expect_eq "the forwarded demo created its tables on the server" "200" "$code"
srv_stop "$SRV_PID"
expect_eq "the server stopped cleanly" "0" "$SRV_RC"
