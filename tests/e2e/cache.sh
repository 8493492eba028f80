# End to end: the hot cache over HTTP (pin, stats, evict, refresh on commit, LRU under a
# small budget, errors) and the `lakehouse cache` CLI against a running server.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'

req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --max-time 60 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
}
# q SQL [AS_OF_JSON]: CSV of one query (the body), or the error.
q() {
  local extra=${2:+,\"as_of\":$2}
  curl -sS --max-time 60 -XPOST -H "$J" "$URL/query/sql" \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"sql": sys.argv[1], "format": "csv"}))' "$1" | sed "s/}\$/$extra}/")"
}

# ---- data: people (300 rows) and pets (40 rows), ingested by the CLI before the server
{ echo "id,name,city,score"; for i in $(seq 1 300); do echo "$i,name$i,city$((i % 7)),$((i * 37 % 101))"; done; } > people.csv
{ echo "pet_id,owner_id,kind"; for i in $(seq 1 40); do echo "$i,$((i * 3)),kind$((i % 4))"; done; } > pets.csv
check "ingest people" "$LH" ingest people.csv
check "ingest pets" "$LH" ingest pets.csv

expect_fail "cache stats without a server says no server runs" "no lakehouse server is running.*lakehouse serve" \
  "$LH" cache stats
expect_fail "cache pin without a server says no server runs" "no lakehouse server is running" \
  "$LH" cache pin people

if srv_start A; then ok "server A starts"; else not_ok "server A starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL
A_PID=$SRV_PID

QUERIES=(
  "SELECT * FROM people ORDER BY id"
  "SELECT city, count(*) AS n, round(avg(score), 2) AS s FROM people GROUP BY city ORDER BY city"
  "SELECT p.city, count(*) AS n FROM people p JOIN pets t ON t.owner_id = p.id GROUP BY p.city ORDER BY p.city"
  "SELECT * FROM people WHERE id = 77"
  "SELECT count(*) FROM people WHERE name ILIKE '%me1%' OR city ILIKE '%y3'"
)
for i in "${!QUERIES[@]}"; do q "${QUERIES[$i]}" > "before.$i"; done

req GET /query/cache/stats
expect_eq "stats before any pin: nothing pinned" "200 0 0" "$CODE $(jb 'd["entries"], d["bytes"]')"
misses0=$(jb 'd["misses"]')

req POST /query/cache/pin -H "$J" -d '{"dataset":"people"}'
expect_eq "pin people: 200, pinned, 300 rows, bytes > 0" "200 True 300 True" \
  "$CODE $(jb 'd["pinned"], d["rows"], d["bytes"] > 0')"
PEOPLE_BYTES=$(jb 'd["bytes"]')
req POST /query/cache/pin -H "$J" -d '{"dataset":"people"}'
expect_eq "pinning again is fine (only marks it used)" "200 True" "$CODE $(jb 'd["pinned"]')"

same=yes
for i in "${!QUERIES[@]}"; do
  q "${QUERIES[$i]}" > "after.$i"
  cmp -s "before.$i" "after.$i" || { same=no; echo "# differs: ${QUERIES[$i]}"; diff "before.$i" "after.$i" | head -5; }
done
expect_eq "the five queries give identical results pinned and unpinned" yes "$same"
expect_eq "results are not empty" "300" "$(tail -n +2 before.0 | wc -l)"

req GET /query/cache/stats
expect_eq "stats: 1 entry, its bytes" "1 $PEOPLE_BYTES" "$(jb 'd["entries"], d["bytes"]')"
expect_eq "stats: five hits on people (one per query), one miss on pets (the join)" "5 1" \
  "$(jb '[x for x in d["datasets"] if x["dataset"]=="people"][0]["hits"], [x for x in d["datasets"] if x["dataset"]=="pets"][0]["misses"] - 1')"
expect_eq "total hits and misses add up" "5 $((misses0 + 1))" "$(jb 'd["hits"], d["misses"]')"

