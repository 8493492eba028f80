#!/usr/bin/env bash
# bench/search_http.sh [ROWS] [R] [ROUNDS]: the latency of one vector search through HTTP
# (POST /vectors/search on a local server, one kept-alive connection, index already in the
# server's cache) against the same search in process (bench/search_http.c calls
# lh_vec_search_json, the function the route calls), same data, same run; the ratio is the
# HTTP overhead. Corpus: ROWS (default 20,000) synthetic rows of ~60 words from a
# 3,000-word vocabulary (a fixed seed), indexed with the builtin model. The two sides take
# turns, ROUNDS (default 5) times R/ROUNDS runs per mode each, so that the load of a shared
# machine falls on both alike; p50 and mean over all runs. Needs `make` first
# (build/lakehouse, build/liblh.a).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000} R=${2:-100} ROUNDS=${3:-5}
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
LH=$PWD/build/lakehouse
mkdir -p bench/out
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O2 -Isrc -I"$DUCKDB_DIR" -o bench/out/search_http \
  bench/search_http.c build/liblh.a -L"$DUCKDB_DIR" -Wl,-rpath,"$(cd "$DUCKDB_DIR" && pwd)" \
  -lduckdb -ljansson -lcrypto -lpthread -lm -lbz2 -lz -lzstd -llzma -lopenblas -llapacke \
  $(pkg-config --libs libxml-2.0 poppler-glib libmicrohttpd libpq libcurl)
W=$(mktemp -d /tmp/lh-bench-search-XXXXXX)
trap '[ -n "${SRV:-}" ] && kill $SRV 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
export LAKEHOUSE_DATA=$W/data
python3 - "$ROWS" > "$W/docs.csv" <<'PY'
import random, sys
rnd = random.Random(7)
syll = ["ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "de", "gu", "va", "zo"]
vocab = sorted({"".join(rnd.choice(syll) for _ in range(rnd.randint(2, 4))) for _ in range(6000)})[:3000]
print("id,state,body")
for i in range(int(sys.argv[1])):
    topic = rnd.randrange(40)
    words = [vocab[(topic * 60 + int(rnd.expovariate(1 / 40))) % len(vocab)] if rnd.random() < 0.6 else rnd.choice(vocab) for _ in range(60)]
    print('%d,%s,"%s."' % (i, rnd.choice(["TX", "CA", "NY"]), " ".join(words)))
PY
"$LH" ingest "$W/docs.csv" >/dev/null
"$LH" vectors index docs --text body --key id >/dev/null
Q=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1])))[7][2].split(); print(" ".join(r[:6]))' "$W/docs.csv")
echo "corpus: $ROWS rows; query: \"$Q\"; $R runs per mode, p50 and mean in ms"
: > "$W/inproc"; : > "$W/http"
SRV=
for _ in $(seq "$ROUNDS"); do
  # both open the directory as its writer: one at a time
  bench/out/search_http "$LAKEHOUSE_DATA" docs_body "$Q" $((R / ROUNDS)) >> "$W/inproc"
  LAKEHOUSE_STORAGE_AUTO_COMPACT=false "$LH" serve --bind 127.0.0.1:0 > "$W/srv.out" 2>"$W/srv.err" &
  SRV=$!
  URL=
  for _ in $(seq 150); do URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$W/srv.out" | head -n 1 || true); [ -n "$URL" ] && break; sleep 0.1; done
  python3 - "$URL" "$Q" $((R / ROUNDS)) >> "$W/http" <<'PY'
import http.client, json, sys, time, urllib.parse
url, q, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
for mode in ("hybrid", "dense", "lexical"):
    body = json.dumps({"index": "docs_body", "query": q, "k": 10, "mode": mode})
    t = []
    for i in range(runs + 2):
        t0 = time.perf_counter()
        c.request("POST", "/vectors/search", body, {"Content-Type": "application/json"})
        r = c.getresponse(); d = r.read()
        dt = (time.perf_counter() - t0) * 1000
        assert r.status == 200, d[:200]
        if i >= 2: t.append(dt)
    print(mode, len(json.loads(d)["results"]), " ".join("%.3f" % x for x in t))
PY
  kill "$SRV"; wait "$SRV" 2>/dev/null || true
done
python3 - "$W/inproc" "$W/http" <<'PY'
import statistics, sys
def load(p):
    d = {}
    for line in open(p):
        f = line.split()
        d.setdefault(f[0], []).extend(float(x) for x in f[2:])
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
print("%-8s %11s %11s %11s %11s %7s %5s" % ("mode", "inproc p50", "http p50", "inproc mean", "http mean", "ratio", "runs"))
for m in ("hybrid", "dense", "lexical"):
    pa, pb = statistics.median(a[m]), statistics.median(b[m])
    print("%-8s %11.2f %11.2f %11.2f %11.2f %7.2f %5d" % (m, pa, pb, statistics.mean(a[m]), statistics.mean(b[m]), pb / pa, len(a[m])))
PY
