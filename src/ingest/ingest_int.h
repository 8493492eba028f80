/* ingest_int.h: pieces of the ingest pipeline shared by its files. */
#ifndef LH_INGEST_INGEST_INT_H
#define LH_INGEST_INGEST_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "catalog/catalog.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "storage/storage.h"
#include "table/table.h"

/* The one check a builder makes, after its last append: lh_buf errors are sticky
 * (core/buf.h), so the appends before it go unchecked. LH_OK, or the buffer's first
 * failure with a message naming what was being built ("the SQL reading the file"). Every
 * string an ingest builds is checked so before it is used: an empty or cut statement
 * must never run. */
lh_status lh__ingest_built(const lh_buf *b, const char *what, lh_err *err);

/* Decides the format ("csv", "json", "ndjson") from the request, the extension and the
 * first bytes; refuses empty files, binary content and files whose bytes contradict
 * their extension. */
lh_status lh__ingest_detect_format(const char *path, const char *shown, const char *requested,
                                   char out[16], lh_err *err);

/* Stages src at dst (created exclusively; scratch, so not fsynced). With sha non-NULL the
 * bytes are copied and hashed on the way; without, a regular file on the same filesystem
 * is hard-linked (instant), else the kernel copies it (copy_file_range). */
lh_status lh__ingest_stage_copy(const char *src, const char *dst, char sha[65], int64_t *size,
                                lh_err *err);

/* ---- decode.c: decompression and conversion to UTF-8 while staging ---- */

/* Decompressed bytes below LH_INGEST_INFLATE_FREE are always allowed; past it the output
 * may not exceed LH_INGEST_INFLATE_RATIO times the compressed bytes read so far (real CSV
 * and JSON compress 3-20x; a bomb 1000x), nor LH_INGEST_INFLATE_MAX in all. */
#define LH_INGEST_INFLATE_FREE ((int64_t)16 << 20)
#define LH_INGEST_INFLATE_RATIO 100
#define LH_INGEST_INFLATE_MAX ((int64_t)64 << 30)

/* "gzip", "zstd", "bzip2" or "xz" when p starts with that format's magic bytes, else NULL. */
const char *lh__ingest_compression(const unsigned char *p, size_t n);
/* Length of the longest valid UTF-8 prefix of p; *truncated when what stops it is a
 * sequence cut by the end of p. */
size_t lh__utf8_valid_prefix(const unsigned char *p, size_t n, bool *truncated);
/* The encoding of a sample (a file's first bytes; eof: the whole file): a byte-order mark
 * (its length into *bom), UTF-16 told by zero bytes in every other position, valid UTF-8,
 * else "windows-1252" ("iso-8859-1" when a byte 1252 leaves undefined appears), unless over
 * 1% of the bytes are control characters: "binary". Returns "utf-8", "utf-16le",
 * "utf-16be", "windows-1252", "iso-8859-1" or "binary" (static strings). */
const char *lh__ingest_sniff_encoding(const unsigned char *p, size_t n, bool eof, size_t *bom);
/* The canonical name for a user's --encoding value (utf8, latin1, cp1252 ...), or NULL. */
const char *lh__ingest_encoding_name(const char *name);

typedef struct lh__decode_opts {
    bool decompress;        /* decompress when the magic bytes say so */
    bool encode;            /* convert to UTF-8 (not for PDF and XML, which carry their own) */
    bool text;              /* refuse a NUL byte in the output */
    const char *encoding;   /* the user's --encoding, or NULL to detect */
} lh__decode_opts;

typedef struct lh__decode_info {
    char compression[8];    /* "" or gzip|zstd|bzip2|xz */
    char encoding[16];      /* "" (bytes kept as they are) or the source encoding */
    bool bom;               /* a byte-order mark was dropped */
    int64_t in_bytes, out_bytes;
} lh__decode_info;

/* Reads in_fd to its end once: SHA-256 of the bytes as read into sha, decompression, the
 * encoding decided on the first 64 KiB of content and applied to all (UTF-8 is validated
 * throughout), the result written to out_fd (-1: nothing written, only checked).
 * Errors are one line naming the byte offset and line (of the decompressed content) and
 * the fix. Thread-safe (no shared state). */
lh_status lh__ingest_decode(int in_fd, int out_fd, const lh__decode_opts *o, char sha[65],
                            lh__decode_info *info, lh_err *err);

/* Hashing a staged file on a helper thread: start, then wait for the hex digest. The
 * wait has the shape of lh__staged.await_sha. Free after waiting (or to abandon). */
typedef struct lh__hash_job lh__hash_job;
/* With text, lh__hash_wait fails (LH_EINVAL, naming the offset) when the file holds a
 * NUL byte anywhere: found in the same pass that hashes it. */
