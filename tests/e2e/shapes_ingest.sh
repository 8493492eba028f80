# Real-shaped files (tests/data/realworld/): wide CSVs, webhook JSON with lists of objects
# and colliding flattened names, log files. Each is ingested by the CLI and over HTTP
# (POST /ingest/file) and its rows and columns checked; user queries over 5,000 columns.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
RW=$LH_REPO/tests/data/realworld
cd "$WORK"
ncols() { sql "SELECT count(*) FROM (DESCRIBE SELECT * FROM $1)"; }
cols() { sql "SELECT column_name FROM (DESCRIBE SELECT * FROM $1)" | paste -sd' '; }

# ---- wide CSV ----------------------------------------------------------------------------
for n in 500 1200 5000; do
  python3 -c "import sys;n=int(sys.argv[1]);print(','.join(f'c{i}' for i in range(n)));[print(','.join(str((r*7+i)%97) for i in range(n))) for r in range(36)]" "$n" > "wide$n.csv"
  check "ingest a CSV of $n columns" "$LH" ingest "wide$n.csv"
  expect_eq "wide$n: $n columns" "$n" "$(ncols "wide$n")"
  expect_eq "wide$n: 36 rows, values intact" "36|$(python3 -c "print(sum((r*7+$n-1)%97 for r in range(36)))")" \
    "$(sql "SELECT count(*), sum(c$((n-1))) FROM wide$n" | tr ',' '|')"
done
expect_eq "SELECT * over 5,000 columns" "37" "$("$LH" sql 'SELECT * FROM wide5000' --format csv | wc -l)"
expect_eq "SELECT * over 5,000 columns as JSON" "5000" \
  "$("$LH" sql 'SELECT * FROM wide5000 LIMIT 1' --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["columns"]))')"
python3 -c "print(','.join(f'c{i}' for i in range(10001))); print(','.join('1'*10001))" > toowide.csv
expect_fail "over 10,000 columns is refused" "10000|10,000" "$LH" ingest toowide.csv
expect_eq "... and leaves no table directory behind" "" "$(ls "$LAKEHOUSE_DATA/tables" | grep -x toowide)"
# A failure while writing (a value past the sniffer's sample that does not fit the column's
# type) leaves no table directory either (it used to leave an empty one).
python3 -c "print('a,b'); [print(f'{i},{i}') for i in range(30000)]; print('x,1')" > failing.csv
expect_fail "a late bad value fails the ingest" "failing.csv" "$LH" ingest failing.csv
expect_eq "a failed first ingest leaves no table directory" "" "$(ls "$LAKEHOUSE_DATA/tables" | grep -x failing)"

# ---- nested JSON ---------------------------------------------------------------------------
echo '[{"id":1,"labels":[{"url":"y","name":"bug"}]}]' > t.json
check "a list of objects is kept as JSON text" "$LH" ingest t.json
expect_eq "t: labels as JSON text" '1|[{""url"":""y"",""name"":""bug""}]' "$(sql 'SELECT id, labels FROM t' | sed 's/^\([0-9]*\),"\(.*\)"$/\1|\2/')"
check "colliding flattened names are made unique" "$LH" ingest "$RW/json/collide.json"
expect_eq "collide: top-level name kept, flattened ones suffixed in order" "id a_b_c_2 a_b_c_3 a_b_c" "$(cols collide)"
expect_eq "collide: values under their names" "1,2,top|3,4,level" \
  "$(sql 'SELECT a_b_c_2, a_b_c_3, a_b_c FROM collide ORDER BY id' | paste -sd'|')"
"$LH" ingest "$RW/json/github_issues_event.json" --name gh_issue --json > gh.json
expect_eq "GitHub issue event: 1 row, 44 columns" "1 44" \
  "$(python3 -c 'import json; d=json.load(open("gh.json")); print(d["rows_added"], len(d["columns"]))')"
expect_eq "GitHub issue: labels_url next to labels (JSON text)" "2|https://api.github.com/repos/octo-org/widgets/issues/1347/labels{/name}" \
  "$(sql "SELECT json_array_length(issue_labels), issue_labels_url FROM gh_issue" | tr ',' '|')"
expect_eq "GitHub issue: reactions +1 flattened" "0" "$(sql 'SELECT "issue_reactions_+1" FROM gh_issue')"
check "GitHub push event" "$LH" ingest "$RW/json/github_push_event.json" --name gh_push
expect_eq "push: 2 commits as JSON, head_commit flattened" "2|Add docs|mona@example.com" \
  "$(sql "SELECT json_array_length(commits), head_commit_message, head_commit_author_email FROM gh_push" | tr ',' '|')"
check "Stripe-like events (NDJSON)" "$LH" ingest "$RW/json/stripe_events.ndjson" --name stripe
expect_eq "stripe: 2 rows, 24 columns" "2 24" "$(sql 'SELECT count(*) FROM stripe') $(ncols stripe)"
expect_eq "stripe: refunds list, nested address, previous attributes" "0||Berlin|1|false" \
  "$(sql "SELECT json_array_length(data_object_refunds_data), data_previous_attributes_refunded, data_object_billing_details_address_city FROM stripe ORDER BY created" | head -1 | tr ',' '|')|$(sql "SELECT json_array_length(data_object_refunds_data), data_previous_attributes_refunded FROM stripe ORDER BY created DESC LIMIT 1" | tr ',' '|')"

