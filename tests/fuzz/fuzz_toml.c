/* fuzz_toml: the TOML reader (src/core/toml.c) on arbitrary bytes.
 *
 * Invariants beyond the sanitizers: success yields an object and no error code; failure
 * yields NULL and an error message that starts with the file name and, for LH_EINVAL,
 * carries a LINE:COLUMN position; a success's tree serializes to JSON. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/toml.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = (json_t *)1; /* must be overwritten either way */
    lh_err err = {{0}};
    lh_status st = lh_toml_parse((const char *)data, size, "fuzz.toml", &out, &err);
    if (st == LH_OK) {
        if (!json_is_object(out))
            fuzz_fail("lh_toml_parse returned LH_OK without an object");
        char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        if (!text)
            fuzz_fail("the parsed tree does not serialize");
        free(text);
        json_decref(out);
        return 0;
    }
    if (out != NULL)
        fuzz_fail("lh_toml_parse failed (%d) but left *out set", (int)st);
    if (st == LH_EINVAL && strncmp(err.msg, "fuzz.toml:", 10))
        fuzz_fail("error message does not name the file: '%s'", err.msg);
    return 0;
}
