#!/usr/bin/env bash
# Compressed input: `lakehouse ingest` of a CSV (BENCH_ROWS rows, 8 columns) as it is,
# gzip-compressed and zstd-compressed (decompressed while staging, hashed as uploaded),
# against DuckDB reading the .gz itself (read_csv handles gzip) into Snappy Parquet.
# Whole processes, a fresh data directory each run, median of BENCH_RUNS.
#
#   bench/compressed_ingest.sh BIN     (BENCH_ROWS=1000000, BENCH_RUNS=5)
#
# Writes to bench/out/compressed (git-ignored) and the "## Compressed input" section of
# docs/BENCHMARKS.md (BENCH_NO_DOC=1 only prints).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:?usage: bench/compressed_ingest.sh build/lakehouse}")" && pwd)/$(basename "$1")
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-5}
OUT=$PWD/bench/out/compressed
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
SHARED=${LH_SHARED_DIR:-$(cd .. && pwd)/shared}
rm -rf "$OUT"; mkdir -p "$OUT"
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
gcc -O2 -I"$DUCKDB_DIR" "$SHARED/tools/duckref.c" -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR" -o "$OUT/duckref"

python3 - "$OUT/big.csv" "$ROWS" <<'PY'
import random, sys
random.seed(11)
cities = ["Oslo", "Lima", "Zürich", "São Paulo", "Kraków", "Accra", "Hanoi", "Quito"]
with open(sys.argv[1], "w") as f:
    f.write("id,customer,city,amount,qty,placed_at,status,note\n")
    for i in range(int(sys.argv[2])):
        f.write(f"{i},cust{random.randrange(50000)},{random.choice(cities)},{random.randrange(100000)/100},"
                f"{random.randrange(1, 20)},2024-{random.randrange(1, 13):02d}-{random.randrange(1, 29):02d},"
                f"{random.choice(['new', 'paid', 'shipped', 'returned'])},order {i} note\n")
PY
gzip -k -6 "$OUT/big.csv"
zstd -q -k -3 "$OUT/big.csv" -o "$OUT/big.csv.zst"
size() { stat -c %s "$1"; }

# run FILE: ms for one whole `ingest` into a fresh data directory.
run() {
  rm -rf "$OUT/data"
  local t0=$(date +%s%N)
  LAKEHOUSE_DATA=$OUT/data "$BIN" ingest --name big "$1" >/dev/null
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
duck() {
  rm -f "$OUT/duck.parquet"
  local t0=$(date +%s%N)
  "$OUT/duckref" "COPY (SELECT * FROM read_csv('$1')) TO '$OUT/duck.parquet' (FORMAT parquet, COMPRESSION snappy)" >/dev/null
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
declare -A t
for k in plain gz zst duck_gz duck_plain; do t[$k]=""; done
for ((r = 0; r < RUNS; r++)); do
  t[plain]+="$(run "$OUT/big.csv") "
  t[gz]+="$(run "$OUT/big.csv.gz") "
  t[zst]+="$(run "$OUT/big.csv.zst") "
  t[duck_gz]+="$(duck "$OUT/big.csv.gz") "
  t[duck_plain]+="$(duck "$OUT/big.csv") "
done
declare -A m
for k in "${!t[@]}"; do m[$k]=$(tr ' ' '\n' <<<"${t[$k]}" | grep . | median); done
rows=$(LAKEHOUSE_DATA=$OUT/data "$BIN" sql "SELECT count(*) FROM big" --format csv | tail -n 1 | tr -d "\r")
[[ $rows == "$ROWS" ]] || { echo "compressed_ingest: read back $rows rows, expected $ROWS" >&2; exit 1; }
r() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
table=$(cat <<MD
$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (shared), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); command: \`BENCH_ROWS=$ROWS BENCH_RUNS=$RUNS bench/compressed_ingest.sh build/lakehouse\`

A $ROWS-row, 8-column CSV ($(( $(size "$OUT/big.csv") >> 20 )) MiB; gzip -6 $(( $(size "$OUT/big.csv.gz") >> 20 )) MiB, zstd -3 $(( $(size "$OUT/big.csv.zst") >> 20 )) MiB). Whole processes, fresh data directory, median of $RUNS.

| input | time | vs plain CSV |
|---|---|---|
| \`lakehouse ingest big.csv\` | ${m[plain]} ms | 1.00 |
| \`lakehouse ingest big.csv.gz\` | ${m[gz]} ms | $(r "${m[gz]}" "${m[plain]}") |
| \`lakehouse ingest big.csv.zst\` | ${m[zst]} ms | $(r "${m[zst]}" "${m[plain]}") |
| DuckDB \`COPY (FROM read_csv('big.csv.gz')) TO parquet\` | ${m[duck_gz]} ms | $(r "${m[duck_gz]}" "${m[plain]}") |
| DuckDB \`COPY (FROM read_csv('big.csv')) TO parquet\` | ${m[duck_plain]} ms | $(r "${m[duck_plain]}" "${m[plain]}") |
| lakehouse .gz / DuckDB .gz | | $(r "${m[gz]}" "${m[duck_gz]}") |

Staging decompresses into the data root's \`_staging\` in the same pass that hashes the
upload (SHA-256 of the compressed bytes, the dedup key), so a compressed ingest pays one
sequential decompression plus a write of the plain bytes; the plain CSV is hard-linked and
hashed on a helper thread while DuckDB sniffs. The rest (sniff, Parquet, verification,
commit) is the same pipeline.
MD
)
echo "$table"
if [[ -z ${BENCH_NO_DOC:-} ]]; then
  python3 - "$DOC" "$table" <<'PY'
import sys
doc, body = sys.argv[1], sys.argv[2]
s = open(doc).read()
head = "## Compressed input"
block = head + "\n\n<!-- bench:compressed -->\n" + body + "\n<!-- /bench:compressed -->\n"
if "<!-- bench:compressed -->" in s:
    a = s.index(head); b = s.index("<!-- /bench:compressed -->") + len("<!-- /bench:compressed -->\n")
    s = s[:a] + block + s[b:]
else:
    s = s.rstrip("\n") + "\n\n" + block
open(doc, "w").write(s)
PY
fi
