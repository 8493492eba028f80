# End to end over HTTP: the event journal's routes (src/api/api_journal.c) against a real
# `lakehouse serve`: events and updates with their validation, history and recent, stats,
# flush, the SQL relation `journal`, events recorded by ingest and metadata edits, the
# timed flush, the flush at SIGTERM, and acknowledged events surviving kill -9.
# http_api.sh's route-coverage check reads the `covers` lines of this file.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'

covers() { :; }

req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --path-as-is --max-time 30 -o "$WORK/body" -D "$WORK/hdrs" -w '%{http_code}' \
    -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
}

expect_err() {
  local what=$1 st=$2 code=$3 pat=${4:-} got
  got="$CODE $(jb 'd["error"]["code"]')"
  if [[ $got == "$st $code" ]] && { [[ -z $pat ]] || grep -qE -- "$pat" "$WORK/body"; }; then ok "$what"
  else not_ok "$what"; echo "# expected: $st $code ${pat:+/$pat/}"; echo "# actual:   $CODE $(head -c 400 "$WORK/body")"; fi
}

parquet_files() { ls "$1/_journal" 2>/dev/null | grep -c '^events-.*\.parquet$'; }
wal_bytes() { cat "$1"/_journal/wal-*.jsonl 2>/dev/null | wc -c; }

# ---- server A: timer off (10 minutes), so that only our flushes and shutdown flush ----
export LAKEHOUSE_JOURNAL_FLUSH_INTERVAL_MS=600000
if srv_start A; then ok "server A starts"; else not_ok "server A starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL A_PID=$SRV_PID

req GET /journal/stats
expect_eq "GET /journal/stats on a fresh directory" "200 0 0 0 0 None 600000 10000" \
  "$CODE $(jb 'd["events"], d["buffered"], d["files"], d["bytes"], d["last_flush"], d["flush_interval_ms"], d["flush_events"]')"
covers "GET /journal/stats"

req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c-1","field":"email","old_value":"a@x.org","new_value":"b@x.org","source":"crm","workspace":"sales"}'
expect_eq "POST /journal/event: 201 with the stored event" "201 customer c-1 email a@x.org b@x.org user:crm sales anonymous" \
  "$CODE $(jb 'tuple(d["event"][k] for k in ("entity", "entity_id", "field", "old_value", "new_value", "source", "workspace", "actor"))')"
covers "POST /journal/event"
trace=$(hdr traceparent | cut -d- -f2)
expect_eq "... its trace_id is the request's trace id" "$trace" "$(jb 'd["event"]["trace_id"]')"
expect_eq "... id is a UUIDv7 and ts is RFC 3339 UTC" "yes yes" \
  "$([[ $(jb 'd["event"]["id"]') =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] && echo yes) $([[ $(jb 'd["event"]["ts"]') =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$ ]] && echo yes)"
req POST /journal/event -H "$J" -H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' \
  -d '{"entity":"customer","entity_id":"c-1","field":"tier","old_value":1,"new_value":{"level":2}}'
expect_eq "an incoming traceparent's trace id is recorded; non-string values as JSON text" \
  "201 0af7651916cd43dd8448eb211c80319c 1 {\"level\":2}" \
  "$CODE $(jb 'd["event"]["trace_id"], d["event"]["old_value"], d["event"]["new_value"]')"
req POST /journal/event -H "$J" -d '{"entity":"customer"}'
expect_err "POST /journal/event without entity_id: 400" 400 invalid_input "missing field 'entity_id'"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c-1","actor":"mallory"}'
expect_err "POST /journal/event: actor comes from the request, not the body" 400 invalid_input "unknown field 'actor'"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":"c-1","colour":"red"}'
expect_err "POST /journal/event: unknown field: 400" 400 invalid_input "unknown field 'colour'"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":7}'
expect_err "POST /journal/event: a number as entity_id: 400" 400 invalid_input "'entity_id' must be a string"
req POST /journal/event -H "$J" -d '{"entity":"customer","entity_id":""}'
expect_err "POST /journal/event: an empty entity_id: 400" 400 invalid_input "is required"
req POST /journal/event -H "$J" -d '{"entity":'
expect_err "POST /journal/event: malformed JSON: 400" 400 invalid_json
req POST /journal/event -d 'entity=x'
expect_err "POST /journal/event: a form body: 415" 415 unsupported_media_type

req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2","changes":{"name":{"old":"Ann","new":"Anne"},"city":{"new":"Oslo"}},"source":"form"}'
expect_eq "POST /journal/update: one event per field" "201 2 name Ann Anne city None Oslo user:form user:form" \
  "$CODE $(jb '(d["count"],) + tuple(d["events"][i][k] for i in (0, 1) for k in ("field", "old_value", "new_value")) + (d["events"][0]["source"], d["events"][1]["source"])')"
