# Vector index builds end to end (issue 14, items 2, 3 and 5): the CLI's foreground build
# on a small demo, the Delta table checked by the foreign checker and by plain DuckDB, the
# registry entry, two indexes on one source, bad inputs (a clear one-line error, nothing
# written), the server's jobs (202, list, get), a server SIGKILLed mid-job (fault point
# after a batch file is renamed in place but before its checkpoint) that resumes at restart
# with no chunk twice and none missing, cancel (a test-only pause file holds the job
# between batches: no sleeps), drop, journal events.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
J='Content-Type: application/json'
# `covers "METHOD /path"` marks the routes this suite tests (tests/e2e/http_api.sh counts them)
covers() { :; }

req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --max-time 60 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
}

# wait_job ID: polls the job until it is no longer queued/running (bounded by count, not time
# assumptions: each poll waits for the server's answer). Leaves the job in $WORK/body.
wait_job() {
  local i st
  for ((i = 0; i < 3000; i++)); do
    req GET "/vectors/jobs/$1"
    st=$(jb 'd["state"]')
    [[ $st != queued && $st != running ]] && return 0
    sleep 0.1
  done
  return 1
}

IDX=$LAKEHOUSE_DATA/_vectors
check "demo at scale 0.01 without the index" "$LH" demo --scale 0.01 --no-index
expect_eq "no _vectors/ after demo --no-index" "" "$(ls "$IDX" 2>/dev/null)"

# ---- bad inputs: one line, nothing written ------------------------------------------------
before=$(data_state)
expect_fail "unknown dataset" "no dataset named 'nope'" "$LH" vectors index nope --text resume_text --key candidate_id
expect_fail "unknown text column" "has no column 'nope'" "$LH" vectors index candidates --text nope --key candidate_id
expect_fail "unknown key column" "has no column 'nokey'" "$LH" vectors index candidates --text resume_text --key nokey
expect_fail "a text column that is not text" "column 'years_experience' .* is BIGINT, not text" \
  "$LH" vectors index candidates --text years_experience --key candidate_id
expect_fail "a bad index name" "index name" "$LH" vectors index candidates --text resume_text --key candidate_id --name Bad-Name
expect_fail "chunk overlap >= size" "chunk overlap 300 must be smaller than the chunk size 200" \
  "$LH" vectors index candidates --text resume_text --key candidate_id --chunk-size 200 --chunk-overlap 300
expect_fail "an unknown chunk unit" "chunk_unit" "$LH" vectors index candidates --text resume_text --key candidate_id --chunk-unit words
expect_fail "show of an unknown index" "no vector index named 'nope'" "$LH" vectors show nope
expect_fail "drop of an unknown index" "no vector index named 'nope'" "$LH" vectors drop nope
expect_eq "the bad inputs changed nothing" "$before" "$(data_state)"

# ---- a foreground build ------------------------------------------------------------------
check "vectors index candidates (CLI, foreground)" "$LH" vectors index candidates --text resume_text --key candidate_id
grep -q "index candidates_resume_text: succeeded, 1000 rows" "$WORK/out" && ok "the CLI says what it built" || { not_ok "the CLI says what it built"; echo "# $(head -c 300 "$WORK/out")"; }
"$LH" vectors show candidates_resume_text --json >"$WORK/body"
expect_eq "registry: format, name, source, model, chunker, refresh" \
  "1 candidates_resume_text candidates 0 resume_text candidate_id builtin lsa-256 256 cosine chars 2000 200 manual None" \
  "$(jb 'd["format"], d["name"], d["source"]["dataset"], d["source"]["table_version"], d["source"]["text_column"], d["source"]["key_column"], d["model"]["provider"], d["model"]["name"], d["model"]["dims"], d["model"]["metric"], d["chunker"]["unit"], d["chunker"]["size"], d["chunker"]["overlap"], d["refresh"], d["stale_since"]')"
