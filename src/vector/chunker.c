/* chunker.c: rows -> chunks (chunker.h says how the cuts are chosen). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vector/chunker.h"
#include "core/alloc.h"
#include "core/sha256.h"

lh_chunk_opts lh_chunk_defaults(void)
{
    return (lh_chunk_opts){.unit = LH_CHUNK_CHARS, .size = 2000, .overlap = 200};
}

lh_status lh_chunk_check(const lh_chunk_opts *opts, lh_err *err)
{
    if (opts->unit != LH_CHUNK_CHARS && opts->unit != LH_CHUNK_TOKENS)
        return lh_fail(err, LH_EINVAL, "chunk unit must be characters or tokens");
    if (opts->size == 0)
        return lh_fail(err, LH_EINVAL, "chunk size must be at least 1");
    if (opts->overlap >= opts->size)
        return lh_fail(err, LH_EINVAL, "chunk overlap %u must be smaller than the chunk size %u",
                       (unsigned)opts->overlap, (unsigned)opts->size);
    return LH_OK;
}

void lh_chunk_list_release(lh_chunk_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].text);
    free(list->items);
    memset(list, 0, sizeof *list);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The byte length of the UTF-8 sequence at s[0..left), or 1 for a malformed byte (a stray
 * continuation byte, a truncated or overlong sequence): a cut may fall only between the
 * units this returns. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    if (n > left)
        return 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

/* The units of the text: pos[i] is where unit i starts (pos[n] = len). For characters,
 * word_start[i] says whether a word starts there (a non-space after a space); every
 * token is a word start. */
typedef struct units {
    size_t *pos;
    bool *word_start;
    size_t n;
} units;

static lh_status split_units(const lh_chunk_opts *o, const char *text, size_t len, units *u)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cap = 0, n = 0;
    size_t *pos = NULL;
    bool *ws = NULL;
    size_t wcap = 0;
    for (size_t i = 0; i < len;) {
        size_t step;
        bool start;
        if (o->unit == LH_CHUNK_CHARS) {
            step = utf8_len(s + i, len - i);
            start = !is_space(s[i]) && (i == 0 || is_space(s[i - 1]));
        } else {
            if (!is_word(s[i])) {
                i++;
                continue;
            }
            step = 0;
            while (i + step < len && is_word(s[i + step]))
                step++;
            start = true;
        }
        if (lh_grow(&pos, &cap, n + 2, sizeof *pos) || lh_grow(&ws, &wcap, n + 2, sizeof *ws)) {
            free(pos);
            free(ws);
            return LH_ENOMEM;
        }
        pos[n] = i;
        ws[n] = start;
        n++;
        i += step;
    }
    if (lh_grow(&pos, &cap, n + 1, sizeof *pos) || lh_grow(&ws, &wcap, n + 1, sizeof *ws)) {
        free(pos);
        free(ws);
        return LH_ENOMEM;
    }
    pos[n] = len;
    ws[n] = true;
    u->pos = pos;
    u->word_start = ws;
    u->n = n;
    return LH_OK;
}

/* Does a sentence end just before unit j? The gap before pos[j] must hold whitespace, and
 * either a line break or, before it (past closing quotes and brackets), . ! or ? */
static bool sentence_break(const char *text, const units *u, size_t j)
{
    size_t b = u->pos[j];
    if (!u->word_start[j] || b == 0)
        return false;
    size_t p = b;
    while (p > 0 && is_space((unsigned char)text[p - 1])) {
        if (text[p - 1] == '\n')
            return true;
        p--;
    }
    if (p == b)
        return false;
    while (p > 0 && text[p - 1] && strchr(")]}\"'", text[p - 1]))
        p--;
    return p > 0 && (text[p - 1] == '.' || text[p - 1] == '!' || text[p - 1] == '?');
}

/* Where the chunk that starts at unit s ends (exclusive), for a text longer than one
 * window. */
static size_t choose_end(const lh_chunk_opts *o, const char *text, const units *u, size_t s)
{
    size_t e = s + o->size;
    if (e >= u->n)
        return u->n;
    size_t floor = s + o->size / 2;
    for (size_t j = e; j > floor; j--)
        if (sentence_break(text, u, j))
            return j;
    for (size_t j = e; j > s; j--)
        if (u->word_start[j])
            return j;
    return e;
}

static lh_status add_chunk(lh_chunk_list *out, const char *key, const char *text, size_t b0,
                           size_t b1)
{
    while (b0 < b1 && is_space((unsigned char)text[b0]))
        b0++;
    while (b1 > b0 && is_space((unsigned char)text[b1 - 1]))
        b1--;
    if (b0 == b1)
        return LH_OK;
    if (lh_grow(&out->items, &out->cap, out->n + 1, sizeof *out->items))
        return LH_ENOMEM;
    lh_chunk *c = &out->items[out->n];
    memset(c, 0, sizeof *c);
    /* a copy of every byte (not lh_strndup: a NUL inside the row must not cut it short of
     * the length the hash and the offsets say) */
    c->text = lh_malloc(b1 - b0 + 1);
    if (!c->text)
        return LH_ENOMEM;
    memcpy(c->text, text + b0, b1 - b0);
    c->text[b1 - b0] = '\0';
    c->ordinal = (uint32_t)out->n;
    c->start = b0;
    c->end = b1;
    lh_sha256_hex(c->text, b1 - b0, c->content_hash);
    snprintf(c->id, sizeof c->id, "%s/%u/%.16s", key, (unsigned)c->ordinal, c->content_hash);
    out->n++;
    return LH_OK;
}

lh_status lh_chunk_text(const lh_chunk_opts *opts, const char *key, const char *text, size_t len,
                        lh_chunk_list *out, lh_err *err)
{
    lh_status st = lh_chunk_check(opts, err);
    if (st)
        return st;
    if (strlen(key) > 96)
        return lh_fail(err, LH_EINVAL, "row key is over 96 bytes; chunk ids need a shorter key");
    lh_chunk_list_release(out);
    /* sizes count the trimmed text: surrounding whitespace is not content */
    size_t b0 = 0, b1 = len;
    while (b0 < b1 && is_space((unsigned char)text[b0]))
        b0++;
    while (b1 > b0 && is_space((unsigned char)text[b1 - 1]))
        b1--;
    if (b0 == b1)
        return LH_OK;
    const char *t = text + b0;
    units u;
    if (split_units(opts, t, b1 - b0, &u))
        return lh_fail(err, LH_ENOMEM, "out of memory chunking a row of %zu bytes", len);
    if (u.n <= opts->size) {
        st = add_chunk(out, key, text, b0, b1);
    } else {
        size_t s = 0;
        while (!st) {
            size_t j = choose_end(opts, t, &u, s);
            /* a token chunk runs to the next token, so it keeps its closing punctuation */
            st = add_chunk(out, key, text, b0 + u.pos[s], b0 + u.pos[j]);
            if (j >= u.n)
                break;
            size_t next = j > s + opts->overlap ? j - opts->overlap : s + 1;
            /* start on a word when one starts before the cut, not in the middle of one */
            size_t w = next;
            while (w < j && !u.word_start[w])
                w++;
            s = w < j ? w : next;
        }
    }
    free(u.pos);
    free(u.word_start);
    if (st) {
        lh_chunk_list_release(out);
        return lh_fail(err, LH_ENOMEM, "out of memory chunking a row of %zu bytes", len);
    }
    return LH_OK;
}
