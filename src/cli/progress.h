/* progress.h: a one-line progress display on stderr for long CLI work (ingest). It shows
 * nothing until a second has passed, nothing when stderr is not a terminal or --json is
 * set, and erases itself when done. */
#ifndef LH_CLI_PROGRESS_H
#define LH_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct lh_cli_progress {
    bool enabled;
    bool shown;
    double start_ms;
    double after_s;         /* silence before the first line */
    int64_t bytes;          /* size of the input, for MB/s; 0 when unknown */
    char label[128];
    pthread_mutex_t mu;
} lh_cli_progress;

/* Prepares p for one piece of work called label over bytes of input. */
void lh__cli_progress_init(lh_cli_progress *p, const char *label, int64_t bytes, bool quiet);

/* The lh_progress_fn to hand to lh_lake_set_progress (ctx = p). */
void lh__cli_progress_update(void *ctx, double percentage, uint64_t rows, uint64_t total);

/* Erases the line if one was drawn. */
void lh__cli_progress_done(lh_cli_progress *p);

#endif
