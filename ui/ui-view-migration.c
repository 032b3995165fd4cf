/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The migration view: this session's actions as a list (those running
 * first), and the selected one in detail: its steps with their times,
 * its timeline (ui-timeline.c: the steps on a real time axis under the
 * thesis' Figure 16 phases, the probe's strip, the longest gap named),
 * the connectivity gap meter; under a lone action, this session's results. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/i18n.h"
#include "ui-timeline.h"
#include "ui-views.h"

static const char *const steps[] = {
    N_("switch the bond to the backup NIC"),
    N_("detach the passthrough NIC"),
    N_("migrate the VM live"),
    N_("attach a free VF on the destination"),
    N_("switch the bond back to the new NIC"),
};

static const char *const phases[] = {
    N_("pre-migration"),
    N_("pre-copy rounds"),
    N_("stop-and-copy"),
    N_("activation"),
};

static const char *const gap_rows[] = {
    N_("current gap"),
    N_("longest gap"),
    N_("lost probes"),
    N_("stream stall"),
};

static const char *const result_cols[] = {
    N_("VM"), N_("from"), N_("to"), N_("total"), N_("downtime"), N_("longest gap"),
    N_("lost probes"),
};

static void draw_bandwidth(struct ui_grid *g, int y, int bottom, const struct ui_state *st);

static int
section(struct ui_grid *g, int y, int x, const char *title)
{
    int e = ui_grid_put(g, y, x, UI_HEADER, title);
    ui_grid_fill_attr_span(g, y, x - 1, e - x + 2, UI_HEADER);
    return y + 1;
}

static void
draw_timeline(struct ui_grid *g, int y, int x0, int w)
{
    int n = (int)CCNC_ARRAY_SIZE(phases), seg = w / n;

    for (int i = 0; i < n; i++) {
        int x = x0 + i * seg;
        int sw = i == n - 1 ? w - i * seg : seg;
        ui_grid_put_fit(g, y, x + 2, sw - 3, UI_DIM, _(phases[i]));
        ui_grid_hline(g, y + 1, x, sw);
        if (i > 0) {
            ui_grid_put(g, y, x, UI_DIM, g->ascii ? "|" : "\u2502");
            ui_grid_put(g, y + 1, x, UI_DIM, g->ascii ? "+" : "\u2534");
        }
    }
}

static enum ui_attr
outcome_attr(enum ccnc_step_outcome o)
{
    switch (o) {
    case CCNC_STEP_OK: return UI_GOOD;
    case CCNC_STEP_RUNNING_NOW: return UI_WARN;
    case CCNC_STEP_FAILED:
    case CCNC_STEP_TIMEOUT: return UI_BAD;
    default: return UI_DIM;
    }
}

