# Security regressions (review findings): symlinks inside the data directory are never
# followed (object routes, start-up temp cleanup), reserved relation names and forged
# journal events are refused, /ingest/db is not a port scanner and does not hold the
# writer lock while connecting, and smaller promises (NUL bytes past 64 KiB, non-UTF-8
# object keys, FIFOs, sensitivity below a column's, header width, PDF bombs).
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
source "$LH_REPO/tests/pg_server.sh"
cd "$WORK"
trap 'srv_stop_all; pg_stop; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'

req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --path-as-is --max-time 60 -o "$WORK/body" -D "$WORK/hdrs" -w '%{http_code}' \
    -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
}
expect_code() { if [[ $CODE == "$2" ]] && { [[ -z ${3:-} ]] || grep -qiE -- "$3" "$WORK/body"; }; then ok "$1"
  else not_ok "$1"; echo "# expected $2 ${3:+/$3/}, got $CODE: $(head -c 400 "$WORK/body")"; fi; }

# ---- 1. symlinks --------------------------------------------------------------------------
OUT=$WORK/outside
mkdir -p "$OUT/dir" && echo secret >"$OUT/dir/secret.txt" && echo top >"$OUT/file.txt"
echo keep >"$OUT/dir/.tmp-keep"
"$LH" sql 'SELECT 1' >/dev/null 2>&1   # creates the data directory
mkdir -p "$LAKEHOUSE_DATA/objects" "$LAKEHOUSE_DATA/tables"
ln -s "$OUT/dir" "$LAKEHOUSE_DATA/objects/linkdir"
ln -s "$OUT/file.txt" "$LAKEHOUSE_DATA/objects/linkfile"
ln -s "$OUT/dir" "$LAKEHOUSE_DATA/tables/evil"
if srv_start A; then ok "server starts with links in the data directory"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL
expect_eq "start-up cleanup does not delete .tmp- files through tables/<link>" keep "$(cat "$OUT/dir/.tmp-keep" 2>/dev/null)"
req GET /storage/objects/linkdir/secret.txt
expect_code "GET through a linked directory refused" 400 "symbolic link"
req GET /storage/objects/linkfile
expect_code "GET of a linked file refused" 400 "symbolic link"
req GET "/storage/objects?prefix=linkdir/"
expect_code "listing a linked directory refused" 400 "symbolic link"
req GET "/storage/objects"
if [[ $CODE == 200 ]] && ! grep -q 'secret\|linkfile' "$WORK/body"; then ok "full listing shows nothing behind links"; else not_ok "full listing shows nothing behind links"; echo "# $(head -c 300 "$WORK/body")"; fi
req DELETE /storage/objects/linkdir/secret.txt
expect_code "DELETE through a linked directory refused" 400 "symbolic link"
req DELETE /storage/objects/linkfile
expect_code "DELETE of a linked file refused" 400 "symbolic link"
req PUT /storage/objects/linkdir/new.txt --data-binary x
expect_code "PUT through a linked directory refused" 400 "symbolic link"
expect_eq "nothing outside was read, changed or deleted" "secret top no" \
  "$(cat "$OUT/dir/secret.txt") $(cat "$OUT/file.txt") $([[ -e $OUT/dir/new.txt ]] && echo yes || echo no)"
if grep -q "$WORK" "$WORK/body"; then not_ok "errors name no filesystem path"; else ok "errors name no filesystem path"; fi

# ---- 4b. object keys must be UTF-8 --------------------------------------------------------
before=$(find "$LAKEHOUSE_DATA/objects" -type f | sort)
req PUT /storage/objects/%c0%ae --data-binary x
expect_code "PUT of a non-UTF-8 key is 400" 400 "UTF-8"
expect_eq "nothing stored for a non-UTF-8 key" "$before" "$(find "$LAKEHOUSE_DATA/objects" -type f | sort)"
req PUT /storage/objects/caf%c3%a9 --data-binary x
expect_code "PUT of a UTF-8 key still works" 201
req GET /storage/objects
if grep -q 'café' "$WORK/body"; then ok "UTF-8 key listed"; else not_ok "UTF-8 key listed"; fi

# ---- 2. reserved names and forged journal events ------------------------------------------
printf 'id,field\n1,erasure\n' >journal.csv
expect_fail "CLI ingest under the name 'journal' refused, naming it" "'journal' is reserved" "$LH" ingest journal.csv
expect_fail "CLI ingest --name journal refused" "'journal' is reserved" "$LH" ingest journal.csv --name journal
expect_fail "CLI ingest --name _x refused (leading '_')" "'_x' is reserved" "$LH" ingest journal.csv --name _x
expect_fail "CLI ingest --name __raw__x refused" "reserved" "$LH" ingest journal.csv --name __raw__x
req POST "/ingest/file?name=journal" -F file=@journal.csv
expect_code "HTTP ingest under the name 'journal' refused" 400 "'journal' is reserved"
req POST /catalog/datasets -H "$J" -d '{"name":"journal"}'
expect_code "dataset creation under 'journal' refused" 400 "'journal' is reserved"
req POST /journal/event -H "$J" -d '{"entity":"dataset","entity_id":"pay","field":"erasure","source":"compaction"}'
expect_code "POST /journal/event shaped like an erasure refused" 400 "reserved"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c1","field":"erasure"}'
expect_code "POST /journal/event with a system field refused" 400 "field 'erasure' is reserved"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c1","source":"compact"}'
expect_code "POST /journal/event with a system source refused" 400 "source 'compact' is reserved"
req POST /journal/update -H "$J" -d '{"entity":"dataset","entity_id":"pay","changes":{"erasure":{"new":1}}}'
expect_code "POST /journal/update shaped like a system event refused" 400 "reserved"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c1","field":"email","source":"crm"}'
expect_eq "a user event is stored marked as posted (source user:crm)" "201 user:crm" "$CODE $(jb 'd["event"]["source"]')"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c2","field":"email"}'
expect_eq "a user event without source is stored with source user" "201 user" "$CODE $(jb 'd["event"]["source"]')"
req GET "/journal/recent?limit=50"
expect_eq "/journal/recent holds no forged system event" "0" "$(jb 'sum(1 for e in d["events"] if e.get("field") == "erasure")')"
