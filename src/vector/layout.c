/* layout.c: the keys of the vector indexes and jobs (index.h), spelled here only. */
#include "vector/index_int.h"

#define ROOT "_vectors"
#define JOBS "_jobs"

const char *lh_vec_root_key(void) { return ROOT; }

lh_status lh_vec_index_prefix(const char *name, lh_buf *out)
{
    lh_buf_printf(out, ROOT "/%s", name);
    return lh_buf_status(out);
}

lh_status lh_vec_index_key(const char *name, const char *rel, lh_buf *out)
{
    lh_buf_printf(out, ROOT "/%s/%s", name, rel);
    return lh_buf_status(out);
}

lh_status lh_vec_job_key(const char *id, lh_buf *out)
{
    lh_buf_printf(out, JOBS "/%s.json", id);
    return lh_buf_status(out);
}

const char *lh__vec_jobs_dir(void) { return JOBS; }
