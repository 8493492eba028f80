/* gen_candidates.c: writes the benchmark's input CSVs, deterministically.
 *
 *   gen_candidates OUTDIR [ROWS]
 *
 * OUTDIR/candidates.csv  ROWS rows (default 1,000,000), 15 columns of mixed types
 * OUTDIR/recruiters.csv  500 rows: recruiter_id, name, office (the join's other side)
 *
 * Every value is a pure function of the row number and SEED through DuckDB's hash(),
 * so two runs (on any machine, same DuckDB version) write the same bytes. Rows are
 * written in id order (preserve_insertion_order is on by default). Each file is written
 * under a temporary name and renamed, so an interrupted run never leaves a short file
 * that the next run would take for finished data.
 *
 * Built and run by bench/run_all.sh; not part of the product. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duckdb.h"

#define SEED "20250601"

/* H(k): a pseudo-random non-negative BIGINT for this row and salt k. */
#define H(k) "CAST(hash(i, " SEED ", " #k ") >> 1 AS BIGINT)"

static const char *candidates_sql =
    "WITH w AS (SELECT "
    "  ['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David',"
    "   'Elizabeth','William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah',"
    "   'Carlos','Karen','Priya','Wei','Fatima','Olusegun','Yuki','Ana','Mohammed','Sofia',"
    "   'Dmitri','Chloe','Mateo','Aisha','Liam','Noah','Emma','Olivia','Ava','Lucas','Mia',"
    "   'Hiroshi'] AS fn,"
    "  ['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez',"
    "   'Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore',"
    "   'Jackson','Martin','Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Nguyen',"
    "   'Patel','Kim','Chen','Okafor','Kowalski','Tanaka','Rossi','Müller','O''Brien',"
    "   'Van der Berg','Silva','Singh'] AS ln,"
    "  ['gmail.com','yahoo.com','outlook.com','proton.me','example.org','mail.com'] AS dom,"
    "  [['New York','NY'],['Los Angeles','CA'],['Chicago','IL'],['Houston','TX'],"
    "   ['Phoenix','AZ'],['Philadelphia','PA'],['San Antonio','TX'],['San Diego','CA'],"
    "   ['Dallas','TX'],['San Jose','CA'],['Austin','TX'],['Jacksonville','FL'],"
    "   ['Columbus','OH'],['Charlotte','NC'],['Indianapolis','IN'],['San Francisco','CA'],"
    "   ['Seattle','WA'],['Denver','CO'],['Boston','MA'],['Nashville','TN'],['Portland','OR'],"
    "   ['Las Vegas','NV'],['Detroit','MI'],['Atlanta','GA'],['Miami','FL'],"
    "   ['Minneapolis','MN'],['Raleigh','NC'],['Salt Lake City','UT'],['Pittsburgh','PA'],"
    "   ['St. Louis','MO']] AS place,"
    "  ['Python','Java','SQL','JavaScript','TypeScript','Go','Rust','C','C++','Kubernetes',"
    "   'Docker','AWS','Azure','GCP','Terraform','React','Node.js','Spark','Kafka','Airflow',"
    "   'PostgreSQL','MongoDB','Redis','Linux','Machine Learning','PyTorch','Tableau','Excel',"
    "   'Salesforce','Project Management','Agile','Scrum','Figma','Swift','Kotlin'] AS sk,"
    "  ['Software Engineer','Data Engineer','Data Analyst','DevOps Engineer','Product Manager',"
    "   'QA Engineer','Data Scientist','Frontend Developer','Backend Developer',"
    "   'Site Reliability Engineer','Business Analyst','Solutions Architect','UX Designer',"
    "   'Mobile Developer','Security Engineer'] AS role,"
    "  ['Led a migration to the cloud that cut hosting costs by a third.',"
    "   'Mentored junior engineers and ran weekly code reviews.',"
    "   'Built real-time dashboards used by the executive team.',"
    "   'Shipped a customer-facing API serving millions of requests a day.',"
    "   'Automated release pipelines and reduced deployment time from hours to minutes.',"
    "   'Designed a reporting warehouse for finance and operations.',"
    "   'Looking for a remote-friendly team with strong engineering culture.',"
    "   'Open to relocation; prefers hybrid work.',"
    "   'Holds an active security clearance.',"
    "   'Career changer from teaching, completed an intensive bootcamp.',"
    "   'Contributed to several open-source projects.',"
    "   'Managed vendor relationships and a budget of two million dollars.'] AS phrase,"
    "  ['Junior','Mid-level','Senior','Staff','Principal','Lead'] AS level,"
    "  ['new','screening','interview','offer','hired','rejected','withdrawn'] AS st"
    "), r AS (SELECT i, w.*,"
    "  1 + " H(1) " % 40 AS f, 1 + " H(2) " % 40 AS l, 1 + " H(3) " % 30 AS p,"
    "  CAST(" H(4) " % 31 AS INTEGER) AS yrs"
    "  FROM range(0, $rows) t(i), w"
    ") SELECT"
    "  i + 1 AS id,"
    "  fn[f] AS first_name,"
    "  ln[l] AS last_name,"
    "  lower(fn[f]) || '.' || lower(replace(replace(ln[l], ' ', ''), '''', '')) || CAST(i + 1 AS VARCHAR)"
    "    || '@' || dom[1 + " H(5) " % 6] AS email,"
    "  CASE WHEN " H(6) " % 50 = 0 THEN NULL ELSE"
    "    '(' || CAST(200 + " H(7) " % 800 AS VARCHAR) || ') ' || CAST(200 + " H(8) " % 800 AS VARCHAR)"
    "    || '-' || lpad(CAST(" H(9) " % 10000 AS VARCHAR), 4, '0') END AS phone,"
    "  place[p][1] AS city,"
    "  place[p][2] AS state,"
    "  concat_ws(', ', sk[1 + " H(10) " % 35], sk[1 + " H(11) " % 35],"
    "    CASE WHEN " H(12) " % 3 > 0 THEN sk[1 + " H(13) " % 35] END,"
    "    CASE WHEN " H(14) " % 3 = 2 THEN sk[1 + " H(15) " % 35] END) AS skills,"
    "  yrs AS years_experience,"
    "  CASE WHEN " H(16) " % 40 = 0 THEN NULL ELSE"
    "    round(45000 + yrs * 3500 + " H(17) " % 60000 + (" H(18) " % 100) / 100.0, 2) END"
    "    AS salary_expectation,"
    "  st[1 + CAST(least(" H(19) " % 20, " H(20) " % 20) AS INTEGER) % 7] AS status,"
    "  CAST(1 + " H(21) " % 500 AS INTEGER) AS recruiter_id,"
    "  TIMESTAMP '2019-01-01 00:00:00' + to_seconds(CAST(" H(22) " % 189216000 AS BIGINT))"
    "    AS created_at,"
    "  " H(23) " % 10 < 7 AS is_active,"
    "  level[1 + least(yrs // 5, 5)] || ' ' || role[1 + " H(24) " % 15] || ' with '"
    "    || CAST(yrs AS VARCHAR) || ' years of experience in ' || sk[1 + " H(25) " % 35]"
    "    || ' and ' || sk[1 + (" H(25) " % 35 + 1 + " H(26) " % 34) % 35] || '. ' || phrase[1 + " H(27) " % 12]"
    "    || CASE WHEN " H(28) " % 4 = 0"
    "       THEN ' ' || phrase[1 + (" H(27) " % 12 + 1 + " H(29) " % 11) % 12] ELSE '' END"
    "    AS resume_text"
    " FROM r ORDER BY i";

