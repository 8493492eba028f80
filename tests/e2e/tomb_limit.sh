# Tombstones x LIMIT: datasets of several files (appends) with most of their keys
# tombstoned, keyed by an integer and a string column, some rows with a NULL key.
# A DATE key is refused at delete. A LIMIT n query returns n rows and none tombstoned, wherever the visible rows are (the
# first file almost all hidden); counts, NULL keys and later appends of tombstoned keys
# stay right; the view's plan filters rows during the scan (no join: a join stops LIMIT
# from ending the scan early, docs/BENCHMARKS.md "Tombstones").
source "$(dirname "$0")/lib.sh"
cd "$WORK"

# part P: rows P*1000 .. P*1000+999; id, name 'n<id>', day 2000-01-01 + id days, a text;
# every 100th row has a NULL key (in the key column of that dataset, all three here).
gen() { # gen PART FILE
  python3 - "$1" "$2" <<'PY'
import sys, datetime
p, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("id,name,day,txt\n")
    for i in range(p * 1000, p * 1000 + 1000):
        null = i % 100 == 50
        day = datetime.date(2000, 1, 1) + datetime.timedelta(days=i)
        txt = "knows kubernetes" if i % 3 == 0 else "writes sql"
        f.write(("," if null else f"{i},") + ("," if null else f"n{i},") +
                ("," if null else f"{day},") + txt + "\n")
PY
}
for p in 0 1 2; do gen "$p" "$WORK/part$p.csv"; done
for ds in by_int by_str by_day; do
  for p in 0 1 2; do check "ingest part $p into $ds" "$LH" ingest "$WORK/part$p.csv" --name "$ds"; done
done
expect_eq "three files each" "3" "$(find "$LAKEHOUSE_DATA/tables/by_int" -name '*.parquet' | wc -l)"

# Hidden: every id of part 0 but 990..999 (so a LIMIT must read past the first file),
# and 9 of every 10 ids of parts 1 and 2. Visible non-NULL ids: 10 + 2 x 100 (minus the
# NULL rows: ids i % 100 == 50 have no key at all).
python3 - "$WORK" <<'PY'
import sys, datetime
w = sys.argv[1]
hid = [i for i in range(0, 990)] + [i for i in range(1000, 3000) if i % 10 != 7]
hid = [i for i in hid if i % 100 != 50]
open(w + "/ids", "w").write("\n".join(map(str, hid)) + "\n")
open(w + "/names", "w").write("\n".join("n%d" % i for i in hid) + "\n")
d0 = datetime.date(2000, 1, 1)
open(w + "/days", "w").write("\n".join(str(d0 + datetime.timedelta(days=i)) for i in hid) + "\n")
# The expected group-by over the visible rows (NULL-key rows included).
hs = set(hid)
groups = {}
for i in range(3000):
    if i not in hs:
        t = "knows kubernetes" if i % 3 == 0 else "writes sql"
        groups[t] = groups.get(t, 0) + 1
open(w + "/groups", "w").write(" ".join("%s,%d" % kv for kv in sorted(groups.items())))
PY
mapfile -t IDS < "$WORK/ids"
mapfile -t NAMES < "$WORK/names"
mapfile -t DAYS < "$WORK/days"
check "tombstone ${#IDS[@]} ids" "$LH" delete by_int --key id "${IDS[@]}" --reason test
check "tombstone ${#NAMES[@]} names" "$LH" delete by_str --key name "${NAMES[@]}" --reason test
expect_fail "a DATE key is refused (keys are text or integers)" "a row key must be text" "$LH" delete by_day --key day 2000-01-02 --reason test

# The visible rows: ids 990..999 (but none is i % 100 == 50), ids ending in 7 in parts 1-2,
# and the 30 NULL-key rows.
VISIBLE_KEYED=$((10 + 200))
for ds in by_int by_str; do
  expect_eq "$ds: count(*) is the visible rows" "$((VISIBLE_KEYED + 30))" "$(sql "SELECT count(*) FROM $ds")"
  expect_eq "$ds: the 30 NULL-key rows stay visible" 30 "$(sql "SELECT count(*) FROM $ds WHERE id IS NULL")"
  expect_eq "$ds: __raw__$ds still has every row" 3000 "$(sql "SELECT count(*) FROM __raw__$ds")"
