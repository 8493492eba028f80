# Erased rows stay erased at every version (issue 11, item 1): a row with a distinctive
# value in every column (the extremes of the numeric and date columns, so that Delta
# statistics would carry them) is deleted and compacted; then no version reachable by time
# travel shows it, via the CLI and HTTP, in the dataset or in __raw__<name>; compact reports
# what older files still hold; vacuum (or compact --erase-now, or "erase_now" over HTTP)
# leaves none of its values in any byte under tables/<name>/, _catalog/ or _journal/.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'

# The erased person: every value unique to them.
KEY=EMP-ZZ-7731
VALUES=(EMP-ZZ-7731 "Quintessa Vorhaus" quintessa.vorhaus@example.org 987-65-4329 999999 1901-02-03 Xylocastra 123456.789)
HEAD=emp_id,name,email,ssn,salary,dob,city,score
part() { # part N FIRST: 20 ordinary rows from FIRST
  { echo "$HEAD"
    for i in $(seq "$2" $(($2 + 19))); do
      echo "EMP-$i,Person $i,person$i@example.com,123-45-$((1000 + i)),$((40000 + i * 10)),1980-01-$(printf %02d $((i % 28 + 1))),Town$((i % 5)),$((i % 97)).5"
    done; } > "emp$1.csv"
}
# load NAME: three ingests (versions 0, 1, 2); the erased row is in the first.
load() {
  part 0 1; echo "EMP-ZZ-7731,Quintessa Vorhaus,quintessa.vorhaus@example.org,987-65-4329,999999,1901-02-03,Xylocastra,123456.789" >> emp0.csv
  part 1 21; part 2 41
  check "$1: ingest version 0 (holds the row)" "$LH" ingest emp0.csv --name "$1"
  check "$1: ingest version 1" "$LH" ingest emp1.csv --name "$1"
  check "$1: ingest version 2" "$LH" ingest emp2.csv --name "$1"
}
# leftovers NAME: how many of the row's values some byte under the dataset's directory,
# _catalog/ or _journal/ still holds (each value counted once; names the places).
leftovers() {
  local hits=0 v
  for v in "${VALUES[@]}"; do
    [[ -d $LAKEHOUSE_DATA/tables/$1 ]] || { echo "no directory tables/$1"; return; }
    grep -rlaF -- "$v" "$LAKEHOUSE_DATA/tables/$1" "$LAKEHOUSE_DATA/_catalog" "$LAKEHOUSE_DATA/_journal" >"$WORK/where" 2>/dev/null
    if [[ -s $WORK/where ]]; then
      hits=$((hits + 1)); echo "# '$v' in: $(tr '\n' ' ' < "$WORK/where")" >&2
    fi
  done
  echo "$hits"
}

# ---- CLI: erase -> compact -> every version
load emp
expect_eq "before: the row is there" 1 "$(sql "SELECT count(*) FROM emp WHERE emp_id='$KEY'")"
check "delete the row" "$LH" delete emp --key emp_id "$KEY" --reason "art. 17"
out=$("$LH" compact emp)
echo "$out" | grep -q "1 erased row(s) are still in 3 older file(s), hidden from every version; 'lakehouse vacuum emp' deletes them from 20" \
  && ok "compact says what older files hold and when vacuum removes them" || { not_ok "compact says what older files hold"; echo "# $out"; }
echo "$out" | grep -q -- "--erase-now" && ok "compact names --erase-now" || not_ok "compact names --erase-now"
latest=3
for v in $(seq 0 $latest); do
  expect_eq "as-of emp=$v: never the row" 0 "$(sql "SELECT count(*) FROM emp WHERE emp_id='$KEY' OR ssn='987-65-4329'" --as-of emp=$v)"
  expect_eq "as-of emp=$v: __raw__emp neither" 0 "$(sql "SELECT count(*) FROM __raw__emp WHERE emp_id='$KEY'" --as-of emp=$v)"
done
expect_eq "as-of emp=0: the other 20 rows still there" 20 "$(sql "SELECT count(*) FROM emp" --as-of emp=0)"
expect_eq "as-of emp=2: 60 rows, max salary not the erased one" "60,40600" "$(sql "SELECT count(*), max(salary) FROM emp" --as-of emp=2)"
expect_eq "the erasure set names the key by salted hash only" 0 "$(grep -c "$KEY" "$LAKEHOUSE_DATA/_catalog/erasures/emp.json")"

# ---- HTTP: the same versions through as_of
if srv_start A; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/A.err")"; exit 1; fi
URL=$SRV_URL
q() { curl -sS --max-time 60 -XPOST -H "$J" "$URL/query/sql" -d "$1"; }
for v in $(seq 0 $latest); do
  body=$(q "{\"sql\":\"SELECT count(*) AS n FROM emp WHERE emp_id='$KEY'\",\"as_of\":{\"emp\":$v},\"format\":\"csv\"}")
  expect_eq "HTTP as_of emp=$v: never the row" $'n\r\n0\r' "$body"
  body=$(q "{\"sql\":\"SELECT count(*) AS n FROM __raw__emp WHERE emp_id='$KEY'\",\"as_of\":{\"emp\":$v},\"format\":\"csv\"}")
  expect_eq "HTTP as_of emp=$v: __raw__emp neither" $'n\r\n0\r' "$body"
