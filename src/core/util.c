#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int64_t lh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double lh_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void lh_format_time(int64_t ms, char out[32])
{
    /* Floor division: -1 ms is 1969-12-31T23:59:59.999Z, not second 0 with -1 ms. */
    int64_t rem = ms % 1000;
    if (rem < 0)
        rem += 1000;
    time_t secs = (time_t)((ms - rem) / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)rem);
}

static void random_bytes(unsigned char *p, size_t n)
{
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            lh_assert(!"getrandom failed");
        }
        p += got;
        n -= (size_t)got;
    }
}

void lh_hex_encode(const void *data, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *in = data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void lh_random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];
    lh_assert(nbytes <= sizeof raw);
    random_bytes(raw, nbytes);
    lh_hex_encode(raw, nbytes, out);
}

void lh_uuid4(char out[37])
{
    unsigned char r[16];
    random_bytes(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    char hex[33];
    lh_hex_encode(r, 16, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static int log_threshold(void)
{
    static int level = -1;
    if (level < 0) {
        const char *e = getenv("LAKEHOUSE_LOG");
        level = !e ? LH_LOG_WARN
              : !strcmp(e, "debug") ? LH_LOG_DEBUG
              : !strcmp(e, "info") ? LH_LOG_INFO
              : !strcmp(e, "error") ? LH_LOG_ERROR
              : LH_LOG_WARN;
    }
    return level;
}

void lh_log(lh_log_level level, const char *fmt, ...)
{
    if ((int)level < log_threshold())
        return;
    static const char *names[] = {"debug", "info", "warn", "error"};
    char ts[32];
    lh_format_time(lh_now_ms(), ts);
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", ts, names[level], msg);
}

void lh_fault_point(const char *name)
{
#ifdef LH_FAULTS
    const char *armed = getenv("LAKEHOUSE_FAULT");
    if (armed && !strcmp(armed, name)) {
        fprintf(stderr, "lakehouse: fault point %s: SIGKILL\n", name);
        kill(getpid(), SIGKILL);
    }
#else
    (void)name;
#endif
}

/* Length of the valid UTF-8 character at p (1 to 4), or 0 when it is not one. */
static size_t utf8_char(const unsigned char *p, const unsigned char *end)
{
    unsigned c = *p;
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    else if ((c & 0xe0) == 0xc0) { n = 1; min = 0x80; c &= 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; min = 0x800; c &= 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; min = 0x10000; c &= 0x07; }
    else return 0;
    if ((size_t)(end - p) <= n)
        return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n + 1;
}

bool lh_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n = utf8_char(p, end);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

void lh_utf8_scrub(char *s)
{
    unsigned char *p = (unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        size_t n = utf8_char(p, end);
        if (!n) {
            *p = '?';
            n = 1;
        }
        p += n;
    }
}

lh_status lh_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return LH_EINVAL;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return LH_EINVAL;
    *out = v;
    return LH_OK;
}

uint64_t lh_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : (uint64_t)1 << 30;
}

size_t lh_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX / 2;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *lh_closest(const char *word, const char *const *cands, size_t n)
{
    size_t limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = lh_edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}
