/* Unit tests for the PII classifier: each value rule on its edge cases, decoys, and the
 * labelled evaluation set (tests/data/pii_eval/columns.jsonl) with precision/recall
 * floors. `test_pii --table` prints the per-class table of docs/BENCHMARKS.md instead.
 * Includes the .c files to reach the static matchers and the dataset-level pass. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/pii.c"
#include "ingest/pii_scan.c" /* the dataset-level pass (person_context) */

/* ---- rules ---- */

static void ssn_ranges(void **state)
{
    (void)state;
    assert_int_equal(lh__pii_ssn_value("123-45-6789", false), SSN_DASHED);
    assert_int_equal(lh__pii_ssn_value("123 45 6789", false), SSN_DASHED);
    assert_int_equal(lh__pii_ssn_value("123456789", false), SSN_BARE);
    assert_int_equal(lh__pii_ssn_value("001-01-0001", false), SSN_DASHED);
    assert_int_equal(lh__pii_ssn_value("899-99-9999", false), SSN_DASHED);
    const char *bad[] = {"000-12-3456", "666-12-3456", "900-12-3456", "999-99-9999",
                         "123-00-4567", "123-45-0000", "123-456-789", "12-3456789",
                         "123-45-678", "1234567890", "abc-de-fghi", "123-45 6789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lh__pii_ssn_value(bad[i], false), SSN_NO);
    /* an integer column drops leading zeros */
    assert_int_equal(lh__pii_ssn_value("12345678", true), SSN_BARE);
    assert_int_equal(lh__pii_ssn_value("12345678", false), SSN_NO);
}

static void nanp_and_e164(void **state)
{
    (void)state;
    const char *strong[] = {"(212) 555-0147", "212-555-0147", "212.555.0147", "+1 212 555 0147",
                            "+1-212-555-0147", "1-212-555-0147", "212-555-0147 x12",
                            "+44 20 7946 0958", "+49 30 1234567", "+33 1 23 45 67 89",
                            "+91 98765 43210", "0044 20 7946 0958", "+61 412 345 678"};
    for (size_t i = 0; i < sizeof strong / sizeof strong[0]; i++) {
        if (lh__pii_phone_value(strong[i]) != PHONE_STRONG)
            fail_msg("expected a phone: %s", strong[i]);
    }
    assert_int_equal(lh__pii_phone_value("2125550147"), PHONE_WEAK);
    assert_int_equal(lh__pii_phone_value("020 7946 0958"), PHONE_WEAK);
    const char *no[] = {"112-555-0147",  /* area starts with 1 */
                        "012-555-0147",  /* area starts with 0 */
                        "211-555-0147",  /* N11 area */
                        "295-555-0147",  /* middle 9: reserved */
                        "212-155-0147",  /* exchange starts with 1 */
                        "212-911-0147",  /* N11 exchange */
                        "+1 112 555 0147", "+999 1234567", "+12", "2024-01-05",
                        "2024-01-05 10:00:00", "12345", "12345-6789", "ORD-2024-000123",
                        "1000234567", "SKU-12345", "192.168.1.10", "12:30:45"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (lh__pii_phone_value(no[i]) != PHONE_NO)
            fail_msg("not a phone: %s", no[i]);
    }
}

static void icd10_shapes(void **state)
{
    (void)state;
    assert_int_equal(lh__pii_icd10_value("E11.9"), ICD_DOTTED);
    assert_int_equal(lh__pii_icd10_value("S52.501A"), ICD_DOTTED);
    assert_int_equal(lh__pii_icd10_value("Z00.00"), ICD_DOTTED);
    assert_int_equal(lh__pii_icd10_value("E11.9 Type 2 diabetes mellitus"), ICD_DOTTED);
    assert_int_equal(lh__pii_icd10_value("I10"), ICD_PLAIN);
    assert_int_equal(lh__pii_icd10_value("E119"), ICD_PLAIN);
    const char *no[] = {"E1", "11.9", "EE1.9", "E11.", "E11.123456", "SKU-123", "E11-9",
                        "AB-1234-XL", "J4590912", ""};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (lh__pii_icd10_value(no[i]) != ICD_NO)
            fail_msg("not ICD-10: %s", no[i]);
    }
}

