/* Unit tests for the TOML 1.0 reader: one cmocka test per example document (valid ones
 * compared to the expected JSON tree, invalid ones to the exact error position), plus
 * robustness runs over truncated, mutated and random input. The documents are our own,
 * modelled on what the TOML 1.0 specification describes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/toml.h"

typedef struct valid_case {
    const char *name, *doc, *json;
} valid_case;

typedef struct invalid_case {
    const char *name, *doc, *err; /* err: expected start of the message */
} invalid_case;

static const valid_case valid[] = {
    {"empty document", "", "{}"},
    {"only comments and blank lines", "# hello\n\n   # indented\n\t\n", "{}"},
    {"bare and quoted keys", "key = 1\nbare_key-2 = 2\n1234 = 3\n\"quoted key\" = 4\n"
     "'literal.key' = 5\n\"\" = 6\n\"\\u00e9t\\u00e9\" = 7\n",
     "{\"key\":1,\"bare_key-2\":2,\"1234\":3,\"quoted key\":4,\"literal.key\":5,\"\":6,"
     "\"\\u00e9t\\u00e9\":7}"},
    {"whitespace around equals and tabs", "a\t=\t1\n  b=2  \n", "{\"a\":1,\"b\":2}"},
    {"dotted keys build tables", "name.first = \"Tom\"\nname.last = \"P\"\nsite.\"a.com\" = true\n",
     "{\"name\":{\"first\":\"Tom\",\"last\":\"P\"},\"site\":{\"a.com\":true}}"},
    {"whitespace around dots", "fruit . color = \"yellow\"\nfruit.\tflavor = \"banana\"\n",
     "{\"fruit\":{\"color\":\"yellow\",\"flavor\":\"banana\"}}"},
    {"number-like dotted key", "3.14159 = \"pi\"\n", "{\"3\":{\"14159\":\"pi\"}}"},
    {"basic string escapes", "s = \"\\b\\t\\n\\f\\r\\\"\\\\ end\"\n",
     "{\"s\":\"\\b\\t\\n\\f\\r\\\"\\\\ end\"}"},
    {"unicode escapes", "a = \"\\u00E9\\u0041\"\nb = \"\\U0001F600\"\nc = \"\\u0000x\"\n",
     "{\"a\":\"\\u00e9A\",\"b\":\"\\ud83d\\ude00\",\"c\":\"\\u0000x\"}"},
    {"raw UTF-8 and tab in strings", "s = \"caf\xc3\xa9\tok\"\n", "{\"s\":\"caf\\u00e9\\tok\"}"},
    {"literal strings keep backslashes", "p = 'C:\\Users\\nodejs'\nq = '<\\i\\c*\\s*>'\n",
     "{\"p\":\"C:\\\\Users\\\\nodejs\",\"q\":\"<\\\\i\\\\c*\\\\s*>\"}"},
    {"multi-line basic trims first newline", "s = \"\"\"\nRoses\nViolets\"\"\"\n",
     "{\"s\":\"Roses\\nViolets\"}"},
    {"multi-line basic line-ending backslash",
     "s = \"\"\"\\\n   The quick \\\n\n     brown \\   \n   fox.\\\n   \"\"\"\n",
     "{\"s\":\"The quick brown fox.\"}"},
    {"multi-line basic with quotes inside", "a = \"\"\"Here are two \"\"quotes\"\".\"\"\"\n"
     "b = \"\"\"\"one\"\"\"\"\nc = \"\"\"\"\"two\"\"\"\"\"\n",
     "{\"a\":\"Here are two \\\"\\\"quotes\\\"\\\".\",\"b\":\"\\\"one\\\"\","
     "\"c\":\"\\\"\\\"two\\\"\\\"\"}"},
    {"multi-line literal", "r = '''\nThe first newline is\ntrimmed \\n kept raw.\n'''\n",
     "{\"r\":\"The first newline is\\ntrimmed \\\\n kept raw.\\n\"}"},
    {"multi-line literal with quotes", "q = '''Here are ''two'' quotes'''\n"
     "r = ''''That,' she said'''''\n",
     "{\"q\":\"Here are ''two'' quotes\",\"r\":\"'That,' she said''\"}"},
    {"CRLF line endings", "a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\n# c\r\n[t]\r\nc = 2\r\n",
     "{\"a\":1,\"b\":\"x\\ny\",\"t\":{\"c\":2}}"},
    {"decimal integers", "a = +99\nb = 42\nc = 0\nd = -17\ne = 1_000\nf = 5_349_221\n"
     "g = 1_2_3_4_5\nh = -0\ni = +0\n",
     "{\"a\":99,\"b\":42,\"c\":0,\"d\":-17,\"e\":1000,\"f\":5349221,\"g\":12345,\"h\":0,"
     "\"i\":0}"},
    {"hex octal binary integers", "h1 = 0xDEADBEEF\nh2 = 0xdead_beef\nh3 = 0x00ff\n"
     "o1 = 0o01234567\no2 = 0o755\nb1 = 0b11010110\nb2 = 0b1_0\n",
     "{\"h1\":3735928559,\"h2\":3735928559,\"h3\":255,\"o1\":342391,\"o2\":493,"
     "\"b1\":214,\"b2\":2}"},
    {"64-bit integer limits", "max = 9223372036854775807\nmin = -9223372036854775808\n"
     "hmax = 0x7FFFFFFFFFFFFFFF\n",
     "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
     "\"hmax\":9223372036854775807}"},
    {"floats", "a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\n"
     "g = 6.626e-34\nh = 224_617.445_991\ni = -0.0\nj = 1e1_0\n",
     "{\"a\":1.0,\"b\":3.1415,\"c\":-0.01,\"d\":5e22,\"e\":1e6,\"f\":-0.02,"
     "\"g\":6.626e-34,\"h\":224617.445991,\"i\":-0.0,\"j\":1e10}"},
    {"inf and nan as strings", "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan\n",
     "{\"a\":\"inf\",\"b\":\"inf\",\"c\":\"-inf\",\"d\":\"nan\",\"e\":\"nan\",\"f\":\"nan\"}"},
    {"booleans", "t = true\nf = false\n", "{\"t\":true,\"f\":false}"},
    {"offset date-times", "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\n"
     "c = 1979-05-27T00:32:00.999999+07:30\nd = 1979-05-27 07:32:00z\n"
     "e = 1979-05-27t07:32:00Z\n",
     "{\"a\":\"1979-05-27T07:32:00Z\",\"b\":\"1979-05-27T00:32:00-07:00\","
     "\"c\":\"1979-05-27T00:32:00.999999+07:30\",\"d\":\"1979-05-27 07:32:00z\","
     "\"e\":\"1979-05-27t07:32:00Z\"}"},
    {"local date-time, date and time", "ldt = 1979-05-27T07:32:00\nld = 1979-05-27\n"
     "lt1 = 07:32:00\nlt2 = 00:32:00.999999\n",
     "{\"ldt\":\"1979-05-27T07:32:00\",\"ld\":\"1979-05-27\",\"lt1\":\"07:32:00\","
     "\"lt2\":\"00:32:00.999999\"}"},
    {"leap day and leap second", "d = 2024-02-29\ne = 2000-02-29T23:59:60Z\n",
     "{\"d\":\"2024-02-29\",\"e\":\"2000-02-29T23:59:60Z\"}"},
    {"arrays of each kind and mixed", "i = [1, 2, 3]\ns = [\"a\", 'b', \"\"\"c\"\"\"]\n"
     "m = [0.1, \"x\", true, 1979-05-27, [1], {k = 1}]\n",
     "{\"i\":[1,2,3],\"s\":[\"a\",\"b\",\"c\"],"
     "\"m\":[0.1,\"x\",true,\"1979-05-27\",[1],{\"k\":1}]}"},
    {"nested arrays", "n = [ [ 1, 2 ], [\"a\", [\"b\"]] ]\n",
     "{\"n\":[[1,2],[\"a\",[\"b\"]]]}"},
    {"arrays with newlines comments trailing comma",
     "a = [\n  1, # one\n  2,\n  # alone\n  3,\n]\nb = [\n]\nc = []\n",
     "{\"a\":[1,2,3],\"b\":[],\"c\":[]}"},
    {"inline tables", "name = { first = \"Tom\", last = \"P\" }\npoint = {x=1,y=2}\n"
     "animal = { type.name = \"pug\" }\nempty = {}\nnest = { a = { b = [ {c = 1} ] } }\n",
     "{\"name\":{\"first\":\"Tom\",\"last\":\"P\"},\"point\":{\"x\":1,\"y\":2},"
     "\"animal\":{\"type\":{\"name\":\"pug\"}},\"empty\":{},"
     "\"nest\":{\"a\":{\"b\":[{\"c\":1}]}}}"},
    {"tables and sub-tables", "[table-1]\nkey1 = \"s\"\n[table-2]\nkey2 = 4\n"
     "[ dog . \"tater.man\" ]\ntype.name = \"pug\"\n[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n"
     "[ j . \"k\" . 'l' ]\n",
     "{\"table-1\":{\"key1\":\"s\"},\"table-2\":{\"key2\":4},"
     "\"dog\":{\"tater.man\":{\"type\":{\"name\":\"pug\"}}},\"a\":{\"b\":{\"c\":{}}},"
     "\"d\":{\"e\":{\"f\":{}}},\"g\":{\"h\":{\"i\":{}}},\"j\":{\"k\":{\"l\":{}}}}"},
    {"super-table defined after its child", "[x.y.z.w]\na = 1\n[x]\nb = 2\n",
     "{\"x\":{\"y\":{\"z\":{\"w\":{\"a\":1}}},\"b\":2}}"},
    {"root keys before the first header", "top = 1\n[t]\nin = 2\n",
     "{\"top\":1,\"t\":{\"in\":2}}"},
    {"header below tables made by dotted keys",
     "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
     "[fruit.apple.texture]\nsmooth = true\n",
     "{\"fruit\":{\"apple\":{\"color\":\"red\",\"taste\":{\"sweet\":true},"
     "\"texture\":{\"smooth\":true}}}}"},
    {"dotted keys in an implicit parent", "[a.b.c]\n[a]\nb.d = 1\n",
     "{\"a\":{\"b\":{\"c\":{},\"d\":1}}}"},
    {"arrays of tables", "[[products]]\nname = \"Hammer\"\nsku = 738594937\n\n"
     "[[products]]  # empty\n\n[[products]]\nname = \"Nail\"\n",
     "{\"products\":[{\"name\":\"Hammer\",\"sku\":738594937},{},{\"name\":\"Nail\"}]}"},
    {"nested arrays of tables with sub-tables",
     "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n"
     "[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits.varieties]]\nname = \"granny\"\n"
     "[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"\n",
     "{\"fruits\":[{\"name\":\"apple\",\"physical\":{\"color\":\"red\"},"
     "\"varieties\":[{\"name\":\"red delicious\"},{\"name\":\"granny\"}]},"
     "{\"name\":\"banana\",\"varieties\":[{\"name\":\"plantain\"}]}]}"},
    {"array of tables under a table", "[storage]\nroot = \"/d\"\n[[storage.buckets]]\n"
     "name = \"a\"\n[[storage.buckets]]\nname = \"b\"\nroot = \"/b\"\n",
     "{\"storage\":{\"root\":\"/d\",\"buckets\":[{\"name\":\"a\"},{\"name\":\"b\","
     "\"root\":\"/b\"}]}}"},
    {"byte order mark is skipped", "\xEF\xBB\xBF" "a = 1\n", "{\"a\":1}"},
    {"no newline at end of file", "a = 1", "{\"a\":1}"},
    {"comment right after values", "a = 1#c\nb = \"#\" # c\n[t]#c\n[[u]]#c\n",
     "{\"a\":1,\"b\":\"#\",\"t\":{},\"u\":[{}]}"},
};