/* With utf8 too, it fails naming the first byte that is not valid UTF-8. */
lh_status lh__hash_start(const char *path, bool text, bool utf8, lh__hash_job **out, lh_err *err);
lh_status lh__hash_wait(void *ctx, char sha[65], lh_err *err);
void lh__hash_free(lh__hash_job *h);

/* The DuckDB table-function call that reads the staged file, e.g. read_csv('...', ...),
 * after sniffing and checking CSV dialect problems (ragged rows, duplicate headers).
 * options receives the parse options used (for lineage). */
/* LH_EINVAL naming the byte offset when the JSON file at path nests arrays and objects
 * deeper than max_depth (strings are skipped; the JSON need not be valid). */
#define LH_JSON_MAX_DEPTH 1000
lh_status lh__json_depth_check(const char *path, int max_depth, lh_err *err);

lh_status lh__ingest_source_sql(lh_engine *eng, const char *format, const char *staged,
                                const lh_ingest_csv *csv, lh_buf *source, json_t *options,
                                lh_err *err);

/* Builds the projection that makes the source Delta-safe: nested objects flattened to
 * parent_child, arrays/maps as JSON text, names without " ,;{}()\n\t=", and types
 * Delta can hold. renames receives {"from","to"} objects. columns (may be NULL)
 * receives the SELECT list's [{"name","type"}] as DESCRIBE would give them, caller frees,
 * or NULL when a struct was flattened (then DESCRIBE the projection). */
lh_status lh__ingest_projection(lh_engine *eng, const char *source, lh_buf *projection,
                                json_t *renames, json_t **columns, lh_err *err);
/* The same from a description already at hand: rows is [[name, DuckDB type], ...] as
 * DESCRIBE gives them. Names: unsafe characters become '_', a nested field is
 * parent_child; two top-level names equal but for case are refused; a flattened name
 * that another column already has gets the first free suffix _2, _3, ... (top-level
 * names are taken first, then flattened ones in column order). */
lh_status lh__ingest_project_columns(const json_t *rows, lh_buf *projection, json_t *renames,
                                     lh_err *err);

/* lh_ingest_scan_pii (ingest.h) of a file just written, whose columns ([{"name","type"}])
 * and row count are known; flags are added to the manifest's (replace false). */
lh_status lh__ingest_scan_pii_file(lh_engine *eng, const char *from_sql, const json_t *columns,
                                   int64_t rows, json_t *manifest, lh_err *err);

/* Delta "stats" JSON (numRecords, minValues, maxValues, nullCount) of a Parquet file,
 * read from its footer in one statement; *rows receives the row count read back. */
lh_status lh__ingest_file_stats(lh_engine *eng, const char *parquet_path, json_t *columns,
                                int64_t *rows, char **stats_json, lh_err *err);

/* Turns a staged original (text, SMS XML, PDF, ...) into NDJSON rows at out_path.
 * columns receives [{"name","type"}] with DuckDB types, in order; lineage receives extra
 * lineage facts (title, pages, warnings ...), merged into the manifest's lineage. source_name
 * is the original file name (for a "source" column). */
typedef lh_status (*lh__converter_fn)(const char *in_path, const char *source_name,
                                      const char *out_path, json_t *columns,
                                      json_t *lineage, lh_err *err);

/* The converter for a detected format, or NULL when DuckDB reads the file itself. */
lh__converter_fn lh__ingest_converter(const char *format);

/* Maps the file at path read-only for a converter: *map is NULL for an empty file; the
 * caller unmaps with munmap(*map, *len). */
lh_status lh__ingest_map(const char *path, void **map, size_t *len, lh_err *err);

/* The converters (one file each: text.c, sms.c, pdf.c); see docs/CLI.md for their rows. */
lh_status lh__convert_text(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                           json_t *lineage, lh_err *err);
lh_status lh__convert_sms(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                          json_t *lineage, lh_err *err);
/* Log and line files (lines.c): a row per non-blank line, parsed columns for a known
 * log shape. */
lh_status lh__convert_lines(const char *in_path, const char *source_name, const char *out_path,
                            json_t *columns, json_t *lineage, lh_err *err);
/* The log-shape parsers (lines.c): each fills row with its parsed columns and returns true
 * when line (NUL-terminated, no line ending) has its shape. */
bool lh__lines_json(const char *line, json_t *row);
bool lh__lines_syslog5424(const char *line, json_t *row);
bool lh__lines_syslog3164(const char *line, json_t *row);
bool lh__lines_combined(const char *line, json_t *row);
bool lh__lines_app(const char *line, json_t *row);
/* Length of the ISO 8601 date-time at s (0 if none); out (40 bytes) gets it normalised. */
size_t lh__lines_iso_time(const char *s, char *out);
/* The first shape parsing at least half of `sampled` lines given per-shape hit counts (in the
 * order json, syslog, bsd, combined, app), or NULL; *index receives its position. */
