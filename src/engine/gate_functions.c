/* gate_functions.c: the functions user SQL may call, as data (sql_gate.c decides with it).
 *
 * An allow-list, not a deny-list: a function DuckDB adds in a later version (one that
 * reads a file, runs SQL text or changes state) is refused until someone reviews it and
 * adds it here. tests/unit/test_sql_gate.c checks that every name below exists in the
 * linked DuckDB and prints the functions DuckDB has that this list leaves out.
 *
 * Built from DuckDB 1.4.4's duckdb_functions() (scalar, aggregate and macro names) plus
 * the window-only functions, minus what user SQL must not reach. Left out, and why:
 *   files, SQL text, engine state: read_* and read_text/read_blob, glob, sniff_csv,
 *       query, query_table, json_serialize_sql/_plan, json_deserialize_sql, json_execute_*,
 *       checkpoint, force_checkpoint, enable/disable_logging, truncate_duckdb_logs, write_log,
 *       parse_duckdb_log_message, setseed, nextval, currval, and every duckdb_*, pragma_*,
 *       parquet_*, iceberg_*, delta_* name;
 *   settings and catalog: current_setting, getvariable, getenv, which_secret,
 *       sql_auto_complete, get_block_size, format_type, format_pg_type, map_to_pg_oid,
 *       summary, histogram_values, txid_current, current_transaction_id, pg_* (macros over
 *       duckdb_views() and friends; pg_typeof and pg_size_pretty are kept), has_*_privilege,
 *       col/obj/shobj_description, inet_*_addr/port, icu_collate_* (COLLATE reaches them);
 *   output sized by an argument, built in one call that duckdb_interrupt cannot stop and
 *   that memory_limit does not bound (SELECT len(range(500000000)) ran 60 s and took
 *   17 GB): range and generate_series as scalars (the table functions stream and stay
 *   allowed), repeat, lpad, rpad, list_resize, array_resize, and printf and format, whose
 *   width field does the same (printf('%02000000000d', 1): 21 s and 3.8 GB);
 *   quadratic work on one value, as uninterruptible: levenshtein, damerau_levenshtein,
 *       editdist3, jaro_similarity, jaro_winkler_similarity;
 *   recursion over a JSON value's nesting that overflows the stack and kills the process
 *   (json_structure(repeat('[',100000)||...)): json_structure, json_group_structure,
 *       json_contains, json_pretty, json_merge_patch, json_transform(_strict),
 *       from_json(_strict);
 *   calls by name that would sidestep this list: aggregate, list_aggregate, list_aggr,
 *       array_aggregate, array_aggr; and combine/finalize, which take raw aggregate states. */
#include <stdlib.h>
#include <strings.h>

#include "engine/engine_int.h"

