/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An action's timeline (ui-timeline.h): spans, phases, the probe's time
 * slices and the longest gap, from the steps' times and the samples the
 * run recorded; and its drawing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/stall.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-timeline.h"

/* a request is lost when it has had no answer this long (the agent's) */
#define LOST_AFTER_MS 1000
#define LOST_AT_END_MS 200
#define LABEL_W 8       /* the rows' names left of the axis */

static const char *const phase_names[UI_TL_PHASE_LAST] = {
    N_("initialisation"), N_("reservation"), N_("pre-copy"), N_("stop-and-copy"),
    N_("commitment"), N_("activation"),
};

/* A stream read in ~100 ms ticks stalls ~100 ms between them; a player's
 * buffer hides a few hundred more. */
enum ui_attr
ui_stall_attr(long long stall_ms)
{
    return stall_ms >= 2000 ? UI_BAD : stall_ms >= 500 ? UI_WARN : UI_GOOD;
}

long long
ui_stall_shown(const struct ccnc_probe_figures *p, bool running, bool *now)
{
    *now = running && !p->done && p->stream_stall_ms >= STALL_NOW_MS;
    return *now ? p->stream_stall_ms : p->stream_longest_stall_ms;
}

const char *
ui_timeline_phase_name(enum ui_tl_phase p)
{
    return p < UI_TL_PHASE_LAST ? _(phase_names[p]) : "";
}

/* How the steps map onto Figure 16's phases:
 * - initialisation (pre-migration): the checks, and moving the guest off
 *   its passthrough NIC (switch, verify, detach): libvirt will not migrate
 *   a VM holding a PCI hostdev;
 * - reservation: the VF reserved on the destination, and the migrate
 *   step's start up to libvirt's first pre-copy round (the destination's
 *   domain is prepared then);
 * - iterative pre-copy: the migration from the job's start until QEMU
 *   stops the guest; stop-and-copy: QEMU's downtime, which ends the job
 *   (both from the completed job's time_elapsed and downtime);
 * - commitment: after the job ended until the migrate step ends (libvirt
 *   confirms on the source and lets the destination's domain run);
 * - activation: a NIC attached on the destination, the guest enslaving
 *   it (link up), the bond back on it, the final check.
 * A migration that runs without a round yet is still in reservation (the
 * hosts setting it up); one that ended without the job's figures is
 * pre-copy as a whole. */
static enum ui_tl_phase
phase_of_op(enum ccnc_step_op op)
{
    switch (op) {
    case CCNC_STEP_RESERVE_NIC: return UI_TL_RESERVE;
    case CCNC_STEP_MIGRATE: return UI_TL_PRECOPY;
    case CCNC_STEP_ATTACH:
    case CCNC_STEP_WAIT_ENSLAVED:
    case CCNC_STEP_BOND_TO_PRIMARY:
    case CCNC_STEP_VERIFY: return UI_TL_ACTIVATE;
    default: return UI_TL_INIT;
    }
}

static void
add_span(struct ui_timeline *tl, long long t0, long long t1, enum ui_tl_phase p, int step,
         bool running)
{
    if (tl->n_spans >= UI_TL_SPANS_MAX || t1 < t0)
        return;
    tl->spans[tl->n_spans++] = (struct ui_tl_span){ t0, t1, p, step, running };
}

/* The axis' length while the action runs: the first of these that holds
 * what ran so far. */
static long long
nice_length(long long ms)
{
    static const int s[] = { 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900,
                             1200, 1800, 2700, 3600 };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(s); i++)
        if (ms < s[i] * 1000LL)
            return s[i] * 1000LL;
    return ms + 1;
}

/* The job's figures: when it started (the first sample that gives its
 * time_elapsed), the rounds, QEMU's downtime. */
