/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The figure of `ccnc report --plot`: a pure function from run traces to a
 * list of primitives (rectangles, lines, polylines, text) laid out in
 * points, each with the role it plays.  A renderer (the CLI's, with cairo)
 * only maps roles to colours and draws; tests read the model itself. */
#ifndef CCNC_FIGURE_H
#define CCNC_FIGURE_H

#include <stddef.h>

#include <ccnc/report.h>

enum ccnc_fig_kind {
    CCNC_FIG_RECT,           /* x, y, w, h */
    CCNC_FIG_LINE,           /* from (x, y) to (x + w, y + h) */
    CCNC_FIG_POLYLINE,       /* xy[0..2 n_xy) */
    CCNC_FIG_TEXT,           /* text with its baseline at y, placed at x by anchor */
    CCNC_FIG_KIND_LAST
};

/* What a primitive stands for; the renderer gives each role its colour. */
enum ccnc_fig_role {
    CCNC_FIG_FRAME,          /* axes, a panel's frame */
    CCNC_FIG_GRID,           /* the time axis' ticks across a panel */
    CCNC_FIG_PHASE,          /* a migration phase's band behind its steps */
    CCNC_FIG_STEP,           /* a step that ended ok (text: its name) */
    CCNC_FIG_STEP_FAILED,    /* failed, timed out, or never ended */
    CCNC_FIG_STEP_UNDO,      /* a rollback step, or one skipped */
    CCNC_FIG_GAP,            /* the probe: time since the last reply */
    CCNC_FIG_LONGEST_GAP,    /* the longest gap, where it was */
    CCNC_FIG_DOWNTIME,       /* libvirt's downtime, at the end of its job */
    CCNC_FIG_STREAM,         /* the NFS stream's rate (what the storage host sent) */
    CCNC_FIG_STALL,          /* a stall of the stream, 300 ms or more */
    CCNC_FIG_FDB,            /* a bridge learned the VM's MAC on a port (text: where) */
    CCNC_FIG_BAR,            /* a run's figure in the chart over runs */
    CCNC_FIG_LABEL,          /* text */
    CCNC_FIG_TITLE,          /* a panel's title */
    CCNC_FIG_NOTE,           /* small grey text */
    CCNC_FIG_ROLE_LAST
};

enum ccnc_fig_anchor { CCNC_FIG_LEFT, CCNC_FIG_CENTER, CCNC_FIG_RIGHT };

struct ccnc_fig_prim {
    enum ccnc_fig_kind kind;
    enum ccnc_fig_role role;
    int panel;               /* the run's index; -1: the chart over runs */
    double x, y, w, h;       /* points, from the top left */
    char *text;              /* TEXT: what it says; RECT: what it stands for, or NULL */
    enum ccnc_fig_anchor anchor;
    double size;             /* TEXT: font size, points */
    double *xy;              /* POLYLINE: x0, y0, x1, y1, ... */
    size_t n_xy;             /* points in xy */
};

struct ccnc_figure {
    double width, height;    /* points */
    struct ccnc_fig_prim *prims;   /* in drawing order */
    size_t n, cap;
};

/* One panel per run (its steps as spans grouped under the migration's
 * phases, on a time axis from its first step to its last; the probe's time
 * since the last reply; the longest gap and libvirt's downtime marked and
 * named; where the run file holds it, the NFS stream's rate with its
 * stalls of 300 ms or more marked and the longest named; each time a
 * bridge learned the VM's MAC on a port, marked and named) and, for more than one run, a chart of each run's Table-1 figures.
 * Text is translated.  Caller frees with ccnc_figure_free(). */
struct ccnc_figure *ccnc_figure_runs(const struct ccnc_run_trace *runs, size_t n);
void ccnc_figure_free(struct ccnc_figure *f);

/* How many primitives of role (any kind when kind is CCNC_FIG_KIND_LAST). */
size_t ccnc_figure_count(const struct ccnc_figure *f, enum ccnc_fig_kind kind,
                         enum ccnc_fig_role role);

#endif
