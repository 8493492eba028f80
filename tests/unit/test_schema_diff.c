/* Unit tests for schema evolution (src/ingest/schema_diff.c): type widening, name
 * similarity, rename scoring and pairing, the diff's shape, and the append plan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "ingest/ingest_int.h"

static void type_relations(void **state)
{
    (void)state;
    assert_int_equal(lh__schema_type_relation("BIGINT", "BIGINT"), LH__TYPE_SAME);
    assert_int_equal(lh__schema_type_relation("INTEGER", "BIGINT"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("INTEGER", "DOUBLE"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("BIGINT", "DOUBLE"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("FLOAT", "DOUBLE"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("TINYINT", "SMALLINT"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("SMALLINT", "FLOAT"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("DECIMAL(10,2)", "DECIMAL(12,2)"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("DECIMAL(10,2)", "DOUBLE"), LH__TYPE_WIDEN);
    assert_int_equal(lh__schema_type_relation("INTEGER", "DECIMAL(12,2)"), LH__TYPE_WIDEN);
    /* The file narrower than the dataset: cast up on write. */
    assert_int_equal(lh__schema_type_relation("BIGINT", "INTEGER"), LH__TYPE_CAST_UP);
    assert_int_equal(lh__schema_type_relation("DOUBLE", "BIGINT"), LH__TYPE_CAST_UP);
    assert_int_equal(lh__schema_type_relation("DECIMAL(12,2)", "DECIMAL(10,2)"), LH__TYPE_CAST_UP);
    /* Neither holds the other. */
    assert_int_equal(lh__schema_type_relation("BIGINT", "VARCHAR"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("VARCHAR", "BIGINT"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("DECIMAL(10,2)", "DECIMAL(10,4)"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("DECIMAL(18,4)", "DOUBLE"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("BIGINT", "FLOAT"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("BIGINT", "DECIMAL(18,0)"), LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("DATE", "TIMESTAMP WITH TIME ZONE"),
                     LH__TYPE_INCOMPATIBLE);
    assert_int_equal(lh__schema_type_relation("BOOLEAN", "BIGINT"), LH__TYPE_INCOMPATIBLE);
}

static void name_scores(void **state)
{
    (void)state;
    double parts, sim;
    int dist;
    /* camelCase and snake_case of the same words: the same tokens, the same letters. */
    assert_float_equal(lh__schema_name_score("customerEmail", "customer_email", &parts, &dist, &sim),
                       1.0, 1e-9);
    assert_float_equal(parts, 1.0, 1e-9);
    assert_int_equal(dist, 0);
    /* Acronyms and digits split too. */
    lh__schema_name_score("HTTPServer2", "http_server_2", &parts, &dist, &sim);
    assert_float_equal(parts, 1.0, 1e-9);
    /* One shared token: of two in all, all of the shorter name's. */
    lh__schema_name_score("amount", "amount_usd", &parts, &dist, &sim);
    assert_float_equal(parts, 0.75, 1e-9);
    assert_int_equal(dist, 3);
    assert_float_equal(sim, 1.0 - 3.0 / 9.0, 1e-9);
    /* Unrelated names score low. */
    double s = lh__schema_name_score("city", "revenue", &parts, &dist, &sim);
    assert_true(s < 0.2);
    assert_float_equal(parts, 0.0, 1e-9);
    /* A typo scores through the edit distance. */
    s = lh__schema_name_score("adress", "address", &parts, &dist, &sim);
    assert_int_equal(dist, 1);
    assert_true(sim > 0.8);
}

static void confidence_combines_evidence(void **state)
{
    (void)state;
    /* Unknown values: the name alone. */
    assert_float_equal(lh__schema_confidence(0.4, -1, 0), 0.4, 1e-9);
    /* Full overlap over many values lifts a weak name above the threshold. */
    assert_true(lh__schema_confidence(0.0, 1.0, 50) >= 0.9 - 1e-9);
    assert_true(lh__schema_confidence(0.4, 1.0, 50) > LH__RENAME_THRESHOLD);
    /* A couple of shared values (booleans, codes) count little. */
    assert_true(lh__schema_confidence(0.0, 1.0, 2) < LH__RENAME_THRESHOLD);
    /* No overlap never lowers the name's score; confidence stays within 0..1. */
    assert_float_equal(lh__schema_confidence(0.7, 0.0, 100), 0.7, 1e-9);
    assert_true(lh__schema_confidence(1.0, 1.0, 1000) <= 1.0);
}

/* A fake value sampler: overlap by column pair. */
typedef struct fake_overlap {
    const char *dcol, *fcol;
    double overlap;
    int64_t sampled;
    int calls;
} fake_overlap;

static lh_status fake(void *ctx, const char *dcol, const char *dtype, const char *fcol,
                      const char *ftype, double *overlap, int64_t *sampled, lh_err *err)
{
    (void)dtype, (void)ftype, (void)err;
    fake_overlap *f = ctx;
    f->calls++;
    bool hit = !strcmp(dcol, f->dcol) && !strcmp(fcol, f->fcol);
    *overlap = hit ? f->overlap : 0.0;
    *sampled = hit ? f->sampled : 100;
    return LH_OK;
}

static json_t *cols(const char *spec)
{
    /* "name TYPE, name TYPE" (types without spaces). */
    json_t *a = json_array();
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *sp = strchr(tok, ' ');
        *sp = '\0';
        json_array_append_new(a, json_pack("{s:s, s:s}", "name", tok, "type", sp + 1));
    }
    return a;
}

static void diff_shape_and_safety(void **state)
{
    (void)state;
    json_t *d = cols("id BIGINT, amount BIGINT, city VARCHAR");
    json_t *f = cols("ID INTEGER, amount DOUBLE, city VARCHAR, team VARCHAR");
    json_t *diff = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh__schema_compare("t", d, f, NULL, NULL, &diff, &err), LH_OK);
    assert_true(json_is_true(json_object_get(diff, "safe")));
    assert_int_equal(json_array_size(json_object_get(diff, "removed")), 0);
    json_t *added = json_object_get(diff, "added");
    assert_int_equal(json_array_size(added), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(added, 0), "name")), "team");
    json_t *tc = json_object_get(diff, "type_changed");
    assert_int_equal(json_array_size(tc), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tc, 0), "change")),
                        "narrower_in_file");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tc, 1), "change")), "widen");
    assert_true(json_is_null(json_object_get(diff, "prompt")));
    json_t *rules = json_object_get(diff, "rules");
    assert_int_equal(json_array_size(rules), 3);
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
        assert_true(json_is_true(json_object_get(r, "auto")));

    /* The plan: amount widened to DOUBLE in the schema, team appended, ID cast up. */
    const char *names[] = {"id", "amount", "city"}, *types[] = {"BIGINT", "BIGINT", "VARCHAR"};
    json_t *schema = NULL, *ns = NULL;
    assert_int_equal(lh_table_schema_from_duckdb(names, types, NULL, 3, &schema, &err), LH_OK);
    lh_buf proj;
    lh_buf_init(&proj, 0);
    assert_int_equal(lh__schema_plan(schema, f, diff, false, &ns, &proj, &err), LH_OK);
    assert_non_null(ns);
    json_t *fields = json_object_get(ns, "fields");
    assert_int_equal(json_array_size(fields), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 1), "type")), "double");
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 3), "name")), "team");
    assert_string_equal(lh_buf_cstr(&proj),
                        "CAST(\"ID\" AS BIGINT) AS \"ID\", \"amount\" AS \"amount\", "
                        "\"city\" AS \"city\", \"team\" AS \"team\"");
    json_decref(ns);
    json_decref(diff);

    /* Unsafe: a removed column and an incompatible type, refused in one line. */
    json_t *f2 = cols("id VARCHAR, city VARCHAR");
    assert_int_equal(lh__schema_compare("t", d, f2, NULL, NULL, &diff, &err), LH_OK);
    assert_false(json_is_true(json_object_get(diff, "safe")));
    assert_int_equal(lh__schema_plan(schema, f2, diff, false, &ns, &proj, &err), LH_ESCHEMA);
    assert_non_null(strstr(err.msg, "column amount (BIGINT) is missing from the file"));
    assert_non_null(strstr(err.msg, "column id: BIGINT -> VARCHAR (not a widening)"));
    assert_null(strchr(err.msg, '\n'));
    /* Allowed: id becomes VARCHAR, amount stays (NULL for the new rows). */
    assert_int_equal(lh__schema_plan(schema, f2, diff, true, &ns, &proj, &err), LH_OK);
    fields = json_object_get(ns, "fields");
    assert_int_equal(json_array_size(fields), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 0), "type")), "string");
    assert_int_equal(proj.len, 0); /* the file's columns are written as they are */
    json_decref(ns);
    json_decref(diff);
    json_decref(f2);
    lh_buf_release(&proj);
    json_decref(schema);
    json_decref(d);
    json_decref(f);
}