static long long
read_jobs(struct ui_timeline *tl, const struct ccnc_engine_samples *s)
{
    long long start = CCNC_UNKNOWN;

    for (size_t i = 0; i < s->n_jobs; i++) {
        const struct ccnc_engine_job_sample *j = &s->jobs[i];
        if (start == CCNC_UNKNOWN && j->elapsed_ms >= 0 && !j->completed)
            start = j->t_ms - j->elapsed_ms;
        if (!j->completed && j->iteration > 0 && tl->n_rounds < CCNC_ARRAY_SIZE(tl->rounds) &&
            (!tl->n_rounds || tl->round_no[tl->n_rounds - 1] != j->iteration)) {
            tl->rounds[tl->n_rounds] = j->t_ms;
            tl->round_no[tl->n_rounds++] = j->iteration;
        }
        if (j->completed && start != CCNC_UNKNOWN && j->elapsed_ms >= 0 && j->downtime_ms >= 0) {
            tl->down_t1 = start + j->elapsed_ms;
            tl->down_t0 = tl->down_t1 - j->downtime_ms;
        }
    }
    return start;
}

/* The longest gap: where the longest_gap_ms figure reached its top.  Either
 * the gap still ran at that sample (it began at the last reply before
 * it), or it ended between two samples: at the first of the replies that
 * came since (the last one's time less the probe's interval for each
 * other; exact when one came). */
static void
find_gap(struct ui_timeline *tl)
{
    const struct ccnc_engine_probe_sample *p = tl->probes;
    size_t n = tl->n_probes, k = 0;
    long long top = -1, interval = 10;

    for (size_t i = 0; i < n; i++)
        if (p[i].longest_gap_ms > top) {
            top = p[i].longest_gap_ms;
            k = i;
        }
    tl->gap_ms = top;
    tl->gap_t1 = CCNC_UNKNOWN;
    if (top <= 0)
        return;
    if (n > 1 && p[n - 1].sent > p[0].sent)
        interval = (p[n - 1].t_ms - p[0].t_ms) / (p[n - 1].sent - p[0].sent);
    if (p[k].current_gap_ms >= top) {
        tl->gap_t1 = p[k].t_ms - p[k].current_gap_ms + top;
        tl->gap_exact = true;
    } else {
        long long replies = k ? p[k].received - p[k - 1].received : 1;
        tl->gap_t1 = p[k].t_ms - p[k].current_gap_ms - (replies > 1 ? replies - 1 : 0) * interval;
        if (k && tl->gap_t1 < p[k - 1].t_ms)
            tl->gap_t1 = p[k - 1].t_ms;
        tl->gap_exact = replies <= 1;
    }
}

void
ui_timeline_build(struct ui_timeline *tl, const struct ccnc_action *a,
                  const struct ccnc_engine_samples *s, bool running, long long now_ms)
{
    static const struct ccnc_engine_samples none = { 0 };
    long long first = 0, last = 0, job_start;

    memset(tl, 0, sizeof(*tl));
    if (!s)
        s = &none;
    tl->running = running;
    tl->down_t0 = tl->down_t1 = CCNC_UNKNOWN;
    tl->probes = s->probes;
    tl->n_probes = s->n_probes;
    tl->fdb = s->fdb;
    tl->n_fdb = s->n_fdb;
    for (size_t i = 0; i < tl->n_probes; i++) {
        if (tl->probes[i].stream_bps >= 0) {
            tl->has_stream = true;
            if (tl->probes[i].stream_bps > tl->stream_max)
                tl->stream_max = tl->probes[i].stream_bps;
        }
        if (tl->probes[i].stream_stall_ms >= 0)
            tl->has_stream = true;
    }
    job_start = read_jobs(tl, s);
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct ccnc_step *st = &a->steps[i];
        bool now = st->outcome == CCNC_STEP_RUNNING_NOW && running;
        long long t0 = st->started_ms;
        long long t1 = st->ended_ms ? st->ended_ms : now && now_ms > t0 ? now_ms : t0;
        if (!t0 || st->outcome == CCNC_STEP_PENDING)
            continue;
        if (!first || t0 < first)
            first = t0;
        if (t1 > last)
            last = t1;
        if (st->rollback) {
            add_span(tl, t0, t1, UI_TL_UNDO, (int)i, now);
        } else if (st->op == CCNC_STEP_MIGRATE && now && job_start == CCNC_UNKNOWN &&
                   a->migration.iteration <= 0) {
            add_span(tl, t0, t1, UI_TL_RESERVE, (int)i, now);
        } else if (st->op == CCNC_STEP_MIGRATE) {
            /* the migrate step in its phases, as far as the figures go */
            long long pre = job_start > t0 && job_start < t1 ? job_start : t0;
            long long stop = tl->down_t0 != CCNC_UNKNOWN && tl->down_t0 >= pre &&
                             tl->down_t0 <= t1 ? tl->down_t0 : t1;
            long long end = stop < t1 && tl->down_t1 <= t1 ? tl->down_t1 : t1;
            if (pre > t0)
                add_span(tl, t0, pre, UI_TL_RESERVE, (int)i, false);
            add_span(tl, pre, stop, UI_TL_PRECOPY, (int)i, now && stop == t1);
            if (stop < t1) {
                add_span(tl, stop, end, UI_TL_STOPCOPY, (int)i, false);
                add_span(tl, end, t1, UI_TL_COMMIT, (int)i, now);
            }
        } else {
            add_span(tl, t0, t1, phase_of_op(st->op), (int)i, now);
        }
    }
    if (tl->n_probes) {
        if (!first || tl->probes[0].t_ms - 100 < first)
            first = tl->probes[0].t_ms - 100;
        if (!running && tl->probes[tl->n_probes - 1].t_ms > last)
            last = tl->probes[tl->n_probes - 1].t_ms;
    }
    if (!first)
        first = last = now_ms;
    tl->t0 = first;
    if (running)
        tl->t1 = first + nice_length((now_ms > last ? now_ms : last) - first);
    else
        tl->t1 = last > first ? last : first + 1;
    find_gap(tl);
}