const char *lh__lines_pick_shape(const int *hits, int64_t sampled, size_t *index);
lh_status lh__convert_pdf(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                          json_t *lineage, lh_err *err);
/* The libraries behind pdf.c, sms.c and postgres.c, loaded on first use (pdf_dl.c,
 * xml_dl.c, pg_dl.c; core/dl.h), once; thread-safe. LH_EUNSUPPORTED naming the Debian
 * package when one is missing. Each converter calls its own first. */
lh_status lh__pdf_load(lh_err *err);
lh_status lh__xml_load(lh_err *err);
lh_status lh__pg_load(lh_err *err);


/* Largest value one converted row may carry: DuckDB's read_json refuses objects over
 * 16 MiB, so converters fail clearly before that. */
#define LH__ROW_MAX_BYTES ((size_t)8 << 20)

/* Splits text into paragraphs: runs of lines that are not blank (a blank line holds only
 * spaces, tabs, CR, FF or VT), lines ending in LF or CRLF, a leading UTF-8 byte-order mark
 * skipped. fn receives each paragraph's bytes (first line's start to last line's end,
 * without the final line ending; inner CRLFs as they are) and its 1-based first line.
 * Stops at and returns fn's first failure. */
typedef lh_status (*lh__para_fn)(void *ctx, const char *text, size_t len, int64_t line_start,
                                 lh_err *err);
lh_status lh__text_split(const char *data, size_t len, lh__para_fn fn, void *ctx, lh_err *err);

/* NDJSON rows for a converter's output (rows.c). Not thread-safe per writer. */
typedef struct lh__rows {
    void *file;     /* FILE*, kept opaque */
    int64_t count;  /* rows written so far */
} lh__rows;

/* Creates path exclusively for writing. */
lh_status lh__rows_open(lh__rows *w, const char *path, lh_err *err);
/* Writes one JSON object as a line; always takes ownership of row (decref'd). Fails on
 * strings that are not valid UTF-8 (jansson refuses to build them: callers check first). */
lh_status lh__rows_put(lh__rows *w, json_t *row, lh_err *err);
/* Flushes and closes; safe to call twice and after a failure. */
lh_status lh__rows_close(lh__rows *w, lh_err *err);
/* Appends {"name","type"} to a converter's column list. */
void lh__rows_column(json_t *columns, const char *name, const char *duckdb_type);

/* A source already staged under DATA/_staging: the common tail of every ingest. */
typedef struct lh__staged {
    const char *path;          /* the staged file; the pipeline removes it when done */
    char sha256[65];           /* of the source's bytes (dedup key), or set by await_sha */
    lh_status (*await_sha)(void *ctx, char sha[65], lh_err *err); /* NULL, or called once,
                                * after sniffing and before the dedup check */
    void *await_ctx;
    const char *format;        /* label: csv, json, ndjson, text, sms, pdf, postgres */
    const char *read_as;       /* how DuckDB reads path when convert is NULL: csv|json|ndjson */
    const lh_ingest_csv *csv;  /* CSV dialect overrides, or NULL */
    const char *encoding;      /* the source's encoding before staging made it UTF-8, or NULL */
    const char *compression;   /* gzip|zstd|bzip2|xz when staging decompressed it, or NULL */
    lh__converter_fn convert;  /* NULL, or run after the dedup check */
    const char *source_sql;    /* NULL, or the DuckDB reader call to use as is, e.g.
                                * read_csv('<path>', header=false, columns={...}) when the
                                * source knows its exact column types (PostgreSQL) */
    json_t *lineage;           /* extra lineage fields merged into the manifest (borrowed) */
    const char *source_system; /* "file", "postgresql", ... */
    const char *source_uri;    /* where it came from, secrets already redacted */
    bool allow_schema_change;  /* apply unsafe schema changes instead of refusing them */
    json_t **preview;          /* non-NULL: only compute the schema diff against the existing
                                * dataset into *preview (caller json_decref's); nothing is written */
} lh__staged;

/* Dedup, read, project, write Parquet, verify, commit, manifest (see ingest.h). */
lh_status lh__ingest_staged(lh_store *store, lh_catalog *cat, lh_engine *eng, const char *dataset,
                            const lh__staged *src, const char *actor, lh_ingest_result *res,
                            lh_err *err);

/* ---- schema evolution (schema_diff.c; rules in docs/INTERNALS.md) ---- */

/* How a file's column type relates to the dataset's. */
typedef enum lh__type_rel {
    LH__TYPE_SAME,          /* the same type */
    LH__TYPE_WIDEN,         /* the file's type is wider: the dataset's column is widened */
    LH__TYPE_CAST_UP,       /* the file's type is narrower: its values are cast up */
    LH__TYPE_INCOMPATIBLE,  /* neither holds the other */
} lh__type_rel;