q "SELECT count(*) FROM people" '{"people":0}' > asof.csv
req GET /query/cache/stats
expect_eq "a time-travel read of a pinned dataset is a miss" "5" \
  "$(jb '[x for x in d["datasets"] if x["dataset"]=="people"][0]["hits"]')"
q "WITH people AS (SELECT 1 AS x) SELECT * FROM people" > /dev/null
req GET /query/cache/stats
expect_eq "a CTE named like a dataset is not a reference" "5 $((misses0 + 2))" "$(jb 'd["hits"], d["misses"]')"

# A commit to a pinned dataset is visible as soon as the write returns.
{ echo "id,name,city,score"; echo "301,late,city9,5"; } > people_more.csv
req POST /ingest/file -F "file=@people_more.csv" -F name=people
expect_eq "ingest into the pinned dataset" "200" "$CODE"
expect_eq "the new row is visible at once" $'count_star()\r\n301\r' "$(q "SELECT count(*) FROM people")"
expect_eq "the new row's values" $'name,city\r\nlate,city9\r' "$(q "SELECT name, city FROM people WHERE id = 301")"
req GET /query/cache/stats
expect_eq "still pinned, refreshed once, 301 rows" "True 1 301" \
  "$(jb '[(x["pinned"], x["refreshes"], x["rows"]) for x in d["datasets"] if x["dataset"]=="people"][0]')"
# ... and through the CLI's forwarded ingest, too
{ echo "id,name,city,score"; echo "302,later,city9,6"; } > people_more2.csv
check "cli ingest forwards to the server" "$LH" ingest people_more2.csv --name people
expect_eq "the CLI-ingested row is visible at once" $'count_star()\r\n302\r' "$(q "SELECT count(*) FROM people")"

# Concurrent readers during a refresh never fail.
( for i in $(seq 1 30); do q "SELECT count(*) FROM people" | tail -n 1; done > reads.txt ) &
RP=$!
{ echo "id,name,city,score"; echo "303,last,city9,7"; } > people_more3.csv
req POST /ingest/file -F "file=@people_more3.csv" -F name=people
wait $RP
expect_eq "reads during a refresh all answer 302 or 303" "" "$(grep -vE '^30[23]'$'\r''?$' reads.txt | head -3)"

# ---- errors
req POST /query/cache/pin -H "$J" -d '{"dataset":"nope"}'
expect_eq "pin of an unknown dataset: 404" "404 not_found" "$CODE $(jb 'd["error"]["code"]')"
req POST /query/cache/pin -H "$J" -d '{"name":"people"}'
expect_eq "pin with an unknown field: 400" "400 invalid_input" "$CODE $(jb 'd["error"]["code"]')"
req POST /query/cache/pin -H "$J" -d '{}'
expect_eq "pin without dataset: 400" "400 invalid_input" "$CODE $(jb 'd["error"]["code"]')"
req POST /query/cache/pin -H "$J" -d '{"dataset":7}'
expect_eq "pin with a non-string dataset: 400" "400 invalid_input" "$CODE $(jb 'd["error"]["code"]')"
req POST /query/cache/pin -H "$J" -d '{"dataset":'
expect_eq "pin with malformed JSON: 400" "400" "$CODE"
req POST /query/cache/pin -H "$J" -d '{"dataset":"../x"}'
expect_eq "pin with a bad name: 400" "400" "$CODE"
req POST /query/cache/evict -H "$J" -d '{"dataset":"pets"}'
expect_eq "evict of a dataset that is not pinned: 404" "404 not_found" "$CODE $(jb 'd["error"]["code"]')"
req POST /query/cache/evict -H "$J" -d '{"dataset":"nope"}'
expect_eq "evict of an unknown dataset: 404" "404" "$CODE"
req POST /catalog/datasets -H "$J" -d '{"name":"empty_one"}'
req POST /query/cache/pin -H "$J" -d '{"dataset":"empty_one"}'
expect_eq "pin of a dataset without data: 400" "400" "$CODE"
req GET /query/cache/pin
expect_eq "GET on the pin route: 405" "405" "$CODE"
expect_eq "gate: user SQL cannot read the copy directly" "403" \
  "$(curl -s -o /dev/null -w '%{http_code}' -XPOST -H "$J" "$URL/query/sql" -d '{"sql":"SELECT * FROM lh_cache.main.people"}')"

