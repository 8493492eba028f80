/* log_read.c: the newest version and snapshot replay (checkpoint + JSON commits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/util.h"
#include "table/table_int.h"

lh_status lh_table_latest_version(lh_store *s, const char *prefix, int64_t *version, lh_err *err)
{
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, false, &l, err);
    if (st)
        return st;
    if (l.ncommits == 0)
        st = lh_fail(err, LH_ENOTFOUND, "no Delta log under %s", prefix);
    else
        *version = l.commits[l.ncommits - 1];
    lh__table_listing_release(&l);
    return st;
}

/* The replay state: last protocol and metaData, live adds and tombstones keyed by
 * decoded path. */
typedef struct replay {
    json_t *protocol;
    json_t *metadata;
    json_t *live;          /* object: decoded path -> add action (owned refs) */
    json_t *removed;       /* object: decoded path -> remove action, not added again */
    bool from_checkpoint;  /* removes in a checkpoint are tombstones, not deletions */
    lh_buf path;
} replay;

static lh_status decode_action_path(replay *r, json_t *a, const char *kind, lh_err *err)
{
    const char *p = json_string_value(json_object_get(a, "path"));
    if (!json_is_object(a) || !p || !*p)
        return lh_fail(err, LH_ECORRUPT, "%s action without a path", kind);
    lh_buf_reset(&r->path);
    lh_status st = lh__table_path_decode(p, &r->path, err);
    if (st)
        return st;
    /* A relative path must stay inside the table (no "..", no absolute path, no URI). */
    if (strstr(lh_buf_cstr(&r->path), "://") || lh_store_check_key(lh_buf_cstr(&r->path), NULL))
        return lh_fail(err, LH_EUNSUPPORTED, "%s path '%s' is not a plain relative path", kind, p);
    return LH_OK;
}

static lh_status apply_action(void *ctx, json_t *action, lh_err *err)
{
    replay *r = ctx;
    const char *k;
    json_t *v;
    json_object_foreach(action, k, v) {
        lh_status st;
        if (json_is_null(v))
            continue;
        if (!strcmp(k, "add")) {
            if ((st = decode_action_path(r, v, "add", err)))
                return st;
            if (json_object_set(r->live, lh_buf_cstr(&r->path), v))
                return lh_fail(err, LH_ENOMEM, "out of memory");
            json_object_del(r->removed, lh_buf_cstr(&r->path));
        } else if (!strcmp(k, "remove")) {
            if ((st = decode_action_path(r, v, "remove", err)))
                return st;
            if (!r->from_checkpoint)
                json_object_del(r->live, lh_buf_cstr(&r->path));
            if (json_object_set(r->removed, lh_buf_cstr(&r->path), v))
                return lh_fail(err, LH_ENOMEM, "out of memory");
        } else if (!strcmp(k, "protocol")) {
            if (!json_is_object(v))
                return lh_fail(err, LH_ECORRUPT, "protocol action is not an object");
            json_decref(r->protocol);
            r->protocol = json_incref(v);
        } else if (!strcmp(k, "metaData")) {
            if (!json_is_object(v))
                return lh_fail(err, LH_ECORRUPT, "metaData action is not an object");
            json_decref(r->metadata);
            r->metadata = json_incref(v);
        }
        /* txn, commitInfo, cdc, domainMetadata, unknown: ignored */
    }
    return LH_OK;
}

/* The checkpoints to try, best first, into order (room for l->ncps): the one
 * _last_checkpoint names when it fits, then every other complete checkpoint <= target,
 * newest first. Returns how many. */
