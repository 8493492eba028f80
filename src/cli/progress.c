#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

void lh__cli_progress_init(lh_cli_progress *p, const char *label, int64_t bytes, bool quiet)
{
    memset(p, 0, sizeof *p);
    p->enabled = !quiet && isatty(STDERR_FILENO);
    /* LAKEHOUSE_PROGRESS_AFTER_MS: how long work runs before a line appears (default 1 s). */
    const char *after = getenv("LAKEHOUSE_PROGRESS_AFTER_MS");
    int64_t ms = 1000;
    if (after && !lh_parse_i64(after, &ms) && ms >= 0)
        p->after_s = (double)ms / 1000.0;
    else
        p->after_s = 1.0;
    p->start_ms = lh_mono_ms();
    p->bytes = bytes;
    snprintf(p->label, sizeof p->label, "%s", label);
    pthread_mutex_init(&p->mu, NULL);
}

void lh__cli_progress_update(void *ctx, double percentage, uint64_t rows, uint64_t total)
{
    (void)total;
    lh_cli_progress *p = ctx;
    double elapsed = (lh_mono_ms() - p->start_ms) / 1000.0;
    if (!p->enabled || elapsed < p->after_s)
        return;
    char line[256];
    int n = snprintf(line, sizeof line, "\r%s: ", p->label);
    /* DuckDB's row counter counts work across operators, not input rows: show bytes. */
    (void)rows;
    if (percentage >= 0 && p->bytes > 0)
        n += snprintf(line + n, sizeof line - (size_t)n, "%3.0f%%, %.0f / %.0f MB", percentage,
                      (double)p->bytes * percentage / 100.0 / 1e6, (double)p->bytes / 1e6);
    else if (percentage >= 0)
        n += snprintf(line + n, sizeof line - (size_t)n, "%3.0f%%", percentage);
    else
        n += snprintf(line + n, sizeof line - (size_t)n, "working");
    if (percentage > 0 && p->bytes > 0)
        n += snprintf(line + n, sizeof line - (size_t)n, ", %.1f MB/s",
                      (double)p->bytes * percentage / 100.0 / elapsed / 1e6);
    if (percentage > 0 && percentage < 100)
        n += snprintf(line + n, sizeof line - (size_t)n, ", ETA %.0fs",
                      elapsed * (100.0 - percentage) / percentage);
    snprintf(line + n, sizeof line - (size_t)n, "\033[K");
    pthread_mutex_lock(&p->mu);
    fputs(line, stderr);
    fflush(stderr);
    p->shown = true;
    pthread_mutex_unlock(&p->mu);
}

void lh__cli_progress_done(lh_cli_progress *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
    pthread_mutex_unlock(&p->mu);
    pthread_mutex_destroy(&p->mu);
}
