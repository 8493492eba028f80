/* config.c: defaults -> lakehouse.toml -> LAKEHOUSE_* environment -> overrides. */
#include "core/config.h"
#include "core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsio.h"
#include "core/toml.h"
#include "core/util.h"

struct lh_config {
    json_t *root;
    json_t *warnings;
    char *path;
};

/* T_LIST: an array of strings in the file; comma-separated in env and overrides. */
typedef enum { T_STR, T_INT, T_BOOL, T_LIST } key_type;

/* Every scalar key we know. The default's type types the env and override values, so
 * adding a row here is all a new setting needs. */
static const struct key_spec {
    const char *section, *key;
    key_type type;
    const char *str;  /* T_STR default */
    int64_t num;      /* T_INT / T_BOOL default */
    int64_t min;      /* T_INT lower bound */
} specs[] = {
    {"server", "bind", T_STR, "127.0.0.1:3100", 0, 0},
    {"server", "threads", T_INT, NULL, 0, 0},
    {"server", "request_timeout_ms", T_INT, NULL, 30000, 1},
    {"server", "max_body_bytes", T_INT, NULL, 1073741824, 0},
    {"server", "workers", T_INT, NULL, 0, 0},
    {"server", "per_ip_connections", T_INT, NULL, 64, 0},
    {"server", "header_limit_bytes", T_INT, NULL, 65536, 4096},
    {"server", "shutdown_ms", T_INT, NULL, 10000, 0},
    {"server", "access_log", T_BOOL, NULL, 1, 0},
    /* HTTP hardening (docs/API.md "Host, Origin and browsers", "Limits") */
    {"server", "allowed_hosts", T_LIST, NULL, 0, 0},
    {"server", "allowed_origins", T_LIST, NULL, 0, 0},
    {"server", "allow_unauthenticated_remote", T_BOOL, NULL, 0, 0},
    {"server", "header_timeout_ms", T_INT, NULL, 10000, 1},
    {"server", "health_probe_ms", T_INT, NULL, 1000, 1},
    {"tracing", "exporter", T_STR, "none", 0, 0},
    {"tracing", "file", T_STR, "", 0, 0},
    {"storage", "root", T_STR, "./data", 0, 0},
    {"storage", "checkpoint_interval", T_INT, NULL, 10, 0},
    /* the automatic compaction (lake/auto_compact.h, docs/CLI.md) */
    {"storage", "auto_compact", T_BOOL, NULL, 1, 0},
    {"storage", "auto_compact_cli", T_BOOL, NULL, 0, 0},
    {"storage", "auto_compact_min_files", T_INT, NULL, 10, 0},
    {"storage", "auto_compact_small_file_bytes", T_INT, NULL, 16777216, 1},
    {"storage", "auto_compact_target_file_bytes", T_INT, NULL, 134217728, 0},
    {"storage", "auto_compact_tombstones", T_INT, NULL, 1000, 0},
    {"storage", "auto_compact_tombstone_age_s", T_INT, NULL, 86400, 0},
    {"storage", "auto_compact_interval_ms", T_INT, NULL, 10000, 1},
    {"auth", "enabled", T_BOOL, NULL, 0, 0},
    {"auth", "secrets_file", T_STR, "", 0, 0},
    {"auth", "health_open", T_BOOL, NULL, 1, 0},
    /* [ai]: the provider (ai/ai.h lh_ai_config_load; docs/CONFIG.md "[ai]") */
    {"ai", "provider", T_STR, "builtin", 0, 0},
    {"ai", "model", T_STR, "", 0, 0},
    {"ai", "generate_model", T_STR, "", 0, 0},
    {"ai", "endpoint", T_STR, "", 0, 0},
    {"ai", "chat", T_BOOL, NULL, 0, 0},
    {"ai", "dims", T_INT, NULL, 0, 0},
    {"ai", "batch", T_INT, NULL, 32, 1},
    {"ai", "timeout_ms", T_INT, NULL, 30000, 1},
    {"ai", "retries", T_INT, NULL, 3, 0},
    {"ai", "retry_base_ms", T_INT, NULL, 250, 1},
    {"ai", "concurrency", T_INT, NULL, 4, 1},
    {"ai", "api_key_env", T_STR, "LAKEHOUSE_AI_API_KEY", 0, 0},
    /* the server's vector refresher (lake.h, docs/INTERNALS.md "Vectors: erasure and refresh") */
    {"vectors", "refresh_tick_ms", T_INT, NULL, 1000, 10},
    /* index builds: embedding workers per job, retries of a batch on a provider error */
    {"vectors", "embed_workers", T_INT, NULL, 2, 1},
    {"vectors", "embed_retries", T_INT, NULL, 3, 0},
    {"cache", "max_bytes", T_INT, NULL, 0, 0},
    {"query", "timeout_ms", T_INT, NULL, 30000, 1},
    {"query", "max_timeout_ms", T_INT, NULL, 600000, 1},
    {"query", "max_sql_bytes", T_INT, NULL, 262144, 1},
    {"engine", "memory_limit", T_STR, "", 0, 0},
    {"engine", "max_temp_size", T_STR, "16GB", 0, 0},
    {"journal", "flush_interval_ms", T_INT, NULL, 5000, 1},
    {"journal", "flush_events", T_INT, NULL, 10000, 1},
    {"journal", "merge_min_files", T_INT, NULL, 32, 0},
    {"journal", "merge_retention_hours", T_INT, NULL, 24, 0},
    /* [ingest]: what a remote caller may make an ingest reach (config.h) */
    {"ingest", "db_allowed_hosts", T_STR, LH_CONFIG_DB_ALLOWED_HOSTS, 0, 0},
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static const char *const type_names[] = {"a string", "an integer", "a boolean",
                                         "an array of strings"};

static const struct key_spec *find_spec(const char *section, size_t slen, const char *key)
{
    for (size_t i = 0; i < N_SPECS; i++)
        if (strlen(specs[i].section) == slen && !memcmp(specs[i].section, section, slen) &&
            !strcmp(specs[i].key, key))
            return &specs[i];
    return NULL;
}

static bool known_section(const char *section)
{
    for (size_t i = 0; i < N_SPECS; i++)
        if (!strcmp(specs[i].section, section))
            return true;
    return false;
}

static lh_status nomem(lh_err *err) { return lh_fail(err, LH_ENOMEM, "config: out of memory"); }

static void __attribute__((format(printf, 2, 3))) warn(lh_config *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lh_log(LH_LOG_WARN, "%s", msg);
    /* A warning lost to a failed allocation is acceptable: it was logged above. */
    json_array_append_new(c->warnings, json_string(msg));
}

/* Sets root[section][key] = v (stealing v, also on failure), creating the section. */
static lh_status put(lh_config *c, const char *section, const char *key, json_t *v,
                     lh_err *err)
{
    json_t *sec = json_object_get(c->root, section);
    if (!sec && json_object_set_new(c->root, section, sec = json_object()))
        sec = NULL;
    if (!sec) {
        json_decref(v);
        return nomem(err);
    }
    /* json_object_set_new frees v when it fails */
    if (!v || json_object_set_new(sec, key, v))
        return nomem(err);
    return LH_OK;
}

static lh_status set_defaults(lh_config *c, lh_err *err)
{
    for (size_t i = 0; i < N_SPECS; i++) {
        const struct key_spec *ks = &specs[i];
        json_t *v = ks->type == T_LIST  ? json_array()
                    : ks->type == T_STR ? json_string(ks->str)
                    : ks->type == T_INT ? json_integer(ks->num)
                                        : json_boolean(ks->num);
        lh_status st = put(c, ks->section, ks->key, v, err);
        if (st)
            return st;
    }
    return put(c, "storage", "buckets", json_array(), err);
}

/* what names the source in messages: "FILE: key server.threads" or "environment
 * variable LAKEHOUSE_SERVER_THREADS". */
static lh_status check_value(const struct key_spec *ks, const json_t *v, const char *what,
                             lh_err *err)
{
    bool ok = ks->type == T_STR   ? json_is_string(v)
              : ks->type == T_INT ? json_is_integer(v)
              : ks->type == T_BOOL ? json_is_boolean(v)
                                  : json_is_array(v);
    size_t i;
    const json_t *item;
    if (ks->type == T_LIST)
        json_array_foreach(v, i, item) ok = ok && json_is_string(item);
    if (!ok)
        return lh_fail(err, LH_EINVAL, "%s: expected %s", what, type_names[ks->type]);
    if (ks->type == T_INT && json_integer_value(v) < ks->min)
        return lh_fail(err, LH_EINVAL, "%s: expected an integer >= %lld, got %lld", what,
                       (long long)ks->min, (long long)json_integer_value(v));
    return LH_OK;
}

/* [[storage.buckets]]: each entry needs a string name; root, if given, is a string. */
static lh_status check_buckets(const json_t *v, const char *src, lh_err *err)
{
    size_t i;
    const json_t *b;
    if (!json_is_array(v))
        return lh_fail(err, LH_EINVAL, "%s: key storage.buckets: expected an array of tables",
                       src);
    json_array_foreach(v, i, b) {
        const json_t *name = json_object_get(b, "name"), *root = json_object_get(b, "root");
        if (!json_is_object(b))
            return lh_fail(err, LH_EINVAL,
                           "%s: key storage.buckets: expected an array of tables", src);
        if (!json_is_string(name) || !json_string_length(name))
            return lh_fail(err, LH_EINVAL, "%s: key storage.buckets[%zu].name: expected a "
                           "non-empty string", src, i);
        if (root && !json_is_string(root))
            return lh_fail(err, LH_EINVAL, "%s: key storage.buckets[%zu].root: expected a "
                           "string", src, i);
    }
    return LH_OK;
}

static lh_status merge_file(lh_config *c, json_t *doc, const char *src, lh_err *err)
{
    const char *sec, *key;
    size_t slen, klen;
    json_t *sv, *v;
    char what[1024];
    json_object_keylen_foreach(doc, sec, slen, sv) {
        if (!known_section(sec)) {
            warn(c, "%s: unknown section '%s'", src, sec);
            if (json_object_setn(c->root, sec, slen, sv))
                return nomem(err);
            continue;
        }
        if (!json_is_object(sv))
            return lh_fail(err, LH_EINVAL, "%s: key %s: expected a table", src, sec);
        json_t *dst = json_object_get(c->root, sec);
        json_object_keylen_foreach(sv, key, klen, v) {
            const struct key_spec *ks = find_spec(sec, slen, key);
            snprintf(what, sizeof what, "%s: key %s.%s", src, sec, key);
            lh_status st = LH_OK;
            if (!strcmp(sec, "storage") && !strcmp(key, "buckets"))
                st = check_buckets(v, src, err);
            else if (ks)
                st = check_value(ks, v, what, err);
            else
                warn(c, "%s: unknown key '%s.%s'", src, sec, key);
            if (st)
                return st;
            if (json_object_setn(dst, key, klen, v))
                return nomem(err);
        }
    }
    return LH_OK;
}

/* Types text by the key's default; what names the source for the error message. */
static lh_status set_from_text(lh_config *c, const struct key_spec *ks, const char *text,
                               const char *what, lh_err *err)
{
    json_t *v = NULL;
    if (ks->type == T_LIST) {
        if (!lh_utf8_valid(text, strlen(text)))
            return lh_fail(err, LH_EINVAL, "%s: expected UTF-8 text", what);
        v = json_array();
        for (const char *p = text; v && *p;) {
            size_t n = strcspn(p, ",");
            if (n && json_array_append_new(v, json_stringn(p, n))) {
                json_decref(v); /* a list missing an item is not the list asked for */
                return nomem(err);
            }
            p += n + (p[n] == ',');
        }
    } else if (ks->type == T_STR) {
        if (!lh_utf8_valid(text, strlen(text)))
            return lh_fail(err, LH_EINVAL, "%s: expected UTF-8 text", what);
        v = json_string(text);
    } else if (ks->type == T_INT) {
        int64_t n;
        if (lh_parse_i64(text, &n))
            return lh_fail(err, LH_EINVAL, "%s: expected an integer, got '%s'", what, text);
        v = json_integer(n);
    } else {
        static const char *const yes[] = {"true", "1", "yes", "on"};
        static const char *const no[] = {"false", "0", "no", "off"};
        int b = -1;
        for (size_t i = 0; i < 4; i++) {
            if (!strcasecmp(text, yes[i]))
                b = 1;
            if (!strcasecmp(text, no[i]))
                b = 0;
        }
        if (b < 0)
            return lh_fail(err, LH_EINVAL, "%s: expected a boolean (true/false), got '%s'",
                           what, text);
        v = json_boolean(b);
    }
    if (!v)
        return nomem(err);
    lh_status st = check_value(ks, v, what, err);
    if (st) {
        json_decref(v);
        return st;
    }
    return put(c, ks->section, ks->key, v, err);
}

static lh_status apply_env(lh_config *c, char **envp, lh_err *err)
{
    for (size_t i = 0; envp && i < N_SPECS; i++) {
        char name[128];
        size_t n = (size_t)snprintf(name, sizeof name, "LAKEHOUSE_%s_%s", specs[i].section,
                                    specs[i].key);
        for (char *q = name; *q; q++)
            if (*q >= 'a' && *q <= 'z')
                *q = (char)(*q - 'a' + 'A');
        for (char **e = envp; *e; e++) {
            if (strncmp(*e, name, n) || (*e)[n] != '=')
                continue;
            char what[200];
            snprintf(what, sizeof what, "environment variable %s", name);
            lh_status st = set_from_text(c, &specs[i], *e + n + 1, what, err);
            if (st)
                return st;
            break;
        }
    }
    return LH_OK;
}

static lh_status apply_overrides(lh_config *c, const char *const *ov, size_t n, lh_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(ov[i], '='), *dot = strchr(ov[i], '.');
        if (!eq || !dot || dot > eq)
            return lh_fail(err, LH_EINVAL, "override '%s': expected section.key=value", ov[i]);
        char key[128];
        size_t klen = (size_t)(eq - dot - 1);
        const struct key_spec *ks = NULL;
        if (klen < sizeof key) {
            memcpy(key, dot + 1, klen);
            key[klen] = '\0';
            ks = find_spec(ov[i], (size_t)(dot - ov[i]), key);
        }
        char what[300];
        snprintf(what, sizeof what, "override %.*s", (int)(eq - ov[i]), ov[i]);
        if (!ks)
            return lh_fail(err, LH_EINVAL, "%s: unknown key", what);
        lh_status st = set_from_text(c, ks, eq + 1, what, err);
        if (st)
            return st;
    }
    return LH_OK;
}

