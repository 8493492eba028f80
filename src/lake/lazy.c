/* lazy.c: a reader (`lakehouse sql`, `datasets`...) defines the views of the datasets a
 * query names, when it names them, instead of every dataset's (a Delta log read, the
 * tombstone and erasure files, a few DuckDB statements each) at every start. So does a
 * writer opened with lazy_views (`lakehouse ingest`: each view reads the footer of every
 * live file, which made an append cost grow with the table's history); it still heals
 * manifests at open, and marks the dataset it wrote pending again instead of redefining
 * its views. Other writers (the server, mutations) load every dataset at open: they
 * serve queries from many threads.
 *
 * A query's transaction begins before the gate reads its parse tree, and DuckDB does not
 * show it a view created after that, so the names are read here, before the query opens
 * (lh_engine_relations), from the same parse DuckDB will make. */
#include <strings.h>

#include "core/util.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "lake/lake_int.h"
#include "storage/storage.h"

/* The pending dataset name matching name (case-insensitive, as SQL names are), or NULL.
 * "__raw__<name>" (every row, tombs.c) is the dataset's too. */
static const char *pending_name(lh_lake *lake, const char *name)
{
    if (!strncasecmp(name, "__raw__", 7))
        name += 7;
    const char *key;
    json_t *v;
    json_object_foreach(lake->pending, key, v)
        if (!strcasecmp(key, name))
            return key;
    return NULL;
}

/* Under write_mu. */
static void load_one(lh_lake *lake, const char *key)
{
    char name[256];
    snprintf(name, sizeof name, "%s", key); /* key dies with its pending entry */
    json_object_del(lake->pending, name);
    lh__lake_load_dataset(lake, name);
}

/* Under write_mu. */
static void load_journal(lh_lake *lake)
{
    if (!lake->journal_pending)
        return;
    lake->journal_pending = false;
    lh_err jerr;
    if (lake->journal ? lh_journal_bind_engine(lake->journal, lake->eng, &jerr)
                      : lh_journal_define_view(lake->store, lake->eng, &jerr))
        lh_log(LH_LOG_WARN, "journal is not queryable: %s", jerr.msg);
}

/* Under write_mu. */
static void load_all(lh_lake *lake)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(lake->pending, tmp, key, v)
        load_one(lake, key);
    load_journal(lake);
}

static bool listed(const json_t *list, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
        if (!strcasecmp(json_string_value(x), name))
            return true;
    return false;
}

void lh__lake_prepare_sql(lh_lake *lake, const char *sql)
{
    if (!lake->lazy || !sql)
        return;
    pthread_mutex_lock(&lake->write_mu);
    if (json_object_size(lake->pending) || lake->journal_pending) {
        json_t *tables = NULL, *ctes = NULL;
        lh_err err;
        if (lh_engine_relations(lake->eng, sql, &tables, &ctes, &err)) {
            load_all(lake); /* the gate then says what is wrong, as it always did */
        } else {
            size_t i;
            json_t *x;
            json_array_foreach(tables, i, x) {
                const char *name = json_string_value(x), *key = pending_name(lake, name);
                if (key)
                    load_one(lake, key);
                else if (!strcasecmp(name, "journal"))
                    load_journal(lake);
                else if (!listed(ctes, name) && !lh_engine_relation_known(lake->eng, name))
                    load_all(lake);
            }
        }
        json_decref(tables);
        json_decref(ctes);
    }
    pthread_mutex_unlock(&lake->write_mu);
}

void lh__lake_prepare_dataset(lh_lake *lake, const char *name)
{
    if (!lake->lazy)
        return;
    pthread_mutex_lock(&lake->write_mu);
    const char *key = pending_name(lake, name);
    if (key)
        load_one(lake, key);
    pthread_mutex_unlock(&lake->write_mu);
}

lh_status lh__lake_mark_pending(lh_lake *lake, const char *name, lh_err *err)
{
    if (json_object_set_new(lake->pending, name, json_true()))
        return lh_fail(err, LH_ENOMEM, "out of memory");
    return LH_OK;
}
