/* sms.c: an Android "SMS Backup & Restore" XML export -> one row per <sms>:
 * address, contact_name, ts, direction, body. The only file that includes libxml2.
 *
 * Hostile XML: a document with a DOCTYPE is refused before libxml2 sees it (DTDs are the
 * only place entities can be declared, so no entity is ever expanded: no billion laughs,
 * no external entity); libxml2 also runs with XML_PARSE_NONET, without NOENT/DTDLOAD,
 * and with an external-entity loader that refuses everything. The file is streamed with
 * xmlTextReader: memory stays flat whatever the number of messages. */
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "ingest/ingest_int.h"

typedef struct sms_job {
    lh__rows rows;
    char first_error[512];
    int64_t skipped, bad_dates, declared;
} sms_job;

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    sms_job *j = ctx;
    if (j->first_error[0] || !e || e->level < XML_ERR_ERROR)
        return;
    const char *msg = e->message ? e->message : "malformed XML";
    size_t n = strcspn(msg, "\n");
    snprintf(j->first_error, sizeof j->first_error, "line %d: %.*s", e->line, (int)n, msg);
}

static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* Reads the prolog (BOM, XML declaration, processing instructions, comments, white space)
 * and refuses a DOCTYPE, the one place entities can be declared. */
static lh_status check_prolog(const char *path, lh_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_fail(err, LH_EIO, "open %s: %s", path, strerror(errno));
    static __thread char head[1 << 16];
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    if (n < 0)
        return lh_fail(err, LH_EIO, "read %s: %s", path, strerror(errno));
    head[n] = '\0';
    const char *p = head;
    if (!strncmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    for (;;) {
        p += strspn(p, " \t\r\n");
        const char *close_tag = NULL;
        if (!strncmp(p, "<?", 2))
            close_tag = "?>";
        else if (!strncmp(p, "<!--", 4))
            close_tag = "-->";
        else
            break;
        const char *end = strstr(p + 2, close_tag);
        if (!end) /* fail closed: what follows could be a DOCTYPE */
            return lh_fail(err, LH_EINVAL, (size_t)n == sizeof head - 1
                                               ? "the XML prolog (before <smses>) is over 64 KiB"
                                               : "malformed XML (an unclosed comment or processing "
                                                 "instruction before <smses>)");
        p = end + strlen(close_tag);
    }
    if (!strncasecmp(p, "<!DOCTYPE", 9))
        return lh_fail(err, LH_EINVAL, "XML with a DOCTYPE is refused (entity declarations are never "
                       "expanded); an SMS Backup & Restore export has none");
    return LH_OK;
}

/* An attribute as a new string, NULL when absent. "null" (the app's word for none) is NULL
 * for the fields where it means none. */
static char *attr(xmlTextReaderPtr r, const char *name, bool null_word)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
    if (v && null_word && (!strcmp((char *)v, "null") || !strcmp((char *)v, "(Unknown)"))) {
        xmlFree(v);
        v = NULL;
    }
    return (char *)v;
}

/* Android's Telephony message types (TextBasedSmsColumns.MESSAGE_TYPE_*). Only received (1)
 * and sent (2) are "in"/"out"; the others were never delivered and keep their own word. */
static const char *direction_of(const char *type)
{
    static const char *names[] = {"all", "in", "out", "draft", "outbox", "failed", "queued"};
    int64_t t = -1;
    if (type && !lh_parse_i64(type, &t) && t >= 1 && t <= 6)
        return names[t];
    return "unknown";
}

static lh_status put_sms(sms_job *j, xmlTextReaderPtr r, lh_err *err)
{
    char *address = attr(r, "address", true), *contact = attr(r, "contact_name", true);
    char *date = attr(r, "date", false), *type = attr(r, "type", false), *body = attr(r, "body", false);
    int64_t ms = -1;
    char ts[32];
    bool has_ts = date && !lh_parse_i64(date, &ms) && ms >= 0 && ms < INT64_C(253402300800000);
    if (has_ts)
        lh_format_time(ms, ts);
    else
        j->bad_dates++;
    lh_status st = LH_OK;
    if (body && strlen(body) > LH__ROW_MAX_BYTES)
        st = lh_fail(err, LH_ETOOBIG, "line %d: a message body is over %zu MiB",
                     xmlTextReaderGetParserLineNumber(r), LH__ROW_MAX_BYTES >> 20);
    if (!st) {
        json_t *row = json_pack("{s:s?, s:s?, s:s?, s:s, s:s?}", "address", address, "contact_name",
                                contact, "ts", has_ts ? ts : NULL, "direction", direction_of(type),
                                "body", body);
        st = lh__rows_put(&j->rows, row, err);
    }
    xmlFree(address);
    xmlFree(contact);
    xmlFree(date);
    xmlFree(type);
    xmlFree(body);
    return st;
}