static size_t order_checkpoints(lh_store *s, const char *prefix, const lh__log_listing *l,
                                int64_t target, size_t *order)
{
    int64_t hint = -1;
    lh_buf key, body;
    lh_buf_init(&key, 4096);
    lh_buf_init(&body, 1 << 20);
    if (!lh__table_last_checkpoint_key(&key, prefix) &&
        !lh_store_get(s, lh_buf_cstr(&key), 1 << 20, &body, NULL)) {
        json_t *j = lh_json_loadb(lh_buf_cstr(&body), body.len, 0, NULL);
        if (json_is_integer(json_object_get(j, "version")))
            hint = json_integer_value(json_object_get(j, "version"));
        json_decref(j);
    }
    lh_buf_release(&key);
    lh_buf_release(&body);
    size_t n = 0;
    for (size_t i = 0; i < l->ncps; i++) {
        const lh__checkpoint_ref *c = &l->cps[i];
        if (c->version > target || c->seen != c->parts)
            continue;
        /* insertion: the hinted one first, then by version, newest first */
        size_t at = n;
        while (at > 0) {
            const lh__checkpoint_ref *p = &l->cps[order[at - 1]];
            bool before = c->version == hint ? p->version != hint
                                             : p->version != hint && c->version > p->version;
            if (!before)
                break;
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
        n++;
    }
    return n;
}

/* Forgets everything replayed so far (a checkpoint that failed halfway). */
static void replay_reset(replay *r)
{
    json_decref(r->protocol);
    json_decref(r->metadata);
    r->protocol = r->metadata = NULL;
    json_object_clear(r->live);
    json_object_clear(r->removed);
}

static lh_status read_checkpoint(lh_store *s, const char *prefix, const lh__checkpoint_ref *c,
                                 const lh_checkpoint_reader *cp, replay *r, lh_err *err)
{
    if (!cp || !cp->read)
        return lh_fail(err, LH_EUNSUPPORTED, "table %s has a checkpoint but no checkpoint reader",
                       prefix);
    lh_buf key, local;
    lh_buf_init(&key, 4096);
    lh_buf_init(&local, 4096);
    lh_status st = LH_OK;
    r->from_checkpoint = true;
    for (int part = 1; part <= c->parts && !st; part++) {
        lh_buf_reset(&key);
        if (c->parts == 1)
            st = lh__table_checkpoint_key(&key, prefix, c->version);
        else
            st = lh_buf_printf(&key, "%s/_delta_log/%020lld.checkpoint.%010d.%010d.parquet",
                               prefix, (long long)c->version, part, c->parts);
        if (st) {
            st = lh_fail(err, st, "table prefix too long");
            break;
        }
        lh_buf_reset(&local);
        st = lh_store_local_path(s, lh_buf_cstr(&key), &local, err);
        if (!st) {
            st = cp->read(cp->self, lh_buf_cstr(&local), apply_action, r, err);
            if (st)
                lh_fail_wrap(err, st, "checkpoint %s", lh_buf_cstr(&key));
        }
    }
    r->from_checkpoint = false;
    lh_buf_release(&key);
    lh_buf_release(&local);
    return st;
}

typedef struct proto_versions {
    int reader, writer;
} proto_versions;

/* Fills *out from the protocol action; refuses what a (1,2) reader cannot read. */
static lh_status check_protocol(const json_t *p, proto_versions *out, lh_err *err)
{
    json_t *rv = json_object_get(p, "minReaderVersion");
    json_t *wv = json_object_get(p, "minWriterVersion");
    if (!json_is_integer(rv) || !json_is_integer(wv))
        return lh_fail(err, LH_ECORRUPT, "protocol action lacks minReaderVersion/minWriterVersion");
    out->reader = (int)json_integer_value(rv);
    out->writer = (int)json_integer_value(wv);
    if (json_integer_value(rv) > 1)
        return lh_fail(err, LH_EUNSUPPORTED, "table needs reader version %lld (we read 1)",
                       (long long)json_integer_value(rv));
    json_t *rf = json_object_get(p, "readerFeatures");
    if (rf && !json_is_null(rf))
        return lh_fail(err, LH_EUNSUPPORTED, "table uses reader features, which we do not support");
    return LH_OK;
}

/* stats JSON text -> numRecords, or -1. */
static int64_t num_records(const char *stats, const json_t *stats_parsed)
{
    int64_t n = -1;
    if (stats) {
        json_t *j = lh_json_loadb(stats, strlen(stats), 0, NULL);
        if (json_is_integer(json_object_get(j, "numRecords")))
            n = json_integer_value(json_object_get(j, "numRecords"));
        json_decref(j);
    } else if (json_is_integer(json_object_get(stats_parsed, "numRecords"))) {
        n = json_integer_value(json_object_get(stats_parsed, "numRecords"));
    }
    return n;
}

static json_t *normalize_partitions(const json_t *pv)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    if (!out || !json_is_object(pv))
        return out;
    json_object_foreach((json_t *)pv, k, v) {
        const char *sv = json_string_value(v);
        if (!sv || !*sv || !strcmp(sv, "__HIVE_DEFAULT_PARTITION__"))
            json_object_set_new(out, k, json_null());
        else
            json_object_set(out, k, v);
    }
    return out;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const lh_table_file *)a)->path, ((const lh_table_file *)b)->path);
}

