#!/usr/bin/env bash
# Search, RAG and evaluation over a vector index (issue 14, items 4, 6, 7, 8, 9), through the
# CLI and a real server on loopback: a `where` filter returns only matching rows; a
# tombstoned key is gone from search at once; RAG citations point at real rows (their
# character offsets slice the quote out of the source text read back with SQL time
# travel); evaluate on a tiny judged set gives the numbers computed by hand below; every
# bad input is one clear line and changes nothing; hostile where predicates
# (tests/attacks/where.jsonl) are refused.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
covers() { :; } # read by http_api.sh's route coverage

# ---- a small corpus: four topics, two states, a few words only one or two rows hold
{
  echo "id,state,body"
  topics=("led the payments platform migration to kubernetes. Owned the payments ledger and the settlement jobs."
          "bakes sourdough bread and pastry every morning. Runs the bakery ovens and the pastry counter."
          "builds fraud detection models for card payments. Tunes the fraud models on risk data."
          "runs kubernetes clusters as site reliability engineer. Keeps the clusters on call and patched.")
  for i in $(seq 1 24); do
    st=TX; ((i % 3 == 0)) && st=CA
    echo "$i,$st,\"Zoë Nº$i $( ((i % 2)) && echo 'Résumé:' || echo 'Profile:') ${topics[$((i % 4))]} Worked $i years.\""
  done
  echo "101,CA,\"The zephyr project shipped a payments gateway.\""
  echo "102,CA,\"Nebula telescope data pipeline with streaming ingestion, batch jobs, dashboards and alerting for the operations team.\""
  echo "103,TX,\"Nebula scheduling service.\""
} > docs.csv
printf 'id,name\n1,secret\n' > other.csv
check "ingest docs" "$LH" ingest docs.csv
check "ingest other" "$LH" ingest other.csv
check "build the index (foreground)" "$LH" vectors index docs --text body --key id
IDX=docs_body