static const char *recruiters_sql =
    "SELECT CAST(i AS INTEGER) AS recruiter_id,"
    "  ['Alex','Jordan','Taylor','Morgan','Casey','Riley','Jamie','Avery','Quinn','Drew']"
    "    [1 + CAST(hash(i, " SEED ", 101) % 10 AS BIGINT)] || ' ' ||"
    "  ['Reed','Hayes','Brooks','Price','Ward','Foster','Gray','Hughes','Long','Bell']"
    "    [1 + CAST(hash(i, " SEED ", 102) % 10 AS BIGINT)] AS name,"
    "  ['New York','San Francisco','Chicago','Austin','Remote','London','Toronto','Atlanta']"
    "    [1 + CAST(hash(i, " SEED ", 103) % 8 AS BIGINT)] AS office"
    " FROM range(1, 501) t(i) ORDER BY i";

static int run(duckdb_connection con, const char *sql)
{
    duckdb_result res;
    if (duckdb_query(con, sql, &res) == DuckDBError) {
        fprintf(stderr, "gen_candidates: %s\n", duckdb_result_error(&res));
        duckdb_destroy_result(&res);
        return 1;
    }
    duckdb_destroy_result(&res);
    return 0;
}

/* COPY (select) TO dir/name.tmp, then rename to dir/name. */
static int write_csv(duckdb_connection con, const char *select, const char *dir, const char *name)
{
    char path[4096], tmp[4096];
    int n1 = snprintf(path, sizeof path, "%s/%s", dir, name);
    int n2 = snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof tmp) {
        fprintf(stderr, "gen_candidates: output path too long\n");
        return 1;
    }
    size_t need = strlen(select) + 2 * strlen(tmp) + 128;
    char *sql = malloc(need);
    if (!sql)
        return 1;
    /* The paths come from the caller's OUTDIR; refuse a quote rather than escape it. */
    if (strchr(tmp, '\'')) {
        fprintf(stderr, "gen_candidates: output path may not contain a quote\n");
        free(sql);
        return 1;
    }
    snprintf(sql, need, "COPY (%s) TO '%s' (FORMAT csv, HEADER true)", select, tmp);
    int rc = run(con, sql);
    free(sql);
    if (!rc && rename(tmp, path)) {
        perror("gen_candidates: rename");
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_candidates OUTDIR [ROWS]\n");
        return 2;
    }
    long long rows = 1000000;
    if (argc == 3) {
        char *end;
        rows = strtoll(argv[2], &end, 10);
        if (*end || rows < 1) {
            fprintf(stderr, "gen_candidates: ROWS must be a positive whole number\n");
            return 2;
        }
    }
    char rows_text[32];
    snprintf(rows_text, sizeof rows_text, "%lld", rows);

    /* Substitute $rows: the one parameter of the candidates query. */
    const char *mark = strstr(candidates_sql, "$rows");
    size_t need = strlen(candidates_sql) + sizeof rows_text;
    char *cand = malloc(need);
    if (!cand || !mark)
        return 1;
    snprintf(cand, need, "%.*s%s%s", (int)(mark - candidates_sql), candidates_sql, rows_text,
             mark + strlen("$rows"));

    duckdb_database db;
    duckdb_connection con;
    if (duckdb_open(NULL, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
        fprintf(stderr, "gen_candidates: cannot open DuckDB\n");
        free(cand);
        return 1;
    }
    int rc = write_csv(con, recruiters_sql, argv[1], "recruiters.csv");
    if (!rc)
        rc = write_csv(con, cand, argv[1], "candidates.csv");
    free(cand);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return rc;
}
