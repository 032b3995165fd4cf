/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The figure of `ccnc report --plot` drawn with cairo: each role its
 * colour, each primitive as the model placed it (src/core/figure.c). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "cli/cli-plot.h"
#include "core/i18n.h"

/* A PNG is drawn at this many pixels a point. */
static const double PNG_SCALE = 1.5;

static const struct {
    double r, g, b, a;
} colours[CCNC_FIG_ROLE_LAST] = {
    [CCNC_FIG_FRAME] = { 0.25, 0.25, 0.25, 1 },
    [CCNC_FIG_GRID] = { 0.82, 0.82, 0.82, 1 },
    [CCNC_FIG_PHASE] = { 0.92, 0.94, 0.98, 1 },
    [CCNC_FIG_STEP] = { 0.16, 0.44, 0.69, 1 },
    [CCNC_FIG_STEP_FAILED] = { 0.80, 0.15, 0.15, 1 },
    [CCNC_FIG_STEP_UNDO] = { 0.60, 0.60, 0.60, 1 },
    [CCNC_FIG_GAP] = { 0.10, 0.55, 0.30, 1 },
    [CCNC_FIG_LONGEST_GAP] = { 0.95, 0.50, 0.10, 0.45 },
    [CCNC_FIG_DOWNTIME] = { 0.85, 0.10, 0.35, 0.22 },
    [CCNC_FIG_STREAM] = { 0.20, 0.40, 0.75, 1 },
    [CCNC_FIG_STALL] = { 0.85, 0.15, 0.15, 0.35 },
    [CCNC_FIG_FDB] = { 0.45, 0.20, 0.65, 0.8 },
    [CCNC_FIG_BAR] = { 0.35, 0.55, 0.80, 1 },
    [CCNC_FIG_LABEL] = { 0.05, 0.05, 0.05, 1 },
    [CCNC_FIG_TITLE] = { 0, 0, 0, 1 },
    [CCNC_FIG_NOTE] = { 0.35, 0.35, 0.35, 1 },
};

/* every other phase band a warmer tint, so that neighbours part */
static const double PHASE_ALT[3] = { 0.98, 0.95, 0.89 };

void
ccnc_cli_plot_colour(enum ccnc_fig_role role, double rgb[3])
{
    unsigned r = role < CCNC_FIG_ROLE_LAST ? role : CCNC_FIG_FRAME;

    rgb[0] = colours[r].r;
    rgb[1] = colours[r].g;
    rgb[2] = colours[r].b;
}

const char *
ccnc_cli_plot_format(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (!dot || strchr(dot, '/'))
        return NULL;
    if (strcasecmp(dot, ".svg") == 0)
        return "svg";
    if (strcasecmp(dot, ".png") == 0)
        return "png";
    if (strcasecmp(dot, ".pdf") == 0)
        return "pdf";
    return NULL;
}

static void
draw_text(cairo_t *cr, const struct ccnc_fig_prim *p)
{
    cairo_text_extents_t ext;
    double x = p->x;

    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           p->role == CCNC_FIG_TITLE ? CAIRO_FONT_WEIGHT_BOLD
                                                     : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, p->size);
    cairo_text_extents(cr, p->text, &ext);
    if (p->anchor == CCNC_FIG_CENTER)
        x -= ext.x_advance / 2;
    else if (p->anchor == CCNC_FIG_RIGHT)
        x -= ext.x_advance;
    cairo_move_to(cr, x, p->y);
    cairo_show_text(cr, p->text);
}

static void
draw(cairo_t *cr, const struct ccnc_figure *f)
{
    size_t phases = 0;

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (size_t i = 0; i < f->n; i++) {
        const struct ccnc_fig_prim *p = &f->prims[i];
        unsigned role = p->role < CCNC_FIG_ROLE_LAST ? p->role : CCNC_FIG_FRAME;

        if (p->role == CCNC_FIG_PHASE && phases++ % 2)
            cairo_set_source_rgb(cr, PHASE_ALT[0], PHASE_ALT[1], PHASE_ALT[2]);
        else
            cairo_set_source_rgba(cr, colours[role].r, colours[role].g, colours[role].b,
                                  colours[role].a);
        switch (p->kind) {
        case CCNC_FIG_RECT:
            cairo_rectangle(cr, p->x, p->y, p->w, p->h);
            cairo_fill(cr);
            break;
        case CCNC_FIG_LINE:
            cairo_set_line_width(cr, p->role == CCNC_FIG_GRID ? 0.5 : 0.8);
            cairo_move_to(cr, p->x, p->y);
            cairo_line_to(cr, p->x + p->w, p->y + p->h);
            cairo_stroke(cr);
            break;
        case CCNC_FIG_POLYLINE:
            if (p->n_xy < 2)
                break;
            cairo_set_line_width(cr, 1);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_move_to(cr, p->xy[0], p->xy[1]);
            for (size_t k = 1; k < p->n_xy; k++)
                cairo_line_to(cr, p->xy[2 * k], p->xy[2 * k + 1]);
            cairo_stroke(cr);
            break;
        case CCNC_FIG_TEXT:
            if (p->text && *p->text)
                draw_text(cr, p);
            break;
        default:
            break;
        }
    }
}

int
ccnc_cli_plot_write(const struct ccnc_figure *f, const char *path, struct ccnc_error *err)
{
    const char *format = ccnc_cli_plot_format(path);
    cairo_surface_t *s;
    cairo_status_t st;
    cairo_t *cr;

    if (!format)
        return ccnc_error_set_at(err, CCNC_ERR_USAGE, path, 0,
                                 _("cannot tell the plot's format from the file name: name it "
                                   ".svg, .png or .pdf"));
    if (strcmp(format, "svg") == 0)
        s = cairo_svg_surface_create(path, f->width, f->height);
    else if (strcmp(format, "pdf") == 0)
        s = cairo_pdf_surface_create(path, f->width, f->height);
    else
        s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)(f->width * PNG_SCALE + 0.5),
                                       (int)(f->height * PNG_SCALE + 0.5));
    cr = cairo_create(s);
    if (strcmp(format, "png") == 0)
        cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    draw(cr, f);
    st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS && strcmp(format, "png") == 0)
        st = cairo_surface_write_to_png(s, path);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS)
        return ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot write the plot: %s"),
                                 cairo_status_to_string(st));
    return 0;
}

/* Under LeakSanitizer (--enable-asan): fontconfig, which cairo asks for
 * its fonts, keeps its configuration and patterns for the process's life
 * and never frees them; they are not ccnc's leaks.  LeakSanitizer calls
 * this hook for its default suppressions; without the sanitizer nothing
 * does. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