static void
mib(char *buf, size_t len, long long bytes)
{
    if (bytes < 0)
        snprintf(buf, len, "?");
    else
        snprintf(buf, len, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

/* "round 3: 12.4 MiB left of 256.0 MiB, dirtying 1200 pages/s, 95.0 MiB/s" */
static char *
migration_figures(const struct ccnc_migration_figures *m)
{
    char left[32], total[32], rate[32];


    mib(left, sizeof(left), m->memory_remaining);
    mib(total, sizeof(total), m->memory_total);
    mib(rate, sizeof(rate), m->bps);
    return ccnc_xasprintf(_("round %d: %s left of %s, dirtying %lld pages/s, %s/s"),
                          m->iteration, left, total, m->dirty_rate < 0 ? 0 : m->dirty_rate, rate);
}

static enum ui_attr
gap_attr(long long gap_ms)
{
    return gap_ms >= 1000 ? UI_BAD : gap_ms >= 100 ? UI_WARN : UI_GOOD;
}

/* The connectivity gap meter: the probe's figures and a bar for the gap
 * now, one cell per 20 ms. */
static void
draw_gap_meter(struct ui_grid *g, int y, int x, int w, const struct ccnc_probe_figures *p)
{
    char buf[64];
    int label = 13, vx = x + label, vw = w - label;

    if (w < 20)
        return;
    if (!p->measured) {
        ui_grid_put_fit(g, y, x, w, UI_DIM, _("not measured"));
        if (p->error)
            ui_put_wrapped(g, y + 1, x, w, 3, UI_DIM, p->error);
        return;
    }
    for (int i = 0; i < 3; i++)
        ui_grid_put_fit(g, y + i, x, label - 1, UI_NORMAL, _(gap_rows[i]));
    snprintf(buf, sizeof(buf), "%lld ms", p->current_gap_ms);
    ui_grid_put_fit(g, y, vx, 9, p->done ? UI_DIM : gap_attr(p->current_gap_ms), buf);
    if (!p->done && vw > 10) {
        int cells = (int)(p->current_gap_ms / 20);
        char bar[256] = "";
        size_t len = 0;
        if (cells > vw - 10)
            cells = vw - 10;
        for (int i = 0; i < cells && len + 4 < sizeof(bar); i++) {
            const char *c = g->ascii ? "#" : "\u2588";
            memcpy(bar + len, c, strlen(c) + 1);
            len += strlen(c);
        }
        ui_grid_put(g, y, vx + 10, gap_attr(p->current_gap_ms), bar);
    }
    snprintf(buf, sizeof(buf), "%lld ms", p->longest_gap_ms);
    ui_grid_put_fit(g, y + 1, vx, vw, gap_attr(p->longest_gap_ms), buf);
    snprintf(buf, sizeof(buf), _("%lld of %lld"), p->lost, p->sent);
    ui_grid_put_fit(g, y + 2, vx, vw, p->lost ? UI_WARN : UI_GOOD, buf);
    if (p->stream) {
        /* the NFS stream, as its server's sockets show it */
        bool now;
        long long ms = ui_stall_shown(p, true, &now);
        ui_grid_put_fit(g, y + 3, x, label - 1, UI_NORMAL, _(gap_rows[3]));
        /* TRANSLATORS: the stream's stall going on now, or (without
         * "now") its longest */
        snprintf(buf, sizeof(buf), now ? _("%lld ms now") : "%lld ms", ms);
        ui_grid_put_fit(g, y + 3, vx, vw, ui_stall_attr(ms), buf);
    }
    if (p->done && p->error)   /* within the 5 rows the steps leave it */
        ui_put_wrapped(g, y + 3 + (p->stream ? 1 : 0), x, w, p->stream ? 1 : 2, UI_DIM,
                       p->error);
}

/* The step to keep in sight: the one running, else the first that failed
 * (what the rollback answers), else the last. */
static size_t
focus_step(const struct ccnc_action *a)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].outcome == CCNC_STEP_RUNNING_NOW)
            return i;
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].outcome == CCNC_STEP_FAILED || a->steps[i].outcome == CCNC_STEP_TIMEOUT)
            return i;
    return a->n_steps ? a->n_steps - 1 : 0;
}

/* The steps with their outcomes and times, in at most avail rows: when
 * they do not fit, the window keeps the focus step in sight (with the two
 * after a running one, or every step after a failed one: the rollback),
 * and the section's head says which steps these are. */
static int
draw_steps(struct ui_grid *g, int y, int right, int avail, const struct ccnc_action *a)
{
    int n = (int)a->n_steps, first = 0, last;

    if (avail < 1)
        return y;
    if (n > avail) {
        int f = (int)focus_step(a);
        bool running = a->steps[f].outcome == CCNC_STEP_RUNNING_NOW;
        first = ui_scroll_top(f, running ? (f + 2 < n ? f + 2 : n - 1) : n - 1, avail);
        if (first + avail > n)
            first = n - avail;
        /* TRANSLATORS: which steps the window shows: first, last, all */
        ui_grid_printf(g, y - 1, 9, UI_DIM, _("%d-%d of %d"), first + 1, first + avail, n);
    }
    last = first + (n < avail ? n : avail);
    for (int i = first; i < last; i++, y++) {
        const struct ccnc_step *s = &a->steps[i];
        char dur[32] = "";
        ui_grid_printf(g, y, 2, UI_DIM, "%2d", i + 1);
        if (s->rollback)
            ui_grid_put(g, y, 5, UI_WARN, _("undo"));
        ui_grid_put_fit(g, y, s->rollback ? 10 : 5, right - 28 - (s->rollback ? 5 : 0),
                        s->outcome == CCNC_STEP_SKIPPED ? UI_DIM : UI_NORMAL,
                        ccnc_step_op_to_string(s->op));
        if (s->ended_ms && s->started_ms)
            snprintf(dur, sizeof(dur), "%lld ms", s->ended_ms - s->started_ms);
        ui_grid_put_fit(g, y, right - 22, 9, outcome_attr(s->outcome),
                        ccnc_step_outcome_text(s->outcome));
        ui_grid_put_fit(g, y, right - 12, 10, UI_DIM, dur);
    }
    return y;
}

static enum ui_attr
state_attr(const struct ccnc_action *a)
{
    switch (a->state) {
    case CCNC_ACTION_DONE: return a->on_backup_only ? UI_BAD : UI_GOOD;
    case CCNC_ACTION_FAILED: return UI_BAD;
    case CCNC_ACTION_ROLLED_BACK: return UI_WARN;
    default: return UI_BOLD;
    }
}

