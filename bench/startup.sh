#!/usr/bin/env bash
# Start-up (issue 13, item 2): `lakehouse sql "SELECT 1"` on an empty data directory and
# `lakehouse --version`, against a DuckDB process that opens an in-memory database and runs
# the same SELECT 1 (bench/duckdb_startup.c, linked to the same libduckdb.so), as whole
# processes, alternated within each round, medians of the rounds; and the shared objects
# each one loads (the dynamic loader's own list, LD_DEBUG=libs).
#
#   bench/startup.sh BIN [BEFORE_BIN]
#       BIN         the lakehouse binary (build/lakehouse)
#       BEFORE_BIN  optional: an older lakehouse binary measured in the same rounds (e.g.
#                   one built from the commit before the optional libraries were loaded
#                   lazily), for the before/after columns
#
# Also `sql "SELECT count(*) FROM d1"` on a data directory of BENCH_STARTUP_DATASETS
# (default 30) small datasets: a reader defines only the views a query names.
# Environment: BENCH_STARTUP_RUNS (rounds, default 40), BENCH_NO_DOC=1 to only print.
# Writes bench/out/startup.txt and the "## Start-up" section of docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/startup.sh path/to/lakehouse [path/to/older/lakehouse]}
BEFORE=${2:-}
N=${BENCH_STARTUP_RUNS:-40}
OUT=$PWD/bench/out
DOC=docs/BENCHMARKS.md
DUCKDB_DIR=$(cd "${DUCKDB_DIR:-third_party/duckdb}" && pwd)
CC=${CC:-gcc}
PY=/usr/bin/python3
mkdir -p "$OUT"
unset LAKEHOUSE_LOG LAKEHOUSE_DATA

BASE=$OUT/duckdb_startup
if [ ! -x "$BASE" ] || [ bench/duckdb_startup.c -nt "$BASE" ]; then
    "$CC" -std=c11 -Wall -Wextra -Werror -O2 -I"$DUCKDB_DIR" bench/duckdb_startup.c -o "$BASE" \
        -L"$DUCKDB_DIR" -lduckdb -Wl,-rpath,"$DUCKDB_DIR"
fi
EMPTY=$(mktemp -d "${TMPDIR:-/tmp}/lh-startup-XXXXXX")
trap 'rm -rf "$EMPTY"' EXIT
NDS=${BENCH_STARTUP_DATASETS:-30}
MANY=$EMPTY/many
printf 'id,name\n1,a\n2,b\n' > "$EMPTY/d.csv"
for ((i = 1; i <= NDS; i++)); do
    "$BIN" ingest "$EMPTY/d.csv" --name "d$i" --data "$MANY" > /dev/null
done

# libs CMD...: how many shared objects the dynamic loader looked up or initialised for CMD
# (the vDSO not counted).
libs() {
    LD_DEBUG=libs "$@" 2>&1 >/dev/null | grep -oE 'find library=[^ ]+|calling init: [^ ]+' |
        sed -E 's/^find library=//; s/^calling init: //; s#.*/##' | sort -u | wc -l
}

# The rounds: every contender once per round, in a rotating order, wall time of the whole
# process (fork + exec + run + exit) measured by a Python loop (no shell in between).
$PY - "$N" "$OUT/startup.txt" "$BIN" "$BASE" "$EMPTY" "$BEFORE" "$MANY" <<'PY'
import os, resource, subprocess, sys, time, statistics
n, out, lh, duck, empty, before, many = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
one = "SELECT count(*) FROM d1"
cmds = {
    "lh_sql": [lh, "sql", "SELECT 1", "--data", empty + "/after"],
    "lh_many": [lh, "sql", one, "--data", many],
    "lh_version": [lh, "--version"],
    "duckdb": [duck, "SELECT 1"],
}
if before:
    cmds["before_sql"] = [before, "sql", "SELECT 1", "--data", empty + "/before"]
    cmds["before_version"] = [before, "--version"]
    cmds["before_many"] = [before, "sql", one, "--data", many]
env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def run(c):
    c0, t = cpu(), time.perf_counter_ns()
    subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return (time.perf_counter_ns() - t) / 1e6, (cpu() - c0) * 1e3
names = list(cmds)
for name in names:  # warm-up: page cache, and the data directories exist from here on
    run(cmds[name])
times = {k: [] for k in names}
cpus = {k: [] for k in names}
for i in range(n):
    order = names[i % len(names):] + names[:i % len(names)]
    for name in order:
        wall, used = run(cmds[name])
        times[name].append(wall)
        cpus[name].append(used)
