# Erasure and staleness reach the vector indexes (issue 14, item 7): a tombstoned key's
# chunks, vectors and words leave every file under _vectors/ after compaction + vacuum
# (scanned with an independent DuckDB reader and by grepping the raw bytes, model files
# included); an ingest marks the dataset's indexes stale; a refresh embeds only the new or
# changed rows (counts checked against the table, the untouched rows' vectors byte for
# byte), drops rows gone, clears stale_since and journals itself; a dataset without an index
# answers 404 saying how to make one; the server refreshes on_append and every_seconds
# indexes by itself (polled by the answer, not by time).
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
J='Content-Type: application/json'
covers() { :; } # http_api.sh's route coverage reads these lines

req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --max-time 120 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
}

IDX=$LAKEHOUSE_DATA/_vectors
ERASED=cand-erase-7731
NAME=Zyxwolski # a word only the erased person's text has (in several chunks: LSA keeps it)

# 40 people whose bios share a small vocabulary, and one with a name of their own.
/usr/bin/python3 - <<'PY'
import csv, random
random.seed(7)
words = ("nurse engineer kubernetes payments migration cardiology reliability platform python "
         "sql data pipeline teaching chemistry finance audit logistics warehouse driver sales "
         "marketing").split()
def text(n): return " ".join(random.choice(words) for _ in range(n))
rows = [("c%03d" % i, text(60) + ". " + text(40) + ".") for i in range(40)]
rows.append(("cand-erase-7731", "Zyxwolski led the payments migration. " + text(50) +
             ". Zyxwolski also ran kubernetes clusters and Zyxwolski trained engineers."))