# ---- logs ------------------------------------------------------------------------------------
check "nginx combined log" "$LH" ingest "$RW/logs/nginx_access.log" --name nginx
expect_eq "nginx: a row per line with parsed columns" \
  "source line_no text host ident user timestamp method path protocol status bytes referer user_agent" "$(cols nginx)"
expect_eq "nginx: status, bytes, time zone applied" "4|2024-03-05 09:11:13+00|302|" \
  "$(sql "SELECT (SELECT count(*) FROM nginx), timestamp, status, bytes FROM nginx WHERE line_no = 2" | tr ',' '|')"
expect_eq "nginx: a garbled request line keeps NULL method" "400|" "$(sql 'SELECT status, method FROM nginx WHERE line_no = 4' | tr ',' '|')"
check "syslog RFC 5424" "$LH" ingest "$RW/logs/syslog_rfc5424.log" --name s5424
expect_eq "5424: level from PRI, timestamp to UTC" "crit|2024-03-05 21:14:15.003+00|su|4123" \
  "$(sql 'SELECT level, timestamp, app, pid FROM s5424 WHERE line_no = 2' | tr ',' '|')"
check "syslog RFC 3164" "$LH" ingest "$RW/logs/syslog_bsd.log" --name bsd
expect_eq "3164: host, app, pid, message" "4|web01|CRON|2301|(root) CMD (run-parts /etc/cron.hourly)" \
  "$(sql "SELECT (SELECT count(*) FROM bsd), host, app, pid, message FROM bsd WHERE line_no = 3" | tr ',' '|')"
check "JSON lines log" "$LH" ingest "$RW/logs/app_jsonl.log" --name jl
expect_eq "json lines: blank line skipped, line numbers kept, epoch seconds" "1;2;4|error|2024-03-05 10:11:14+00" \
  "$(sql 'SELECT string_agg(line_no, $$;$$ ORDER BY line_no) FROM jl')|$(sql 'SELECT level, timestamp FROM jl WHERE line_no = 4' | tr ',' '|')"
check "app log with a stack trace" "$LH" ingest "$RW/logs/plain_app.log" --name plain
expect_eq "app log: 5 lines, 3 parsed, trace lines keep NULL" "5|3|ERROR|2024-03-05 10:11:14.777+00" \
  "$(sql 'SELECT count(*), count(level) FROM plain' | tr ',' '|')|$(sql 'SELECT level, timestamp FROM plain WHERE line_no = 3' | tr ',' '|')"
printf 'first line\n\nsecond paragraph\n' > notes.txt
check "--format lines on a .txt" "$LH" ingest notes.txt --format lines --name notes_lines
expect_eq "--format lines: source, line_no, text only" "source line_no text|1;3" \
  "$(cols notes_lines)|$(sql 'SELECT string_agg(line_no, $$;$$ ORDER BY line_no) FROM notes_lines')"
check ".txt stays paragraphs" "$LH" ingest notes.txt
expect_eq ".txt: paragraph rows" "source paragraph_no line_start text" "$(cols notes)"

# ---- the same over HTTP ------------------------------------------------------------------------
export LAKEHOUSE_DATA=$WORK/http
if srv_start H; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/H.err")"; exit 1; fi
up() { curl -s -o "$WORK/body" -w '%{http_code}' "$SRV_URL/ingest/file" "$@"; }
q() { curl -s -X POST -H 'Content-Type: application/json' -d "$(python3 -c 'import json,sys; print(json.dumps({"sql": sys.argv[1]}))' "$1")" "$SRV_URL/query/sql" |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print("|".join(",".join(str(v) for v in r) for r in d["rows"]))'; }
expect_eq "HTTP: 1,200-column CSV" "200" "$(up -F "file=@wide1200.csv")"
expect_eq "HTTP: 1,200 columns, 36 rows" "1200|36" "$(q 'SELECT count(*) FROM (DESCRIBE SELECT * FROM wide1200)')|$(q 'SELECT count(*) FROM wide1200')"
expect_eq "HTTP: GitHub issue event" "200" "$(up -F "file=@$RW/json/github_issues_event.json" -F name=gh)"
expect_eq "HTTP: labels as JSON text" "2" "$(q 'SELECT json_array_length(issue_labels) FROM gh')"
expect_eq "HTTP: collisions" "200" "$(up -F "file=@$RW/json/collide.json")"
expect_eq "HTTP: collision names" "id,a_b_c_2,a_b_c_3,a_b_c" "$(python3 -c 'import json; print(",".join(json.load(open("'"$WORK"'/body"))["results"][0]["columns"]))' 2>/dev/null || python3 -c 'import json; d=json.load(open("'"$WORK"'/body")); print(",".join(d["columns"]))')"
expect_eq "HTTP: a .log upload gives line rows" "200" "$(up -F "file=@$RW/logs/syslog_bsd.log" -F name=hbsd)"
expect_eq "HTTP: log rows and hosts" "4|web01" "$(q 'SELECT count(*) FROM hbsd')|$(q 'SELECT DISTINCT host FROM hbsd')"
expect_eq "HTTP: format=lines on a .txt" "200" "$(up -F "file=@notes.txt" -F format=lines -F name=hlines)"
expect_eq "HTTP: format=lines rows" "2" "$(q 'SELECT count(*) FROM hlines')"
expect_eq "HTTP: an unknown format names lines among the choices" "400 yes" \
  "$(up -F "file=@notes.txt" -F format=bogus) $(grep -q 'lines' "$WORK/body" && echo yes)"
srv_stop "$SRV_PID"