static void emails_addresses_names(void **state)
{
    (void)state;
    assert_true(lh__pii_email_value("Ada.Lovelace+x@Example.CO.uk"));
    assert_true(lh__pii_email_value(" o'brien@mail.example.com "));
    const char *no[] = {"ada@", "@example.com", "ada@example", "ada@@example.com",
                        "ada@example.c", "ada@-example.com", "a b@example.com", "ada@example.123",
                        "@jsmith", "https://www.example.com", ".ada@example.com"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (lh__pii_email_value(no[i]))
            fail_msg("not an email: %s", no[i]);
    }
    assert_int_equal(lh__pii_address_value("123 Main St"), ADDR_FULL);
    assert_int_equal(lh__pii_address_value("4567 Oak Avenue Apt 4B"), ADDR_FULL);
    assert_int_equal(lh__pii_address_value("12B Baker Street, London"), ADDR_FULL);
    assert_int_equal(lh__pii_address_value("1600 Pennsylvania Ave NW, Washington, DC 20500"), ADDR_FULL);
    assert_int_equal(lh__pii_address_value("PO Box 1234"), ADDR_FULL);
    assert_int_equal(lh__pii_address_value("Main Street"), ADDR_SUFFIX);
    assert_int_equal(lh__pii_address_value("12 Angry Men"), ADDR_NO);
    assert_int_equal(lh__pii_address_value("Springfield"), ADDR_NO);
    bool multi;
    assert_int_equal(lh__pii_person_value("Ada Smith", &multi), PERSON_LIST);
    assert_true(multi);
    assert_int_equal(lh__pii_person_value("SMITH, JOHN", &multi), PERSON_LIST);
    assert_int_equal(lh__pii_person_value("mary o'brien", &multi), PERSON_LIST);
    assert_int_equal(lh__pii_person_value("Oluwaseun Okafor", &multi), PERSON_SHAPE);
    assert_int_equal(lh__pii_person_value("Smith Consulting Group", &multi), PERSON_NO);
    assert_int_equal(lh__pii_person_value("Wireless Mouse 2", &multi), PERSON_NO);
    int year = 0;
    assert_true(lh__pii_date_value("1985-03-02", &year) && year == 1985);
    assert_true(lh__pii_date_value("03/02/1985", &year) && year == 1985);
    assert_true(lh__pii_date_value("31.12.1970", &year) && year == 1970);
    assert_false(lh__pii_date_value("1985-13-02", &year));
    assert_false(lh__pii_date_value("12345-6789", &year));
}

static void name_tokens_split(void **state)
{
    (void)state;
    name_tokens nt;
    tokenize("contactEmail_Address2", &nt);
    assert_int_equal(nt.n, 4);
    assert_string_equal(nt.tok[0], "contact");
    assert_string_equal(nt.tok[1], "email");
    assert_string_equal(nt.tok[2], "address");
    assert_string_equal(nt.tok[3], "2");
    assert_string_equal(nt.squash, "contactemailaddress2");
    tokenize("DOB", &nt);
    assert_int_equal(nt.n, 1);
    assert_string_equal(nt.tok[0], "dob");
}

/* The classes of a classification, comma-joined, into out. */
static const char *classes_of(const char *name, const char *type, const char *const *v, size_t n,
                              char *out, size_t size)
{
    json_t *r = lh_pii_classify(name, type, v, n);
    assert_non_null(r);
    out[0] = '\0';
    size_t len = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(r, "pii"), i, c)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", json_string_value(c));
    json_decref(r);
    return out;
}