expect_eq "registry: rows = source rows with text" "1000" "$(jb 'd["rows"]')"
CHUNKS=$(jb 'd["chunks"]')
expect_eq "registry: model files named and present, bm25 covers the table's version" "model/lsa.bin model/bm25.bin 0 yes" \
  "$(jb 'd["files"]["lsa"], d["files"]["bm25"], d["files"]["bm25_table_version"]') $([[ -s $IDX/candidates_resume_text/model/lsa.bin && -s $IDX/candidates_resume_text/model/bm25.bin ]] && echo yes)"
expect_eq "registry: created_at and last_embedded_at are times" "yes" \
  "$(jb '"yes" if d["created_at"].endswith("Z") and d["last_embedded_at"].endswith("Z") else d')"

if build_duckref "$WORK/duckref"; then
  out=$(python3 "$SHARED/tools/delta_check.py" "$IDX/candidates_resume_text" "$WORK/duckref" 2>&1)
  expect_eq "the index is a Delta table a foreign checker accepts" "ok $CHUNKS" "$out"
  P="read_parquet('$IDX/candidates_resume_text/*.parquet')"
  expect_eq "plain DuckDB: rows = chunks, every vector 256 wide, ids unique, unit length" \
    "$CHUNKS,256,256,$CHUNKS,1" \
    "$("$WORK/duckref" "SELECT count(*), min(len(vector)), max(len(vector)), count(DISTINCT chunk_id), round(avg(list_dot_product(vector::DOUBLE[], vector::DOUBLE[])), 3)::INT FROM $P")"
  expect_eq "plain DuckDB: the columns of the contract" \
    "key:VARCHAR chunk_id:VARCHAR ordinal:INTEGER chunk_start:BIGINT chunk_end:BIGINT chunk_text:VARCHAR content_hash:VARCHAR vector:FLOAT[]" \
    "$("$WORK/duckref" "SELECT string_agg(column_name || ':' || column_type, ' ') FROM (DESCRIBE SELECT * FROM $P)")"
  expect_eq "every source key is in the index, and the chunk offsets cut the source text" "1000,0" \
    "$("$WORK/duckref" "SELECT count(DISTINCT key), count(*) FILTER (WHERE chunk_start < 0 OR chunk_end <= chunk_start) FROM $P")"
fi

# two indexes on one source, side by side
check "a second index on the same source (token chunks)" "$LH" vectors index candidates --text resume_text --key candidate_id --name res_tok --chunk-unit tokens --chunk-size 60 --chunk-overlap 10
"$LH" vectors list --source candidates --json >"$WORK/body"
expect_eq "list --source shows both indexes" "candidates_resume_text res_tok" "$(jb '" ".join(e["name"] for e in d)')"
"$LH" vectors show res_tok --json >"$WORK/body"
expect_eq "the token index has its own chunker and more chunks" "tokens 60 10 yes" \
  "$(jb 'd["chunker"]["unit"], d["chunker"]["size"], d["chunker"]["overlap"], "yes" if d["chunks"] > '"$CHUNKS"' else d["chunks"]')"
expect_fail "a second build of an existing name is refused" "exists already" \
  "$LH" vectors index candidates --text resume_text --key candidate_id

# staleness: an ingest into an indexed dataset marks its indexes stale (and only its own)
printf 'id,body\n1,alpha beta gamma. delta epsilon\n2,beta gamma delta. epsilon zeta\n3,gamma delta epsilon. zeta eta\n' >notes1.csv
printf 'id,body\n4,delta epsilon zeta. eta theta\n' >notes2.csv
check "ingest notes" "$LH" ingest notes1.csv --name notes
check "index notes" "$LH" vectors index notes --text body --key id
expect_eq "a fresh index is not stale" "None" "$("$LH" vectors show notes_body --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["stale_since"])')"
expect_eq "vectors list --stale: none yet" "" "$("$LH" vectors list --stale --json | python3 -c 'import json,sys; print(" ".join(e["name"] for e in json.load(sys.stdin)))')"
check "append to notes" "$LH" ingest notes2.csv --name notes
expect_eq "the append marked the notes index stale, not the candidates ones" "notes_body" \
  "$("$LH" vectors list --stale --json | python3 -c 'import json,sys; print(" ".join(e["name"] for e in json.load(sys.stdin) if e["stale_since"].endswith("Z")))')"
