/* Unit tests for the chunker (src/vector/chunker.c): sizes, overlap, sentence and word cuts,
 * UTF-8 safety, ids. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vector/chunker.h"
#include "core/sha256.h"

/* Chunks text and renders the chunks as "[text][text]...", checking on the way that each
 * chunk is text[start, end), trimmed, numbered in order and valid as an id. */
static char rendered[4096];

static size_t chunk(lh_chunk_unit unit, unsigned size, unsigned overlap, const char *text,
                    lh_chunk_list *l)
{
    lh_chunk_opts o = {.unit = unit, .size = size, .overlap = overlap};
    lh_err err = {{0}};
    assert_int_equal(lh_chunk_text(&o, "row-7", text, strlen(text), l, &err), LH_OK);
    size_t at = 0;
    rendered[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        const lh_chunk *c = &l->items[i];
        assert_int_equal(c->ordinal, i);
        assert_true(c->end > c->start && c->end <= strlen(text));
        assert_int_equal(strlen(c->text), c->end - c->start);
        assert_memory_equal(c->text, text + c->start, c->end - c->start);
        assert_false(c->text[0] == ' ' || c->text[c->end - c->start - 1] == ' ');
        at += (size_t)snprintf(rendered + at, sizeof rendered - at, "[%s]", c->text);
    }
    return l->n;
}

static void expect(lh_chunk_unit unit, unsigned size, unsigned overlap, const char *text,
                   const char *want)
{
    lh_chunk_list l = {0};
    chunk(unit, size, overlap, text, &l);
    assert_string_equal(rendered, want);
    lh_chunk_list_release(&l);
}

static void short_rows_are_one_chunk(void **state)
{
    (void)state;
    expect(LH_CHUNK_CHARS, 100, 10, "Hello world.", "[Hello world.]");
    /* surrounding whitespace does not count */
    expect(LH_CHUNK_CHARS, 12, 0, "  Hello world.\n", "[Hello world.]");
    expect(LH_CHUNK_TOKENS, 2, 1, "Hello, world!", "[Hello, world!]");
}

static void empty_text_is_no_chunk(void **state)
{
    (void)state;
    lh_chunk_list l = {0};
    assert_int_equal(chunk(LH_CHUNK_CHARS, 10, 2, "", &l), 0);
    assert_int_equal(chunk(LH_CHUNK_CHARS, 10, 2, " \n\t ", &l), 0);
    assert_int_equal(chunk(LH_CHUNK_TOKENS, 10, 2, " \r\n ", &l), 0);
    /* punctuation alone is content, though no token: one chunk */
    assert_int_equal(chunk(LH_CHUNK_TOKENS, 10, 2, " ... ", &l), 1);
    assert_string_equal(rendered, "[...]");
    lh_chunk_list_release(&l);
}

static void overlap_not_below_size_is_refused(void **state)
{
    (void)state;
    lh_chunk_list l = {0};
    lh_err err = {{0}};
    lh_chunk_opts o = {.unit = LH_CHUNK_CHARS, .size = 200, .overlap = 200};
    assert_int_equal(lh_chunk_text(&o, "k", "some text", 9, &l, &err), LH_EINVAL);
    assert_string_equal(err.msg, "chunk overlap 200 must be smaller than the chunk size 200");
    o.overlap = 300;
    assert_int_equal(lh_chunk_check(&o, &err), LH_EINVAL);
    assert_string_equal(err.msg, "chunk overlap 300 must be smaller than the chunk size 200");
    o.size = 0;
    o.overlap = 0;
    assert_int_equal(lh_chunk_check(&o, &err), LH_EINVAL);
    assert_int_equal(l.n, 0);
    o = lh_chunk_defaults();
    assert_int_equal(lh_chunk_check(&o, &err), LH_OK);
}

static void cuts_after_sentences(void **state)
{
    (void)state;
    expect(LH_CHUNK_CHARS, 20, 0, "One two three. Four five six. Seven eight nine.",
           "[One two three.][Four five six.][Seven eight nine.]");
    /* closing quotes and brackets after the stop; a line break is a sentence end too */
    expect(LH_CHUNK_CHARS, 20, 0, "He said \"no.\" Then we left early.",
           "[He said \"no.\"][Then we left early.]");
    expect(LH_CHUNK_CHARS, 20, 0, "a list item\nanother item here ok",
           "[a list item][another item here ok]");
    /* "e.g." inside a word run is not a sentence end: no space after the first stop */
    expect(LH_CHUNK_CHARS, 16, 0, "use e.g.this one now please",
           "[use e.g.this][one now please]");
}

static void no_sentence_end_cuts_between_words(void **state)
{
    (void)state;
    expect(LH_CHUNK_CHARS, 12, 0, "aaaa bbbb cccc dddd eeee", "[aaaa bbbb][cccc dddd][eeee]");
    /* one long word: hard cuts at the size */
    expect(LH_CHUNK_CHARS, 10, 0, "abcdefghijklmnopqrstuvwxyz", "[abcdefghij][klmnopqrst][uvwxyz]");
}

static void overlap_repeats_words(void **state)
{
    (void)state;
    expect(LH_CHUNK_CHARS, 12, 5, "aaaa bbbb cccc dddd eeee",
           "[aaaa bbbb][bbbb cccc][cccc dddd][dddd eeee]");
    /* overlap on a single word: the next chunk starts inside it (no word start to move to) */
    expect(LH_CHUNK_CHARS, 10, 3, "abcdefghijklmnop", "[abcdefghij][hijklmnop]");
}