static void renames_paired_by_evidence(void **state)
{
    (void)state;
    json_t *d = cols("id BIGINT, customer_email VARCHAR, place VARCHAR, flag BOOLEAN, score DOUBLE");
    json_t *f = cols("id BIGINT, customerEmail VARCHAR, town VARCHAR, active BOOLEAN, notes VARCHAR");
    fake_overlap fo = {"place", "town", 0.95, 40, 0};
    json_t *diff = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh__schema_compare("people", d, f, fake, &fo, &diff, &err), LH_OK);
    assert_true(fo.calls > 0);
    json_t *rn = json_object_get(diff, "renamed");
    assert_int_equal(json_array_size(rn), 2);
    /* Highest first: the name match (1.0), then the value match (0.9 * 0.95 + name). */
    json_t *r0 = json_array_get(rn, 0), *r1 = json_array_get(rn, 1);
    assert_string_equal(json_string_value(json_object_get(r0, "from")), "customer_email");
    assert_string_equal(json_string_value(json_object_get(r0, "to")), "customerEmail");
    assert_float_equal(json_real_value(json_object_get(r0, "confidence")), 1.0, 1e-9);
    assert_string_equal(json_string_value(json_object_get(r1, "from")), "place");
    assert_string_equal(json_string_value(json_object_get(r1, "to")), "town");
    json_t *ev = json_object_get(r1, "evidence");
    assert_float_equal(json_real_value(json_object_get(ev, "value_overlap")), 0.95, 1e-9);
    assert_true(json_real_value(json_object_get(r1, "confidence")) > 0.8);
    assert_true(json_is_integer(json_object_get(ev, "edit_distance")));
    assert_true(json_is_real(json_object_get(ev, "name_parts")));
    /* flag/active share no name and few values: not a rename; score/notes differ in type. */
    json_t *removed = json_object_get(diff, "removed"), *added = json_object_get(diff, "added");
    assert_int_equal(json_array_size(removed), 2);
    assert_int_equal(json_array_size(added), 2);
    assert_false(json_is_true(json_object_get(diff, "safe")));
    const char *prompt = json_string_value(json_object_get(diff, "prompt"));
    assert_non_null(prompt);
    assert_non_null(strstr(prompt, "\"people\""));
    assert_non_null(strstr(prompt, "place -> town"));
    assert_non_null(strstr(prompt, "{\"renames\""));
    /* The rules: a rename for each pair, a drop for each removed column. */
    size_t i, renames = 0, drops = 0;
    json_t *r;
    json_array_foreach(json_object_get(diff, "rules"), i, r) {
        const char *a = json_string_value(json_object_get(r, "action"));
        renames += !strcmp(a, "rename");
        drops += !strcmp(a, "drop");
    }
    assert_int_equal(renames, 2);
    assert_int_equal(drops, 2);

    /* Allowed: the renamed columns are written under the dataset's names. */
    const char *names[] = {"id", "customer_email", "place", "flag", "score"};
    const char *types[] = {"BIGINT", "VARCHAR", "VARCHAR", "BOOLEAN", "DOUBLE"};
    json_t *schema = NULL, *ns = NULL;
    assert_int_equal(lh_table_schema_from_duckdb(names, types, NULL, 5, &schema, &err), LH_OK);
    lh_buf proj;
    lh_buf_init(&proj, 0);
    assert_int_equal(lh__schema_plan(schema, f, diff, true, &ns, &proj, &err), LH_OK);
    assert_string_equal(lh_buf_cstr(&proj),
                        "\"id\" AS \"id\", \"customerEmail\" AS \"customer_email\", "
                        "\"town\" AS \"place\", \"active\" AS \"active\", \"notes\" AS \"notes\"");
    assert_int_equal(json_array_size(json_object_get(ns, "fields")), 7);
    lh_buf_release(&proj);
    json_decref(ns);
    json_decref(schema);
    json_decref(diff);
    json_decref(d);
    json_decref(f);
}

