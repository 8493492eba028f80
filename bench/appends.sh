#!/usr/bin/env bash
# Appends stay cheap, and what merge-on-read costs: 1,000 appends of 100 rows each into one
# dataset through a running server (POST /ingest/file: no process start per append), then a
# query over the 1,000 files, then `compact` and the same query over the one file. Also
# compaction throughput (rows/s) against DuckDB's own COPY of the same rows to Parquet.
#
#   bench/appends.sh BIN          (BENCH_APPENDS=1000, BENCH_COMPACT_ROWS=1000000)
#
# Writes to bench/out/ (git-ignored) and the "## Appends and compaction" section of
# docs/BENCHMARKS.md (BENCH_NO_DOC=1 only prints).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/appends.sh build/lakehouse}")" && pwd)/$(basename "$1")
APPENDS=${BENCH_APPENDS:-1000}
CROWS=${BENCH_COMPACT_ROWS:-1000000}
OUT=$PWD/bench/out/appends
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"

# the automatic compaction off: this measures merge-on-read and the manual compaction
# (bench/auto_compact.sh measures the policy)
LAKEHOUSE_SERVER_ACCESS_LOG=false LAKEHOUSE_STORAGE_AUTO_COMPACT=false "$BIN" serve --data "$OUT/data" --bind 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q serving "$OUT/serve.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.out")

echo "== $APPENDS appends of 100 rows"
per=()
t_all=$(date +%s%N)
for ((i = 0; i < APPENDS; i++)); do
  f=$OUT/batch.csv
  { echo "id,grp,amount,note"; for ((r = 0; r < 100; r++)); do echo "$((i * 100 + r)),$((r % 7)),$((i + r)).5,batch $i row $r"; done; } > "$f"
  t0=$(date +%s%N)
  curl -sf -F "file=@$f;filename=batch$i.csv" -F name=events "$URL/ingest/file" > /dev/null
  per+=("$(ms "$t0")")
done
total_ms=$(ms "$t_all")
append_p50=$(printf '%s\n' "${per[@]}" | median)
first=$(printf '%s\n' "${per[@]:0:50}" | median)
last=$(printf '%s\n' "${per[@]: -50}" | median)

q() { curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Content-Type: application/json' \
        -d "{\"sql\":\"$1\"}" "$URL/query/sql"; }
Q="SELECT grp, count(*), sum(amount) FROM events GROUP BY grp ORDER BY grp"
before=$(for _ in $(seq 7); do q "$Q"; done | median)
t0=$(date +%s%N)
curl -sf -X POST -H 'Content-Type: application/json' -d '{"dataset":"events"}' "$URL/query/compact" > "$OUT/compact.json"
compact_small_ms=$(ms "$t0")
after=$(for _ in $(seq 7); do q "$Q"; done | median)

echo "== compaction throughput on $CROWS rows"
"$OUT/duckref" "COPY (SELECT i AS id, i % 97 AS grp, i * 1.5 AS amount, 'note ' || i AS note FROM range($CROWS) t(i)) TO '$OUT/big.csv' (HEADER)" >/dev/null
curl -sf -F "file=@$OUT/big.csv" -F name=big "$URL/ingest/file" > /dev/null
# a second file so that compaction has work (two files into one)
"$OUT/duckref" "COPY (SELECT i AS id, i % 97 AS grp, i * 1.5 AS amount, 'note ' || i AS note FROM range($CROWS, $CROWS + 1000) t(i)) TO '$OUT/big2.csv' (HEADER)" >/dev/null
curl -sf -F "file=@$OUT/big2.csv" -F name=big "$URL/ingest/file" > /dev/null
# The live files from the Delta log, not a glob of the table directory (after a compaction
# the directory also holds the replaced files until vacuum).
files=$(python3 bench/delta_files.py "$OUT/data/tables/big" "$OUT/duckref" | sed "s/.*/'&'/" | paste -sd,)
t0=$(date +%s%N)
curl -sf -X POST -H 'Content-Type: application/json' -d '{"dataset":"big"}' "$URL/query/compact" > "$OUT/compact_big.json"
compact_ms=$(ms "$t0")
t0=$(date +%s%N)
"$OUT/duckref" "COPY (FROM read_parquet([$files])) TO '$OUT/duck.parquet' (FORMAT parquet, COMPRESSION snappy)" >/dev/null
duck_ms=$(ms "$t0")
rows=$((CROWS + 1000))

table=$(cat <<MD
$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); command: \`bench/appends.sh build/lakehouse\`

| measure | value |
|---|---:|
| $APPENDS appends of 100 rows over HTTP, total | $total_ms ms |
| one append, median (first 50 / last 50) | $append_p50 ms ($first / $last) |
| group-by over the $APPENDS files (merge-on-read), median of 7 | $(awk "BEGIN {printf \"%.1f\", $before * 1000}") ms |
| compaction of the $APPENDS files into one | $compact_small_ms ms |
| the same group-by after compaction, median of 7 | $(awk "BEGIN {printf \"%.1f\", $after * 1000}") ms |
| merge-on-read cost (before / after) | $(awk "BEGIN {printf \"%.1fx\", $before / $after}") |
| compaction of $rows rows (2 files; verified by a full scan) | $compact_ms ms, $(awk "BEGIN {printf \"%.0f\", $rows / ($compact_ms / 1000)}") rows/s |
| DuckDB COPY of the same rows to Snappy Parquet | $duck_ms ms, $(awk "BEGIN {printf \"%.0f\", $rows / ($duck_ms / 1000)}") rows/s |
| compaction / DuckDB COPY (time ratio) | $(awk "BEGIN {printf \"%.2f\", $compact_ms / $duck_ms}") |

An append costs more as live files pile up (first 50 vs last 50 appends): each commit
replays the log and rebuilds the dataset's view, and DuckDB reads every file's footer when
it binds a view over files whose schemas may differ (`union_by_name`); every query pays
that bind too, which is the merge-on-read cost above. Compaction brings both back: one
file, one footer. The server runs here with \`[storage] auto_compact = false\`: the
automatic compaction, on by default, is measured by \`bench/auto_compact.sh\`. Compaction itself reads every row twice (the write, then the full-scan
verification of row count and content hash) and writes one commit.
MD
)
echo "$table"
if [[ -z ${BENCH_NO_DOC:-} ]]; then
  python3 - "$DOC" "$table" <<'PY'
import sys
doc, body = sys.argv[1], sys.argv[2]
s = open(doc).read()
head = "## Appends and compaction"
block = head + "\n\n<!-- bench:appends -->\n" + body + "\n<!-- /bench:appends -->\n"
if "<!-- bench:appends -->" in s:
    a = s.index(head); b = s.index("<!-- /bench:appends -->") + len("<!-- /bench:appends -->\n")
    s = s[:a] + block + s[b:]
else:
    s = s.rstrip("\n") + "\n\n" + block
open(doc, "w").write(s)
PY
fi
