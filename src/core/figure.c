/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The figure of `ccnc report --plot` as primitives (include/ccnc/figure.h):
 * where each step, the probe's gaps and libvirt's downtime go on the page. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/figure.h>
#include <ccnc/model.h>
#include <ccnc/stall.h>

#include "core/i18n.h"

/* The layout, in points.  Text is not measured here (the model knows no
 * fonts): a character is taken as CHAR_W of the font size wide, enough to
 * keep labels from running into each other. */
static const double WIDTH = 960, MARGIN = 16, LABEL_W = 150, RIGHT_PAD = 10;
static const double TITLE_H = 40, PHASE_LINE = 11, ROW_H = 14, BAR_H = 9;
static const double GAP_TOP_SPACE = 10, GAP_H = 90, AXIS_H = 26, PANEL_SPACE = 20;
static const double STREAM_SPACE = 8, STREAM_H = 50, STALL_MARK_MS = 300;
static const double CHART_TITLE_H = 56, CHART_H = 130, CHART_FOOT = 30, CHART_SPACE = 14;
static const double FONT = 9, TITLE_FONT = 12.5, NOTE_FONT = 8, CHAR_W = 0.56;
static const double MIN_SPAN_W = 1.5;

/* --- primitives ------------------------------------------------------------------ */

static struct ccnc_fig_prim *
add(struct ccnc_figure *f, enum ccnc_fig_kind kind, enum ccnc_fig_role role, int panel)
{
    struct ccnc_fig_prim *p = ccnc_array_push(&f->prims, &f->n, &f->cap, sizeof(*p));

    memset(p, 0, sizeof(*p));
    p->kind = kind;
    p->role = role;
    p->panel = panel;
    return p;
}

static struct ccnc_fig_prim *
rect(struct ccnc_figure *f, enum ccnc_fig_role role, int panel, double x, double y, double w,
     double h, const char *what)
{
    struct ccnc_fig_prim *p = add(f, CCNC_FIG_RECT, role, panel);

    p->x = x;
    p->y = y;
    p->w = w;
    p->h = h;
    p->text = what ? ccnc_xstrdup(what) : NULL;
    return p;
}

static void
line(struct ccnc_figure *f, enum ccnc_fig_role role, int panel, double x0, double y0, double x1,
     double y1)
{
    struct ccnc_fig_prim *p = add(f, CCNC_FIG_LINE, role, panel);

    p->x = x0;
    p->y = y0;
    p->w = x1 - x0;
    p->h = y1 - y0;
}

static CCNC_PRINTF(8, 9) struct ccnc_fig_prim *
text(struct ccnc_figure *f, enum ccnc_fig_role role, int panel, double x, double y,
     enum ccnc_fig_anchor anchor, double size, const char *fmt, ...)
{
    struct ccnc_fig_prim *p = add(f, CCNC_FIG_TEXT, role, panel);
    va_list ap;

    va_start(ap, fmt);
    p->text = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    p->x = x;
    p->y = y;
    p->anchor = anchor;
    p->size = size;
    return p;
}

static double
text_w(const char *s, double size)
{
    return (double)strlen(s) * size * CHAR_W;
}

/* The smallest of 1, 2, 5 times a power of ten that is at least v. */
static long long
nice_ceil(long long v)
{
    long long p = 1;

    if (v <= 1)
        return 1;
    for (;;) {
        if (v <= p)
            return p;
        if (v <= 2 * p)
            return 2 * p;
        if (v <= 5 * p)
            return 5 * p;
        p *= 10;
    }
}

/* --- a run's panel ---------------------------------------------------------------- */

/* The phases of a migration a step belongs to, in the order they come. */
enum phase { PH_CHECKS, PH_TO_BACKUP, PH_MIGRATION, PH_TO_PRIMARY, PH_ROLLBACK };

static const char *const phase_names[] = {
    N_("checks"), N_("onto the backup NIC"), N_("migration"), N_("back to the passthrough NIC"),
    N_("rollback"),
};

