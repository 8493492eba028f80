# Bad input: each case is a clear one-line error, a non-zero exit, and an unchanged data
# directory (compared file by file before and after).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
printf 'id,name\n1,a\n2,b\n' > good.csv
"$LH" ingest good.csv >/dev/null || not_ok "setup ingest"
before=$(data_state)

unchanged() { expect_eq "$1: data directory unchanged" "$before" "$(data_state)"; }

: > empty.csv
expect_fail "empty file" "is empty" "$LH" ingest empty.csv; unchanged "empty file"
printf '   \n\n  \n' > blank.csv
expect_fail "white space only" "only white space|no columns|cannot read" "$LH" ingest blank.csv; unchanged "blank file"
head -c 4096 /dev/urandom > garbage.csv; printf '\0' >> garbage.csv
expect_fail "binary garbage" "binary|not CSV" "$LH" ingest garbage.csv; unchanged "binary garbage"
printf 'id,name\n1,caf\xe9\n2,\xff\xfe\n' > latin1.csv
expect_fail "invalid UTF-8 (forced)" "byte 13 \\(line 2\\) is not valid UTF-8" "$LH" ingest --encoding utf-8 latin1.csv; unchanged "invalid UTF-8"
# Without --encoding the same file is Windows-1252 and converted (another data directory).
check "Windows-1252 CSV is converted" env LAKEHOUSE_DATA="$WORK/other" "$LH" ingest latin1.csv
expect_eq "Windows-1252 CSV: café" "café" "$(LAKEHOUSE_DATA=$WORK/other sql 'SELECT name FROM latin1 WHERE id = 1')"
printf 'a,b,c\n1,2,3\n4,5\n6,7,8\n9\n' > ragged.csv
expect_fail "ragged rows" "ragged|columns|expected" "$LH" ingest ragged.csv; unchanged "ragged rows"
printf 'a,b\n1,2\n3,4,5\n' > ragged2.csv
expect_fail "a row with an extra field" "ragged|columns|expected" "$LH" ingest ragged2.csv; unchanged "extra field"
{ printf 'id,text\n1,'; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '\n'; } > longline.csv
expect_fail "one 10 MB line" "line size|maximum|too long|cannot read" "$LH" ingest longline.csv; unchanged "10 MB line"
printf 'id,Name,name\n1,a,b\n' > dupcols.csv
expect_fail "duplicate column names" "duplicate column" "$LH" ingest dupcols.csv; unchanged "duplicate columns"
printf '%%PDF-1.4\n1 0 obj\n<<>>\nendobj\n' > report.csv
expect_fail "a PDF named .csv" "PDF" "$LH" ingest report.csv; unchanged "PDF as CSV"
printf '{"a": 1}\n' > data.csv
expect_fail "JSON named .csv" "looks like JSON" "$LH" ingest data.csv; unchanged "JSON as CSV"
printf 'id,name\n1,a\n' > notjson.json
expect_fail "CSV named .json" "does not look like JSON" "$LH" ingest notjson.json; unchanged "CSV as JSON"
printf '[{"a": 1}, {"a": ' > truncated.json
expect_fail "truncated JSON" "json|malformed|unexpected|cannot read" "$LH" ingest truncated.json; unchanged "truncated JSON"
expect_fail "missing file" "does not exist|no such file" "$LH" ingest nope.csv; unchanged "missing file"
expect_fail "a directory" "not a regular file" "$LH" ingest "$WORK"; unchanged "directory"
expect_fail "unknown --format" "unknown format" "$LH" ingest good.csv --format xml; unchanged "bad format"

# names and path tricks
for bad in "../escape" "a/b" "/abs" "UPPER" "__raw__x" "" "x y" "$(printf 'a\nb')" "$(head -c 80 /dev/zero | tr '\0' a)"; do
  expect_fail "dataset name '$(printf %q "$bad")' refused" "dataset name" "$LH" ingest good.csv --name "$bad"
done
unchanged "bad names"
expect_fail "--as-of with a path trick" "dataset name|expects NAME" "$LH" sql "SELECT 1" --as-of "../x=0"
ls "$WORK" | grep -q escape && not_ok "nothing written outside the data directory" || ok "nothing written outside the data directory"