int
ui_timeline_col(const struct ui_timeline *tl, int w, long long t)
{
    long long span = tl->t1 - tl->t0, c;

    if (w <= 0 || span <= 0)
        return 0;
    if (t <= tl->t0)
        return 0;
    c = (t - tl->t0) * w / span;
    return c >= w ? w - 1 : (int)c;
}

void
ui_timeline_slice_times(const struct ui_timeline *tl, int w, int c, long long *from,
                        long long *to)
{
    long long span = tl->t1 - tl->t0;

    /* the first whole millisecond whose column is c, and c + 1's */
    *from = tl->t0 + ((long long)c * span + w - 1) / w;
    *to = tl->t0 + ((long long)(c + 1) * span + w - 1) / w;
}

static bool
overlaps(long long a0, long long a1, long long b0, long long b1)
{
    return a0 < b1 && b0 < a1;
}

enum ui_tl_slice
ui_timeline_slice(const struct ui_timeline *tl, int w, int c)
{
    const struct ccnc_engine_probe_sample *p = tl->probes;
    size_t n = tl->n_probes;
    long long from, to;
    bool late = false;

    ui_timeline_slice_times(tl, w, c, &from, &to);
    if (!n || to <= p[0].t_ms - 100 || from > p[n - 1].t_ms)
        return UI_TL_NONE;
    for (size_t k = 0; k < n; k++) {
        long long c_k = p[k].current_gap_ms;
        if (k > 0 && p[k].lost > p[k - 1].lost) {
            /* counted lost now: sent about a second before */
            long long after = k == n - 1 && !tl->running ? LOST_AT_END_MS : LOST_AFTER_MS;
            if (overlaps(p[k - 1].t_ms - LOST_AFTER_MS, p[k].t_ms - after, from, to))
                return UI_TL_LOST;
        }
        if (c_k >= UI_TL_LATE_MS && overlaps(p[k].t_ms - c_k, p[k].t_ms + 1, from, to))
            late = true;
    }
    if (tl->gap_ms >= UI_TL_LATE_MS && tl->gap_t1 != CCNC_UNKNOWN &&
        overlaps(tl->gap_t1 - tl->gap_ms, tl->gap_t1, from, to))
        late = true;
    return late ? UI_TL_LATE : UI_TL_OK;
}

