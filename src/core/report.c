/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A run's trace from its run file, and the thesis' Table 1 over many runs
 * (include/ccnc/report.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include <ccnc/model.h>
#include <ccnc/report.h>

#include "core/i18n.h"

/* --- a run's trace ------------------------------------------------------------ */

/* The open step a step line ends: the last one of its op that started and
 * has not ended; NULL for a file written before step-start lines. */
static struct ccnc_trace_step *
open_step(struct ccnc_run_trace *t, const struct ccnc_step *s)
{
    for (size_t i = t->n_steps; i-- > 0;)
        if (t->steps[i].op == s->op && t->steps[i].rollback == s->rollback &&
            t->steps[i].ended_ms == 0)
            return &t->steps[i];
    return NULL;
}

static void
trace_line(struct ccnc_run_trace *t, const struct ccnc_run_line *l, size_t *cap_steps,
           size_t *cap_samples, long long *job_downtime_ms)
{
    struct ccnc_trace_step *st;
    struct ccnc_trace_sample *sa;

    switch (l->type) {
    case CCNC_RUN_LINE_RUN:
        ccnc_str_set(&t->kind, l->kind >= 0 ? ccnc_action_kind_to_string(l->kind) : "?");
        ccnc_str_set(&t->vm, l->vm);
        ccnc_str_set(&t->source, l->source);
        ccnc_str_set(&t->destination, l->destination);
        t->started_ms = l->t_ms;
        break;
    case CCNC_RUN_LINE_STEP_START:
        if (l->step.op >= CCNC_STEP_LAST)
            break;
        st = ccnc_array_push(&t->steps, &t->n_steps, cap_steps, sizeof(*st));
        *st = (struct ccnc_trace_step){ l->step.op, l->step.rollback, CCNC_STEP_RUNNING_NOW,
                                        l->t_ms, 0 };
        break;
    case CCNC_RUN_LINE_STEP:
        if (l->step.op >= CCNC_STEP_LAST)
            break;
        st = open_step(t, &l->step);
        if (!st) {
            st = ccnc_array_push(&t->steps, &t->n_steps, cap_steps, sizeof(*st));
            *st = (struct ccnc_trace_step){ l->step.op, l->step.rollback, CCNC_STEP_RUNNING_NOW,
                                            l->step.started_ms ? l->step.started_ms : l->t_ms,
                                            0 };
        }
        st->outcome = l->step.outcome;
        if (l->step.started_ms)
            st->started_ms = l->step.started_ms;
        st->ended_ms = l->step.ended_ms ? l->step.ended_ms : l->t_ms;
        if (st->ended_ms < st->started_ms)
            st->ended_ms = st->started_ms;
        break;
    case CCNC_RUN_LINE_PROBE:
        sa = ccnc_array_push(&t->samples, &t->n_samples, cap_samples, sizeof(*sa));
        *sa = (struct ccnc_trace_sample){
            l->t_ms, l->probe.sent, l->probe.received, l->probe.lost, l->probe.current_gap_ms,
            l->probe.longest_gap_ms, l->stream_bps,
            l->probe.stream ? l->probe.stream_stall_ms : CCNC_UNKNOWN,
            l->probe.stream ? l->probe.stream_longest_stall_ms : CCNC_UNKNOWN };
        if (l->stream_bps >= 0 || l->probe.stream)
            t->has_stream = true;
        if (l->probe.longest_gap_ms > t->longest_gap_ms)
            t->longest_gap_ms = l->probe.longest_gap_ms;
        if (l->probe.lost > t->lost_probes)
            t->lost_probes = l->probe.lost;
        if (l->probe.sent > t->sent_probes)
            t->sent_probes = l->probe.sent;
        if (l->probe.stream && l->probe.stream_longest_stall_ms > t->stream_stall_ms)
            t->stream_stall_ms = l->probe.stream_longest_stall_ms;
        break;
    case CCNC_RUN_LINE_FDB:
        ccnc_trace_fdb_set(ccnc_array_push(&t->fdb, &t->n_fdb, NULL, sizeof(*t->fdb)), l->t_ms,
                           l->event, l->host, l->before, l->after);
        break;
    case CCNC_RUN_LINE_JOB:
        if (l->job.elapsed_ms >= 0)
            t->job_elapsed_ms = l->job.elapsed_ms;
        if (l->job_downtime_ms >= 0 && ccnc_streq(l->phase, "completed"))
            *job_downtime_ms = l->job_downtime_ms;
        break;
    case CCNC_RUN_LINE_RESULT:
        ccnc_str_set(&t->result, l->state >= 0 ? ccnc_action_state_to_string(l->state) : "?");
        if (l->total_ms >= 0)
            t->total_ms = l->total_ms;
        if (l->downtime_ms >= 0)
            t->downtime_ms = l->downtime_ms;
        if (l->longest_gap_ms > t->longest_gap_ms)
            t->longest_gap_ms = l->longest_gap_ms;
        if (l->lost_probes > t->lost_probes)
            t->lost_probes = l->lost_probes;
        if (l->stream_stall_ms > t->stream_stall_ms)
            t->stream_stall_ms = l->stream_stall_ms;
        break;
    default:
        break;
    }
}

void
ccnc_trace_fdb_set(struct ccnc_trace_fdb *fd, long long t_ms, const char *event,
                   const char *host, const char *bridge, const char *port)
{
    fd->t_ms = t_ms;
    fd->learned = ccnc_streq(event, "learned");
    snprintf(fd->host, sizeof(fd->host), "%s", host ? host : "?");
    snprintf(fd->bridge, sizeof(fd->bridge), "%s", bridge ? bridge : "?");
    snprintf(fd->port, sizeof(fd->port), "%s", port ? port : "?");
}

void
ccnc_run_trace_from_lines(const char *path, const struct ccnc_run_line *lines, size_t n,
                          struct ccnc_run_trace *out)
{
    size_t cap_steps = 0, cap_samples = 0;
    long long job_downtime_ms = CCNC_UNKNOWN, last_ms = 0;

    memset(out, 0, sizeof(*out));
    out->path = ccnc_xstrdup(path);
    out->started_ms = out->total_ms = out->migrate_started_ms = out->job_elapsed_ms =
        out->downtime_ms = out->longest_gap_ms = out->lost_probes = out->sent_probes =
            out->stream_stall_ms = CCNC_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        trace_line(out, &lines[i], &cap_steps, &cap_samples, &job_downtime_ms);
        if (lines[i].t_ms > last_ms)
            last_ms = lines[i].t_ms;
    }
    if (out->downtime_ms < 0)
        out->downtime_ms = job_downtime_ms;
    for (size_t i = 0; i < out->n_steps; i++) {
        struct ccnc_trace_step *s = &out->steps[i];
        if (s->ended_ms == 0)   /* it never ended: as far as the file goes */
            s->ended_ms = last_ms > s->started_ms ? last_ms : s->started_ms;
        if (s->op == CCNC_STEP_MIGRATE && !s->rollback && out->migrate_started_ms < 0)
            out->migrate_started_ms = s->started_ms;
    }
}

