/* stem.c: an English suffix stripper for the tokenizer's LH_AI_TOK_PORTER option
 * (ai_int.h): M. F. Porter's 1980 algorithm ("An algorithm for suffix stripping"),
 * written here from the published description, with its two well-known later fixes
 * ("bli" -> "ble" in place of "abli" -> "able", and "logi" -> "log").
 *
 * The word is lowercase ASCII (the tokenizer's); words of two letters or fewer, and
 * words holding anything but a-z (digits, UTF-8 bytes), are left alone. Works in place
 * and returns the new length (never longer than the old one). */
#include <stdbool.h>
#include <string.h>

#include "ai/ai_int.h"

typedef struct word {
    char *b;
    size_t k; /* length of the word as it stands */
    size_t j; /* length of the stem before the suffix under test */
} word;

/* b[i] is a consonant: not a vowel, and a 'y' only after a vowel (or at the start). */
static bool cons(const word *z, size_t i)
{
    switch (z->b[i]) {
    case 'a': case 'e': case 'i': case 'o': case 'u':
        return false;
    case 'y':
        return i == 0 ? true : !cons(z, i - 1);
    default:
        return true;
    }
}

/* m of the stem b[0, j): the number of vowel-consonant sequences, [C](VC)^m[V]. */
static int measure(const word *z)
{
    size_t i = 0, j = z->j;
    int n = 0;
    while (i < j && cons(z, i))
        i++;
    while (i < j) {
        while (i < j && !cons(z, i))
            i++;
        if (i >= j)
            break;
        while (i < j && cons(z, i))
            i++;
        n++;
    }
    return n;
}

/* The stem b[0, j) holds a vowel. */
static bool vowel_in_stem(const word *z)
{
    for (size_t i = 0; i < z->j; i++)
        if (!cons(z, i))
            return true;
    return false;
}

/* b[0, i] ends with a double consonant. */
static bool double_cons(const word *z, size_t i)
{
    return i >= 1 && z->b[i] == z->b[i - 1] && cons(z, i);
}

/* b[0, i] ends consonant-vowel-consonant, the last not w, x or y ("hop", not "snow"). */
static bool cvc(const word *z, size_t i)
{
    if (i < 2 || !cons(z, i) || cons(z, i - 1) || !cons(z, i - 2))
        return false;
    char c = z->b[i];
    return c != 'w' && c != 'x' && c != 'y';
}

/* The word ends with s[0, n); if so, j is set to the length before it. The last letters
 * are compared first: most words end with none of the suffixes tried. */
static bool ends_n(word *z, const char *s, size_t n)
{
    if (n > z->k || z->b[z->k - 1] != s[n - 1] || memcmp(z->b + z->k - n, s, n) != 0)
        return false;
    z->j = z->k - n;
    return true;
}
#define ends(z, lit) ends_n((z), (lit), sizeof(lit) - 1)

/* Replaces the suffix after j by s[0, n). */
static void set_to_n(word *z, const char *s, size_t n)
{
    memcpy(z->b + z->j, s, n);
    z->k = z->j + n;
}
#define set_to(z, lit) set_to_n((z), (lit), sizeof(lit) - 1)

/* Plurals and -ed / -ing. */
static void step1ab(word *z)
{
    if (z->b[z->k - 1] == 's') {
        if (ends(z, "sses"))
            z->k -= 2;
        else if (ends(z, "ies"))
            set_to(z, "i");
        else if (z->k >= 2 && z->b[z->k - 2] != 's')
            z->k--;
    }
    if (ends(z, "eed")) {
        if (measure(z) > 0)
            z->k--;
    } else if ((ends(z, "ed") || ends(z, "ing")) && vowel_in_stem(z)) {
        z->k = z->j;
        if (ends(z, "at"))
            set_to(z, "ate");
        else if (ends(z, "bl"))
            set_to(z, "ble");
        else if (ends(z, "iz"))
            set_to(z, "ize");
        else if (double_cons(z, z->k - 1)) {
            char c = z->b[z->k - 1];
            if (c != 'l' && c != 's' && c != 'z')
                z->k--;
        } else {
            z->j = z->k;
            if (measure(z) == 1 && cvc(z, z->k - 1))
                set_to(z, "e");
        }
    }
}