# hostile SQL: writes, file reads, attach, settings, extensions, multiple statements
expect_fail "INSERT" "read-only|not allowed|denied|only" "$LH" sql "INSERT INTO good VALUES (3, 'c')"
expect_fail "CREATE TABLE" "read-only|not allowed|denied|only" "$LH" sql "CREATE TABLE t AS SELECT 1"
expect_fail "DROP VIEW" "read-only|not allowed|denied|only" "$LH" sql "DROP VIEW good"
expect_fail "DELETE" "read-only|not allowed|denied|only" "$LH" sql "DELETE FROM good"
expect_fail "COPY TO inside the data root" "read-only|not allowed|denied|only" "$LH" sql "COPY good TO '$LAKEHOUSE_DATA/x.csv'"
expect_fail "COPY TO outside" "not allowed|denied|disabled|only" "$LH" sql "COPY good TO '/tmp/lh-x.csv'"
expect_fail "read_csv of /etc/passwd" "not allowed|denied|disabled" "$LH" sql "SELECT * FROM read_csv('/etc/passwd')"
expect_fail "read a data file directly" "not allowed|denied|disabled" "$LH" sql "SELECT * FROM read_parquet('$LAKEHOUSE_DATA/tables/good/*.parquet')"
expect_fail "replacement scan of a file path" "not allowed|denied|disabled|does not exist|unknown relation" "$LH" sql "SELECT * FROM '/etc/passwd'"
expect_fail "read_text" "not allowed|denied|disabled" "$LH" sql "SELECT * FROM read_text('$LAKEHOUSE_DATA/_catalog/datasets/good.json')"
expect_fail "glob" "not allowed|denied|disabled" "$LH" sql "SELECT * FROM glob('$LAKEHOUSE_DATA/*')"
expect_fail "ATTACH" "not allowed|denied|disabled|only" "$LH" sql "ATTACH '$WORK/x.db' AS x"
expect_fail "SET" "not allowed|denied|disabled|only|locked" "$LH" sql "SET enable_external_access=true"
expect_fail "PRAGMA" "not allowed|denied|only" "$LH" sql "PRAGMA database_list"
expect_fail "current_setting" "not allowed|denied" "$LH" sql "SELECT current_setting('allowed_directories')"
expect_fail "duckdb_settings()" "not allowed|denied" "$LH" sql "SELECT * FROM duckdb_settings()"
expect_fail "INSTALL" "not allowed|denied|only|disabled" "$LH" sql "INSTALL httpfs"
expect_fail "LOAD" "not allowed|denied|only|disabled" "$LH" sql "LOAD httpfs"
expect_fail "two statements" "exactly one statement" "$LH" sql "SELECT 1; DROP VIEW good"
expect_fail "empty query" "empty" "$LH" sql "  "
expect_fail "syntax error" "syntax error" "$LH" sql "SELEC 1"
expect_fail "unknown table" "does not exist|unknown relation" "$LH" sql "SELECT * FROM secrets"
unchanged "hostile SQL"
expect_eq "the dataset still answers" "2" "$(sql 'SELECT count(*) FROM good')"

# CLI usage errors
expect_fail "unknown command" "unknown command" "$LH" frobnicate
expect_fail "unknown option" "unknown option" "$LH" sql "SELECT 1" --bogus
expect_fail "sql without a query" "needs a QUERY" "$LH" sql
expect_fail "bad --limit" "whole number" "$LH" sql "SELECT 1" --limit -3
expect_fail "history of a missing dataset" "no dataset" "$LH" history nothing_here

# a data file replaced by a symlink (planted under the root) is refused, never followed
part=$(ls "$LAKEHOUSE_DATA"/tables/good/part-*.parquet | head -n 1)
mv "$part" "$WORK/real.parquet"; ln -s /etc/passwd "$part"
expect_fail "a data file that is a symlink is refused" "symbolic links are refused|does not exist|unknown relation" "$LH" sql "SELECT * FROM good"
rm "$part"; mv "$WORK/real.parquet" "$part"
expect_eq "the dataset answers again once the file is back" "2" "$(sql 'SELECT count(*) FROM good')"