static enum phase
phase_of(const struct ccnc_trace_step *s)
{
    if (s->rollback)
        return PH_ROLLBACK;
    switch (s->op) {
    case CCNC_STEP_FORECAST:
    case CCNC_STEP_CHECK_DESTINATION:
    case CCNC_STEP_CHECK_STORAGE:
    case CCNC_STEP_CHECK_BACKUP:
    case CCNC_STEP_RESERVE_NIC:
        return PH_CHECKS;
    case CCNC_STEP_BOND_TO_BACKUP:
    case CCNC_STEP_VERIFY_ON_BACKUP:
    case CCNC_STEP_DETACH:
        return PH_TO_BACKUP;
    case CCNC_STEP_MIGRATE:
        return PH_MIGRATION;
    case CCNC_STEP_ATTACH:
    case CCNC_STEP_WAIT_ENSLAVED:
    case CCNC_STEP_BOND_TO_PRIMARY:
    case CCNC_STEP_VERIFY:
        return PH_TO_PRIMARY;
    default:
        return PH_ROLLBACK;
    }
}

static enum ccnc_fig_role
step_role(const struct ccnc_trace_step *s)
{
    if (s->outcome == CCNC_STEP_OK)
        return s->rollback ? CCNC_FIG_STEP_UNDO : CCNC_FIG_STEP;
    if (s->outcome == CCNC_STEP_SKIPPED)
        return CCNC_FIG_STEP_UNDO;
    return CCNC_FIG_STEP_FAILED;
}

/* A panel's time axis: t0 at x0, t1 at x1. */
struct axis {
    long long t0, t1;
    double x0, x1;
};

static double
at(const struct axis *a, long long t)
{
    if (t < a->t0)
        t = a->t0;
    if (t > a->t1)
        t = a->t1;
    return a->x0 + (double)(t - a->t0) * (a->x1 - a->x0) / (double)(a->t1 - a->t0);
}

static char *
figures_line(const struct ccnc_run_trace *t)
{
    char *s = ccnc_xstrdup(""), *next;

#define APPEND(...)                                                                   \
    do {                                                                              \
        char *part = ccnc_xasprintf(__VA_ARGS__);                                     \
        next = ccnc_xasprintf("%s%s%s", s, *s ? "; " : "", part);                     \
        free(part);                                                                   \
        free(s);                                                                      \
        s = next;                                                                     \
    } while (0)
    if (t->total_ms >= 0)
        APPEND(_("total %.2f s"), (double)t->total_ms / 1000.0);
    if (t->job_elapsed_ms >= 0)
        APPEND(_("libvirt's migration %.2f s"), (double)t->job_elapsed_ms / 1000.0);
    if (t->downtime_ms >= 0)
        APPEND(_("downtime %lld ms"), t->downtime_ms);
    if (t->longest_gap_ms >= 0)
        APPEND(_("longest gap %lld ms"), t->longest_gap_ms);
    if (t->lost_probes >= 0 && t->sent_probes >= 0)
        APPEND(_("%lld of %lld probes lost"), t->lost_probes, t->sent_probes);
    else if (t->n_samples == 0)
        APPEND("%s", _("no probe samples"));
#undef APPEND
    return s;
}

static void
panel_title(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, double y)
{
    char iso[CCNC_ISO_TIME_LEN] = "";
    char *figs = figures_line(t);

    if (t->started_ms >= 0)
        ccnc_format_iso_ms(iso, t->started_ms);
    /* TRANSLATORS: a plot's panel: run number, VM, source -> destination,
     * action, result, start time */
    text(f, CCNC_FIG_TITLE, p, MARGIN, y + 15, CCNC_FIG_LEFT, TITLE_FONT,
         _("%d. %s: %s \xe2\x86\x92 %s (%s), %s, %s"), p + 1, t->vm ? t->vm : "?",
         t->source ? t->source : "?", t->destination ? t->destination : "?",
         t->kind ? t->kind : "?", t->result ? t->result : _("unfinished"), iso);
    text(f, CCNC_FIG_NOTE, p, MARGIN, y + 30, CCNC_FIG_LEFT, FONT, "%s", figs);
    free(figs);
}

/* The phases as bands behind their steps, each named above them; a name
 * that would run into the one before goes on the second line. */
