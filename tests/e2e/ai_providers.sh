# The network AI providers end to end: a real `lakehouse serve` on loopback configured for
# tests/e2e/ai_wire_server.py (a local server speaking the exact Ollama and OpenAI wire
# formats, checking every request's shape, with scripted faults). Every /ai route; vectors
# and answers checked against the wire server's deterministic ones; batching; retries on
# 429 (Retry-After honoured) and 5xx, counted by the wire server; timeouts; cut-off,
# non-JSON and wrong-width replies; the concurrency limit; the API key from the
# environment and from the secrets file, and never in a log, a response or a file under
# the data directory; /ai/sql returning gate-checked SQL, refusing a write statement and a
# relation outside the question's datasets; 501 with the builtin provider only.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
PY=/usr/bin/python3
WIRE_PIDS=()
trap 'srv_stop_all; for p in "${WIRE_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
KEY="wire-secret-$($PY -c 'import secrets; print(secrets.token_hex(12))')"
covers() { :; } # counted by http_api.sh's route coverage check

# ---- the wire server ------------------------------------------------------------------------
# wire_start NAME [ARGS]: starts one; sets W_URL (waits for its port file, at most 10 s).
wire_start() {
  local name=$1 i
  shift
  $PY "$LH_REPO/tests/e2e/ai_wire_server.py" "$WORK/$name.port" "$@" 2>"$WORK/$name.wire.err" &
  WIRE_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do [[ -s $WORK/$name.port ]] && break; sleep 0.1; done
  W_URL="http://127.0.0.1:$(cat "$WORK/$name.port" 2>/dev/null)"
  [[ -s $WORK/$name.port ]]
}
wctl() { curl -sS --max-time 10 -o /dev/null -X POST "$W_URL/_control" -d "$1"; }
# wstat EXPR: a Python expression over s, the wire server's stats.
wstat() {
  curl -sS --max-time 10 "$W_URL/_control/stats" >"$WORK/wstats" 2>/dev/null
  $PY - "$WORK/wstats" "$1" <<'PYX'
import json, sys
s = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(" ".join(map(str, r)) if isinstance(r, tuple) else r)
PYX
}

# req METHOD PATH [curl args...]: one request to $URL; CODE, body in $WORK/body. Every
# response body is also kept in $WORK/all_bodies (the key must be in none).
req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -sS --max-time 60 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$URL$p" 2>"$WORK/curl.err")
  cat "$WORK/body" >>"$WORK/all_bodies"
}
post() { req POST "$1" -H "$J" -d "$2"; }
expect_err() {
  local what=$1 st=$2 code=$3 pat=${4:-} got
  got="$CODE $(jb 'd["error"]["code"]')"
  if [[ $got == "$st $code" ]] && { [[ -z $pat ]] || grep -qE -- "$pat" "$WORK/body"; }; then ok "$what"
  else not_ok "$what"; echo "# expected: $st $code ${pat:+/$pat/}"; echo "# actual:   $CODE $(head -c 400 "$WORK/body")"; fi
}

if wire_start W --key "$KEY" --dims 8; then ok "the wire server starts"
else not_ok "the wire server starts"; cat "$WORK/W.wire.err"; exit 1; fi
W1=$W_URL

# ---- ollama, the key from the variable [ai] api_key_env names --------------------------------
AI_ENV=(LAKEHOUSE_AI_PROVIDER=ollama LAKEHOUSE_AI_MODEL=wire-embed LAKEHOUSE_AI_GENERATE_MODEL=wire-gen
        LAKEHOUSE_AI_ENDPOINT="$W1/" LAKEHOUSE_AI_DIMS=8 LAKEHOUSE_AI_BATCH=3 LAKEHOUSE_AI_RETRIES=2
        LAKEHOUSE_AI_RETRY_BASE_MS=10 LAKEHOUSE_AI_TIMEOUT_MS=1500 LAKEHOUSE_AI_CONCURRENCY=1
        LAKEHOUSE_AI_API_KEY_ENV=MY_WIRE_KEY MY_WIRE_KEY="$KEY")
