/* answer.c: the extractive answerer, the generative prompt, character offsets (answer.h). */
#include <stdlib.h>
#include <string.h>

#include "ai/ai_int.h"
#include "ai/answer.h"
#include "core/alloc.h"

#define WORD_FLAGS (LH_AI_TOK_STOP | LH_AI_TOK_STEM)

typedef struct qwords {
    lh__ai_dict dict;
    uint32_t *stamp;   /* per question word: the sentence that last matched it */
    uint32_t sentence; /* the current sentence's stamp (from 1) */
    unsigned matched;
    lh_status st;
} qwords;

static int add_qword(void *ctx, const char *w, size_t len)
{
    qwords *q = ctx;
    uint32_t id;
    bool added;
    if ((q->st = lh__ai_dict_intern(&q->dict, w, len, &id, &added)))
        return 1;
    return 0;
}

static int match_word(void *ctx, const char *w, size_t len)
{
    qwords *q = ctx;
    int64_t id = lh__ai_dict_find(&q->dict, w, len);
    if (id >= 0 && q->stamp[id] != q->sentence) {
        q->stamp[id] = q->sentence;
        q->matched++;
    }
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* The end of the sentence that starts at text[i] (exclusive, before trimming). */
static size_t sentence_end(const char *t, size_t len, size_t i)
{
    for (; i < len; i++) {
        if (t[i] == '\n')
            return i + 1;
        if ((t[i] == '.' || t[i] == '!' || t[i] == '?') && (i + 1 == len || is_space(t[i + 1])))
            return i + 1;
    }
    return len;
}

static int cmp_quote(const void *a, const void *b)
{
    const lh_answer_quote *x = a, *y = b;
    if (x->matched != y->matched)
        return x->matched > y->matched ? -1 : 1;
    if (x->chunk != y->chunk)
        return x->chunk < y->chunk ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

lh_status lh_answer_extract(const char *question, size_t qlen, const char *const *chunks,
                            const size_t *lens, size_t n, size_t max_quotes, lh_answer_quote *out,
                            size_t *n_out, lh_err *err)
{
    *n_out = 0;
    qwords q = {.sentence = 0};
    lh__ai_dict_init(&q.dict);
    lh_answer_quote *cand = NULL, first = {.chunk = SIZE_MAX};
    size_t ncand = 0, capcand = 0;
    lh_status st = LH_OK;
    lh__ai_tokenize(question, qlen, WORD_FLAGS, add_qword, &q);
    if ((st = q.st))
        goto cleanup;
    if (q.dict.n && !(q.stamp = lh_calloc(q.dict.n, sizeof *q.stamp))) {
        st = LH_ENOMEM;
        goto cleanup;
    }
    for (size_t c = 0; c < n; c++) {
        const char *t = chunks[c];
        size_t len = lens[c], i = 0;
        while (i < len) {
            size_t e = sentence_end(t, len, i), s = i, f = e;
            i = e;
            while (s < f && is_space(t[s]))
                s++;
            while (f > s && is_space(t[f - 1]))
                f--;
            if (s == f)
                continue;
            if (first.chunk == SIZE_MAX)
                first = (lh_answer_quote){.chunk = c, .start = s, .end = f, .matched = 0};
            if (!q.dict.n)
                continue;
            q.sentence++;
            q.matched = 0;
            lh__ai_tokenize(t + s, f - s, WORD_FLAGS, match_word, &q);
            if (!q.matched)
                continue;
            if (ncand == capcand && (st = lh_grow(&cand, &capcand, ncand + 1, sizeof *cand)))
                goto cleanup;
            cand[ncand++] = (lh_answer_quote){.chunk = c, .start = s, .end = f, .matched = q.matched};
        }
    }
    if (!max_quotes)
        goto cleanup;
    if (!ncand) {
        if (first.chunk != SIZE_MAX) {
            out[0] = first;
            *n_out = 1;
        }
        goto cleanup;
    }
    qsort(cand, ncand, sizeof *cand, cmp_quote);
    *n_out = ncand < max_quotes ? ncand : max_quotes;
    memcpy(out, cand, *n_out * sizeof *cand);
cleanup:
    free(cand);
    free(q.stamp);
    lh__ai_dict_release(&q.dict);
    if (st)
        return lh_fail(err, st, "out of memory while choosing the answer's sentences");
    return LH_OK;
}

lh_status lh_answer_prompt(const char *question, const lh_answer_source *sources, size_t n,
                           lh_buf *out)
{
    lh_buf_adds(out, "Answer the question using only the numbered sources below. After each "
                     "statement, cite the sources it comes from as [n]. If the sources do not "
                     "answer the question, say that they do not.\n\n");
    for (size_t i = 0; i < n; i++) {
        lh_buf_printf(out, "[%zu] %s\n", i + 1, sources[i].label);
        const char *t = sources[i].text;
        bool line_start = true;
        for (; *t; t++) {
            if (line_start && *t == '[')
                lh_buf_addc(out, ' ');
            lh_buf_addc(out, *t);
            line_start = *t == '\n';
        }
        lh_buf_adds(out, "\n\n");
    }
    lh_buf_adds(out, "Question: ");
    lh_buf_adds(out, question);
    lh_buf_adds(out, "\nAnswer:");
    return lh_buf_status(out);
}

size_t lh_answer_chars(const char *text, size_t nbytes)
{
    size_t n = 0;
    for (size_t i = 0; i < nbytes; i++)
        n += ((unsigned char)text[i] & 0xC0) != 0x80;
    return n;
}

bool lh_answer_locate(const char *src, size_t slen, int64_t at, const char *quote, size_t qlen,
                      size_t *start, size_t *end)
{
    const char *p = NULL;
    if (!src || !qlen)
        return false;
    if (at >= 0 && (uint64_t)at <= slen && qlen <= slen - (size_t)at &&
        !memcmp(src + at, quote, qlen))
        p = src + at;
    else
        p = memmem(src, slen, quote, qlen);
    if (!p)
        return false;
    *start = lh_answer_chars(src, (size_t)(p - src));
    *end = *start + lh_answer_chars(p, qlen);
    return true;
}