static const invalid_case invalid[] = {
    {"missing value", "key = # nothing\n", "f.toml:1:7: expected a value"},
    {"missing value at end of file", "a =", "f.toml:1:4: expected a value"},
    {"missing equals", "key value\n", "f.toml:1:5: expected '=' after the key"},
    {"key without value on its own", "[t]\nlonely\n", "f.toml:2:7: expected '=' after the key"},
    {"space inside bare key", "a b = 1\n", "f.toml:1:3: expected '=' after the key"},
    {"duplicate key", "name = \"Tom\"\nname = \"Pradyun\"\n", "f.toml:2:1: duplicate key 'name'"},
    {"duplicate quoted and bare key", "spelling = 1\n\"spelling\" = 2\n",
     "f.toml:2:1: duplicate key 'spelling'"},
    {"duplicate dotted key", "a.b = 1\na.b = 2\n", "f.toml:2:3: duplicate key 'a.b'"},
    {"dotted key over a value", "fruit.name = 1\nfruit.name.first = 2\n",
     "f.toml:2:7: key 'fruit.name' is already defined"},
    {"table redefined", "[fruit]\na = 1\n[fruit]\nb = 2\n",
     "f.toml:3:1: table [fruit] is already defined"},
    {"implicit table defined twice", "[a.b]\n[a]\n[a]\n", "f.toml:3:1: table [a] is already defined"},
    {"header over a dotted-key table", "[fruit]\napple.color = \"red\"\n[fruit.apple]\n",
     "f.toml:3:1: table [fruit.apple] is already defined by dotted keys"},
    {"dotted keys into an explicit table", "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n",
     "f.toml:4:3: key 'b.c' is already defined and cannot be extended"},
    {"dotted key over a header table", "[a.b]\n[a]\nb = 1\n", "f.toml:3:1: duplicate key 'b'"},
    {"header through a value", "a = 1\n[a.b]\n", "f.toml:2:2: key 'a' is already defined as a value"},
    {"header through an inline table", "a = {b = 1}\n[a.c]\n",
     "f.toml:2:2: key 'a' is already defined as an inline table"},
    {"header redefining an inline table", "a = {}\n[a]\n",
     "f.toml:2:1: table [a] is already defined as an inline table"},
    {"dotted key into an inline table", "a = {b = 1}\na.c = 2\n",
     "f.toml:2:1: key 'a' is already defined and cannot be extended"},
    {"header through a static array", "a = [{b = 1}]\n[a.c]\n",
     "f.toml:2:2: key 'a' is already defined as an array"},
    {"append to a static array", "fruits = []\n[[fruits]]\n",
     "f.toml:2:1: cannot append to the static array 'fruits'"},
    {"array of tables over a table", "[a]\n[[a]]\n",
     "f.toml:2:1: key 'a' is already defined as a table, not an array of tables"},
    {"table over an array of tables", "[[a]]\n[a]\n",
     "f.toml:2:1: table [a] is already defined as an array"},
    {"array of tables after its sub-table", "[fruit.physical]\ncolor = 1\n[[fruit]]\n",
     "f.toml:3:1: key 'fruit' is already defined as a table"},
    {"duplicate key inside an inline table", "p = {a = 1, a = 2}\n",
     "f.toml:1:13: duplicate key 'a'"},
    {"invalid escape", "a = \"\\q\"\n", "f.toml:1:6: invalid escape sequence '\\q'"},
    {"no \\e escape in TOML 1.0", "a = \"\\e\"\n", "f.toml:1:6: invalid escape sequence '\\e'"},
    {"short \\u escape", "a = \"\\u12\"\n", "f.toml:1:10: expected 4 hex digits"},
    {"surrogate escape", "a = \"\\uD800\"\n", "f.toml:1:6: escape U+D800 is not a Unicode"},
    {"escape above U+10FFFF", "a = \"\\U00110000\"\n", "f.toml:1:6: escape U+110000 is not"},
    {"column counts characters", "a = \"\xc3\xa9\\q\"\n", "f.toml:1:7: invalid escape"},
    {"control character in a string", "a = \"x\x01y\"\n",
     "f.toml:1:7: control character U+0001 is not allowed in a string"},
    {"DEL in a literal string", "a = 'x\x7f'\n",
     "f.toml:1:7: control character U+007F is not allowed in a string"},
    {"control character in a comment", "a = 1 # x\x02\n",
     "f.toml:1:10: control character U+0002 is not allowed in a comment"},
    {"newline in a single-line string", "a = \"abc\nb = 1\n",
     "f.toml:1:9: expected the closing quote before the end of line"},
    {"newline in a literal string", "a = 'abc\n'\n", "f.toml:1:9: expected the closing quote"},
    {"unterminated string at end of file", "a = \"abc", "f.toml:1:5: unterminated string"},
    {"unterminated multi-line string", "a = \"\"\"abc\n\ndef\n",
     "f.toml:1:5: unterminated string"},
    {"unterminated multi-line literal", "\n\nx = '''abc''\n", "f.toml:3:5: unterminated string"},
    {"text after a line-ending backslash", "a = \"\"\"x\\ y\"\"\"\n",
     "f.toml:1:9: a line-ending backslash must be the last thing"},
    {"too many quotes closing a multi-line string", "a = \"\"\"x\"\"\"\"\"\"\n",
     "f.toml:1:14: expected a newline or end of file"},
    {"multi-line string as a key", "\"\"\"k\"\"\" = 1\n",
     "f.toml:1:1: a multi-line string cannot be a key"},
    {"leading zeros", "a = 0123\n", "f.toml:1:5: leading zeros are not allowed"},
    {"leading zeros after a sign", "a = -01\n", "f.toml:1:6: leading zeros are not allowed"},
    {"leading zeros in a float", "a = 00.5\n", "f.toml:1:5: leading zeros are not allowed"},
    {"underscore at the end", "a = 1_\n", "f.toml:1:6: an underscore in a number"},
    {"double underscore", "a = 1__2\n", "f.toml:1:6: an underscore in a number"},
    {"underscore after the prefix", "a = 0x_1\n", "f.toml:1:7: an underscore in a number"},
    {"underscore before the point", "a = 1_.5\n", "f.toml:1:6: an underscore in a number"},
    {"sign on a hex integer", "a = +0xFF\n", "f.toml:1:5: a sign is not allowed"},
    {"uppercase hex prefix", "a = 0XFF\n", "f.toml:1:6: expected a newline or end of file"},
    {"binary digit out of range", "a = 0b102\n", "f.toml:1:9: expected a newline"},
    {"integer overflow", "a = 9223372036854775808\n", "f.toml:1:5: integer does not fit"},
    {"hex overflow", "a = 0x8000000000000000\n", "f.toml:1:5: integer does not fit"},
    {"point without fraction digits", "a = 1.\n", "f.toml:1:7: expected a digit"},
    {"point before the exponent", "a = 1.e5\n", "f.toml:1:7: expected a digit"},
    {"fraction without integer part", "a = .5\n", "f.toml:1:5: expected a value"},
    {"exponent without digits", "a = 1e\n", "f.toml:1:7: expected a digit"},
    {"float out of range", "a = 1e400\n", "f.toml:1:5: float is out of range"},
    {"sign without digits", "a = +\n", "f.toml:1:6: expected a digit"},
    {"capitalised inf", "a = Inf\n", "f.toml:1:5: expected a value"},
    {"month 13", "d = 1979-13-01\n", "f.toml:1:5: date 1979-13-01 does not exist"},
    {"February 30", "d = 2024-02-30\n", "f.toml:1:5: date 2024-02-30 does not exist"},
    {"February 29 in a common year", "d = 2023-02-29T00:00:00Z\n",
     "f.toml:1:5: date 2023-02-29 does not exist"},
    {"hour 24", "t = 24:00:00\n", "f.toml:1:5: time 24:00:00 is out of range"},
    {"time without seconds", "t = 1979-05-27T07:32\n", "f.toml:1:21: expected ':' in a time"},
    {"single-digit day", "d = 1979-05-7\n", "f.toml:1:13: expected a two-digit day"},
    {"T without a time", "d = 1979-05-27T\n", "f.toml:1:16: expected a two-digit hour"},
    {"offset out of range", "d = 1979-05-27T07:32:00+24:00\n",
     "f.toml:1:25: time offset is out of range"},
    {"fraction without digits", "t = 07:32:00.\n", "f.toml:1:14: expected a digit"},
    {"misspelt boolean", "a = tru\n", "f.toml:1:5: expected a value"},
    {"capitalised boolean", "a = True\n", "f.toml:1:5: expected a value"},
    {"array without commas", "a = [1 2]\n", "f.toml:1:8: expected ',' or ']' in an array"},
    {"unterminated array", "a = [1,\n2", "f.toml:2:2: expected ']' to close the array"},
    {"double comma in an array", "a = [1,,2]\n", "f.toml:1:8: expected a value"},
    {"trailing comma in an inline table", "a = {x = 1,}\n",
     "f.toml:1:12: expected a key: no trailing comma"},
    {"newline in an inline table", "a = {x = 1\n}\n",
     "f.toml:1:11: expected '}': an inline table must be on one line"},
    {"inline table without commas", "a = {x = 1 y = 2}\n",
     "f.toml:1:12: expected ',' or '}' in an inline table"},
    {"unterminated header", "[a\nb = 1\n", "f.toml:1:3: expected ']' to close the table header"},
    {"unterminated array-of-tables header", "[[a]\n",
     "f.toml:1:4: expected ']]' to close the array-of-tables header"},
    {"empty header", "[]\n", "f.toml:1:2: expected a key"},
    {"space between array-of-tables brackets", "[ [a]]\n", "f.toml:1:3: expected a key"},
    {"two pairs on one line", "a = 1 b = 2\n", "f.toml:1:7: expected a newline or end of file"},
    {"text after a header", "[a] b = 1\n", "f.toml:1:5: expected a newline or end of file"},
    {"bare carriage return", "a = 1\rb = 2\n",
     "f.toml:1:6: a carriage return must be followed by a newline"},
    {"invalid UTF-8", "a = 1\nb = \"\xff\"\n", "f.toml:2:6: invalid UTF-8"},
    {"truncated UTF-8 sequence", "a = \"\xc3", "f.toml:1:6: invalid UTF-8"},
    {"overlong UTF-8", "a = \"\xc0\xaf\"\n", "f.toml:1:6: invalid UTF-8"},
    {"NUL byte", "a = 1\n\0", "f.toml:2:1: expected a key"},
};

