# Load and robustness over HTTP: 16 concurrent keep-alive clients × 200 mixed requests
# (health, catalog, queries, object put/get, ingests into one dataset) with zero
# unexpected statuses and consistent data afterwards; SIGKILL during a large upload leaves
# no dataset and no staged bytes after a restart; a 1,000,000-row result streams in
# bounded memory; per-IP connection, header size and slow-client limits.
source "$(dirname "$0")/lib.sh"
source "$LH_REPO/tests/http_server.sh"
cd "$WORK"
trap 'srv_stop_all; rm -rf "$WORK"' EXIT
unset LAKEHOUSE_LOG
J='Content-Type: application/json'
CLIENTS=16 PER_CLIENT=200

if srv_start L; then ok "server starts"; else not_ok "server starts"; echo "# $(head -c 600 "$WORK/L.err")"; exit 1; fi
URL=$SRV_URL PID=$SRV_PID

python3 -c 'print("id,v"); [print("%d,v%d" % (i, i)) for i in range(1000)]' > base.csv
code=$(curl -s -o base.json -w '%{http_code}' -F file=@base.csv -F name=base "$URL/ingest/file")
expect_eq "a 1000-row base dataset" "200" "$code"

# ---- 16 clients × 200 requests, one keep-alive curl per client (a config of 200 transfers) ----
mkdir -p cfg out obj ing
python3 - "$URL" "$CLIENTS" "$PER_CLIENT" <<'PY'
import json, os, random, sys
url, clients, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(11)
json.dump({"sql": "SELECT sum(id) AS s, count(*) AS n FROM base", "format": "csv"}, open("q_sum.json", "w"))
json.dump({"sql": "SELECT i, i * 3 AS k FROM range(100) t(i)", "format": "ndjson"}, open("q_range.json", "w"))
ingest_rows = 0
expected = open("expected.txt", "w")
for c in range(clients):
    cfg = open("cfg/c%d.cfg" % c, "w")
    n_ing = 0
    for j in range(per):
        tag = "c%d_%d" % (c, j)
        kind = j % 10
        lines = []
        if kind == 0:
            lines, want = ['url = "%s/health"' % url], 200
        elif kind == 1:
            lines, want = ['url = "%s/catalog/datasets"' % url], 200
        elif kind == 2:
            lines, want = ['url = "%s/query/sql"' % url, 'header = "Content-Type: application/json"',
                           'data-binary = "@q_sum.json"'], 200
        elif kind == 3:
            lines, want = ['url = "%s/query/sql"' % url, 'header = "Content-Type: application/json"',
                           'data-binary = "@q_range.json"'], 200
        elif kind in (4, 6):
            body = os.urandom(random.randint(1, 4000)) + tag.encode()
            open("obj/%s" % tag, "wb").write(body)
            lines, want = ['url = "%s/storage/objects/load/c%d/o%d"' % (url, c, j), 'request = "PUT"',
                           'data-binary = "@obj/%s"' % tag], 201
        elif kind in (5, 7):
            lines, want = ['url = "%s/storage/objects/load/c%d/o%d"' % (url, c, j - 1)], 200
        elif kind == 8:
            lines, want = ['url = "%s/catalog/datasets/by-name/base"' % url], 200
        elif j in (9, 99, 199):
            rows = c * 3 + n_ing + 1
            n_ing += 1
            ingest_rows += rows
            with open("ing/%s.csv" % tag, "w") as f:
                f.write("client,seq,row\n")
                for r in range(rows):
                    f.write("%d,%d,%d\n" % (c, j, r))
            lines, want = ['url = "%s/ingest/file"' % url, 'form = "file=@ing/%s.csv"' % tag,
                           'form = "name=loadds"'], 200
        else:
            lines, want = ['url = "%s/metrics"' % url], 200
        lines += ['output = "out/%s"' % tag, 'write-out = "%%{http_code} %s\\n"' % tag, 'max-time = 60']
        if j < per - 1:
            lines.append("next")
        cfg.write("\n".join(lines) + "\n")
        expected.write("%d %s\n" % (want, tag))
open("ingest_rows.txt", "w").write("%d %d\n" % (ingest_rows, clients * 3))
PY
read -r INGEST_ROWS INGESTS < ingest_rows.txt
start=$(date +%s%N)
pids=()
for ((c = 0; c < CLIENTS; c++)); do
  timeout 180 curl -sS -K "cfg/c$c.cfg" > "out/status.c$c" 2> "out/err.c$c" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