/* Widening: TINYINT < SMALLINT < INTEGER < BIGINT; any integer -> DOUBLE; TINYINT/SMALLINT ->
 * FLOAT; FLOAT -> DOUBLE; an integer -> DECIMAL(p,s) with p-s >= its digits (3, 5, 10, 19);
 * DECIMAL(p,s) -> DECIMAL(p2,s2) with s2 >= s and p2-s2 >= p-s; DECIMAL(p,s) with p <= 15 ->
 * DOUBLE. Types are DuckDB type names. */
lh__type_rel lh__schema_type_relation(const char *dataset_type, const char *file_type);

/* Name similarity in 0..1: the mean of parts (names split at _ - . camelCase and digits,
 * lowercased; the mean of shared/all and shared/fewer tokens) and similarity (1 - Levenshtein distance of the lowercase
 * alphanumerics / the longer's length). distance receives the raw edit distance. */
double lh__schema_name_score(const char *a, const char *b, double *parts, int *distance,
                             double *similarity);

/* A rename's confidence in 0..1 from its name score and value overlap (the share of the
 * file's sampled distinct values found in the dataset's column; < 0 = unknown), weighted
 * by how many distinct values were sampled (full weight from 20 on). */
double lh__schema_confidence(double name_score, double value_overlap, int64_t sampled);

/* Pairs scoring at least this are reported as renames. */
#define LH__RENAME_THRESHOLD 0.5

/* Measures the value overlap of a dataset column and a file column (see above); overlap
 * < 0 when unknown. */
typedef lh_status (*lh__overlap_fn)(void *ctx, const char *dataset_col, const char *dataset_type,
                                    const char *file_col, const char *file_type, double *overlap,
                                    int64_t *sampled, lh_err *err);

/* The diff of the dataset's columns dcols and the file's fcols (both [{"name","type"}],
 * DuckDB types; names compare case-insensitively as in Delta):
 * {dataset, added:[{name,type}], removed:[{name,type}], type_changed:[{name,from,to,safe,
 * change: widen|narrower_in_file|incompatible}], renamed:[{from,to,from_type,to_type,
 * confidence,evidence:{name_parts,edit_distance,edit_similarity,value_overlap,values_sampled}}],
 * safe, rules:[{action: add_column|widen|cast|rename|drop, ..., auto, note}], prompt (text
 * for an LLM, or null when no rename is in question)}. Renames pair removed and added
 * columns of compatible types (numbers with numbers), best first, each column once, at
 * least LH__RENAME_THRESHOLD; paired columns leave added/removed. overlap may be NULL.
 * Caller json_decref's *out. */
lh_status lh__schema_compare(const char *dataset, const json_t *dcols, const json_t *fcols,
                             lh__overlap_fn overlap, void *ctx, json_t **out, lh_err *err);

/* lh__schema_compare of the snapshot's schema and the file's columns, with value overlap
 * measured by DuckDB: file_sql is a SELECT over the incoming file, table_dir the table's
 * absolute directory. Adds "version" (the snapshot's). */
lh_status lh__schema_diff(lh_engine *eng, const char *table_dir, const lh_table_snapshot *snap,
                          const char *dataset, const json_t *file_cols, const char *file_sql,
                          json_t **out, lh_err *err);

/* What an append does with diff: unsafe and not allowed -> LH_ESCHEMA with the diff in
 * one line. Else *new_schema receives the Spark schema to commit (NULL = unchanged: the
 * dataset's columns in order, widened or turned VARCHAR, new columns after them, removed
 * ones kept) and projection a select list over the file's columns (empty = write them as
 * they are) that casts narrower or retyped columns and writes renamed ones under the
 * dataset's name. Caller json_decref's *new_schema. */
lh_status lh__schema_plan(const json_t *schema, const json_t *file_cols, const json_t *diff,
                          bool allow, json_t **new_schema, lh_buf *projection, lh_err *err);

/* First line of a DuckDB error, or two when the second names the offending line. */
void lh__ingest_short_error(lh_err *err);

/* pg_conninfo.c: connection-string text for postgres.c (no libpq here). */
/* Replaces every occurrence of secret (NULL or "": nothing) in err's message with "***";
 * when that cannot be built, the whole message is withheld. */
void lh__pg_scrub(lh_err *err, const char *secret);
/* The password as written in a postgres:// URI (still percent-encoded), or NULL; caller
 * frees. */
char *lh__pg_uri_password(const char *dsn);
/* Appends s percent-encoded (all but RFC 3986 unreserved characters); unchecked. */
void lh__pg_add_encoded(lh_buf *b, const char *s);

#endif
