/* mkpdf: writes a test PDF with cairo's PDF surface (tests and benchmarks only).
 *   mkpdf OUT PAGES [--title T] [--author A] [--image-only] [--lines N]
 * Each page holds "Page N of M" and N lines of sample text; --image-only draws shapes
 * and no text (what a scan looks like to a text extractor). */
#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mkpdf OUT PAGES [--title T] [--author A] [--image-only] [--lines N]\n");
        return 2;
    }
    const char *out = argv[1], *title = NULL, *author = NULL;
    long pages = strtol(argv[2], NULL, 10), lines = 5;
    int image_only = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--title") && i + 1 < argc)
            title = argv[++i];
        else if (!strcmp(argv[i], "--author") && i + 1 < argc)
            author = argv[++i];
        else if (!strcmp(argv[i], "--lines") && i + 1 < argc)
            lines = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--image-only"))
            image_only = 1;
        else {
            fprintf(stderr, "mkpdf: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    cairo_surface_t *s = cairo_pdf_surface_create(out, 595, 842);
    if (title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    if (author)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, author);
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    for (long p = 1; p <= pages; p++) {
        if (image_only) {
            cairo_set_source_rgb(cr, 0.2, 0.3, 0.8);
            cairo_rectangle(cr, 50, 50, 400, 300);
            cairo_fill(cr);
            cairo_arc(cr, 300, 600, 80, 0, 6.283);
            cairo_fill(cr);
        } else {
            char line[160];
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_font_size(cr, 18);
            snprintf(line, sizeof line, "Page %ld of %ld", p, pages);
            cairo_move_to(cr, 50, 60);
            cairo_show_text(cr, line);
            cairo_set_font_size(cr, 11);
            for (long l = 0; l < lines; l++) {
                snprintf(line, sizeof line, "Line %ld: the quick brown fox jumps over the lazy dog, caf\xc3\xa9 %ld.",
                         l + 1, p);
                cairo_move_to(cr, 50, 100 + 16 * (double)(l % 44));
                cairo_show_text(cr, line);
            }
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    int bad = cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(s);
    if (bad)
        fprintf(stderr, "mkpdf: cannot write %s\n", out);
    return bad;
}
