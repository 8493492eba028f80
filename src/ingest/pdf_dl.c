/* pdf_dl.c: poppler-glib, GObject and GLib, loaded on first use (core/dl.h): the functions
 * pdf.c calls, forwarded to the libraries that lh__pdf_load opens. Debian 12 ships the
 * sonames below in libpoppler-glib8 (which depends on libglib2.0-0). A function pdf.c
 * starts calling must be added here (the link fails until it is). */
#include <poppler.h>
#include <pthread.h>

#include "core/dl.h"
#include "ingest/ingest_int.h"

#define PDF_FUNCS(F, V)                                                                          \
    F(gchar *, g_filename_to_uri, (const gchar *a, const gchar *b, GError **c), (a, b, c))        \
    V(g_clear_error, (GError **a), (a))                                                          \
    V(g_free, (gpointer a), (a))                                                                 \
    F(guint, g_log_set_handler, (const gchar *a, GLogLevelFlags b, GLogFunc c, gpointer d),       \
      (a, b, c, d))                                                                              \
    V(g_log_remove_handler, (const gchar *a, guint b), (a, b))                                   \
    F(gboolean, g_utf8_validate, (const gchar *a, gssize b, const gchar **c), (a, b, c))         \
    F(gchar *, g_utf8_make_valid, (const gchar *a, gssize b), (a, b))                            \
    F(glong, g_utf8_strlen, (const gchar *a, gssize b), (a, b))                                  \
    V(g_object_unref, (gpointer a), (a))                                                         \
    F(GQuark, poppler_error_quark, (void), ())                                                   \
    F(PopplerDocument *, poppler_document_new_from_file, (const char *a, const char *b,          \
                                                          GError **c), (a, b, c))                \
    F(int, poppler_document_get_n_pages, (PopplerDocument *a), (a))                              \
    F(PopplerPage *, poppler_document_get_page, (PopplerDocument *a, int b), (a, b))             \
    F(gchar *, poppler_document_get_title, (PopplerDocument *a), (a))                            \
    F(gchar *, poppler_document_get_author, (PopplerDocument *a), (a))                           \
    F(char *, poppler_page_get_text, (PopplerPage *a), (a))

PDF_FUNCS(LH_DL_PTR, LH_DL_PTRV)

static const lh_dl_sym syms[] = {PDF_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV)};

static lh_dl_lib lib = {
    .feature = "PDF support",
    .package = "libpoppler-glib8",
    .sonames = {"libglib-2.0.so.0", "libgobject-2.0.so.0", "libpoppler-glib.so.8", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh__pdf_load)

PDF_FUNCS(LH_DL_DEF, LH_DL_DEFV)
