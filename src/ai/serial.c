/* serial.c: fixed-width little-endian fields, so an index file written on one machine
 * reads the same on another whatever its byte order. */
#include <string.h>

#include "ai/ai_int.h"

void lh__ai_put_u32(lh_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    lh_buf_add(b, x, 4);
}

void lh__ai_put_u64(lh_buf *b, uint64_t v)
{
    lh__ai_put_u32(b, (uint32_t)v);
    lh__ai_put_u32(b, (uint32_t)(v >> 32));
}

void lh__ai_put_f32(lh_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    lh__ai_put_u32(b, u);
}

void lh__ai_reader_init(lh__ai_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->bad = false;
}

const void *lh__ai_get_bytes(lh__ai_reader *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const void *at = r->p;
    r->p += n;
    return at;
}

uint32_t lh__ai_get_u32(lh__ai_reader *r)
{
    const unsigned char *x = lh__ai_get_bytes(r, 4);
    if (!x)
        return 0;
    return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

uint64_t lh__ai_get_u64(lh__ai_reader *r)
{
    uint64_t lo = lh__ai_get_u32(r);
    return lo | (uint64_t)lh__ai_get_u32(r) << 32;
}

float lh__ai_get_f32(lh__ai_reader *r)
{
    uint32_t u = lh__ai_get_u32(r);
    float v;
    memcpy(&v, &u, 4);
    return v;
}
