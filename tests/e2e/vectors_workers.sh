# Index builds on several embedding workers (issue 14, item 5; [vectors] embed_workers and
# embed_retries, docs/CONFIG.md): a build on 3 workers writes the same batch files' rows
# (keys, chunk ids, texts, vectors) as a build on 1, compared with plain DuckDB; a 3-worker
# build SIGKILLed after a batch file is renamed but before its checkpoint, and one killed
# after a checkpoint, resume to that same index; a network provider whose embed requests
# fail twice (HTTP 500, the provider's own retries off) succeeds through the build's
# retries, the wire server counting the attempts, and one that keeps failing fails the
# job with the provider's message after embed_retries retries, leaving no index.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
PY=/usr/bin/python3
WIRE_PID=
trap '[[ -n $WIRE_PID ]] && { kill "$WIRE_PID" 2>/dev/null; wait "$WIRE_PID" 2>/dev/null; }; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
IDX=$LAKEHOUSE_DATA/_vectors

check "demo at scale 0.01 without the index" "$LH" demo --scale 0.01 --no-index
build() { # NAME WORKERS [env...]: a foreground build of candidates in batches of 100 rows
  local name=$1 w=$2
  shift 2
  env LAKEHOUSE_VEC_BATCH_ROWS=100 LAKEHOUSE_VECTORS_EMBED_WORKERS="$w" "$@" "$LH" vectors index \
    candidates --text resume_text --key candidate_id --name "$name" --json
}
check "a build on 1 worker" build w1 1
expect_eq "1 worker: 10 batches, all rows, embed.workers 1" "succeeded 10 1000 1" \
  "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["batches_done"], d["rows_done"], d["embed"]["workers"])' "$WORK/out")"
check "a build on 3 workers" build w3 3
expect_eq "3 workers: 10 batches, all rows, embed.workers 3" "succeeded 10 1000 3" \
  "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["batches_done"], d["rows_done"], d["embed"]["workers"])' "$WORK/out")"

build_duckref "$WORK/duckref" || exit 1
# every row with its batch number (from the file name) and its position in the file
rows_of() {
  echo "(SELECT regexp_extract(filename, '-b([0-9]{6})-', 1) AS batch, file_row_number AS pos,
          key, chunk_id, ordinal, chunk_start, chunk_end, chunk_text, content_hash, vector
        FROM read_parquet('$IDX/$1/*.parquet', filename = true, file_row_number = true))"
}
same_as_w1() { # NAME: rows of NAME not in w1's and of w1's not in NAME, and NAME's count
  "$WORK/duckref" "SELECT (SELECT count(*) FROM (SELECT * FROM $(rows_of "$1") EXCEPT ALL SELECT * FROM $(rows_of w1))),
    (SELECT count(*) FROM (SELECT * FROM $(rows_of w1) EXCEPT ALL SELECT * FROM $(rows_of "$1"))),
    (SELECT count(*) FROM $(rows_of "$1")) = (SELECT count(*) FROM $(rows_of w1)),
    (SELECT count(DISTINCT batch) FROM $(rows_of "$1"))"
}
expect_eq "plain DuckDB: 3 workers wrote the same rows as 1, batch by batch, row by row" "0,0,true,10" "$(same_as_w1 w3)"

# SIGKILL with 3 workers: after batch 4's file is renamed but before its checkpoint (the
# file is removed and re-embedded at resume), and after batch 6's checkpoint
for fp in vector.batch_written.4 vector.batch_saved.6; do
  n=k_${fp##*.}_${fp%%.[0-9]*}; n=${n//./_}
  build "$n" 3 LAKEHOUSE_FAULT=$fp >"$WORK/out" 2>"$WORK/err"
  expect_eq "3 workers: the build died at $fp (SIGKILL)" "137 yes" \
    "$? $(grep -q "fault point $fp" "$WORK/err" && echo yes || echo no)"
  check "the same command resumes it ($fp)" build "$n" 3
  expect_eq "the resumed build ($fp) finished: 10 batches, all rows" "succeeded 10 1000" \
    "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["batches_done"], d["rows_done"])' "$WORK/out")"
  expect_eq "plain DuckDB: the resumed build ($fp) = the 1-worker one, nothing twice" "0,0,true,10" "$(same_as_w1 "$n")"
  expect_eq "no stray files after the resume ($fp)" "10" "$(ls "$IDX/$n" | grep -c '\.parquet$')"
done

# ---- retries against the wire server -------------------------------------------------------
$PY "$LH_REPO/tests/e2e/ai_wire_server.py" "$WORK/wire.port" --dims 8 2>"$WORK/wire.err" &
WIRE_PID=$!
for ((i = 0; i < 100; i++)); do [[ -s $WORK/wire.port ]] && break; sleep 0.1; done
W_URL="http://127.0.0.1:$(cat "$WORK/wire.port" 2>/dev/null)"
if [[ -s $WORK/wire.port ]]; then ok "the wire server starts"
else not_ok "the wire server starts"; cat "$WORK/wire.err"; exit 1; fi
control() { curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' -d "$1" "$W_URL/_control" >/dev/null; }
embeds() {
  curl -sS --max-time 10 "$W_URL/_control/stats" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["requests"].get("POST /api/embed", 0))'
}
printf 'id,body\n1,alpha beta gamma\n2,delta epsilon zeta\n3,eta theta iota\n' >notes.csv
check "ingest notes" "$LH" ingest notes.csv --name notes
# the provider's own retries off, its width configured (no request to learn it): every
# embed request the wire server counts is one attempt of the build's
OLLAMA=(LAKEHOUSE_AI_PROVIDER=ollama LAKEHOUSE_AI_MODEL=wire-embed LAKEHOUSE_AI_ENDPOINT="$W_URL"
        LAKEHOUSE_AI_RETRIES=0 LAKEHOUSE_AI_DIMS=8)
control '{"reset": true, "queue": ["500", "500"]}'
check "embeds failing twice (HTTP 500): the build succeeds through its retries" \
  env "${OLLAMA[@]}" LAKEHOUSE_VECTORS_EMBED_RETRIES=3 "$LH" vectors index notes --text body --key id --provider ollama --name n_retry --json
expect_eq "the wire server saw 3 embed requests (2 failed, 1 answered); the job counts 2 retries" "3 2 succeeded 3" \
  "$(embeds) $($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["embed"]["retries"], d["state"], d["chunks_done"])' "$WORK/out")"
control '{"reset": true, "queue": ["500", "500", "500", "500", "500"]}'
env "${OLLAMA[@]}" LAKEHOUSE_VECTORS_EMBED_RETRIES=2 "$LH" vectors index notes --text body --key id --provider ollama --name n_fail >"$WORK/out" 2>"$WORK/err"
rc=$?
expect_eq "embeds failing more often than embed_retries: the build fails (3 attempts)" "1 3" "$((rc != 0)) $(embeds)"
tail -n 1 "$WORK/err" | grep -q "500" && ok "the error is the provider's message (HTTP 500)" \
  || { not_ok "the error is the provider's message (HTTP 500)"; echo "# $(head -c 600 "$WORK/err")"; }
expect_eq "the failed build left no index" "" "$(ls "$IDX/n_fail" 2>/dev/null)"
control '{"reset": true, "queue": []}'
