# Vector indexes built, searched and answered through a network provider end to end:
# tests/e2e/ai_wire_server.py speaks Ollama's and OpenAI's wire formats with deterministic
# vectors (a SHA-256 of the text, L2-normalised), so an index built through it holds
# exactly those vectors, and a query equal to one row's text finds that row first with
# cosine 1. The CLI (`vectors index --provider ollama`, `search`, `ask`) and the server
# (POST /vectors/index with provider openai, POST /vectors/search and /vectors/rag) both;
# a provider that is not configured, or another model than the configured one, is a
# one-line error and writes nothing.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
PY=/usr/bin/python3
WIRE_PID=
trap 'srv_stop_all; [[ -n $WIRE_PID ]] && { kill "$WIRE_PID" 2>/dev/null; wait "$WIRE_PID" 2>/dev/null; }; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
covers() { :; } # counted by http_api.sh's route coverage check

$PY "$LH_REPO/tests/e2e/ai_wire_server.py" "$WORK/wire.port" --dims 8 2>"$WORK/wire.err" &
WIRE_PID=$!
for ((i = 0; i < 100; i++)); do [[ -s $WORK/wire.port ]] && break; sleep 0.1; done
W_URL="http://127.0.0.1:$(cat "$WORK/wire.port" 2>/dev/null)"
if [[ -s $WORK/wire.port ]]; then ok "the wire server starts"
else not_ok "the wire server starts"; cat "$WORK/wire.err"; exit 1; fi
wstat() {
  curl -sS --max-time 10 "$W_URL/_control/stats" >"$WORK/wstats" 2>/dev/null
  $PY -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$WORK/wstats" "$1"
}

cat >notes.csv <<'EOF'
id,state,body
1,TX,Led the payments platform migration to kubernetes. Ran the on-call rotation.
2,CA,Bakery owner who bakes sourdough bread every morning.
3,TX,Fraud detection models for card payments and risk scoring.
4,NY,Site reliability engineer for a large kubernetes fleet.
EOF
lh ingest notes.csv --name notes >/dev/null 2>&1 || { not_ok "ingest"; exit 1; }

OLLAMA=(LAKEHOUSE_AI_PROVIDER=ollama LAKEHOUSE_AI_MODEL=wire-embed LAKEHOUSE_AI_GENERATE_MODEL=wire-gen
        LAKEHOUSE_AI_ENDPOINT="$W_URL" LAKEHOUSE_AI_RETRIES=0)

# ---- refusals first: nothing may be written by them ------------------------------------------
before=$(data_state)
expect_fail "CLI: a provider that is not configured is refused, naming [ai] provider" \
  "provider 'ollama' is not configured here: set \[ai\] provider" \
  "$LH" vectors index notes --text body --key id --provider ollama
expect_fail "CLI: another model than the configured one is refused" \
  "configured with model 'wire-embed', not 'other'" \
  env "${OLLAMA[@]}" "$LH" vectors index notes --text body --key id --provider ollama --model other
expect_eq "the refusals wrote nothing" "$before" "$(data_state)"

# ---- the CLI: build through ollama, search, ask -------------------------------------------------
check "CLI: vectors index --provider ollama" env "${OLLAMA[@]}" "$LH" vectors index notes --text body --key id --provider ollama --name notes_wire
out=$(lh vectors show notes_wire --json 2>&1)
expect_eq "registry: provider, model, dims from the server, no LSA file" "ollama wire-embed 8 None 4" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["model"]["provider"], d["model"]["name"], d["model"]["dims"], d["files"]["lsa"], d["chunks"])' "$out")"
expect_eq "the embeddings went to /api/embed" "True" "$(wstat 's["requests"].get("POST /api/embed", 0) >= 1')"
# every stored vector is the wire server's vector of its chunk text (normalised), read with plain DuckDB
build_duckref "$WORK/duckref" || exit 1
DUCKREF=$WORK/duckref
files=$($PY "$LH_REPO/bench/delta_files.py" "$LAKEHOUSE_DATA/_vectors/notes_wire" "$DUCKREF" | sed "s/.*/'&'/" | paste -sd,)
"$DUCKREF" "SELECT chunk_text, array_to_string(vector, ';') FROM read_parquet([$files]) ORDER BY key" >"$WORK/vecs.csv" 2>&1
got=$($PY - "$WORK/vecs.csv" <<'PYX'
import csv, os, sys
sys.path.insert(0, os.environ["LH_REPO"] + "/tests/e2e")
from ai_wire_server import vector
rows = list(csv.reader(open(sys.argv[1])))
bad = 0
for text, vec in rows:
    v = [float(x) for x in vec.split(";")]
    want = vector(text, 8)
    if len(v) != 8 or max(abs(a - b) for a, b in zip(v, want)) > 1e-6:
        bad += 1
print(len(rows), bad)
PYX
)
expect_eq "each stored vector is the provider's vector of its chunk (4 chunks, none off)" "4 0" "$got"