static void decoys_and_hints(void **state)
{
    (void)state;
    char buf[128];
    const char *accounts[] = {"1000234567", "2938475610", "1192837465", "3011223344", "1928374650",
                              "1100223344", "1010101010", "9110000000"};
    assert_string_equal(classes_of("account_number", "VARCHAR", accounts, 8, buf, sizeof buf), "");
    const char *phones[] = {"2125550147", "4155550199", "3125550123", "6175550111", "7185550100"};
    assert_string_equal(classes_of("phone", "VARCHAR", phones, 5, buf, sizeof buf), "phone");
    assert_string_equal(classes_of("ref", "VARCHAR", phones, 5, buf, sizeof buf), "");
    const char *nine[] = {"123456789", "234567891", "345678912", "456789123"};
    assert_string_equal(classes_of("ssn", "VARCHAR", nine, 4, buf, sizeof buf), "ssn");
    assert_string_equal(classes_of("routing_number", "VARCHAR", nine, 4, buf, sizeof buf), "");
    const char *products[] = {"Wireless Mouse", "Laptop Stand", "Desk Lamp", "Yoga Mat"};
    assert_string_equal(classes_of("name", "VARCHAR", products, 4, buf, sizeof buf), "");
    const char *people[] = {"Ada Smith", "John Garcia", "Mary Chen", "Oluwaseun Okafor"};
    assert_string_equal(classes_of("name", "VARCHAR", people, 4, buf, sizeof buf), "name");
    assert_string_equal(classes_of("product_name", "VARCHAR", people, 4, buf, sizeof buf), "");
    const char *dates[] = {"1985-03-02", "1990-11-30", "1972-06-15"};
    assert_string_equal(classes_of("dob", "DATE", dates, 3, buf, sizeof buf), "dob");
    assert_string_equal(classes_of("order_date", "DATE", dates, 3, buf, sizeof buf), "");
    const char *pay[] = {"85000", "120000.5", "64000"};
    assert_string_equal(classes_of("salary", "DOUBLE", pay, 3, buf, sizeof buf), "salary");
    assert_string_equal(classes_of("price", "DOUBLE", pay, 3, buf, sizeof buf), "");
    assert_string_equal(classes_of("ssn", "VARCHAR", NULL, 0, buf, sizeof buf), "ssn");
    assert_string_equal(classes_of("ip_address", "VARCHAR", NULL, 0, buf, sizeof buf), "");

    /* the output shape */
    const char *mails[] = {"a@example.com", "b@example.org"};
    json_t *r = lh_pii_classify("contact_email", "VARCHAR", mails, 2);
    json_t *f = json_array_get(json_object_get(r, "pii_rules"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "class")), "email");
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "name+values");
    assert_true(json_real_value(json_object_get(f, "confidence")) >= 0.9);
    assert_string_equal(json_string_value(json_object_get(r, "sensitivity")), "confidential");
    json_decref(r);
    r = lh_pii_classify("notes", "VARCHAR", mails, 0);
    assert_true(json_is_null(json_object_get(r, "sensitivity")));
    json_decref(r);
    assert_string_equal(lh_pii_class_sensitivity("medical"), "restricted");
    assert_int_equal(lh_pii_sensitivity_rank("restricted"), 3);
    assert_int_equal(lh_pii_sensitivity_rank("bogus"), -1);
}

/* ---- the four misdetections of issue 11 (real files), values first ---- */

static void real_file_misdetections(void **state)
{
    (void)state;
    char buf[128];
    /* SMS Backup & Restore: the "address" attribute holds the other party's number */
    const char *sms[] = {"+15035550147", "5035550199", "+1 503-555-0123", "(971) 555-0111",
                         "+447700900123", "5035550100", "+15035550188", "9715550142"};
    assert_string_equal(classes_of("address", "VARCHAR", sms, 8, buf, sizeof buf), "phone");
    /* athletes are people whatever their nationality; the role noun is the name hint */
    const char *athletes[] = {"Usain Bolt", "Simone Biles", "Eliud Kipchoge", "Katie Ledecky",
                              "Shelly-Ann Fraser-Pryce", "Mo Farah", "Caeleb Dressel",
                              "Sifan Hassan", "Armand Duplantis", "Faith Kipyegon"};
    assert_string_equal(classes_of("athlete", "VARCHAR", athletes, 10, buf, sizeof buf), "name");
    /* a count of jobs is not a wage: small and arbitrary integers, zeros among them */
    const char *jobs[] = {"193", "50", "0", "85", "972", "40", "259", "3895", "2403", "1168",
                          "5207", "156", "347", "21", "6221", "789", "12", "4519"};
    json_t *r = lh_pii_classify("Low_wage_jobs", "BIGINT", jobs, 18);
    assert_int_equal(json_array_size(json_object_get(r, "pii")), 0);
    assert_true(json_is_null(json_object_get(r, "sensitivity")));
    json_decref(r);
    /* real wages next to it still are */
    const char *wages[] = {"36000", "42500", "51000", "38000", "47000", "60000"};
    assert_string_equal(classes_of("Median_wage", "BIGINT", wages, 6, buf, sizeof buf), "salary");
    /* an SSH git URL has a user, not a mailbox */
    const char *repos[] = {"git@github.com:vega/vega-datasets.git", "git@gitlab.com:org/repo.git",
                           "ssh://git@github.com/org/repo.git", "git@bitbucket.org:team/app.git"};
    assert_false(lh__pii_email_in_text("git@github.com:vega/vega-datasets.git"));
    assert_true(lh__pii_email_in_text("mail ada@example.com: today"));
    assert_string_equal(classes_of("repository", "VARCHAR", repos, 4, buf, sizeof buf), "");
}

