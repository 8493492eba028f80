#!/usr/bin/env bash
# Model profiles (issue 15, item 4) through the CLI and a real server on loopback: create
# (201, the stored shape), bad bodies (400 naming the field, nothing written), an unknown
# binding (400), a duplicate (409), get/list/delete, profiles kept across a restart;
# activate warms the profile's indexes and reports their graphs (an index of another model
# is skipped, listed), a scoped search within the bindings answers as /vectors/search does,
# an index outside them is refused with 403 naming the bindings, deactivate releases them.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
covers() { :; } # read by http_api.sh's route coverage

# ---- a small corpus in two datasets, one index each (the builtin model)
{
  echo "id,state,body"
  topics=("payments platform migration to kubernetes and the settlement ledger"
          "sourdough bread and pastry every morning at the bakery"
          "fraud detection models for card payments and risk data"
          "kubernetes clusters on call as a site reliability engineer")
  for i in $(seq 1 40); do echo "$i,TX,\"row $i: ${topics[$((i % 4))]}\""; done
} > docs.csv
printf 'id,body\n1,salary records of the board\n2,medical notes of the staff\n3,more salary notes\n' > hr.csv
check "ingest docs" "$LH" ingest docs.csv
check "ingest hr" "$LH" ingest hr.csv
check "index docs" "$LH" vectors index docs --text body --key id
check "index hr" "$LH" vectors index hr --text body --key id

# ---- CLI: create, list, show, errors (no server yet: the CLI writes itself)
cat > analyst.json <<'EOF'
{"id": "analyst", "description": "searches the docs only", "embed": {"provider": "builtin"},
 "generate_model": null, "bound_datasets": ["docs"],
 "hnsw": {"M": 8, "ef_construction": 40, "ef_search": 20, "seed": 7}}
EOF
check "CLI profiles create --file" "$LH" profiles create --file analyst.json
expect_eq "CLI create prints the stored profile" "analyst builtin lsa-256 cli" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["id"], d["embed"]["provider"], d["embed"]["model"], d["created_by"])' "$WORK/out")"
expect_eq "the profile is one file under _catalog/profiles" "analyst.json" "$(ls "$LAKEHOUSE_DATA/_catalog/profiles")"
expect_fail "CLI create of a taken id" "profile 'analyst' already exists" "$LH" profiles create --file analyst.json
printf '{"id": "x", "embed": {"provider": "builtin"}, "bound_datasets": ["nope"]}' > bad.json
expect_fail "CLI create with an unknown binding" "bound dataset 'nope' is neither a dataset nor an AI-safe view" \
  "$LH" profiles create --file bad.json
expect_fail "CLI show of a bad id" "profile id '../x' may only hold" "$LH" profiles show ../x
expect_fail "CLI show of an unknown id" "no profile 'ghost'" "$LH" profiles show ghost
expect_fail "CLI activate without a server says it needs one" "needs a running server" "$LH" profiles activate analyst
check "CLI profiles list" "$LH" profiles list
grep -q '^analyst .*bound: docs .*M=8' "$WORK/out" && ok "the list names the profile, its binding and config" \
  || { not_ok "the list names the profile"; echo "# $(head -c 300 "$WORK/out")"; }