#define N_VALID (sizeof valid / sizeof valid[0])
#define N_INVALID (sizeof invalid / sizeof invalid[0])

static void check_valid(void **state)
{
    const valid_case *c = *state;
    json_t *got = NULL, *want = json_loads(c->json, JSON_ALLOW_NUL, NULL);
    lh_err err = {{0}};
    assert_non_null(want); /* the expected JSON itself must be well-formed */
    lh_status st = lh_toml_parse(c->doc, strlen(c->doc), "f.toml", &got, &err);
    if (st)
        fail_msg("%s: unexpected error: %s", c->name, err.msg);
    if (!json_equal(got, want)) {
        char *s = json_dumps(got, JSON_COMPACT);
        print_error("%s: got %s\n", c->name, s);
        free(s);
        json_decref(got);
        json_decref(want);
        fail();
    }
    json_decref(got);
    json_decref(want);
}

static void check_invalid(void **state)
{
    const invalid_case *c = *state;
    json_t *got = (json_t *)1;
    lh_err err = {{0}};
    /* strlen stops at the first NUL; the NUL case spells out its length */
    size_t len = strlen(c->doc) + (strstr(c->name, "NUL") ? 1 : 0);
    lh_status st = lh_toml_parse(c->doc, len, "f.toml", &got, &err);
    assert_int_equal(st, LH_EINVAL);
    assert_null(got);
    if (strncmp(err.msg, c->err, strlen(c->err)) != 0)
        fail_msg("%s:\n  want %s\n  got  %s", c->name, c->err, err.msg);
}