/* a's migrate step (not an undo's), NULL when its plan has none. */
static const struct ccnc_step *
migrate_step(const struct ccnc_action *a)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (a->steps[i].op == CCNC_STEP_MIGRATE && !a->steps[i].rollback)
            return &a->steps[i];
    return NULL;
}

/* Whether it began (its gap is then the migration's). */
static bool
migrate_started(const struct ccnc_action *a)
{
    const struct ccnc_step *s = migrate_step(a);

    return s && s->started_ms > 0;
}

/* Whether it runs now (the course is said only then). */
static bool
migrating_now(const struct ccnc_action *a)
{
    const struct ccnc_step *s = migrate_step(a);

    return s && s->outcome == CCNC_STEP_RUNNING_NOW;
}

/* One action in detail from row y: its head and summary, its steps beside
 * the gap meter, the timeline with the pre-copy figures and the forecast,
 * its run file.  listed: the list above shows the others, so the summary
 * takes at most three rows. */
static int
draw_action(struct ui_grid *g, int y, const struct ui_action *r, bool listed,
            const struct ui_state *st)
{
    const struct ccnc_action *a = r->action;
    int bottom = UI_BODY_BOTTOM(g);
    int right = ui_wide(g) ? g->w / 2 + 4 : g->w - 28;
    const char *arrow = g->ascii ? "->" : "\u2192";
    char *head = a->destination
                     ? ccnc_xasprintf("%s %s: %s %s %s", ccnc_action_kind_to_string(a->kind), a->vm,
                                      a->source, arrow, a->destination)
                     : ccnc_xasprintf("%s %s on %s", ccnc_action_kind_to_string(a->kind), a->vm,
                                      a->source);
    int x = ui_grid_put_fit(g, y, 1, right - 4, UI_BOLD, head);
    int reserve;

    free(head);
    ui_grid_put(g, y, x + 2, a->state == CCNC_ACTION_DONE ? UI_GOOD : state_attr(a),
                ccnc_action_state_text(a->state));
    y++;
    if (a->summary) {
        /* the summary is the sentence that matters: wrap it, never cut it */
        enum ui_attr sa = a->on_backup_only ? UI_BAD : state_attr(a);
        int rows = listed ? 3 : bottom - y + 1;
        y = ui_put_wrapped(g, y, 1, g->w - 2, rows, sa, a->summary);
        y--;
    } else if (r->active && a->notice && a->n_steps && !a->steps[0].started_ms) {
        /* before its first step: what it waits for (its source's libvirt) */
        ui_grid_put_fit(g, y, 1, g->w - 2, UI_WARN, a->notice);
    } else if (r->active) {
        ui_grid_put_fit(g, y, 1, g->w - 2, UI_DIM, _("x aborts: the action undoes what it can."));
    }
    y += g->h >= 30 ? 2 : 1;

    /* what the steps leave room for: the timeline with its figures, the
     * forecast, the run file */
    reserve = 1 + UI_TL_ROWS +
              (a->migration.iteration > 0 || (a->migration.setup_ms > 0 && migrating_now(a)) ? 1
                                                                                          : 0) +
              (a->migration.to_go.course != CCNC_PRECOPY_UNKNOWN && migrating_now(a) ? 1 : 0) +
              (a->migration.iteration > 0 && ccnc_migration_limit_raised(&a->migration) ? 1 : 0) +
              (a->forecast.valid ? 1 : 0) + (r->run_file ? 1 : 0) + (g->h >= 30 ? 1 : 0) +
              (g->h >= 30 && st->samples.n_fdb ? 1 : 0);
    section(g, y, 2, _("Steps"));
    section(g, y, right, _("Connectivity gap"));
    y++;
    draw_gap_meter(g, y, right, g->w - right - 1, &a->probe);
    {
        int avail = bottom - y + 1 - reserve;
        if (avail < 4)
            avail = 4;
        y = draw_steps(g, y, right, avail, a);
    }
    if (g->h >= 30)
        y++;
    struct ui_timeline tl;
    char *relearn = NULL;
    ui_timeline_build(&tl, a, &st->samples, r->active, st->now_ms);
    if (y + ui_timeline_rows(&tl) <= bottom) {
        y = section(g, y, 2, _("Timeline"));
        y = ui_timeline_draw(g, y, 2, g->w - 4, &tl, a, false);
        if (a->migration.iteration > 0 && y <= bottom) {
            char *text = migration_figures(&a->migration);
            bool warn;

            ui_grid_put_fit(g, y++, 4, g->w - 6, UI_NORMAL, text);
            free(text);
            /* the limit the policy raised it to, and why */
            text = ccnc_migration_limit_text(&a->migration);
            if (text && y <= bottom)
                ui_grid_put_fit(g, y++, 4, g->w - 6, UI_NORMAL, text);
            free(text);
            /* where it is going, under the round it was worked out at */
            text = migrating_now(a) ? ccnc_forecast_course_text(&a->migration.to_go,
                                                                a->migration.timeout_ms, &warn)
                                    : NULL;
            if (text && y <= bottom)
                ui_grid_put_fit(g, y++, 4, g->w - 6, warn ? UI_WARN : UI_NORMAL, text);
            free(text);
        } else if (migrating_now(a) && y <= bottom) {
            /* slow to start: what it waits for */
            char *text = ccnc_migration_setup_text(&a->migration, a->source, a->destination);

            if (text)
                ui_grid_put_fit(g, y++, 4, g->w - 6, UI_WARN, text);
            free(text);
        }
        if (a->forecast.valid && y <= bottom) {
            /* what the plan forecast, beside what the probe measured */
            const struct ccnc_precopy_prediction *o = &a->forecast.out;
            char *text = o->converges
                             ? ccnc_xasprintf(_("forecast: %.1f s, downtime %.0f ms, gap %.0f ms"),
                                              o->total_ms / 1000, o->downtime_ms, o->gap_ms)
                         : o->out_of_time
                             ? ccnc_xasprintf(_("forecast: it will not end within its %.0f s timeout"),
                                              ccnc_precopy_max_ms(&a->forecast.in) / 1000)
                             : ccnc_xstrdup(_("forecast: it will not converge"));
            /* the gap is the migration's only when there was one */
            if (a->probe.done && a->probe.longest_gap_ms >= 0 && o->converges &&
                migrate_started(a)) {
                char *more = ccnc_xasprintf(_("%s; measured gap %lld ms"), text,
                                            a->probe.longest_gap_ms);
                free(text);
                text = more;
            }
            ui_grid_put_fit(g, y++, 4, g->w - 6, o->converges ? UI_DIM : UI_WARN, text);
            free(text);
            if (ccnc_forecast_at_edge(&a->forecast) && y <= bottom) {
                /* TRANSLATORS: under the forecast: its rounds and time cannot be told */
                text = ccnc_xasprintf(_("at the edge: dirtying %.0f %% of the link, the rounds "
                                        "cannot be told"),
                                      ccnc_forecast_dirty_share(&a->forecast) * 100);
                ui_grid_put_fit(g, y++, 4, g->w - 6, UI_WARN, text);
                free(text);
                /* and what 15 % less or more would give */
                text = ccnc_forecast_band_text(&a->forecast);
                if (text && y <= bottom)
                    ui_grid_put_fit(g, y++, 6, g->w - 8, UI_DIM, text);
                free(text);
            }
        }
        relearn = ui_timeline_relearn_text(&tl);
        if (relearn && y <= bottom) {
            /* where the network found the VM: the axis's marks, named */
            char *text = ccnc_xasprintf(_("%s bridges, from the end of QEMU's downtime: %s"),
                                        g->ascii ? "*" : "\u25c6", relearn);
            ui_grid_put_fit(g, y++, 4, g->w - 6, UI_DIM, text);
            free(text);
        }
        free(relearn);
    }
    if (r->run_file && y <= bottom)
        ui_grid_put_fit(g, y++, 2, g->w - 4, UI_DIM, r->run_file);
    return y;
}