enum ui_tl_phase
ui_timeline_phase_at(const struct ui_timeline *tl, long long from, long long to)
{
    long long in[UI_TL_PHASE_LAST + 1] = { 0 }, best = 0;
    enum ui_tl_phase r = UI_TL_UNDO;

    for (size_t i = 0; i < tl->n_spans; i++) {
        const struct ui_tl_span *s = &tl->spans[i];
        long long a = s->t0 > from ? s->t0 : from;
        long long b = s->t1 < to ? s->t1 : to;
        if (b > a)
            in[s->phase] += b - a;
        else if (s->t0 == s->t1 && s->t0 >= from && s->t0 < to && !in[s->phase])
            in[s->phase] = 0;   /* an instant: counts only when nothing else is there */
    }
    for (int p = 0; p <= UI_TL_PHASE_LAST; p++)
        if (in[p] > best) {
            best = in[p];
            r = (enum ui_tl_phase)p;
        }
    return r;
}

char *
ui_timeline_gap_text(const struct ui_timeline *tl)
{
    long long t0, t1, g = tl->gap_ms;
    enum ui_tl_phase p;
    const char *during;

    if (g <= 0 || tl->gap_t1 == CCNC_UNKNOWN)
        return NULL;
    t1 = tl->gap_t1;
    t0 = t1 - g;
    p = ui_timeline_phase_at(tl, t0, t1);
    if (p >= UI_TL_PHASE_LAST)
        return ccnc_xasprintf(_("%lld ms"), g);
    during = ui_timeline_phase_name(p);
    if (tl->down_t1 == CCNC_UNKNOWN)
        /* TRANSLATORS: the longest gap: its length, the phase of the migration */
        return ccnc_xasprintf(_("%lld ms, during %s"), g, during);
    if (t1 > tl->down_t1)
        return tl->gap_exact
                   /* TRANSLATORS: the longest gap: length, phase, when it ended */
                   ? ccnc_xasprintf(_("%lld ms, during %s, %lld ms after QEMU's downtime ended"),
                                    g, during, t1 - tl->down_t1)
                   : ccnc_xasprintf(_("%lld ms, during %s, about %lld ms after QEMU's downtime "
                                      "ended"), g, during, t1 - tl->down_t1);
    if (t1 >= tl->down_t0)
        return ccnc_xasprintf(_("%lld ms, during %s, ending within QEMU's downtime"), g, during);
    return ccnc_xasprintf(_("%lld ms, during %s, %lld ms before QEMU's downtime began"), g,
                          during, tl->down_t0 - t1);
}

/* Bridges told after the downtime: later ones are another move */
#define RELEARN_WINDOW_MS 5000
#define RELEARN_MAX 4

char *
ui_timeline_relearn_text(const struct ui_timeline *tl)
{
    char *text = NULL;
    const struct ccnc_trace_fdb *seen[RELEARN_MAX];
    size_t n = 0;

    if (tl->down_t0 == CCNC_UNKNOWN || tl->down_t1 == CCNC_UNKNOWN)
        return NULL;
    for (size_t i = 0; i < tl->n_fdb && n < RELEARN_MAX; i++) {
        const struct ccnc_trace_fdb *f = &tl->fdb[i];
        bool again = false;
        char *more;
        if (!f->learned || f->t_ms < tl->down_t0 || f->t_ms > tl->down_t1 + RELEARN_WINDOW_MS)
            continue;
        for (size_t k = 0; k < n; k++)
            again |= ccnc_streq(seen[k]->host, f->host) && ccnc_streq(seen[k]->bridge, f->bridge);
        if (again)
            continue;
        seen[n++] = f;
        more = ccnc_xasprintf("%s%s%s %s %+lld ms", text ? text : "", text ? ", " : "", f->host,
                              f->bridge, f->t_ms - tl->down_t1);
        free(text);
        text = more;
    }
    if (text && tl->gap_ms > 0 && tl->gap_t1 != CCNC_UNKNOWN && tl->gap_t1 > tl->down_t0) {
        /* TRANSLATORS: the bridges that learned the VM's MAC, then when the
         * probe's replies came back, both counted from QEMU's downtime's end */
        char *more = ccnc_xasprintf(_("%s; replies %+lld ms"), text, tl->gap_t1 - tl->down_t1);
        free(text);
        text = more;
    }
    return text;
}