/* Plain open(2), then core's lh_fd_read_all: not lh_file_read_all, because config files
 * are often symlinks (Kubernetes ConfigMaps, /etc alternatives), which the storage-minded
 * reader refuses. */
static lh_status read_file(const char *path, lh_buf *out, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? lh_fail(err, LH_ENOTFOUND, "config file %s: not found", path)
                               : lh_fail(err, LH_EIO, "config file %s: %s", path,
                                         strerror(errno));
    char what[600];
    snprintf(what, sizeof what, "config file %s", path);
    lh_status st = lh_fd_read_all(fd, what, LH_TOML_MAX_INPUT, out, err);
    close(fd);
    return st;
}

static lh_status load_file(lh_config *c, const char *path, bool optional, lh_err *err)
{
    lh_buf b;
    lh_buf_init(&b, LH_TOML_MAX_INPUT);
    json_t *doc = NULL;
    lh_status st = read_file(path, &b, err);
    if (st == LH_ENOTFOUND && optional) {
        lh_buf_release(&b);
        return LH_OK;
    }
    if (!st)
        st = lh_toml_parse(lh_buf_cstr(&b), b.len, path, &doc, err);
    lh_buf_release(&b);
    if (!st && !(c->path = lh_strdup(path)))
        st = nomem(err);
    if (!st)
        st = merge_file(c, doc, path, err);
    json_decref(doc);
    return st;
}

