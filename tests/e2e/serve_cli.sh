# The CLI next to a running server: reads go direct, ingests go to the server; the API
# reference agrees with the route table; SIGTERM ends the server cleanly.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
LAKEHOUSE_TRACING_EXPORTER=file LAKEHOUSE_TRACING_FILE="$WORK/traces.jsonl" \
  "$LH" serve --bind 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
trap 'kill -9 $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do grep -q "serving" "$WORK/serve.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out")
[[ -n $URL ]] && ok "server is up at $URL" || { not_ok "server is up"; cat "$WORK/serve.err"; exit 0; }

printf 'id,city\n1,Lisbon\n2,Porto\n' > towns.csv
check "lakehouse ingest while the server holds the lock" "$LH" ingest towns.csv --json
expect_eq "the ingest went through the server" "towns 0 2" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["dataset"], d["version"], d["rows_added"])' "$WORK/out")"
expect_eq "lakehouse sql reads directly while serving" "2" "$(sql 'SELECT count(*) FROM towns')"
expect_eq "the server sees the new dataset" "2" \
  "$(curl -s -X POST -H 'Content-Type: application/json' -d '{"sql":"SELECT count(*) AS n FROM towns"}' "$URL/query/sql" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0][0])')"
printf 'a,b\n1,2,3\n' > bad.csv
expect_fail "a bad file sent to the server fails on one line" "ragged" "$LH" ingest bad.csv
check "--server names the server explicitly" "$LH" ingest towns.csv --server "$URL"
grep -q "already ingested" "$WORK/out" && ok "dedup through the server" || not_ok "dedup through the server"

# docs/API.md carries the route table exactly as the server defines it
expect_eq "docs/API.md lists exactly the routes of src/api/routes.c" "$("$LH" serve --routes)" \
  "$(sed -n '/<!-- routes -->/,/<!-- \/routes -->/p' "$LH_REPO/docs/API.md" | sed '1d;$d')"

# format parquet: a download that DuckDB reads back with its types
curl -s -D "$WORK/h.txt" -o "$WORK/result.parquet" -X POST -H 'Content-Type: application/json' \
  -d '{"sql":"SELECT id, city FROM towns ORDER BY id","format":"parquet"}' "$URL/query/sql"
grep -qi '^X-Row-Count: 2' "$WORK/h.txt" && ok "parquet download says its row count" || not_ok "parquet download row count"
DUCKREF=$WORK/duckref
if build_duckref "$DUCKREF"; then
  expect_eq "the parquet download holds the rows with their types" "BIGINT,1,Lisbon" \
    "$("$DUCKREF" "SELECT typeof(id), id, city FROM read_parquet('$WORK/result.parquet') ORDER BY id LIMIT 1")"
fi
expect_eq "nothing of the download stays in staging" "0" "$(find "$LAKEHOUSE_DATA/_staging" -name 'export-*' | wc -l)"

# tracing: a W3C traceparent is honoured and comes back as the parent of our span
tp_out=$(curl -s -D - -o /dev/null -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' "$URL/health" | tr -d '\r' | grep -i '^traceparent:')
[[ $tp_out == *"00-4bf92f3577b34da6a3ce929d0e0e4736-"* ]] && ok "traceparent is honoured in the reply" || { not_ok "traceparent is honoured"; echo "# $tp_out"; }

kill -TERM $server
wait $server
expect_eq "SIGTERM: the server exits 0" "0" "$?"
expect_fail "after the server stops, the CLI is the writer again (local error, not forwarded)" "^lakehouse: ingest bad.csv: ragged" "$LH" ingest bad.csv
expect_eq "OTLP/JSON trace lines: the traced request is a child of the caller's span, with route and engine spans" "00f067aa0ba902b7 GET /health route engine" \
  "$(python3 -c "
import json,sys
for line in open(sys.argv[1]):
    spans = json.loads(line)['resourceSpans'][0]['scopeSpans'][0]['spans']
    if spans[0]['traceId'] == '4bf92f3577b34da6a3ce929d0e0e4736':
        print(spans[0]['parentSpanId'], spans[0]['name'], *[s['name'] for s in spans[1:]])
" "$WORK/traces.jsonl")"
python3 -c "
import json,sys
for line in open(sys.argv[1]):
    if line.startswith('{'): json.loads(line)
" "$WORK/serve.err" && ok "access log lines are JSON" || not_ok "access log lines are JSON"
