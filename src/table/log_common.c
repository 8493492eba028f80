/* log_common.c: what both the log reader and writer need: log file names, listing the
 * _delta_log directory, splitting a commit into actions, and path percent-coding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "table/table_int.h"

lh_status lh__table_commit_key(lh_buf *out, const char *prefix, int64_t version)
{
    lh_buf_reset(out);
    return lh_buf_printf(out, "%s/_delta_log/%020lld.json", prefix, (long long)version);
}

lh_status lh__table_checkpoint_key(lh_buf *out, const char *prefix, int64_t version)
{
    lh_buf_reset(out);
    return lh_buf_printf(out, "%s/_delta_log/%020lld.checkpoint.parquet", prefix,
                         (long long)version);
}

lh_status lh__table_last_checkpoint_key(lh_buf *out, const char *prefix)
{
    lh_buf_reset(out);
    return lh_buf_printf(out, "%s/_delta_log/_last_checkpoint", prefix);
}

/* Parses exactly n decimal digits at s into *v. */
static bool parse_digits(const char *s, size_t n, int64_t *v)
{
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

typedef struct list_ctx {
    lh__log_listing *l;
    size_t skip;      /* length of "<prefix>/_delta_log/" */
    bool oom;
} list_ctx;

static bool push_commit(lh__log_listing *l, int64_t v, int64_t mtime)
{
    /* two arrays, one capacity: both grow from the same count to the same size */
    size_t cap = l->capcommits, mcap = l->capcommits;
    if (lh_grow(&l->commits, &cap, l->ncommits + 1, sizeof *l->commits) ||
        lh_grow(&l->commit_mtimes, &mcap, l->ncommits + 1, sizeof *l->commit_mtimes))
        return false;
    l->capcommits = cap;
    l->commits[l->ncommits] = v;
    l->commit_mtimes[l->ncommits++] = mtime;
    return true;
}

static bool note_checkpoint(lh__log_listing *l, int64_t v, int parts)
{
    for (size_t i = 0; i < l->ncps; i++)
        if (l->cps[i].version == v && l->cps[i].parts == parts) {
            l->cps[i].seen++;
            return true;
        }
    if (lh_grow(&l->cps, &l->capcps, l->ncps + 1, sizeof *l->cps))
        return false;
    l->cps[l->ncps++] = (lh__checkpoint_ref){.version = v, .parts = parts, .seen = 1};
    return true;
}

/* One name of the log directory into the listing (mtime -1 when not asked for). */
static int note_name(list_ctx *c, const char *name, int64_t mtime)
{
    size_t n = strlen(name);
    int64_t v, part, total;
    bool ok = true;
    if (n == 25 && !strcmp(name + 20, ".json") && parse_digits(name, 20, &v)) {
        ok = push_commit(c->l, v, mtime);
    } else if (n == 39 && !strcmp(name + 20, ".checkpoint.parquet") && parse_digits(name, 20, &v)) {
        ok = note_checkpoint(c->l, v, 1);
    } else if (n == 61 && !strncmp(name + 20, ".checkpoint.", 12) && parse_digits(name, 20, &v) &&
               parse_digits(name + 32, 10, &part) && name[42] == '.' &&
               parse_digits(name + 43, 10, &total) && !strcmp(name + 53, ".parquet") &&
               total > 0 && total < 100000 && part >= 1 && part <= total) {
        ok = note_checkpoint(c->l, v, (int)total);
    }
    if (!ok) {
        c->oom = true;
        return 1;
    }
    return 0;
}

static int list_cb(void *vctx, const char *key, const lh_object_info *info)
{
    list_ctx *c = vctx;
    const char *name = key + c->skip;
    return strchr(name, '/') ? 0 : note_name(c, name, info->mtime_ms);
}

static int names_cb(void *vctx, const char *name, lh_entry_kind kind)
{
    return kind == LH_ENTRY_FILE ? note_name(vctx, name, -1) : 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

lh_status lh__table_list_log(lh_store *s, const char *prefix, bool mtimes, lh__log_listing *out,
                             lh_err *err)
{
    memset(out, 0, sizeof *out);
    lh_buf dir;
    lh_buf_init(&dir, 4096);
    lh_status st = lh_buf_printf(&dir, "%s/_delta_log/", prefix);
    if (st) {
        lh_buf_release(&dir);
        return lh_fail(err, st, "table prefix too long");
    }
    list_ctx c = {.l = out, .skip = dir.len};
    if (mtimes) {
        st = lh_store_list(s, lh_buf_cstr(&dir), list_cb, &c, err);
    } else {
        /* the names only: no stat of each of the log's files (they grow with history) */
        dir.data[--dir.len] = '\0';
        st = lh_store_list_dir(s, lh_buf_cstr(&dir), names_cb, &c, err);
    }
    lh_buf_release(&dir);
    if (!st && c.oom)
        st = lh_fail(err, LH_ENOMEM, "out of memory listing the table log");
    if (st) {
        lh__table_listing_release(out);
        return st;
    }
    /* The store lists keys sorted (the one-level listing does not), and the names are
     * fixed-width; sorted here either way. */
    bool sorted = true;
    for (size_t i = 1; i < out->ncommits; i++)
        if (out->commits[i - 1] >= out->commits[i])
            sorted = false;
    if (!sorted) {
        /* mtimes are only used for history display; keep them aligned by re-listing order */
        int64_t *pairs = lh_malloc(out->ncommits * 2 * sizeof *pairs);
        if (!pairs) {
            lh__table_listing_release(out);
            return lh_fail(err, LH_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < out->ncommits; i++) {
            pairs[2 * i] = out->commits[i];
            pairs[2 * i + 1] = out->commit_mtimes[i];
        }
        qsort(pairs, out->ncommits, 2 * sizeof *pairs, cmp_i64);
        for (size_t i = 0; i < out->ncommits; i++) {
            out->commits[i] = pairs[2 * i];
            out->commit_mtimes[i] = pairs[2 * i + 1];
        }
        free(pairs);
    }
    return LH_OK;
}

void lh__table_listing_release(lh__log_listing *l)
{
    free(l->commits);
    free(l->commit_mtimes);
    free(l->cps);
    memset(l, 0, sizeof *l);
}

lh_status lh__table_read_commit(lh_store *s, const char *prefix, int64_t version,
                                lh_action_cb cb, void *ctx, lh_err *err)
{
    lh_buf key, body;
    lh_buf_init(&key, 4096);
    lh_buf_init(&body, LH__TABLE_MAX_COMMIT);
    lh_status st = lh__table_commit_key(&key, prefix, version);
    if (st) {
        st = lh_fail(err, st, "table prefix too long");
        goto cleanup;
    }
    st = lh_store_get(s, lh_buf_cstr(&key), LH__TABLE_MAX_COMMIT, &body, err);
    if (st)
        goto cleanup;
    const char *p = lh_buf_cstr(&body), *end = p + body.len;
    for (int line = 1; p < end && !st; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t m = n;
        while (m > 0 && (p[m - 1] == '\r' || p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (m > 0) {
            json_error_t je;
            json_t *action = lh_json_loadb(p, m, JSON_REJECT_DUPLICATES, &je);
            if (!action)
                st = lh_fail(err, LH_ECORRUPT, "%s:%d: invalid JSON: %s", lh_buf_cstr(&key), line, je.text);
            else if (!json_is_object(action))
                st = lh_fail(err, LH_ECORRUPT, "%s:%d: action is not a JSON object", lh_buf_cstr(&key), line);
            else {
                st = cb(ctx, action, err);
                if (st == LH_ECORRUPT)
                    lh_fail_wrap(err, st, "%s:%d", lh_buf_cstr(&key), line);
            }
            json_decref(action);
        }
        p += n + (nl ? 1 : 0);
    }
cleanup:
    lh_buf_release(&key);
    lh_buf_release(&body);
    return st;
}

static bool path_char_ok(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("-._~/!$&'()*+,;=:@", c) != NULL;
}

lh_status lh__table_path_encode(const char *path, lh_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (path_char_ok(*p)) {
            lh_buf_addc(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            lh_buf_add(out, esc, 3);
        }
    }
    return lh_buf_status(out);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

lh_status lh__table_path_decode(const char *path, lh_buf *out, lh_err *err)
{
    for (const char *p = path; *p; p++) {
        if (*p != '%') {
            lh_buf_addc(out, *p);
            continue;
        }
        int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
        if (hi < 0 || lo < 0)
            return lh_fail(err, LH_ECORRUPT, "bad percent escape in path '%s'", path);
        if (hi == 0 && lo == 0)
            return lh_fail(err, LH_ECORRUPT, "NUL byte in path '%s'", path);
        lh_buf_addc(out, (char)(hi * 16 + lo));
        p += 2;
    }
    lh_status st = lh_buf_status(out);
    if (st)
        return lh_fail(err, st, "path too long");
    return LH_OK;
}
