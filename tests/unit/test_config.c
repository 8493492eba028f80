/* Unit tests for the effective configuration: defaults < file < env < overrides, typing
 * and error messages of each source, unknown keys as warnings, and the dump. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/toml.h"
#include "testutil.h"

typedef struct fixture {
    char dir[256];
    char path[512]; /* dir/lakehouse.toml */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    lh_test_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->path, sizeof f->path, "%s/lakehouse.toml", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lh_test_rmtree(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Loads with path from the fixture after writing text there. */
static lh_status load_text(fixture *f, const char *text, char **envp, const char *const *ov,
                           size_t nov, lh_config **cfg, lh_err *err)
{
    write_file(f->path, text);
    return lh_config_load(f->path, envp, ov, nov, cfg, err);
}

static void defaults_without_any_file(void **state)
{
    fixture *f = *state;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0); /* no ./lakehouse.toml here: defaults only */
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_config_load(NULL, NULL, NULL, 0, &cfg, &err), LH_OK);
    assert_int_equal(chdir(cwd), 0);
    assert_null(lh_config_path(cfg));
    assert_string_equal(lh_config_str(cfg, "server.bind", NULL), "127.0.0.1:3100");
    assert_int_equal(lh_config_int(cfg, "server.threads", -1), 0);
    assert_int_equal(lh_config_int(cfg, "server.request_timeout_ms", -1), 30000);
    assert_int_equal(lh_config_int(cfg, "server.max_body_bytes", -1), 1073741824);
    assert_string_equal(lh_config_str(cfg, "storage.root", NULL), "./data");
    assert_false(lh_config_bool(cfg, "auth.enabled", true));
    assert_string_equal(lh_config_str(cfg, "auth.secrets_file", NULL), "");
    assert_true(lh_config_bool(cfg, "auth.health_open", false));
    assert_string_equal(lh_config_str(cfg, "ai.provider", NULL), "builtin");
    assert_int_equal(lh_config_int(cfg, "cache.max_bytes", -1), 0);
    assert_int_equal(lh_config_int(cfg, "query.timeout_ms", -1), 30000);
    assert_int_equal(lh_config_int(cfg, "query.max_timeout_ms", -1), 600000);
    const json_t *b = lh_config_get(cfg, "storage.buckets");
    assert_true(json_is_array(b));
    assert_int_equal(json_array_size(b), 0);
    assert_int_equal(json_array_size(lh_config_warnings(cfg)), 0);
    lh_config_free(cfg);
}

static void default_path_is_read_when_present(void **state)
{
    fixture *f = *state;
    write_file(f->path, "[server]\nbind = \"0.0.0.0:9\"\n");
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    lh_status st = lh_config_load(NULL, NULL, NULL, 0, &cfg, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(st, LH_OK);
    assert_string_equal(lh_config_path(cfg), LH_CONFIG_DEFAULT_PATH);
    assert_string_equal(lh_config_str(cfg, "server.bind", NULL), "0.0.0.0:9");
    lh_config_free(cfg);
}

static void precedence_defaults_file_env_overrides(void **state)
{
    fixture *f = *state;
    /* envp is main's char **; the casts only satisfy -Wwrite-strings */
    char *envp[] = {(char *)"PATH=/usr/bin", (char *)"LAKEHOUSE_SERVER_THREADS=8", (char *)"LAKEHOUSE_STORAGE_ROOT=/env",
                    (char *)"LAKEHOUSE_CACHE_MAX_BYTES=1048576", (char *)"LAKEHOUSE_LOG=debug",
                    (char *)"LAKEHOUSE_SERVER_BINDX=ignored", NULL};
    const char *ov[] = {"server.threads=16", "auth.enabled=true"};
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(load_text(f, "[server]\nthreads = 4\nbind = \"10.0.0.1:80\"\n"
                                  "[storage]\nroot = \"/file\"\n[query]\ntimeout_ms = 5000\n",
                               envp, ov, 2, &cfg, &err), LH_OK);
    assert_int_equal(lh_config_int(cfg, "server.threads", -1), 16);               /* override */
    assert_string_equal(lh_config_str(cfg, "storage.root", NULL), "/env");         /* env */
    assert_int_equal(lh_config_int(cfg, "cache.max_bytes", -1), 1048576);         /* env */
    assert_string_equal(lh_config_str(cfg, "server.bind", NULL), "10.0.0.1:80");   /* file */
    assert_int_equal(lh_config_int(cfg, "query.timeout_ms", -1), 5000);            /* file */
    assert_true(lh_config_bool(cfg, "auth.enabled", false));                       /* override */
    assert_int_equal(lh_config_int(cfg, "query.max_timeout_ms", -1), 600000);      /* default */
    assert_string_equal(lh_config_path(cfg), f->path);
    lh_config_free(cfg);
}

static void env_values_are_typed_by_default(void **state)
{
    (void)state;
    char *envp[] = {(char *)"LAKEHOUSE_AUTH_ENABLED=Yes", (char *)"LAKEHOUSE_AUTH_HEALTH_OPEN=off",
                    (char *)"LAKEHOUSE_AI_PROVIDER=openai", (char *)"LAKEHOUSE_AUTH_SECRETS_FILE=", NULL};
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_config_load("/nonexistent/but/unused", NULL, NULL, 0, &cfg, &err),
                     LH_ENOTFOUND); /* sanity: explicit path is required to exist */
    fixture *f = *state;
    assert_int_equal(load_text(f, "", envp, NULL, 0, &cfg, &err), LH_OK);
    assert_true(lh_config_bool(cfg, "auth.enabled", false));
    assert_false(lh_config_bool(cfg, "auth.health_open", true));
    assert_string_equal(lh_config_str(cfg, "ai.provider", NULL), "openai");
    assert_string_equal(lh_config_str(cfg, "auth.secrets_file", NULL), "");
    lh_config_free(cfg);
}