/* Terminal y -> i when the stem has a vowel ("happy" -> "happi", "sky" stays). */
static void step1c(word *z)
{
    if (ends(z, "y") && vowel_in_stem(z))
        z->b[z->k - 1] = 'i';
}

typedef struct rule {
    const char *from;
    size_t from_len;
    const char *to;
    size_t to_len;
} rule;
#define R(from, to) {from, sizeof(from) - 1, to, sizeof(to) - 1}

/* The first rule whose suffix the word ends with is tried (and only it): replaced when
 * the stem's measure is above 0. */
static void apply_first(word *z, const rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ends_n(z, r[i].from, r[i].from_len)) {
            if (measure(z) > 0)
                set_to_n(z, r[i].to, r[i].to_len);
            return;
        }
}

/* Double suffixes to single ones ("-ization" -> "-ize"). Longer suffixes first where
 * one ends another ("ational" before "tional"). */
static const rule step2_rules[] = {
    R("ational", "ate"), R("tional", "tion"), R("enci", "ence"),  R("anci", "ance"),
    R("izer", "ize"),    R("bli", "ble"),     R("alli", "al"),    R("entli", "ent"),
    R("eli", "e"),       R("ousli", "ous"),   R("ization", "ize"), R("ation", "ate"),
    R("ator", "ate"),    R("alism", "al"),    R("iveness", "ive"), R("fulness", "ful"),
    R("ousness", "ous"), R("aliti", "al"),    R("iviti", "ive"),  R("biliti", "ble"),
    R("logi", "log"),
};

static const rule step3_rules[] = {
    R("icate", "ic"), R("ative", ""), R("alize", "al"), R("iciti", "ic"),
    R("ical", "ic"),  R("ful", ""),   R("ness", ""),
};

/* Single suffixes dropped when the stem keeps a measure above 1. */
static void step4(word *z)
{
    static const rule suffixes[] = {
        R("al", ""),   R("ance", ""), R("ence", ""), R("er", ""),  R("ic", ""),
        R("able", ""), R("ible", ""), R("ant", ""),  R("ement", ""), R("ment", ""),
        R("ent", ""),  R("ion", ""),  R("ou", ""),   R("ism", ""), R("ate", ""),
        R("iti", ""),  R("ous", ""),  R("ive", ""),  R("ize", ""),
    };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (!ends_n(z, suffixes[i].from, suffixes[i].from_len))
            continue;
        /* "ement" before "ment" before "ent": the longest that matches is the one; "ion"
         * only after s or t */
        char before = z->j > 0 ? z->b[z->j - 1] : 0;
        if (!strcmp(suffixes[i].from, "ion") && before != 's' && before != 't')
            return;
        if (measure(z) > 1)
            z->k = z->j;
        return;
    }
}

/* A final -e when the stem is long enough, and -ll -> -l. */
static void step5(word *z)
{
    z->j = z->k;
    if (z->b[z->k - 1] == 'e') {
        z->j = z->k - 1;
        int m = measure(z);
        if (m > 1 || (m == 1 && !cvc(z, z->k - 2)))
            z->k--;
    }
    z->j = z->k;
    if (z->b[z->k - 1] == 'l' && double_cons(z, z->k - 1) && measure(z) > 1)
        z->k--;
}

size_t lh__ai_stem_porter(char *w, size_t len)
{
    if (len <= 2)
        return len;
    for (size_t i = 0; i < len; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return len;
    word z = {.b = w, .k = len, .j = 0};
    step1ab(&z);
    if (z.k > 1) {
        step1c(&z);
        apply_first(&z, step2_rules, sizeof step2_rules / sizeof step2_rules[0]);
        apply_first(&z, step3_rules, sizeof step3_rules / sizeof step3_rules[0]);
        step4(&z);
        step5(&z);
    }
    return z.k;
}