static void too_large_input_is_refused(void **state)
{
    (void)state;
    size_t n = LH_TOML_MAX_INPUT + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '#', n);
    json_t *out = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_toml_parse(big, n, "big.toml", &out, &err), LH_ETOOBIG);
    assert_null(out);
    assert_string_equal(err.msg, "big.toml: input is larger than 16 MiB");
    free(big);
}

static void deep_nesting_is_refused(void **state)
{
    (void)state;
    char doc[1000] = "a = ";
    memset(doc + 4, '[', 300);
    json_t *out = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh_toml_parse(doc, strlen(doc), "d.toml", &out, &err), LH_EINVAL);
    assert_string_equal(err.msg, "d.toml:1:133: arrays and inline tables nest deeper than 128");
    /* right at the limit still parses */
    char ok[400] = "a = ";
    memset(ok + 4, '[', 128);
    memset(ok + 132, ']', 128);
    assert_int_equal(lh_toml_parse(ok, strlen(ok), "d.toml", &out, &err), LH_OK);
    json_decref(out);
}

static void null_filename_and_crlf_positions(void **state)
{
    (void)state;
    json_t *out = NULL;
    lh_err err = {{0}};
    const char *doc = "a = 1\r\nb = 2\r\na = 3\r\n";
    assert_int_equal(lh_toml_parse(doc, strlen(doc), NULL, &out, &err), LH_EINVAL);
    assert_string_equal(err.msg, "<input>:3:1: duplicate key 'a'");
    assert_int_equal(lh_toml_parse(NULL, 0, NULL, &out, &err), LH_OK);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
}

