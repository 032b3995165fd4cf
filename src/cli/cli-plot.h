/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc report --plot FILE`: the figure model (include/ccnc/figure.h)
 * drawn with cairo.  Built only when configure found cairo (HAVE_CAIRO). */
#ifndef CCNC_CLI_PLOT_H
#define CCNC_CLI_PLOT_H

#include <ccnc/error.h>
#include <ccnc/figure.h>

/* The format path's suffix asks for: "svg", "png" or "pdf" (any case);
 * NULL for any other. */
const char *ccnc_cli_plot_format(const char *path);
/* Draw f into the file at path in the format of its suffix.  -1 and err
 * when the suffix is none of them or the file cannot be written. */
int ccnc_cli_plot_write(const struct ccnc_figure *f, const char *path, struct ccnc_error *err);
/* The colour a role is drawn in (each 0..1), for tests that read the SVG. */
void ccnc_cli_plot_colour(enum ccnc_fig_role role, double rgb[3]);

#endif
