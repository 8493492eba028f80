/* fuzz_ai_wire: what a network AI provider does with a server's reply (src/ai/ollama.c,
 * openai.c, ai_http.c) and with a model's answer to /ai/sql (ai_sql.c). Both come from a
 * server we do not control, so every byte sequence must give LH_OK or a clean error.
 *
 * The input is the reply body. Invariants:
 *  - a body that is JSON goes through both wire formats' embedding readers (for 1 to 3
 *    texts) and generation readers: on LH_OK every row pointer is set and the generated
 *    text is a string of the reply; lh__ai_copy_vectors at the width of the first row
 *    either fails or writes only finite floats;
 *  - lh__ai_server_message on any body gives at most 200 bytes of valid UTF-8 without
 *    control characters and never the key (here "K3Y-secret", which the corpus plants);
 *  - lh_ai_sql_extract on the body as text gives LH_OK with a non-empty trimmed string
 *    that is a substring of the body, or a clean error. */
#include <math.h>

#include "ai/ai_int.h"
#include "core/alloc.h"
#include "core/util.h"
#include "fuzz_util.h"

static const char *const KEY = "K3Y-secret";

static void check_vectors(const json_t *reply, const lh__ai_wire *w, size_t n)
{
    const json_t *rows[3];
    lh_err err;
    if (w->embed_rows(reply, n, rows, &err))
        return;
    for (size_t i = 0; i < n; i++)
        if (!rows[i])
            fuzz_fail("%s embed_rows: LH_OK with row %zu unset", w->name, i);
    size_t dims = json_array_size(rows[0]);
    if (!dims || dims > 4096)
        return;
    float *out = lh_malloc(n * dims * sizeof *out);
    if (!out)
        return;
    if (!lh__ai_copy_vectors(rows, n, dims, out, &err))
        for (size_t i = 0; i < n * dims; i++)
            if (!isfinite(out[i]))
                fuzz_fail("%s: a non-finite value %zu accepted", w->name, i);
    free(out);
}

static void check_text(const json_t *reply, const lh__ai_wire *w, bool chat)
{
    const char *text = NULL;
    lh_err err;
    if (!w->generate_text(reply, chat, &text, &err) && !text)
        fuzz_fail("%s generate_text: LH_OK without text", w->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once;
    if (!once) {
        lh_alloc_install_json();
        once = true;
    }
    const char *body = (const char *)data;
    json_t *reply = lh_json_loadb(body, size, 0, NULL);
    if (reply) {
        const lh__ai_wire *wires[] = {&lh__ai_ollama_wire, &lh__ai_openai_wire};
        for (size_t w = 0; w < 2; w++) {
            for (size_t n = 1; n <= 3; n++)
                check_vectors(reply, wires[w], n);
            check_text(reply, wires[w], false);
            check_text(reply, wires[w], true);
        }
        json_decref(reply);
    }

    char msg[256];
    lh__ai_server_message(body, size, KEY, msg, sizeof msg);
    size_t ml = strlen(msg);
    if (ml > 200 || !lh_utf8_valid(msg, ml))
        fuzz_fail("server message: %zu bytes or invalid UTF-8", ml);
    for (size_t i = 0; i < ml; i++)
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            fuzz_fail("server message: a control character at %zu", i);
    if (strstr(msg, KEY))
        fuzz_fail("server message: the key came through");

    char *text = lh_strndup(body, size); /* as a model's answer: up to the first NUL */
    if (text) {
        char *sql = NULL;
        lh_err err;
        if (!lh_ai_sql_extract(text, &sql, &err)) {
            size_t sl = strlen(sql);
            if (!sl || !strstr(text, sql) || sql[0] == ' ' || sql[sl - 1] == ' ' || sql[sl - 1] == '\n')
                fuzz_fail("sql_extract: '%.80s' is empty, untrimmed or not from the answer", sql);
        } else if (sql) {
            fuzz_fail("sql_extract: an error with a result");
        }
        free(sql);
        free(text);
    }
    return 0;
}
