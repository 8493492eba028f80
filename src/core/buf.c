#include "core/buf.h"
#include "core/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lh_buf_init(lh_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : LH_BUF_DEFAULT_MAX;
    b->err = LH_OK;
}

void lh_buf_release(lh_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = LH_OK;
}

void lh_buf_reset(lh_buf *b)
{
    b->len = 0;
    b->err = LH_OK;
    if (b->data)
        b->data[0] = '\0';
}

char *lh_buf_detach(lh_buf *b)
{
    char *s = b->data;
    if (!s && !b->err)
        s = lh_calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = LH_OK;
    return s;
}

const char *lh_buf_cstr(const lh_buf *b) { return b->data ? b->data : ""; }

lh_status lh_buf_status(const lh_buf *b) { return b->err; }

/* Latches the first failure and drops what was built: nothing half-made survives it. */
static lh_status buf_fail(lh_buf *b, lh_status st)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = st;
    return st;
}

lh_status lh_buf_fail(lh_buf *b, lh_status st) { return b->err ? b->err : buf_fail(b, st); }

static lh_status buf_grow(lh_buf *b, size_t extra)
{
    if (b->err)
        return b->err;
    if (extra > b->max || b->len > b->max - extra)
        return buf_fail(b, LH_ETOOBIG);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return LH_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = lh_realloc(b->data, cap);
    if (!p)
        return buf_fail(b, LH_ENOMEM);
    b->data = p;
    b->cap = cap;
    return LH_OK;
}

lh_status lh_buf_add(lh_buf *b, const void *data, size_t n)
{
    lh_status st = buf_grow(b, n);
    if (st)
        return st;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return LH_OK;
}

lh_status lh_buf_adds(lh_buf *b, const char *s) { return lh_buf_add(b, s, strlen(s)); }
lh_status lh_buf_addc(lh_buf *b, char c) { return lh_buf_add(b, &c, 1); }

lh_status lh_buf_vprintf(lh_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return buf_fail(b, LH_EINVAL);
    lh_status st = buf_grow(b, (size_t)n);
    if (st)
        return st;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return LH_OK;
}

lh_status lh_buf_printf(lh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lh_status st = lh_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

/* A NULL string (a value some earlier step failed to produce, often for want of memory)
 * fails the buffer rather than quoting nothing: the builder's one check then sees it. */
static lh_status add_quoted(lh_buf *b, const char *s, char q)
{
    if (!s)
        return lh_buf_fail(b, LH_EINVAL);
    lh_status st = lh_buf_addc(b, q);
    for (const char *p = s; !st && *p; p++) {
        if (*p == q)
            st = lh_buf_addc(b, q);
        if (!st)
            st = lh_buf_addc(b, *p);
    }
    return st ? st : lh_buf_addc(b, q);
}

lh_status lh_buf_add_sql_string(lh_buf *b, const char *s) { return add_quoted(b, s, '\''); }
lh_status lh_buf_add_sql_ident(lh_buf *b, const char *s) { return add_quoted(b, s, '"'); }

lh_status lh_strlcpy(char *dst, const char *src, size_t size)
{
    if (!size)
        return LH_ETOOBIG;
    size_t n = strlen(src);
    if (n >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return LH_ETOOBIG;
    }
    memcpy(dst, src, n + 1);
    return LH_OK;
}
