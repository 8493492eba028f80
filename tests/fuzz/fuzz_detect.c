/* fuzz_detect: the format detection in front of every file ingest (src/ingest/detect.c,
 * lh__ingest_detect_format): the extension, the requested format and the first bytes.
 *
 * Input: byte 0 picks the file name the user "showed" (extension), byte 1 the requested
 * format (none, one of the six, or an unknown word); the rest is the file content.
 * Invariants: success names one of the six formats, equal to the requested one when one
 * was requested; binary magic and NUL bytes are never accepted as csv/json/ndjson. */
#include <stdint.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "fuzz_util.h"

static const char *const shown_names[] = {
    "data", "data.csv", "data.tsv", "data.json", "data.ndjson", "data.jsonl", "data.txt",
    "data.md", "data.log", "data.xml", "data.pdf", "DATA.CSV", "dir.csv/data", "data.",
    ".csv", "a.b.json", "data.parquet", "data.markdown", "data.text",
};
static const char *const requested_fmts[] = {
    NULL, "csv", "json", "ndjson", "text", "sms", "pdf", "parquet", "", "CSV",
};
static const char *const known[] = {"csv", "json", "ndjson", "text", "lines", "sms", "pdf"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *shown = shown_names[data[0] % (sizeof shown_names / sizeof shown_names[0])];
    const char *req = requested_fmts[data[1] % (sizeof requested_fmts / sizeof requested_fmts[0])];
    data += 2;
    size -= 2;
    char path[600];
    snprintf(path, sizeof path, "%s/input", fuzz_tmpdir());
    fuzz_write_file(path, data, size);

    char out[16] = "";
    lh_err err = {{0}};
    lh_status st = lh__ingest_detect_format(path, shown, req, out, &err);
    if (st != LH_OK) {
        if (!err.msg[0])
            fuzz_fail("detect failed (%d) without a message", (int)st);
        return 0;
    }
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok = ok || !strcmp(out, known[i]);
    if (!ok)
        fuzz_fail("detect accepted an unknown format '%s'", out);
    if (req && strcmp(out, req))
        fuzz_fail("requested '%s' but detect answered '%s'", req, out);
    if (size == 0)
        fuzz_fail("an empty file was accepted as %s", out);
    size_t head = size < 65536 ? size : 65536;
    if (strcmp(out, "pdf") && memchr(data, '\0', head))
        fuzz_fail("a file with NUL bytes in its head was accepted as %s", out);
    if (!strcmp(out, "pdf") && (size < 5 || memcmp(data, "%PDF-", 5)))
        fuzz_fail("accepted as pdf without the %%PDF- magic");
    return 0;
}