/* Every error must carry "FILE:LINE:COL: " with numbers inside the document. */
static void assert_error_shape(const char *doc, size_t len, lh_status st, const lh_err *err)
{
    if (st == LH_OK)
        return;
    assert_int_equal(st, LH_EINVAL);
    unsigned long line = 0, col = 0;
    int used = 0;
    if (sscanf(err->msg, "f.toml:%lu:%lu: %n", &line, &col, &used) != 2 || used == 0)
        fail_msg("bad error shape: %s", err->msg);
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += doc[i] == '\n';
    assert_true(line >= 1 && line <= lines);
    assert_true(col >= 1 && col <= len + 1);
    assert_true(strlen(err->msg) > (size_t)used);
}

static void parse_any(const char *doc, size_t len)
{
    json_t *out = NULL;
    lh_err err = {{0}};
    lh_status st = lh_toml_parse(doc, len, "f.toml", &out, &err);
    assert_error_shape(doc, len, st, &err);
    if (st == LH_OK)
        assert_non_null(out);
    else
        assert_null(out);
    json_decref(out);
}

static const char *const robust_docs[] = {
    "# doc\ntitle = \"T \\u00e9 \\U0001F600\"\n[owner]\nname = 'Tom'\n"
    "dob = 1979-05-27T07:32:00-08:00\n[db]\nports = [ 8000, 8001, ]\n"
    "data = [ [\"d\", 'p'], [3.14, -inf, nan] ]\ntemp = { cpu = 79.5, case = 72.0 }\n"
    "[servers.alpha]\nip = \"10.0.0.1\"\n[[products]]\nname = \"Hammer\"\n"
    "sku = 0x7F_FF\n[[products]]\n[[products.sub]]\nx = 0o17\n",
    "s = \"\"\"\nRoses \\\n  are \"\"red\"\"\"\"\"\nl = '''\nraw\\n '' '''\n"
    "a.b.c = 1_000\na.\"q\".d = 0b101\nt = 07:32:00.5\nd = 2024-02-29\n"
    "f = [6.626e-34, 1e+22, -0.0]\ni = { x = { y = [ { z = true } ] } }\n",
    "[storage]\nroot = \"./data\"\n[[storage.buckets]]\nname = \"a\"\nroot = \"/x\"\r\n"
    "[server]\nbind = \"0.0.0.0:3100\"\nthreads = 4 # comment\n",
};

