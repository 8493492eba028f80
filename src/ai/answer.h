/* answer.h: the answering end of RAG (issue 14, item 6), provider-neutral and pure.
 *
 *  - The builtin answerer is extractive: the question's words (the shared tokenizer, with
 *    stopwords dropped and plurals folded, as BM25 counts them) are matched against every
 *    sentence of the top chunks; a sentence scores the number of distinct question words
 *    it holds, and the best sentences, each with the chunk it came from and its byte
 *    offsets in that chunk, are the answer. Nothing is made up: every word of an
 *    extractive answer is a quote.
 *  - A generative provider gets lh_answer_prompt's template, which holds the question and
 *    only the chunks that will be listed as citations, numbered [1], [2], ...
 *
 * A sentence ends after ".", "!" or "?" followed by whitespace (or the end of the chunk),
 * or at a line break; it is trimmed of surrounding whitespace. Pure functions, no shared
 * state: thread-safe. */
#ifndef LH_AI_ANSWER_H
#define LH_AI_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct lh_answer_quote {
    size_t chunk;       /* index into the chunks given */
    size_t start, end;  /* byte offsets of the sentence in that chunk's text */
    unsigned matched;   /* distinct question words in it (its score) */
} lh_answer_quote;

/* The best max_quotes sentences of chunks[0, n) (lens[i] bytes each; chunk 0 is the best
 * ranked) for question, into out (room for max_quotes), best first: more question words
 * first, then the better ranked chunk, then the earlier sentence. Sentences that hold no
 * question word are left out, unless none holds one: then the first sentence of the first
 * non-empty chunk is the answer (matched 0), so a retrieved row is always cited. *n_out
 * says how many were written (0 only when every chunk is empty or max_quotes is 0).
 * LH_ENOMEM when scratch space cannot be had. */
lh_status lh_answer_extract(const char *question, size_t qlen, const char *const *chunks,
                            const size_t *lens, size_t n, size_t max_quotes, lh_answer_quote *out,
                            size_t *n_out, lh_err *err);

/* One source of a generative prompt: its text and a label naming where it comes from
 * ("candidates key 17"); both NUL-terminated. */
typedef struct lh_answer_source {
    const char *label;
    const char *text;
} lh_answer_source;

/* Appends to out the documented prompt (docs/INTERNALS.md "Search and RAG"):
 *
 *   Answer the question using only the numbered sources below. After each statement,
 *   cite the sources it comes from as [n]. If the sources do not answer the question,
 *   say that they do not.
 *
 *   [1] <label>
 *   <text>
 *
 *   [2] ...
 *
 *   Question: <question>
 *   Answer:
 *
 * Sources' texts are given as they are (a line of a source that starts with "[" is
 * indented by one space, so no source can forge another's number). Returns out's status. */
lh_status lh_answer_prompt(const char *question, const lh_answer_source *sources, size_t n,
                           lh_buf *out);

/* The number of characters (Unicode code points: bytes that do not continue a UTF-8
 * sequence) in text[0, nbytes): what turns a byte offset into the character offset SQL's
 * substring() counts. */
size_t lh_answer_chars(const char *text, size_t nbytes);

/* Where a quote is in the source row's text src[0, slen), as character offsets
 * [*start, *end): at byte at (the chunk's start in the row plus the quote's start in the
 * chunk) when the bytes there are the quote; else at the quote's first occurrence; false
 * when it is not in src at all (the row changed since it was chunked). */
bool lh_answer_locate(const char *src, size_t slen, int64_t at, const char *quote, size_t qlen,
                      size_t *start, size_t *end);

#endif
