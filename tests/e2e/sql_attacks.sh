#!/usr/bin/env bash
# The SQL part of the attack corpus (tests/attacks/sql.jsonl, docs/SECURITY.md): every
# entry through the CLI and through POST /query/sql. Refused entries must be refused,
# allowed ones must run, "timeout" ones must end by their deadline; afterwards the data
# directory is byte-identical, no planted file exists, and the server still serves.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT

printf 'id,name\n1,ann\n2,bob\n3,cyd\n' >"$WORK/people.csv"
check "ingest people" "$LH" ingest "$WORK/people.csv"
check "tombstone a row (makes __tomb__people)" "$LH" delete people --key id 2 --reason test
live=$(cd "$LAKEHOUSE_DATA" && ls tables/people/*.parquet | head -n 1)
before=$(data_state)

run_corpus() { # mode (cli|http) [url]
  python3 - "$1" "${2:-}" "$LH_REPO/tests/attacks/sql.jsonl" "$LAKEHOUSE_DATA" "$live" "$LH" <<'PY'
import json, subprocess, sys, urllib.request, urllib.error
mode, url, corpus, data, live, lh = sys.argv[1:7]
n = 0
for line in open(corpus):
    e = json.loads(line)
    sql = e["sql"].replace("$DATA", data).replace("$LIVE", data + "/" + live)
    exp = e["expect"]
    n += 1
    label = "%s #%d %s: %s" % (mode, n, exp, json.dumps(sql)[:90])
    if mode == "cli":
        p = subprocess.run([lh, "sql", "-", "--timeout-ms", "1500"], input=sql.encode(),
                           capture_output=True, timeout=60)
        err = p.stderr.decode(errors="replace")
        good = {"refused": p.returncode not in (0, 14) and err.count("\n") == 1,
                "allowed": p.returncode == 0,
                "timeout": p.returncode == 14}[exp]
        detail = "exit %d: %s" % (p.returncode, err[:200])
    else:
        body = json.dumps({"sql": sql, "timeout_ms": 1500}).encode()
        req = urllib.request.Request(url + "/query/sql", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                code = r.status
                try:
                    text = r.read()[:200]
                except Exception as x:  # a stream cut after the status: a failure mid-way
                    code, text = 599, repr(x)
        except urllib.error.HTTPError as x:
            code, text = x.code, x.read()[:200]
        good = {"refused": 400 <= code < 500, "allowed": code == 200, "timeout": code == 504}[exp]
        detail = "HTTP %d: %s" % (code, text)
    print(("ok - " if good else "not ok - ") + label)
    if not good:
        print("# " + detail.replace("\n", " "))
PY
}

run_corpus cli
expect_eq "CLI corpus left the data directory byte-identical" "$before" "$(data_state)"
planted() { find "$LAKEHOUSE_DATA" \( -name 'pwn*' -o -name 'p2.csv' -o -name 'out.*' -o -name exp -o -name 'x.duckdb' \) -print; }
expect_eq "no planted file (CLI)" "" "$(planted)"

tables_state() { (cd "$LAKEHOUSE_DATA" && find tables _catalog -type f -print0 | sort -z | xargs -0 -r sha256sum); }
tbefore=$(tables_state)
srv_start attacks || not_ok "server starts"
run_corpus http "$SRV_URL"
check "server still serves /health after the corpus" curl -sf "$SRV_URL/health"
check "the journal relation still answers" curl -sf "$SRV_URL/journal/recent"
curl -s -X POST "$SRV_URL/query/sql" -H 'Content-Type: application/json' \
  -d '{"sql": "SELECT string_agg(name, \u0027,\u0027 ORDER BY id) AS n FROM people", "format": "csv"}' >"$WORK/names"
expect_eq "people reads as before: the tombstoned row stays hidden" '"ann,cyd"' "$(tail -n 1 "$WORK/names" | tr -d '\r')"
srv_stop "$SRV_PID"
expect_eq "HTTP corpus left tables and catalog byte-identical" "$tbefore" "$(tables_state)"
expect_eq "no planted file (HTTP)" "" "$(planted)"