"$LH" vectors show notes_body >"$WORK/out"
grep -q "stale since" "$WORK/out" && ok "vectors show says the index is stale" || not_ok "vectors show says the index is stale"

# a foreground build SIGKILLed after its third checkpoint resumes when the command runs again
LAKEHOUSE_VEC_BATCH_ROWS=100 LAKEHOUSE_FAULT=vector.batch_saved.2 "$LH" vectors index candidates \
  --text resume_text --key candidate_id --name cli_killed >"$WORK/out" 2>"$WORK/err"
expect_eq "the CLI build died at the fault point (SIGKILL)" "137 yes" \
  "$? $(grep -q 'fault point vector.batch_saved.2' "$WORK/err" && echo yes || echo no)"
expect_fail "a killed build is not an index yet" "no vector index named 'cli_killed'" "$LH" vectors show cli_killed
check "the same command resumes it" env LAKEHOUSE_VEC_BATCH_ROWS=100 "$LH" vectors index candidates --text resume_text --key candidate_id --name cli_killed --json
expect_eq "the resumed job is the killed one, finished: 10 batches, all rows" "succeeded 10 1000" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["batches_done"], d["rows_done"])' "$WORK/out")"
if [[ -x $WORK/duckref ]]; then
  R="read_parquet('$IDX/candidates_resume_text/*.parquet')" K="read_parquet('$IDX/cli_killed/*.parquet')"
  expect_eq "the resumed CLI build = the uninterrupted one (ids, vectors), nothing twice" "$CHUNKS,$CHUNKS,0,0" \
    "$("$WORK/duckref" "SELECT (SELECT count(*) FROM $K), (SELECT count(DISTINCT chunk_id) FROM $K), (SELECT count(*) FROM (SELECT chunk_id FROM $R EXCEPT SELECT chunk_id FROM $K)), (SELECT count(*) FROM $R r JOIN $K k USING (chunk_id) WHERE r.vector <> k.vector)")"
fi
check "drop cli_killed" "$LH" vectors drop cli_killed

# ---- the server: jobs, SIGKILL mid-job and resume, cancel, drop -----------------------------
if srv_start A LAKEHOUSE_VEC_BATCH_ROWS=100 LAKEHOUSE_FAULT=vector.batch_written.3; then ok "server A starts"
else not_ok "server A starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL A=$SRV_PID
req POST /vectors/index -H "$J" -d '{"name": "killed", "dataset": "candidates", "text_column": "resume_text", "key_column": "candidate_id"}'
covers "POST /vectors/index"
expect_eq "POST /vectors/index: 202 with job_id and index" "202 killed yes" "$CODE $(jb 'd["index"], "yes" if d["job_id"].startswith("vj-") else d')"
JOB=$(jb 'd["job_id"]')
wait "$A" 2>/dev/null
expect_eq "the server killed itself at the fault point (batch 3's file in place, not checkpointed)" "yes" \
  "$(grep -q 'fault point vector.batch_written.3' "$WORK/A.err" && echo yes || echo "no: $(tail -c 300 "$WORK/A.err")")"
nfiles_before=$(ls "$IDX/killed"/part-*.parquet 2>/dev/null | wc -l)
expect_eq "four batch files on disk (three checkpointed), no registry entry, no Delta log yet" "4 no no" \
  "$nfiles_before $([[ -e $IDX/killed/index.json ]] && echo yes || echo no) $([[ -d $IDX/killed/_delta_log ]] && echo yes || echo no)"
