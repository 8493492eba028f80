/* converters.c: the table of formats that need converting before DuckDB can read them.
 * Each converter lives in its own file (text.c, sms.c, pdf.c). */
#include <string.h>

#include "ingest/ingest_int.h"

static const struct {
    const char *format;
    lh__converter_fn fn;
} converters[] = {
    {"csv", NULL},
    {"json", NULL},
    {"ndjson", NULL},
    {"text", lh__convert_text},
    {"lines", lh__convert_lines},
    {"sms", lh__convert_sms},
    {"pdf", lh__convert_pdf},
};

lh__converter_fn lh__ingest_converter(const char *format)
{
    for (size_t i = 0; i < sizeof converters / sizeof converters[0]; i++)
        if (!strcmp(converters[i].format, format))
            return converters[i].fn;
    return NULL;
}
