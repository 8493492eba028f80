#!/usr/bin/env bash
# gen.sh OUTDIR: writes the corpus's generated entries (see MANIFEST) into OUTDIR and
# copies the static ones beside them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
for f in "$here"/*; do
  case $(basename "$f") in MANIFEST|gen.sh|*.py) ;; *) cp "$f" "$out/" ;; esac
done
cd "$out"
python3 - <<'PY'
import gzip, zlib
# gzip bomb: 200 MiB of CSV-looking text in a few hundred KiB
with gzip.open("gzip_bomb.csv.gz", "wb", 9) as g:
    g.write(b"a,b\n")
    line = b"1,2\n" * 262144
    for _ in range(200):
        g.write(line)
rows = ["a,b"] + ["%d,x" % i for i in range(20000)]
b = ("\n".join(rows) + "\n").encode()
open("nul_late.csv", "wb").write(b[:100000] + b"\0" + b[100000:])
open("nul_late.json", "wb").write(b"[" + b",".join(b'{"a":%d}' % i for i in range(12000)) + b',{"a":"x\0"}]')
open("wide_100k.csv", "w").write(",".join("c%d" % i for i in range(100000)) + "\n" + ",".join("1" for _ in range(100000)) + "\n")
open("deep_json.json", "w").write("[" * 100000 + "]" * 100000)

def pdf(objs, trailer_extra=b""):
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer_extra, x)
    return bytes(out)
page = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 35 >>\nstream\nBT /F1 12 Tf 72 720 Td (Hi) Tj ET\n\nendstream"]
enc = page + [b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <%s> /U <%s> >>" % (b"00" * 32, b"11" * 32)]
open("encrypted.pdf", "wb").write(pdf(enc, b"/Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>] "))
whole = pdf(page)
open("truncated.pdf", "wb").write(whole[: len(whole) // 2])
PY
python3 "$here/mkpdfbomb.py" pdf_bomb.pdf 300