static void bad_env_values_name_the_variable(void **state)
{
    fixture *f = *state;
    struct {
        const char *var, *msg;
    } cases[] = {
        {"LAKEHOUSE_SERVER_THREADS=many",
         "environment variable LAKEHOUSE_SERVER_THREADS: expected an integer, got 'many'"},
        {"LAKEHOUSE_SERVER_THREADS=",
         "environment variable LAKEHOUSE_SERVER_THREADS: expected an integer, got ''"},
        {"LAKEHOUSE_CACHE_MAX_BYTES=12GB",
         "environment variable LAKEHOUSE_CACHE_MAX_BYTES: expected an integer, got '12GB'"},
        {"LAKEHOUSE_AUTH_ENABLED=maybe", "environment variable LAKEHOUSE_AUTH_ENABLED: "
                                         "expected a boolean (true/false), got 'maybe'"},
        {"LAKEHOUSE_QUERY_TIMEOUT_MS=0", "environment variable LAKEHOUSE_QUERY_TIMEOUT_MS: "
                                         "expected an integer >= 1, got 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *envp[] = {(char *)cases[i].var, NULL};
        lh_config *cfg = (lh_config *)1;
        lh_err err = {{0}};
        assert_int_equal(load_text(f, "", envp, NULL, 0, &cfg, &err), LH_EINVAL);
        assert_null(cfg);
        assert_string_equal(err.msg, cases[i].msg);
    }
}

static void missing_explicit_file_is_an_error(void **state)
{
    fixture *f = *state;
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope.toml", f->dir);
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_config_load(missing, NULL, NULL, 0, &cfg, &err), LH_ENOTFOUND);
    assert_null(cfg);
    char want[700];
    snprintf(want, sizeof want, "config file %s: not found", missing);
    assert_string_equal(err.msg, want);
    /* a directory is not a config file (core's reader says so) */
    assert_int_equal(lh_config_load(f->dir, NULL, NULL, 0, &cfg, &err), LH_EINVAL);
    snprintf(want, sizeof want, "config file %s is not a regular file", f->dir);
    assert_string_equal(err.msg, want);
}

static void file_errors_name_file_and_key(void **state)
{
    fixture *f = *state;
    struct {
        const char *doc, *msg; /* msg follows "<path>" */
    } cases[] = {
        {"[server]\nthreads = \"4\"\n", ": key server.threads: expected an integer"},
        {"[server]\nthreads = 4.0\n", ": key server.threads: expected an integer"},
        {"[server]\nbind = 3100\n", ": key server.bind: expected a string"},
        {"[auth]\nenabled = \"yes\"\n", ": key auth.enabled: expected a boolean"},
        {"[server]\nthreads = -1\n", ": key server.threads: expected an integer >= 0, got -1"},
        {"server = 1\n", ": key server: expected a table"},
        {"[[storage.buckets]]\nroot = \"/x\"\n",
         ": key storage.buckets[0].name: expected a non-empty string"},
        {"[storage]\nbuckets = [1]\n", ": key storage.buckets: expected an array of tables"},
        {"[storage]\nbuckets = \"b\"\n", ": key storage.buckets: expected an array of tables"},
        {"[[storage.buckets]]\nname = \"a\"\nroot = 1\n",
         ": key storage.buckets[0].root: expected a string"},
        {"[server]\nthreads = 4\n  bind = \n", ":3:10: expected a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lh_config *cfg = NULL;
        lh_err err = {{0}};
        assert_int_equal(load_text(f, cases[i].doc, NULL, NULL, 0, &cfg, &err), LH_EINVAL);
        assert_null(cfg);
        char want[1024];
        snprintf(want, sizeof want, "%s%s", f->path, cases[i].msg);
        assert_string_equal(err.msg, want);
    }
}

static void unknown_keys_warn_but_load(void **state)
{
    fixture *f = *state;
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(load_text(f, "top = 1\n[server]\nbind = \"x:1\"\nfuture = true\n"
                                  "[plugins.geo]\nenabled = true\n",
                               NULL, NULL, 0, &cfg, &err), LH_OK);
    const json_t *w = lh_config_warnings(cfg);
    assert_int_equal(json_array_size(w), 3);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "unknown section 'top'"));
    assert_non_null(strstr(json_string_value(json_array_get(w, 1)),
                           "unknown key 'server.future'"));
    assert_non_null(strstr(json_string_value(json_array_get(w, 2)),
                           "unknown section 'plugins'"));
    assert_true(lh_config_bool(cfg, "server.future", false));
    assert_true(lh_config_bool(cfg, "plugins.geo.enabled", false));
    assert_string_equal(lh_config_str(cfg, "server.bind", NULL), "x:1");
    lh_config_free(cfg);
}