if srv_start O LAKEHOUSE_DATA="$WORK/dataO" "${AI_ENV[@]}"; then ok "server with [ai] provider = ollama starts"
else not_ok "server with [ai] provider = ollama starts"; echo "# $(head -c 600 "$WORK/O.err")"; exit 1; fi
URL=$SRV_URL O_PID=$SRV_PID

req GET /ai/providers
covers "GET /ai/providers"
expect_eq "GET /ai/providers: ollama configured, reachable, key from env, its endpoint and models" \
  "200 ollama True True True env $W1/ wire-embed wire-gen 8 False" \
  "$CODE $(jb 'd["provider"], d["providers"][1]["configured"], d["providers"][1]["reachable"], d["providers"][1]["api_key"], d["providers"][1]["api_key_source"], d["providers"][1]["endpoint"], d["providers"][1]["model"], d["providers"][1]["generate_model"], d["providers"][1]["dims"], d["providers"][2]["configured"]')"
expect_eq "the probe was one GET /api/tags with the key" "1 True" "$(wstat 's["requests"].get("GET /api/tags"), s["authorization_seen"]')"

# embed: 5 texts in batches of 3 -> 2 requests; vectors as the wire server computes them
wctl '{"reset": true}'
post /ai/embed '{"texts": ["alpha", "beta", "gamma", "délta ünïcode", "epsilon"]}'
covers "POST /ai/embed"
cp "$WORK/body" "$WORK/embed.json"
expect_eq "POST /ai/embed: 200, 5 vectors of 8" "200 ollama 8 5" "$CODE $(jb 'd["provider"], d["dims"], len(d["vectors"])')"
expect_eq "the vectors are the server's, in input order" ok "$($PY - "$WORK/embed.json" "$LH_REPO/tests/e2e" <<'PYX'
import json, sys
sys.path.insert(0, sys.argv[2])
from ai_wire_server import vector
d = json.load(open(sys.argv[1]))
texts = ["alpha", "beta", "gamma", "délta ünïcode", "epsilon"]
bad = [t for t, v in zip(texts, d["vectors"]) if max(abs(a - b) for a, b in zip(v, vector(t, 8))) > 1e-6]
print("ok" if not bad else "differ: %s" % bad)
PYX
)"
expect_eq "batch = 3: two POST /api/embed requests, each of the right shape" "2 []" \
  "$(wstat 's["requests"].get("POST /api/embed"), s["bad"]')"

# rerank: the cosine of the server's embeddings
post /ai/rerank '{"query": "alpha", "texts": ["beta", "alpha", "gamma"]}'
covers "POST /ai/rerank"
expect_eq "POST /ai/rerank: the identical text first with score 1" "200 1 1.0" "$CODE $(jb 'd["results"][0]["index"], round(d["results"][0]["score"], 5)')"
expect_eq "rerank scores are the cosines of the wire vectors" ok "$($PY - "$WORK/body" "$LH_REPO/tests/e2e" <<'PYX'
import json, sys
sys.path.insert(0, sys.argv[2])
from ai_wire_server import vector
d = json.load(open(sys.argv[1]))
q = vector("alpha", 8)
texts = ["beta", "alpha", "gamma"]
want = sorted(((sum(a * b for a, b in zip(q, vector(t, 8))), i) for i, t in enumerate(texts)), key=lambda x: -x[0])
got = [(r["score"], r["index"]) for r in d["results"]]
ok = [i for _, i in want] == [i for _, i in got] and all(abs(a[0] - b[0]) < 1e-5 for a, b in zip(want, got))
print("ok" if ok else "want %s got %s" % (want, got))
PYX
)"