static void tokens_unit(void **state)
{
    (void)state;
    expect(LH_CHUNK_TOKENS, 4, 1, "Alpha beta, gamma delta. Epsilon zeta eta theta.",
           "[Alpha beta, gamma delta.][delta. Epsilon zeta eta][eta theta.]");
    expect(LH_CHUNK_TOKENS, 3, 0, "one two three four five six seven",
           "[one two three][four five six][seven]");
}

/* Is s[0, n) well-formed UTF-8? */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3
                 : (s[i] & 0xf8) == 0xf0 ? 4 : 0;
        if (!k || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static void utf8_sequences_stay_whole(void **state)
{
    (void)state;
    /* 15 two-byte characters, no spaces: cuts every 10 characters = 20 bytes */
    char text[64];
    for (int i = 0; i < 15; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[30] = '\0';
    lh_chunk_list l = {0};
    assert_int_equal(chunk(LH_CHUNK_CHARS, 10, 0, text, &l), 2);
    assert_int_equal(l.items[0].end - l.items[0].start, 20);
    assert_int_equal(l.items[1].end - l.items[1].start, 10);
    /* mixed widths, overlap: every chunk is valid UTF-8 and starts on a character */
    const char *mixed = "a\xf0\x9f\x98\x80" "b\xe2\x82\xac" "c\xc3\xa9" "d\xf0\x9f\x98\x80" "e\xe2\x82\xac"
                        "f\xc3\xa9" "g\xf0\x9f\x98\x80" "h";
    for (unsigned size = 1; size <= 8; size++)
        for (unsigned ov = 0; ov < size; ov++) {
            chunk(LH_CHUNK_CHARS, size, ov, mixed, &l);
            assert_true(l.n >= 1);
            for (size_t i = 0; i < l.n; i++)
                assert_true(valid_utf8((const unsigned char *)l.items[i].text,
                                       l.items[i].end - l.items[i].start));
            /* no overlap: the chunks are the text, in pieces */
            if (ov == 0) {
                char joined[128] = "";
                size_t at = 0;
                for (size_t i = 0; i < l.n; i++)
                    at += (size_t)snprintf(joined + at, sizeof joined - at, "%s", l.items[i].text);
                assert_string_equal(joined, mixed);
            }
        }
    /* a multibyte sentence end before the cut, and a malformed byte counting as one char */
    expect(LH_CHUNK_CHARS, 12, 0, "caf\xc3\xa9 ok. \xc3\xa9t\xc3\xa9 fin",
           "[caf\xc3\xa9 ok.][\xc3\xa9t\xc3\xa9 fin]");
    expect(LH_CHUNK_CHARS, 3, 0, "ab\xff\xc3\xa9z", "[ab\xff][\xc3\xa9z]");
    lh_chunk_list_release(&l);
}

static void nul_bytes_stay_inside(void **state)
{
    (void)state;
    const char text[] = "ab\0cd ef";
    lh_chunk_list l = {0};
    lh_chunk_opts o = {.unit = LH_CHUNK_CHARS, .size = 100, .overlap = 0};
    lh_err err = {{0}};
    assert_int_equal(lh_chunk_text(&o, "k", text, sizeof text - 1, &l, &err), LH_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].end - l.items[0].start, 8);
    assert_memory_equal(l.items[0].text, text, 8);
    char hex[65];
    lh_sha256_hex(text, 8, hex);
    assert_string_equal(l.items[0].content_hash, hex);
    lh_chunk_list_release(&l);
}

static void ids_are_deterministic(void **state)
{
    (void)state;
    const char *text = "First sentence here. Second one follows it.";
    lh_chunk_list a = {0}, b = {0};
    lh_chunk_opts o = {.unit = LH_CHUNK_CHARS, .size = 25, .overlap = 0};
    lh_err err = {{0}};
    assert_int_equal(lh_chunk_text(&o, "cand-42", text, strlen(text), &a, &err), LH_OK);
    assert_int_equal(lh_chunk_text(&o, "cand-42", text, strlen(text), &b, &err), LH_OK);
    assert_int_equal(a.n, 2);
    char hex[65];
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.items[i].id, b.items[i].id);
        lh_sha256_hex(a.items[i].text, strlen(a.items[i].text), hex);
        assert_string_equal(a.items[i].content_hash, hex);
        char want[128];
        snprintf(want, sizeof want, "cand-42/%zu/%.16s", i, hex);
        assert_string_equal(a.items[i].id, want);
    }
    /* another key, same text: other ids, same content hashes */
    assert_int_equal(lh_chunk_text(&o, "cand-43", text, strlen(text), &b, &err), LH_OK);
    assert_string_not_equal(a.items[0].id, b.items[0].id);
    assert_string_equal(a.items[0].content_hash, b.items[0].content_hash);
    /* an over-long key is refused */
    char key[98];
    memset(key, 'k', 97);
    key[97] = '\0';
    assert_int_equal(lh_chunk_text(&o, key, text, strlen(text), &b, &err), LH_EINVAL);
    lh_chunk_list_release(&a);
    lh_chunk_list_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(short_rows_are_one_chunk),
        cmocka_unit_test(empty_text_is_no_chunk),
        cmocka_unit_test(overlap_not_below_size_is_refused),
        cmocka_unit_test(cuts_after_sentences),
        cmocka_unit_test(no_sentence_end_cuts_between_words),
        cmocka_unit_test(overlap_repeats_words),
        cmocka_unit_test(tokens_unit),
        cmocka_unit_test(utf8_sequences_stay_whole),
        cmocka_unit_test(nul_bytes_stay_inside),
        cmocka_unit_test(ids_are_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
