/* Unit tests for the staging pass (src/ingest/decode.c): compression by magic bytes,
 * encoding detection, conversion to UTF-8, bounds, and the messages of what fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bzlib.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/sha256.h"
#include "core/util.h"
#include "ingest/ingest.h"
#include "ingest/ingest_int.h"

/* Runs lh__ingest_decode over in[0..n) into a malloc'd *out (NUL-terminated). */
static lh_status run(const void *in, size_t n, const lh__decode_opts *o, char **out, size_t *outn,
                     char sha[65], lh__decode_info *info, lh_err *err)
{
    FILE *fi = tmpfile(), *fo = tmpfile();
    assert_non_null(fi);
    assert_non_null(fo);
    assert_int_equal(fwrite(in, 1, n, fi), n);
    fflush(fi);
    lseek(fileno(fi), 0, SEEK_SET);
    lh_status st = lh__ingest_decode(fileno(fi), fileno(fo), o, sha, info, err);
    long len = lseek(fileno(fo), 0, SEEK_END);
    lseek(fileno(fo), 0, SEEK_SET);
    *out = calloc(1, (size_t)len + 1);
    assert_int_equal(read(fileno(fo), *out, (size_t)len), len);
    *outn = (size_t)len;
    fclose(fi);
    fclose(fo);
    return st;
}

static const lh__decode_opts text_opts = {.decompress = true, .encode = true, .text = true};

static void sniffs_encodings(void **state)
{
    (void)state;
    size_t bom;
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"a,b\n1,2\n", 8, true, &bom), "utf-8");
    assert_int_equal(bom, 0);
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"\xef\xbb\xbf" "a", 4, true, &bom), "utf-8");
    assert_int_equal(bom, 3);
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"\xff\xfe" "a\0", 4, true, &bom), "utf-16le");
    assert_int_equal(bom, 2);
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"\xfe\xff\0a", 4, true, &bom), "utf-16be");
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"a\0,\0b\0\n\0", 8, true, &bom), "utf-16le");
    assert_int_equal(bom, 0);
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"\0a\0,\0b\0\n", 8, true, &bom), "utf-16be");
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"Jos\xe9\n", 5, true, &bom), "windows-1252");
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"\x80" "3\n", 3, true, &bom), "windows-1252");
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"a\x81" "b", 3, true, &bom), "iso-8859-1");
    /* A sample cut inside a UTF-8 sequence is still UTF-8 unless it is the whole file. */
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"ab\xc3", 3, false, &bom), "utf-8");
    assert_string_equal(lh__ingest_sniff_encoding((const unsigned char *)"ab\xc3", 3, true, &bom), "windows-1252");
    /* Random bytes are not single-byte text. */
    unsigned char noise[4096];
    srand(7);
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (unsigned char)(1 + rand() % 255);
    assert_string_equal(lh__ingest_sniff_encoding(noise, sizeof noise, true, &bom), "binary");
    assert_string_equal(lh__ingest_encoding_name("LATIN1"), "iso-8859-1");
    assert_string_equal(lh__ingest_encoding_name("cp1252"), "windows-1252");
    assert_null(lh__ingest_encoding_name("klingon"));
}

static void validates_utf8(void **state)
{
    (void)state;
    bool t;
    assert_int_equal(lh__utf8_valid_prefix((const unsigned char *)"h\xc3\xa9llo \xe2\x82\xac", 11, &t), 11);
    assert_int_equal(lh__utf8_valid_prefix((const unsigned char *)"a\xc0\xaf", 3, &t), 1);  /* overlong */
    assert_int_equal(lh__utf8_valid_prefix((const unsigned char *)"a\xed\xa0\x80", 4, &t), 1); /* surrogate */
    assert_int_equal(lh__utf8_valid_prefix((const unsigned char *)"a\xf4\x90\x80\x80", 5, &t), 1);
    assert_false(t);
    assert_int_equal(lh__utf8_valid_prefix((const unsigned char *)"a\xe2\x82", 3, &t), 1);
    assert_true(t);
}