/* This session's results (the engine's, oldest first), under a lone
 * action: the list shows them when there are several. */
static int
draw_results(struct ui_grid *g, int y, int bottom, const struct ui_state *st)
{
    bool wide = g->w >= 90;   /* room for the stream's stall */

    if (!st->n_results || y + 3 > bottom)
        return y;
    y = section(g, y + 1, 2, _("Results"));
    ui_grid_printf(g, y, 2, UI_BOLD, "%-10s %-6s %-6s %-12s %9s %9s %9s %6s", _("VM"),
                   _("from"), _("to"), _("result"), _("total"), _("downtime"), _("gap"),
                   _("lost"));
    /* TRANSLATORS: the Results' column of the NFS stream's longest stall */
    if (wide)
        ui_grid_printf(g, y, 79, UI_BOLD, " %9s", _("stall"));
    y++;
    for (size_t i = st->n_results > (size_t)(bottom - y) ? st->n_results - (size_t)(bottom - y) : 0;
         i < st->n_results && y <= bottom; i++, y++) {
        const struct ccnc_engine_result *r = &st->results[i];
        char total[24] = "-", down[24] = "-", gap[24] = "-", lost[24] = "-";
        if (r->total_ms >= 0)
            snprintf(total, sizeof(total), "%lld ms", r->total_ms);
        if (r->downtime_ms >= 0)
            snprintf(down, sizeof(down), "%lld ms", r->downtime_ms);
        if (r->longest_gap_ms >= 0)
            snprintf(gap, sizeof(gap), "%lld ms", r->longest_gap_ms);
        if (r->lost_probes >= 0)
            snprintf(lost, sizeof(lost), "%lld", r->lost_probes);
        ui_grid_printf(g, y, 2, r->state == CCNC_ACTION_DONE ? UI_NORMAL : UI_WARN,
                       "%-10.10s %-6.6s %-6.6s %-12s %9s %9s %9s %6s", r->vm, r->source,
                       r->destination ? r->destination : "-",
                       ccnc_action_state_text(r->state), total, down, gap, lost);
        if (wide && r->stream_stall_ms >= 0)
            ui_grid_printf(g, y, 79, ui_stall_attr(r->stream_stall_ms), " %6lld ms",
                           r->stream_stall_ms);
    }
    return y;
}

