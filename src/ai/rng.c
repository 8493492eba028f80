/* rng.c: xoshiro256** seeded through splitmix64 (Blackman and Vigna), written here so that
 * the random projection of an LSA fit depends on the seed only, never on the C library. */
#include "ai/ai_int.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void lh__ai_rng_seed(lh__ai_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t lh__ai_rng_next(lh__ai_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double lh__ai_rng_signed(lh__ai_rng *r)
{
    /* the top 53 bits as a double in [0, 1), then onto [-1, 1) */
    return (double)(lh__ai_rng_next(r) >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}
