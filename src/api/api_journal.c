/* api_journal.c: /journal/... : the event journal's routes. Events posted here take their
 * actor from the request's principal and their trace_id from the request's trace. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/util.h"
#include "journal/journal.h"

static lh_journal *journal(void *app) { return lh_lake_journal(((lh_api *)app)->lake); }

void lh__api_journal_history(lh_http_req *r, void *app)
{
    json_t *events = NULL;
    lh_err err;
    const char *id = lh_http_param(r, "entity_id");
    lh_status st = lh_journal_history(journal(app), id, &events, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "entity_id", id, "count",
                                             (json_int_t)json_array_size(events), "events", events));
}

void lh__api_journal_recent(lh_http_req *r, void *app)
{
    const char *text = lh_http_query(r, "limit");
    int64_t limit = 100;
    if (text && (lh_parse_i64(text, &limit) || limit < 1 || limit > 10000)) {
        lh_http_reply_error(r, 400, "invalid_input", "limit must be a whole number from 1 to 10000");
        return;
    }
    json_t *events = NULL;
    lh_err err;
    lh_status st = lh_journal_recent(journal(app), limit, &events, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:I, s:o}", "count",
                                             (json_int_t)json_array_size(events), "events", events));
}

void lh__api_journal_stats(lh_http_req *r, void *app)
{
    lh_http_reply_json(r, 200, lh_journal_stats(journal(app)));
}

/* The fields every posted event may carry besides its values; the request supplies
 * actor and trace_id. Replies 400 and returns NULL on bad input. */
static json_t *event_base(lh_http_req *r)
{
    static const char *const text[] = {"entity", "entity_id", "source", "workspace"};
    json_t *ev = json_pack("{s:s, s:s}", "actor", lh_http_principal(r), "trace_id",
                           lh_http_trace_id(r));
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        const char *v;
        if (!lh__api_string(r, text[i], i < 2, &v)) {
            json_decref(ev);
            return NULL;
        }
        if (v)
            json_object_set_new(ev, text[i], json_string(v));
    }
    return ev;
}

static void reply_recorded(lh_http_req *r, lh_status st, const char *msg, json_t *stored, bool one)
{
    if (st)
        lh_http_reply_status(r, st, msg);
    else if (one)
        lh_http_reply_json(r, 201, json_pack("{s:O}", "event", json_array_get(stored, 0)));
    else
        lh_http_reply_json(r, 201, json_pack("{s:I, s:O}", "count",
                                             (json_int_t)json_array_size(stored), "events", stored));
    json_decref(stored);
}

void lh__api_journal_event(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {"entity", "entity_id", "field", "old_value", "new_value",
                                          "source", "workspace", NULL};
    const char *field;
    if (!lh__api_only_fields(r, allowed) || !lh__api_string(r, "field", false, &field))
        return;
    json_t *ev = event_base(r);
    if (!ev)
        return;
    json_t *body = lh_http_json(r);
    if (field)
        json_object_set_new(ev, "field", json_string(field));
    if (json_object_get(body, "old_value"))
        json_object_set(ev, "old_value", json_object_get(body, "old_value"));
    if (json_object_get(body, "new_value"))
        json_object_set(ev, "new_value", json_object_get(body, "new_value"));
    json_t *batch = json_pack("[o]", ev), *stored = NULL;
    lh_err err;
    lh_status st = lh_journal_append_user(journal(app), batch, &stored, &err);
    json_decref(batch);
    reply_recorded(r, st, err.msg, stored, true);
}

void lh__api_journal_update(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {"entity", "entity_id", "changes", "source", "workspace", NULL};
    if (!lh__api_only_fields(r, allowed))
        return;
    json_t *changes = json_object_get(lh_http_json(r), "changes");
    if (!json_is_object(changes) || !json_object_size(changes)) {
        lh_http_reply_error(r, 400, "invalid_input",
                            "field 'changes' must be a non-empty object of {field: {old, new}}");
        return;
    }
    const char *field;
    json_t *change;
    json_object_foreach(changes, field, change) {
        const char *k;
        json_t *v;
        bool ok = json_is_object(change) && *field;
        json_object_foreach(change, k, v) ok &= !strcmp(k, "old") || !strcmp(k, "new");
        if (!ok) {
            char msg[200];
            snprintf(msg, sizeof msg, "changes.%.64s must be an object with only 'old' and 'new'",
                     field);
            lh_http_reply_error(r, 400, "invalid_input", msg);
            return;
        }
    }
    json_t *base = event_base(r);
    if (!base)
        return;
    json_t *batch = json_array();
    json_object_foreach(changes, field, change) {
        json_t *ev = json_deep_copy(base);
        json_object_set_new(ev, "field", json_string(field));
        json_object_set(ev, "old_value", json_object_get(change, "old"));
        json_object_set(ev, "new_value", json_object_get(change, "new"));
        json_array_append_new(batch, ev);
    }
    json_decref(base);
    json_t *stored = NULL;
    lh_err err;
    lh_status st = lh_journal_append_user(journal(app), batch, &stored, &err);
    json_decref(batch);
    reply_recorded(r, st, err.msg, stored, false);
}

void lh__api_journal_flush(lh_http_req *r, void *app)
{
    static const char *const allowed[] = {NULL};
    if (!lh__api_only_fields(r, allowed))
        return;
    int64_t n = 0;
    lh_err err;
    lh_status st = lh_journal_flush(journal(app), &n, &err);
    if (st)
        lh_http_reply_status(r, st, err.msg);
    else
        lh_http_reply_json(r, 200, json_pack("{s:I, s:o}", "flushed", (json_int_t)n, "stats",
                                             lh_journal_stats(journal(app))));
}