int
ccnc_run_trace_read(const char *path, struct ccnc_run_trace *out, struct ccnc_error *err)
{
    struct ccnc_run_line *lines;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (ccnc_run_read_lines(path, &lines, &n, NULL, err) < 0)
        return -1;
    ccnc_run_trace_from_lines(path, lines, n, out);
    ccnc_run_lines_free(lines, n);
    return 0;
}

void
ccnc_run_trace_clear(struct ccnc_run_trace *t)
{
    free(t->path); free(t->kind); free(t->vm); free(t->source); free(t->destination);
    free(t->result); free(t->steps); free(t->samples); free(t->fdb);
    memset(t, 0, sizeof(*t));
}

bool
ccnc_run_trace_longest_gap(const struct ccnc_run_trace *t, long long *start_ms,
                           long long *end_ms)
{
    long long longest = 0, start;
    size_t i;

    for (i = 0; i < t->n_samples; i++)
        if (t->samples[i].longest_gap_ms > longest)
            longest = t->samples[i].longest_gap_ms;
    if (longest <= 0)
        return false;
    /* the first sample that knows of it: the gap runs still (its current
     * gap is as long), or it ended since the sample before, where it was
     * already under way */
    for (i = 0; t->samples[i].longest_gap_ms < longest; i++)
        ;
    if (t->samples[i].current_gap_ms >= longest || i == 0)
        start = t->samples[i].t_ms - (t->samples[i].current_gap_ms >= longest
                                          ? t->samples[i].current_gap_ms
                                          : longest);
    else
        start = t->samples[i - 1].t_ms -
                (t->samples[i - 1].current_gap_ms > 0 ? t->samples[i - 1].current_gap_ms : 0);
    *start_ms = start;
    *end_ms = start + longest;
    return true;
}