/* ---- single given names under a bare "name" / "person" column ---- */

static void single_given_names(void **state)
{
    (void)state;
    char buf[128];
    /* given names, some in our list (Alan, George), most not (short forms) */
    const char *people[] = {"Alan", "George", "Fred", "Steve", "Nick", "Will", "Cole", "Rick",
                            "Tom"};
    assert_string_equal(classes_of("name", "VARCHAR", people, 9, buf, sizeof buf), "name");
    assert_string_equal(classes_of("person", "VARCHAR", people, 9, buf, sizeof buf), "name");
    assert_string_equal(classes_of("given_name", "VARCHAR", people, 9, buf, sizeof buf), "name");
    /* the same words under another column name are not enough */
    assert_string_equal(classes_of("group", "VARCHAR", people, 9, buf, sizeof buf), "");
    /* states and boroughs named "name": one list hit (Virginia) in many values */
    const char *states[] = {"Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado",
                            "Connecticut", "Delaware", "Florida", "Idaho", "Virginia", "Texas"};
    assert_string_equal(classes_of("name", "VARCHAR", states, 12, buf, sizeof buf), "");
    /* a single hit is not a share: two values, one a name */
    const char *two[] = {"Alan", "Croydon"};
    assert_string_equal(classes_of("person", "VARCHAR", two, 2, buf, sizeof buf), "");
    /* lowercase words are terms, not people */
    const char *terms[] = {"alan", "george", "snow", "grass", "dirt"};
    assert_string_equal(classes_of("person", "VARCHAR", terms, 5, buf, sizeof buf), "");
}

/* ---- pay needs people: the dataset-level pass ---- */

/* Classifies a table of n columns (names, types, values[k] of nv[k] values), runs the
 * dataset pass, and writes column k's classes into out[k]. */
static void classify_table(size_t n, const char *const *names, const char *const *types,
                           const char *const *const *values, const size_t *nv, char out[][64])
{
    json_t *found[8];
    assert_true(n <= 8);
    for (size_t k = 0; k < n; k++)
        assert_non_null(found[k] = lh_pii_classify(names[k], types[k], values[k], nv[k]));
    person_context(names, types, found, n, false);
    for (size_t k = 0; k < n; k++) {
        size_t len = 0, i;
        json_t *c;
        out[k][0] = '\0';
        json_array_foreach(json_object_get(found[k], "pii"), i, c)
            len += (size_t)snprintf(out[k] + len, 64 - len, "%s%s", i ? "," : "",
                                    json_string_value(c));
        json_decref(found[k]);
    }
}