rows.append(("cand-erase-8842", "Quorvath audited the warehouse. " + text(50) + ". Quorvath again."))
with open("people.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "bio"]); w.writerows(rows)
with open("other.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "note"]); w.writerow(["o1", "no index here"])
PY
check "ingest people" "$LH" ingest people.csv --name people
check "ingest other (a dataset without an index)" "$LH" ingest other.csv --name other
check "index people.bio (small chunks: the erased text is several chunks)" \
  "$LH" vectors index people --text bio --key id --chunk-size 200 --chunk-overlap 20

have_ref=no
build_duckref "$WORK/duckref" && have_ref=yes
P="read_parquet('$IDX/people_bio/*.parquet')"
ref() { "$WORK/duckref" "$@"; }
# every file under _vectors/ whose raw bytes hold a string (case-insensitive: the model
# files keep lowercased words)
holders() { grep -rlai -- "$1" "$IDX" 2>/dev/null | sed "s|^$IDX/||" | sort | tr '\n' ' '; }
# chunks of key in the live index table (the Delta log's files, via lakehouse's reader of
# the table: plain DuckDB over the files the latest version names)
live_files() { /usr/bin/python3 - "$IDX/people_bio" <<'PY'
import json, os, sys
d = sys.argv[1]; live = {}
for f in sorted(os.listdir(d + "/_delta_log")):
    if not f.endswith(".json"): continue
    for line in open(d + "/_delta_log/" + f):
        a = json.loads(line)
        if "add" in a: live[a["add"]["path"]] = 1
        if "remove" in a: live.pop(a["remove"]["path"], None)
print("[" + ",".join("'%s/%s'" % (d, p) for p in sorted(live)) + "]")
PY
}
T() { echo "read_parquet($(live_files))"; }

# ---- erasure: tombstone -> compact --erase-now -> gone from every file under _vectors/ ---
# (a key inside Snappy pages may be stored as a back-reference, so the raw bytes show the
# name before, and DuckDB the key; after, both are checked both ways)
expect_eq "before: the erased name is in the raw bytes of the table, lsa.bin and bm25.bin" yes \
  "$([[ $(holders "$NAME") == *.parquet* && $(holders "$NAME") == *model/bm25.bin* && $(holders "$NAME") == *model/lsa.bin* ]] && echo yes || echo "no: $(holders "$NAME")")"
if [[ $have_ref == yes ]]; then
  CH_ERASED=$(ref "SELECT count(*) FROM $(T) WHERE key = '$ERASED'")
  expect_eq "before: the erased key has several chunks in the index" yes "$([[ $CH_ERASED -ge 2 ]] && echo yes || echo "$CH_ERASED")"
fi
check "tombstone the key" "$LH" delete people --key id "$ERASED"
"$LH" compact people --erase-now --json >"$WORK/body" 2>"$WORK/err"
expect_eq "compact --erase-now reports the index's erasure" \
  "people_bio ${CH_ERASED:-?} 1 True" \
  "$(jb 'd["vectors"][0]["index"], d["vectors"][0]["chunks_removed"], d["vectors"][0]["keys_removed"], d["vectors"][0]["bm25_rebuilt"]')"
expect_eq "the LSA vocabulary lost the erased name" yes "$(jb '"yes" if d["vectors"][0]["lsa_terms_dropped"] >= 1 else d["vectors"][0]')"
expect_eq "after compact + vacuum no file under _vectors/ holds the key" "" "$(holders "$ERASED")"
expect_eq "nor the erased person's name (Parquet, model/lsa.bin, model/bm25.bin, log)" "" "$(holders "$NAME")"
if [[ $have_ref == yes ]]; then
  expect_eq "DuckDB over every Parquet file under _vectors/: no chunk of the key, no text of it" "0" \
    "$(ref "SELECT count(*) FROM read_parquet('$IDX/**/*.parquet', union_by_name = true) WHERE key = '$ERASED' OR chunk_text ILIKE '%$NAME%' OR chunk_id LIKE '$ERASED/%'")"
  "$LH" vectors show people_bio --json >"$WORK/body"
  CHUNKS=$(jb 'd["chunks"]')
  out=$(python3 "$SHARED/tools/delta_check.py" "$IDX/people_bio" "$WORK/duckref" 2>&1)
  expect_eq "the rewritten index is still a Delta table a foreign checker accepts, chunks = registry" "ok $CHUNKS" "$out"
  expect_eq "registry: rows and bm25_table_version follow the erasure" "41 1 1" \
    "$(jb 'd["rows"], d["table_version"], d["files"]["bm25_table_version"]')"
fi

# the same through compact and a later vacuum (the dataset's vacuum path deletes the old file)
check "tombstone a second key" "$LH" delete people --key id cand-erase-8842
check "compact (no erase-now)" bash -c '"$0" compact people --json >"$1"' "$LH" "$WORK/compact2.json"
expect_eq "compact reports the index file that holds the key until vacuum" 1 \
  "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["vectors"][0]["old_files_until_vacuum"])' <"$WORK/compact2.json")"
expect_eq "until vacuum, the index's old file still holds the second key" yes \
  "$([[ $(holders cand-erase-8842) == *.parquet* ]] && echo yes || echo "no: $(holders cand-erase-8842)")"
expect_eq "but the live index and its model files do not" yes \
  "$([[ $(holders Quorvath) != *model/* ]] && echo yes || echo "no: $(holders Quorvath)")"
"$LH" vacuum people --retention-hours 0 --json >"$WORK/body"
expect_eq "vacuum reports the index table's deleted file" "1 1" "$(jb 'd["vectors"]["indexes"], d["vectors"]["files_deleted"]')"
expect_eq "after vacuum no file under _vectors/ holds the second key or its name" "|" \
  "$(holders cand-erase-8842)|$(holders Quorvath)"

# a compaction killed after the index's rewritten file is in place, before its commit: the
# tombstones stay (the key stays hidden), and the next compaction finishes the erasure; the
# orphan file and a temp file left in the index directory are cleaned up
printf 'id,bio\ncrash9001,"Vexmoranth worked nights. Vexmoranth again, in a second sentence that is long enough to be its own chunk of text."\n' >crash.csv
check "ingest a row to erase under a crash" "$LH" ingest crash.csv --name people
check "refresh it into the index" "$LH" vectors refresh people
expect_eq "its name is in the index" yes "$([[ $(holders Vexmoranth) == *.parquet* ]] && echo yes)"
check "tombstone it" "$LH" delete people --key id crash9001
LAKEHOUSE_FAULT=vector.erase_before_commit "$LH" compact people >"$WORK/out" 2>"$WORK/err"
expect_eq "compact killed at vector.erase_before_commit" "137 yes" \
  "$? $(grep -q 'fault point vector.erase_before_commit' "$WORK/err" && echo yes)"
expect_eq "the tombstone survived the crash (the key is still hidden)" "1 0" \
  "$(grep -c crash9001 "$LAKEHOUSE_DATA/_catalog/tombstones/people.jsonl") $(sql "SELECT count(*) FROM people WHERE id = 'crash9001'")"
: >"$IDX/people_bio/.tmp-left-by-a-killed-writer.parquet"
"$LH" compact people --erase-now --json >"$WORK/body" 2>"$WORK/err"
expect_eq "the next compaction erases it from the index" "people_bio yes" \
  "$(jb 'd["vectors"][0]["index"], "yes" if d["vectors"][0]["chunks_removed"] >= 1 else d')"
expect_eq "no file under _vectors/ holds it, the orphan and the temp file are gone" "||no" \
  "$(holders crash9001)|$(holders Vexmoranth)|$([[ -e $IDX/people_bio/.tmp-left-by-a-killed-writer.parquet ]] && echo yes || echo no)"

# ---- staleness and refresh (CLI) -------------------------------------------------------------
if [[ $have_ref == yes ]]; then
  ref "SELECT chunk_id, md5(vector::VARCHAR) FROM $(T) WHERE key NOT IN ('c005', 'c007') ORDER BY chunk_id" >"$WORK/vec.before"
  CH_C005=$(ref "SELECT count(*) FROM $(T) WHERE key = 'c005'")
  CH_C007=$(ref "SELECT count(*) FROM $(T) WHERE key = 'c007'")
fi
expect_eq "nothing stale after the build" "no stale index" "$("$LH" vectors stale)"
printf 'id,bio\nn001,"A brand new nurse in cardiology with python skills and a long story about data pipelines. She taught chemistry for years. Then finance audits came, and the story goes on past one chunk of two hundred characters: warehouse logistics, sales, marketing, and a payments migration."\nn002,"Warehouse logistics driver, sales."\nc005,"Changed text for c005: finance audit chemistry teacher."\n' >add.csv
check "append two new rows and a new version of c005" "$LH" ingest add.csv --name people
"$LH" vectors stale --json >"$WORK/body"
expect_eq "the append made the index stale (stale_since, the version it was embedded from)" "people_bio people yes manual" \
  "$(jb 'd[0]["name"], d[0]["source"]["dataset"], "yes" if d[0]["stale_since"].endswith("Z") else d, d[0]["refresh"]')"
check "tombstone c007 (a row gone from the source)" "$LH" delete people --key id c007
"$LH" vectors refresh people --json >"$WORK/body" 2>"$WORK/err"
expect_eq "refresh: 2 new, 1 changed, 1 removed, committed" "2 1 1 True" \
  "$(jb 'd[0]["rows_new"], d[0]["rows_changed"], d[0]["rows_removed"], d[0]["committed"]')"
if [[ $have_ref == yes ]]; then
  EMB=$(jb 'd[0]["chunks_embedded"]')
  expect_eq "chunks embedded = the chunks the index now holds for the new and changed keys" \
    "$EMB" "$(ref "SELECT count(*) FROM $(T) WHERE key IN ('n001', 'n002', 'c005')")"
  expect_eq "chunks removed = the old chunks of c005 and c007" "$((CH_C005 + CH_C007))" "$(jb 'd[0]["chunks_removed"]')"
  expect_eq "the new row of several chunks is in" yes "$([[ $(ref "SELECT count(*) FROM $(T) WHERE key = 'n001'") -ge 2 ]] && echo yes)"
  expect_eq "c007 is gone from the index" "0" "$(ref "SELECT count(*) FROM $(T) WHERE key = 'c007'")"
  expect_eq "c005 holds both of its rows' texts now" "1" \
    "$(ref "SELECT count(*) > 0 FROM $(T) WHERE key = 'c005' AND chunk_text LIKE 'Changed text%'" | sed 's/true/1/')"
  ref "SELECT chunk_id, md5(vector::VARCHAR) FROM $(T) WHERE key NOT IN ('c005', 'c007', 'n001', 'n002') ORDER BY chunk_id" >"$WORK/vec.after"
  expect_eq "every untouched row's vectors are byte-identical" "$(sha256sum <"$WORK/vec.before" | cut -c1-64) $(wc -l <"$WORK/vec.before")" \
    "$(sha256sum <"$WORK/vec.after" | cut -c1-64) $(wc -l <"$WORK/vec.after")"
  "$LH" vectors show people_bio --json >"$WORK/body"
  out=$(python3 "$SHARED/tools/delta_check.py" "$IDX/people_bio" "$WORK/duckref" 2>&1)
  expect_eq "after refresh: a valid Delta table whose count is the registry's chunks" "ok $(jb 'd["chunks"]')" "$out"
  expect_eq "registry: stale_since cleared, source version = the dataset's, bm25 covers the table" \
    "None yes" "$(jb 'd["stale_since"], "yes" if d["files"]["bm25_table_version"] == d["table_version"] else d')"
fi
expect_eq "nothing stale after the refresh" "no stale index" "$("$LH" vectors stale)"
"$LH" vectors refresh people_bio --json >"$WORK/body"
expect_eq "a second refresh (by index name) changes nothing" "False 0 0" \
  "$(jb 'd[0]["committed"], d[0]["chunks_embedded"], d[0]["chunks_removed"]')"

# bad input: one line, nothing changed
before=$(data_state)
expect_fail "refresh of a dataset without an index: says how to create one" \
  "dataset 'other' has no vector index.*lakehouse vectors index other" "$LH" vectors refresh other
expect_fail "refresh of an unknown name" "no dataset or vector index named 'nope'" "$LH" vectors refresh nope
expect_fail "a bad refresh policy" "refresh must be" "$LH" vectors policy people_bio sometimes
expect_fail "a policy for an unknown index" "no vector index named 'nope'" "$LH" vectors policy nope manual
expect_eq "the bad inputs changed nothing" "$before" "$(data_state)"

# ---- the server --------------------------------------------------------------------------------
if srv_start S; then ok "server starts"
  URL=$SRV_URL
  req POST /vectors/refresh/other
  expect_eq "POST /vectors/refresh of a dataset without an index: 404 saying how" "404 yes" \
    "$CODE $(jb '"yes" if "POST /vectors/index" in d["error"]["message"] else d')"
  covers "POST /vectors/refresh/{dataset}"
  req POST /vectors/refresh/nope
  expect_eq "POST /vectors/refresh of an unknown dataset: 404" 404 "$CODE"
  req PUT /vectors/indexes/people_bio/refresh -H "$J" -d '{"refresh":"sometimes"}'
  expect_eq "PUT a bad policy: 400" "400 invalid_input" "$CODE $(jb 'd["error"]["code"]')"
  req PUT /vectors/indexes/people_bio/refresh -H "$J" -d '{"refresh":"on_append"}'
  expect_eq "PUT /vectors/indexes/{name}/refresh on_append" "200 on_append" "$CODE $(jb 'd["refresh"]')"
  covers "PUT /vectors/indexes/{name}/refresh"
  printf 'id,bio\nn003,"Server side append: a payments engineer who knows kubernetes."\n' >add2.csv
  req POST /ingest/file -F "file=@add2.csv" -F name=people
  expect_eq "ingest through the server" 200 "$CODE"
  # on_append: the server's refresher embeds the new row by itself; poll until it has
  for ((i = 0; i < 600; i++)); do
    req GET /vectors/stale
    [[ $CODE == 200 && $(jb 'len(d["indexes"])') == 0 ]] && [[ $(holders n003) == *.parquet* ]] && break
    sleep 0.1
  done
  covers "GET /vectors/stale"
  expect_eq "on_append: the new row reached the index without a refresh call" "200 0 yes" \
    "$CODE $(jb 'len(d["indexes"])') $([[ $(holders n003) == *.parquet* ]] && echo yes)"
  req GET /journal/history/people_bio
  expect_eq "the journal has the refreshes of the index" yes \
    "$(jb '"yes" if sum(1 for e in d["events"] if e["field"] == "refresh") >= 1 else d')"
  # every_seconds: stale after an ingest, then refreshed by the period
  req PUT /vectors/indexes/people_bio/refresh -H "$J" -d '{"refresh":{"every_seconds":1}}'
  expect_eq "PUT every_seconds" "200 1" "$CODE $(jb 'd["refresh"]["every_seconds"]')"
  printf 'id,bio\nn004,"Scheduled refresh row about cardiology nursing."\n' >add3.csv
  req POST /ingest/file -F "file=@add3.csv" -F name=people
  for ((i = 0; i < 600; i++)); do
    req GET /vectors/stale
    [[ $CODE == 200 && $(jb 'len(d["indexes"])') == 0 ]] && [[ $(holders n004) == *.parquet* ]] && break
    sleep 0.1
  done
  expect_eq "every_seconds: the stale index was refreshed by the server" "200 0 yes" \
    "$CODE $(jb 'len(d["indexes"])') $([[ $(holders n004) == *.parquet* ]] && echo yes)"
  # manual through the route: counts of a refresh with nothing to do, then one with a row
  req PUT /vectors/indexes/people_bio/refresh -H "$J" -d '{"refresh":"manual"}'
  printf 'id,bio\nn005,"Manual refresh row."\n' >add4.csv
  req POST /ingest/file -F "file=@add4.csv" -F name=people
  req GET /vectors/stale
  expect_eq "manual: the ingest leaves the index stale" "1 people_bio" "$(jb 'len(d["indexes"]), d["indexes"][0]["name"]')"
  req POST /vectors/refresh/people
  expect_eq "POST /vectors/refresh/people embeds the one new row" "200 people 1 0 0 1" \
    "$CODE $(jb 'd["dataset"], d["refreshed"][0]["rows_new"], d["refreshed"][0]["rows_changed"], d["refreshed"][0]["rows_removed"], d["refreshed"][0]["chunks_embedded"]')"
  # erasure through the server
  req POST /catalog/datasets/by-name/people/tombstone -H "$J" -d '{"row_key_column":"id","row_key_values":["n003"]}'
  req POST /query/compact -H "$J" -d '{"dataset":"people","erase_now":true}'
  expect_eq "server compact --erase-now: the index lost n003's chunks" "200 yes" \
    "$CODE $(jb '"yes" if d["vectors"][0]["chunks_removed"] >= 1 else d')"
  expect_eq "no file under _vectors/ holds n003 after the server's compact + vacuum" "" "$(holders n003)"
  srv_stop "$SRV_PID"
  expect_eq "the server stops cleanly (refresher joined)" 0 "$SRV_RC"
else not_ok "server starts"; echo "# $(head -c 600 "$WORK/S.err")"; fi