# generate: /api/generate (chat = false) with the generate model
post /ai/generate '{"prompt": "say hello"}'
covers "POST /ai/generate"
want="wire answer $(printf '%s' 'say hello' | sha256sum | cut -c1-12)"
expect_eq "POST /ai/generate: the server's answer" "200 $want wire-gen" "$CODE $(jb 'd["text"], d["model"]')"
expect_eq "it went to /api/generate with stream false and the generate model" "1 wire-gen False" \
  "$(wstat 's["requests"].get("POST /api/generate"), s["last_body"]["model"], s["last_body"]["stream"]')"

# ---- retries ----------------------------------------------------------------------------------
wctl '{"reset": true, "queue": ["429:1", "ok"]}'
t0=$(date +%s%N)
post /ai/generate '{"prompt": "again"}'
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "429 with Retry-After then ok: answered, after 2 requests" "200 2" "$CODE $(wstat 's["requests"].get("POST /api/generate")')"
expect_eq "Retry-After: 1 was honoured (waited >= 1 s, not the 10 ms backoff)" yes "$([[ $ms -ge 1000 ]] && echo yes || echo "no ($ms ms)")"

wctl '{"reset": true, "queue": ["500", "503", "500"]}'
post /ai/generate '{"prompt": "again"}'
expect_err "5xx on every attempt: 502 naming the provider, endpoint and attempts" 502 provider_error \
  "ollama at http://127.0.0.1:[0-9]+/api/generate: HTTP 500: server overloaded \(500\) \(after 3 attempts\)"
expect_eq "retries = 2: exactly 3 requests" 3 "$(wstat 's["requests"].get("POST /api/generate")')"

wctl '{"reset": true, "queue": ["503", "ok"]}'
post /ai/embed '{"texts": ["x"]}'
expect_eq "one 503 then ok: embed answers after 2 requests" "200 2" "$CODE $(wstat 's["requests"].get("POST /api/embed")')"

wctl '{"reset": true, "queue": ["slow:4", "slow:4", "slow:4"]}'
post /ai/generate '{"prompt": "slow"}'
expect_err "a server slower than timeout_ms: 504 timeout after 3 attempts" 504 timeout \
  "ollama at http://127.0.0.1:[0-9]+/api/generate: no complete reply within 1500 ms \(after 3 attempts\)"
expect_eq "each timed-out attempt reached the server (3 requests)" 3 "$(wstat 's["requests"].get("POST /api/generate")')"

# ---- bad replies: one attempt, a clear error --------------------------------------------------
wctl '{"reset": true, "queue": ["truncated", "badjson", "garbage"]}'
post /ai/embed '{"texts": ["x"]}'
expect_err "a reply cut off mid-body: 502 naming the endpoint" 502 provider_error "ollama at .*/api/embed: the reply was cut off"
post /ai/embed '{"texts": ["x"]}'
expect_err "truncated JSON: 502 'not valid JSON'" 502 provider_error "ollama at .*/api/embed: the reply is not valid JSON"
post /ai/generate '{"prompt": "x"}'
expect_err "a 200 that is HTML: 502 'not valid JSON'" 502 provider_error "ollama at .*/api/generate: the reply is not valid JSON"
expect_eq "bad replies are not retried (1 request each)" "2 1" "$(wstat 's["requests"].get("POST /api/embed"), s["requests"].get("POST /api/generate")')"
wctl '{"reset": true, "queue": ["wrongdims"]}'
post /ai/embed '{"texts": ["x", "y"]}'
expect_err "vectors one value short: 502 naming the widths" 502 provider_error "embedding 0 has 7 values, expected 8"
wctl '{"reset": true, "queue": ["echo_key"]}'
post /ai/generate '{"prompt": "x"}'
expect_err "a server that echoes the key in its error: 502 with the key masked" 502 provider_error "HTTP 401: bad credentials: Bearer \*\*\*"