/* --- drawing ------------------------------------------------------------------ */

/* The steps' names on the timeline, short. */
static const char *
short_name(enum ccnc_step_op op)
{
    switch (op) {
    /* TRANSLATORS: the migration forecast's step, on the timeline */
    case CCNC_STEP_FORECAST: return _("forecast");
    case CCNC_STEP_CHECK_DESTINATION:
    case CCNC_STEP_CHECK_STORAGE:
    case CCNC_STEP_CHECK_BACKUP: return _("checks");
    case CCNC_STEP_RESERVE_NIC: return _("reserve");
    /* TRANSLATORS: the bond switched to its backup NIC, on the timeline */
    case CCNC_STEP_BOND_TO_BACKUP: return _("switch");
    case CCNC_STEP_VERIFY_ON_BACKUP:
    case CCNC_STEP_VERIFY: return _("verify");
    case CCNC_STEP_DETACH: return _("detach");
    case CCNC_STEP_MIGRATE: return _("migrate");
    case CCNC_STEP_ATTACH: return _("attach");
    /* TRANSLATORS: the guest enslaved the new NIC: its link is up */
    case CCNC_STEP_WAIT_ENSLAVED: return _("link up");
    case CCNC_STEP_BOND_TO_PRIMARY: return _("bond back");
    default: return _("undo");
    }
}

/* A length for the axis' ticks: ten columns apart at least. */
static long long
tick_ms(long long span, int w)
{
    static const long long t[] = { 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000,
                                   120000, 300000, 600000 };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(t); i++)
        if (t[i] * w / (span > 0 ? span : 1) >= 10)
            return t[i];
    return 600000;
}

static void
put_cell(struct ui_grid *g, int y, int x, enum ui_attr attr, const char *utf8, const char *ascii)
{
    ui_grid_put(g, y, x, attr, g->ascii ? ascii : utf8);
}

/* Row y: each run of columns in one phase, named where the name fits. */
static void
draw_phases(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl,
            enum ui_attr text)
{
    int c = 0;

    while (c < w) {
        long long f, t;
        enum ui_tl_phase p;
        int e = c;
        ui_timeline_slice_times(tl, w, c, &f, &t);
        p = ui_timeline_phase_at(tl, f, t);
        while (e + 1 < w) {
            ui_timeline_slice_times(tl, w, e + 1, &f, &t);
            if (ui_timeline_phase_at(tl, f, t) != p)
                break;
            e++;
        }
        if (p < UI_TL_PHASE_LAST) {
            int sw = e - c + 1;
            if (c > 0)
                put_cell(g, y, x + c, UI_DIM, "\u2502", "|");
            if (sw >= 4)
                ui_grid_put_fit(g, y, x + c + 1, sw - 1, p == UI_TL_STOPCOPY ? UI_BAD : text,
                                ui_timeline_phase_name(p));
        }
        c = e + 1;
    }
}

static enum ui_attr
step_attr(const struct ccnc_step *s, bool rollback)
{
    switch (s->outcome) {
    case CCNC_STEP_FAILED:
    case CCNC_STEP_TIMEOUT: return UI_BAD;
    case CCNC_STEP_RUNNING_NOW: return UI_BOLD;
    default: return rollback ? UI_WARN : UI_NORMAL;
    }
}

/* Row y: each step a span: a mark where it starts, its name where it fits;
 * the migration filled by its phases, its rounds numbered. */