ms=$((($(date +%s%N) - start) / 1000000))
echo "# $((CLIENTS * PER_CLIENT)) requests in $ms ms"
cat out/status.c* | sort > got.txt
sort expected.txt > want.txt
expect_eq "every one of $((CLIENTS * PER_CLIENT)) requests answered" "$((CLIENTS * PER_CLIENT))" "$(wc -l < got.txt)"
expect_eq "zero unexpected statuses" "" "$(diff want.txt got.txt | grep '^>' | head -n 5)"
expect_eq "no curl errors" "" "$(cat out/err.c* | head -c 300)"
python3 - "$CLIENTS" "$PER_CLIENT" > verify.txt <<'PY'
import json, sys
clients, per = int(sys.argv[1]), int(sys.argv[2])
bad_sum = bad_range = bad_get = bad_ing = 0
versions = []
ndjson_want = b"".join(b'{"i":%d,"k":%d}\n' % (i, 3 * i) for i in range(100))
for c in range(clients):
    for j in range(per):
        tag = "c%d_%d" % (c, j)
        body = open("out/" + tag, "rb").read()
        kind = j % 10
        if kind == 2:
            bad_sum += body != b"s,n\r\n499500,1000\r\n"
        elif kind == 3:
            bad_range += body != ndjson_want
        elif kind in (5, 7):
            bad_get += body != open("obj/c%d_%d" % (c, j - 1), "rb").read()
        elif kind == 9 and j in (9, 99, 199):
            r = json.loads(body)["results"][0]
            rows = sum(1 for _ in open("ing/%s.csv" % tag)) - 1
            bad_ing += r["dataset"] != "loadds" or r["rows_added"] != rows or r["deduplicated"]
            versions.append(r["version"])
print(bad_sum, bad_range, bad_get, bad_ing)
print(" ".join(map(str, sorted(versions))))
PY
expect_eq "query results exact under load (bad sum, bad ndjson)" "0 0" "$(head -n 1 verify.txt | cut -d' ' -f1,2)"
expect_eq "every object read back under load matches what was put" 0 "$(head -n 1 verify.txt | cut -d' ' -f3)"
expect_eq "every ingest under load added its rows" 0 "$(head -n 1 verify.txt | cut -d' ' -f4)"
expect_eq "ingest versions are 0..$((INGESTS - 1)), each once" "$(seq -s ' ' 0 $((INGESTS - 1)))" "$(sed -n 2p verify.txt)"

# consistency afterwards, through the API
python3 - "$URL" "$CLIENTS" "$PER_CLIENT" > after.txt <<'PY'
import http.client, json, sys, urllib.parse
url, clients, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
conn = http.client.HTTPConnection(host, port, timeout=30)
def call(method, path, body=None, headers={}):
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()
st, b = call("GET", "/storage/objects?prefix=load/")
objs = {o["key"]: o["size"] for o in json.loads(b)["objects"]}
want = {}
for c in range(clients):
    for j in range(per):
        if j % 10 in (4, 6):
            want["load/c%d/o%d" % (c, j)] = open("obj/c%d_%d" % (c, j), "rb").read()
print(len(objs), len(want), sum(objs.get(k) != len(v) for k, v in want.items()))
mismatch = 0
for k, v in want.items():
    st, b = call("GET", "/storage/objects/" + k)
    mismatch += st != 200 or b != v
print(mismatch)
q = json.dumps({"sql": "SELECT count(*) AS n, count(DISTINCT client || '/' || seq) AS files FROM loadds", "format": "csv"})
st, b = call("POST", "/query/sql", q, {"Content-Type": "application/json"})
print(b.decode().split("\r\n")[1])
st, b = call("GET", "/catalog/datasets/by-name/loadds/history")
print(" ".join(str(h["version"]) for h in reversed(json.loads(b)["history"])))
st, b = call("GET", "/catalog/datasets/by-name/loadds")
m = json.loads(b)
print(m["row_count"], m["table_version"])
PY
expect_eq "object listing: all $((CLIENTS * PER_CLIENT / 5)) objects with their sizes" \
  "$((CLIENTS * PER_CLIENT / 5)) $((CLIENTS * PER_CLIENT / 5)) 0" "$(sed -n 1p after.txt)"