static int cmp_tombstone(const void *a, const void *b)
{
    return strcmp(((const lh_table_tombstone *)a)->path, ((const lh_table_tombstone *)b)->path);
}

static lh_status build_snapshot(replay *r, int64_t version, lh_table_snapshot *snap, lh_err *err)
{
    if (!r->protocol)
        return lh_fail(err, LH_ECORRUPT, "no protocol action up to version %lld", (long long)version);
    if (!r->metadata)
        return lh_fail(err, LH_ECORRUPT, "no metaData action up to version %lld", (long long)version);
    proto_versions pv = {0, 0};
    lh_status st = check_protocol(r->protocol, &pv, err);
    if (st)
        return st;
    snap->version = version;
    snap->min_reader_version = pv.reader;
    snap->min_writer_version = pv.writer;
    const char *id = json_string_value(json_object_get(r->metadata, "id"));
    const char *ss = json_string_value(json_object_get(r->metadata, "schemaString"));
    if (!ss)
        return lh_fail(err, LH_ECORRUPT, "metaData has no schemaString");
    json_error_t je;
    snap->schema = lh_json_loadb(ss, strlen(ss), 0, &je);
    if (!json_is_object(snap->schema) || !json_is_array(json_object_get(snap->schema, "fields")))
        return lh_fail(err, LH_ECORRUPT, "metaData.schemaString is not a struct schema: %s",
                       snap->schema ? "no fields" : je.text);
    snap->table_id = lh_strdup(id ? id : "");
    snap->schema_string = lh_strdup(ss);
    json_t *pc = json_object_get(r->metadata, "partitionColumns");
    snap->partition_columns = json_is_array(pc) ? json_incref(pc) : json_array();
    json_t *cf = json_object_get(r->metadata, "configuration");
    snap->configuration = json_is_object(cf) ? json_incref(cf) : json_object();
    json_t *ct = json_object_get(r->metadata, "createdTime");
    snap->created_time = json_is_integer(ct) ? json_integer_value(ct) : 0;
    if (!snap->table_id || !snap->schema_string || !snap->partition_columns ||
        !snap->configuration)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    size_t n = json_object_size(r->live);
    snap->files = lh_calloc(n ? n : 1, sizeof *snap->files);
    if (!snap->files)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    const char *path;
    json_t *add;
    json_object_foreach(r->live, path, add) {
        lh_table_file *f = &snap->files[snap->nfiles++];
        const char *stats = json_string_value(json_object_get(add, "stats"));
        f->path = lh_strdup(path);
        f->size = json_integer_value(json_object_get(add, "size"));
        f->modification_time = json_integer_value(json_object_get(add, "modificationTime"));
        f->partition_values = normalize_partitions(json_object_get(add, "partitionValues"));
        f->stats = stats ? lh_strdup(stats) : NULL;
        f->num_records = num_records(stats, json_object_get(add, "stats_parsed"));
        if (!f->path || !f->partition_values || (stats && !f->stats))
            return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    qsort(snap->files, snap->nfiles, sizeof *snap->files, cmp_file);
    size_t nt = json_object_size(r->removed);
    snap->tombstones = lh_calloc(nt ? nt : 1, sizeof *snap->tombstones);
    if (!snap->tombstones)
        return lh_fail(err, LH_ENOMEM, "out of memory");
    json_t *rm;
    json_object_foreach(r->removed, path, rm) {
        if (json_object_get(r->live, path))
            continue; /* a checkpoint's remove of a live file: not a tombstone (see above) */
        lh_table_tombstone *t = &snap->tombstones[snap->ntombstones++];
        json_t *ts = json_object_get(rm, "deletionTimestamp");
        json_t *sz = json_object_get(rm, "size");
        t->path = lh_strdup(path);
        t->deletion_timestamp = json_is_integer(ts) ? json_integer_value(ts) : 0;
        t->size = json_is_integer(sz) ? json_integer_value(sz) : -1;
        if (!t->path)
            return lh_fail(err, LH_ENOMEM, "out of memory");
    }
    qsort(snap->tombstones, snap->ntombstones, sizeof *snap->tombstones, cmp_tombstone);
    return LH_OK;
}

lh_status lh_table_snapshot_load(lh_store *s, const char *prefix, int64_t version,
                                 const lh_checkpoint_reader *cp, lh_table_snapshot **out,
                                 lh_err *err)
{
    lh__log_listing l;
    lh_status st = lh__table_list_log(s, prefix, false, &l, err);
    if (st)
        return st;
    replay r = {.live = json_object(), .removed = json_object()};
    size_t *order = NULL;
    lh_buf_init(&r.path, 64 * 1024);
    lh_table_snapshot *snap = lh_calloc(1, sizeof *snap);
    if (!snap || !r.live || !r.removed) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (l.ncommits == 0) {
        st = lh_fail(err, LH_ENOTFOUND, "no Delta log under %s", prefix);
        goto cleanup;
    }
    int64_t latest = l.commits[l.ncommits - 1];
    int64_t target = version < 0 ? latest : version;
    if (target > latest) {
        st = lh_fail(err, LH_ENOTFOUND, "table %s has no version %lld (latest is %lld)", prefix,
                     (long long)target, (long long)latest);
        goto cleanup;
    }
    /* The best checkpoint that reads; a bad one (torn, corrupt) is skipped for an older
     * one, then for the JSON commits from 0 when they are all still there. */
    order = lh_calloc(l.ncps ? l.ncps : 1, sizeof *order);
    if (!order) {
        st = lh_fail(err, LH_ENOMEM, "out of memory");
        goto cleanup;
    }
    size_t ncand = order_checkpoints(s, prefix, &l, target, order);
    long ci = -1;
    lh_err first = {{0}};
    lh_status first_st = LH_OK;
    for (size_t k = 0; k < ncand && ci < 0; k++) {
        lh_err cerr = {{0}};
        st = read_checkpoint(s, prefix, &l.cps[order[k]], cp, &r, &cerr);
        if (!st) {
            ci = (long)order[k];
            break;
        }
        replay_reset(&r);
        /* out of memory, or no reader at all (the caller's mistake): not a bad file */
        if (st == LH_ENOMEM || !cp || !cp->read) {
            *err = cerr;
            goto cleanup;
        }
        lh_log(LH_LOG_WARN, "table %s: skipping checkpoint %lld: %s", prefix,
               (long long)l.cps[order[k]].version, cerr.msg);
        if (!first_st) {
            first_st = st;
            first = cerr;
        }
    }
    st = LH_OK;
    if (ci < 0 && first_st && l.commits[0] != 0) {
        *err = first;  /* nothing else can rebuild the table: say why the checkpoint failed */
        st = first_st;
        goto cleanup;
    }
    int64_t start = 0;
    if (ci >= 0)
        start = l.cps[ci].version + 1;
    /* The commits start..target must all be present, in one contiguous run. */
    size_t i = 0;
    while (i < l.ncommits && l.commits[i] < start)
        i++;
    for (int64_t v = start; v <= target; v++, i++) {
        if (i >= l.ncommits || l.commits[i] != v) {
            bool cleaned = ci < 0 && v == 0;
            st = cleaned ? lh_fail(err, LH_ENOTFOUND,
                                   "table %s version %lld is no longer reconstructable "
                                   "(log starts at %lld, no checkpoint)", prefix,
                                   (long long)target, (long long)l.commits[0])
                         : lh_fail(err, LH_ECORRUPT,
                                   "table %s log is not contiguous: commit %lld is missing",
                                   prefix, (long long)v);
            goto cleanup;
        }
        if ((st = lh__table_read_commit(s, prefix, v, apply_action, &r, err)))
            goto cleanup;
    }
    st = build_snapshot(&r, target, snap, err);
cleanup:
    lh__table_listing_release(&l);
    free(order);
    lh_buf_release(&r.path);
    json_decref(r.protocol);
    json_decref(r.metadata);
    json_decref(r.live);
    json_decref(r.removed);
    if (st) {
        lh_table_snapshot_free(snap);
        return st;
    }
    *out = snap;
    return LH_OK;
}

void lh_table_snapshot_free(lh_table_snapshot *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->nfiles; i++) {
        free(snap->files[i].path);
        json_decref(snap->files[i].partition_values);
        free(snap->files[i].stats);
    }
    free(snap->files);
    for (size_t i = 0; i < snap->ntombstones; i++)
        free(snap->tombstones[i].path);
    free(snap->tombstones);
    free(snap->table_id);
    free(snap->schema_string);
    json_decref(snap->schema);
    json_decref(snap->partition_columns);
    json_decref(snap->configuration);
    free(snap);
}