static void salary_needs_people(void **state)
{
    (void)state;
    char out[4][64];
    /* wheat.json: per-year wages, no one's pay */
    const char *year[] = {"1565", "1570", "1575", "1580", "1585"};
    const char *wheat[] = {"41", "45", "42", "49", "41.5"};
    const char *wages[] = {"5", "5.05", "5.08", "5.12", "5.15"};
    const char *const *v1[] = {year, wheat, wages};
    size_t n1[] = {5, 5, 5};
    const char *names1[] = {"year", "wheat", "wages"}, *types1[] = {"BIGINT", "DOUBLE", "DOUBLE"};
    classify_table(3, names1, types1, v1, n1, out);
    assert_string_equal(out[2], "");
    /* gapminder: per-country income */
    const char *country[] = {"Afghanistan", "Albania", "Algeria", "Andorra", "Angola"};
    const char *income[] = {"1925", "10620", "13434", "46577", "7615"};
    const char *const *v2[] = {country, income};
    size_t n2[] = {5, 5};
    const char *names2[] = {"country", "income"}, *types2[] = {"VARCHAR", "BIGINT"};
    classify_table(2, names2, types2, v2, n2, out);
    assert_string_equal(out[1], "");
    /* the same income next to people's names, emails, or a person's key stays pay */
    const char *people[] = {"Ada Smith", "John Garcia", "Mary Chen", "Ravi Patel", "Ana Ruiz"};
    const char *names3[] = {"full_name", "income"}, *types3[] = {"VARCHAR", "BIGINT"};
    const char *const *v3[] = {people, income};
    classify_table(2, names3, types3, v3, n2, out);
    assert_string_equal(out[0], "name");
    assert_string_equal(out[1], "salary");
    const char *mails[] = {"a@example.com", "b@example.org", "c@example.net", "d@example.com",
                           "e@example.com"};
    const char *names4[] = {"contact", "income"};
    const char *const *v4[] = {mails, income};
    classify_table(2, names4, types3, v4, n2, out);
    assert_string_equal(out[1], "salary");
    const char *ids[] = {"E1", "E2", "E3", "E4", "E5"};
    const char *names5[] = {"emp_no", "income"};
    const char *const *v5[] = {ids, income};
    classify_table(2, names5, types3, v5, n2, out);
    assert_string_equal(out[1], "salary");
    /* a birth date is not dropped: it identifies even without a name */
    const char *dates[] = {"1985-03-02", "1990-11-30", "1972-06-15", "1968-01-09", "2001-12-24"};
    const char *names6[] = {"zip", "dob", "income"}, *types6[] = {"VARCHAR", "DATE", "BIGINT"};
    const char *zips[] = {"02139", "10001", "94103", "60601", "73301"};
    const char *const *v6[] = {zips, dates, income};
    size_t n6[] = {5, 5, 5};
    classify_table(3, names6, types6, v6, n6, out);
    assert_string_equal(out[1], "dob");
    assert_string_equal(out[2], "");
    /* the dropped flag takes its sensitivity with it */
    json_t *f = lh_pii_classify("income", "BIGINT", income, 5);
    drop_class(f, "salary");
    assert_int_equal(json_array_size(json_object_get(f, "pii")), 0);
    assert_int_equal(json_array_size(json_object_get(f, "pii_rules")), 0);
    assert_true(json_is_null(json_object_get(f, "sensitivity")));
    json_decref(f);
}

/* ---- the labelled evaluation set ---- */

typedef struct tally {
    int tp, fp, fn;
} tally;

/* file: a path, or NULL for the main set under $LH_REPO (default "."). */
static json_t *load_eval(const char *file)
{
    const char *repo = getenv("LH_REPO");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/pii_eval/columns.jsonl", repo ? repo : ".");
    FILE *f = fopen(file ? file : path, "r");
    if (!f)
        return NULL;
    json_t *cols = json_array();
    json_error_t jerr;
    json_t *c;
    while ((c = json_loadf(f, JSON_DISABLE_EOF_CHECK, &jerr)))
        json_array_append_new(cols, c);
    fclose(f);
    return cols;
}

static bool has_class(const json_t *arr, const char *cls)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (!strcmp(json_string_value(v), cls))
            return true;
    return false;
}

/* Runs the classifier over every column; fills per-class tallies (index 8 = overall) and
 * prints the mistakes when verbose. Returns the number of columns. */