expect_eq "every object's bytes match afterwards" 0 "$(sed -n 2p after.txt)"
expect_eq "row count = the sum of ingested rows, from $INGESTS files" "$INGEST_ROWS,$INGESTS" "$(sed -n 3p after.txt)"
expect_eq "history versions contiguous 0..$((INGESTS - 1))" "$(seq -s ' ' 0 $((INGESTS - 1)))" "$(sed -n 4p after.txt)"
expect_eq "manifest row_count and version agree" "$INGEST_ROWS $((INGESTS - 1))" "$(sed -n 5p after.txt)"
expect_eq "no 5xx in the access log" 0 "$(grep -c '"status":5' "$WORK/L.err")"

# ---- SIGKILL during a large upload -------------------------------------------------------------
python3 - "$SRV_PORT" <<'PY' > upload.log 2>&1 &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
head = (b"--BOUND\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbigupload\r\n"
        b"--BOUND\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
        b"Content-Type: text/csv\r\n\r\nid,payload\r\n")
total = 200 * 1000 * 1000
s.sendall(b"POST /ingest/file HTTP/1.1\r\nHost: 127.0.0.1:" + sys.argv[1].encode() + b"\r\nContent-Type: multipart/form-data; boundary=BOUND\r\n"
          b"Content-Length: %d\r\n\r\n" % total + head)
row = b"%09d,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
sent, i, chunk = 0, 0, []
try:
    while sent < 40 * 1000 * 1000:
        chunk = b"".join(row % (i + k) for k in range(1000))
        i += 1000
        s.sendall(chunk)
        sent += len(chunk)
    open("upload.marker", "w").write(str(sent))
    for _ in range(300):  # hold the connection (at most 30 s) until the server dies
        s.sendall(chunk[:1000])
        time.sleep(0.1)
except OSError as e:
    print("upload ended:", type(e).__name__)
PY
uploader=$!
for ((i = 0; i < 300; i++)); do [[ -f upload.marker ]] && break; sleep 0.1; done
staged=$(find "$LAKEHOUSE_DATA/_staging" -type f -size +1M | wc -l)
expect_eq "mid-upload: 40 MB of the body is staged in one file" "1" "$staged"
srv_stop "$PID" KILL
wait "$uploader"
expect_eq "the server died by SIGKILL" 137 "$SRV_RC"
if srv_start L2; then ok "restart after SIGKILL"; else not_ok "restart after SIGKILL"; echo "# $(head -c 600 "$WORK/L2.err")"; exit 1; fi
URL=$SRV_URL PID=$SRV_PID
expect_eq "after restart: the interrupted upload is no dataset" "base loadds" \
  "$(curl -s "$URL/catalog/datasets" | python3 -c 'import json,sys; print(" ".join(sorted(m["name"] for m in json.load(sys.stdin)["datasets"])))')"
expect_eq "after restart: by-name/bigupload is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/catalog/datasets/by-name/bigupload")"
expect_eq "after restart: _staging is empty and no table directory" "0 no" \
  "$(ls -A "$LAKEHOUSE_DATA/_staging" | wc -l) $([[ -e $LAKEHOUSE_DATA/tables/bigupload ]] && echo yes || echo no)"
expect_eq "after restart: the loaded rows are intact" "$INGEST_ROWS" \
  "$(curl -s -XPOST -H "$J" -d '{"sql":"SELECT count(*) AS n FROM loadds","format":"csv"}' "$URL/query/sql" | tail -n 1 | tr -d '\r')"

# ---- streaming: 1,000,000 rows in bounded memory ----------------------------------------------
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
sleep 0.5
idle=$(rss "$PID")
curl -s --limit-rate 25M --max-time 60 -o big.ndjson -XPOST -H "$J" \
  -d "{\"sql\":\"SELECT i, i*2 AS j, 'x' || i AS s FROM range(1000000) t(i)\",\"format\":\"ndjson\"}" "$URL/query/sql" &
dl=$!
peak=$idle samples=0
for ((i = 0; i < 600; i++)); do
  kill -0 "$dl" 2>/dev/null || break
  r=$(rss "$PID"); samples=$((samples + 1))
  [[ -n $r && $r -gt $peak ]] && peak=$r
  sleep 0.05