expect_eq "the job file says running with three batches" "running 3" \
  "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['state'], len(d['batches']))" "$LAKEHOUSE_DATA/_jobs/$JOB.json")"

if srv_start B LAKEHOUSE_VEC_BATCH_ROWS=100; then ok "server B starts on the same directory"
else not_ok "server B starts"; echo "# $(head -c 600 "$WORK/B.err")"; exit 1; fi
URL=$SRV_URL B=$SRV_PID
wait_job "$JOB"
covers "GET /vectors/jobs/{id}"
expect_eq "the job resumed at restart and succeeded" "succeeded 1000 100.0 None 10" \
  "$(jb 'd["state"], d["rows_done"], d["percent"], d["error"], d["batches_done"]')"
expect_eq "the orphan batch file was removed: ten files, as in the log" "10" "$(ls "$IDX/killed"/part-*.parquet | wc -l)"
req GET /vectors/indexes/killed
covers "GET /vectors/indexes/{name}"
expect_eq "GET /vectors/indexes/killed: the resumed index's chunks" "200 $CHUNKS" "$CODE $(jb 'd["chunks"]')"
if [[ -x $WORK/duckref ]]; then
  out=$(python3 "$SHARED/tools/delta_check.py" "$IDX/killed" "$WORK/duckref" 2>&1)
  expect_eq "the resumed index is a valid Delta table" "ok $CHUNKS" "$out"
  R="read_parquet('$IDX/candidates_resume_text/*.parquet')" K="read_parquet('$IDX/killed/*.parquet')"
  expect_eq "resumed = uninterrupted build: same chunk ids, none twice, none missing, same vectors" \
    "$CHUNKS,$CHUNKS,0,0" \
    "$("$WORK/duckref" "SELECT (SELECT count(*) FROM $K), (SELECT count(DISTINCT chunk_id) FROM $K), (SELECT count(*) FROM (SELECT chunk_id FROM $R EXCEPT SELECT chunk_id FROM $K)), (SELECT count(*) FROM $R r JOIN $K k USING (chunk_id) WHERE r.vector <> k.vector)")"
fi
req GET /vectors/jobs
covers "GET /vectors/jobs"
expect_eq "GET /vectors/jobs lists the server's and the CLI's jobs, newest first" "200 killed 5" \
  "$CODE $(jb 'd["jobs"][0]["index"], len(d["jobs"])')"
req GET "/vectors/indexes?source=candidates&model=lsa-256"
covers "GET /vectors/indexes"
expect_eq "GET /vectors/indexes?source=&model= filters" "200 candidates_resume_text killed res_tok" "$CODE $(jb '" ".join(e["name"] for e in d["indexes"])')"
req GET /vectors/stale
covers "GET /vectors/stale"
expect_eq "GET /vectors/stale lists the stale index" "200 notes_body" "$CODE $(jb '" ".join(e["name"] for e in d["indexes"])')"
req GET "/vectors/indexes?source=nope"
expect_eq "an unknown source lists nothing" "200 0" "$CODE $(jb 'len(d["indexes"])')"
req POST /vectors/index -H "$J" -d '{"dataset": "candidates", "text_column": "years_experience", "key_column": "candidate_id"}'
expect_eq "POST /vectors/index on a non-text column: 400 naming it" "400 invalid_input yes" \
  "$CODE $(jb 'd["error"]["code"], "yes" if "not text" in d["error"]["message"] else d')"
req POST /vectors/index -H "$J" -d '{"dataset": "candidates", "text_column": "resume_text", "key_column": "candidate_id", "colour": 1}'
expect_eq "an unknown field: 400 naming it" "400 unknown field 'colour'" "$CODE $(jb 'd["error"]["message"]')"
req POST /vectors/index -H "$J" -d '{"dataset": "candidates", "text_column": "resume_text", "key_column": "candidate_id", "provider": "ollama"}'
expect_eq "a network provider: not for builds yet (422 unsupported, naming the provider)" "422 unsupported yes" \
  "$CODE $(jb 'd["error"]["code"], "yes" if "ollama" in d["error"]["message"] else d')"