covers "POST /journal/update"
req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2"}'
expect_err "POST /journal/update without changes: 400" 400 invalid_input "'changes' must be a non-empty object"
req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2","changes":{}}'
expect_err "POST /journal/update with empty changes: 400" 400 invalid_input "non-empty"
req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2","changes":{"name":{"older":"x"}}}'
expect_err "POST /journal/update: a change with other keys: 400" 400 invalid_input "changes.name must be an object with only 'old' and 'new'"
req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2","changes":{"name":"Anne"}}'
expect_err "POST /journal/update: a change that is not an object: 400" 400 invalid_input "changes.name"
req POST /journal/update -H "$J" -d '{"entity":"customer","entity_id":"c-2","changes":{"a":{"new":1}},"field":"x"}'
expect_err "POST /journal/update: unknown field: 400" 400 invalid_input "unknown field 'field'"
req POST /journal/update -H "$J" -d '{"entity_id":"c-2","changes":{"a":{"new":1}}}'
expect_err "POST /journal/update without entity: 400" 400 invalid_input "missing field 'entity'"

req GET /journal/history/c-1
expect_eq "GET /journal/history/c-1: oldest first" "200 c-1 2 email tier" \
  "$CODE $(jb 'd["entity_id"], d["count"], d["events"][0]["field"], d["events"][1]["field"]')"
covers "GET /journal/history/{entity_id}"
req GET /journal/history/nobody
expect_eq "GET /journal/history of an unknown entity: empty" "200 0" "$CODE $(jb 'd["count"]')"
req GET "/journal/history/it's%20a%20'quote"
expect_eq "GET /journal/history with quotes in the id (no SQL injection)" "200 0" "$CODE $(jb 'd["count"]')"

req GET "/journal/recent?limit=2"
expect_eq "GET /journal/recent?limit=2: newest first" "200 2 city name" \
  "$CODE $(jb 'd["count"], d["events"][0]["field"], d["events"][1]["field"]')"
covers "GET /journal/recent"
req GET /journal/recent
expect_eq "GET /journal/recent: default limit covers all 4" "200 4" "$CODE $(jb 'd["count"]')"
for bad in 0 10001 abc -1 ''; do
  req GET "/journal/recent?limit=$bad"
  expect_err "GET /journal/recent?limit=$bad: 400" 400 invalid_input "limit must be"
done
req GET "/journal/recent?limit=10000"
expect_eq "GET /journal/recent?limit=10000 is allowed" 200 "$CODE"

# writes elsewhere are journalled: ingest and metadata edits
printf 'id,v\n1,a\n' > a.csv
printf 'id,v\n2,b\n' > b.csv
req POST /ingest/file -F "file=@a.csv" -F name=things
req POST /ingest/file -F "file=@b.csv" -F name=things
req PATCH /catalog/datasets/by-name/things/metadata -H "$J" -d '{"owner":"ops","description":"stuff"}'
req GET /journal/history/things
expect_eq "ingests and metadata edits are journalled" \
  "200 4 version/None/0 version/0/1 description//stuff owner//ops anonymous" \
  "$CODE $(jb '(d["count"],) + tuple("%s/%s/%s" % (x["field"], x["old_value"], x["new_value"]) for x in d["events"]) + (d["events"][2]["actor"],)')"

req GET /journal/stats
expect_eq "stats: 8 events, all buffered, no files yet" "200 8 8 0 0" \
  "$CODE $(jb 'd["events"], d["buffered"], d["flushed"], d["files"]')"
expect_eq "... and no Parquet file on disk" 0 "$(parquet_files "$LAKEHOUSE_DATA")"

req POST /query/sql -H "$J" -d '{"sql":"SELECT count(*) AS n, count(DISTINCT id) AS ids FROM journal","format":"csv"}'
expect_eq "SQL: the relation journal includes buffered events" "200 n,ids 8,8" "$CODE $(tr -d '\r' < "$WORK/body" | tr '\n' ' ' | sed 's/ $//')"

req POST /journal/flush -H "$J" -d '{"now":true}'
expect_err "POST /journal/flush: unknown field: 400" 400 invalid_input "unknown field 'now'"
req POST /journal/flush
expect_eq "POST /journal/flush: 8 flushed into one file" "200 8 0 8 1" \
  "$CODE $(jb 'd["flushed"], d["stats"]["buffered"], d["stats"]["flushed"], d["stats"]["files"]')"
