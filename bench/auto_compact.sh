#!/usr/bin/env bash
# Automatic compaction (issue 13, item 4): 150 appends of N rows each through a running
# server (POST /ingest/file), then a group-by over HTTP on that dataset against the same
# rows ingested as one file into the same server: a same-run ratio (appended / one file).
# Run twice on fresh data directories: with [storage] auto_compact on (the default; the
# script waits, polling the table log with a bound, until the compactor has brought the
# small files under its threshold, and reports how long that took after the last append)
# and off (the reference: merge-on-read over 150 files). No manual compact in either.
#
#   bench/auto_compact.sh BIN     (BENCH_AC_APPENDS=150, BENCH_AC_ROWS=1000, BENCH_AC_RUNS=7)
#
# Writes to bench/out/ (git-ignored) and the "## Automatic compaction" section of
# docs/BENCHMARKS.md (BENCH_NO_DOC=1 only prints).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/auto_compact.sh build/lakehouse}")" && pwd)/$(basename "$1")
APPENDS=${BENCH_AC_APPENDS:-150}
ROWS=${BENCH_AC_ROWS:-1000}
RUNS=${BENCH_AC_RUNS:-7}
OUT=$PWD/bench/out/auto_compact
DOC=docs/BENCHMARKS.md
rm -rf "$OUT"; mkdir -p "$OUT"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
live_files() {
  python3 - "$1" <<'PY'
import json, os, sys
d = os.path.join(sys.argv[1], "_delta_log"); live = set()
for f in sorted(os.listdir(d)):
    if f.endswith(".json"):
        for line in open(os.path.join(d, f)):
            a = json.loads(line)
            if "add" in a: live.add(a["add"]["path"])
            if "remove" in a: live.discard(a["remove"]["path"])
print(len(live))
PY
}
server=""
trap '[[ -n $server ]] && kill $server 2>/dev/null || true' EXIT

# run MODE (on|off): prints "appended_s one_s wait_ms files_after append_p50_ms"
run() {
  local mode=$1 data=$OUT/data-$1 i r
  local enabled=true; [[ $mode == off ]] && enabled=false
  LAKEHOUSE_SERVER_ACCESS_LOG=false LAKEHOUSE_STORAGE_AUTO_COMPACT=$enabled \
    LAKEHOUSE_STORAGE_AUTO_COMPACT_INTERVAL_MS=1000 \
    "$BIN" serve --data "$data" --bind 127.0.0.1:0 >"$OUT/serve-$mode.out" 2>"$OUT/serve-$mode.err" &
  server=$!
  for _ in $(seq 150); do grep -q http "$OUT/serve-$mode.out" && break; sleep 0.1; done
  local url; url=$(grep -o 'http://[0-9.:]*' "$OUT/serve-$mode.out")
  echo "id,grp,amount,note" > "$OUT/all.csv"
  local per=() ta
  for ((i = 0; i < APPENDS; i++)); do
    { echo "id,grp,amount,note"
      for ((r = 0; r < ROWS; r++)); do echo "$((i * ROWS + r)),$((r % 7)),$((i + r)).5,batch $i row $r"; done
    } > "$OUT/batch.csv"
    tail -n +2 "$OUT/batch.csv" >> "$OUT/all.csv"
    ta=$(date +%s%N)
    curl -sf -F "file=@$OUT/batch.csv;filename=batch$i.csv" -F name=events "$url/ingest/file" >/dev/null
    per+=("$(ms "$ta")")
  done
  local t0; t0=$(date +%s%N)
  curl -sf -F "file=@$OUT/all.csv;filename=all.csv" -F name=one "$url/ingest/file" >/dev/null
  # on: wait (bounded: 10 minutes) for the compactor; off: nothing to wait for
  local waited=0
  if [[ $mode == on ]]; then
    for ((i = 0; i < 6000; i++)); do
      (( $(live_files "$data/tables/events") < 10 )) && break
      sleep 0.1
    done
    waited=$(ms "$t0")
  fi
  local files; files=$(live_files "$data/tables/events")
  q() { curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Content-Type: application/json' \
          -d "{\"sql\":\"SELECT grp, count(*), sum(amount) FROM $1 GROUP BY grp ORDER BY grp\"}" "$url/query/sql"; }
  q events >/dev/null; q one >/dev/null
  local a=() o=()
  for ((i = 0; i < RUNS; i++)); do a+=("$(q events)"); o+=("$(q one)"); done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${o[@]}" | median) $waited $files $(printf '%s\n' "${per[@]}" | median)"
}

read -r on_a on_o on_wait on_files on_app <<<"$(run on)"
read -r off_a off_o _ off_files off_app <<<"$(run off)"
f() { awk "BEGIN {printf \"%.1f\", $1 * 1000}"; }
r() { awk "BEGIN {printf \"%.2fx\", $1 / $2}"; }
table=$(cat <<MD
$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), machine shared with other agents (loaded); command: \`bench/auto_compact.sh build/lakehouse\` ($APPENDS appends of $ROWS rows; medians of $RUNS alternated group-by queries over HTTP)

| auto_compact | append, median | live files of the appended dataset | group-by, appended | group-by, one file | ratio (target ≤ 1.5×) |
|---|---:|---:|---:|---:|---:|
| on (default policy; compacted $on_wait ms after the last append) | $on_app ms | $on_files | $(f "$on_a") ms | $(f "$on_o") ms | $(r "$on_a" "$on_o") |
| off (reference: merge-on-read) | $off_app ms | $off_files | $(f "$off_a") ms | $(f "$off_o") ms | $(r "$off_a" "$off_o") |

No manual \`compact\` in either run. With the policy on, the compactor (every
\`auto_compact_interval_ms\`, here 1000) merges the appended small files into files of up
to \`auto_compact_target_file_bytes\` through the verified compaction, without the write
lock while it writes; the wait column is the time from the last append until the live
files were under \`auto_compact_min_files\` (10).
MD
)
echo "$table"
# ROW line for bench/rows.sh (issue 13's table): appended vs one file, policy on.
ratio_on=$(awk "BEGIN {printf \"%.2f\", $on_a / $on_o}")
printf 'ROW\tgroup-by over %s appended files vs one file (HTTP, auto_compact on)\t%s ms\t%s ms\t%s\t<= 1.5\t%s\n' \
  "$APPENDS" "$(f "$on_a")" "$(f "$on_o")" "$ratio_on" "$(awk "BEGIN {print ($ratio_on <= 1.5 ? \"yes\" : \"no\")}")"
if [[ -z ${BENCH_NO_DOC:-} ]]; then
  python3 - "$DOC" "$table" <<'PY'
import sys
doc, body = sys.argv[1], sys.argv[2]
s = open(doc).read()
head = "## Automatic compaction"
block = head + "\n\n<!-- bench:auto_compact -->\n" + body + "\n<!-- /bench:auto_compact -->\n"
if "<!-- bench:auto_compact -->" in s:
    a = s.index(head); b = s.index("<!-- /bench:auto_compact -->") + len("<!-- /bench:auto_compact -->\n")
    s = s[:a] + block + s[b:]
else:
    s = s.rstrip("\n") + "\n\n" + block
open(doc, "w").write(s)
PY
fi