static void buckets_and_getter_fallbacks(void **state)
{
    fixture *f = *state;
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(load_text(f, "[storage]\nroot = \"/d\"\n[[storage.buckets]]\nname = \"raw\"\n"
                                  "root = \"/mnt/raw\"\n[[storage.buckets]]\nname = \"gold\"\n",
                               NULL, NULL, 0, &cfg, &err), LH_OK);
    const json_t *b = lh_config_get(cfg, "storage.buckets");
    assert_int_equal(json_array_size(b), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "root")),
                        "/mnt/raw");
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 1), "name")),
                        "gold");
    /* missing keys and wrong types give the fallback */
    assert_string_equal(lh_config_str(cfg, "server.nope", "fb"), "fb");
    assert_string_equal(lh_config_str(cfg, "server.threads", "fb"), "fb");
    assert_int_equal(lh_config_int(cfg, "server.bind", 7), 7);
    assert_true(lh_config_bool(cfg, "storage", true));
    assert_null(lh_config_get(cfg, "storage.root.deeper"));
    assert_null(lh_config_get(cfg, "nope.x"));
    assert_null(lh_config_get(NULL, "server.bind"));
    assert_true(json_is_object(lh_config_get(cfg, "server")));
    lh_config_free(cfg);
    lh_config_free(NULL);
}