with open(out, "w") as f:
    for name in names:
        f.write("%s %.1f %.1f %.1f\n" % (name, statistics.median(times[name]), min(times[name]),
                                         statistics.median(cpus[name])))
PY

get() { awk -v k="$1" -v c="$2" '$1 == k {print $c}' "$OUT/startup.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
SQL=$(get lh_sql 2) VER=$(get lh_version 2) DUCK=$(get duckdb 2)
LIBS_SQL=$(libs "$BIN" sql "SELECT 1" --data "$EMPTY/after")
LIBS_VER=$(libs "$BIN" --version)
LIBS_DUCK=$(libs "$BASE" "SELECT 1")
CDUCK=$(get duckdb 4)
# row LABEL KEY LIBS [BOLD]: one table row for the contender KEY of startup.txt
row() {
    local r; r=$(ratio "$(get "$2" 2)" "$DUCK"); [ -n "${4:-}" ] && r="**$r**"
    echo "| $1 | $(get "$2" 2) | $(get "$2" 3) | $r | $(get "$2" 4) | $(ratio "$(get "$2" 4)" "$CDUCK") | $3 |"
}
ROWS="$(row '`lakehouse sql "SELECT 1"` (empty data dir)' lh_sql "$LIBS_SQL" b)
$(row '`lakehouse --version`' lh_version "$LIBS_VER" b)
$(row "\`sql \"SELECT count(*) FROM d1\"\`, $NDS datasets" lh_many "")"
if [ -n "$BEFORE" ]; then
    ROWS="$ROWS
$(row 'before: `lakehouse sql "SELECT 1"`' before_sql "$(libs "$BEFORE" sql "SELECT 1" --data "$EMPTY/before")")
$(row 'before: `lakehouse --version`' before_version "$(libs "$BEFORE" --version)")
$(row "before: \`sql \"SELECT count(*) FROM d1\"\`, $NDS datasets" before_many "")"
fi
MET=$(awk -v r="$(ratio "$SQL" "$DUCK")" 'BEGIN {print (r <= 1.2 ? "met" : "not met")}')

SECTION="## Start-up

\`bench/startup.sh ${1}${BEFORE:+ $BEFORE}\` (BENCH_STARTUP_RUNS=$N): whole processes, each contender once
per round in a rotating order, $N rounds, wall time from a Python loop (fork, exec, run,
exit; CPU: user + system time of the process, from getrusage); medians. The baseline is a DuckDB process (\`bench/duckdb_startup.c\`: open an in-memory
database, \`SELECT 1\`, print the value; the same libduckdb.so). \"Shared objects\" is what the
dynamic loader looked up or initialised (\`LD_DEBUG=libs\`, the vDSO not counted).
The machine is shared with other agents' builds and tests: absolute times move from run to run,
the same-run ratios much less, and CPU time least (it does not count waiting for a core).

| process | median wall ms | min wall ms | wall ratio to DuckDB | median CPU ms | CPU ratio | shared objects |
|---|---:|---:|---:|---:|---:|---:|
$ROWS
| DuckDB process, \`SELECT 1\` | $DUCK | $(get duckdb 3) | 1.00 | $CDUCK | 1.00 | $LIBS_DUCK |

Target (issue 13): \`sql \"SELECT 1\"\` within 1.2x of the DuckDB process (wall): $MET.
Where the rest of the time goes: docs/INTERNALS.md, \"Optional libraries\".
$(date -u +%Y-%m-%dT%H:%MZ), commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo).
"
printf '%s\n' "$SECTION"
# ROW line for bench/rows.sh (issue 13's table).
R_SQL=$(ratio "$SQL" "$DUCK")
printf 'ROW\tlakehouse sql "SELECT 1", empty data dir, vs a DuckDB process\t%s ms\t%s ms\t%s\t<= 1.2\t%s\n' \
    "$SQL" "$DUCK" "$R_SQL" "$(awk -v r="$R_SQL" 'BEGIN {print (r <= 1.2 ? "yes" : "no")}')"
if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
    $PY - "$DOC" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip("\n") + "\n"
doc = open(path).read()
m = re.search(r"^## Start-up\n.*?(?=^## |\Z)", doc, flags=re.S | re.M)
doc = doc[:m.start()] + section + "\n" + doc[m.end():] if m else doc.rstrip("\n") + "\n\n" + section
open(path, "w").write(doc)
PY
fi
