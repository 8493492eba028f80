/* cmd_serve.c: lakehouse serve [--bind HOST:PORT] [--print-config] [--routes]
 *                              [--allow-unauthenticated-remote]
 *              lakehouse keys add --principal NAME [--role ROLE] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli_int.h"
#include "core/fsio.h"
#include "core/sha256.h"
#include "core/util.h"

static void ready(const char *url, void *ctx)
{
    const char *data = ctx;
    printf("lakehouse: serving %s at %s (Ctrl-C stops)\n", data, url);
    fflush(stdout);
}

/* The route table as the Markdown of docs/API.md (a test checks that they agree). */
static int print_routes(void)
{
    size_t n = 0;
    const lh_http_route *r = lh_api_routes(&n);
    static const char *bodies[] = {"none", "JSON object", "raw bytes", "multipart/form-data"};
    printf("| method | path | auth | role | body | limit | what it does |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        char limit[32] = "server default";
        if (r[i].max_body >= 1 << 20)
            snprintf(limit, sizeof limit, "%lld MiB", (long long)(r[i].max_body >> 20));
        else if (r[i].max_body > 0)
            snprintf(limit, sizeof limit, "%lld KiB", (long long)(r[i].max_body >> 10));
        else if (r[i].body == LH_BODY_NONE)
            snprintf(limit, sizeof limit, "-");
        printf("| %s | `%s` | %s | %s | %s | %s | %s |\n", r[i].method, r[i].pattern,
               r[i].auth ? "key" : "open", lh_http_role_name(r[i].role), bodies[r[i].body], limit,
               r[i].summary);
    }
    return 0;
}

int lh__cli_serve(lh_cli *cli)
{
    const char *bind = NULL;
    bool print_config = false, remote = false;
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--bind")) {
            if (!(bind = lh__cli_value(cli, &i, a)))
                return 2;
        } else if (!strcmp(a, "--print-config")) {
            print_config = true;
        } else if (!strcmp(a, "--allow-unauthenticated-remote")) {
            remote = true;
        } else if (!strcmp(a, "--routes")) {
            return print_routes();
        } else {
            return lh__cli_usage_error(cli, "unknown argument %s", a);
        }
    }
    if (print_config) {
        char *text = lh_config_dump(cli->config, true);
        if (!text) {
            lh_err err;
            return lh__cli_error(cli, lh_fail(&err, LH_ENOMEM, "out of memory"), &err);
        }
        printf("%s", text);
        free(text);
        return 0;
    }
    lh_err err;
    lh_api_options o = {.data_dir = cli->data_dir, .config = cli->config, .bind = bind,
                        .allow_unauthenticated_remote = remote,
                        .on_ready = ready, .ready_ctx = (void *)cli->data_dir};
    lh_status st = lh_api_serve(&o, &err);
    return st ? lh__cli_error(cli, st, &err) : 0;
}

/* Appends a new key's hash to the secrets file (created 0600) and prints the key once. */
int lh__cli_keys(lh_cli *cli)
{
    const char *principal = NULL, *role = "reader";
    if (cli->argc < 1 || strcmp(cli->argv[0], "add"))
        return lh__cli_usage_error(cli, "%susage: lakehouse keys add --principal NAME [--role ROLE]", "");
    for (int i = 1; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--principal")) {
            if (!(principal = lh__cli_value(cli, &i, a)))
                return 2;
        } else if (!strcmp(a, "--role")) {
            if (!(role = lh__cli_value(cli, &i, a)))
                return 2;
        } else {
            return lh__cli_usage_error(cli, "unknown argument %s", a);
        }
    }
    lh_err err;
    const char *path = lh_config_str(cli->config, "auth.secrets_file", "");
    if (!principal || !*principal || strspn(principal, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-") != strlen(principal))
        return lh__cli_usage_error(cli, "%s--principal needs a name of letters, digits and _.@-", "");
    /* the server reads any other string as reader; refuse it here rather than surprise */
    if (strcmp(role, "reader") && strcmp(role, "writer") && strcmp(role, "admin"))
        return lh__cli_usage_error(cli, "%s--role must be reader, writer or admin", "");
    if (!*path)
        return lh__cli_error(cli, lh_fail(&err, LH_EINVAL, "set [auth] secrets_file (or LAKEHOUSE_AUTH_SECRETS_FILE) first"), &err);
    char key[65], hash[65];
    lh_random_hex(key, 32);
    lh_sha256_hex(key, strlen(key), hash);
    lh_buf entry; /* built, not snprintf'd: a long principal must not cut the entry short */
    lh_buf_init(&entry, 0);
    lh_buf_printf(&entry, "\n[[keys]]\nsha256 = \"%s\"\nprincipal = \"%s\"\nrole = \"%s\"\n", hash,
                  principal, role);
    lh_status st = lh_buf_status(&entry);
    if (st)
        st = lh_fail(&err, st, "out of memory");
    /* 0600, not lh_file_append_sync's 0644: the file holds every key's hash */
    int fd = st ? -1 : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (!st && fd < 0)
        st = lh_fail(&err, LH_EIO, "open %s: %s", path, strerror(errno));
    if (!st)
        st = lh_write_all(fd, lh_buf_cstr(&entry), entry.len, path, &err);
    if (!st)
        st = lh_fsync_fd(fd, path, &err);
    if (fd >= 0)
        close(fd);
    lh_buf_release(&entry);
    if (st)
        return lh__cli_error(cli, st, &err);
    printf("%s\n", key);
    fprintf(stderr, "lakehouse: key for %s (role %s) added to %s; it is shown only now\n", principal,
            role, path);
    return 0;
}