static void bad_overrides_are_refused(void **state)
{
    fixture *f = *state;
    struct {
        const char *ov, *msg;
    } cases[] = {
        {"server.threads", "override 'server.threads': expected section.key=value"},
        {"threads=4", "override 'threads=4': expected section.key=value"},
        {"server.bnd=x", "override server.bnd: unknown key"},
        {"nosuch.key=1", "override nosuch.key: unknown key"},
        {"storage.buckets=[]", "override storage.buckets: unknown key"},
        {"server.threads=four", "override server.threads: expected an integer, got 'four'"},
        {"auth.enabled=2", "override auth.enabled: expected a boolean (true/false), got '2'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *ov[] = {cases[i].ov};
        lh_config *cfg = NULL;
        lh_err err = {{0}};
        assert_int_equal(load_text(f, "", NULL, ov, 1, &cfg, &err), LH_EINVAL);
        assert_null(cfg);
        assert_string_equal(err.msg, cases[i].msg);
    }
    /* a value may itself contain '=' and '.' */
    const char *ok[] = {"server.bind=host.example=1:80"};
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(load_text(f, "", NULL, ok, 1, &cfg, &err), LH_OK);
    assert_string_equal(lh_config_str(cfg, "server.bind", NULL), "host.example=1:80");
    lh_config_free(cfg);
}

static void dump_hides_secrets_and_round_trips(void **state)
{
    fixture *f = *state;
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    assert_int_equal(load_text(f, "[auth]\nenabled = true\nsecrets_file = \"/etc/lh/secrets\"\n"
                                  "api_key = \"sk-live-123\"\n[ai]\nprovider = \"openai\"\n"
                                  "OpenAI_Token = \"tok-456\"\nopts = { password = \"pw-789\", "
                                  "temp = 0.1, big = -1e300, whole = 2.0, tags = [\"a\", \"b\\\"q\"] }\n"
                                  "[[storage.buckets]]\nname = \"b1\"\naccess_key = \"AK-000\"\n"
                                  "[\"odd section\"]\n\"k v\" = \"x\\ny\"\n",
                               NULL, NULL, 0, &cfg, &err), LH_OK);
    char *shown = lh_config_dump(cfg, true);
    assert_non_null(shown);
    assert_null(strstr(shown, "sk-live-123"));
    assert_null(strstr(shown, "tok-456"));
    assert_null(strstr(shown, "pw-789"));
    assert_null(strstr(shown, "AK-000"));
    assert_null(strstr(shown, "/etc/lh/secrets")); /* name contains "secret" */
    assert_non_null(strstr(shown, "api_key = \"***\""));
    assert_non_null(strstr(shown, "OpenAI_Token = \"***\""));
    assert_non_null(strstr(shown, "[[storage.buckets]]"));
    assert_non_null(strstr(shown, "provider = \"openai\""));
    /* the hidden dump is still TOML */
    json_t *again = NULL;
    assert_int_equal(lh_toml_parse(shown, strlen(shown), "dump", &again, &err), LH_OK);
    json_decref(again);
    free(shown);

    char *full = lh_config_dump(cfg, false);
    assert_non_null(full);
    assert_non_null(strstr(full, "sk-live-123"));
    if (lh_toml_parse(full, strlen(full), "dump", &again, &err))
        fail_msg("dump does not parse: %s\n%s", err.msg, full);
    assert_true(json_equal(again, (json_t *)lh_config_root(cfg)));
    json_decref(again);
    free(full);
    lh_config_free(cfg);
}

static void dump_of_defaults_round_trips(void **state)
{
    (void)state;
    lh_config *cfg = NULL;
    lh_err err = {{0}};
    const char *ov[] = {"storage.root=/a \"quoted\" \\ path"};
    char cwd[PATH_MAX];
    fixture *f = *state;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    lh_status st = lh_config_load(NULL, NULL, ov, 1, &cfg, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(st, LH_OK);
    char *text = lh_config_dump(cfg, false);
    json_t *again = NULL;
    assert_int_equal(lh_toml_parse(text, strlen(text), "dump", &again, &err), LH_OK);
    assert_true(json_equal(again, (json_t *)lh_config_root(cfg)));
    assert_non_null(strstr(text, "[server]\nbind = \"127.0.0.1:3100\"\n"));
    json_decref(again);
    free(text);
    lh_config_free(cfg);
}

/* jansson's allocations during one load: the fail_at-th fails (0 = none), live counts the
 * blocks not yet freed. The config module's json must all be freed on every error path. */
static long json_calls, json_fail_at, json_live;

static void *counting_malloc(size_t n)
{
    if (++json_calls == json_fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        json_live++;
    return p;
}

static void counting_free(void *p)
{
    if (p)
        json_live--;
    free(p);
}

static void out_of_memory_leaks_nothing(void **state)
{
    fixture *f = *state;
    write_file(f->path, "[server]\nbind = \"0.0.0.0:9\"\nallowed_hosts = [\"a\", \"b\"]\n"
                        "[[storage.buckets]]\nname = \"raw\"\n[plugins]\nx = 1\n");
    char *envp[] = {(char *)"LAKEHOUSE_SERVER_ALLOWED_ORIGINS=http://a,http://b,http://c",
                    (char *)"LAKEHOUSE_QUERY_TIMEOUT_MS=5", NULL};
    const char *ov[] = {"server.threads=3", "auth.secrets_file=/s"};
    json_malloc_t old_malloc;
    json_free_t old_free;
    json_get_alloc_funcs(&old_malloc, &old_free);
    json_set_alloc_funcs(counting_malloc, counting_free);
    long failed = 0;
    for (json_fail_at = 1;; json_fail_at++) {
        json_calls = json_live = 0;
        lh_config *cfg = NULL;
        lh_err err = {{0}};
        lh_status st = lh_config_load(f->path, envp, ov, 2, &cfg, &err);
        bool reached = json_calls >= json_fail_at;
        if (st) {
            assert_true(reached);
            assert_int_equal(st, LH_ENOMEM);
            assert_null(cfg);
            if (json_live)
                fail_msg("allocation %ld failed: %ld json blocks leaked", json_fail_at, json_live);
            failed++;
            continue;
        }
        /* a load that succeeds despite a failed allocation lost nothing but a warning */
        assert_int_equal(json_array_size(lh_config_get(cfg, "server.allowed_origins")), 3);
        assert_int_equal(json_array_size(lh_config_get(cfg, "server.allowed_hosts")), 2);
        assert_int_equal(lh_config_int(cfg, "server.threads", 0), 3);
        lh_config_free(cfg);
        assert_int_equal(json_live, 0);
        if (!reached)
            break;
    }
    json_set_alloc_funcs(old_malloc, old_free);
    assert_true(failed > 100); /* the loop really failed the load's allocations */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults_without_any_file, setup, teardown),
        cmocka_unit_test_setup_teardown(default_path_is_read_when_present, setup, teardown),
        cmocka_unit_test_setup_teardown(precedence_defaults_file_env_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(env_values_are_typed_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_env_values_name_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_explicit_file_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(file_errors_name_file_and_key, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_keys_warn_but_load, setup, teardown),
        cmocka_unit_test_setup_teardown(buckets_and_getter_fallbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_overrides_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(dump_hides_secrets_and_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(dump_of_defaults_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_memory_leaks_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