/* Walks the document: <smses> root, one row per <sms> child; anything else is skipped. */
static lh_status walk(sms_job *j, xmlTextReaderPtr r, lh_err *err)
{
    bool root_seen = false;
    int rc;
    while ((rc = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE ||
            type == XML_READER_TYPE_ENTITY)
            return lh_fail(err, LH_EINVAL, "XML entities and DTDs are refused");
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstName(r);
        if (depth == 0) {
            if (strcmp(name, "smses"))
                return lh_fail(err, LH_EINVAL, "is not an SMS Backup & Restore export (its root "
                               "element is <%.60s>, expected <smses>)", name);
            root_seen = true;
            char *count = attr(r, "count", false);
            if (count && lh_parse_i64(count, &j->declared))
                j->declared = -1;
            xmlFree(count);
        } else if (depth == 1 && !strcmp(name, "sms")) {
            lh_status st = put_sms(j, r, err);
            if (st)
                return st;
        } else if (depth == 1) {
            j->skipped++; /* <mms> and anything else: not a text message row */
        }
    }
    if (rc < 0 || j->first_error[0])
        return lh_fail(err, LH_EINVAL, "malformed XML (%s)",
                       j->first_error[0] ? j->first_error : "parse error");
    if (!root_seen)
        return lh_fail(err, LH_EINVAL, "is not an SMS Backup & Restore export (no <smses> element)");
    return LH_OK;
}

lh_status lh__convert_sms(const char *in_path, const char *source_name, const char *out_path,
                          json_t *columns,
                          json_t *lineage, lh_err *err)
{
    (void)source_name; /* an SMS export names no source per row */
    lh_status st = lh__xml_load(err);
    if (!st)
        st = check_prolog(in_path, err);
    if (st)
        return st;
    xmlSetExternalEntityLoader(refuse_entity);
    sms_job j = {.declared = -1};
    /* No XML_PARSE_NOENT (no substitution), no DTDLOAD/DTDATTR/DTDVALID, no HUGE (keeps
     * libxml2's own size limits), NONET. */
    xmlTextReaderPtr r = xmlReaderForFile(in_path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                                             XML_PARSE_NOERROR);
    if (!r)
        return lh_fail(err, LH_EIO, "cannot open %s for XML parsing", in_path);
    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &j);
    st = lh__rows_open(&j.rows, out_path, err);
    if (!st)
        st = walk(&j, r, err);
    lh_status cst = lh__rows_close(&j.rows, err);
    st = st ? st : cst;
    xmlFreeTextReader(r);
    if (!st && !j.rows.count)
        st = lh_fail(err, LH_EINVAL, "holds no <sms> messages");
    if (st)
        return st;
    lh__rows_column(columns, "address", "VARCHAR");
    lh__rows_column(columns, "contact_name", "VARCHAR");
    lh__rows_column(columns, "ts", "TIMESTAMPTZ");
    lh__rows_column(columns, "direction", "VARCHAR");
    lh__rows_column(columns, "body", "VARCHAR");
    json_t *warnings = json_array();
    char w[160];
    if (j.skipped) {
        snprintf(w, sizeof w, "skipped %lld elements that are not <sms> (e.g. <mms>)", (long long)j.skipped);
        json_array_append_new(warnings, json_string(w));
    }
    if (j.bad_dates) {
        snprintf(w, sizeof w, "%lld messages without a valid date: ts is NULL", (long long)j.bad_dates);
        json_array_append_new(warnings, json_string(w));
    }
    if (j.declared >= 0 && j.declared != j.rows.count + j.skipped) {
        snprintf(w, sizeof w, "the export says count=%lld but holds %lld messages", (long long)j.declared,
                 (long long)(j.rows.count + j.skipped));
        json_array_append_new(warnings, json_string(w));
    }
    json_object_set_new(lineage, "sms", json_pack("{s:I}", "messages", (json_int_t)j.rows.count));
    json_object_set_new(lineage, "warnings", warnings);
    return LH_OK;
}
