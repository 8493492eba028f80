/* demo.h: the staffing-agency demo data set (DESIGN.md §7 phase 2).
 *
 * A deterministic, seeded generator of a fictional staffing agency in seven tables:
 * recruiters, clients, candidates, job_orders, placements, timesheets, call_logs (about
 * 2.47 million rows at scale 1). Every foreign key resolves, dates fall in 2019-2026, the
 * PII columns (names, emails, NANP phones, SSNs, street addresses, salaries) look real,
 * and resumes, job descriptions and call notes are varied free text for search.
 *
 * The generator uses only integer arithmetic and IEEE-exact double operations (+ - * /
 * sqrt), so the same scale writes byte-identical CSV files on every machine; a second
 * load into the same data directory is therefore deduplicated by the ingest pipeline.
 * Loading goes through lh_lake_ingest, the same path as `lakehouse ingest`.
 * Not thread-safe; one call at a time per data directory (the caller holds the writer
 * lock through its lh_lake). */
#ifndef LH_DEMO_DEMO_H
#define LH_DEMO_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "ingest/ingest.h"
#include "lake/lake.h"

#define LH_DEMO_NTABLES 7
#define LH_DEMO_MAX_SCALE 20.0

/* Progress of one table: phase is "generate" or "ingest"; done/total count rows (an
 * ingest reports done = 0 when it starts and done = total when it ends). Called from
 * the calling thread; must not call back into this module. */
typedef void (*lh_demo_progress_fn)(void *ctx, const char *table, const char *phase,
                                    int64_t done, int64_t total);

typedef struct lh_demo_options {
    double scale;                 /* row-count multiplier, in (0, LH_DEMO_MAX_SCALE] */
    lh_demo_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} lh_demo_options;

typedef struct lh_demo_table {
    const char *name;        /* static string: the CSV stem and the dataset name */
    int64_t rows;            /* rows written */
    double generate_ms;      /* time to write the CSV file */
    double ingest_ms;        /* time spent in lh_lake_ingest (0 when only writing) */
    lh_ingest_result ingest; /* filled by lh_demo_load; zeroed otherwise */
} lh_demo_table;

/* Tables in load order (parents before children). */
typedef struct lh_demo_report {
    lh_demo_table tables[LH_DEMO_NTABLES];
    double total_ms;         /* wall time of the whole call */
    bool loaded;             /* lh_demo_load filled the ingest results */
} lh_demo_report;

/* Rows table will have at scale: max(1, round(base * scale)); -1 for an unknown table.
 * Every table hits its count exactly (timesheets too, except at scales so small that the
 * placements cannot hold that many weeks). */
int64_t lh_demo_rows(const char *table, double scale);

/* Writes the seven CSV files (<dir>/<table>.csv, dir must exist) and fills rep's names,
 * rows and generate_ms. Release rep with lh_demo_report_release. */
lh_status lh_demo_write(const lh_demo_options *opts, const char *dir, lh_demo_report *rep,
                        lh_err *err);

/* Writes the CSVs into a fresh temporary directory ($TMPDIR or /tmp), then ingests each
 * into the dataset of the same name through lh_lake_ingest, and removes the temporary
 * files. Refuses with LH_ECONFLICT, before ingesting anything, when one of the seven
 * datasets already exists with other content (an earlier load at another scale, or a
 * user's own table of that name): appending would break the foreign keys. Loading the
 * same scale again succeeds and every table reports deduplicated. */
lh_status lh_demo_load(lh_lake *lake, const lh_demo_options *opts, lh_demo_report *rep,
                       lh_err *err);

/* Where lh_demo_load_to sends the tables (a running server, for the CLI while one holds
 * the data directory). history: the dataset's commits as lh_lake_history gives them
 * (caller frees), LH_ENOTFOUND when there is no such dataset. ingest: one CSV into the
 * dataset req->name, filling res as lh_lake_ingest does. */
typedef struct lh_demo_sink {
    lh_status (*history)(void *ctx, const char *name, json_t **hist, lh_err *err);
    lh_status (*ingest)(void *ctx, const lh_ingest_request *req, lh_ingest_result *res,
                        lh_err *err);
    void *ctx;
} lh_demo_sink;

/* lh_demo_load through sink instead of an opened lake: the same files, the same refusal
 * of a data directory holding other data, the same report. */
lh_status lh_demo_load_to(const lh_demo_sink *sink, const lh_demo_options *opts,
                          lh_demo_report *rep, lh_err *err);

void lh_demo_report_release(lh_demo_report *rep);

#endif
