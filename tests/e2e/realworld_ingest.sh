# Real-world-shaped files (tests/data/realworld): encodings converted to UTF-8, compressed
# input decompressed while staging, CSV overrides. Each file through the CLI and over HTTP,
# with its expected rows, columns and a telling value; every refusal one clean line
# without internal paths or raw engine text.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
R=$LH_REPO/tests/data/realworld

export LAKEHOUSE_DATA=$WORK/cli
if srv_start S LAKEHOUSE_DATA="$WORK/srv"; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/S.err")"; exit 1; fi
URL=$SRV_URL

# clean FILE: no staging path, no data directory, no raw engine text.
clean() { ! grep -qE "_staging|$WORK/cli|$WORK/srv|engine:|Error:|Invalid Input" "$1"; }
# hsql QUERY: one query over HTTP, the rows as CSV lines.
hsql() {
  curl -sS -H 'Content-Type: application/json' -d "$(python3 -c 'import json,sys; print(json.dumps({"sql": sys.argv[1]}))' "$1")" \
    "$URL/query/sql" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d.get("rows", []):
    print(",".join("" if v is None else str(v) for v in (r.values() if isinstance(r, dict) else r)))'
}

# FILE | CLI flags | HTTP fields (k=v,...) | rows | columns | query (on DS) | expected first row
cases=(
  "latin1_people.csv||4|id,name,city,price|SELECT name, city FROM DS WHERE id=1|José,São Paulo"
  "cp1252_prices.csv||3|sku,label,price|SELECT label, replace(price, ',', '.') FROM DS WHERE sku='B2'|“Smart” quotes – dash,€12.00"
  "utf16le_bom.csv||3|id,word,city|SELECT word, city FROM DS WHERE id=3|日本語,東京"
  "utf16be_bom.csv||3|id,word,city|SELECT word, city FROM DS WHERE id=1|über,Köln"
  "utf16le_nobom.csv||3|id,word,city|SELECT word FROM DS WHERE id=2|façade"
  "utf16be_nobom.csv||3|id,word,city|SELECT city FROM DS WHERE id=2|Genève"
  "utf8_bom.csv||3|id,word,city|SELECT word FROM DS WHERE id=1|über"
  "bom_trailing_empty_header.csv||3|name,city,column2,column3|SELECT city FROM DS WHERE name='Cleo'|Lima"
  "preamble_semicolon.csv|skip=3|3|date,amount,memo|SELECT memo FROM DS WHERE amount > 0|Salary"
  "noheader.csv|header=false|4|column0,column1,column2|SELECT column2 FROM DS WHERE column1=9|beta"
  "orders.csv.gz||100|order_id,customer,amount,placed_at|SELECT customer FROM DS WHERE order_id=8|cust1"
  "orders.csv.zst||100|order_id,customer,amount,placed_at|SELECT sum(order_id) FROM DS|5050"
  "orders.csv.bz2||100|order_id,customer,amount,placed_at|SELECT max(amount) FROM DS|300.25"
  "orders.csv.xz||100|order_id,customer,amount,placed_at|SELECT count(DISTINCT customer) FROM DS|7"
  "events.ndjson.gz||50|event,user,ok|SELECT count(*) FROM DS WHERE event='buy'|16"
  "events.ndjson.zst||50|event,user,ok|SELECT max(user) FROM DS|49"
  "events.ndjson.bz2||50|event,user,ok|SELECT count(*) FROM DS WHERE ok|25"
  "events.ndjson.xz||50|event,user,ok|SELECT min(user) FROM DS|0"
  "orders_noext||100|order_id,customer,amount,placed_at|SELECT count(*) FROM DS|100"
  "latin1_people.csv.gz||4|id,name,city,price|SELECT city FROM DS WHERE id=3|Besançon"
)