# ---- the concurrency limit (concurrency = 1): never two requests in flight -------------------
# (the slow replies of the timeout test above may still be sleeping at the wire server:
# wait, bounded, until it answers nothing, so that they are not counted here)
for ((i = 0; i < 100; i++)); do [[ $(wstat 's["inflight"]') == 0 ]] && break; sleep 0.1; done
wctl '{"reset": true, "queue": ["slow:1", "slow:1", "slow:1"]}'
PAR=()
for i in 1 2 3; do curl -sS --max-time 60 -o "$WORK/par$i" -H "$J" -X POST -d '{"prompt": "p"}' "$URL/ai/generate" & PAR+=($!); done
wait "${PAR[@]}"
expect_eq "3 parallel generates with concurrency = 1: all answered, at most 1 in flight at the server" "200 200 200 1" \
  "$(for i in 1 2 3; do $PY -c 'import json,sys; print(200 if "text" in json.load(open(sys.argv[1])) else 0)' "$WORK/par$i"; done | paste -sd' ') $(wstat 's["max_inflight"]')"
cat "$WORK"/par? >>"$WORK/all_bodies"

# ---- input limits -----------------------------------------------------------------------------
wctl '{"reset": true}'
post /ai/embed "$($PY -c 'import json; print(json.dumps({"texts": ["t"] * 257}))')"
expect_err "257 texts: 400" 400 invalid_input "1 to 256 strings"
post /ai/embed "$($PY -c 'import json; print(json.dumps({"texts": ["x" * 40000]}))')"
expect_err "a text over 32 KiB: 400" 400 invalid_input "at most 32768 bytes"
post /ai/embed '{"texts": []}'
expect_err "no texts: 400" 400 invalid_input
post /ai/embed '{"texts": ["a"], "model": "other"}'
expect_err "an unknown field: 400 naming it" 400 invalid_input "unknown field 'model'"
post /ai/generate "$($PY -c 'import json; print(json.dumps({"prompt": "x" * 70000}))')"
expect_err "a prompt over 64 KiB: 413" 413 too_large "1 to 65536 bytes"
post /ai/rerank '{"query": "", "texts": ["a"]}'
expect_err "an empty rerank query: 400" 400 invalid_input
expect_eq "no refused input reached the wire server" 0 "$(wstat 'sum(v for k, v in s["requests"].items() if k.startswith("POST"))' 2>/dev/null | sed 's/^$/0/')"

# ---- /ai/sql --------------------------------------------------------------------------------
printf 'id,name,state\n1,ann,TX\n2,bob,CA\n' >people.csv
printf 'id,salary\n1,10\n' >pay.csv
req POST /ingest/file -F file=@people.csv -F name=people
req POST /ingest/file -F file=@pay.csv -F name=pay
wctl "$($PY -c 'import json; print(json.dumps({"reset": True, "answer": "Here you go:\n```sql\nSELECT \"name\" FROM \"people\" WHERE \"state\" = '"'"'TX'"'"'\n```"}))')"
post /ai/sql '{"question": "who lives in Texas?", "datasets": ["people"]}'
covers "POST /ai/sql"
expect_eq "POST /ai/sql: the fenced SQL, gate-checked, not run" \
  "200 SELECT \"name\" FROM \"people\" WHERE \"state\" = 'TX' ['people'] ['people'] False" \
  "$CODE $(jb 'd["sql"], d["datasets"], d["relations"], d["executed"]')"
expect_eq "the prompt holds the schema of the asked dataset only, then the question" "True False True" \
  "$(wstat '"\"people\" (\"id\" BIGINT, \"name\" VARCHAR, \"state\" VARCHAR)" in s["last_prompt"], "\"pay\"" in s["last_prompt"], s["last_prompt"].endswith("Question: who lives in Texas?\nSQL:\n")')"
post /ai/sql '{"question": "who lives in Texas?"}'
expect_eq "without datasets: every dataset in the prompt" "200 True True" \
  "$CODE $(wstat '"\"people\" (" in s["last_prompt"], "\"pay\" (" in s["last_prompt"]')"