lh_status lh_config_load(const char *path, char **envp, const char *const *overrides,
                         size_t n_overrides, lh_config **out, lh_err *err)
{
    *out = NULL;
    lh_config *c = lh_calloc(1, sizeof *c);
    if (!c || !(c->root = json_object()) || !(c->warnings = json_array())) {
        lh_config_free(c);
        return nomem(err);
    }
    lh_status st = set_defaults(c, err);
    if (!st)
        st = load_file(c, path ? path : LH_CONFIG_DEFAULT_PATH, path == NULL, err);
    if (!st)
        st = apply_env(c, envp, err);
    if (!st)
        st = apply_overrides(c, overrides, n_overrides, err);
    if (st) {
        lh_config_free(c);
        return st;
    }
    *out = c;
    return LH_OK;
}

const json_t *lh_config_get(const lh_config *cfg, const char *dotted_key)
{
    const json_t *v = cfg ? cfg->root : NULL;
    const char *s = dotted_key;
    while (v && s) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        v = json_object_getn(v, s, n);
        s = dot ? dot + 1 : NULL;
    }
    return v;
}

const char *lh_config_str(const lh_config *cfg, const char *dotted_key, const char *fallback)
{
    const json_t *v = lh_config_get(cfg, dotted_key);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

int64_t lh_config_int(const lh_config *cfg, const char *dotted_key, int64_t fallback)
{
    const json_t *v = lh_config_get(cfg, dotted_key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

bool lh_config_bool(const lh_config *cfg, const char *dotted_key, bool fallback)
{
    const json_t *v = lh_config_get(cfg, dotted_key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

const json_t *lh_config_root(const lh_config *cfg) { return cfg->root; }
const char *lh_config_path(const lh_config *cfg) { return cfg->path; }
const json_t *lh_config_warnings(const lh_config *cfg) { return cfg->warnings; }

void lh_config_free(lh_config *cfg)
{
    if (!cfg)
        return;
    json_decref(cfg->root);
    json_decref(cfg->warnings);
    free(cfg->path);
    free(cfg);
}

/* ---- dump: TOML that lh_toml_parse reads back to the same tree ------------------------ */

static bool is_secret_name(const char *k)
{
    return strcasestr(k, "key") || strcasestr(k, "secret") || strcasestr(k, "password") ||
           strcasestr(k, "token");
}

/* The dump_* appenders write into the caller's builder without checking each add:
 * lh_config_dump checks once, through the NULL of lh_buf_detach. */
static void dump_string(lh_buf *b, const char *s, size_t n)
{
    lh_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : ch == '\n' ? "\\n"
                          : ch == '\t' ? "\\t" : ch == '\r' ? "\\r" : NULL;
        if (esc)
            lh_buf_adds(b, esc);
        else if (ch < 0x20 || ch == 0x7f)
            lh_buf_printf(b, "\\u%04X", ch);
        else
            lh_buf_addc(b, (char)ch);
    }
    lh_buf_addc(b, '"');
}

static void dump_key(lh_buf *b, const char *k, size_t n)
{
    bool bare = n > 0;
    for (size_t i = 0; i < n; i++) {
        char ch = k[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            bare = false;
    }
    if (bare)
        lh_buf_add(b, k, n);
    else
        dump_string(b, k, n);
}

static void dump_value(lh_buf *b, const json_t *v, bool hide)
{
    switch (json_typeof(v)) {
    case JSON_STRING: dump_string(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: lh_buf_printf(b, "%lld", (long long)json_integer_value(v)); break;
    case JSON_TRUE: lh_buf_adds(b, "true"); break;
    case JSON_FALSE: lh_buf_adds(b, "false"); break;
    case JSON_NULL: lh_buf_adds(b, "\"\""); break; /* TOML has no null; never loaded */
    case JSON_REAL: {
        /* The shortest form that reads back to the same double: 0.1, not 0.10000000000000001. */
        char num[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, json_real_value(v));
            if (strtod(num, NULL) == json_real_value(v))
                break;
        }
        /* TOML needs a '.' or exponent to read a float back as a float. */
        lh_buf_printf(b, "%s%s", num, strpbrk(num, ".e") ? "" : ".0");
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        const json_t *e;
        lh_buf_addc(b, '[');
        json_array_foreach(v, i, e) {
            if (i)
                lh_buf_adds(b, ", ");
            dump_value(b, e, hide);
        }
        lh_buf_addc(b, ']');
        break;
    }
    case JSON_OBJECT: {
        const char *k;
        size_t kl, i = 0;
        const json_t *e;
        lh_buf_addc(b, '{');
        json_object_keylen_foreach((json_t *)v, k, kl, e) {
            lh_buf_adds(b, i++ ? ", " : " ");
            dump_key(b, k, kl);
            lh_buf_adds(b, " = ");
            if (hide && is_secret_name(k))
                lh_buf_adds(b, "\"***\"");
            else
                dump_value(b, e, hide);
        }
        lh_buf_adds(b, i ? " }" : "}");
        break;
    }
    }
}

static void dump_pair(lh_buf *b, const char *k, size_t kl, const json_t *v, bool hide)
{
    dump_key(b, k, kl);
    lh_buf_adds(b, " = ");
    if (hide && is_secret_name(k))
        lh_buf_adds(b, "\"***\"");
    else
        dump_value(b, v, hide);
    lh_buf_addc(b, '\n');
}

/* A non-empty array of tables is written as [[section.key]] blocks; empty arrays and
 * mixed arrays stay inline. */
static bool is_table_array(const json_t *v)
{
    size_t i;
    const json_t *e;
    if (!json_is_array(v) || !json_array_size(v))
        return false;
    json_array_foreach(v, i, e)
        if (!json_is_object(e))
            return false;
    return true;
}

static void dump_section(lh_buf *b, const char *sec, size_t sl, const json_t *t, bool hide)
{
    const char *k;
    size_t kl;
    json_t *v;
    lh_buf_adds(b, "\n[");
    dump_key(b, sec, sl);
    lh_buf_adds(b, "]\n");
    json_object_keylen_foreach((json_t *)t, k, kl, v)
        if ((hide && is_secret_name(k)) || !is_table_array(v))
            dump_pair(b, k, kl, v, hide);
    json_object_keylen_foreach((json_t *)t, k, kl, v) {
        if ((hide && is_secret_name(k)) || !is_table_array(v))
            continue;
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            const char *ek;
            size_t ekl;
            json_t *ev;
            lh_buf_adds(b, "\n[[");
            dump_key(b, sec, sl);
            lh_buf_addc(b, '.');
            dump_key(b, k, kl);
            lh_buf_adds(b, "]]\n");
            json_object_keylen_foreach((json_t *)e, ek, ekl, ev)
                dump_pair(b, ek, ekl, ev, hide);
        }
    }
}

char *lh_config_dump(const lh_config *cfg, bool hide_secrets)
{
    lh_buf b;
    lh_buf_init(&b, 0);
    const char *k;
    size_t kl;
    json_t *v;
    lh_buf_adds(&b, "# effective configuration\n");
    /* Top-level plain values must come before the first [section] header. */
    json_object_keylen_foreach(cfg->root, k, kl, v)
        if (!json_is_object(v) || (hide_secrets && is_secret_name(k)))
            dump_pair(&b, k, kl, v, hide_secrets);
    json_object_keylen_foreach(cfg->root, k, kl, v)
        if (json_is_object(v) && !(hide_secrets && is_secret_name(k)))
            dump_section(&b, k, kl, v, hide_secrets);
    return lh_buf_detach(&b); /* the one check: NULL after any failed append */
}
