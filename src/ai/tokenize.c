/* tokenize.c: the word tokenizer shared by BM25 and LSA (ai_int.h says what a word is). */
#include <string.h>

#include "ai/ai_int.h"

/* Function words that carry no topic: the usual English list, short on purpose (a longer
 * one starts to drop words such as "interest" that do matter in some corpora). Sorted, for
 * the binary search. */
static const char *const stopwords[] = {
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "during", "each", "for", "from",
    "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "itself", "me", "more", "most", "my",
    "no", "nor", "not", "of", "on", "once", "only", "or", "other", "our", "ours", "out",
    "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours",
};

static bool is_stopword(const char *w, size_t len)
{
    size_t lo = 0, hi = sizeof stopwords / sizeof stopwords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *s = stopwords[mid];
        size_t sl = strlen(s);
        int c = memcmp(w, s, len < sl ? len : sl);
        if (c == 0)
            c = (len > sl) - (len < sl);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

static bool ends_with(const char *w, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(w + len - n, suffix, n) == 0;
}

/* Harman's "S" stemmer: only plurals, so it never merges unrelated words the way a full
 * suffix stripper can ("university"/"universe"). Words of three bytes or fewer and words
 * with non-ASCII bytes are left alone. */
static size_t stem_plural(char *w, size_t len)
{
    if (len <= 3)
        return len;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)w[i] >= 0x80)
            return len;
    if (ends_with(w, len, "ies") && !ends_with(w, len, "eies") && !ends_with(w, len, "aies")) {
        w[len - 3] = 'y';
        return len - 2;
    }
    if (ends_with(w, len, "es") && !ends_with(w, len, "aes") && !ends_with(w, len, "ees") &&
        !ends_with(w, len, "oes"))
        return len - 1;
    if (w[len - 1] == 's' && !ends_with(w, len, "us") && !ends_with(w, len, "ss"))
        return len - 1;
    return len;
}

static bool is_word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int lh__ai_tokenize(const char *text, size_t len, unsigned flags, lh__ai_word_fn fn, void *ctx)
{
    char word[LH_AI_WORD_MAX];
    size_t i = 0;
    while (i < len) {
        while (i < len && !is_word_byte((unsigned char)text[i]))
            i++;
        size_t start = i;
        while (i < len && is_word_byte((unsigned char)text[i]))
            i++;
        size_t n = i - start;
        if (n == 0 || n > LH_AI_WORD_MAX)
            continue;
        for (size_t j = 0; j < n; j++) {
            char c = text[start + j];
            word[j] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        if ((flags & LH_AI_TOK_STOP) && is_stopword(word, n))
            continue;
        if ((flags & LH_AI_TOK_STEM) && (flags & LH_AI_TOK_PORTER))
            n = lh__ai_stem_porter(word, n);
        else if (flags & LH_AI_TOK_STEM)
            n = stem_plural(word, n);
        int rc = fn(ctx, word, n);
        if (rc)
            return rc;
    }
    return 0;
}
