/* util.h: small helpers every module uses: time, random ids, hex, logging, faults.
 * (SHA-256 is core/sha256.h.) */
#ifndef LH_CORE_UTIL_H
#define LH_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* The release: `lakehouse --version`, /health's "version" and the engineInfo of every
 * Delta commit ("lakehouse/" LH_VERSION). The one place it is spelled. */
#define LH_VERSION "0.1.0"

/* Milliseconds since the Unix epoch (wall clock) and a monotonic clock in ms. */
int64_t lh_now_ms(void);
/* Physical memory in bytes (1 GiB when the system does not say). */
uint64_t lh_physical_memory(void);
double lh_mono_ms(void);

/* Formats ms-since-epoch as RFC 3339 UTC with milliseconds ("2026-11-26T17:00:00.000Z"). */
void lh_format_time(int64_t ms, char out[32]);

/* nbytes random bytes as lowercase hex into out (2*nbytes+1 chars). */
void lh_random_hex(char *out, size_t nbytes);

/* A random RFC 4122 version-4 UUID string (37 chars with the NUL). */
void lh_uuid4(char out[37]);

/* n bytes as 2*n lowercase hex chars + NUL into out. */
void lh_hex_encode(const void *data, size_t n, char *out);

/* Leveled logging to stderr. LAKEHOUSE_LOG=debug|info|warn|error (default warn). */
typedef enum { LH_LOG_DEBUG, LH_LOG_INFO, LH_LOG_WARN, LH_LOG_ERROR } lh_log_level;
void lh_log(lh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fault injection for crash tests: when built with LH_FAULTS and the environment variable
 * LAKEHOUSE_FAULT equals name, the process kills itself with SIGKILL right here. */
void lh_fault_point(const char *name);

/* Returns true when s is valid UTF-8 (len bytes). */
bool lh_utf8_valid(const char *s, size_t len);
/* Replaces, in place, every byte of the NUL-terminated s that does not start a valid
 * UTF-8 character with '?' (for messages that quote outside bytes). */
void lh_utf8_scrub(char *s);

/* strtoll with full-string and range checking. */
lh_status lh_parse_i64(const char *s, int64_t *out);

/* Levenshtein distance between a and b, ignoring ASCII case; strings longer than 63
 * bytes count as far from everything (returns SIZE_MAX/2). For "did you mean" hints. */
size_t lh_edit_distance(const char *a, const char *b);

/* The candidate closest to word by lh_edit_distance, or NULL when none is close enough to
 * be a plausible typo (distance at most a third of the word's length, at least 1 and at
 * most 3). Returns a pointer into cands (n entries). Thread-safe. */
const char *lh_closest(const char *word, const char *const *cands, size_t n);

#endif
