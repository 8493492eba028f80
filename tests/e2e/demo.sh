# End to end: `lakehouse demo` at a small scale: seven datasets with the scaled row
# counts, every foreign key resolving, byte-identical CSVs for the same scale, a second
# load deduplicated, a load at another scale refused, PII-looking columns present.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

check "demo --scale 0.01 loads" "$LH" demo --scale 0.01 --json
cp "$WORK/out" first.json
expect_eq "seven ingest results, all created" "7 7" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), sum(1 for r in d if not r["deduplicated"] and r["version"] == 0))' first.json)"
expect_eq "rows per table as documented (max(1, round(base * scale)))" \
  "recruiters=5 clients=20 candidates=1000 job_orders=200 placements=500 timesheets=18000 call_logs=5000" \
  "$(python3 -c 'import json,sys; print(" ".join("%s=%d" % (r["table"], r["rows_added"]) for r in json.load(open(sys.argv[1]))))' first.json)"
expect_eq "datasets hold those rows" "5,20,1000,200,500,18000,5000" \
  "$(sql 'SELECT (FROM recruiters SELECT count(*)), (FROM clients SELECT count(*)), (FROM candidates SELECT count(*)), (FROM job_orders SELECT count(*)), (FROM placements SELECT count(*)), (FROM timesheets SELECT count(*)), (FROM call_logs SELECT count(*))')"
expect_eq "candidates have the 15 documented columns" \
  "candidate_id full_name email phone ssn address city state skills years_experience salary_expectation status recruiter_id created_at resume_text" \
  "$(sql 'SELECT column_name FROM (DESCRIBE candidates)' | tr '\n' ' ' | sed 's/ $//')"
# The demo hands the ingest the dialect its writer used (DuckDB then sniffs only the
# column types); the lineage records it as given.
expect_eq "each table's lineage: the writer's dialect passed as overrides" \
  '7 {"delim": ",", "escape": "\"", "header": true, "quote": "\""}' \
  "$(python3 -c 'import json,sys,glob
o = [json.load(open(f))["lineage"]["parse_options"].get("overrides") for f in sorted(glob.glob(sys.argv[1] + "/_catalog/datasets/*.json"))]
print(sum(1 for x in o if x == o[0]), json.dumps(o[0], sort_keys=True))' "$LAKEHOUSE_DATA")"

# Every foreign key resolves (anti-joins are empty) and the timeline is consistent.
expect_eq "every foreign key resolves" "0,0,0,0,0,0,0,0,0,0,0,0" "$(sql "SELECT
  (SELECT count(*) FROM candidates c ANTI JOIN recruiters r USING (recruiter_id)),
  (SELECT count(*) FROM clients c ANTI JOIN recruiters r ON r.recruiter_id = c.account_manager_id),
  (SELECT count(*) FROM job_orders j ANTI JOIN clients c USING (client_id)),
  (SELECT count(*) FROM job_orders j ANTI JOIN recruiters r USING (recruiter_id)),
  (SELECT count(*) FROM placements p ANTI JOIN job_orders j USING (job_order_id)),
  (SELECT count(*) FROM placements p ANTI JOIN candidates c USING (candidate_id)),
  (SELECT count(*) FROM placements p ANTI JOIN clients c USING (client_id)),
  (SELECT count(*) FROM placements p ANTI JOIN recruiters r USING (recruiter_id)),
  (SELECT count(*) FROM timesheets t ANTI JOIN placements p USING (placement_id)),
  (SELECT count(*) FROM call_logs l ANTI JOIN recruiters r USING (recruiter_id)),
  (SELECT count(*) FROM call_logs l ANTI JOIN candidates c USING (candidate_id) WHERE l.candidate_id IS NOT NULL),
  (SELECT count(*) FROM call_logs l ANTI JOIN clients c USING (client_id) WHERE l.client_id IS NOT NULL)")"
expect_eq "keys are unique" "0,0,0" "$(sql "SELECT
  (SELECT count(*) - count(DISTINCT candidate_id) FROM candidates),
  (SELECT count(*) - count(DISTINCT timesheet_id) FROM timesheets),
  (SELECT count(*) - count(DISTINCT call_id) FROM call_logs)")"
expect_eq "timeline: placements start after their order opened and their candidate registered; timesheets inside the placement; calls after the candidate" "0,0,0,0" "$(sql "SELECT
  (SELECT count(*) FROM placements p JOIN job_orders j USING (job_order_id) WHERE p.start_date <= j.opened_at OR p.client_id <> j.client_id),
  (SELECT count(*) FROM placements p JOIN candidates c USING (candidate_id) WHERE c.created_at::DATE >= p.start_date),
  (SELECT count(*) FROM timesheets t JOIN placements p USING (placement_id) WHERE t.week_ending < p.start_date OR t.week_ending > p.end_date + 2),
  (SELECT count(*) FROM call_logs l JOIN candidates c USING (candidate_id) WHERE l.started_at < c.created_at)")"
