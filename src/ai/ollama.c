/* ollama.c: the Ollama wire format (https://github.com/ollama/ollama/blob/main/docs/api.md),
 * non-streaming:
 *   POST /api/embed     {"model", "input": [texts]}         -> {"embeddings": [[floats]...]}
 *   POST /api/generate  {"model", "prompt", "stream": false} -> {"response": "...", "done": true}
 *   POST /api/chat      {"model", "messages": [{"role": "user", "content"}], "stream": false}
 *                                                            -> {"message": {"content": "..."}}
 *   GET  /api/tags      (the reachability probe)
 * The calls themselves are ai_http.c's. */
#include "ai/ai_int.h"

static json_t *embed_body(const char *model, const char *const *texts, const size_t *lens, size_t n)
{
    json_t *input = json_array();
    for (size_t i = 0; input && i < n; i++)
        if (json_array_append_new(input, json_stringn(texts[i], lens[i]))) {
            json_decref(input);
            input = NULL;
        }
    return input ? json_pack("{s:s, s:o}", "model", model, "input", input) : NULL;
}

static lh_status embed_rows(const json_t *reply, size_t n, const json_t **rows, lh_err *err)
{
    const json_t *e = json_object_get(reply, "embeddings");
    if (!json_is_array(e))
        return lh_fail(err, LH_EIO, "the reply has no \"embeddings\" array");
    if (json_array_size(e) != n)
        return lh_fail(err, LH_EIO, "the reply has %zu embeddings for %zu texts", json_array_size(e), n);
    for (size_t i = 0; i < n; i++)
        rows[i] = json_array_get(e, i);
    return LH_OK;
}

static const char *generate_path(bool chat) { return chat ? "/api/chat" : "/api/generate"; }

static json_t *generate_body(const char *model, const char *prompt, bool chat)
{
    if (chat)
        return json_pack("{s:s, s:[{s:s, s:s}], s:b}", "model", model, "messages", "role", "user",
                         "content", prompt, "stream", 0);
    return json_pack("{s:s, s:s, s:b}", "model", model, "prompt", prompt, "stream", 0);
}

static lh_status generate_text(const json_t *reply, bool chat, const char **text, lh_err *err)
{
    const json_t *t = chat ? json_object_get(json_object_get(reply, "message"), "content")
                           : json_object_get(reply, "response");
    if (!json_is_string(t))
        return lh_fail(err, LH_EIO, "the reply has no %s string",
                       chat ? "\"message\".\"content\"" : "\"response\"");
    if (json_is_false(json_object_get(reply, "done")))
        return lh_fail(err, LH_EIO, "the reply is not done (a streamed answer?)");
    *text = json_string_value(t);
    return LH_OK;
}

const lh__ai_wire lh__ai_ollama_wire = {
    .name = "ollama",
    .embed_path = "/api/embed",
    .probe_path = "/api/tags",
    .default_endpoint = "http://127.0.0.1:11434",
    .embed_body = embed_body,
    .embed_rows = embed_rows,
    .generate_path = generate_path,
    .generate_body = generate_body,
    .generate_text = generate_text,
};

const lh_ai_ops lh__ai_ollama_ops = {
    .name = "ollama",
    .embed = lh__ai_net_embed,
    .generate = lh__ai_net_generate,
    .rerank = lh__ai_net_rerank,
    .free = lh__ai_net_free,
    .learn_dims = lh__ai_net_learn_dims,
    .interrupt = lh__ai_net_interrupt,
};
