/* tombstones.c: the append-only tombstone files and the erasure salt (tombstones.h). */
#include "catalog/tombstones.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sha256.h"
#include "core/util.h"

#define SALT_KEY "_catalog/erasure_salt"
#define MAX_FILE ((size_t)1 << 30)

lh_status lh_tombstones_key(const char *dataset, lh_buf *out)
{
    lh_buf_printf(out, "_catalog/tombstones/%s.jsonl", dataset);
    return lh_buf_status(out);
}

/* The tombstone file's key into key (initialised here), or an error for a name too long. */
static lh_status file_key(const char *dataset, lh_buf *key, lh_err *err)
{
    lh_buf_init(key, 1024);
    lh_status st = lh_tombstones_key(dataset, key);
    return st ? lh_fail(err, st, "tombstones of '%.64s...': name too long", dataset) : LH_OK;
}

lh_status lh_tombstones_cache_key(const char *dataset, lh_buf *out)
{
    return lh_buf_printf(out, "_catalog/tombstones/%s.keys.parquet", dataset);
}

lh_status lh_tombstones_rows_cache_key(const char *dataset, lh_buf *out)
{
    return lh_buf_printf(out, "_catalog/tombstones/%s.rows.parquet", dataset);
}

lh_status lh_tombstones_erasure_set_key(const char *dataset, lh_buf *out)
{
    return lh_buf_printf(out, "_catalog/erasures/%s.json", dataset);
}

const char *lh_tombstones_key_hash_scheme(void) { return "sha256(salt || key); salt in " SALT_KEY; }

lh_status lh_tombstones_load(lh_store *s, const char *dataset, json_t **out, lh_err *err)
{
    lh_buf key, text;
    lh_buf_init(&text, MAX_FILE);
    lh_status st = file_key(dataset, &key, err);
    if (!st)
        st = lh_store_get(s, lh_buf_cstr(&key), MAX_FILE, &text, err);
    json_t *lines = json_array();
    if (st == LH_ENOTFOUND)
        st = LH_OK;
    if (!st && !lines)
        st = lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t pos = 0; !st && pos < text.len;) {
        const char *line = lh_buf_cstr(&text) + pos;
        const char *nl = memchr(line, '\n', text.len - pos);
        size_t n = nl ? (size_t)(nl - line) : text.len - pos;
        pos += n + 1;
        if (!n)
            continue;
        json_t *v = lh_json_loadb(line, n, 0, NULL);
        if (json_is_object(v) && json_object_get(v, "row_key_value")) {
            if (json_array_append(lines, v))
                st = lh_fail(err, LH_ENOMEM, "out of memory");
        } else
            lh_log(LH_LOG_WARN, "%s: skipping an unreadable line (a torn append?)", lh_buf_cstr(&key));
        json_decref(v);
    }
    lh_buf_release(&key);
    lh_buf_release(&text);
    if (st) {
        json_decref(lines);
        return st;
    }
    *out = lines;
    return LH_OK;
}