# ---- evict
req POST /query/cache/evict -H "$J" -d '{"dataset":"people"}'
expect_eq "evict people: 200, not pinned" "200 False 1" "$CODE $(jb 'd["pinned"], d["unpins"]')"
expect_eq "after evict the data reads the same" $'count_star()\r\n303\r' "$(q "SELECT count(*) FROM people")"
req GET /query/cache/stats
expect_eq "stats after evict: nothing pinned, 0 bytes" "0 0" "$(jb 'd["entries"], d["bytes"]')"

# ---- the CLI against the running server
check "cli: cache pin people" "$LH" cache pin people
expect_eq "cli: pin prints rows" "yes" "$(grep -q "pinned 'people': 303 rows" "$WORK/out" && echo yes || cat "$WORK/out")"
check "cli: cache stats --json" "$LH" cache stats --json
expect_eq "cli: stats shows the pin" "1" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"])' "$WORK/out")"
check "cli: cache stats (table)" "$LH" cache stats
expect_eq "cli: the table lists people as pinned" "yes" "$(grep -qE '^people +yes +303' "$WORK/out" && echo yes || cat "$WORK/out")"
check "cli: cache evict people" "$LH" cache evict people
expect_fail "cli: evict again fails: not pinned" "not pinned" "$LH" cache evict people
expect_fail "cli: pin of an unknown dataset fails" "no dataset named" "$LH" cache pin nope
expect_fail "cli: cache without a verb is a usage error" "expected pin NAME" "$LH" cache
srv_stop "$A_PID"
expect_eq "server A exits 0" 0 "$SRV_RC"

# ---- LRU eviction under a small budget: room for people, not for people and pets
BUDGET=$((PEOPLE_BYTES + PEOPLE_BYTES / 2))
if srv_start B LAKEHOUSE_CACHE_MAX_BYTES=$BUDGET; then ok "server B starts with a small cache"
else not_ok "server B starts"; echo "# $(head -c 600 "$WORK/B.err")"; exit 1; fi
URL=$SRV_URL
req GET /query/cache/stats
expect_eq "max_bytes comes from LAKEHOUSE_CACHE_MAX_BYTES" "$BUDGET" "$(jb 'd["max_bytes"]')"
req POST /query/cache/pin -H "$J" -d '{"dataset":"pets"}'
req POST /query/cache/pin -H "$J" -d '{"dataset":"people"}'
expect_eq "pin people after pets: 200" "200" "$CODE"
req GET /query/cache/stats
expect_eq "the least recently used (pets) was evicted" "1 False 1 True" \
  "$(jb 'd["evictions"], [x["pinned"] for x in d["datasets"] if x["dataset"]=="pets"][0], d["entries"], [x["pinned"] for x in d["datasets"] if x["dataset"]=="people"][0]')"
expect_eq "bytes stay within the budget" "True" "$(jb 'd["bytes"] <= d["max_bytes"]')"
expect_eq "the evicted dataset still answers" $'count_star()\r\n40\r' "$(q "SELECT count(*) FROM pets")"
srv_stop "$SRV_PID"

if srv_start C LAKEHOUSE_CACHE_MAX_BYTES=1000; then
  URL=$SRV_URL
  req POST /query/cache/pin -H "$J" -d '{"dataset":"people"}'
  expect_eq "a dataset bigger than the whole budget: 413" "413 too_large" "$CODE $(jb 'd["error"]["code"]')"
  req GET /query/cache/stats
  expect_eq "and nothing stays pinned" "0 0" "$(jb 'd["entries"], d["bytes"]')"
  expect_eq "its queries still work" $'count_star()\r\n303\r' "$(q "SELECT count(*) FROM people")"
  srv_stop "$SRV_PID"
else not_ok "server C starts"; fi
