/* xml_dl.c: libxml2, loaded on first use (core/dl.h): the functions sms.c calls, forwarded
 * to libxml2.so.2 (Debian 12: libxml2) once lh__xml_load opened it. A function sms.c
 * starts calling must be added here (the link fails until it is). */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <pthread.h>

#include "core/dl.h"
#include "ingest/ingest_int.h"

#define XML_FUNCS(F, V)                                                                          \
    V(xmlSetExternalEntityLoader, (xmlExternalEntityLoader a), (a))                              \
    F(xmlTextReaderPtr, xmlReaderForFile, (const char *a, const char *b, int c), (a, b, c))      \
    V(xmlTextReaderSetStructuredErrorHandler, (xmlTextReaderPtr a, xmlStructuredErrorFunc b,     \
                                               void *c), (a, b, c))                              \
    V(xmlFreeTextReader, (xmlTextReaderPtr a), (a))                                              \
    F(int, xmlTextReaderRead, (xmlTextReaderPtr a), (a))                                         \
    F(int, xmlTextReaderNodeType, (xmlTextReaderPtr a), (a))                                     \
    F(int, xmlTextReaderDepth, (xmlTextReaderPtr a), (a))                                        \
    F(const xmlChar *, xmlTextReaderConstName, (xmlTextReaderPtr a), (a))                        \
    F(xmlChar *, xmlTextReaderGetAttribute, (xmlTextReaderPtr a, const xmlChar *b), (a, b))      \
    F(int, xmlTextReaderGetParserLineNumber, (xmlTextReaderPtr a), (a))

XML_FUNCS(LH_DL_PTR, LH_DL_PTRV)

/* xmlFree is not a function but libxml2's variable holding its deallocator: ours points
 * to a forwarder that calls what libxml2's holds. */
static xmlFreeFunc *real_free;

static const lh_dl_sym syms[] = {XML_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV){"xmlFree", &real_free}};

static lh_dl_lib lib = {
    .feature = "SMS (XML) support",
    .package = "libxml2",
    .sonames = {"libxml2.so.2", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh__xml_load)

XML_FUNCS(LH_DL_DEF, LH_DL_DEFV)

static void free_forward(void *p)
{
    need();
    (*real_free)(p);
}

xmlFreeFunc xmlFree = free_forward;
