# The hostile-file corpus (tests/attacks/files/MANIFEST): each file ingested through the
# CLI and over HTTP. A refusal must be clean (non-zero exit or 4xx, a one-line message
# matching the entry's pattern, no internal path in it, the data directory unchanged);
# a success must be harmless (nothing from outside the file stored). Then object-key and
# symlink tricks against /storage/objects, and the server must still serve /health.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
C=$WORK/corpus
bash "$LH_REPO/tests/attacks/files/gen.sh" "$C" || { not_ok "generate the corpus"; exit 1; }

# no_internal FILE: the message names no filesystem path of ours.
# The CLI may name the path its user gave (under $C); nothing else of ours.
no_internal() { ! sed "s#$C/##g" "$1" | grep -qE "$WORK|/_staging|/tmp/|$LH_REPO"; }

export LAKEHOUSE_DATA=$WORK/cli
printf 'a,b\n1,2\n' >seed.csv
"$LH" ingest seed.csv >/dev/null 2>&1
if srv_start S LAKEHOUSE_DATA="$WORK/srv"; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/S.err")"; exit 1; fi
URL=$SRV_URL
curl -sS -o /dev/null -F file=@seed.csv -F name=seed "$URL/ingest/file"
# Fingerprints skip the journal (its WAL) and _staging (scratch: a crashed ingest leaves
# its input there, and the next writer clears it).
srv_state() { (cd "$WORK/srv" && find . -type f ! -name .lock ! -path './_journal/*' ! -path './_staging/*' -print0 | sort -z | xargs -0 -r sha256sum); }
cli_state() { (cd "$WORK/cli" && find . -type f ! -name .lock ! -path './_journal/*' ! -path './_staging/*' -print0 | sort -z | xargs -0 -r sha256sum); }

n=0
while IFS='|' read -r file expect pat; do
  file=$(echo "$file" | xargs); expect=$(echo "$expect" | xargs); pat=$(echo "$pat" | sed 's/^ *//; s/ *$//')
  [[ -z $file || $file == \#* ]] && continue
  n=$((n + 1)); name="attack_$n"
  # --- CLI ---
  before=$(cli_state)
  timeout 60 "$LH" ingest "$C/$file" --name "$name" >"$WORK/out" 2>"$WORK/err"; rc=$?
  lines=$(wc -l <"$WORK/err")
  if [[ $rc -ge 124 ]]; then
    not_ok "CLI $file: no crash or hang (exit $rc)"
  elif [[ $rc -ne 0 ]]; then
    if [[ $expect == accept ]]; then not_ok "CLI $file: accepted"; echo "# $(head -c 300 "$WORK/err")"
    elif [[ $lines -eq 1 ]] && grep -qiE -- "$pat" "$WORK/err" && no_internal "$WORK/err" && [[ $before == "$(cli_state)" ]]; then
      ok "CLI $file: refused cleanly ($(head -c 120 "$WORK/err"))"
    else not_ok "CLI $file: a clean refusal"; echo "# exit $rc, $lines lines: $(head -c 400 "$WORK/err")"; fi
  else
    if [[ $expect == refuse* ]]; then not_ok "CLI $file: refused"; echo "# accepted: $(head -c 300 "$WORK/out")"
    elif "$LH" sql "SELECT * FROM $name" --format csv 2>/dev/null | grep -q 'root:x:0'; then not_ok "CLI $file: nothing from outside the file stored"
    else ok "CLI $file: harmless success"; fi
  fi
  # --- HTTP ---
  before=$(srv_state)
  code=$(curl -sS --max-time 60 -o "$WORK/body" -w '%{http_code}' -F "file=@$C/$file" -F "name=h$name" "$URL/ingest/file" 2>"$WORK/curl.err")
  if ! curl -sf -o /dev/null --max-time 10 "$URL/health"; then
    not_ok "HTTP $file: the server survives"; break
  elif [[ $code == 4* ]]; then
    if [[ $expect == accept ]]; then not_ok "HTTP $file: accepted"; echo "# $code $(head -c 300 "$WORK/body")"
    elif grep -qiE -- "$pat" "$WORK/body" && no_internal "$WORK/body" && [[ $before == "$(srv_state)" ]]; then
      ok "HTTP $file: refused cleanly ($code)"
    else not_ok "HTTP $file: a clean refusal"; echo "# $code $(head -c 400 "$WORK/body")"; fi
  elif [[ $code == 200 || $code == 201 ]]; then
    if [[ $expect == refuse* ]]; then not_ok "HTTP $file: refused"; echo "# $code $(head -c 300 "$WORK/body")"
    else
      q=$(curl -sS --max-time 30 -H 'Content-Type: application/json' -d "{\"sql\":\"SELECT * FROM h$name\"}" "$URL/query/sql" 2>/dev/null)
      if grep -q 'root:x:0' <<<"$q"; then not_ok "HTTP $file: nothing from outside the file stored"; else ok "HTTP $file: harmless success"; fi
    fi
  else
    not_ok "HTTP $file: a clean answer (got $code)"; echo "# $(head -c 400 "$WORK/body")"
  fi
done <"$LH_REPO/tests/attacks/files/MANIFEST"
[[ $n -ge 12 ]] && ok "the corpus has $n entries" || not_ok "the corpus has at least 12 entries ($n)"

# FIFO through the CLI (cannot be uploaded).
mkfifo "$WORK/pipe.csv"
expect_fail "CLI FIFO: refused at once" "not a regular file" timeout 10 "$LH" ingest "$WORK/pipe.csv"

# --- object-key and symlink tricks -----------------------------------------------------
mkdir -p "$WORK/outside" && echo secret >"$WORK/outside/passwd"
mkdir -p "$WORK/srv/objects"
ln -s "$WORK/outside" "$WORK/srv/objects/linkdir"
ln -s "$WORK/outside/passwd" "$WORK/srv/objects/linkfile"
before=$(srv_state)
for key in '../../etc/passwd' '%2e%2e/%2e%2e/etc/passwd' '..%2f..%2fetc%2fpasswd' '%c0%ae' '%c0%ae%c0%ae/x' \
           'a%00b' '%2fetc%2fpasswd' 'a//b' './a' 'linkdir/passwd' 'linkfile' 'a%5cb'; do
  for m in PUT GET DELETE; do
    code=$(curl -sS --path-as-is --max-time 10 -o "$WORK/body" -w '%{http_code}' -X $m --data-binary x "$URL/storage/objects/$key")
    if [[ $code == 400 || $code == 404 ]] && no_internal "$WORK/body"; then :; else
      not_ok "$m /storage/objects/$key: 400 or 404"; echo "# $code $(head -c 300 "$WORK/body")"; fi
  done
done
ok "object-key tricks all answer 400 or 404 with no internal path"
expect_eq "nothing outside the data directory read, written or deleted" "secret" "$(cat "$WORK/outside/passwd")"
expect_eq "... and nothing new inside it" "$before" "$(srv_state)"
code=$(curl -sS -o "$WORK/body" -w '%{http_code}' "$URL/storage/objects?prefix=linkdir/")
expect_eq "listing through a linked directory refused" 400 "$code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/health")
expect_eq "the server still serves /health" 200 "$code"