static size_t evaluate(const json_t *cols, tally t[9], size_t *decoys, bool verbose)
{
    memset(t, 0, 9 * sizeof *t);
    *decoys = 0;
    size_t i;
    json_t *c;
    size_t ncols = json_array_size(cols);
    json_t **found = calloc(ncols ? ncols : 1, sizeof *found);
    const char **names = calloc(ncols ? ncols : 1, sizeof *names);
    const char **types = calloc(ncols ? ncols : 1, sizeof *types);
    json_array_foreach(cols, i, c) {
        json_t *vals = json_object_get(c, "values");
        size_t n = json_array_size(vals);
        const char **v = calloc(n ? n : 1, sizeof *v);
        for (size_t k = 0; k < n; k++)
            v[k] = json_string_value(json_array_get(vals, k));
        names[i] = json_string_value(json_object_get(c, "name"));
        types[i] = json_string_value(json_object_get(c, "type"));
        found[i] = lh_pii_classify(names[i], types[i], v, n);
        free(v);
    }
    /* columns that carry a "dataset" (the real set: their file) get the dataset-level
     * pass of the ingest scan over their file's columns; the synthetic sets' columns
     * stand alone, without a table around them */
    for (size_t a = 0; a < ncols;) {
        const char *ds = json_string_value(json_object_get(json_array_get(cols, a), "dataset"));
        size_t b = a + 1;
        while (ds && b < ncols &&
               !strcmp(json_string_value(json_object_get(json_array_get(cols, b), "dataset")) ?: "", ds))
            b++;
        if (ds)
            person_context(names + a, types + a, found + a, b - a, false);
        a = b;
    }
    json_array_foreach(cols, i, c) {
        const char *name = names[i];
        json_t *r = found[i];
        json_t *got = json_object_get(r, "pii"), *want = json_object_get(c, "expected");
        *decoys += json_array_size(want) == 0;
        for (size_t k = 0; k < 8; k++) {
            bool g = has_class(got, class_order[k]), w = has_class(want, class_order[k]);
            t[k].tp += g && w;
            t[k].fp += g && !w;
            t[k].fn += !g && w;
            if (verbose && g != w) {
                char *rules = json_dumps(json_object_get(r, "pii_rules"), JSON_COMPACT);
                fprintf(stderr, "  %s: %-24s (%s) %s %s\n", g ? "FP" : "FN", name,
                        json_string_value(json_object_get(c, "kind")), class_order[k],
                        rules ? rules : "");
                free(rules);
            }
        }
        json_decref(r);
    }
    free(found);
    free(names);
    free(types);
    for (size_t k = 0; k < 8; k++) {
        t[8].tp += t[k].tp;
        t[8].fp += t[k].fp;
        t[8].fn += t[k].fn;
    }
    return json_array_size(cols);
}

static double precision(tally t)
{
    return t.tp + t.fp ? (double)t.tp / (t.tp + t.fp) : 1.0;
}

static double recall(tally t)
{
    return t.tp + t.fn ? (double)t.tp / (t.tp + t.fn) : 1.0;
}

static void print_table(FILE *out, const tally t[9], size_t ncols, size_t decoys)
{
    fprintf(out, "%zu columns (%zu decoys without PII), %d labelled (column, class) pairs\n\n",
            ncols, decoys, t[8].tp + t[8].fn);
    fprintf(out, "| class | labelled | TP | FP | FN | precision | recall |\n");
    fprintf(out, "|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t k = 0; k < 9; k++)
        fprintf(out, "| %s | %d | %d | %d | %d | %.3f | %.3f |\n",
                k < 8 ? class_order[k] : "**overall**", t[k].tp + t[k].fn, t[k].tp, t[k].fp,
                t[k].fn, precision(t[k]), recall(t[k]));
}

static void evaluation_set(void **state)
{
    (void)state;
    json_t *cols = load_eval(NULL);
    if (!cols)
        fail_msg("cannot read tests/data/pii_eval/columns.jsonl (set LH_REPO)");
    assert_true(json_array_size(cols) >= 200);
    tally t[9];
    size_t decoys;
    size_t ncols = evaluate(cols, t, &decoys, true);
    assert_true(decoys * 10 >= ncols * 3); /* at least 30% decoys */
    print_table(stderr, t, ncols, decoys);
    json_decref(cols);
    assert_true(precision(t[8]) >= 0.95);
    assert_true(recall(t[8]) >= 0.90);
}

int main(int argc, char **argv)
{
    /* test_pii --table [-v] [FILE]: the per-class table (-v: each mistake on stderr) */
    if (argc > 1 && !strcmp(argv[1], "--table")) {
        bool verbose = argc > 2 && !strcmp(argv[2], "-v");
        const char *file = argc > 2 + verbose ? argv[2 + verbose] : NULL;
        json_t *cols = load_eval(file);
        if (!cols) {
            fprintf(stderr, "cannot read %s (set LH_REPO)\n", file ? file : "tests/data/pii_eval/columns.jsonl");
            return 1;
        }
        tally t[9];
        size_t decoys;
        size_t ncols = evaluate(cols, t, &decoys, verbose);
        print_table(stdout, t, ncols, decoys);
        json_decref(cols);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ssn_ranges),
        cmocka_unit_test(nanp_and_e164),
        cmocka_unit_test(icd10_shapes),
        cmocka_unit_test(emails_addresses_names),
        cmocka_unit_test(name_tokens_split),
        cmocka_unit_test(decoys_and_hints),
        cmocka_unit_test(real_file_misdetections),
        cmocka_unit_test(single_given_names),
        cmocka_unit_test(salary_needs_people),
        cmocka_unit_test(evaluation_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
