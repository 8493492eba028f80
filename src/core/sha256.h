/* sha256.h: the one SHA-256 (content hashes of ingested files, deduplication, API key and
 * tombstone digests). core/sha256.c is the only file that includes OpenSSL (scripts/lint.sh
 * checks it); every other module hashes through these.
 *
 * Streaming: lh_sha256_new, any number of lh_sha256_update, lh_sha256_final, then
 * lh_sha256_free. Feeding the bytes in any split gives the digest of their concatenation.
 * A context belongs to one thread at a time; separate contexts are independent. */
#ifndef LH_CORE_SHA256_H
#define LH_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct lh_sha256 lh_sha256;

/* A fresh context, or NULL when out of memory. Free with lh_sha256_free. */
lh_sha256 *lh_sha256_new(void);
/* Adds len bytes of data (len 0 is allowed, data may then be NULL). */
void lh_sha256_update(lh_sha256 *h, const void *data, size_t len);
/* Writes the digest of everything added as 64 lowercase hex chars + NUL. The context is
 * spent afterwards: only lh_sha256_free may follow. */
void lh_sha256_final(lh_sha256 *h, char out[65]);
/* Frees the context; NULL is a no-op. */
void lh_sha256_free(lh_sha256 *h);

/* One shot: the SHA-256 of a buffer, as 64 lowercase hex chars + NUL. */
void lh_sha256_hex(const void *data, size_t len, char out[65]);
/* The SHA-256 of a file's bytes (O_NOFOLLOW: a symlink is LH_EIO, a missing file
 * LH_ENOTFOUND); *size (optional) gets the byte count. */
lh_status lh_sha256_file(const char *path, char out[65], int64_t *size, lh_err *err);
/* The same, also setting *first_nul to the offset of the file's first NUL byte (-1 when
 * none): text inputs are checked for binary data in the pass that hashes them. */
lh_status lh_sha256_file_nul(const char *path, char out[65], int64_t *size, int64_t *first_nul,
                             lh_err *err);

#endif
