# Roles end to end: every row of the route table (from `lakehouse serve --routes`, so a new
# route cannot be forgotten) tried with a reader, a writer and an admin key, and with a key
# whose role the server does not know. A key below the row's role gets 403 forbidden naming
# both roles before the handler runs; a key at or above it gets anything but 401/403 (the
# handler may well answer 400 or 404 to our placeholder parameters). With auth off every
# route stays open.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG

SECRETS=$WORK/secrets.toml
declare -A KEY
for role in reader writer admin; do
  KEY[$role]=$(LAKEHOUSE_AUTH_SECRETS_FILE=$SECRETS "$LH" keys add --principal "p_$role" --role "$role" 2>/dev/null)
done
# an unknown role, as a hand-edited secrets file may hold: the least privilege (reader)
KEY[superuser]=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
printf '\n[[keys]]\nsha256 = "%s"\nprincipal = "p_super"\nrole = "superuser"\n' \
  "$(printf '%s' "${KEY[superuser]}" | sha256sum | cut -c1-64)" >> "$SECRETS"
chmod 600 "$SECRETS"
expect_fail "keys add refuses a role the server does not know" "reader, writer or admin" \
  env LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" "$LH" keys add --principal x --role superuser

# The route table with its role column: "METHOD PATH ROLE BODY" per row.
"$LH" serve --routes > routes.md
python3 - routes.md > routes.txt <<'PY'
import sys
rows = [l.strip().strip("|").split("|") for l in open(sys.argv[1]) if l.startswith("|")]
head = [c.strip() for c in rows[0]]
for r in rows[2:]:
    c = dict(zip(head, [x.strip() for x in r]))
    # a row without a declared role is expected to be admin-only (fail closed)
    print(c["method"], c["path"].strip("`"), c.get("role", "MISSING"), c["body"].replace(" ", "_"))
PY
mapfile -t ROUTES < routes.txt
expect_eq "the route table has a role column with reader/writer/admin on every row" yes \
  "$([[ ${#ROUTES[@]} -ge 20 ]] && ! grep -qvE ' (reader|writer|admin) ' routes.txt && echo yes || echo "no: $(head -n 3 routes.txt | paste -sd'|')")"
expect_eq "every role appears in the table" "admin reader writer" "$(awk '{print $3}' routes.txt | sort -u | paste -sd' ')"

printf 'id,v\n1,a\n' > tiny.csv
rank() { case $1 in admin | MISSING) echo 3 ;; writer) echo 2 ;; *) echo 1 ;; esac; }

# call METHOD PATTERN BODY KEY: one request with placeholder parameters; sets CODE.
call() {
  local m=$1 p=$2 body=$3 key=$4 args=()
  p=${p//\{name\}/rolesds}; p=${p//\{key...\}/roles/obj}; p=${p//\{entity_id\}/e1}
  case $body in
    JSON_object) args=(-H 'Content-Type: application/json' -d '{}') ;;
    multipart/form-data) args=(-F "file=@tiny.csv" -F name=rolesds) ;;
    raw_bytes) args=(--data-binary x) ;;
  esac
  [[ -n $key ]] && args+=(-H "X-API-Key: $key")
  CODE=$(curl -sS --max-time 30 -o "$WORK/body" -w '%{http_code}' -X "$m" "${args[@]}" "$URL$p" 2>"$WORK/curl.err")
}

if srv_start R LAKEHOUSE_DATA="$WORK/dataR" LAKEHOUSE_AUTH_ENABLED=true LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS"; then
  URL=$SRV_URL
  for line in "${ROUTES[@]}"; do
    read -r m p need body <<<"$line"
    for role in reader writer admin superuser; do
      call "$m" "$p" "$body" "${KEY[$role]}"
      has=$role; [[ $role == superuser ]] && has=reader
      if [[ $(rank "$has") -lt $(rank "$need") ]]; then
        want="needs role ${need/MISSING/admin}; key has $has"
        [[ $role == superuser ]] && want="$want (unknown role 'superuser')"
        got="$CODE $(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["code"], e["message"])' "$WORK/body" 2>/dev/null)"
        expect_eq "$role on $m $p ($need): 403 forbidden" "403 forbidden $m $p $want" "$got"
      else
        expect_eq "$role on $m $p ($need): allowed (not 401/403)" yes \
          "$([[ $CODE != 401 && $CODE != 403 && $CODE != 000 ]] && echo yes || echo "no ($CODE $(head -c 200 "$WORK/body"))")"
      fi
    done
  done
  grep -q "unknown role 'superuser'" "$WORK/R.err" && ok "the server warns about the unknown role at start" \
    || not_ok "the server warns about the unknown role at start"
  srv_stop "$SRV_PID"
else not_ok "server with auth starts"; echo "# $(head -c 600 "$WORK/R.err")"; fi

# With auth off (the default) roles are not checked: no 403 on any row.
if srv_start O LAKEHOUSE_DATA="$WORK/dataO"; then
  URL=$SRV_URL n403=0
  for line in "${ROUTES[@]}"; do
    read -r m p need body <<<"$line"
    call "$m" "$p" "$body" ""
    [[ $CODE == 403 || $CODE == 401 ]] && { n403=$((n403 + 1)); echo "# $m $p: $CODE"; }
  done
  expect_eq "auth off: no route answers 401/403 ($((${#ROUTES[@]})) routes)" 0 "$n403"
  srv_stop "$SRV_PID"
else not_ok "server without auth starts"; fi
