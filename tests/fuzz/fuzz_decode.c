/* fuzz_decode: the staging pass of every file ingest (src/ingest/decode.c,
 * lh__ingest_decode): decompression by magic bytes (gzip, zstd, bzip2, xz), encoding
 * detection and conversion to UTF-8, the NUL check.
 *
 * Input: byte 0 picks the options (bit 0: decompress, bit 1: convert, bit 2: text, bits
 * 3-5: a forced encoding or none); the rest is the file.
 * Invariants: a failure has a one-line message; when converting succeeds, the output is
 * valid UTF-8, and with text no NUL byte; without compression
 * and conversion the output equals the input; the output never exceeds the decompression
 * bound. */
#include <stdint.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "fuzz_util.h"

static const char *const encodings[] = {
    NULL, NULL, "utf-8", "windows-1252", "latin-1", "utf-16", "utf-16le", "utf-16be",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    lh__decode_opts o = {.decompress = data[0] & 1, .encode = (data[0] >> 1) & 1,
                         .text = (data[0] >> 2) & 1, .encoding = encodings[(data[0] >> 3) & 7]};
    data++;
    size--;
    char in[600], out[600];
    snprintf(in, sizeof in, "%s/input", fuzz_tmpdir());
    snprintf(out, sizeof out, "%s/output", fuzz_tmpdir());
    fuzz_write_file(in, data, size);
    int fi = open(in, O_RDONLY | O_CLOEXEC);
    int fo = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fi < 0 || fo < 0)
        fuzz_fail("cannot open the temp files");
    char sha[65];
    lh__decode_info info;
    lh_err err = {{0}};
    lh_status st = lh__ingest_decode(fi, fo, &o, sha, &info, &err);
    close(fi);
    off_t n = lseek(fo, 0, SEEK_END);
    if (st != LH_OK) {
        close(fo);
        if (!err.msg[0] || strchr(err.msg, '\n'))
            fuzz_fail("failure %d without a one-line message: '%s'", (int)st, err.msg);
        return 0;
    }
    if (n > LH_INGEST_INFLATE_FREE + (int64_t)LH_INGEST_INFLATE_RATIO * (int64_t)(size + 1))
        fuzz_fail("%lld bytes out of %zu: over the decompression bound", (long long)n, size);
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf || pread(fo, buf, (size_t)n, 0) != n)
        fuzz_fail("cannot read the output back");
    close(fo);
    if (info.encoding[0]) {
        bool cut;
        if (lh__utf8_valid_prefix(buf, (size_t)n, &cut) != (size_t)n)
            fuzz_fail("converted from %s but the output is not valid UTF-8", info.encoding);
    }
    if (o.text && memchr(buf, 0, (size_t)n))
        fuzz_fail("a NUL byte passed the text check");
    if (!info.compression[0] && !info.encoding[0] &&
        ((size_t)n != size || (n && memcmp(buf, data, (size_t)n))))
        fuzz_fail("neither decompressed nor converted, yet the bytes changed");
    free(buf);
    return 0;
}