done

# LIMIT n, n in a few sizes, with and without a filter and an order: n rows, none hidden.
hidden_in() { # hidden_in DATASET QUERY: how many of the query's ids are tombstoned
  sql "$2" | grep -v '^$' | python3 -c '
import sys
hid = set(open(sys.argv[1]).read().split())
rows = [l.strip() for l in sys.stdin]
print(len(rows), sum(r in hid for r in rows))' "$WORK/ids"
}
for ds in by_int by_str; do
  for n in 1 5 20 150; do
    expect_eq "$ds: SELECT id ... LIMIT $n: $n rows, none tombstoned" "$n 0" \
      "$(hidden_in "$ds" "SELECT id FROM $ds WHERE id IS NOT NULL LIMIT $n")"
  done
  expect_eq "$ds: ILIKE ... LIMIT 20: 20 rows, none tombstoned" "20 0" \
    "$(hidden_in "$ds" "SELECT id FROM $ds WHERE txt ILIKE '%KUBERNETES%' AND id IS NOT NULL LIMIT 20")"
  expect_eq "$ds: SELECT * LIMIT 215 (more than the keyed visible rows): 215 rows" 215 \
    "$(sql "SELECT * FROM $ds LIMIT 215" | wc -l)"
  expect_eq "$ds: LIMIT beyond the visible rows returns them all" "$((VISIBLE_KEYED + 30))" \
    "$(sql "SELECT * FROM $ds LIMIT 100000" | wc -l)"
  expect_eq "$ds: the first visible ids in order" "990 991 992 993 994 995 996 997 998 999 1007" \
    "$(sql "SELECT id FROM $ds WHERE id IS NOT NULL ORDER BY id LIMIT 11" | tr '\n' ' ' | sed 's/ $//')"
  expect_eq "$ds: point lookup of a tombstoned key finds nothing" 0 "$(sql "SELECT count(*) FROM $ds WHERE id = 1234")"
  expect_eq "$ds: point lookup of a visible key finds it" 1 "$(sql "SELECT count(*) FROM $ds WHERE id = 1237")"
  expect_eq "$ds: group-by count over the visible rows" "$(cat "$WORK/groups")" \
    "$(sql "SELECT txt, count(*) FROM $ds GROUP BY txt ORDER BY txt" | tr '\n' ' ' | sed 's/ $//')"
  # The plan: a filter in the scan's pipeline, no join of any kind, by row position (no
  # key column read, no hash probe: src/engine/rowset.c).
  plan=$("$LH" sql "SELECT * FROM $ds WHERE txt ILIKE '%kubernetes%' LIMIT 20" --explain --format csv 2>&1)
  if grep -q "__lh_hidden_r" <<< "$plan" && ! grep -qi "JOIN" <<< "$plan"; then
    ok "$ds: the plan filters during the scan by row position (no join)"
  else
    not_ok "$ds: the plan filters during the scan by row position (no join)"; echo "$plan" | grep -i "join\|filter\|hidden" | sed 's/^/# /' | head -5
  fi
done

# The filter's functions are ours: user SQL may not call them (they would tell which keys
# are tombstoned).
expect_fail "user SQL cannot call __lh_hidden_i" "not allowed" "$LH" sql "SELECT __lh_hidden_i('by_int', 5)"
expect_fail "user SQL cannot call __lh_hidden_s" "not allowed" "$LH" sql "SELECT count(*) FROM by_str WHERE __lh_hidden_s('by_str', name)"
expect_fail "user SQL cannot call __lh_hidden_r" "not allowed" "$LH" sql "SELECT __lh_hidden_r('by_int', 'x', 1)"