static void
draw_spans(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl,
           const struct ccnc_action *a)
{
    int prev_step = -1;

    for (size_t i = 0; i < tl->n_spans; i++) {
        const struct ui_tl_span *s = &tl->spans[i];
        int c0 = ui_timeline_col(tl, w, s->t0), c1 = ui_timeline_col(tl, w, s->t1 - 1);
        enum ui_attr attr = step_attr(&a->steps[s->step], s->phase == UI_TL_UNDO);
        if (c1 < c0)
            c1 = c0;
        for (int c = c0; c <= c1; c++) {
            if (s->phase == UI_TL_STOPCOPY)
                put_cell(g, y, x + c, UI_BAD, "\u2588", "#");
            else if (s->phase == UI_TL_PRECOPY)
                put_cell(g, y, x + c, attr == UI_NORMAL ? UI_WARN : attr, "\u2591", ":");
            else
                put_cell(g, y, x + c, attr == UI_NORMAL ? UI_DIM : attr, "\u2500", "-");
        }
    }
    /* then each step's start and name, over its fill */
    for (size_t i = 0; i < tl->n_spans; i++) {
        const struct ui_tl_span *s = &tl->spans[i];
        int c0 = ui_timeline_col(tl, w, s->t0), c1 = ui_timeline_col(tl, w, s->t1 - 1);
        enum ui_attr attr = step_attr(&a->steps[s->step], s->phase == UI_TL_UNDO);
        if (c1 < c0)
            c1 = c0;
        if (s->step != prev_step) {
            /* a new step: its start, and its name while its spans last */
            int end = c1;
            for (size_t k = i + 1; k < tl->n_spans && tl->spans[k].step == s->step; k++)
                end = ui_timeline_col(tl, w, tl->spans[k].t1 - 1);
            for (size_t k = i + 1; k < tl->n_spans; k++)
                if (tl->spans[k].step != s->step) {
                    int next = ui_timeline_col(tl, w, tl->spans[k].t0);
                    if (next - 1 < end)
                        end = next - 1;
                    break;
                }
            put_cell(g, y, x + c0, attr == UI_NORMAL ? UI_BOLD : attr, "\u2502", "|");
            if (end - c0 >= 3)
                ui_grid_put_fit(g, y, x + c0 + 1, end - c0, attr == UI_NORMAL ? UI_BOLD : attr,
                                short_name(a->steps[s->step].op));
        }
        prev_step = s->step;
    }
    /* the pre-copy rounds where nothing is written */
    for (size_t r = 0; r < tl->n_rounds; r++) {
        int c = ui_timeline_col(tl, w, tl->rounds[r]);
        struct ui_cell *cell = &g->cells[y * g->w + x + c];
        if (tl->round_no[r] < 10 && (cell->ch == L'\u2591' || cell->ch == L':'))
            ui_grid_printf(g, y, x + c, UI_WARN, "%d", tl->round_no[r]);
    }
}

char *
ui_timeline_stall_text(const struct ui_timeline *tl, const struct ccnc_action *a)
{
    long long mid, t0 = 0, t1 = 0, before = 0;

    /* the longest span the samples show */
    for (size_t i = 0; i < tl->n_probes; i++) {
        const struct ccnc_engine_probe_sample *p = &tl->probes[i];
        struct ccnc_stall_span sp[2];
        int n = ccnc_stall_spans_at(p->t_ms, p->stream_stall_ms, p->stream_longest_stall_ms,
                                    &before, 0, sp);
        for (int k = 0; k < n; k++)
            if (sp[k].t1 - sp[k].t0 > t1 - t0) {
                t0 = sp[k].t0;
                t1 = sp[k].t1;
            }
    }
    if (t1 <= t0)
        return NULL;
    if (ccnc_action_kind_migrates(a->kind)) {
        /* the phases where it began and ended */
        enum ui_tl_phase p0 = ui_timeline_phase_at(tl, t0, t0 + 1);
        enum ui_tl_phase p1 = ui_timeline_phase_at(tl, t1 - 1, t1);
        if (p0 != UI_TL_UNDO && p0 == p1)
            /* TRANSLATORS: when the stream's longest stall was: a phase */
            return ccnc_xasprintf(_("during %s"), ui_timeline_phase_name(p0));
        if (p0 != UI_TL_UNDO && p1 != UI_TL_UNDO)
            /* TRANSLATORS: the stream's longest stall began in one phase of
             * the migration and ended in a later one */
            return ccnc_xasprintf(_("from %s into %s"), ui_timeline_phase_name(p0),
                                  ui_timeline_phase_name(p1));
    }
    mid = t0 + (t1 - t0) / 2;
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct ccnc_step *st = &a->steps[i];
        if (st->started_ms && st->started_ms <= mid && (!st->ended_ms || mid < st->ended_ms))
            return ccnc_xasprintf(_("during %s"), short_name(st->op));
    }
    return NULL;
}