req GET /vectors/jobs/vj-nope
expect_eq "an unknown job: 404" "404" "$CODE"
srv_stop "$B"

# cancel: the pause file holds the build before its first batch
touch "$WORK/pause"
if srv_start C LAKEHOUSE_VEC_BATCH_ROWS=100 LAKEHOUSE_VEC_PAUSE_FILE="$WORK/pause"; then ok "server C starts"
else not_ok "server C starts"; exit 1; fi
URL=$SRV_URL C=$SRV_PID
req POST /vectors/index -H "$J" -d '{"name": "cancelme", "dataset": "candidates", "text_column": "resume_text", "key_column": "candidate_id"}'
CJ=$(jb 'd["job_id"]')
for ((i = 0; i < 3000; i++)); do
  req GET "/vectors/jobs/$CJ"
  [[ $(jb 'd.get("phase")') == embedding ]] && break
  sleep 0.1
done
expect_eq "the paused job is running, embedding" "running embedding" "$(jb 'd["state"], d["phase"]')"
req POST /vectors/index -H "$J" -d '{"name": "cancelme", "dataset": "candidates", "text_column": "resume_text", "key_column": "candidate_id"}'
expect_eq "a second build of a name being built: 409" "409" "$CODE"
req DELETE /vectors/indexes/cancelme
expect_eq "drop while it builds: 409 or 404, nothing removed" "yes" "$([[ $CODE == 409 || $CODE == 404 ]] && echo yes || echo "$CODE")"
req POST "/vectors/jobs/$CJ/cancel" -H "$J" -d '{}'
covers "POST /vectors/jobs/{id}/cancel"
expect_eq "cancel answers the cancelled job" "200 cancelled" "$CODE $(jb 'd["state"]')"
expect_eq "a cancelled build leaves no files and no index" "no" "$([[ -e $IDX/cancelme ]] && echo yes || echo no)"
req POST "/vectors/jobs/$CJ/cancel" -H "$J" -d '{}'
expect_eq "cancelling a finished job: 409" "409" "$CODE"
rm -f "$WORK/pause"
req DELETE /vectors/indexes/killed
covers "DELETE /vectors/indexes/{name}"
expect_eq "DELETE /vectors/indexes/killed" "200 True" "$CODE $(jb 'd["dropped"]')"
expect_eq "the dropped index's files are gone" "no" "$([[ -e $IDX/killed ]] && echo yes || echo no)"
req GET /vectors/indexes/killed
expect_eq "GET of a dropped index: 404" "404" "$CODE"
srv_stop "$C"

check "drop through the CLI" "$LH" vectors drop res_tok
expect_eq "vectors list after the drops" "candidates_resume_text notes_body" "$("$LH" vectors list --json | python3 -c 'import json,sys; print(" ".join(e["name"] for e in json.load(sys.stdin)))')"
expect_eq "journal: a build event per index and a drop per drop" "build candidates_resume_text|build cli_killed|build killed|build notes_body|build res_tok|drop cli_killed|drop killed|drop res_tok" \
  "$(sql "SELECT field || ' ' || entity_id FROM journal WHERE entity = 'vector_index' ORDER BY 1" | paste -sd'|')"

# demo builds the index by default
rm -rf "$LAKEHOUSE_DATA"
check "demo builds the resume index" "$LH" demo --scale 0.01
grep -q "vector index candidates_resume_text: 1000 chunks embedded" "$WORK/out" && ok "demo reports the index" || { not_ok "demo reports the index"; echo "# $(tail -n 2 "$WORK/out")"; }
expect_eq "the demo's index is registered" "candidates_resume_text" "$("$LH" vectors list --json | python3 -c 'import json,sys; print(" ".join(e["name"] for e in json.load(sys.stdin)))')"