expect_eq "dates fall in 2019-2026" "2019 2026" \
  "$(sql "SELECT min(y), max(y) FROM (SELECT year(created_at) y FROM candidates UNION ALL SELECT year(week_ending) FROM timesheets UNION ALL SELECT year(started_at) FROM call_logs UNION ALL SELECT year(end_date) FROM placements)" | tr ',' ' ')"
expect_eq "billed amount = (regular + 1.5 x overtime) x bill rate" "0" \
  "$(sql 'SELECT count(*) FROM timesheets WHERE abs(billed_amount - (regular_hours + 1.5 * overtime_hours) * bill_rate) > 0.01')"

# PII that looks real: emails, NANP phones, SSNs in the valid ranges, street addresses.
expect_eq "PII columns have real shapes" "1000,1000,1000,1000,1000" "$(sql "SELECT
  count(*) FILTER (WHERE regexp_full_match(email, '[a-z0-9._]+@[a-z0-9.]+\.[a-z]+')),
  count(*) FILTER (WHERE regexp_full_match(phone, '\([2-9][0-9]{2}\) [2-9][0-9]{2}-[0-9]{4}')),
  count(*) FILTER (WHERE regexp_full_match(ssn, '[0-9]{3}-[0-9]{2}-[0-9]{4}') AND ssn[1:3] NOT IN ('000', '666') AND ssn[1:1] <> '9' AND ssn[5:6] <> '00' AND ssn[8:11] <> '0000'),
  count(*) FILTER (WHERE regexp_full_match(address, '[0-9]+ [A-Za-z ]+( (Apt|Unit) [0-9A-Z]+)?')),
  count(*) FILTER (WHERE length(resume_text) > 150 AND resume_text LIKE '%.%.%')
  FROM candidates")"
expect_eq "city and state agree across tables" "0" \
  "$(sql "SELECT count(*) FROM (SELECT city, count(DISTINCT state) n FROM (SELECT city, state FROM candidates UNION ALL SELECT city, state FROM clients UNION ALL SELECT city, state FROM job_orders) GROUP BY city HAVING n > 1 AND city NOT IN ('Portland', 'Charleston'))")"
expect_eq "free text to search" "yes" "$(sql "SELECT CASE WHEN count(*) > 20 THEN 'yes' ELSE 'no' END FROM call_logs WHERE notes ILIKE '%interview%'")"

# Determinism: the same scale again is a no-op; the CSVs are byte-identical.
check "second demo at the same scale" "$LH" demo --scale 0.01
grep -q "already loaded" "$WORK/out" && ok "second run says it was deduplicated" || not_ok "second run says it was deduplicated"
expect_eq "row counts unchanged" "18000" "$(sql 'SELECT count(*) FROM timesheets')"
mkdir a b
check "--out writes CSVs only" "$LH" demo --scale 0.01 --out a
"$LH" demo --scale 0.01 --out b >/dev/null 2>&1
expect_eq "same scale, byte-identical CSVs" "$(cd a && sha256sum *.csv)" "$(cd b && sha256sum *.csv)"
expect_eq "the CSVs are what was ingested" \
  "$(python3 -c 'import json,sys; print(" ".join(r["sha256"] for r in json.load(open(sys.argv[1]))))' first.json)" \
  "$(for t in recruiters clients candidates job_orders placements timesheets call_logs; do sha256sum a/$t.csv | cut -c1-64; done | tr '\n' ' ' | sed 's/ $//')"
expect_eq "seven files, header plus rows" "24732" "$(cat a/*.csv | wc -l | tr -d ' ')"

# Another scale into the same directory would append and break the keys: refused.
before=$(data_state)
expect_fail "another scale into a loaded directory is refused" "already exists with other data" "$LH" demo --scale 0.02
expect_eq "refused demo changed nothing" "$before" "$(data_state)"
expect_fail "scale must be positive" "scale needs a number" "$LH" demo --scale 0
expect_fail "scale must be a number" "scale needs a number" "$LH" demo --scale lots
expect_fail "unknown option" "unexpected argument" "$LH" demo --bogus
check "a tiny scale still gives every table a row" "$LH" demo --scale 0.00001 --data "$WORK/tiny" --json
expect_eq "tiny: one row at least everywhere" "1 1 1 1 1 18 5" \
  "$(python3 -c 'import json,sys; print(*[r["rows_added"] for r in json.load(open(sys.argv[1]))])' "$WORK/out")"
