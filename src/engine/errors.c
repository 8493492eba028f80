/* errors.c: the one place that turns DuckDB's error text into a message a user can act on.
 *
 * DuckDB writes "<Class> Error: <message>", sometimes followed by a hint ("Use SET
 * max_expression_depth to ...", which the gate would refuse anyway) and by a location:
 * "LINE 3: <a window of the statement>" and a caret line under the offending token. The
 * rules, in order:
 *  1. the location becomes "line L, column C: " in front of the message, C counted in the
 *     user's own statement (our wrappers around it, such as "SELECT CAST(#1 AS VARCHAR)
 *     FROM (", are not counted); when the window is not the user's text, no location;
 *  2. the class prefixes ("Parser Error: ", "Binder Error: ", ...) are dropped;
 *  3. hint sentences that name settings (SET, PRAGMA) are dropped;
 *  4. a quoted path of a dataset's data file (".../tables/...") becomes "a data file":
 *     paths inside the data directory are ours, not the user's (ingest puts the user's
 *     file name in place of its staged copy's path itself, see ingest.c hide_path);
 *  5. "syntax error at or near" reads "syntax error at". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

/* Drops leading "<Words> Error: " prefixes from s (in place). */
static void drop_class_prefixes(char *s)
{
    for (;;) {
        const char *colon = strstr(s, " Error: ");
        if (!colon || !isupper((unsigned char)s[0]))
            return;
        for (const char *p = s; p < colon; p++)
            if (!isalpha((unsigned char)*p) && *p != ' ')
                return;
        size_t cut = (size_t)(colon - s) + strlen(" Error: ");
        memmove(s, s + cut, strlen(s + cut) + 1);
    }
}

/* Removes sentences that mention a setting ("Use SET x to ...", "PRAGMA ..."). */
static void drop_setting_hints(char *s)
{
    static const char *const marks[] = {"SET ", "PRAGMA ", "SET max_", "set the "};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        char *hit;
        while ((hit = strstr(s, marks[m])) != NULL) {
            /* The sentence around hit: from after the previous ". " (or "\n") to the next
             * "." followed by a space or the end. */
            char *start = hit;
            while (start > s && !((start[-1] == ' ' || start[-1] == '\n') && start - 1 > s &&
                                  (start[-2] == '.' || start[-2] == '!' || start[-2] == '\n')))
                start--;
            char *end = hit;
            while (*end && !(*end == '.' && (end[1] == ' ' || end[1] == '\n' || !end[1])))
                end++;
            if (*end)
                end++;
            while (*end == ' ')
                end++;
            if (start == s && !*end)
                return; /* the whole message: keep something */
            memmove(start, end, strlen(end) + 1);
        }
    }
}

/* Replaces each quoted absolute path under a tables/ folder ("/..." or '/...') with: a data file. */
static void hide_paths(char *s)
{
    static const char repl[] = "a data file";
    for (char *p = s; *p; p++) {
        if ((*p != '"' && *p != '\'') || p[1] != '/')
            continue;
        char *close = strchr(p + 1, *p);
        if (!close)
            return;
        size_t old = (size_t)(close - p) + 1;
        char *tables = strstr(p, "/tables/");
        if (old < sizeof repl - 1 || !tables || tables > close)
            continue;
        memcpy(p, repl, sizeof repl - 1);
        memmove(p + sizeof repl - 1, close + 1, strlen(close + 1) + 1);
        p += sizeof repl - 2;
    }
}

/* The user's line number line (1-based) of sql into *start and *len, or false. */
static bool user_line(const char *sql, long line, const char **start, size_t *len)
{
    const char *p = sql;
    for (long l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return false;
    const char *nl = strchr(p, '\n');
    *start = p;
    *len = nl ? (size_t)(nl - p) : strlen(p);
    return true;
}

/* Finds "LINE n: window\n   ^" in s, removes it and writes "line n, column c: " into loc
 * (empty when the column cannot be placed in the user's statement). */
static void take_location(char *s, const char *sql, char *loc, size_t locn)
{
    loc[0] = '\0';
    char *at = strstr(s, "LINE ");
    if (!at)
        return;
    char *colon = strstr(at, ": ");
    char *nl = colon ? strchr(colon, '\n') : NULL;
    long line = strtol(at + 5, NULL, 10);
    long column = -1;
    if (colon && nl && line > 0) {
        const char *window = colon + 2;
        size_t wlen = (size_t)(nl - window);
        const char *caret = strchr(nl + 1, '^');
        /* The caret line is aligned under "LINE n: window". */
        long caret_off = caret ? (long)(caret - (nl + 1)) - (long)(window - at) : -1;
        const char *uline;
        size_t ulen;
        if (caret_off >= 0 && sql && user_line(sql, line, &uline, &ulen)) {
            /* Where the user's line starts inside the window: at 0 for a plain query, after
             * our wrapper's text otherwise; a window cut from the left ("...") is found by
             * its first characters. */
            size_t probe = ulen < 12 ? ulen : 12;
            const char *w = window;
            bool dots = wlen >= 3 && !strncmp(window, "...", 3);
            if (dots)
                w = window + 3;
            const char *found = NULL;
            if (!dots && probe) {
                for (const char *q = w; q + probe <= window + wlen && !found; q++)
                    if (!strncmp(q, uline, probe))
                        found = q;
                if (found && caret_off >= (long)(found - window))
                    column = caret_off - (long)(found - window) + 1;
            } else if (dots) {
                /* The window's text after "..." is somewhere in the user's line. */
                size_t wl = wlen - 3 < 12 ? wlen - 3 : 12;
                for (const char *q = uline; wl && q + wl <= uline + ulen && !found; q++)
                    if (!strncmp(q, w, wl))
                        found = q;
                if (found)
                    column = (long)(found - uline) + caret_off - 3 + 1;
            }
        }
    }
    if (line > 0 && column > 0)
        snprintf(loc, locn, "line %ld, column %ld: ", line, column);
    else if (line > 0 && sql && !strstr(at, "#1"))
        snprintf(loc, locn, "line %ld: ", line);
    /* Drop the location block: from "LINE" to the end of the caret line. */
    char *end = nl ? strchr(nl + 1, '\n') : NULL;
    if (nl && end)
        memmove(at, end + 1, strlen(end + 1) + 1);
    else
        *at = '\0';
}

void lh__engine_user_message(const char *msg, const char *sql, char *out, size_t n)
{
    char s[sizeof ((lh_err *)0)->msg], loc[64];
    snprintf(s, sizeof s, "%s", msg ? msg : "the engine failed without a message");
    take_location(s, sql, loc, sizeof loc);
    drop_class_prefixes(s);
    drop_setting_hints(s);
    hide_paths(s);
    char *near = strstr(s, "syntax error at or near ");
    if (near)
        memmove(near + strlen("syntax error at "), near + strlen("syntax error at or near "),
                strlen(near + strlen("syntax error at or near ")) + 1);
    /* A user's query gets one line; our own statements (ingest) keep DuckDB's lines, which
     * lh__ingest_short_error picks from. No trailing blanks either way. */
    for (char *p = s; *p && sql; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n'))
        s[--len] = '\0';
    char *w = s;
    for (char *r = s; *r; r++)
        if (!(*r == ' ' && r[1] == ' '))
            *w++ = *r;
    *w = '\0';
    snprintf(out, n, "%s%s", loc, s);
}

lh_status lh__engine_fail(lh_err *err, lh_status st, const char *msg, const char *sql)
{
    if (err)
        lh__engine_user_message(msg, sql, err->msg, sizeof err->msg);
    return st;
}
