/* fuzz_sms: the SMS Backup & Restore XML converter (src/ingest/sms.c, lh__convert_sms).
 *
 * The input is written to a .xml file and converted to NDJSON rows. The token @SECRET@ in
 * the input is replaced by the path of a file holding a marker string, so that seeds can
 * try external entities, XInclude and DTD tricks against a real file.
 * Invariants: success writes at least one row, each a JSON object on its own line, and
 * declares 5 columns; the marker never appears in the output unless the input spells it
 * (no external entity or XInclude was resolved); failure
 * carries a message and leaves columns empty. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/fsio.h"
#include "ingest/ingest_int.h"
#include "fuzz_util.h"

#define MARKER "LHFUZZ-SECRET-7f3a9c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_tmpdir();
    char in[600], out[600], secret[600];
    snprintf(in, sizeof in, "%s/in.xml", dir);
    snprintf(out, sizeof out, "%s/rows.ndjson", dir);
    snprintf(secret, sizeof secret, "%s/secret.txt", dir);
    static bool secret_written;
    if (!secret_written) {
        fuzz_write_file(secret, (const uint8_t *)MARKER "\n", strlen(MARKER) + 1);
        secret_written = true;
    }

    /* Substitute @SECRET@ (bounded: at most 8 times). */
    lh_buf text;
    lh_buf_init(&text, 4 << 20);
    const char *p = (const char *)data, *end = p + size;
    for (int subs = 0; p < end;) {
        const char *hit = subs < 8 ? memmem(p, (size_t)(end - p), "@SECRET@", 8) : NULL;
        if (!hit) {
            lh_buf_add(&text, p, (size_t)(end - p));
            break;
        }
        lh_buf_add(&text, p, (size_t)(hit - p));
        lh_buf_adds(&text, secret);
        p = hit + 8;
        subs++;
    }
    fuzz_write_file(in, (const uint8_t *)text.data, text.len);
    lh_buf_release(&text);
    unlink(out);

    json_t *columns = json_array(), *lineage = json_object();
    lh_err err = {{0}};
    lh_status st = lh__convert_sms(in, "fuzz.xml", out, columns, lineage, &err);
    if (st != LH_OK) {
        if (!err.msg[0])
            fuzz_fail("convert failed (%d) without a message", (int)st);
        if (json_array_size(columns))
            fuzz_fail("convert failed but added columns");
    } else {
        lh_buf rows;
        lh_buf_init(&rows, 64 << 20);
        lh_err rerr = {{0}};
        if (lh_file_read_all(out, 64 << 20, &rows, &rerr))
            fuzz_fail("convert succeeded but its output is unreadable: %s", rerr.msg);
        /* Only a leak when the input could not have spelled the marker itself. */
        if (rows.len && memmem(rows.data, rows.len, MARKER, strlen(MARKER)) &&
            !memmem(data, size, MARKER, strlen(MARKER)) && !memmem(data, size, "&#", 2))
            fuzz_fail("an external entity was resolved: the secret file's text is in the rows");
        size_t nrows = 0;
        for (char *line = rows.data, *nl; rows.len && line < rows.data + rows.len; line = nl + 1) {
            nl = memchr(line, '\n', (size_t)(rows.data + rows.len - line));
            if (!nl)
                fuzz_fail("the last row has no newline");
            json_error_t je;
            json_t *row = json_loadb(line, (size_t)(nl - line), 0, &je);
            if (!json_is_object(row))
                fuzz_fail("row %zu is not a JSON object: %s", nrows + 1, je.text);
            json_decref(row);
            nrows++;
        }
        if (!nrows)
            fuzz_fail("convert succeeded with no rows");
        if (json_array_size(columns) != 5)
            fuzz_fail("convert succeeded with %zu columns, not 5", json_array_size(columns));
        lh_buf_release(&rows);
    }
    json_decref(columns);
    json_decref(lineage);
    return 0;
}