# ---- CLI search
out=$("$LH" search docs "payments migration kubernetes" --where "state = 'TX'" --k 10 --columns state,id --json)
keys=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted({h["key"] for h in d["results"]}, key=int)))')
tx=$(sql "SELECT string_agg(CAST(id AS VARCHAR), ' ' ORDER BY id) FROM docs WHERE state = 'TX'")
bad=$(for k in $keys; do [[ " $tx " == *" $k "* ]] || echo "$k"; done)
[[ -n $keys && -z $bad ]] && ok "CLI search --where returns only TX rows ($keys)" || { not_ok "CLI search --where returns only TX rows"; echo "# keys '$keys' not in TX: '$bad'"; }
cols=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(all(h["columns"]["state"]=="TX" and str(h["columns"]["id"])==h["key"] for h in d["results"]))')
expect_eq "CLI search --columns returns the source columns of each hit" True "$cols"
ver=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({h["table_version"] for h in d["results"]})')
expect_eq "each hit carries the source table version" "{0}" "$ver"
top=$("$LH" search "$IDX" "sourdough bread pastry" --mode lexical --k 1 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["results"][0]; print(d["mode"], "sourdough" in r["text"])')
expect_eq "lexical search by index name finds the bakery rows" "lexical True" "$top"
for m in dense hybrid; do
  n=$("$LH" search docs "bakery pastry" --mode $m --k 3 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["mode"], len(d["results"]))')
  expect_eq "CLI search --mode $m answers" "$m 3" "$n"
done
check "CLI search prints a ranked list" "$LH" search docs "fraud models"
grep -q ' 1\. ' "$WORK/out" && ok "the text output numbers its hits" || not_ok "the text output numbers its hits"

# ---- evaluate on a tiny judged set, by hand (lexical: BM25 ranks whole rows here)
#   q1 "zephyr": only row 101 holds the word, judged grade 2: rank 1 -> nDCG 1, recall 1
#   q2 "quasar": no row holds it, judged 101: nothing found -> nDCG 0, recall 0
#   q3 "nebula": rows 102 and 103 hold it once; 103 is shorter, so BM25 ranks it first;
#                judged 102 (grade 1) at rank 2 -> nDCG 1/log2(3) = 0.63093, recall 1
#   mean nDCG@10 = (1 + 0 + 0.63093) / 3 = 0.54364, recall@10 = 2/3 = 0.66667
printf 'query_id,text\nq1,zephyr\nq2,quasar\nq3,nebula\n' > q.csv
printf 'query_id,key,grade\nq1,101,2\nq2,101,1\nq3,102,1\n' > qrels.csv
check "ingest judged queries" "$LH" ingest q.csv --name evalq
check "ingest judgements" "$LH" ingest qrels.csv --name evalj
ev=$("$LH" vectors evaluate "$IDX" --queries evalq --judgements evalj --k 10 --json)
got=$(printf '%s' "$ev" | python3 -c 'import json,sys; d=json.load(sys.stdin); m=d["modes"]; print(d["queries"], "%.5f %.5f" % (m["lexical"]["ndcg_at_10"], m["lexical"]["recall_at_k"]), sorted(m))')
expect_eq "vectors evaluate: lexical nDCG@10 and recall@10 as computed by hand" "3 0.54364 0.66667 ['dense', 'hybrid', 'lexical']" "$got"
check "vectors evaluate prints a table" "$LH" vectors evaluate "$IDX" --queries evalq --judgements evalj
grep -q 'nDCG@10' "$WORK/out" && ok "the table names nDCG@10" || not_ok "the table names nDCG@10"

# ---- CLI bad input: one line, nothing changed
before=$(data_state)
expect_fail "CLI: unknown index" "no index 'nope'" "$LH" search nope "x"
expect_fail "CLI: unknown column" "unknown column 'nope' in dataset docs" "$LH" search docs "x" --columns nope
expect_fail "CLI: k out of range names the bound" "from 1 to 1000" "$LH" search docs "x" --k 1001
expect_fail "CLI: k 0" "from 1 to 1000" "$LH" search docs "x" --k 0
expect_fail "CLI: empty query" "query is empty" "$LH" search docs "   "
expect_fail "CLI: bad where (syntax)" "^lakehouse: where" "$LH" search docs "x" --where "state = "
expect_fail "CLI: bad where (unknown column) names it" "nope" "$LH" search docs "x" --where "nope = 1"
expect_fail "CLI: where over another dataset" "only the columns of dataset docs" "$LH" search docs "x" --where "id IN (SELECT id FROM other)"
expect_fail "CLI: bad mode" "dense, lexical or hybrid" "$LH" search docs "x" --mode fuzzy
expect_fail "CLI: ask with an empty question" "query is empty" "$LH" ask docs " "
expect_eq "CLI bad input changed nothing" "$before" "$(data_state)"

# ---- a second index of the same dataset: a dataset name no longer picks one
check "build a second index of docs" "$LH" vectors index docs --text body --key id --name docs_b
expect_fail "CLI: a dataset with two indexes says which to pick" "docs has 2 indexes; name the one to search: docs_b, docs_body" "$LH" search docs "x"
check "drop it" "$LH" vectors drop docs_b

# ---- HTTP
if srv_start A; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL
covers "POST /vectors/search"
covers "POST /vectors/rag"
covers "POST /vectors/evaluate"
post() { # post PATH BODY: the status; the body in $WORK/body
  curl -sS --max-time 120 -o "$WORK/body" -w '%{http_code}' -XPOST -H "$J" "$URL$1" -d "$2"
}
code=$(post /vectors/search "{\"index\":\"$IDX\",\"query\":\"payments migration kubernetes\",\"k\":10,\"where\":\"state = 'CA'\",\"columns\":[\"state\"]}")
expect_eq "HTTP search with where: 200" 200 "$code"
expect_eq "HTTP search with where: only CA rows" "True" "$(jb 'len(d["results"]) > 0 and all(h["columns"]["state"] == "CA" for h in d["results"])')"
expect_eq "HTTP search response shape" "$IDX hybrid" "$(jb '(d["index"], d["mode"])')"

# tombstone the best hit: gone from search (and RAG) when the call returns
code=$(post /vectors/search "{\"index\":\"docs\",\"query\":\"zephyr payments gateway\",\"k\":3,\"mode\":\"lexical\"}")
expect_eq "before the tombstone, row 101 is the top hit" "200 101" "$code $(jb 'd["results"][0]["key"]')"
code=$(post /catalog/datasets/by-name/docs/tombstone '{"row_key_column":"id","row_key_values":[101],"reason":"test"}')
expect_eq "tombstone row 101" 200 "$code"
for m in lexical dense hybrid; do
  post /vectors/search "{\"index\":\"docs\",\"query\":\"zephyr payments gateway\",\"k\":50,\"mode\":\"$m\"}" >/dev/null
  expect_eq "$m search right after the tombstone: 101 is gone" "False" "$(jb '"101" in [h["key"] for h in d["results"]]')"
done
post /vectors/rag '{"index":"docs","question":"what did the zephyr project ship?","k":5}' >/dev/null
expect_eq "RAG right after the tombstone: 101 never cited" "False" "$(jb '"101" in [c["key"] for c in d["citations"]]')"

# RAG: citations point at real rows; their offsets slice the quote out of the source text
code=$(post /vectors/rag '{"index":"docs","question":"who led the payments platform migration to kubernetes?","k":3}')
expect_eq "RAG: 200" 200 "$code"
cp "$WORK/body" "$WORK/rag.json"
expect_eq "RAG: an answer with citations" "True" "$(jb 'len(d["answer"]) > 0 and len(d["citations"]) > 0 and d["provider"] == "builtin"')"
n=0; good=0
while IFS=$'\t' read -r key ver start end quote; do
  n=$((n + 1))
  got=$("$LH" sql "SELECT substring(body, $start + 1, $end - $start) AS q FROM docs WHERE id = $key" --as-of docs="$ver" --format json \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["rows"]; print(r[0][0] if r else "<no row>")')
  [[ $got == "$quote" ]] && good=$((good + 1)) || echo "# citation $key@$ver [$start,$end): '$got' != '$quote'"
done < <(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for c in d["citations"]:
    print("\t".join(str(c[k]) for k in ("key","table_version","start","end","quote")))' "$WORK/rag.json")
expect_eq "RAG: every citation's offsets slice its quote from the row read with time travel ($n)" "$n" "$good"
expect_eq "RAG: the answer quotes the migration row" "True" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("migration" in d["answer"])' "$WORK/rag.json")"
ck=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(c["key"] for c in d["citations"]))' "$WORK/rag.json")
real=0
for k in $ck; do [[ $(sql "SELECT count(*) FROM docs WHERE id = $k") == 1 ]] && real=$((real + 1)); done
expect_eq "RAG: every cited key is a visible row of docs" "$(wc -w <<<"$ck")" "$real"
code=$(post /vectors/rag "{\"index\":\"docs\",\"question\":\"who bakes bread?\",\"k\":3,\"where\":\"state = 'CA'\"}")
expect_eq "RAG with where cites only CA rows" "200 True" "$code $(python3 -c 'import json,sys,subprocess
d=json.load(open(sys.argv[1])); ks=[c["key"] for c in d["citations"]]
print(len(ks)>0 and all(int(k)%3==0 or k in ("101","102") for k in ks))' "$WORK/body")"

code=$(post /vectors/evaluate "{\"index\":\"$IDX\",\"queries\":\"evalq\",\"judgements\":\"evalj\",\"modes\":[\"lexical\"],\"k\":10}")
expect_eq "HTTP evaluate: lexical as by hand (101 is tombstoned now: q1 and q2 find nothing)" \
  "200 0.21031 0.33333" "$code $(jb '"%.5f %.5f" % (d["modes"]["lexical"]["ndcg_at_10"], d["modes"]["lexical"]["recall_at_k"])')"

# the server's cache follows a drop and a rebuild under the same name
wait_job() { # wait_job: the job in $WORK/body until it ends; prints its state
  local id; id=$(jb 'd["job_id"]') s=
  for _ in $(seq 600); do
    s=$(curl -sS "$URL/vectors/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [[ $s == succeeded || $s == failed || $s == cancelled ]] && break
    sleep 0.2
  done
  echo "$s"
}
post /vectors/index '{"name":"docs_t","dataset":"docs","text_column":"body","key_column":"id"}' >/dev/null
expect_eq "build docs_t over body (server job)" succeeded "$(wait_job)"
post /vectors/search '{"index":"docs_t","query":"sourdough bakery","k":1,"mode":"lexical"}' >/dev/null
expect_eq "docs_t searches the body texts (now cached)" True "$(jb '"sourdough" in d["results"][0]["text"]')"
code=$(curl -sS -o /dev/null -w '%{http_code}' -XDELETE "$URL/vectors/indexes/docs_t")
expect_eq "drop docs_t" 200 "$code"
expect_eq "a dropped index is not served from the cache" 404 "$(post /vectors/search '{"index":"docs_t","query":"sourdough","k":1}')"
post /vectors/index '{"name":"docs_t","dataset":"docs","text_column":"state","key_column":"id"}' >/dev/null
expect_eq "rebuild docs_t over state (same name)" succeeded "$(wait_job)"
post /vectors/search '{"index":"docs_t","query":"TX","k":1,"mode":"lexical"}' >/dev/null
expect_eq "the rebuilt index is searched, not the cached one" TX "$(jb 'd["results"][0]["text"]')"
expect_eq "drop docs_t again" 200 "$(curl -sS -o /dev/null -w '%{http_code}' -XDELETE "$URL/vectors/indexes/docs_t")"

# a query vector (dense): 256 numbers for this index
vec=$(python3 -c 'print(",".join(["0.0625"] * 256))')
code=$(post /vectors/search "{\"index\":\"docs\",\"vector\":[$vec],\"k\":4}")
expect_eq "HTTP search by a query vector: dense, k hits" "200 dense 4" "$code $(jb '(d["mode"], len(d["results"]))')"
before=$(server_state)
bad() { # bad WHAT STATUS PATTERN BODY [PATH]
  local code; code=$(post "${5:-/vectors/search}" "$4")
  local msg; msg=$(jb 'd["error"]["message"] if isinstance(d.get("error"), dict) else d.get("error", d)')
  if [[ $code == "$2" ]] && grep -qiE "$3" <<<"$msg" && [[ $msg != *$'\n'* ]]; then ok "HTTP $1"
  else not_ok "HTTP $1"; echo "# $code: $(head -c 400 "$WORK/body")"; fi
}
bad "unknown index: 404" 404 "no index 'nope'" '{"index":"nope","query":"x"}'
bad "unknown column: 400" 400 "unknown column 'nope' in dataset docs" '{"index":"docs","query":"x","columns":["nope"]}'
bad "dims mismatch: 400" 400 "3 dimensions; index docs_body has 256" '{"index":"docs","vector":[1,2,3]}'
bad "k 0: 400 naming the bound" 400 "from 1 to 1000" '{"index":"docs","query":"x","k":0}'
bad "k 1001: 400 naming the bound" 400 "from 1 to 1000" '{"index":"docs","query":"x","k":1001}'
bad "empty query: 400" 400 "query is empty" '{"index":"docs","query":" "}'
bad "no query and no vector: 400" 400 "query .text. or a vector" '{"index":"docs"}'
bad "bad where: 400 naming it" 400 "^where" '{"index":"docs","query":"x","where":"state = "}'
bad "where with an unknown column: 400 naming it" 400 "nope" '{"index":"docs","query":"x","where":"nope = 1"}'
bad "bad mode: 400" 400 "dense, lexical or hybrid" '{"index":"docs","query":"x","mode":"fuzzy"}'
bad "unknown field: 400" 400 "bogus" '{"index":"docs","query":"x","bogus":1}'
bad "weight out of range: 400" 400 "weight" '{"index":"docs","query":"x","weight":2}'
bad "rag: empty question" 400 "query is empty" '{"index":"docs","question":""}' /vectors/rag
bad "rag: k out of range" 400 "from 1 to 100" '{"index":"docs","question":"x","k":101}' /vectors/rag
bad "evaluate: unknown dataset: 404" 404 "queries dataset nope" "{\"index\":\"docs\",\"queries\":\"nope\",\"judgements\":\"evalj\"}" /vectors/evaluate
bad "evaluate: bad mode" 400 "unknown mode 'x'" "{\"index\":\"docs\",\"queries\":\"evalq\",\"judgements\":\"evalj\",\"modes\":[\"x\"]}" /vectors/evaluate
expect_eq "HTTP bad input changed nothing" "$before" "$(server_state)"

# ---- hostile where predicates (tests/attacks/where.jsonl), HTTP and CLI
python3 - "$URL" "$LH_REPO/tests/attacks/where.jsonl" "$LAKEHOUSE_DATA" "$LH" <<'PY'
import json, subprocess, sys, urllib.request, urllib.error
url, corpus, data, lh = sys.argv[1:5]
for n, line in enumerate(open(corpus), 1):
    e = json.loads(line)
    where = e["where"].replace("$DATA", data)
    refused = e["expect"] == "refused"
    body = json.dumps({"index": "docs", "query": "payments", "where": where, "k": 5}).encode()
    req = urllib.request.Request(url + "/vectors/search", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            code, text = r.status, r.read()
    except urllib.error.HTTPError as x:
        code, text = x.code, x.read()
    good = (400 <= code < 500) if refused else code == 200
    print(("ok - " if good else "not ok - ") + "HTTP where #%d %s: %s" % (n, e["expect"], e["why"]))
    if not good:
        print("# HTTP %d: %s" % (code, text[:300]))
    p = subprocess.run([lh, "search", "docs", "payments", "--where", where], capture_output=True, timeout=60)
    err = p.stderr.decode(errors="replace")
    good = (p.returncode != 0 and err.count("\n") == 1) if refused else p.returncode == 0
    print(("ok - " if good else "not ok - ") + "CLI where #%d %s: %s" % (n, e["expect"], e["why"]))
    if not good:
        print("# exit %d: %s" % (p.returncode, err[:300]))
PY
expect_eq "hostile where predicates changed nothing" "$before" "$(server_state)"
expect_eq "no planted file" "" "$(find "$LAKEHOUSE_DATA" -name 'pwn*' -print)"
code=$(post /vectors/search '{"index":"docs","query":"payments","k":1}')
expect_eq "the server still searches" 200 "$code"
srv_stop "$SRV_PID"
expect_eq "server stops cleanly" 0 "$SRV_RC"
