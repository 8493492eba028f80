#!/usr/bin/env bash
# `make run`: loads the staffing-agency demo (7 tables, ~2.47M rows, and the vector index of
# its resumes) and the cities example
# into ./data (once), shows a few queries over them, then serves the HTTP API until Ctrl-C.
# LAKEHOUSE_RUN_NO_SERVE=1 stops after the queries (for scripted checks).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/lakehouse}
export LAKEHOUSE_DATA=${LAKEHOUSE_DATA:-$PWD/data}
echo "== data directory: $LAKEHOUSE_DATA"
if "$BIN" datasets placements >/dev/null 2>&1; then
  echo "(the staffing demo is already loaded; 'rm -rf $LAKEHOUSE_DATA' to start over)"
else
  echo "== lakehouse demo   (generates and ingests the staffing agency; about 10-20 s)"
  "$BIN" demo
fi
# the resumes' vector index (demo builds it; a data directory from before it had none)
if ! "$BIN" vectors show candidates_resume_text >/dev/null 2>&1; then
  echo "== lakehouse vectors index candidates --text resume_text --key candidate_id"
  "$BIN" vectors index candidates --text resume_text --key candidate_id
fi
"$BIN" ingest examples/cities.csv --name cities
echo
echo "== lakehouse datasets"
"$BIN" datasets
echo
echo "== lakehouse vectors list"
"$BIN" vectors list
echo

show() {
  echo "== $1"
  echo "lakehouse sql \"$2\""
  "$BIN" sql "$2"
  echo
}
show "top recruiters by placements" \
  "SELECT r.first_name || ' ' || r.last_name AS recruiter, r.team, count(*) AS placements, count(*) FILTER (WHERE p.status = 'active') AS active FROM placements p JOIN recruiters r USING (recruiter_id) GROUP BY ALL ORDER BY placements DESC LIMIT 5"
show "revenue and margin by client" \
  "SELECT c.company_name, c.industry, round(sum(t.billed_amount)) AS revenue, round(sum(t.billed_amount - (t.regular_hours + 1.5 * t.overtime_hours) * t.pay_rate)) AS gross_margin FROM timesheets t JOIN placements p USING (placement_id) JOIN clients c ON c.client_id = p.client_id GROUP BY ALL ORDER BY revenue DESC LIMIT 5"
show "candidates mentioning Epic in their resume, by state" \
  "SELECT state, count(*) AS nurses, round(avg(salary_expectation)) AS avg_salary FROM candidates WHERE resume_text ILIKE '%epic%' GROUP BY state ORDER BY nurses DESC LIMIT 5"
show "the cities example" \
  "SELECT country, count(*) AS cities, sum(population) AS people FROM cities GROUP BY country ORDER BY people DESC LIMIT 5"
echo "== semantic search over the resumes (builtin model: BM25 + LSA, no model server)"
echo "lakehouse search candidates \"kubernetes SRE who led a payments migration\" --where \"state = 'TX'\" --k 3"
"$BIN" search candidates "kubernetes SRE who led a payments migration" --where "state = 'TX'" --k 3
echo
echo "== a question answered from the resumes, with citations"
echo "lakehouse ask candidates \"which candidates have led payment-platform migrations?\""
"$BIN" ask candidates "which candidates have led payment-platform migrations?"
echo
echo "Try: $BIN sql \"SELECT outcome, count(*) FROM call_logs GROUP BY 1 ORDER BY 2 DESC\""
echo "     $BIN sql \"FROM cities WHERE capital\" --format csv"
[[ -n ${LAKEHOUSE_RUN_NO_SERVE:-} ]] && exit 0
echo
echo "== lakehouse serve   (the HTTP API: docs/API.md; in another terminal, for example:"
echo "   curl -s localhost:3100/health"
echo "   curl -s -X POST localhost:3100/query/sql -H 'Content-Type: application/json' \\"
echo "        -d '{\"sql\": \"SELECT count(*) FROM candidates\"}'"
echo "   curl -s -F file=@examples/cities.csv -F name=cities2 localhost:3100/ingest/file )"
exec "$BIN" serve