covers "POST /journal/flush"
expect_eq "... one Parquet file under _journal/, the WAL empty" "1 0" "$(parquet_files "$LAKEHOUSE_DATA") $(wal_bytes "$LAKEHOUSE_DATA")"
req POST /journal/flush -H "$J" -d '{}'
expect_eq "POST /journal/flush again: nothing to flush" "200 0 1" "$CODE $(jb 'd["flushed"], d["stats"]["files"]')"
req GET /journal/stats
expect_eq "stats after the flush: bytes and last_flush" "200 yes yes" \
  "$CODE $(jb '"yes" if d["bytes"] > 0 else "no", "yes" if d["last_flush"] else "no"')"
req POST /query/sql -H "$J" -d '{"sql":"SELECT entity_id, field FROM journal WHERE entity = '"'"'customer'"'"' ORDER BY ts, id","format":"csv"}'
expect_eq "SQL over the flushed journal" "200 entity_id,field c-1,email c-1,tier c-2,name c-2,city" \
  "$CODE $(tr -d '\r' < "$WORK/body" | tr '\n' ' ' | sed 's/ $//')"
req GET /journal/history/c-2
expect_eq "history reads the Parquet files" "200 2" "$CODE $(jb 'd["count"]')"

# ---- SIGTERM flushes: events posted just before it end up in Parquet ----
for i in 1 2 3; do
  req POST /journal/event -H "$J" -d "{\"entity\":\"session\",\"entity_id\":\"bye\",\"field\":\"n\",\"new_value\":$i}"
done
req GET /journal/stats
expect_eq "3 events buffered before SIGTERM" "200 3 1" "$CODE $(jb 'd["buffered"], d["files"]')"
srv_stop "$A_PID"
expect_eq "server A exits 0 on SIGTERM" 0 "$SRV_RC"
expect_eq "... after writing them to a second Parquet file; the WAL is empty" "2 0" \
  "$(parquet_files "$LAKEHOUSE_DATA") $(wal_bytes "$LAKEHOUSE_DATA")"
expect_eq "... and SQL reads them from Parquet" "3" "$(sql "SELECT count(*) FROM journal WHERE entity_id = 'bye'")"

# ---- kill -9: acknowledged events come back from the WAL ----
if srv_start A2; then
  URL=$SRV_URL
  req GET /journal/stats
  expect_eq "a restarted server counts what is on disk" "200 11 0 11 2" \
    "$CODE $(jb 'd["events"], d["buffered"], d["flushed"], d["files"]')"
  for i in 1 2 3 4 5; do
    req POST /journal/event -H "$J" -d "{\"entity\":\"order\",\"entity_id\":\"o-9\",\"new_value\":$i}"
  done
  srv_stop "$SRV_PID" KILL
  if srv_start A3; then
    URL=$SRV_URL
    req GET /journal/stats
    expect_eq "after kill -9: the 5 acknowledged events are buffered again" "200 5 16" \
      "$CODE $(jb 'd["buffered"], d["events"]')"
    req GET /journal/history/o-9
    expect_eq "... in order" "200 1 2 3 4 5" "$CODE $(jb 'tuple(e["new_value"] for e in d["events"])')"
    srv_stop "$SRV_PID"
  else not_ok "server A3 starts after kill -9"; fi
else not_ok "server A2 starts"; fi

# ---- the timer: a short interval flushes on its own ----
if srv_start T LAKEHOUSE_DATA="$WORK/dataT" LAKEHOUSE_JOURNAL_FLUSH_INTERVAL_MS=200; then
  URL=$SRV_URL
  req POST /journal/event -H "$J" -d '{"entity":"x","entity_id":"tick"}'
  for _ in $(seq 50); do [[ $(parquet_files "$WORK/dataT") -ge 1 ]] && break; sleep 0.1; done
  req GET /journal/stats
  expect_eq "flush_interval_ms=200: the event is flushed without asking" "200 0 1 200" \
    "$CODE $(jb 'd["buffered"], d["flushed"], d["flush_interval_ms"]')"
  srv_stop "$SRV_PID"
else not_ok "server T starts"; fi

# ---- by size: flush_events=3 ----
if srv_start S LAKEHOUSE_DATA="$WORK/dataS" LAKEHOUSE_JOURNAL_FLUSH_EVENTS=3; then
  URL=$SRV_URL
  req POST /journal/update -H "$J" -d '{"entity":"x","entity_id":"big","changes":{"a":{"new":1},"b":{"new":2},"c":{"new":3},"d":{"new":4}}}'
  req GET /journal/stats
  expect_eq "flush_events=3: an update of 4 fields flushes at once" "200 0 4 1" \
    "$CODE $(jb 'd["buffered"], d["flushed"], d["files"]')"
  srv_stop "$SRV_PID"
else not_ok "server S starts"; fi
