# Readers define a dataset's views when a query first names it (src/lake/lazy.c), not
# every dataset's at every start. Seen from outside through a dataset that cannot be
# read (its data file removed): opening it logs "dataset other is not queryable" at info
# level, so a query that does not name it must not log that; one that names it is refused
# as before. Names, messages and results stay what they were: unknown relations list every
# dataset, CTEs are not datasets, tombstones and time travel still apply, the journal is
# there.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

printf 'id,name\n1,Ann\n2,Bob\n' > people.csv
printf 'k,v\n1,x\n' > other.csv
check "ingest people" "$LH" ingest people.csv
check "ingest other" "$LH" ingest other.csv
check "tombstone people id 1" "$LH" delete people --key id 1
rm -f "$LAKEHOUSE_DATA"/tables/other/*.parquet

# quiet WHAT EXPECTED ARGS...: "$LH ARGS" prints EXPECTED (CSV, no header) and its info
# log says nothing about the dataset other.
quiet() {
  local what=$1 want=$2; shift 2
  local got
  got=$(LAKEHOUSE_LOG=info "$LH" "$@" 2>"$WORK/q.err" | tail -n +2 | tr -d '\r' | paste -sd'|')
  if [[ $got == "$want" ]] && ! grep -q 'other' "$WORK/q.err"; then ok "$what"
  else not_ok "$what"; echo "# got: $got"; echo "# log: $(head -c 400 "$WORK/q.err")"; fi
}

quiet "a query naming people does not open other" "1" sql "SELECT count(*) FROM people" --format csv
quiet "SELECT 1 opens no dataset" "1" sql "SELECT 1" --format csv
quiet "a CTE is not a dataset (nothing else opened)" "7" sql "WITH t AS (SELECT 7 AS x) SELECT x FROM t" --format csv
quiet "a CTE over a dataset of the same name" "1" sql "WITH people AS (SELECT * FROM people) SELECT count(*) FROM people" --format csv
quiet "a dataset in a subquery is defined" "3" sql "SELECT (SELECT count(*) FROM __raw__people WHERE id > 0) + 1" --format csv
quiet "tombstones still hide rows (raw view: 2)" "2" sql "SELECT count(*) FROM __raw__people" --format csv
quiet "time travel to version 0 still applies the tombstones" "1" sql "SELECT count(*) FROM people" --as-of people=0 --format csv
quiet "the journal relation is there" "true" sql "SELECT count(*) > 0 FROM journal" --format csv
if LAKEHOUSE_LOG=info "$LH" datasets >/dev/null 2>"$WORK/d.err" && ! grep -q 'not queryable' "$WORK/d.err"; then
  ok "datasets opens no view"
else not_ok "datasets opens no view"; echo "# $(head -c 300 "$WORK/d.err")"; fi

expect_fail "the unreadable dataset is refused when named" "dataset other cannot be read" \
  "$LH" sql "SELECT count(*) FROM other"
expect_fail "a misspelt name still gets the closest dataset" 'did you mean "people"' \
  "$LH" sql "SELECT * FROM peeple"
expect_fail "an unknown name still lists every dataset" 'known datasets: .*other.*people|known datasets: .*people.*other' \
  "$LH" sql "SELECT * FROM nothing_here"
expect_fail "an empty data directory still suggests the journal" 'did you mean "journal"' \
  "$LH" sql "SELECT * FROM journl" --data "$WORK/empty"