lh_status lh_tombstones_column(lh_store *s, const char *dataset, char *column, size_t size,
                               lh_err *err)
{
    lh_buf key, path;
    lh_buf_init(&path, 4096);
    lh_status st = file_key(dataset, &key, err);
    if (!st)
        st = lh_store_local_path(s, lh_buf_cstr(&key), &path, err);
    FILE *f = st ? NULL : fopen(lh_buf_cstr(&path), "rb");
    if (!st && !f)
        st = errno == ENOENT ? lh_fail(err, LH_ENOTFOUND, "no tombstones")
                             : lh_fail(err, LH_EIO, "the tombstone file cannot be opened: %s",
                                       strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool found = false;
    while (f && !st && !found && (errno = 0, n = getline(&line, &cap, f)) > 0) {
        json_t *v = lh_json_loadb(line, (size_t)n, JSON_DISABLE_EOF_CHECK, NULL);
        const char *c = json_string_value(json_object_get(v, "row_key_column"));
        if (c) {
            snprintf(column, size, "%s", c);
            found = true;
        }
        json_decref(v);
    }
    if (!st && !found && f && (ferror(f) || errno == ENOMEM)) /* a read error, or no memory */
        st = lh_fail(err, errno == ENOMEM ? LH_ENOMEM : LH_EIO,
                     "the tombstone file cannot be read: %s", strerror(errno ? errno : EIO));
    if (!st && !found)
        st = lh_fail(err, LH_ENOTFOUND, "no tombstones");
    free(line);
    if (f)
        fclose(f);
    lh_buf_release(&key);
    lh_buf_release(&path);
    return st;
}

lh_status lh_tombstones_append(lh_store *s, const char *dataset, const json_t *lines, lh_err *err)
{
    lh_buf key, text, local;
    lh_buf_init(&text, MAX_FILE);
    lh_buf_init(&local, 4096);
    lh_status st = file_key(dataset, &key, err);
    /* A killed append may have left a line without its newline: start on a fresh line. */
    lh_object_info info = {0};
    bool exists = !st && lh_store_head(s, lh_buf_cstr(&key), &info, NULL) == LH_OK;
    if (exists && info.size > 0 && !(st = lh_store_local_path(s, lh_buf_cstr(&key), &local, err))) {
        FILE *f = fopen(lh_buf_cstr(&local), "rb");
        if (f && !fseek(f, -1, SEEK_END) && fgetc(f) != '\n')
            lh_buf_addc(&text, '\n');
        if (f)
            fclose(f);
    }
    size_t i;
    json_t *v;
    json_array_foreach(lines, i, v) {
        if (st)
            break;
        char *line = lh_json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!line)
            st = lh_fail(err, LH_ENOMEM, "out of memory");
        else
            lh_buf_adds(&text, line);
        lh_buf_addc(&text, '\n');
        free(line);
    }
    if (!st && (st = lh_buf_status(&text)))
        st = st == LH_ETOOBIG ? lh_fail(err, st, "too many tombstones in one call")
                              : lh_fail(err, st, "out of memory");
    /* Loading reads at most MAX_FILE: a file grown past it could never be loaded again,
     * so compaction could never apply (nor clear) its tombstones. Refused before it grows. */
    if (!st && (uint64_t)info.size + text.len > MAX_FILE)
        st = lh_fail(err, LH_ETOOBIG, "the tombstones of %s would pass %zu MiB (%llu bytes "
                     "now): compact the dataset first; nothing was deleted", dataset,
                     MAX_FILE >> 20, (unsigned long long)info.size);
    if (!st && text.len)
        st = lh_store_append(s, lh_buf_cstr(&key), lh_buf_cstr(&text), text.len, err);
    lh_buf_release(&key);
    lh_buf_release(&text);
    lh_buf_release(&local);
    return st;
}

lh_status lh_tombstones_clear(lh_store *s, const char *dataset, lh_err *err)
{
    lh_buf key;
    lh_status st = file_key(dataset, &key, err);
    if (!st)
        st = lh_store_delete(s, lh_buf_cstr(&key), err);
    lh_buf_release(&key);
    return st;
}

lh_status lh_tombstones_salt(lh_store *s, char salt[65], lh_err *err)
{
    lh_buf text;
    lh_buf_init(&text, 4096);
    lh_status st = lh_store_get(s, SALT_KEY, 4096, &text, NULL);
    if (st == LH_ENOTFOUND) {
        char fresh[65];
        lh_random_hex(fresh, 32);
        st = lh_store_put_if_absent(s, SALT_KEY, fresh, 64, err);
        if (st == LH_EEXIST)
            st = LH_OK; /* someone else created it first: theirs counts */
        lh_buf_reset(&text);
        if (!st)
            st = lh_store_get(s, SALT_KEY, 4096, &text, err);
    } else if (st) {
        st = lh_store_get(s, SALT_KEY, 4096, &text, err);
    }
    if (!st && text.len < 64)
        st = lh_fail(err, LH_ECORRUPT, "%s is damaged (%zu bytes)", SALT_KEY, text.len);
    if (!st) {
        memcpy(salt, lh_buf_cstr(&text), 64);
        salt[64] = '\0';
    }
    lh_buf_release(&text);
    return st;
}

void lh_tombstones_key_hash(const char *salt, const char *key, char out[65])
{
    lh_buf b;
    lh_buf_init(&b, 0);
    lh_buf_adds(&b, salt);
    lh_buf_adds(&b, key);
    if (lh_buf_status(&b)) /* never the hash of a half-built text: no hash at all */
        out[0] = '\0';
    else
        lh_sha256_hex(lh_buf_cstr(&b), b.len, out);
    lh_buf_release(&b);
}
