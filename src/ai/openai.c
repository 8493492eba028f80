/* openai.c: the OpenAI wire format, as OpenAI-compatible servers (vLLM, llama.cpp's
 * server, LiteLLM, LocalAI, Ollama's /v1) speak it, non-streaming:
 *   POST /v1/embeddings        {"model", "input": [texts], "encoding_format": "float"}
 *                              -> {"data": [{"index": i, "embedding": [floats]}...]}
 *   POST /v1/chat/completions  {"model", "messages": [{"role": "user", "content"}], "stream": false}
 *                              -> {"choices": [{"message": {"content": "..."}}]}
 *   GET  /v1/models            (the reachability probe)
 * with "Authorization: Bearer <key>" when a key is configured. The calls are ai_http.c's. */
#include "ai/ai_int.h"

static json_t *embed_body(const char *model, const char *const *texts, const size_t *lens, size_t n)
{
    json_t *input = json_array();
    for (size_t i = 0; input && i < n; i++)
        if (json_array_append_new(input, json_stringn(texts[i], lens[i]))) {
            json_decref(input);
            input = NULL;
        }
    return input ? json_pack("{s:s, s:o, s:s}", "model", model, "input", input, "encoding_format",
                             "float")
                 : NULL;
}

/* data[] may come in any order: each item's "index" says which input it embeds, and every
 * input must have exactly one. */
static lh_status embed_rows(const json_t *reply, size_t n, const json_t **rows, lh_err *err)
{
    const json_t *data = json_object_get(reply, "data");
    if (!json_is_array(data))
        return lh_fail(err, LH_EIO, "the reply has no \"data\" array");
    if (json_array_size(data) != n)
        return lh_fail(err, LH_EIO, "the reply has %zu embeddings for %zu texts", json_array_size(data), n);
    for (size_t i = 0; i < n; i++)
        rows[i] = NULL;
    size_t i;
    const json_t *item;
    json_array_foreach(data, i, item) {
        const json_t *idx = json_object_get(item, "index");
        json_int_t at = json_integer_value(idx);
        if (!json_is_integer(idx) || at < 0 || (size_t)at >= n)
            return lh_fail(err, LH_EIO, "data[%zu] has no \"index\" from 0 to %zu", i, n - 1);
        if (rows[at])
            return lh_fail(err, LH_EIO, "data[%zu] repeats index %lld", i, (long long)at);
        rows[at] = json_object_get(item, "embedding");
        if (!rows[at])
            return lh_fail(err, LH_EIO, "data[%zu] has no \"embedding\"", i);
    }
    return LH_OK;
}

static const char *generate_path(bool chat)
{
    (void)chat;
    return "/v1/chat/completions";
}

static json_t *generate_body(const char *model, const char *prompt, bool chat)
{
    (void)chat;
    return json_pack("{s:s, s:[{s:s, s:s}], s:b}", "model", model, "messages", "role", "user",
                     "content", prompt, "stream", 0);
}

static lh_status generate_text(const json_t *reply, bool chat, const char **text, lh_err *err)
{
    (void)chat;
    const json_t *choice = json_array_get(json_object_get(reply, "choices"), 0);
    const json_t *t = json_object_get(json_object_get(choice, "message"), "content");
    if (!json_is_string(t))
        return lh_fail(err, LH_EIO, "the reply has no \"choices\"[0].\"message\".\"content\" string");
    *text = json_string_value(t);
    return LH_OK;
}

const lh__ai_wire lh__ai_openai_wire = {
    .name = "openai",
    .embed_path = "/v1/embeddings",
    .probe_path = "/v1/models",
    .default_endpoint = "https://api.openai.com",
    .embed_body = embed_body,
    .embed_rows = embed_rows,
    .generate_path = generate_path,
    .generate_body = generate_body,
    .generate_text = generate_text,
};

const lh_ai_ops lh__ai_openai_ops = {
    .name = "openai",
    .embed = lh__ai_net_embed,
    .generate = lh__ai_net_generate,
    .rerank = lh__ai_net_rerank,
    .free = lh__ai_net_free,
    .learn_dims = lh__ai_net_learn_dims,
    .interrupt = lh__ai_net_interrupt,
};