n=0
for c in "${cases[@]}"; do
  IFS='|' read -r file fields rows cols query want <<<"$c"
  n=$((n + 1))
  # CLI flags from the fields: skip=3 -> --skip 3; header=false -> --no-header.
  flags=()
  IFS=',' read -ra kv <<<"$fields"
  for f in "${kv[@]}"; do
    k=${f%%=*} v=${f#*=}
    if [[ $k == header ]]; then [[ $v == true ]] && flags+=(--header) || flags+=(--no-header)
    elif [[ -n $k ]]; then flags+=("--$k" "$v"); fi
  done
  ds=c$n
  if "$LH" ingest --json --name "$ds" "${flags[@]}" "$R/$file" >"$WORK/out" 2>"$WORK/err"; then
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["rows_added"], ",".join(d["columns"]))' "$WORK/out")
    expect_eq "CLI $file: rows and columns" "$rows $cols" "$got"
    expect_eq "CLI $file: values" "$want" "$(sql "${query//DS/$ds}" | head -n 1)"
  else
    not_ok "CLI $file: ingested"; echo "# $(head -c 400 "$WORK/err")"
  fi
  ds=h$n
  form=(-F "file=@$R/$file" -F "name=$ds")
  for f in "${kv[@]}"; do [[ -n $f ]] && form+=(-F "$f"); done
  code=$(curl -sS -o "$WORK/body" -w '%{http_code}' "${form[@]}" "$URL/ingest/file")
  if [[ $code == 200 ]]; then
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["results"][0]; print(d["rows_added"], ",".join(d["columns"]))' "$WORK/body")
    expect_eq "HTTP $file: rows and columns" "$rows $cols" "$got"
    expect_eq "HTTP $file: values" "$want" "$(hsql "${query//DS/$ds}" | head -n 1)"
  else
    not_ok "HTTP $file: ingested ($code)"; echo "# $(head -c 400 "$WORK/body")"
  fi
done

# The issue's reproduction, and lineage naming the encoding and the compression.
printf 'name,city\nJos\xe9,S\xe3o Paulo\n' >l1.csv
check "CLI: l1.csv (Latin-1) ingested" "$LH" ingest l1.csv
expect_eq "l1: José / São Paulo" "José,São Paulo" "$(sql 'SELECT * FROM l1')"
enc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lineage"]["parse_options"]["encoding"])' "$WORK/cli/_catalog/datasets/l1.json")
expect_eq "lineage records the detected encoding" "windows-1252" "$enc"
cp "$R/orders.csv.gz" any.csv.gz
check "CLI: any.csv.gz ingested" "$LH" ingest any.csv.gz
expect_eq "dataset of x.csv.gz is x" "100" "$(sql 'SELECT count(*) FROM "any"')"
z=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["lineage"]["parse_options"]; print(p["compression"], p["encoding"])' "$WORK/cli/_catalog/datasets/any.json")
expect_eq "lineage records the compression" "gzip utf-8" "$z"
"$LH" ingest any.csv.gz >"$WORK/out" 2>&1
if grep -q "already ingested" "$WORK/out"; then ok "the same .gz again is deduplicated"; else not_ok "dedup of a .gz"; echo "# $(head -c 300 "$WORK/out")"; fi
want_sha=$(sha256sum any.csv.gz | cut -d' ' -f1)
expect_eq "content_sha256 is of the compressed bytes" "$want_sha" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lineage"]["content_sha256"])' "$WORK/cli/_catalog/datasets/any.json")"
curl -sS -o "$WORK/body" -F "file=@any.csv.gz" -F name=hany "$URL/ingest/file"
curl -sS -o "$WORK/body2" -F "file=@any.csv.gz" -F name=hany "$URL/ingest/file"
expect_eq "HTTP: the same .gz upload twice is deduplicated" "True" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["deduplicated"])' "$WORK/body2")"
check "CLI --encoding latin-1 forces the encoding" "$LH" ingest --name forced --encoding latin-1 "$R/latin1_people.csv"
expect_eq "forced encoding in lineage" "iso-8859-1" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lineage"]["parse_options"]["encoding"])' "$WORK/cli/_catalog/datasets/forced.json")"
check "CLI --header keeps the header line" "$LH" ingest --name forcedhdr --header "$R/bom_trailing_empty_header.csv"
expect_eq "--header: names" "Ann" "$(sql 'SELECT name FROM forcedhdr ORDER BY name LIMIT 1')"
printf "a|b\n'x|y'|2\n" >q.csv
check "CLI --delim and --quote" "$LH" ingest --delim '|' --quote "'" q.csv
expect_eq "--delim/--quote: a quoted delimiter" "x|y,2" "$(sql 'SELECT * FROM q')"

# HTTP: the dataset of an uploaded x.csv.gz is x; the CLI forwards its new flags to a
# running server.
curl -sS -o "$WORK/body" -F "file=@$R/orders.csv.bz2" "$URL/ingest/file"
expect_eq "HTTP: dataset of orders.csv.bz2 is orders" "orders 100" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["results"][0]; print(d["dataset"], d["rows_added"])' "$WORK/body")"
check "CLI forwards --skip to the running server" env LAKEHOUSE_DATA="$WORK/srv" "$LH" ingest --name fwd --skip 3 "$R/preamble_semicolon.csv"
expect_eq "forwarded --skip applied" "3" "$(hsql 'SELECT count(*) FROM fwd')"
expect_fail "CLI forwards --encoding (refusal from the server)" "byte 24 \(line 2\)" \
  env LAKEHOUSE_DATA="$WORK/srv" "$LH" ingest --name fwdbad --encoding utf-8 "$R/latin1_people.csv"

code=$(curl -sS -o "$WORK/body" -w '%{http_code}' -F "file=@$R/preamble_semicolon.csv" -F skip=3 "$URL/catalog/datasets/by-name/fwd/schema-diff")
expect_eq "HTTP schema-diff takes the CSV overrides" "200 True" \
  "$code $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["safe"])' "$WORK/body" 2>/dev/null)"

# Refusals: one clean line (CLI) or a 4xx with a clean message (HTTP); nothing changed.
python3 -c '
import gzip, sys
with gzip.open(sys.argv[1], "wb", 9) as g:
    for _ in range(64): g.write(b"a,b\n" * (1 << 18))' bomb.csv.gz
printf 'a,b\n1,2\n' >small.csv
refusals=(
  "$R/truncated.csv.gz||damaged or truncated"
  "$R/late_bad_utf8.csv||byte 105796 \\(line 4002\\) is not valid UTF-8.*--encoding"
  "bomb.csv.gz||decompression bomb"
  "$R/latin1_people.csv|encoding=utf-8|byte 24 \\(line 2\\) is not valid UTF-8; pass --encoding"
  "small.csv|encoding=klingon|unknown encoding 'klingon'"
  "small.csv|delim=ab|delimiter must be one character"
  "small.csv|skip=x|skip must be a number"
  "small.csv|header=maybe|header must be true or false"
  "$R/preamble_semicolon.csv||ragged rows.*pass --skip 3"
)
before=$(data_state)
for c in "${refusals[@]}"; do
  IFS='|' read -r file field pat <<<"$c"
  flags=()
  [[ -n $field ]] && flags=("--${field%%=*}" "${field#*=}")
  if [[ $field != header=* ]]; then # on the CLI, --header and --no-header take no value
    expect_fail "CLI $(basename "$file") $field: refused" "$pat" "$LH" ingest --name refused "${flags[@]}" "$file"
    if clean "$WORK/err"; then ok "CLI $(basename "$file") $field: message is clean"; else not_ok "CLI $(basename "$file"): clean"; echo "# $(cat "$WORK/err")"; fi
  fi
  form=(-F "file=@$file" -F name=hrefused)
  [[ -n $field ]] && form+=(-F "$field")
  code=$(curl -sS -o "$WORK/body" -w '%{http_code}' "${form[@]}" "$URL/ingest/file")
  if [[ $code == 4* ]] && grep -qiE "$pat" "$WORK/body" && clean "$WORK/body"; then ok "HTTP $(basename "$file") $field: refused cleanly ($code)"
  else not_ok "HTTP $(basename "$file") $field: refused cleanly"; echo "# $code $(head -c 400 "$WORK/body")"; fi
done
expect_eq "refusals changed nothing (CLI data directory)" "$before" "$(data_state)"
if [[ -z $(ls -A "$WORK/cli/_staging" 2>/dev/null) ]]; then ok "nothing left in staging"; else not_ok "staging empty"; ls "$WORK/cli/_staging"; fi
curl -sf -o /dev/null "$URL/health" && ok "server still healthy" || not_ok "server still healthy"