static void each_column_renamed_once(void **state)
{
    (void)state;
    /* Two removed columns could both match "email_address": only the better one gets it;
     * and "id" is not taken for "customer_id" on its name alone. */
    assert_true(lh__schema_name_score("id", "customer_id", &(double){0}, &(int){0}, &(double){0}) <
                LH__RENAME_THRESHOLD);
    json_t *d = cols("email VARCHAR, e_mail VARCHAR");
    json_t *f = cols("email_address VARCHAR");
    json_t *diff = NULL;
    lh_err err = {{0}};
    assert_int_equal(lh__schema_compare("t", d, f, NULL, NULL, &diff, &err), LH_OK);
    json_t *rn = json_object_get(diff, "renamed");
    assert_int_equal(json_array_size(rn), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rn, 0), "from")), "email");
    assert_true(json_is_null(json_object_get(json_object_get(json_array_get(rn, 0), "evidence"),
                                             "value_overlap")));
    assert_int_equal(json_array_size(json_object_get(diff, "removed")), 1);
    json_decref(diff);
    json_decref(d);
    json_decref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_relations),
        cmocka_unit_test(name_scores),
        cmocka_unit_test(confidence_combines_evidence),
        cmocka_unit_test(diff_shape_and_safety),
        cmocka_unit_test(renames_paired_by_evidence),
        cmocka_unit_test(each_column_renamed_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