static void
panel_phases(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p,
             const struct axis *ax, double y, double bottom)
{
    double last_end[2] = { -1e9, -1e9 };
    size_t first = f->n;

    for (size_t i = 0; i < t->n_steps;) {
        enum phase ph = phase_of(&t->steps[i]);
        long long start = t->steps[i].started_ms, end = t->steps[i].ended_ms;
        double x, w;
        size_t k = i;

        while (k < t->n_steps && phase_of(&t->steps[k]) == ph) {
            if (t->steps[k].ended_ms > end)
                end = t->steps[k].ended_ms;
            k++;
        }
        x = at(ax, start);
        w = at(ax, end) - x;
        rect(f, CCNC_FIG_PHASE, p, x, y, w < MIN_SPAN_W ? MIN_SPAN_W : w, bottom - y,
             _(phase_names[ph]));
        i = k;
    }
    /* the names after all the bands, which would cover them */
    for (size_t i = first, n = f->n; i < n; i++) {
        double x = f->prims[i].x;
        char *name = ccnc_xstrdup(f->prims[i].text);   /* f->prims may move */
        int lane = x >= last_end[0] ? 0 : 1;

        text(f, CCNC_FIG_LABEL, p, x + 2, y + PHASE_LINE * (lane + 1) - 2, CCNC_FIG_LEFT,
             NOTE_FONT, "%s", name);
        last_end[lane] = x + 2 + text_w(name, NOTE_FONT) + 4;
        free(name);
    }
}

static void
panel_steps(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, const struct axis *ax,
            double top)
{
    for (size_t i = 0; i < t->n_steps; i++) {
        const struct ccnc_trace_step *s = &t->steps[i];
        const char *name = ccnc_step_op_to_string(s->op);
        double y = top + (double)i * ROW_H + (ROW_H - BAR_H) / 2;
        double x = at(ax, s->started_ms), w = at(ax, s->ended_ms) - x;
        char *dur = ccnc_xasprintf(_("%lld ms"), s->ended_ms - s->started_ms);

        if (w < MIN_SPAN_W)
            w = MIN_SPAN_W;
        rect(f, step_role(s), p, x, y, w, BAR_H, name);
        text(f, CCNC_FIG_LABEL, p, ax->x0 - 8, y + BAR_H - 1, CCNC_FIG_RIGHT, FONT, "%s%s", name,
             s->rollback ? _(" (undo)") : "");
        if (x + w + 4 + text_w(dur, NOTE_FONT) <= ax->x1)
            text(f, CCNC_FIG_NOTE, p, x + w + 4, y + BAR_H - 1, CCNC_FIG_LEFT, NOTE_FONT, "%s",
                 dur);
        else
            text(f, CCNC_FIG_NOTE, p, x - 4, y + BAR_H - 1, CCNC_FIG_RIGHT, NOTE_FONT, "%s", dur);
        free(dur);
    }
}

/* Ticks every 1, 2 or 5 times a power of ten milliseconds, at most ten. */
static void
panel_time_axis(struct ccnc_figure *f, int p, const struct axis *ax, double top, double bottom)
{
    long long span = ax->t1 - ax->t0, step = nice_ceil(span / 10 > 0 ? span / 10 : 1);

    line(f, CCNC_FIG_FRAME, p, ax->x0, bottom, ax->x1, bottom);
    for (long long k = 0; k <= span; k += step) {
        double x = at(ax, ax->t0 + k);
        line(f, CCNC_FIG_GRID, p, x, top, x, bottom + 3);
        if (step >= 1000)
            text(f, CCNC_FIG_NOTE, p, x, bottom + 13, CCNC_FIG_CENTER, NOTE_FONT, _("%lld s"),
                 k / 1000);
        else
            text(f, CCNC_FIG_NOTE, p, x, bottom + 13, CCNC_FIG_CENTER, NOTE_FONT, _("%.1f s"),
                 (double)k / 1000.0);
    }
    text(f, CCNC_FIG_NOTE, p, ax->x1, bottom + 23, CCNC_FIG_RIGHT, NOTE_FONT, "%s",
         _("time since the first step"));
}

static double
gap_of(const struct ccnc_trace_sample *s)
{
    return s->current_gap_ms < 0 ? -1 : (double)s->current_gap_ms;
}

static double
stream_mbps_of(const struct ccnc_trace_sample *s)
{
    return s->stream_bps < 0 ? -1 : (double)s->stream_bps / 1e6;
}

