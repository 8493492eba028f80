/* ai_sql.c: plain words -> SQL (lh_ai_sql_ask, ai.h): the prompt template and reading the
 * SQL out of a model's answer. What the SQL may do is decided later by the engine's gate
 * on DuckDB's parse (POST /ai/sql), never here: this file only builds text and trims it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/ai.h"
#include "core/alloc.h"
#include "core/buf.h"

enum { SQL_MAX = 64 * 1024 };

/* The template (docs/INTERNALS.md "AI providers" shows it too). */
static const char head[] =
    "You write one DuckDB SQL query that answers a question about the tables below.\n"
    "Rules:\n"
    "- Answer with the SQL query only: no explanation, no Markdown.\n"
    "- One read-only SELECT statement (WITH is allowed); never INSERT, UPDATE, DELETE, CREATE,\n"
    "  COPY, ATTACH, PRAGMA or SET.\n"
    "- Use only the tables and columns listed; quote names with double quotes.\n"
    "- Add LIMIT 100 unless the question asks for every row or for an aggregate.\n"
    "\n"
    "Tables:\n";

static void add_ident(lh_buf *b, const char *s)
{
    lh_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            lh_buf_addc(b, '"');
        lh_buf_addc(b, *s);
    }
    lh_buf_addc(b, '"');
}

/* One line of text at most max bytes, newlines as spaces (a description cannot start a
 * fake section of the prompt). */
static void add_line(lh_buf *b, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
            n--;
    }
    for (size_t i = 0; i < n; i++)
        lh_buf_addc(b, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
}

lh_status lh_ai_sql_prompt(const json_t *manifests, const char *question, size_t max,
                           char **out, lh_err *err)
{
    *out = NULL;
    lh_buf b;
    lh_buf_init(&b, max);
    lh_buf_adds(&b, head);
    size_t i, c;
    const json_t *m, *col;
    json_array_foreach(manifests, i, m) {
        const char *name = json_string_value(json_object_get(m, "name"));
        if (!name)
            continue;
        add_ident(&b, name);
        lh_buf_adds(&b, " (");
        json_array_foreach(json_object_get(m, "columns"), c, col) {
            const char *cn = json_string_value(json_object_get(col, "name"));
            const char *ct = json_string_value(json_object_get(col, "type"));
            if (!cn)
                continue;
            if (c)
                lh_buf_adds(&b, ", ");
            add_ident(&b, cn);
            if (ct) {
                lh_buf_addc(&b, ' ');
                add_line(&b, ct, 64);
            }
        }
        lh_buf_addc(&b, ')');
        const char *desc = json_string_value(json_object_get(m, "description"));
        if (desc && *desc) {
            lh_buf_adds(&b, " -- ");
            add_line(&b, desc, 200);
        }
        lh_buf_addc(&b, '\n');
    }
    lh_buf_adds(&b, "\nQuestion: ");
    add_line(&b, question, max);
    lh_buf_adds(&b, "\nSQL:\n");
    lh_status st = lh_buf_status(&b);
    if (st == LH_ETOOBIG)
        st = lh_fail(err, st, "the schema and question are over the %zu-byte prompt limit: name "
                     "fewer datasets", max);
    else if (st)
        st = lh_fail(err, st, "out of memory building the prompt");
    else
        *out = lh_buf_detach(&b);
    lh_buf_release(&b);
    return st;
}

static bool space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

lh_status lh_ai_sql_extract(const char *answer, char **sql, lh_err *err)
{
    *sql = NULL;
    const char *s = answer, *e = answer + strlen(answer);
    /* a fenced block (```sql ... ```) anywhere: its content */
    const char *fence = strstr(s, "```");
    if (fence) {
        const char *body = fence + 3;
        while (body < e && *body != '\n') /* the info string ("sql") */
            body++;
        const char *close = strstr(body, "```");
        s = body;
        e = close ? close : e;
    }
    while (s < e && space(*s))
        s++;
    while (e > s && space(e[-1]))
        e--;
    if (e - s >= 4 && !strncasecmp(s, "SQL:", 4)) /* a label the template ends with */
        for (s += 4; s < e && space(*s);)
            s++;
    if (s == e)
        return lh_fail(err, LH_EINVAL, "the model's answer holds no SQL");
    if ((size_t)(e - s) > SQL_MAX)
        return lh_fail(err, LH_ETOOBIG, "the model's SQL is over %d bytes", SQL_MAX);
    if (!(*sql = lh_strndup(s, (size_t)(e - s))))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}