# A later append brings tombstoned keys again: they stay hidden there too.
sed 's/writes sql/again/' "$WORK/part1.csv" > "$WORK/part1b.csv"
check "append part 1's keys again to by_int" "$LH" ingest "$WORK/part1b.csv" --name by_int
check "append part 1's keys again to by_str" "$LH" ingest "$WORK/part1b.csv" --name by_str
for ds in by_int by_str; do
  expect_eq "$ds: after appending part 1 again, its hidden keys stay hidden" "$((VISIBLE_KEYED + 30 + 110))" \
    "$(sql "SELECT count(*) FROM $ds")"
  expect_eq "$ds: LIMIT 300 after the append: 300 rows, none tombstoned" "300 0" \
    "$(hidden_in "$ds" "SELECT id FROM $ds WHERE id IS NOT NULL LIMIT 300")"
done

# Restart (a new process reads the tombstones back, from the key cache) and compaction.
expect_eq "by_int after a restart: same count" "$((VISIBLE_KEYED + 140))" "$(sql "SELECT count(*) FROM by_int")"
rm -f "$LAKEHOUSE_DATA"/_catalog/tombstones/*.keys.parquet
expect_eq "by_str without the key cache (read from the file): same count" "$((VISIBLE_KEYED + 140))" \
  "$(sql "SELECT count(*) FROM by_str")"
check "compact by_int" "$LH" compact by_int
expect_eq "by_int after compaction: same count, tombstones applied" "$((VISIBLE_KEYED + 140)) $((VISIBLE_KEYED + 140))" \
  "$(sql "SELECT count(*) FROM by_int") $(sql "SELECT count(*) FROM __raw__by_int")"
check "tombstone more ids after compaction" "$LH" delete by_int --key id 990 991 --reason test
expect_eq "by_int: a second delete after compaction hides its keys" "0 $((VISIBLE_KEYED + 138))" \
  "$(sql "SELECT count(*) FILTER (WHERE id IN (990, 991)), count(*) FROM by_int" | tr ',' ' ')"
expect_eq "by_int: LIMIT 5 after it: 5 rows, none tombstoned" "5 0" \
  "$(printf '990\n991\n' >> "$WORK/ids"; hidden_in by_int "SELECT id FROM by_int WHERE id IS NOT NULL LIMIT 5")"


# ---- hidden rows by position, per file (tombs.c "hidden rows by position") ----
plan_of() { "$LH" sql "SELECT count(*) FROM $1" --explain --format csv 2>&1; }
# Clean and dirty files mixed: the tombstoned keys are all in part 1 (the second file).
for p in 0 1 2; do check "ingest part $p into mixed" "$LH" ingest "$WORK/part$p.csv" --name mixed; done
check "tombstone ids 1000..1099 of mixed (all in its second file)" "$LH" delete mixed --key id $(seq 1000 1099) --reason test
expect_eq "mixed: count(*) (3000 minus the 99 keyed rows hit; id 1050 is NULL)" 2901 "$(sql "SELECT count(*) FROM mixed")"
# (990 keyed rows a file; 99 of the second file's are tombstoned: 1050 has no key.)
expect_eq "mixed: per file, only the second loses rows" "0,990 1000,891 2000,990" \
  "$(sql "SELECT CAST(floor(id / 1000) * 1000 AS INTEGER) AS f, count(*) FROM mixed WHERE id IS NOT NULL GROUP BY f ORDER BY f" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "mixed: LIMIT 11 from id 990 up: ids 990..999 then 1100" "11 990 999 1100" \
  "$(sql "SELECT id FROM mixed WHERE id >= 990 ORDER BY id LIMIT 11" | awk 'NR==1{a=$1} NR==10{b=$1} NR==11{c=$1} END{print NR, a, b, c}')"
if grep -q "__lh_hidden_r" <<< "$(plan_of mixed)"; then ok "mixed: the view tests row positions"; else not_ok "mixed: the view tests row positions"; fi
expect_eq "mixed: the positions are cached beside the tombstones" yes \
  "$([ -s "$LAKEHOUSE_DATA/_catalog/tombstones/mixed.rows.parquet" ] && echo yes || echo no)"
# A key in two files: part 1 appended again; its tombstoned keys hide there too.
check "append part 1 again to mixed" "$LH" ingest "$WORK/part1b.csv" --name mixed
expect_eq "mixed: a tombstoned key in two files is hidden in both" "0 3802" \
  "$(sql "SELECT count(*) FILTER (WHERE id BETWEEN 1000 AND 1099), count(*) FROM mixed" | tr ',' ' ')"
expect_eq "mixed: LIMIT 3802 and LIMIT 3803 both return every visible row" "3802 3802" \
  "$(sql "SELECT * FROM mixed LIMIT 3802" | wc -l) $(sql "SELECT * FROM mixed LIMIT 3803" | wc -l)"
# The cache is a cache: missing, damaged or stale, the positions are found again.
rm -f "$LAKEHOUSE_DATA/_catalog/tombstones/mixed.rows.parquet"
expect_eq "mixed without its positions cache (a reader finds them again)" 3802 "$(sql "SELECT count(*) FROM mixed")"
expect_eq "... and a reader does not write the cache" no \
  "$([ -e "$LAKEHOUSE_DATA/_catalog/tombstones/mixed.rows.parquet" ] && echo yes || echo no)"
printf 'not parquet' > "$LAKEHOUSE_DATA/_catalog/tombstones/mixed.rows.parquet"
expect_eq "mixed with a damaged positions cache: same count" 3802 "$(sql "SELECT count(*) FROM mixed")"
check "tombstone id 2000 of mixed (the third file: the cache is stale)" "$LH" delete mixed --key id 2000 --reason test
expect_eq "mixed: the new key is hidden" "0 3801" \
  "$(sql "SELECT count(*) FILTER (WHERE id = 2000), count(*) FROM mixed" | tr ',' ' ')"
expect_eq "mixed: the writer rewrote the cache" PAR1 "$(head -c 4 "$LAKEHOUSE_DATA/_catalog/tombstones/mixed.rows.parquet")"

# Only clean files: tombstones whose keys no file holds leave the view without a filter
# (count(*) from the Parquet metadata again); a later append of such a key is checked.
for p in 0 1; do check "ingest part $p into clean" "$LH" ingest "$WORK/part$p.csv" --name clean; done
check "tombstone ids no file of clean holds" "$LH" delete clean --key id 2005 2006 --reason test
expect_eq "clean: every row visible" 2000 "$(sql "SELECT count(*) FROM clean")"
if grep -q "__lh_hidden" <<< "$(plan_of clean)"; then not_ok "clean: no filter when no file holds a tombstoned key"; else ok "clean: no filter when no file holds a tombstoned key"; fi
check "append part 2 (holding ids 2005, 2006) to clean" "$LH" ingest "$WORK/part2.csv" --name clean
expect_eq "clean: the appended file's tombstoned keys are hidden" "0 2998" \
  "$(sql "SELECT count(*) FILTER (WHERE id IN (2005, 2006)), count(*) FROM clean" | tr ',' ' ')"
if grep -q "__lh_hidden_r" <<< "$(plan_of clean)"; then ok "clean: now a filter by position"; else not_ok "clean: now a filter by position"; fi

# A column named file_row_number would shadow DuckDB's: such a dataset keeps the key filter.
printf 'id,file_row_number\n1,7\n2,8\n3,9\n' > "$WORK/frn.csv"
check "ingest a dataset with a column named file_row_number" "$LH" ingest "$WORK/frn.csv" --name frn
check "tombstone id 2 of frn" "$LH" delete frn --key id 2 --reason test
expect_eq "frn: rows 1 and 3, the column's own values" "1,7 3,9" "$(sql "SELECT * FROM frn ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
plan=$(plan_of frn)
if grep -q "__lh_hidden_i" <<< "$plan" && ! grep -q "__lh_hidden_r" <<< "$plan"; then ok "frn: hidden by key"; else not_ok "frn: hidden by key"; fi