/* The samples' value (negative: none) as a line over the axis, between
 * bottom (0) and bottom - h (ymax and over); how many points it has. */
static size_t
sample_series(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p,
              const struct axis *ax, enum ccnc_fig_role role, const char *what,
              double (*value)(const struct ccnc_trace_sample *), double bottom, double h,
              double ymax)
{
    struct ccnc_fig_prim *series = add(f, CCNC_FIG_POLYLINE, role, p);
    size_t n = 0;

    series->text = ccnc_xstrdup(what);
    series->xy = ccnc_xcalloc(2 * (t->n_samples ? t->n_samples : 1), sizeof(double));
    for (size_t i = 0; i < t->n_samples; i++) {
        const struct ccnc_trace_sample *s = &t->samples[i];
        double v = value(s);
        if (s->t_ms < ax->t0 || s->t_ms > ax->t1 || v < 0)
            continue;
        series->xy[2 * n] = at(ax, s->t_ms);
        series->xy[2 * n + 1] = bottom - h * (v > ymax ? ymax : v) / ymax;
        n++;
    }
    series->n_xy = n;
    return n;
}

/* The probe's time since its last reply, the longest gap named where it
 * was, and libvirt's downtime where its job ended. */
static void
panel_gaps(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, const struct axis *ax,
           double steps_top, double top, double bottom, double band_bottom)
{
    long long longest = t->longest_gap_ms > 0 ? t->longest_gap_ms : 0;
    long long ymax = nice_ceil(longest > 100 ? longest : 100), gs, ge;
    double h = bottom - top;

#define Y(ms) (bottom - h * (double)((ms) > ymax ? ymax : (ms) < 0 ? 0 : (ms)) / (double)ymax)
    line(f, CCNC_FIG_FRAME, p, ax->x0, top, ax->x0, bottom);
    text(f, CCNC_FIG_LABEL, p, ax->x0 - 8, top + h / 2 - 2, CCNC_FIG_RIGHT, FONT, "%s",
         _("time since the"));
    text(f, CCNC_FIG_LABEL, p, ax->x0 - 8, top + h / 2 + 9, CCNC_FIG_RIGHT, FONT, "%s",
         _("last reply (probe)"));
    text(f, CCNC_FIG_NOTE, p, ax->x0 - 3, top + 7, CCNC_FIG_RIGHT, NOTE_FONT, _("%lld ms"), ymax);
    text(f, CCNC_FIG_NOTE, p, ax->x0 - 3, bottom, CCNC_FIG_RIGHT, NOTE_FONT, "0");
    line(f, CCNC_FIG_GRID, p, ax->x0, top, ax->x1, top);
    if (t->downtime_ms >= 0 && t->migrate_started_ms >= 0 && t->job_elapsed_ms >= 0) {
        long long end = t->migrate_started_ms + t->job_elapsed_ms, start = end - t->downtime_ms;
        double x = at(ax, start), w = at(ax, end) - x;
        rect(f, CCNC_FIG_DOWNTIME, p, x, steps_top, w < MIN_SPAN_W ? MIN_SPAN_W : w,
             band_bottom - steps_top, _("downtime"));
        text(f, CCNC_FIG_LABEL, p, x - 4, top + 10, CCNC_FIG_RIGHT, FONT,
             _("downtime %lld ms (libvirt's)"), t->downtime_ms);
    }
    if (ccnc_run_trace_longest_gap(t, &gs, &ge)) {
        double x = at(ax, gs), w = at(ax, ge) - x, y = Y(longest);
        rect(f, CCNC_FIG_LONGEST_GAP, p, x, y, w < MIN_SPAN_W ? MIN_SPAN_W : w, bottom - y,
             _("longest gap"));
        text(f, CCNC_FIG_LABEL, p, x + (w < MIN_SPAN_W ? MIN_SPAN_W : w) + 4,
             y + 10 < top + 24 ? top + 24 : y + 10, CCNC_FIG_LEFT, FONT,
             _("longest gap %lld ms"), longest);
    }
    if (sample_series(f, t, p, ax, CCNC_FIG_GAP, _("time since the last reply"), gap_of, bottom,
                      h, (double)ymax) == 0)
        text(f, CCNC_FIG_NOTE, p, (ax->x0 + ax->x1) / 2, top + h / 2, CCNC_FIG_CENTER, FONT, "%s",
             _("the probe sent nothing during the steps"));
#undef Y
}