# ---- HTTP
if srv_start A; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL
req() { # req METHOD PATH [BODY]: the status; the body in $WORK/body
  local args=()
  [[ $# -ge 3 ]] && args=(-H "$J" -d "$3")
  curl -sS --max-time 120 -o "$WORK/body" -w '%{http_code}' -X "$1" "${args[@]}" "$URL$2"
}
emsg() { jb 'd["error"]["message"]'; }

covers "POST /catalog/profiles"
code=$(req POST /catalog/profiles '{"id":"team-hr","description":"HR","embed":{"provider":"builtin","model":"lsa-256"},"generate_model":"llama3","bound_datasets":["hr","docs"]}')
expect_eq "create: 201" 201 "$code"
expect_eq "create: the stored shape" "team-hr HR builtin lsa-256 llama3 ['hr', 'docs'] None anonymous 1 True" \
  "$(jb '(d["id"], d["description"], d["embed"]["provider"], d["embed"]["model"], d["generate_model"], d["bound_datasets"], d["hnsw"], d["created_by"], d["profile_version"], d["created_at"].endswith("Z"))')"

before=$(server_state)
bad() { # bad WHAT BODY STATUS MESSAGE-PART
  local code; code=$(req POST /catalog/profiles "$2")
  expect_eq "$1: $3 naming the problem" "$3 True" "$code $(python3 -c 'import json,sys; print(sys.argv[2] in json.load(open(sys.argv[1]))["error"]["message"])' "$WORK/body" "$4")"
}
E='"embed":{"provider":"builtin"}'
bad "unknown field" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"owner\":\"x\"}" 400 "unknown field 'owner'"
bad "created_by in the body" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"created_by\":\"root\"}" 400 "the server sets it"
bad "missing id" "{$E,\"bound_datasets\":[\"docs\"]}" 400 "field 'id' is required"
bad "id with a path" "{\"id\":\"../../_catalog/datasets/docs\",$E,\"bound_datasets\":[\"docs\"]}" 400 "profile id"
bad "id of 65 characters" "{\"id\":\"$(printf 'a%.0s' $(seq 65))\",$E,\"bound_datasets\":[\"docs\"]}" 400 "longer than 64"
bad "unknown provider" '{"id":"p","embed":{"provider":"acme"},"bound_datasets":["docs"]}' 400 "builtin, ollama or openai"
bad "network provider without a model" '{"id":"p","embed":{"provider":"openai"},"bound_datasets":["docs"]}' 400 "'embed.model' is required"
bad "empty bindings" "{\"id\":\"p\",$E,\"bound_datasets\":[]}" 400 "non-empty array"
bad "bindings of the wrong type" "{\"id\":\"p\",$E,\"bound_datasets\":{\"docs\":1}}" 400 "non-empty array"
bad "257 bindings" "{\"id\":\"p\",$E,\"bound_datasets\":[$(seq -f '"d%g"' -s, 1 257)]}" 400 "257 names, over the 256"
bad "unknown dataset" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\",\"nope\"]}" 400 "bound dataset 'nope' is neither a dataset nor an AI-safe view"
bad "M below the bound" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"hnsw\":{\"M\":2,\"ef_construction\":80,\"ef_search\":30,\"seed\":1}}" 400 "'hnsw.M' must be from 4 to 64, not 2"
bad "ef_construction over the bound" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"hnsw\":{\"M\":16,\"ef_construction\":401,\"ef_search\":30,\"seed\":1}}" 400 "'hnsw.ef_construction' must be from 10 to 400"
bad "ef_search over the bound" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"hnsw\":{\"M\":16,\"ef_construction\":80,\"ef_search\":201,\"seed\":1}}" 400 "'hnsw.ef_search' must be from 10 to 200"
bad "hnsw as a string" "{\"id\":\"p\",$E,\"bound_datasets\":[\"docs\"],\"hnsw\":\"fast\"}" 400 "'hnsw' must be null or an object"
bad "duplicate" "{\"id\":\"analyst\",$E,\"bound_datasets\":[\"docs\"]}" 409 "profile 'analyst' already exists"
bad "not an object" '["analyst"]' 400 "object"
expect_eq "the refused creates changed nothing" "$before" "$(server_state)"

covers "GET /catalog/profiles"
code=$(req GET /catalog/profiles)
expect_eq "list: both profiles by id" "200 analyst team-hr" "$code $(jb '" ".join(p["id"] for p in d["profiles"])')"
covers "GET /catalog/profiles/{id}"
code=$(req GET /catalog/profiles/analyst)
expect_eq "get: the profile the CLI made" "200 analyst ['docs'] 8 40 20 7" \
  "$code $(jb '(d["id"], d["bound_datasets"], d["hnsw"]["M"], d["hnsw"]["ef_construction"], d["hnsw"]["ef_search"], d["hnsw"]["seed"])')"
code=$(req GET /catalog/profiles/ghost)
expect_eq "get of an unknown id: 404 naming it" "404 no profile 'ghost'" "$code $(emsg)"
code=$(req GET /catalog/profiles/..%2F..%2F_catalog%2Fdatasets%2Fdocs)
[[ $code == 400 || $code == 404 ]] && ok "get with a path in the id: $code" || not_ok "get with a path in the id: $code"

# ---- activate: the profile's index warmed and given a graph with the profile's config
covers "POST /vectors/profile/{id}/activate"
code=$(req POST /vectors/profile/analyst/activate)
expect_eq "activate: 200" 200 "$code"
cp "$WORK/body" "$WORK/activate.json"
expect_eq "activate: docs_body warmed, nothing skipped or failed" "analyst ['docs_body'] docs 40 [] []" \
  "$(jb '(d["profile"], [w["index"] for w in d["warmed"]], d["warmed"][0]["dataset"], d["warmed"][0]["rows"], d["skipped"], d["failures"])')"
expect_eq "activate: a graph built with the profile's config over every row" "8 40 20 7 40 built True" \
  "$(jb '(lambda g: (g["M"], g["ef_construction"], g["ef_search"], g["seed"], g["rows"], g["source"], d["duration_ms"] >= 0))(d["warmed"][0]["graph"])')"
expect_eq "activate: the graph is saved next to the index" "1" "$(ls "$LAKEHOUSE_DATA/_vectors/docs_body/hnsw" | grep -c 'M8-efc40-s7')"
code=$(req POST /vectors/profile/analyst/activate)
expect_eq "activate again: the graph already active is kept" "200 active" "$code $(jb 'd["warmed"][0]["graph"]["source"]')"
code=$(req POST /vectors/profile/team-hr/activate)
expect_eq "activate a profile of two datasets: both indexes" "200 ['docs_body', 'hr_body']" "$code $(jb 'sorted(w["index"] for w in d["warmed"])')"
code=$(req POST /catalog/profiles '{"id":"net","embed":{"provider":"ollama","model":"nomic-embed-text"},"bound_datasets":["docs"]}')
expect_eq "create a profile of another model" 201 "$code"
code=$(req POST /vectors/profile/net/activate)
expect_eq "activate: an index of another model is skipped, with the reason" \
  "200 [] ['docs_body'] True" \
  "$code $(jb '([w["index"] for w in d["warmed"]], [s["index"] for s in d["skipped"]], "not the profile" in d["skipped"][0]["reason"])')"
code=$(req POST /vectors/profile/ghost/activate)
expect_eq "activate an unknown profile: 404" 404 "$code"

# ---- scoped search
covers "POST /vectors/profile/{id}/search"
Q='"query":"kubernetes clusters on call","k":5,"mode":"dense"'
code=$(req POST /vectors/profile/analyst/search "{\"index\":\"docs_body\",$Q}")
expect_eq "scoped search within the binding: 200, the profile named, answered by the graph" "200 analyst docs_body 5 hnsw" \
  "$code $(jb '(d["profile"], d["index"], len(d["results"]), d.get("method"))')"
scoped=$(jb '[h["key"] for h in d["results"]]')
code=$(req POST /vectors/search "{\"index\":\"docs_body\",$Q}")
expect_eq "the scoped search returns what /vectors/search returns" "200 $scoped" "$code $(jb '[h["key"] for h in d["results"]]')"
code=$(req POST /vectors/profile/analyst/search "{\"index\":\"docs\",$Q}")
expect_eq "scoped search by dataset name" "200 docs_body" "$code $(jb 'd["index"]')"
code=$(req POST /vectors/profile/analyst/search '{"index":"hr_body","query":"salary","k":3}')
expect_eq "out-of-scope search: 403 naming the allowed bindings" "403 forbidden profile 'analyst' may search only: docs" \
  "$code $(jb 'd["error"]["code"]') $(emsg)"
code=$(req POST /vectors/profile/analyst/search '{"index":"hr","query":"salary","k":3}')
expect_eq "out-of-scope search by dataset name: 403" 403 "$code"
code=$(req POST /vectors/profile/team-hr/search '{"index":"hr_body","query":"salary","k":3,"mode":"lexical"}')
expect_eq "the same index through a profile that binds it: 200 with salary rows" "200 True" \
  "$code $(jb 'len(d["results"]) > 0 and all("salary" in h["text"] for h in d["results"])')"
code=$(req POST /vectors/profile/analyst/search '{"index":"ghost_idx","query":"x"}')
expect_eq "scoped search of an unknown name: 403 as out of scope (nothing said of what exists)" \
  "403 profile 'analyst' may search only: docs" "$code $(emsg)"
code=$(req POST /vectors/search '{"index":"ghost_idx","query":"x"}')
expect_eq "the same name through /vectors/search: 404" 404 "$code"
code=$(req POST /vectors/profile/analyst/search "{\"index\":\"docs_body\",$Q,\"k\":0}")
expect_eq "scoped search with a bad k: 400 as /vectors/search" 400 "$code"
code=$(req POST /vectors/profile/ghost/search "{\"index\":\"docs_body\",$Q}")
expect_eq "search through an unknown profile: 404" "404 no profile 'ghost'" "$code $(emsg)"

# ---- deactivate
covers "POST /vectors/profile/{id}/deactivate"
code=$(req POST /vectors/profile/analyst/deactivate)
expect_eq "deactivate: docs_body's graph dropped and the index evicted" "200 analyst ['docs_body'] True True" \
  "$code $(jb '(d["profile"], [x["index"] for x in d["released"]], d["released"][0]["graph"], d["released"][0]["evicted"])')"
code=$(req POST /vectors/profile/analyst/deactivate)
expect_eq "deactivate again: nothing left to release" "200 False False" "$code $(jb '(d["released"][0]["graph"], d["released"][0]["evicted"])')"
code=$(req POST /vectors/profile/analyst/search "{\"index\":\"docs_body\",$Q}")
expect_eq "search after deactivate answers exactly (index loaded again)" "200 exact $scoped" \
  "$code $(jb 'd.get("method")') $(jb '[h["key"] for h in d["results"]]')"
code=$(req POST /vectors/profile/analyst/activate)
expect_eq "activate after deactivate: the graph comes back from its file" "200 file 40" \
  "$code $(jb '(d["warmed"][0]["graph"]["source"], d["warmed"][0]["graph"]["rows"])')"

# ---- restart keeps the profiles; delete
srv_stop "$SRV_PID"
expect_eq "server stops cleanly" 0 "$SRV_RC"
if srv_start B; then ok "server restarts"; else not_ok "server restarts"; exit 1; fi
URL=$SRV_URL
code=$(req GET /catalog/profiles)
expect_eq "after a restart: the same profiles" "200 analyst net team-hr" "$code $(jb '" ".join(p["id"] for p in d["profiles"])')"
code=$(req POST /vectors/profile/analyst/search '{"index":"hr_body","query":"salary"}')
expect_eq "after a restart: the scope still holds" 403 "$code"
check "CLI profiles activate goes to the running server" "$LH" profiles activate analyst
expect_eq "CLI activate: the server's report (graph from its file after the restart)" "analyst docs_body file" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["profile"], d["warmed"][0]["index"], d["warmed"][0]["graph"]["source"])' "$WORK/out")"
check "CLI profiles deactivate" "$LH" profiles deactivate analyst
expect_eq "CLI deactivate: the graph released" "docs_body True" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["released"][0]["index"], d["released"][0]["graph"])' "$WORK/out")"
covers "DELETE /catalog/profiles/{id}"
code=$(req DELETE /catalog/profiles/net)
expect_eq "delete: 200" "200 net" "$code $(jb 'd["deleted"]')"
code=$(req DELETE /catalog/profiles/net)
expect_eq "delete again: 404" 404 "$code"
code=$(req GET /catalog/profiles/net)
expect_eq "a deleted profile is gone" 404 "$code"
check "CLI profiles delete goes through the running server" "$LH" profiles delete team-hr
expect_eq "the server no longer has it" 404 "$(req GET /catalog/profiles/team-hr)"
expect_eq "only analyst's file is left" "analyst.json" "$(ls "$LAKEHOUSE_DATA/_catalog/profiles")"
srv_stop "$SRV_PID"
expect_eq "server stops cleanly again" 0 "$SRV_RC"