/* Sorted by strcasecmp for bsearch. */
static const char *const allowed_functions[] = {
    "!__postfix", "!~~", "!~~*", "%", "&", "&&", "*", "**", "+", "-", "->>", "/", "//", "<->",
    "<<", "<=>", "<@", ">>", "@", "@>", "^", "^@", "abs", "acos", "acosh", "add", "age",
    "alias", "any_value", "apply", "approx_count_distinct", "approx_quantile", "approx_top_k",
    "arbitrary", "arg_max", "arg_max_null", "arg_min", "arg_min_null", "argmax", "argmin",
    "array_agg", "array_append", "array_apply", "array_cat", "array_concat", "array_contains",
    "array_cosine_distance", "array_cosine_similarity", "array_cross_product", "array_distance",
    "array_distinct", "array_dot_product", "array_extract", "array_filter", "array_grade_up",
    "array_has", "array_has_all", "array_has_any", "array_indexof", "array_inner_product",
    "array_intersect", "array_length", "array_negative_dot_product",
    "array_negative_inner_product", "array_pop_back", "array_pop_front", "array_position",
    "array_prepend", "array_push_back", "array_push_front", "array_reduce", "array_reverse",
    "array_reverse_sort", "array_select", "array_slice", "array_sort", "array_to_json",
    "array_to_string", "array_to_string_comma_default", "array_transform", "array_unique",
    "array_value", "array_where", "array_zip", "ascii", "asin", "asinh", "atan", "atan2",
    "atanh", "avg", "bar", "base64", "bin", "bit_and", "bit_count", "bit_length", "bit_or",
    "bit_position", "bit_xor", "bitstring", "bitstring_agg", "bool_and", "bool_or",
    "can_cast_implicitly", "cardinality", "cast_to_type", "cbrt", "ceil", "ceiling", "century",
    "char_length", "character_length", "chr", "concat", "concat_ws", "constant_or_null",
    "contains", "corr", "cos", "cosh", "cot", "count", "count_if", "count_star", "countif",
    "covar_pop", "covar_samp", "create_sort_key", "cume_dist", "current_catalog",
    "current_connection_id", "current_database", "current_date", "current_localtime",
    "current_localtimestamp", "current_query", "current_query_id", "current_role",
    "current_schema", "current_schemas", "current_user", "date_add", "date_diff", "date_part",
    "date_sub", "date_trunc", "datediff", "datepart", "datesub", "datetrunc", "day", "dayname",
    "dayofmonth", "dayofweek", "dayofyear", "decade", "decode", "degrees", "dense_rank",
    "divide", "element_at", "encode", "ends_with", "entropy", "enum_code", "enum_first",
    "enum_last", "enum_range", "enum_range_boundary", "epoch", "epoch_ms", "epoch_ns",
    "epoch_us", "equi_width_bins", "era", "error", "even", "exp", "factorial", "favg", "fdiv",
    "fill", "filter", "first", "first_value", "flatten", "floor", "fmod",
    "format_bytes", "formatReadableDecimalSize", "formatReadableSize", "from_base64",
    "from_binary", "from_hex", "fsum", "gamma", "gcd", "gen_random_uuid", "generate_subscripts",
    "geomean", "geometric_mean", "get_bit", "get_current_time", "get_current_timestamp",
    "grade_up", "greatest", "greatest_common_divisor", "group_concat", "hamming", "hash", "hex",
    "histogram", "histogram_exact", "hour", "icu_sort_key", "ilike_escape", "in_search_path",
    "instr", "is_histogram_other_bin", "isfinite", "isinf", "isnan", "isodow", "isoyear",
    "jaccard", "json", "json_array", "json_array_length", "json_exists", "json_extract",
    "json_extract_path", "json_extract_path_text", "json_extract_string", "json_group_array",
    "json_group_object", "json_keys", "json_object", "json_quote", "json_type", "json_valid",
    "json_value", "julian", "kahan_sum", "kurtosis", "kurtosis_pop", "lag", "last", "last_day",
    "last_value", "lcase", "lcm", "lead", "least", "least_common_multiple", "left",
    "left_grapheme", "len", "length", "length_grapheme", "lgamma", "like_escape", "list",
    "list_any_value", "list_append", "list_apply", "list_approx_count_distinct", "list_avg",
    "list_bit_and", "list_bit_or", "list_bit_xor", "list_bool_and", "list_bool_or", "list_cat",
    "list_concat", "list_contains", "list_cosine_distance", "list_cosine_similarity",
    "list_count", "list_distance", "list_distinct", "list_dot_product", "list_element",
    "list_entropy", "list_extract", "list_filter", "list_first", "list_grade_up", "list_has",
    "list_has_all", "list_has_any", "list_histogram", "list_indexof", "list_inner_product",
    "list_intersect", "list_kurtosis", "list_kurtosis_pop", "list_last", "list_mad", "list_max",
    "list_median", "list_min", "list_mode", "list_negative_dot_product",
    "list_negative_inner_product", "list_pack", "list_position", "list_prepend", "list_product",
    "list_reduce", "list_reverse", "list_reverse_sort", "list_select", "list_sem",
    "list_skewness", "list_slice", "list_sort", "list_stddev_pop", "list_stddev_samp",
    "list_string_agg", "list_sum", "list_transform", "list_unique", "list_value",
    "list_var_pop", "list_var_samp", "list_where", "list_zip", "listagg", "ln", "log", "log10",
    "log2", "lower", "ltrim", "mad", "make_date", "make_time", "make_timestamp",
    "make_timestamp_ms", "make_timestamp_ns", "make_timestamptz", "map", "map_concat",
    "map_contains", "map_contains_entry", "map_contains_value", "map_entries", "map_extract",
    "map_extract_value", "map_from_entries", "map_keys", "map_values", "max", "max_by", "md5",
    "md5_number", "md5_number_lower", "md5_number_upper", "mean", "median", "microsecond",
    "millennium", "millisecond", "min", "min_by", "minute", "mismatches", "mod", "mode",
    "month", "monthname", "multiply", "nanosecond", "nextafter", "nfc_normalize",
    "normalized_interval", "not_ilike_escape", "not_like_escape", "now", "nth_value", "ntile",
    "nullif", "octet_length", "ord", "parse_dirname", "parse_dirpath", "parse_filename",
    "parse_path", "percent_rank", "pg_size_pretty", "pg_typeof", "pi", "position", "pow",
    "power", "prefix", "product", "quantile", "quantile_cont", "quantile_disc",
    "quarter", "radians", "random", "rank", "reduce", "regexp_escape", "regexp_extract",
    "regexp_extract_all", "regexp_full_match", "regexp_matches", "regexp_replace",
    "regexp_split_to_array", "regexp_split_to_table", "regr_avgx", "regr_avgy", "regr_count",
    "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy",
    "remap_struct", "replace", "replace_type", "reservoir_quantile", "reverse", "right",
    "right_grapheme", "round", "round_even", "roundbankers", "row", "row_number", "row_to_json",
    "rtrim", "second", "sem", "session_user", "set_bit", "sha1", "sha256", "sign", "signbit",
    "sin", "sinh", "skewness", "split", "split_part", "sqrt", "starts_with", "stats", "stddev",
    "stddev_pop", "stddev_samp", "str_split", "str_split_regex", "strftime", "string_agg",
    "string_split", "string_split_regex", "string_to_array", "strip_accents", "strlen",
    "strpos", "strptime", "struct_concat", "struct_contains", "struct_extract",
    "struct_extract_at", "struct_has", "struct_indexof", "struct_insert", "struct_pack",
    "struct_position", "struct_update", "substr", "substring", "substring_grapheme", "subtract",
    "suffix", "sum", "sum_no_overflow", "sumkahan", "tan", "tanh", "time_bucket",
    "timetz_byte_comparable", "timezone", "timezone_hour", "timezone_minute", "to_base",
    "to_base64", "to_binary", "to_centuries", "to_days", "to_decades", "to_hex", "to_hours",
    "to_json", "to_microseconds", "to_millennia", "to_milliseconds", "to_minutes", "to_months",
    "to_quarters", "to_seconds", "to_timestamp", "to_weeks", "to_years", "today",
    "transaction_timestamp", "translate", "trim", "trunc", "try_strptime", "typeof", "ucase",
    "unbin", "unhex", "unicode", "union_extract", "union_tag", "union_value", "unpivot_list",
    "upper", "url_decode", "url_encode", "user", "uuid", "uuid_extract_timestamp",
    "uuid_extract_version", "uuidv4", "uuidv7", "var_pop", "var_samp", "variance",
    "variant_extract", "variant_typeof", "vector_type", "version", "wavg", "week", "weekday",
    "weekofyear", "weighted_avg", "xor", "year", "yearweek", "|", "||", "~", "~~", "~~*", "~~~",
};

static int cmp_name(const void *key, const void *elem)
{
    return strcasecmp((const char *)key, *(const char *const *)elem);
}

bool lh__gate_function_allowed(const char *name)
{
    return bsearch(name, allowed_functions, sizeof allowed_functions / sizeof *allowed_functions,
                   sizeof *allowed_functions, cmp_name) != NULL;
}

const char *const *lh__gate_allowed_functions(size_t *n)
{
    *n = sizeof allowed_functions / sizeof *allowed_functions;
    return allowed_functions;
}