/* The NFS stream under the gaps: what the storage host sent (its
 * one-second readings, Mb/s), and the stream's stalls of STALL_MARK_MS or
 * more as the samples place them, the longest named. */
static void
panel_stream(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, const struct axis *ax,
             double top, double bottom)
{
    long long top_bps = 0, before = 0, ymax;
    double h = bottom - top;
    struct ccnc_stall_span longest = { 0, 0 }, *spans = NULL;
    size_t n_spans = 0, cap_spans = 0;

    for (size_t i = 0; i < t->n_samples; i++)
        if (t->samples[i].stream_bps > top_bps)
            top_bps = t->samples[i].stream_bps;
    ymax = nice_ceil((top_bps + 999999) / 1000000);
    line(f, CCNC_FIG_FRAME, p, ax->x0, top, ax->x0, bottom);
    line(f, CCNC_FIG_GRID, p, ax->x0, top, ax->x1, top);
    text(f, CCNC_FIG_LABEL, p, ax->x0 - 8, top + h / 2 - 2, CCNC_FIG_RIGHT, FONT, "%s",
         _("NFS stream"));
    text(f, CCNC_FIG_LABEL, p, ax->x0 - 8, top + h / 2 + 9, CCNC_FIG_RIGHT, FONT, "%s",
         _("(storage host)"));
    text(f, CCNC_FIG_NOTE, p, ax->x0 - 3, top + 7, CCNC_FIG_RIGHT, NOTE_FONT, _("%lld Mb/s"),
         ymax);
    text(f, CCNC_FIG_NOTE, p, ax->x0 - 3, bottom, CCNC_FIG_RIGHT, NOTE_FONT, "0");
    /* the stalls, behind the rate: the samples' spans; of those that
     * overlap (one seen growing, then known whole) the longest, which is
     * the last word (the samples' times are the console's, a few ms off
     * the agent's: a union would stretch the stall) */
    for (size_t i = 0; i < t->n_samples; i++) {
        const struct ccnc_trace_sample *s = &t->samples[i];
        struct ccnc_stall_span sp[2];
        int k = ccnc_stall_spans_at(s->t_ms, s->stream_stall_ms, s->stream_longest_stall_ms,
                                    &before, (long long)STALL_MARK_MS, sp);
        for (int j = 0; j < k; j++) {
            struct ccnc_stall_span *last = n_spans ? &spans[n_spans - 1] : NULL;
            if (last && sp[j].t0 <= last->t1 && sp[j].t1 >= last->t0) {
                if (sp[j].t1 - sp[j].t0 >= last->t1 - last->t0)
                    *last = sp[j];
            } else {
                *(struct ccnc_stall_span *)ccnc_array_push(&spans, &n_spans, &cap_spans,
                                                            sizeof(*spans)) = sp[j];
            }
        }
    }
    for (size_t i = 0; i < n_spans; i++) {
        double x0, x1;
        if (spans[i].t1 - spans[i].t0 > longest.t1 - longest.t0)
            longest = spans[i];
        if (spans[i].t1 < ax->t0 || spans[i].t0 > ax->t1)
            continue;
        x0 = at(ax, spans[i].t0 < ax->t0 ? ax->t0 : spans[i].t0);
        x1 = at(ax, spans[i].t1 > ax->t1 ? ax->t1 : spans[i].t1);
        rect(f, CCNC_FIG_STALL, p, x0, top, x1 - x0 < MIN_SPAN_W ? MIN_SPAN_W : x1 - x0, h,
             _("stream stall"));
    }
    free(spans);
    if (longest.t1 > longest.t0 && longest.t1 >= ax->t0 && longest.t0 <= ax->t1)
        text(f, CCNC_FIG_LABEL, p, at(ax, longest.t1) + 4, top + 10, CCNC_FIG_LEFT, FONT,
             _("stream stall %lld ms"), longest.t1 - longest.t0);
    sample_series(f, t, p, ax, CCNC_FIG_STREAM, _("what the storage host sent"), stream_mbps_of,
                  bottom, h, (double)ymax);
}