static void converts_to_utf8_and_hashes_the_input(void **state)
{
    (void)state;
    struct { const char *in; size_t n; const char *enc, *want; } cases[] = {
        {"name,city\nJos\xe9,S\xe3o Paulo\n", 25, "windows-1252", "name,city\nJosé,São Paulo\n"},
        {"p\n\x80" "3,50\n", 8, "windows-1252", "p\n€3,50\n"},
        {"\xff\xfe" "a\0,\0\xe9\0\n\0", 10, "utf-16le", "a,é\n"},
        {"\xfe\xff\0a\0,\0\xe9\0\n", 10, "utf-16be", "a,é\n"},
        {"\xef\xbb\xbf" "id\n1\n", 8, "utf-8", "id\n1\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, sha[65], want_sha[65];
        size_t n;
        lh__decode_info info;
        lh_err err;
        assert_int_equal(run(cases[i].in, cases[i].n, &text_opts, &out, &n, sha, &info, &err), LH_OK);
        assert_string_equal(out, cases[i].want);
        assert_string_equal(info.encoding, cases[i].enc);
        lh_sha256_hex(cases[i].in, cases[i].n, want_sha);
        assert_string_equal(sha, want_sha);
        free(out);
    }
}

/* Many lines of text with multi-byte characters, so that chunks split sequences. */
static char *big_text(size_t *n)
{
    size_t cap = 600000, len = 0;
    char *s = malloc(cap);
    for (int i = 0; len + 64 < cap; i++)
        len += (size_t)snprintf(s + len, cap - len, "%d,Zoë,Zürich,€%d\n", i, i % 97);
    *n = len;
    return s;
}

static void decompresses_every_format(void **state)
{
    (void)state;
    size_t n;
    char *plain = big_text(&n);
    size_t cap = n + 4096, zn;
    unsigned char *z = malloc(cap);
    for (int kind = 0; kind < 4; kind++) {
        zn = cap;
        if (kind == 0) {
            z_stream s = {0};
            assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
            s.next_in = (unsigned char *)plain;
            s.avail_in = (uInt)n;
            s.next_out = z;
            s.avail_out = (uInt)cap;
            assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
            zn = cap - s.avail_out;
            deflateEnd(&s);
        } else if (kind == 1) {
            zn = ZSTD_compress(z, cap, plain, n, 3);
            assert_false(ZSTD_isError(zn));
        } else if (kind == 2) {
            unsigned int l = (unsigned int)cap;
            assert_int_equal(BZ2_bzBuffToBuffCompress((char *)z, &l, plain, (unsigned)n, 9, 0, 0), BZ_OK);
            zn = l;
        } else {
            size_t pos = 0;
            assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (uint8_t *)plain, n, z,
                                                     &pos, cap), LZMA_OK);
            zn = pos;
        }
        char *out, sha[65], want_sha[65];
        size_t outn;
        lh__decode_info info;
        lh_err err;
        assert_int_equal(run(z, zn, &text_opts, &out, &outn, sha, &info, &err), LH_OK);
        static const char *names[] = {"gzip", "zstd", "bzip2", "xz"};
        assert_string_equal(info.compression, names[kind]);
        assert_string_equal(info.encoding, "utf-8");
        assert_int_equal(outn, n);
        assert_memory_equal(out, plain, n);
        lh_sha256_hex(z, zn, want_sha);
        assert_string_equal(sha, want_sha); /* the hash is of the compressed bytes */
        free(out);
        /* Cut in half: damaged, one line. */
        assert_int_equal(run(z, zn / 2, &text_opts, &out, &outn, sha, &info, &err), LH_EINVAL);
        assert_non_null(strstr(err.msg, "damaged or truncated"));
        assert_non_null(strstr(err.msg, names[kind]));
        free(out);
    }
    free(z);
    free(plain);
}

