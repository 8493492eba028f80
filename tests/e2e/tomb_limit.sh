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
  # The plan: a filter in the scan's pipeline, no join of any kind.
  plan=$("$LH" sql "SELECT * FROM $ds WHERE txt ILIKE '%kubernetes%' LIMIT 20" --explain --format csv 2>&1)
  if grep -q "__lh_hidden" <<< "$plan" && ! grep -qi "JOIN" <<< "$plan"; then
    ok "$ds: the plan filters during the scan (no join)"
  else
    not_ok "$ds: the plan filters during the scan (no join)"; echo "$plan" | grep -i "join\|filter" | sed 's/^/# /' | head -5
  fi
done

# The filter's functions are ours: user SQL may not call them (they would tell which keys
# are tombstoned).
expect_fail "user SQL cannot call __lh_hidden_i" "not allowed" "$LH" sql "SELECT __lh_hidden_i('by_int', 5)"
expect_fail "user SQL cannot call __lh_hidden_s" "not allowed" "$LH" sql "SELECT count(*) FROM by_str WHERE __lh_hidden_s('by_str', name)"

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