/* Each time a bridge learned the VM's MAC on a port: a line across the
 * probe's and the stream's rows, named above them ("sys2 vnet11"), the
 * names in three lanes so that close ones stay apart. */
static void
panel_fdb(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, const struct axis *ax,
          double top, double bottom)
{
    int lane = 0;

    for (size_t i = 0; i < t->n_fdb; i++) {
        const struct ccnc_trace_fdb *e = &t->fdb[i];
        char *where;
        double x;
        if (!e->learned || e->t_ms < ax->t0 || e->t_ms > ax->t1)
            continue;
        x = at(ax, e->t_ms);
        where = ccnc_xasprintf("%s %s", e->host, e->port);
        line(f, CCNC_FIG_FDB, p, x, top, x, bottom);
        f->prims[f->n - 1].text = ccnc_xstrdup(where);
        text(f, CCNC_FIG_NOTE, p, x + 2, top + 8 + 8 * lane, CCNC_FIG_LEFT, NOTE_FONT, "%s",
             where);
        lane = (lane + 1) % 3;
        free(where);
    }
}

/* One run's panel from y on; returns where the next begins. */
static double
panel(struct ccnc_figure *f, const struct ccnc_run_trace *t, int p, double y)
{
    struct axis ax = { 0, 0, MARGIN + LABEL_W, WIDTH - MARGIN - RIGHT_PAD };
    double phase_top = y + TITLE_H, steps_top = phase_top + 2 * PHASE_LINE + 2;
    double steps_bottom = steps_top + (double)t->n_steps * ROW_H;
    double gap_top = steps_bottom + GAP_TOP_SPACE, gap_bottom = gap_top + GAP_H;
    double stream_top = gap_bottom + STREAM_SPACE, stream_bottom = stream_top + STREAM_H;
    double bottom = t->has_stream ? stream_bottom : gap_bottom;
    bool any = false;

    for (size_t i = 0; i < t->n_steps; i++) {
        if (!any || t->steps[i].started_ms < ax.t0)
            ax.t0 = t->steps[i].started_ms;
        if (!any || t->steps[i].ended_ms > ax.t1)
            ax.t1 = t->steps[i].ended_ms;
        any = true;
    }
    if (!any && t->n_samples) {
        ax.t0 = t->samples[0].t_ms;
        ax.t1 = t->samples[t->n_samples - 1].t_ms;
    }
    if (ax.t1 <= ax.t0)
        ax.t1 = ax.t0 + 1000;
    panel_title(f, t, p, y);
    panel_phases(f, t, p, &ax, phase_top, steps_bottom);
    panel_time_axis(f, p, &ax, steps_top, bottom);
    panel_steps(f, t, p, &ax, steps_top);
    panel_gaps(f, t, p, &ax, steps_top, gap_top, gap_bottom, bottom);
    if (t->has_stream)
        panel_stream(f, t, p, &ax, stream_top, stream_bottom);
    panel_fdb(f, t, p, &ax, gap_top, bottom);
    return bottom + AXIS_H + PANEL_SPACE;
}

/* --- the chart over runs ------------------------------------------------------------ */

/* Figure c of the chart of a run: the columns below. */
static long long
chart_value(const struct ccnc_run_trace *r, size_t c)
{
    switch (c) {
    case 0: return r->total_ms;
    case 1: return r->downtime_ms;
    case 2: return r->longest_gap_ms;
    case 3: return r->lost_probes;
    default: return r->stream_stall_ms;
    }
}