int
ui_timeline_rows(const struct ui_timeline *tl)
{
    return UI_TL_ROWS + (tl->has_stream ? 1 : 0);
}

int
ui_timeline_stream_level(const struct ui_timeline *tl, int w, int c)
{
    long long from, to, sum = 0, last = CCNC_UNKNOWN;
    int n = 0;

    if (!tl->has_stream)
        return -1;
    ui_timeline_slice_times(tl, w, c, &from, &to);
    if (tl->n_probes && from > tl->probes[tl->n_probes - 1].t_ms)
        return -1;   /* after the last reading: not known yet */
    for (size_t i = 0; i < tl->n_probes; i++) {
        const struct ccnc_engine_probe_sample *p = &tl->probes[i];
        if (p->stream_bps < 0)
            continue;
        if (p->t_ms < from)
            last = p->stream_bps;
        else if (p->t_ms < to) {
            sum += p->stream_bps;
            n++;
        }
    }
    if (n)
        last = sum / n;
    if (last < 0)
        return -1;
    if (last == 0 || tl->stream_max <= 0)
        return 0;
    return 1 + (int)(last * 7 / tl->stream_max);
}

bool
ui_timeline_stream_stalled(const struct ui_timeline *tl, int w, int c)
{
    long long from, to, mid, before = 0;

    ui_timeline_slice_times(tl, w, c, &from, &to);
    mid = from + (to - from) / 2;
    for (size_t i = 0; i < tl->n_probes; i++) {
        const struct ccnc_engine_probe_sample *p = &tl->probes[i];
        struct ccnc_stall_span sp[2];
        int n = ccnc_stall_spans_at(p->t_ms, p->stream_stall_ms, p->stream_longest_stall_ms,
                                    &before, STALL_NOW_MS, sp);
        for (int k = 0; k < n; k++)
            if (sp[k].t0 <= mid && mid <= sp[k].t1)
                return true;
    }
    return false;
}

/* The NFS stream's rate as a sparkline, one cell per slice; where it
 * stalled long, a red floor. */
