/* cmd_sql.c: lakehouse sql "QUERY"|- [--format F] [--as-of NAME=VERSION]... [--limit N]
 *            [--explain] [--timeout-ms N] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "core/util.h"
#include "engine/engine.h"
#include "engine/writers.h"

#define MAX_QUERY_BYTES ((size_t)1 << 20)

static lh_status write_stdout(void *ctx, const char *data, size_t len, lh_err *err)
{
    (void)ctx;
    if (fwrite(data, 1, len, stdout) != len)
        return lh_fail(err, LH_EIO, "write to stdout: %s", strerror(errno));
    return LH_OK;
}

static lh_status read_stdin(lh_buf *out, lh_err *err)
{
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0 && !lh_buf_status(out))
        lh_buf_add(out, chunk, n);
    lh_status st = lh_buf_status(out);
    if (st == LH_ETOOBIG)
        return lh_fail(err, st, "query on stdin is over %zu bytes", MAX_QUERY_BYTES);
    return st ? lh_fail(err, st, "out of memory reading the query") : LH_OK;
}

int lh__cli_sql(lh_cli *cli)
{
    const char *query = NULL, *format = cli->json ? "json" : "table";
    const char *as_of[64];
    int nas_of = 0;
    int64_t limit = 0, timeout = lh_config_int(cli->config, "query.timeout_ms", 30000);
    int64_t max_timeout = lh_config_int(cli->config, "query.max_timeout_ms", 600000);
    bool explain = false;
    for (int i = 0; i < cli->argc; i++) {
        const char *a = cli->argv[i];
        if (!strcmp(a, "--format")) {
            if (!(format = lh__cli_value(cli, &i, a)))
                return 2;
        } else if (!strcmp(a, "--as-of")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v)
                return 2;
            if (nas_of == 64)
                return lh__cli_usage_error(cli, "too many %s options", a);
            as_of[nas_of++] = v;
        } else if (!strcmp(a, "--limit")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v || lh_parse_i64(v, &limit) || limit < 0)
                return v ? lh__cli_usage_error(cli, "--limit needs a whole number, got '%s'", v) : 2;
        } else if (!strcmp(a, "--explain")) {
            explain = true;
        } else if (!strcmp(a, "--timeout-ms")) {
            const char *v = lh__cli_value(cli, &i, a);
            if (!v || lh_parse_i64(v, &timeout) || timeout < 1 || timeout > max_timeout)
                return v ? lh__cli_usage_error(cli, "--timeout-ms needs a whole number of "
                                               "milliseconds up to query.max_timeout_ms, got '%s'",
                                               v) : 2;
        } else if (a[0] == '-' && a[1]) {
            return lh__cli_usage_error(cli, "unknown option %s", a);
        } else if (query) {
            return lh__cli_usage_error(cli, "takes one QUERY; quote it (extra argument '%s')", a);
        } else {
            query = a;
        }
    }
    if (!query)
        return lh__cli_usage_error(cli, "%sneeds a QUERY (or - to read it from stdin)", "");
    lh_err err;
    lh_result_format fmt;
    lh_status st = lh_result_format_parse(format, &fmt, &err);
    if (st)
        return lh__cli_error(cli, st, &err);
    lh_buf text;
    lh_buf_init(&text, MAX_QUERY_BYTES);
    if (!strcmp(query, "-")) {
        if ((st = read_stdin(&text, &err))) {
            lh_buf_release(&text);
            return lh__cli_error(cli, st, &err);
        }
        query = lh_buf_cstr(&text);
    }
    lh_lake *lake = NULL;
    lh_lake_options lo = {.data_dir = cli->data_dir, .writer = false,
                          .memory_limit = lh_config_str(cli->config, "engine.memory_limit", ""),
                          .max_temp_size = lh_config_str(cli->config, "engine.max_temp_size", ""),
                          .max_sql_bytes = (size_t)lh_config_int(cli->config, "query.max_sql_bytes", 0)};
    st = lh_lake_open(&lo, &lake, &err);
    json_t *versions = json_object();
    for (int i = 0; !st && i < nas_of; i++) {
        char name[128];
        const char *eq = strchr(as_of[i], '=');
        int64_t version = -1;
        if (!eq || (size_t)(eq - as_of[i]) >= sizeof name || lh_parse_i64(eq + 1, &version)) {
            st = lh_fail(&err, LH_EINVAL, "--as-of expects NAME=VERSION, got '%s'", as_of[i]);
            break;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - as_of[i]), as_of[i]);
        if (json_object_set_new(versions, name, json_integer(version)))
            st = lh_fail(&err, LH_ENOMEM, "out of memory"); /* never the latest instead */
    }
    if (!st && !versions)
        st = lh_fail(&err, LH_ENOMEM, "out of memory");
    lh_result_writer *w = NULL;
    if (!st)
        st = lh_result_writer_new(fmt, write_stdout, NULL, &w, &err);
    if (!st) {
        lh_result_writer_set_start(w, lh_mono_ms());
        lh_result_sink sink = lh_result_writer_sink(w);
        lh_lake_query qo = {.limit = (uint64_t)limit, .timeout_ms = timeout, .as_of = versions,
                            .explain = explain};
        st = lh_lake_sql(lake, query, &qo, &sink, &err);
    }
    fflush(stdout);
    lh_result_writer_free(w);
    json_decref(versions);
    lh_lake_free(lake);
    lh_buf_release(&text);
    return st ? lh__cli_error(cli, st, &err) : 0;
}