/* The demo's Table 1 (D) from y, what fits above bottom; returns the row
 * after it. */
int
ui_demo_table_draw(struct ui_grid *g, int y, int bottom, const struct ui_state *st)
{
    const char *p = st->demo_table;

    if (!p || y + 3 > bottom)
        return y;
    y = section(g, y + 1, 2, _("Demo: the thesis' Table 1"));
    if (st->demo_status)
        ui_grid_put_fit(g, y++, 2, g->w - 4, UI_BOLD, st->demo_status);
    while (*p && y <= bottom) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = ccnc_xstrndup(p, n);
        ui_grid_put_fit(g, y++, 2, g->w - 4, UI_NORMAL, line);
        free(line);
        p += n + (nl ? 1 : 0);
    }
    return y;
}

/* --- the list of actions ------------------------------------------------------ */

/* A duration as the list shows it: "830 ms", "12.4 s", "3m 05s"; "-"
 * when unknown. */
static void
format_ms(char *buf, size_t len, long long ms)
{
    if (ms < 0)
        snprintf(buf, len, "-");
    else if (ms < 10000)
        snprintf(buf, len, "%lld ms", ms);
    else if (ms < 600000)
        snprintf(buf, len, "%.1f s", (double)ms / 1000.0);
    else
        snprintf(buf, len, "%lldm %02llds", ms / 60000, ms / 1000 % 60);
}

/* How long the action has run (now_ms, when it still runs) or ran: from
 * its first step's start to its last step's end; unknown before it
 * started. */
static long long
action_ms(const struct ccnc_action *a, bool active, long long now_ms)
{
    long long first = 0, last = 0;

    for (size_t i = 0; i < a->n_steps; i++) {
        const struct ccnc_step *s = &a->steps[i];
        if (s->started_ms && (!first || s->started_ms < first))
            first = s->started_ms;
        if (s->started_ms > last)
            last = s->started_ms;
        if (s->ended_ms > last)
            last = s->ended_ms;
    }
    if (!first)
        return CCNC_UNKNOWN;
    return active && now_ms > last ? now_ms - first : last - first;
}

/* Where an action stands, in a word or three: queued, step 8 of 12,
 * rolling back, done, failed, rolled back. */
static char *
list_state(const struct ui_action *r, enum ui_attr *attr)
{
    const struct ccnc_action *a = r->action;
    size_t planned = 0;

    for (size_t i = 0; i < a->n_steps; i++)
        planned += !a->steps[i].rollback;
    if (!r->active) {
        *attr = state_attr(a);
        return ccnc_xstrdup(ccnc_action_state_text(a->state));
    }
    if (a->state == CCNC_ACTION_PLANNED || a->state == CCNC_ACTION_CONFIRMED) {
        *attr = UI_DIM;
        /* TRANSLATORS: an action waiting for a place among those running */
        return ccnc_xstrdup(_("queued"));
    }
    if (a->current < a->n_steps && a->steps[a->current].rollback) {
        *attr = UI_WARN;
        return ccnc_xstrdup(_("rolling back"));
    }
    *attr = UI_BOLD;
    /* TRANSLATORS: a running action: the step it is at, of its plan's */
    return ccnc_xasprintf(_("step %zu of %zu"), a->current + 1 < planned ? a->current + 1
                                                                           : planned, planned);
}

/* The list's columns: their widths below and from UI_WIDE_COLS columns on
 * (0: not shown), and whether figures align right. */
