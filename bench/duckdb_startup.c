/* duckdb_startup.c: the DuckDB side of bench/startup.sh: a whole process that opens an
 * in-memory database, runs one SQL statement and prints its first value, which is what
 * the DuckDB CLI does for `duckdb -c "SELECT 1"` minus its shell (the CLI is not
 * installed here; this links the same libduckdb.so that lakehouse uses).
 *
 *   duckdb_startup SQL
 *
 * Not part of the product. */
#include <stdio.h>

#include "duckdb.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: duckdb_startup SQL\n");
        return 2;
    }
    duckdb_database db;
    duckdb_connection con;
    duckdb_result res;
    if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
        fprintf(stderr, "duckdb_startup: cannot open an in-memory database\n");
        return 1;
    }
    int rc = 0;
    if (duckdb_query(con, argv[1], &res) != DuckDBSuccess) {
        fprintf(stderr, "duckdb_startup: %s\n", duckdb_result_error(&res));
        rc = 1;
    } else {
        char *v = duckdb_value_varchar(&res, 0, 0);
        printf("%s\n", v ? v : "NULL");
        duckdb_free(v);
    }
    duckdb_destroy_result(&res);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}