static void refuses_a_bomb(void **state)
{
    (void)state;
    size_t n = (size_t)40 << 20;
    char *zeros = calloc(1, n);
    memset(zeros, 'a', n);
    unsigned char *z = malloc(compressBound((uLong)n));
    z_stream s = {0};
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = (unsigned char *)zeros;
    s.avail_in = (uInt)n;
    s.next_out = z;
    s.avail_out = (uInt)compressBound((uLong)n);
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    size_t gz = compressBound((uLong)n) - s.avail_out;
    deflateEnd(&s);
    char *out, sha[65];
    size_t outn;
    lh__decode_info info;
    lh_err err;
    assert_int_equal(run(z, gz, &text_opts, &out, &outn, sha, &info, &err), LH_ETOOBIG);
    assert_non_null(strstr(err.msg, "decompression bomb"));
    assert_true(outn <= (size_t)LH_INGEST_INFLATE_FREE + (1 << 20));
    free(out);
    free(z);
    free(zeros);
}

static void names_the_byte_and_line(void **state)
{
    (void)state;
    char *out, sha[65];
    size_t n;
    lh__decode_info info;
    lh_err err;
    lh__decode_opts forced = text_opts;
    forced.encoding = "utf-8";
    assert_int_equal(run("a\nb\n\xff" "c\n", 7, &forced, &out, &n, sha, &info, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "byte 4 (line 3) is not valid UTF-8"));
    assert_non_null(strstr(err.msg, "--encoding"));
    free(out);
    /* Detected UTF-8 (the sample was valid) with a bad byte past the first 64 KiB. */
    size_t big = 70000;
    char *s = malloc(big + 2);
    for (size_t i = 0; i < big; i++)
        s[i] = i % 10 == 9 ? '\n' : 'x';
    s[big] = (char)0xe9;
    s[big + 1] = '\n';
    assert_int_equal(run(s, big + 2, &text_opts, &out, &n, sha, &info, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "byte 70000 (line 7001) is not valid UTF-8"));
    free(out);
    free(s);
    /* Windows-1252 leaves 0x81 undefined: forced, it cannot be decoded. */
    forced.encoding = "windows-1252";
    assert_int_equal(run("ab\n\x81\n", 5, &forced, &out, &n, sha, &info, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "byte 3 (line 2)"));
    free(out);
    /* A NUL character in UTF-16 text is still a NUL byte. */
    assert_int_equal(run("\xff\xfe" "a\0\0\0b\0", 8, &text_opts, &out, &n, sha, &info, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "NUL byte at offset 1"));
    free(out);
    forced.encoding = "ebcdic-klingon";
    assert_int_equal(run("a\n", 2, &forced, &out, &n, sha, &info, &err), LH_EINVAL);
    assert_non_null(strstr(err.msg, "unknown encoding"));
    free(out);
}

static void parses_csv_overrides(void **state)
{
    (void)state;
    lh_ingest_csv c = {0};
    lh_err err;
    assert_int_equal(lh_ingest_csv_parse(&c, "false", "tab", "'", "3", &err), LH_OK);
    assert_int_equal(c.header, -1);
    assert_int_equal(c.delim, '\t');
    assert_int_equal(c.quote, '\'');
    assert_int_equal(c.skip, 3);
    assert_int_equal(lh_ingest_csv_parse(&c, "true", ";", NULL, NULL, &err), LH_OK);
    assert_int_equal(c.header, 1);
    assert_int_equal(c.delim, ';');
    assert_int_equal(lh_ingest_csv_parse(&c, "maybe", NULL, NULL, NULL, &err), LH_EINVAL);
    assert_int_equal(lh_ingest_csv_parse(&c, NULL, ";;", NULL, NULL, &err), LH_EINVAL);
    assert_int_equal(lh_ingest_csv_parse(&c, NULL, NULL, NULL, "-2", &err), LH_EINVAL);
    lh_ingest_csv d = {0};
    assert_int_equal(lh_ingest_csv_parse(&d, NULL, "'", "'", NULL, &err), LH_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniffs_encodings),
        cmocka_unit_test(validates_utf8),
        cmocka_unit_test(converts_to_utf8_and_hashes_the_input),
        cmocka_unit_test(decompresses_every_format),
        cmocka_unit_test(refuses_a_bomb),
        cmocka_unit_test(names_the_byte_and_line),
        cmocka_unit_test(parses_csv_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
