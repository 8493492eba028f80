/* chunker.h: splits a row's text into the chunks an index embeds (issue 14, item 2).
 *
 * Sizes count characters (Unicode code points of UTF-8 text) or tokens (maximal runs of
 * letters and digits, any non-ASCII byte counting as a letter; whitespace and punctuation
 * separate tokens and count for nothing). A text of at most `size` units is one chunk; an
 * empty or all-whitespace text is no chunk. A longer text is cut into windows of at most
 * `size` units, each starting `overlap` units before the previous one ended. A cut goes,
 * by preference, after the last sentence end (".", "!" or "?", then optional closing
 * quotes or brackets, then whitespace; or a line break) in the second half of the window,
 * else before the last word that starts in it, else exactly at the size. A cut never falls
 * inside a UTF-8 sequence (a malformed byte counts as one character). Each chunk is
 * trimmed of surrounding whitespace; its byte offsets into the text say where it is, so a
 * citation can be highlighted in the source row.
 *
 * Chunk ids are deterministic: "<key>/<ordinal>/<first 16 hex of the SHA-256 of the chunk
 * text>", so the same text under the same key always gets the same ids, and a changed chunk
 * a new one. content_hash is the full hex SHA-256 of the chunk text (what refresh compares).
 * Thread-safe: no shared state. */
#ifndef LH_VECTOR_CHUNKER_H
#define LH_VECTOR_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef enum lh_chunk_unit {
    LH_CHUNK_CHARS = 0,
    LH_CHUNK_TOKENS = 1,
} lh_chunk_unit;

typedef struct lh_chunk_opts {
    lh_chunk_unit unit;
    uint32_t size;     /* > 0 */
    uint32_t overlap;  /* < size */
} lh_chunk_opts;

/* The defaults an index gets when it names none: 2,000 characters (about 400 English
 * words), 200 overlapping; docs/BENCHMARKS.md "Builtin retrieval" measured 1,000. */
lh_chunk_opts lh_chunk_defaults(void);

/* Checks opts: a zero size, or an overlap not below the size ("chunk overlap 300 must be
 * smaller than the chunk size 200"), is LH_EINVAL with that message. */
lh_status lh_chunk_check(const lh_chunk_opts *opts, lh_err *err);

typedef struct lh_chunk {
    uint32_t ordinal;      /* 0, 1, ... in text order */
    size_t start, end;     /* byte offsets in the text: the chunk is text[start, end) */
    char *text;            /* copy of text[start, end), NUL-terminated (a NUL byte in the
                            * row stays inside: end - start is the length) */
    char id[96 + 1 + 16 + 16]; /* set only when the key fits (see lh_chunk_text) */
    char content_hash[65];
} lh_chunk;

typedef struct lh_chunk_list {
    lh_chunk *items;
    size_t n, cap;
} lh_chunk_list;

/* Chunks text[0, len) of the row whose key is key into out (which the caller has zeroed
 * or reset; its chunks are replaced). key must be at most 96 bytes: a longer key is
 * LH_EINVAL (ids are bounded so they fit a fixed column). LH_ENOMEM on allocation
 * failure; out is then empty. */
lh_status lh_chunk_text(const lh_chunk_opts *opts, const char *key, const char *text, size_t len,
                        lh_chunk_list *out, lh_err *err);

/* Frees the chunks (and their texts) and leaves the list empty and reusable. */
void lh_chunk_list_release(lh_chunk_list *list);

#endif