enum { COL_VM, COL_KIND, COL_ROUTE, COL_STATE, COL_TIME, COL_DOWN, COL_GAP, COL_LOST, COL_LAST };
static const struct {
    const char *title;  /* N_(); the route's is made of "from" and "to" */
    int narrow, wide;
    bool right;
} list_cols[COL_LAST] = {
    [COL_VM] = { N_("VM"), 8, 16, false },
    [COL_KIND] = { N_("action"), 12, 20, false },
    [COL_ROUTE] = { NULL, 13, 24, false },
    [COL_STATE] = { N_("state"), 14, 16, false },
    [COL_TIME] = { N_("time"), 7, 9, true },
    [COL_DOWN] = { N_("downtime"), 8, 9, true },
    [COL_GAP] = { N_("gap"), 7, 9, true },
    [COL_LOST] = { N_("lost"), 0, 6, true },
};

/* The kinds in the narrow list's twelve columns. */
static const char *const short_kinds[CCNC_ACTION_LAST] = {
    [CCNC_ACTION_ASSIGN] = N_("assign"),
    [CCNC_ACTION_DETACH] = N_("detach"),
    [CCNC_ACTION_MIGRATE] = N_("migrate"),
    /* TRANSLATORS: migrate with the passthrough NIC, in 12 columns */
    [CCNC_ACTION_MIGRATE_PASSTHROUGH] = N_("migrate+NIC"),
    /* TRANSLATORS: migrate with QEMU's failover (teaming), in 12 columns */
    [CCNC_ACTION_MIGRATE_TEAMING] = N_("migrate+team"),
};

/* One row of the list: cells[c] into column c. */
static void
draw_list_row(struct ui_grid *g, int y, char *const cells[COL_LAST],
              const enum ui_attr attrs[COL_LAST])
{
    bool wide = ui_wide(g);
    int x = 2;

    for (int c = 0; c < COL_LAST; c++) {
        int w = wide ? list_cols[c].wide : list_cols[c].narrow;
        if (w == 0)
            continue;
        if (list_cols[c].right) {
            int tw = ui_text_width(cells[c]);
            ui_grid_put_fit(g, y, tw < w ? x + w - tw : x, w, attrs[c], cells[c]);
        } else {
            ui_grid_put_fit(g, y, x, w, attrs[c], cells[c]);
        }
        x += w + 1;
    }
}

/* The list of this session's actions from row y: a head, then at most
 * rows rows; when the actions do not fit, the last row says how many are
 * above and below those shown, which keep the selected one (sel) in
 * sight.  Returns the row after the list. */
static int
draw_list(struct ui_grid *g, int y, int rows, const struct ui_state *st, int sel)
{
    const char *arrow = g->ascii ? "->" : "\u2192";
    const char *mark = g->ascii ? ">" : "\u25b6";
    int n = (int)st->n_actions;
    int shown = n > rows ? rows - 1 : n;
    int top = ui_scroll_top(sel, sel, shown);
    char *cells[COL_LAST];
    enum ui_attr attrs[COL_LAST];

    for (int c = 0; c < COL_LAST; c++) {
        cells[c] = c == COL_ROUTE ? ccnc_xasprintf("%s %s %s", _("from"), arrow, _("to"))
                                  : ccnc_xstrdup(_(list_cols[c].title));
        attrs[c] = UI_BOLD;
    }
    draw_list_row(g, y++, cells, attrs);
    for (int c = 0; c < COL_LAST; c++)
        free(cells[c]);
    for (int i = top; i < n && i < top + shown; i++, y++) {
        const struct ui_action *r = &st->actions[i];
        const struct ccnc_action *a = r->action;
        char buf[32];
        int vm_w = ui_wide(g) ? list_cols[COL_VM].wide : list_cols[COL_VM].narrow;

        cells[COL_VM] = ccnc_xstrdup(a->vm ? a->vm : "?");
        cells[COL_KIND] = ccnc_xstrdup(ui_wide(g) ? ccnc_action_kind_to_string(a->kind)
                                                  : _(short_kinds[a->kind]));
        cells[COL_ROUTE] = a->destination
                               ? ccnc_xasprintf("%s %s %s", ui_str(a->source), arrow,
                                                a->destination)
                               : ccnc_xstrdup(ui_str(a->source));
        cells[COL_STATE] = list_state(r, &attrs[COL_STATE]);
        format_ms(buf, sizeof(buf), action_ms(a, r->active, st->now_ms));
        cells[COL_TIME] = ccnc_xstrdup(buf);
        format_ms(buf, sizeof(buf), r->downtime_ms);
        cells[COL_DOWN] = ccnc_xstrdup(buf);
        format_ms(buf, sizeof(buf), a->probe.measured ? a->probe.longest_gap_ms : CCNC_UNKNOWN);
        cells[COL_GAP] = ccnc_xstrdup(buf);
        if (a->probe.measured)
            snprintf(buf, sizeof(buf), "%lld", a->probe.lost);
        else
            snprintf(buf, sizeof(buf), "-");
        cells[COL_LOST] = ccnc_xstrdup(buf);
        attrs[COL_VM] = UI_BOLD;
        attrs[COL_KIND] = attrs[COL_ROUTE] = attrs[COL_TIME] = attrs[COL_DOWN] = UI_NORMAL;
        attrs[COL_GAP] = a->probe.measured ? gap_attr(a->probe.longest_gap_ms) : UI_NORMAL;
        attrs[COL_LOST] = a->probe.measured && a->probe.lost ? UI_WARN : UI_NORMAL;
        draw_list_row(g, y, cells, attrs);
        if (i == sel) {
            ui_grid_put(g, y, 0, UI_REVERSE, mark);
            ui_grid_fill_attr_span(g, y, 0, 2 + vm_w, UI_REVERSE);
        }
        for (int c = 0; c < COL_LAST; c++)
            free(cells[c]);
    }
    if (shown < n) {
        int x = 2;
        if (top > 0) {
            char *t = ccnc_xasprintf(g->ascii ? _("^ %d more") : _("\u2191 %d more"), top);
            x = ui_grid_put(g, y, x, UI_DIM, t) + 2;
            free(t);
        }
        if (top + shown < n) {
            char *t = ccnc_xasprintf(g->ascii ? _("v %d more") : _("\u2193 %d more"),
                                     n - top - shown);
            ui_grid_put(g, y, x, UI_DIM, t);
            free(t);
        }
        y++;
    }
    return y;
}