/* --- Table 1 ------------------------------------------------------------------- */

static const struct {
    const char *name, *label;
    bool always;    /* every done migration's run file holds it */
} rows[CCNC_TABLE_ROW_LAST] = {
    [CCNC_TABLE_TOTAL] = { "total_ms", N_("total migration time"), true },
    [CCNC_TABLE_MIGRATION] = { "migration_ms", N_("  libvirt's migration"), true },
    [CCNC_TABLE_DOWNTIME] = { "downtime_ms", N_("downtime (libvirt's)"), true },
    [CCNC_TABLE_GAP] = { "longest_gap_ms", N_("longest gap"), true },
    [CCNC_TABLE_LOST] = { "lost_probes", N_("lost probes"), true },
    /* only where the storage host saw a stream to the VM */
    [CCNC_TABLE_STALL] = { "stream_stall_ms", N_("longest stream stall"), false },
};

const char *
ccnc_table_row_to_string(enum ccnc_table_row r)
{
    return r < CCNC_TABLE_ROW_LAST ? rows[r].name : "?";
}

const char *
ccnc_table_row_describe(enum ccnc_table_row r)
{
    return r < CCNC_TABLE_ROW_LAST ? _(rows[r].label) : "?";
}

const char *
ccnc_table_left_out(const struct ccnc_run_summary *s)
{
    int kind = s->kind ? ccnc_action_kind_from_string(s->kind) : -1;

    if (!ccnc_action_kind_migrates(kind))
        return _("not a migration");
    if (!s->result)
        return _("it never ended");
    if (!ccnc_streq(s->result, "done"))
        return _("it did not end done");
    return NULL;
}

static int
by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

static long long
figure_of(const struct ccnc_run_summary *s, enum ccnc_table_row r)
{
    switch (r) {
    case CCNC_TABLE_TOTAL: return s->total_ms;
    case CCNC_TABLE_MIGRATION: return s->job_total_ms;
    case CCNC_TABLE_DOWNTIME: return s->downtime_ms >= 0 ? s->downtime_ms : s->job_downtime_ms;
    case CCNC_TABLE_GAP: return s->longest_gap_ms;
    case CCNC_TABLE_LOST: return s->lost_probes;
    case CCNC_TABLE_STALL: return s->stream_stall_ms;
    default: return CCNC_UNKNOWN;
    }
}

void
ccnc_table_make(const struct ccnc_run_summary *runs, size_t n, struct ccnc_table *out)
{
    long long *v = ccnc_xcalloc(n ? n : 1, sizeof(*v));

    memset(out, 0, sizeof(*out));
    out->n_runs = n;
    for (size_t i = 0; i < n; i++)
        out->n_used += ccnc_table_left_out(&runs[i]) == NULL;
    for (int r = 0; r < CCNC_TABLE_ROW_LAST; r++) {
        struct ccnc_table_cell *c = &out->rows[r];
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            long long x = figure_of(&runs[i], (enum ccnc_table_row)r);
            if (!ccnc_table_left_out(&runs[i]) && x >= 0)
                v[k++] = x;
        }
        c->n = k;
        c->recorded = rows[r].always || k > 0;
        c->min = c->median = c->max = CCNC_UNKNOWN;
        if (k == 0)
            continue;
        qsort(v, k, sizeof(*v), by_value);
        c->min = v[0];
        c->max = v[k - 1];
        c->median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
    }
    free(v);
}