static void truncations_never_crash(void **state)
{
    (void)state;
    for (size_t d = 0; d < sizeof robust_docs / sizeof robust_docs[0]; d++) {
        size_t n = strlen(robust_docs[d]);
        for (size_t i = 0; i <= n; i++)
            parse_any(robust_docs[d], i);
        for (size_t i = 0; i <= n; i++) /* every suffix too */
            parse_any(robust_docs[d] + i, n - i);
    }
}

static void mutations_and_random_bytes_never_crash(void **state)
{
    (void)state;
    static const char alphabet[] = "[]{}=,.\"'\\#\n\r\t 0123456789+-_:eExobTZtfinaru\x01\xc3\xa9";
    unsigned seed = 12345;
    char buf[600];
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n;
        if (round % 2) {
            const char *base = robust_docs[round % 3];
            n = strlen(base);
            memcpy(buf, base, n);
            for (int k = 0; k < 1 + (int)(seed >> 28); k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % n;
                buf[at] = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
            }
        } else {
            n = (seed >> 16) % 64;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = round % 4 ? alphabet[(seed >> 16) % (sizeof alphabet - 1)]
                                   : (char)(seed >> 16);
            }
        }
        parse_any(buf, n);
    }
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(too_large_input_is_refused),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(null_filename_and_crlf_positions),
        cmocka_unit_test(truncations_never_crash),
        cmocka_unit_test(mutations_and_random_bytes_never_crash),
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0], n = 0;
    struct CMUnitTest *tests = calloc(N_VALID + N_INVALID + nfixed, sizeof *tests);
    if (!tests)
        return 1;
    /* One named test per document, so a failure names the case. */
    for (size_t i = 0; i < N_VALID; i++)
        tests[n++] = (struct CMUnitTest){valid[i].name, check_valid, NULL, NULL,
                                         (void *)&valid[i]};
    for (size_t i = 0; i < N_INVALID; i++)
        tests[n++] = (struct CMUnitTest){invalid[i].name, check_invalid, NULL, NULL,
                                         (void *)&invalid[i]};
    for (size_t i = 0; i < nfixed; i++)
        tests[n++] = fixed[i];
    int rc = _cmocka_run_group_tests("toml", tests, n, NULL, NULL);
    free(tests);
    return rc;
}