static int
order_cmp(const void *pa, const void *pb)
{
    const struct ui_action *a = pa, *b = pb;

    if (a->active != b->active)
        return a->active ? -1 : 1;
    /* running and queued in the order given; ended ones newest first */
    return a->active ? (a->id > b->id) - (a->id < b->id) : (a->id < b->id) - (a->id > b->id);
}

void
ui_actions_order(struct ui_action *actions, size_t n)
{
    if (n > 1)
        qsort(actions, n, sizeof(*actions), order_cmp);
}

int
ui_actions_selected(const struct ui_state *st)
{
    if (!st->n_actions)
        return -1;
    for (size_t i = 0; st->action_id && i < st->n_actions; i++)
        if (st->actions[i].id == st->action_id)
            return (int)i;
    return 0;
}

/* The bandwidth tests (b), newest last: which NIC the bond was on, and
 * what iperf3 measured (the thesis' throughput table). */
static void
draw_bandwidth(struct ui_grid *g, int y, int bottom, const struct ui_state *st)
{
    if (st->n_bw == 0 || y > bottom)
        return;
    if (y + 3 > bottom) {
        /* no room for the table: the newest test on one line */
        const struct ui_bw *b = &st->bw[st->n_bw - 1];
        char *r = b->running ? ccnc_xstrdup(_("measuring...")) :
                  b->bps >= 0 ? ccnc_xasprintf("%.1f Mb/s", b->bps / 1e6) :
                                ccnc_xasprintf(_("failed: %s"), b->error);
        /* TRANSLATORS: the newest bandwidth test: time, from, VM, bond's NIC, result */
        char *t = ccnc_xasprintf(_("Bandwidth (iperf3) %s: %s -> %s on %s: %s"), b->when, b->from,
                                 b->vm, b->slave, r);
        ui_grid_put_fit(g, y, 2, g->w - 4, b->running ? UI_DIM : b->bps >= 0 ? UI_NORMAL
                                                                           : UI_WARN, t);
        free(t);
        free(r);
        return;
    }
    y = section(g, y + 1, 2, _("Bandwidth (iperf3)"));
    ui_grid_printf(g, y++, 2, UI_BOLD, "%-8s %-10s %-6s %-20s %s", _("time"), _("VM"),
                   _("from"), _("bond on"), _("throughput"));
    for (size_t i = st->n_bw > (size_t)(bottom - y + 1) ? st->n_bw - (size_t)(bottom - y + 1) : 0;
         i < st->n_bw && y <= bottom; i++, y++) {
        const struct ui_bw *b = &st->bw[i];
        char *t = b->running ? ccnc_xstrdup(_("measuring...")) :
                  b->bps >= 0 ? ccnc_xasprintf("%.1f Mb/s", b->bps / 1e6) :
                                ccnc_xasprintf(_("failed: %s"), b->error);
        ui_grid_printf(g, y, 2, b->running ? UI_DIM : b->bps >= 0 ? UI_NORMAL : UI_WARN,
                       "%-8.8s %-10.10s %-6.6s %-20.20s ", b->when, b->vm, b->from, b->slave);
        ui_grid_put_fit(g, y, 2 + 49, g->w - 53, b->running ? UI_DIM : b->bps >= 0 ? UI_GOOD
                                                                                  : UI_WARN, t);
        free(t);
    }
}

