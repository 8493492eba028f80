/* columns.c: names, SQL type names and rendering kinds of a prepared statement's result
 * columns (the C API has no type-to-string, so type_name spells them). */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engine/engine_int.h"

static void type_name(duckdb_logical_type t, lh_buf *out);

static void child_type_name(duckdb_logical_type child, lh_buf *out)
{
    type_name(child, out);
    duckdb_destroy_logical_type(&child);
}

/* DuckDB's SQL spelling of a logical type (the C API has no to-string), appended to the
 * caller's builder, which checks it once when done. */
static void type_name(duckdb_logical_type t, lh_buf *out)
{
    static const struct { duckdb_type id; const char *name; } simple[] = {
        {DUCKDB_TYPE_BOOLEAN, "BOOLEAN"}, {DUCKDB_TYPE_TINYINT, "TINYINT"},
        {DUCKDB_TYPE_SMALLINT, "SMALLINT"}, {DUCKDB_TYPE_INTEGER, "INTEGER"},
        {DUCKDB_TYPE_BIGINT, "BIGINT"}, {DUCKDB_TYPE_UTINYINT, "UTINYINT"},
        {DUCKDB_TYPE_USMALLINT, "USMALLINT"}, {DUCKDB_TYPE_UINTEGER, "UINTEGER"},
        {DUCKDB_TYPE_UBIGINT, "UBIGINT"}, {DUCKDB_TYPE_FLOAT, "FLOAT"},
        {DUCKDB_TYPE_DOUBLE, "DOUBLE"}, {DUCKDB_TYPE_TIMESTAMP, "TIMESTAMP"},
        {DUCKDB_TYPE_DATE, "DATE"}, {DUCKDB_TYPE_TIME, "TIME"},
        {DUCKDB_TYPE_INTERVAL, "INTERVAL"}, {DUCKDB_TYPE_HUGEINT, "HUGEINT"},
        {DUCKDB_TYPE_UHUGEINT, "UHUGEINT"}, {DUCKDB_TYPE_VARCHAR, "VARCHAR"},
        {DUCKDB_TYPE_BLOB, "BLOB"}, {DUCKDB_TYPE_TIMESTAMP_S, "TIMESTAMP_S"},
        {DUCKDB_TYPE_TIMESTAMP_MS, "TIMESTAMP_MS"}, {DUCKDB_TYPE_TIMESTAMP_NS, "TIMESTAMP_NS"},
        {DUCKDB_TYPE_UUID, "UUID"}, {DUCKDB_TYPE_BIT, "BIT"},
        {DUCKDB_TYPE_TIME_TZ, "TIME WITH TIME ZONE"},
        {DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE"},
        {DUCKDB_TYPE_ENUM, "ENUM"}, {DUCKDB_TYPE_SQLNULL, "NULL"},
    };
    duckdb_type id = duckdb_get_type_id(t);
    switch (id) {
    case DUCKDB_TYPE_DECIMAL:
        lh_buf_printf(out, "DECIMAL(%u,%u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
        return;
    case DUCKDB_TYPE_LIST:
        child_type_name(duckdb_list_type_child_type(t), out);
        lh_buf_adds(out, "[]");
        return;
    case DUCKDB_TYPE_ARRAY:
        child_type_name(duckdb_array_type_child_type(t), out);
        lh_buf_printf(out, "[%llu]", (unsigned long long)duckdb_array_type_array_size(t));
        return;
    case DUCKDB_TYPE_MAP:
        lh_buf_adds(out, "MAP(");
        child_type_name(duckdb_map_type_key_type(t), out);
        lh_buf_adds(out, ", ");
        child_type_name(duckdb_map_type_value_type(t), out);
        lh_buf_adds(out, ")");
        return;
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
        bool is_struct = id == DUCKDB_TYPE_STRUCT;
        idx_t n = is_struct ? duckdb_struct_type_child_count(t) : duckdb_union_type_member_count(t);
        lh_buf_adds(out, is_struct ? "STRUCT(" : "UNION(");
        for (idx_t i = 0; i < n; i++) {
            char *name = is_struct ? duckdb_struct_type_child_name(t, i) : duckdb_union_type_member_name(t, i);
            if (i)
                lh_buf_adds(out, ", ");
            lh_buf_add_sql_ident(out, name ? name : "");
            lh_buf_addc(out, ' ');
            duckdb_free(name);
            child_type_name(is_struct ? duckdb_struct_type_child_type(t, i)
                                      : duckdb_union_type_member_type(t, i), out);
        }
        lh_buf_adds(out, ")");
        return;
    }
    default:
        for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
            if (simple[i].id == id) {
                lh_buf_adds(out, simple[i].name);
                return;
            }
        lh_buf_adds(out, "UNKNOWN");
    }
}

static lh_cell_kind kind_of(duckdb_type id)
{
    switch (id) {
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
        return LH_CELL_NUMBER;
    case DUCKDB_TYPE_BOOLEAN:
        return LH_CELL_BOOL;
    case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_ARRAY: case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_UNION:
        return LH_CELL_JSON;
    default:
        return LH_CELL_STRING;
    }
}

void lh__columns_release(lh__columns *c)
{
    for (size_t i = 0; c->owned && i < 2 * c->n; i++) /* owned is NULL when its calloc failed */
        free(c->owned[i]);
    free(c->owned);
    free(c->cols);
}

lh_status lh__columns_load(duckdb_prepared_statement prep, lh__columns *c, lh_err *err)
{
    c->n = duckdb_prepared_statement_column_count(prep);
    c->cols = lh_calloc(c->n ? c->n : 1, sizeof *c->cols);
    c->owned = lh_calloc(c->n ? 2 * c->n : 1, sizeof *c->owned);
    if (!c->cols || !c->owned)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(prep, i);
        lh_buf tn;
        lh_buf_init(&tn, 1 << 16);
        type_name(lt, &tn);
        lh_status st = lh_buf_status(&tn);
        c->cols[i].kind = kind_of(duckdb_get_type_id(lt));
        duckdb_destroy_logical_type(&lt);
        const char *name = duckdb_prepared_statement_column_name(prep, i);
        c->owned[2 * i] = lh_strdup(name ? name : "");
        duckdb_free((void *)name); /* the C API hands out a copy */
        c->owned[2 * i + 1] = lh_buf_detach(&tn);
        if (st == LH_ETOOBIG)
            return lh_fail(err, st, "result column %zu: type name over %d bytes", i + 1, 1 << 16);
        if (!c->owned[2 * i] || !c->owned[2 * i + 1])
            return lh_fail(err, LH_ENOMEM, "out of memory");
        c->cols[i].name = c->owned[2 * i];
        c->cols[i].type = c->owned[2 * i + 1];
    }
    return LH_OK;
}