const struct ccnc_thesis_figures *
ccnc_table_thesis(size_t *n)
{
    /* the thesis' Table 1: "Xen 3.2 and Xen 4.0 Live Migration Performance" */
    static const struct ccnc_thesis_figures thesis[] = {
        { "Xen 3.2", 60000, 4000, false },
        { "Xen 4.0", 32000, 1000, true },
    };

    *n = CCNC_ARRAY_SIZE(thesis);
    return thesis;
}

/* --- Table 1 as text ---------------------------------------------------------------- */

static char *
cell_text(long long v)
{
    return v < 0 ? ccnc_xstrdup("-") : ccnc_xasprintf("%lld", v);
}

/* The thesis' figure beside a row of ours, or "-" where it has none. */
static char *
thesis_cell(const struct ccnc_thesis_figures *th, enum ccnc_table_row r)
{
    if (r == CCNC_TABLE_TOTAL)
        return ccnc_xasprintf("%lld", th->total_ms);
    if (r == CCNC_TABLE_DOWNTIME)
        return ccnc_xasprintf("%s%lld", th->downtime_below ? "< " : "", th->downtime_ms);
    return ccnc_xstrdup("-");
}

char *
ccnc_table_text(const struct ccnc_table *t, const struct ccnc_run_summary *runs, size_t n,
                bool notes)
{
    size_t n_th;
    const struct ccnc_thesis_figures *th = ccnc_table_thesis(&n_th);
    char *text = ccnc_xstrdup("");

    ccnc_str_appendf(&text, dngettext(PACKAGE, "Table 1 over %zu migration (figures in ms)\n",
                            "Table 1 over %zu migrations (figures in ms)\n", t->n_used),
           t->n_used);
    /* TRANSLATORS: the columns of Table 1; "thesis:" heads the thesis' own
     * figures, one column per system it measured */
    ccnc_str_appendf(&text, "%-22s %7s %7s %7s %4s   %-8s", "", _("min"), _("median"), _("max"), _("n"),
           _("thesis:"));
    for (size_t k = 0; k < n_th; k++)
        ccnc_str_appendf(&text, " %8s", th[k].system);
    ccnc_str_appendf(&text, "\n");
    for (int r = 0; r < CCNC_TABLE_ROW_LAST; r++) {
        const struct ccnc_table_cell *c = &t->rows[r];
        ccnc_str_appendf(&text, "%-22s", ccnc_table_row_describe((enum ccnc_table_row)r));
        if (!c->recorded) {
            /* TRANSLATORS: the stream's row of Table 1 when no run file
             * holds it; keep it within 57 columns */
            ccnc_str_appendf(&text, " %s\n", _("not measured (no stream to the VM, or older runs)"));
            continue;
        }
        {
            char *mn = cell_text(c->min), *md = cell_text(c->median), *mx = cell_text(c->max);
            ccnc_str_appendf(&text, " %7s %7s %7s %4zu   %-8s", mn, md, mx, c->n, "");
            free(mn);
            free(md);
            free(mx);
        }
        for (size_t k = 0; k < n_th; k++) {
            char *cell = thesis_cell(&th[k], (enum ccnc_table_row)r);
            ccnc_str_appendf(&text, " %8s", cell);
            free(cell);
        }
        ccnc_str_appendf(&text, "\n");
    }
    if (!notes)
        return text;
    /* TRANSLATORS: under Table 1; keep each line within 80 columns */
    ccnc_str_appendf(&text, "%s", _("The thesis' figures are its own Table 1 (Xen live migration, without\n"
                          "a passthrough NIC); its downtime is the time its video paused, nearer\n"
                          "to the longest gap than to libvirt's downtime.\n"));
    for (size_t i = 0; i < n; i++) {
        const char *why = ccnc_table_left_out(&runs[i]);
        if (why)
            ccnc_str_appendf(&text, _("left out: %s: %s\n"), runs[i].path, why);
    }
    return text;
}