static void
migration_draw(struct ui_grid *g, const struct ccnc_snapshot *snap, const struct ui_state *st)
{
    int y = UI_BODY_TOP, bottom = UI_BODY_BOTTOM(g);
    int right = ui_wide(g) ? g->w / 2 + 4 : 50;
    const char *dash = g->ascii ? "-" : "\u2014";

    int sel = ui_actions_selected(st);

    (void)snap;
    if (sel >= 0) {
        /* several: the list (a few rows at 24 lines), the selected one
         * in detail under it */
        bool listed = st->n_actions > 1;
        if (listed) {
            int rows = g->h >= 30 ? (bottom - y + 1) / 4 : 4;
            y = draw_list(g, y, rows, st, sel);
            y += g->h >= 30 ? 1 : 0;
        }
        y = draw_action(g, y, &st->actions[sel], listed, st);
        if (st->demo_table)
            y = ui_demo_table_draw(g, y, bottom, st);
        else if (!listed)
            y = draw_results(g, y, bottom, st);
        draw_bandwidth(g, y, bottom, st);
        return;
    }
    ui_grid_put(g, y++, 1, UI_BOLD, _("No action is running."));
    ui_grid_put_fit(g, y++, 1, g->w - 2, UI_DIM,
                    _("Select a VM in the overview and press m to migrate it, d to detach"));
    ui_grid_put_fit(g, y++, 1, g->w - 2, UI_DIM,
                    _("or a to attach its passthrough NIC; its steps and timeline show here."));
    y++;
    if (y + 12 > bottom)
        return;

    section(g, y, 2, _("Steps"));
    section(g, y, right, _("Connectivity gap"));
    y++;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(steps); i++) {
        ui_grid_printf(g, y + (int)i, 2, UI_DIM, "%zu", i + 1);
        ui_grid_put_fit(g, y + (int)i, 4, right - 14, UI_NORMAL, _(steps[i]));
        ui_grid_put(g, y + (int)i, right - 8, UI_DIM, dash);
    }
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(gap_rows); i++) {
        ui_grid_put_fit(g, y + (int)i, right, 18, UI_NORMAL, _(gap_rows[i]));
        ui_grid_put(g, y + (int)i, right + 19, UI_DIM, dash);
    }
    y += (int)CCNC_ARRAY_SIZE(steps) + 1;

    y = section(g, y, 2, _("Timeline"));
    ui_grid_put_fit(g, y - 1, 13, g->w - 14, UI_DIM,
                    _("the phases of a live migration, after the thesis' Figure 16"));
    draw_timeline(g, y, 2, g->w - 4);
    y += 3;
    if (y + 2 > bottom)
        return;

    y = section(g, y, 2, _("Results"));
    {
        static const int xs_narrow[] = { 2, 12, 19, 26, 35, 45, 58 };
        static const int xs_wide[] = { 2, 20, 30, 40, 52, 66, 82 };
        const int *xs = ui_wide(g) ? xs_wide : xs_narrow;
        for (size_t i = 0; i < CCNC_ARRAY_SIZE(result_cols); i++) {
            int w = i + 1 < CCNC_ARRAY_SIZE(result_cols) ? xs[i + 1] - xs[i] - 1 : 14;
            ui_grid_put_fit(g, y, xs[i], w, UI_BOLD, _(result_cols[i]));
        }
    }
    y++;
    ui_grid_put(g, y, 2, UI_DIM, _("No migration has run since the console started."));
    draw_bandwidth(g, y + 1, bottom, st);
}

/* j/k and the other motions choose the action shown in detail; the
 * choice follows that action (by id) when the list's order changes. */
static int
migration_key(struct ui_state *st, const struct ccnc_snapshot *snap, int key)
{
    int row = ui_actions_selected(st), r;

    (void)snap;
    if (row < 0)
        return UI_KEY_UNHANDLED;
    r = ui_select_move(&row, (int)st->n_actions, key);
    if (r != UI_KEY_UNHANDLED) {
        st->selected[UI_VIEW_MIGRATION] = row;
        st->action_id = st->actions[row].id;
    }
    return r;
}

const struct ui_view ui_view_migration = {
    .name = N_("Migration"),
    .keys = N_("p:presenter"),
    .draw = migration_draw,
    .key = migration_key,
};