static void
chart(struct ccnc_figure *f, const struct ccnc_run_trace *runs, size_t n, double y)
{
    static const char *const titles[] = {
        N_("total migration time (s)"), N_("downtime, libvirt's (ms)"), N_("longest gap (ms)"),
        N_("lost probes"), N_("longest stream stall (ms)"),
    };
    size_t n_thesis;
    const struct ccnc_thesis_figures *th = ccnc_table_thesis(&n_thesis);
    double cw = (WIDTH - 2 * MARGIN) / (double)CCNC_ARRAY_SIZE(titles);
    double top = y + CHART_TITLE_H, bottom = top + CHART_H;

    text(f, CCNC_FIG_TITLE, -1, MARGIN, y + 15, CCNC_FIG_LEFT, TITLE_FONT, "%s",
         _("Table 1's figures, run by run"));
    /* TRANSLATORS: the thesis' Table 1, for comparison */
    text(f, CCNC_FIG_NOTE, -1, MARGIN, y + 28, CCNC_FIG_LEFT, FONT,
         _("The thesis' Table 1 for comparison: %s total %lld s, downtime %lld s; %s total "
           "%lld s, downtime under %lld s (the time its video paused)."),
         th[0].system, th[0].total_ms / 1000, th[0].downtime_ms / 1000,
         n_thesis > 1 ? th[1].system : "?", n_thesis > 1 ? th[1].total_ms / 1000 : 0,
         n_thesis > 1 ? th[1].downtime_ms / 1000 : 0);
    for (size_t c = 0; c < CCNC_ARRAY_SIZE(titles); c++) {
        double x0 = MARGIN + (double)c * cw + 8, x1 = x0 + cw - 24;
        double slot = (x1 - x0) / (double)n, bw = slot * 0.6 > 30 ? 30 : slot * 0.6;
        long long vmax = 0;

        for (size_t i = 0; i < n; i++) {
            long long v = chart_value(&runs[i], c);
            if (v > vmax)
                vmax = v;
        }
        vmax = nice_ceil(c == 0 ? (vmax + 999) / 1000 : vmax) * (c == 0 ? 1000 : 1);
        text(f, CCNC_FIG_LABEL, -1, (x0 + x1) / 2, top - 4, CCNC_FIG_CENTER, FONT, "%s",
             _(titles[c]));
        line(f, CCNC_FIG_FRAME, -1, x0, bottom, x1, bottom);
        for (size_t i = 0; i < n; i++) {
            long long v = chart_value(&runs[i], c);
            double bx = x0 + slot * (double)i + (slot - bw) / 2;
            double bh = v > 0 ? (CHART_H - 14) * (double)v / (double)vmax : 0;
            char *label = ccnc_xasprintf(_("run %zu"), i + 1);

            text(f, CCNC_FIG_NOTE, -1, bx + bw / 2, bottom + 11, CCNC_FIG_CENTER, NOTE_FONT,
                 "%zu", i + 1);
            if (v < 0) {
                text(f, CCNC_FIG_NOTE, -1, bx + bw / 2, bottom - 3, CCNC_FIG_CENTER, NOTE_FONT,
                     "-");
            } else {
                rect(f, CCNC_FIG_BAR, -1, bx, bottom - bh, bw, bh, label);
                if (c == 0)
                    text(f, CCNC_FIG_NOTE, -1, bx + bw / 2, bottom - bh - 3, CCNC_FIG_CENTER,
                         NOTE_FONT, "%.1f", (double)v / 1000.0);
                else
                    text(f, CCNC_FIG_NOTE, -1, bx + bw / 2, bottom - bh - 3, CCNC_FIG_CENTER,
                         NOTE_FONT, "%lld", v);
            }
            free(label);
        }
    }
    text(f, CCNC_FIG_NOTE, -1, MARGIN, bottom + 24, CCNC_FIG_LEFT, NOTE_FONT, "%s",
         _("Runs are numbered as the panels above."));
}

struct ccnc_figure *
ccnc_figure_runs(const struct ccnc_run_trace *runs, size_t n)
{
    struct ccnc_figure *f = ccnc_xcalloc(1, sizeof(*f));
    double y = MARGIN;

    f->width = WIDTH;
    for (size_t i = 0; i < n; i++)
        y = panel(f, &runs[i], (int)i, y);
    if (n > 1) {
        chart(f, runs, n, y);
        y += CHART_TITLE_H + CHART_H + CHART_FOOT + CHART_SPACE;
    }
    f->height = y;
    return f;
}

void
ccnc_figure_free(struct ccnc_figure *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->prims[i].text);
        free(f->prims[i].xy);
    }
    free(f->prims);
    free(f);
}

size_t
ccnc_figure_count(const struct ccnc_figure *f, enum ccnc_fig_kind kind, enum ccnc_fig_role role)
{
    size_t k = 0;

    for (size_t i = 0; i < f->n; i++)
        k += f->prims[i].role == role && (kind == CCNC_FIG_KIND_LAST || f->prims[i].kind == kind);
    return k;
}