wctl '{"answer": "DELETE FROM people"}'
post /ai/sql '{"question": "remove everyone"}'
expect_err "a write statement from the model: 422 sql_refused by the gate" 422 sql_refused "only read-only queries"
expect_eq "the refused SQL is shown, and people still has its 2 rows" "DELETE FROM people 2" \
  "$(jb 'd["sql"]') $(req POST /query/sql -H "$J" -d '{"sql": "SELECT count(*) AS n FROM people"}'; jb 'd["rows"][0][0] if "rows" in d else d')"
wctl '{"answer": "SELECT * FROM pay"}'
post /ai/sql '{"question": "who lives in Texas?", "datasets": ["people"]}'
expect_err "SQL reading a dataset outside the question's: 422" 422 sql_refused "reads 'pay', which is not one of the datasets asked about"
wctl '{"answer": "SELECT * FROM read_csv('"'"'/etc/passwd'"'"')"}'
post /ai/sql '{"question": "x"}'
expect_err "a file-reading table function from the model: 422 from the gate" 422 sql_refused "read_csv is not allowed"
wctl '{"answer": "   "}'
post /ai/sql '{"question": "x"}'
expect_err "an empty answer: 422 'holds no SQL'" 422 sql_refused "holds no SQL"
post /ai/sql '{"question": "x", "datasets": ["nope"]}'
expect_err "an unknown dataset: 404 naming it" 404 not_found "no dataset named 'nope'"
post /ai/sql '{"question": "x", "datasets": "people"}'
expect_err "datasets not an array: 400" 400 invalid_input
wctl '{"answer": null}'

srv_stop "$O_PID"
expect_eq "the ollama server stops cleanly" 0 "$SRV_RC"

# ---- a wrong key: the server's 401, not retried ---------------------------------------------
if srv_start K LAKEHOUSE_DATA="$WORK/dataK" "${AI_ENV[@]}" MY_WIRE_KEY="not-the-key"; then
  URL=$SRV_URL
  wctl '{"reset": true}'
  post /ai/embed '{"texts": ["x"]}'
  expect_err "a wrong key: 502 with the server's 401" 502 provider_error "HTTP 401: invalid|HTTP 401: unauthorized"
  expect_eq "a 401 is final (1 request)" 1 "$(wstat 's["requests"].get("POST /api/embed")')"
  srv_stop "$SRV_PID"
else not_ok "server K starts"; fi

# ---- openai, the key from the secrets file; dims learnt from the server; chat -----------------
SECRETS=$WORK/secrets.toml
printf '[ai]\napi_key = "%s"\n' "$KEY" >"$SECRETS"
chmod 600 "$SECRETS"
if srv_start A LAKEHOUSE_DATA="$WORK/dataA" LAKEHOUSE_AI_PROVIDER=openai LAKEHOUSE_AI_MODEL=wire-embed \
     LAKEHOUSE_AI_ENDPOINT="$W1/v1" LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" LAKEHOUSE_AI_RETRY_BASE_MS=10; then
  URL=$SRV_URL
  wctl '{"reset": true}'
  req GET /ai/providers
  expect_eq "openai: configured, reachable through /v1/models, key from the secrets file, dims unknown yet" \
    "200 True True secrets file None 1" \
    "$CODE $(jb 'd["providers"][2]["configured"], d["providers"][2]["reachable"], d["providers"][2]["api_key_source"], d["providers"][2]["dims"]') $(wstat 's["requests"].get("GET /v1/models")')"
  post /ai/embed '{"texts": ["alpha", "beta", "gamma"]}'
  expect_eq "openai embed: dims learnt (8), vectors placed by index (the server sends them reversed)" ok \
    "$($PY - "$WORK/body" "$LH_REPO/tests/e2e" <<'PYX'
import json, sys
sys.path.insert(0, sys.argv[2])
from ai_wire_server import vector
d = json.load(open(sys.argv[1]))
ok = d.get("dims") == 8 and all(max(abs(a - b) for a, b in zip(v, vector(t, 8))) < 1e-6
                                for t, v in zip(["alpha", "beta", "gamma"], d["vectors"]))