static void
draw_stream(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl)
{
    static const char *const bars[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588" };
    static const char ascii[] = " .:-=+*##";

    for (int c = 0; c < w; c++) {
        int lv = ui_timeline_stream_level(tl, w, c);
        char a[2] = { 0, 0 };
        if (ui_timeline_stream_stalled(tl, w, c)) {
            put_cell(g, y, x + c, UI_BAD, "_", "_");
            continue;
        }
        if (lv < 0)
            continue;
        if (lv > 8)
            lv = 8;
        a[0] = ascii[lv];
        put_cell(g, y, x + c, lv == 0 ? UI_BAD : UI_GOOD, lv == 0 ? "_" : bars[lv],
                 lv == 0 ? "_" : a);
    }
}

static void
draw_strip(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl)
{
    for (int c = 0; c < w; c++)
        switch (ui_timeline_slice(tl, w, c)) {
        case UI_TL_OK: put_cell(g, y, x + c, UI_GOOD, "\u2582", "."); break;
        case UI_TL_LATE: put_cell(g, y, x + c, UI_WARN, "\u2585", "+"); break;
        case UI_TL_LOST: put_cell(g, y, x + c, UI_BAD, "\u2588", "X"); break;
        default: break;
        }
}

/* Rows y and y + 1: the axis with a tick each tick_ms(), the moments a
 * bridge learned the VM's MAC and the longest gap marked on it; the
 * ticks' times under it. */
static void
draw_axis(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl)
{
    long long span = tl->t1 - tl->t0, tick = tick_ms(span, w);

    ui_grid_hline(g, y, x, w);
    for (long long t = 0; t <= span; t += tick) {
        int c = ui_timeline_col(tl, w, tl->t0 + t);
        char buf[32];
        put_cell(g, y, x + c, UI_DIM, "\u253c", "+");
        if (tick >= 1000)
            snprintf(buf, sizeof(buf), "%llds", t / 1000);
        else
            snprintf(buf, sizeof(buf), "%.1fs", (double)t / 1000.0);
        if (c + ui_text_width(buf) <= w)
            ui_grid_put(g, y + 1, x + c, UI_DIM, buf);
    }
    if (tl->gap_ms >= UI_TL_LATE_MS && tl->gap_t1 != CCNC_UNKNOWN) {
        int c0 = ui_timeline_col(tl, w, tl->gap_t1 - tl->gap_ms);
        int c1 = ui_timeline_col(tl, w, tl->gap_t1 - 1);
        for (int c = c0; c <= c1; c++)
            put_cell(g, y, x + c, UI_BAD, "\u25b2", "^");
    }
    /* where a bridge learned the VM's MAC on a port (over the gap: the
     * network knew where the VM was before the replies came back) */
    for (size_t i = 0; i < tl->n_fdb; i++)
        if (tl->fdb[i].learned && tl->fdb[i].t_ms >= tl->t0 && tl->fdb[i].t_ms <= tl->t1)
            put_cell(g, y, x + ui_timeline_col(tl, w, tl->fdb[i].t_ms), UI_GOOD, "\u25c6", "*");
}

int
ui_timeline_draw(struct ui_grid *g, int y, int x, int w, const struct ui_timeline *tl,
                 const struct ccnc_action *a, bool bold)
{
    static const char *const rows[] = { N_("phase"), N_("steps"), N_("probe"), N_("stream") };
    enum ui_attr label = bold ? UI_BOLD : UI_DIM;
    int ax = x + LABEL_W, aw = w - LABEL_W, gx, s = tl->has_stream ? 1 : 0;
    char *gap, *line;

    if (aw < 20)
        return y;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(rows) - (size_t)(1 - s); i++)
        ui_grid_put_fit(g, y + (int)i, x, LABEL_W - 1, label, _(rows[i]));
    if (ccnc_action_kind_migrates(a->kind))
        draw_phases(g, y, ax, aw, tl, bold ? UI_BOLD : UI_NORMAL);
    draw_spans(g, y + 1, ax, aw, tl, a);
    if (tl->n_probes)
        draw_strip(g, y + 2, ax, aw, tl);
    else
        ui_grid_put_fit(g, y + 2, ax, aw, label, _("no samples of the probe"));
    if (s)   /* what the NFS server sent: its agent's one-second readings */
        draw_stream(g, y + 3, ax, aw, tl);
    draw_axis(g, y + 3 + s, ax, aw, tl);
    gap = ui_timeline_gap_text(tl);
    if (gap) {
        /* TRANSLATORS: the mark on the axis, then the longest gap named */
        line = ccnc_xasprintf(_("%s longest gap: %s"), g->ascii ? "^" : "\u25b2", gap);
        if (ui_text_width(line) > w) {
            free(line);
            line = ccnc_xasprintf("%s %s", g->ascii ? "^" : "\u25b2", gap);
        }
        gx = ui_grid_put_fit(g, y + 5 + s, x, w, tl->gap_ms >= 1000 ? UI_BAD : UI_WARN, line);
        free(line);
        free(gap);
    } else {
        gx = x;
    }
    if (a->probe.stream) {
        /* the stream's longest stall, where it fits */
        line = ccnc_xasprintf(_("stream: longest stall %lld ms"), a->probe.stream_longest_stall_ms);
        if (gx + 3 + ui_text_width(line) <= x + w)
            gx = ui_grid_put(g, y + 5 + s, gx + 3, ui_stall_attr(a->probe.stream_longest_stall_ms),
                             line);
        free(line);
    }
    if (tl->n_probes) {
        /* the strip's legend, where it fits */
        line = ccnc_xasprintf(_("%s replies  %s late  %s lost"), g->ascii ? "." : "\u2582",
                              g->ascii ? "+" : "\u2585", g->ascii ? "X" : "\u2588");
        if (gx + 3 + ui_text_width(line) <= x + w)
            ui_grid_put(g, y + 5 + s, x + w - ui_text_width(line), label, line);
        free(line);
    }
    return y + ui_timeline_rows(tl);
}