done
wait "$dl"
echo "# idle RSS $((idle / 1024)) MB, peak during the download $((peak / 1024)) MB ($samples samples)"
expect_eq "1,000,000 NDJSON rows stream completely" "1000000" "$(wc -l < big.ndjson)"
expect_eq "first and last rows exact" '{"i":0,"j":0,"s":"x0"}|{"i":999999,"j":1999998,"s":"x999999"}' "$(head -n 1 big.ndjson)|$(tail -n 1 big.ndjson)"
expect_eq "the download was sampled (>= 10 RSS samples)" yes "$([[ $samples -ge 10 ]] && echo yes || echo "no ($samples)")"
expect_eq "RSS stays within 200 MB of idle while streaming" yes "$([[ $((peak - idle)) -lt 204800 ]] && echo yes || echo "no (+$(((peak - idle) / 1024)) MB)")"
curl -s --max-time 60 -o big.csv -XPOST -H "$J" \
  -d "{\"sql\":\"SELECT i, 'x' || i AS s FROM range(1000000) t(i)\",\"format\":\"csv\"}" "$URL/query/sql"
expect_eq "1,000,000 CSV rows plus the header" "1000001 999999,x999999" "$(wc -l < big.csv) $(tail -n 1 big.csv | tr -d '\r')"
m=$(curl -s "$URL/metrics" | awk '/^lakehouse_resident_memory_bytes/ {print $2}')
expect_eq "the resident-memory metric agrees with /proc within 100 MB" yes \
  "$(python3 -c "print('yes' if abs($m / 1024 - $(rss "$PID")) < 102400 else 'no')")"
srv_stop "$PID"
expect_eq "SIGTERM after the load: exit 0" 0 "$SRV_RC"

# ---- limits: connections per IP, header size, slow clients --------------------------------------
if srv_start LIM LAKEHOUSE_DATA="$WORK/dataLim" LAKEHOUSE_SERVER_PER_IP_CONNECTIONS=4 LAKEHOUSE_SERVER_REQUEST_TIMEOUT_MS=1000; then
  URL=$SRV_URL
  python3 - "$SRV_PORT" > limits.txt <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=5)
def status(s):
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + sys.argv[1].encode() + b"\r\n\r\n")
        d = s.recv(64)
        return "200" if d.startswith(b"HTTP/1.1 200") else ("closed" if not d else d[:12].decode())
    except OSError:
        return "closed"
socks = [conn() for _ in range(8)]
time.sleep(0.3)
res = [status(s) for s in socks]
print(res.count("200"), res.count("closed"))
for s in socks:
    s.close()
time.sleep(0.3)
s = conn()
print(status(s))
s.close()
# a request line and half the headers, then nothing
s = conn()
s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + sys.argv[1].encode() + b"\r\n")
t = time.time()
try:
    d = s.recv(64)
except OSError:
    d = b""
print("closed" if not d else "answered", round(time.time() - t, 1))
# headers complete, half the body, then nothing
s = conn()
s.sendall(b"POST /query/sql HTTP/1.1\r\nHost: 127.0.0.1:" + sys.argv[1].encode() + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sql\":")
t = time.time()
try:
    d = s.recv(64)
except OSError:
    d = b""
print("closed" if not d or b" 408 " in d else "answered", round(time.time() - t, 1))
PY
  expect_eq "per_ip_connections=4: 4 of 8 idle connections served, the rest closed" "4 4" "$(sed -n 1p limits.txt)"
  expect_eq "once they close, a new connection is served" 200 "$(sed -n 2p limits.txt)"
  read -r what secs < <(sed -n 3p limits.txt)
  expect_eq "a client stalling mid-headers is dropped after ~request_timeout_ms (1 s)" "closed yes" \
    "$what $(python3 -c "print('yes' if 0.5 <= $secs <= 3.0 else 'no ($secs s)')")"
  read -r what secs < <(sed -n 4p limits.txt)
  expect_eq "a client stalling mid-body is dropped after ~request_timeout_ms (1 s)" "closed yes" \
    "$what $(python3 -c "print('yes' if 0.5 <= $secs <= 3.0 else 'no ($secs s)')")"
  big=$(head -c 100000 /dev/zero | tr '\0' 'h')
  code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -H "X-Big: $big" "$URL/health")
  expect_eq "a 100 KB header is refused (431 or the connection closed), not 200" yes \
    "$([[ $code == 431 || $code == 000 ]] && echo yes || echo "no ($code)")"
  expect_eq "... and the server stays up" 200 "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$URL/health")"
  srv_stop "$SRV_PID"
  expect_eq "limits server exits 0" 0 "$SRV_RC"
else not_ok "limits server starts"; fi