print("ok" if ok else d)
PYX
)"
  expect_eq "one probe embed for the width, then one batch; encoding_format float" "2 float" \
    "$(wstat 's["requests"].get("POST /v1/embeddings"), s["last_body"]["encoding_format"]')"
  post /ai/generate '{"prompt": "hello openai"}'
  expect_eq "openai generate through /v1/chat/completions" "200 wire answer $(printf '%s' 'hello openai' | sha256sum | cut -c1-12) 1" \
    "$CODE $(jb 'd["text"]') $(wstat 's["requests"].get("POST /v1/chat/completions")')"
  req GET /ai/providers
  expect_eq "/ai/providers now reports the learnt dims" 8 "$(jb 'd["providers"][2]["dims"]')"
  srv_stop "$SRV_PID"
else not_ok "server A (openai) starts"; echo "# $(head -c 600 "$WORK/A.err")"; fi

if srv_start C LAKEHOUSE_DATA="$WORK/dataC" "${AI_ENV[@]}" LAKEHOUSE_AI_CHAT=true; then
  URL=$SRV_URL
  wctl '{"reset": true}'
  post /ai/generate '{"prompt": "chat with me"}'
  expect_eq "ollama with chat = true: /api/chat, the prompt as the user message" \
    "200 wire answer $(printf '%s' 'chat with me' | sha256sum | cut -c1-12) 1 user" \
    "$CODE $(jb 'd["text"]') $(wstat 's["requests"].get("POST /api/chat"), s["last_body"]["messages"][0]["role"]')"
  srv_stop "$SRV_PID"
else not_ok "server C starts"; fi
expect_eq "every request the wire server got had the right shape" "[]" "$(wstat 's["bad"]')"

# ---- SIGTERM while a provider request hangs: the server stops within its deadline ------------
# (shutdown_ms = 500; the wire server holds the reply 60 s; timeout_ms is 120 s, so only the
# interrupt at the deadline can end the request: without it the stop takes a minute and
# srv_stop kills the server after 20 s)
if srv_start T LAKEHOUSE_DATA="$WORK/dataT" "${AI_ENV[@]}" LAKEHOUSE_AI_TIMEOUT_MS=120000 \
     LAKEHOUSE_SERVER_SHUTDOWN_MS=500; then
  URL=$SRV_URL
  wctl '{"reset": true, "queue": ["slow:60"]}'
  curl -sS --max-time 90 -o "$WORK/hang.body" -H "$J" -X POST -d '{"prompt": "hang"}' "$URL/ai/generate" 2>/dev/null &
  HANG=$!
  for ((i = 0; i < 100; i++)); do [[ $(wstat 's["inflight"]') == 1 ]] && break; sleep 0.1; done
  srv_stop "$SRV_PID"
  wait "$HANG" 2>/dev/null
  expect_eq "SIGTERM with a provider request hanging: exit 0 well within srv_stop's 20 s" "0 yes" \
    "$SRV_RC $([[ $SRV_STOP_MS -lt 15000 ]] && echo yes || echo "no ($SRV_STOP_MS ms)")"
  grep -q "interrupting running queries and AI requests" "$WORK/T.err" && ok "the interrupt at the deadline is logged" \
    || not_ok "the interrupt at the deadline is logged"
else not_ok "server T starts"; fi

# ---- a provider that is down: providers says so, calls fail fast and clearly ----------------
if srv_start D LAKEHOUSE_DATA="$WORK/dataD" LAKEHOUSE_AI_PROVIDER=ollama LAKEHOUSE_AI_MODEL=m \
     LAKEHOUSE_AI_ENDPOINT=http://127.0.0.1:9 LAKEHOUSE_AI_DIMS=4; then
  URL=$SRV_URL
  req GET /ai/providers
  expect_eq "a server that is down: configured, not reachable, with the reason" "200 True False True" \
    "$CODE $(jb 'd["providers"][1]["configured"], d["providers"][1]["reachable"], "cannot connect" in d["providers"][1]["error"]')"
  post /ai/embed '{"texts": ["x"]}'
  expect_err "embed against a server that is down: 502 naming it" 502 provider_error "ollama at http://127.0.0.1:9/api/embed: cannot connect"
  srv_stop "$SRV_PID"