q="Fraud detection models for card payments and risk scoring."
out=$(env "${OLLAMA[@]}" "$LH" search notes_wire "$q" --mode dense --k 2 --json 2>&1)
expect_eq "CLI search (dense): the row with that very text first, cosine 1" "3 1.0" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["results"][0]; print(r["key"], round(r["score"], 4))' "$out" 2>&1)"
out=$(env "${OLLAMA[@]}" "$LH" search notes_wire "$q" --mode hybrid --where "state = 'TX'" --k 5 --json 2>&1)
expect_eq "CLI search (hybrid, where state = 'TX'): only TX rows, the same row first" "3 1,3" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["results"][0]["key"], ",".join(sorted(r["key"] for r in d["results"])))' "$out" 2>&1)"
expect_fail "CLI search of a network index without the provider configured says what to do" \
  "built with provider ollama" "$LH" search notes_wire "$q" --mode dense
out=$(env "${OLLAMA[@]}" "$LH" ask notes_wire "who works on fraud models for payments?" --json 2>&1)
expect_eq "CLI ask: the answer is the provider's (through /api/generate), with citations" "True True" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["answer"].startswith("wire answer "), len(d["citations"]) >= 1)' "$out" 2>&1)"
expect_eq "the prompt went to /api/generate" "True" "$(wstat 's["requests"].get("POST /api/generate", 0) >= 1')"

# ---- refresh through the provider; another model is refused ---------------------------------------
printf 'id,state,body\n5,TX,Payments compliance analyst for card fraud.\n' >more.csv
check "append a row" "$LH" ingest more.csv --name notes
before=$(wstat 's["requests"].get("POST /api/embed", 0)')
env "${OLLAMA[@]}" "$LH" vectors refresh notes_wire --json >"$WORK/body" 2>"$WORK/err"
expect_eq "vectors refresh through ollama: the new row's one chunk embedded, committed" "1 1 True" \
  "$(jb 'd[0]["rows_new"], d[0]["chunks_embedded"], d[0]["committed"]')"
q5="Payments compliance analyst for card fraud."
out=$(env "${OLLAMA[@]}" "$LH" search notes_wire "$q5" --mode dense --k 1 --json 2>&1)
expect_eq "the refreshed row is found by its own text, cosine 1" "5 1.0" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["results"][0]; print(r["key"], round(r["score"], 4))' "$out" 2>&1)"
expect_fail "search with another embedding model configured is refused (its vectors would not compare)" \
  "configure that provider and model" env "${OLLAMA[@]}" LAKEHOUSE_AI_MODEL=other-embed "$LH" search notes_wire "$q5" --mode dense
expect_fail "refresh with another model configured is refused" "was built with provider ollama, model 'wire-embed'" \
  env "${OLLAMA[@]}" LAKEHOUSE_AI_MODEL=other-embed "$LH" vectors refresh notes_wire

# ---- the server: build through openai, search, rag ---------------------------------------------
if srv_start S LAKEHOUSE_AI_PROVIDER=openai LAKEHOUSE_AI_MODEL=wire-embed LAKEHOUSE_AI_GENERATE_MODEL=wire-gen \
     LAKEHOUSE_AI_ENDPOINT="$W_URL" LAKEHOUSE_AI_RETRIES=0; then ok "server with [ai] provider = openai starts"
else not_ok "server with [ai] provider = openai starts"; head -c 600 "$WORK/S.err"; exit 1; fi
URL=$SRV_URL
code=$(curl -sS -o "$WORK/body" -w '%{http_code}' -H "$J" -d '{"dataset":"notes","text_column":"body","key_column":"id","provider":"openai","name":"notes_oa"}' "$URL/vectors/index")
covers "POST /vectors/index"
job=$(jb 'd["job_id"]')
expect_eq "POST /vectors/index with provider openai: 202 and a job" "202" "$code"
state=
for ((i = 0; i < 300; i++)); do
  curl -sS -o "$WORK/body" "$URL/vectors/jobs/$job"
  state=$(jb 'd["state"]')
  [[ $state == succeeded || $state == failed ]] && break
  sleep 0.1
done
expect_eq "the job succeeds" "succeeded" "$state"
curl -sS -o "$WORK/body" -H "$J" -d "{\"index\":\"notes_oa\",\"query\":\"$q\",\"mode\":\"dense\",\"k\":1}" "$URL/vectors/search"
expect_eq "POST /vectors/search (dense) on the openai index: the same row, cosine 1" "3 1.0" \
  "$(jb 'd["results"][0]["key"], round(d["results"][0]["score"], 4)')"
expect_eq "the server's embeddings went to /v1/embeddings" "True" "$(wstat 's["requests"].get("POST /v1/embeddings", 0) >= 2')"
curl -sS -o "$WORK/body" -H "$J" -d '{"index":"notes_oa","question":"who runs kubernetes?","k":2}' "$URL/vectors/rag"
expect_eq "POST /vectors/rag: the provider writes the answer (chat completions), citations given" "True True" \
  "$(jb 'd["answer"].startswith("wire answer "), len(d["citations"]) >= 1')"