done

# HTTP compact with erase_now on a second copy.
srv_stop "$SRV_PID"
load emp_h
check "emp_h: delete the row" "$LH" delete emp_h --key emp_id "$KEY"
srv_start B || { not_ok "server B starts"; exit 1; }
URL=$SRV_URL
code=$(curl -sS -o "$WORK/body" -w '%{http_code}' -XPOST -H "$J" "$URL/query/compact" -d '{"dataset":"emp_h","erase_now":"yes"}')
expect_eq "HTTP compact: erase_now must be a boolean" 400 "$code"
curl -sS -o "$WORK/body" -XPOST -H "$J" "$URL/query/compact" -d '{"dataset":"emp_h","erase_now":true}'
expect_eq "HTTP compact erase_now: nothing left in old files, 3 files vacuumed now" "0 0 True 3" \
  "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["erasure"]; print(e["erased_rows_in_old_files"], e["old_files_with_erased_rows"], e["erased_now"], e["files_vacuumed_now"])' "$WORK/body")"
body=$(q "{\"sql\":\"SELECT count(*) AS n FROM emp_h WHERE emp_id='$KEY'\",\"as_of\":{\"emp_h\":3},\"format\":\"csv\"}")
expect_eq "HTTP as_of emp_h=3 (the compaction): no row" $'n\r\n0\r' "$body"
srv_stop "$SRV_PID"
expect_eq "emp_h: no value of the row in any byte after erase_now" 0 "$(leftovers emp_h)"

# ---- vacuum --retention-hours 0 finishes the erasure in files and in the log
check "vacuum emp --retention-hours 0" "$LH" vacuum emp --retention-hours 0
expect_eq "the erasure set is gone once no file holds the row" no "$([[ -e $LAKEHOUSE_DATA/_catalog/erasures/emp.json ]] && echo yes || echo no)"
expect_eq "emp: no value of the row in any byte (tables/emp, _catalog, _journal)" 0 "$(leftovers emp)"
expect_eq "the latest version still reads" 60 "$(sql "SELECT count(*) FROM emp")"

# ---- compact --erase-now from the CLI
load emp_n
check "emp_n: delete the row" "$LH" delete emp_n --key emp_id "$KEY"
out=$("$LH" compact emp_n --erase-now)
echo "$out" | grep -q "3 older file(s) deleted now; no erased row is left in any file" \
  && ok "compact --erase-now says the old files are gone" || { not_ok "compact --erase-now output"; echo "# $out"; }
expect_eq "emp_n: no value of the row in any byte after --erase-now" 0 "$(leftovers emp_n)"
expect_eq "emp_n: latest still reads" 60 "$(sql "SELECT count(*) FROM emp_n")"
expect_fail "compact: unknown flag refused" "unexpected argument" "$LH" compact emp_n --bogus

# ---- fail closed: tombstones or an erasure set that cannot be loaded never show erased rows
# (before: a warning, then the unfiltered rows; and a compaction that cleared the tombstones
# it had not applied)
load emp_f
check "emp_f: delete the row" "$LH" delete emp_f --key emp_id "$KEY"
TOMBS=$LAKEHOUSE_DATA/_catalog/tombstones/emp_f.jsonl
cp "$TOMBS" "$WORK/tombs.keep"
sed -i 's/"row_key_column":"emp_id"/"row_key_column":"no_such_column"/' "$TOMBS"
expect_fail "unloadable tombstones: the dataset is not read, with the reason (no erased row shown)" \
  "tombstones of dataset emp_f could not be loaded: key column no_such_column" \
  env LAKEHOUSE_LOG=error "$LH" sql "SELECT count(*) FROM emp_f WHERE emp_id='$KEY'"
expect_fail "unloadable tombstones: count(*) is refused too, not answered" "emp_f cannot be read" \
  env LAKEHOUSE_LOG=error "$LH" sql "SELECT count(*) FROM emp_f"
expect_fail "unloadable tombstones: compact refuses (the tombstones stay)" \
  "key column no_such_column is not a column" env LAKEHOUSE_LOG=error "$LH" compact emp_f
expect_eq "unloadable tombstones: the tombstone file is untouched" yes \
  "$([[ -s $TOMBS ]] && echo yes || echo no)"
cp "$WORK/tombs.keep" "$TOMBS"
check "emp_f: compact (tombstones readable again)" "$LH" compact emp_f
echo '{"entries": 3' > "$LAKEHOUSE_DATA/_catalog/erasures/emp_f.json"
expect_fail "unreadable erasure set: older versions are refused" "erasure set could not be loaded" \
  env LAKEHOUSE_LOG=error "$LH" sql "SELECT count(*) FROM emp_f WHERE emp_id='$KEY'" --as-of emp_f=0
expect_eq "unreadable erasure set: the latest version still reads" 60 "$(sql "SELECT count(*) FROM emp_f")"