else not_ok "server D starts"; fi

# ---- builtin only: 501 naming what to configure -----------------------------------------------
if srv_start B LAKEHOUSE_DATA="$WORK/dataB"; then
  URL=$SRV_URL
  req GET /ai/providers
  expect_eq "builtin only: providers lists builtin configured, no network provider" "200 builtin True False False" \
    "$CODE $(jb 'd["provider"], d["providers"][0]["configured"], d["providers"][1]["configured"], d["providers"][2]["configured"]')"
  post /ai/sql '{"question": "how many rows?"}'
  expect_err "POST /ai/sql with only builtin: 501 naming the provider to configure" 501 not_implemented \
    'set \[ai\] provider = \\"ollama\\" or \\"openai\\"'
  post /ai/embed '{"texts": ["x"]}'
  expect_err "POST /ai/embed with only builtin: 501" 501 not_implemented
  srv_stop "$SRV_PID"
else not_ok "server B starts"; fi

# ---- bad [ai] settings fail the start with one clear line --------------------------------------
expect_fail "an unknown provider fails serve" "\[ai\] provider 'foo' is not one of builtin, ollama, openai" \
  env LAKEHOUSE_DATA="$WORK/dataX" LAKEHOUSE_AI_PROVIDER=foo "$LH" serve --bind 127.0.0.1:0
expect_fail "an endpoint that is not http(s) fails serve" "\[ai\] endpoint must start with http:// or https://" \
  env LAKEHOUSE_DATA="$WORK/dataX" LAKEHOUSE_AI_PROVIDER=openai LAKEHOUSE_AI_ENDPOINT=file:///etc "$LH" serve --bind 127.0.0.1:0
expect_fail "credentials in the endpoint fail serve" "must not hold credentials" \
  env LAKEHOUSE_DATA="$WORK/dataX" LAKEHOUSE_AI_PROVIDER=openai LAKEHOUSE_AI_ENDPOINT=https://u:p@example.com "$LH" serve --bind 127.0.0.1:0
printf '[ai]\nprovider = "openai"\napi_key = "%s"\n' "$KEY" >"$WORK/withkey.toml"
# (two lines: the config reader's warning about the unknown key, then the refusal)
env LAKEHOUSE_DATA="$WORK/dataX" "$LH" serve --config "$WORK/withkey.toml" --bind 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err"
expect_eq "an api_key in lakehouse.toml is refused" "1 lakehouse: [ai] api_key does not belong in the configuration file" \
  "$? $(tail -n 1 "$WORK/err" | cut -d: -f1-2)"
grep -q "$KEY" "$WORK/err" && not_ok "the refusal does not print the key" || ok "the refusal does not print the key"
chmod 644 "$SECRETS"
expect_fail "a secrets file others may read is refused" "must be 0600" \
  env LAKEHOUSE_DATA="$WORK/dataX" LAKEHOUSE_AI_PROVIDER=openai LAKEHOUSE_AUTH_SECRETS_FILE="$SECRETS" "$LH" serve --bind 127.0.0.1:0

# ---- the key is nowhere ---------------------------------------------------------------------------
expect_eq "the key is in no response body" 0 "$(grep -c -- "$KEY" "$WORK/all_bodies")"
expect_eq "the key is in no server log (stdout, stderr: access log, retry warnings)" "" \
  "$(grep -l -- "$KEY" "$WORK"/*.out "$WORK"/*.err 2>/dev/null | grep -v '/err$' | xargs -r -n1 basename)"
expect_eq "the key is in no file under any data directory" "" "$(grep -rl -- "$KEY" "$WORK"/data? 2>/dev/null)"
expect_eq "the retries were logged (without the key)" yes \
  "$(grep -q 'attempt 1 failed, retrying' "$WORK/O.err" && echo yes)"
