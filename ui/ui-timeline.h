/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An action's timeline: its steps as spans on a real time axis, grouped
 * under the phases of a live migration (the thesis' Figure 16), the
 * connectivity probe as one cell per time slice, and the longest gap
 * named.  Built from plain data (the action, the engine's samples); no
 * curses: the tests draw it into a grid. */
#ifndef CCNC_UI_TIMELINE_H
#define CCNC_UI_TIMELINE_H

#include <ccnc/engine.h>

#include "ui-grid.h"

/* The phases of Figure 16, in their order. */
enum ui_tl_phase {
    UI_TL_INIT,         /* initialisation (pre-migration) */
    UI_TL_RESERVE,      /* reservation */
    UI_TL_PRECOPY,      /* iterative pre-copy */
    UI_TL_STOPCOPY,     /* stop-and-copy (QEMU's downtime) */
    UI_TL_COMMIT,       /* commitment */
    UI_TL_ACTIVATE,     /* activation */
    UI_TL_PHASE_LAST,
    UI_TL_UNDO = UI_TL_PHASE_LAST,  /* a rollback step: no phase */
};

/* What the probe saw in one time slice. */
enum ui_tl_slice {
    UI_TL_NONE,         /* no probe then */
    UI_TL_OK,           /* replies came in time */
    UI_TL_LATE,         /* replies stopped for UI_TL_LATE_MS or more, then came */
    UI_TL_LOST,         /* a probe sent then was never answered */
};
#define UI_TL_LATE_MS 50

#define UI_TL_SPANS_MAX 48

struct ui_tl_span {
    long long t0, t1;       /* wall clock */
    enum ui_tl_phase phase;
    int step;               /* index into the action's steps, -1: a part of one */
    bool running;
};

struct ui_timeline {
    long long t0, t1;           /* the axis: the first step's start to its end */
    bool running;
    struct ui_tl_span spans[UI_TL_SPANS_MAX];
    size_t n_spans;
    /* the pre-copy rounds' starts (libvirt's MIGRATION_ITERATION) */
    long long rounds[16];
    int round_no[16];
    size_t n_rounds;
    /* QEMU's downtime (stop-and-copy), from the completed job's figures;
     * CCNC_UNKNOWN when libvirt gave none */
    long long down_t0, down_t1;
    /* the longest gap between two replies: its end, how long; whether its
     * end is exact (one reply between two samples) */
    long long gap_t1, gap_ms;
    bool gap_exact;
    const struct ccnc_engine_probe_sample *probes;   /* borrowed */
    size_t n_probes;
    /* the NFS stream's rate in the probe's samples: any, and the highest */
    bool has_stream;
    long long stream_max;
    /* the bridges' forwarding entries of the VM's MACs that changed */
    const struct ccnc_trace_fdb *fdb;    /* borrowed */
    size_t n_fdb;
};

/* Build tl for action a with its samples s (borrowed for tl's use);
 * running: the axis ends at now_ms, rounded up to a whole length so that
 * it grows in steps, not at every frame. */
void ui_timeline_build(struct ui_timeline *tl, const struct ccnc_action *a,
                       const struct ccnc_engine_samples *s, bool running, long long now_ms);
/* The column (0..w-1) of time t on an axis w columns wide. */
int ui_timeline_col(const struct ui_timeline *tl, int w, long long t);
/* The time slice of column c: [*from, *to). */
void ui_timeline_slice_times(const struct ui_timeline *tl, int w, int c, long long *from,
                             long long *to);
/* What the probe saw in column c. */
enum ui_tl_slice ui_timeline_slice(const struct ui_timeline *tl, int w, int c);
/* The phase of Figure 16 that most of [from, to) lies in; UI_TL_UNDO none. */
enum ui_tl_phase ui_timeline_phase_at(const struct ui_timeline *tl, long long from,
                                      long long to);
/* "195 ms, during stop-and-copy, 68 ms after QEMU's downtime ended"; NULL
 * when no gap was measured.  Caller frees. */
char *ui_timeline_gap_text(const struct ui_timeline *tl);
/* When the stream's longest stall (as the samples say) was: for a
 * migration "during stop-and-copy" or "from stop-and-copy into
 * commitment" (the phases of Figure 16 where it began and ended), else
 * "during detach" (the step its middle lies in); NULL when not known.
 * Caller frees. */
char *ui_timeline_stall_text(const struct ui_timeline *tl, const struct ccnc_action *a);
/* Where the network found the VM after its migration: each bridge that
 * learned its MAC from QEMU's downtime on (the first time per bridge, in
 * order), counted from the downtime's end (as the job's figures place it:
 * a bridge told by the destination's first frames may come out a few ms
 * before it), and when the probe's replies came back: "sys2 br-pt +12 ms,
 * nfs br0 +40 ms; replies +107 ms"; NULL
 * without QEMU's downtime or a bridge that learned.  Caller frees. */
char *ui_timeline_relearn_text(const struct ui_timeline *tl);
/* A phase's name, translated. */
const char *ui_timeline_phase_name(enum ui_tl_phase p);

/* Draw action a's timeline tl from row y, columns x..x+w-1: the phases, the steps,
 * the probe strip, the axis with the longest gap marked, and the gap's
 * sentence; bold: no dim text (a projector).  Returns the row after it. */
int ui_timeline_draw(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl,
                     const struct ccnc_action *a, bool bold);
/* Rows ui_timeline_draw() takes at least; ui_timeline_rows() for tl (one
 * more with the NFS stream's row). */
#define UI_TL_ROWS 6
int ui_timeline_rows(const struct ui_timeline *tl);
/* The stream's rate in column c (the samples in its slice, else the last
 * one before it) as a level 0 (nothing) to 8 (the run's highest); -1 none. */
int ui_timeline_stream_level(const struct ui_timeline *tl, int w, int c);

/* The NFS stream's stall (ccnc_probe_figures' stream figures): a stall
 * going on is said as such once it is this long */
#define STALL_NOW_MS 300
enum ui_attr ui_stall_attr(long long stall_ms);
/* The stall to show: the one going on (*now) while the probe runs and it
 * is STALL_NOW_MS or more, else the longest. */
long long ui_stall_shown(const struct ccnc_probe_figures *p, bool running, bool *now);
/* Whether the stream stood still (STALL_NOW_MS or more) in column c's
 * middle, as the samples' stalls say. */
bool ui_timeline_stream_stalled(const struct ui_timeline *tl, int w, int c);

#endif
