/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc runs` and `ccnc report`: the recorded runs of actions, read back. */
#include "config.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/figure.h>
#include <ccnc/model.h>
#include <ccnc/policy.h>
#include <ccnc/report.h>
#include <ccnc/runlog.h>

#include "cli/cli.h"
#ifdef HAVE_CAIRO
#include "cli/cli-plot.h"
#endif
#include "core/i18n.h"

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The order `ccnc runs` promises: unfinished runs first (they may have left
 * a VM half-way), then the finished ones; in each, newest first by the time
 * in the run line (a file's name need not say when it started), ties by
 * name. */
static int
by_listing(const void *a, const void *b)
{
    const struct ccnc_run_summary *x = a, *y = b;

    if (!x->result != !y->result)
        return x->result ? 1 : -1;
    if (x->started_ms != y->started_ms)
        return x->started_ms < y->started_ms ? 1 : -1;
    return strcmp(x->path, y->path);
}

/* What set a run's downtime limit, in 14 columns: the policy at its
 * start, or what raised it. */
static const char *
limit_by(const struct ccnc_run_summary *u)
{
    if (!u->limit_why)
        return "-";
    switch (ccnc_policy_raise_of(u->limit_why)) {
    case CCNC_POLICY_RAISE_STALL:
        return _("stalled rounds");
    case CCNC_POLICY_RAISE_COURSE:
        return _("the course");
    case CCNC_POLICY_RAISE_LADDER:
        return _("ladder step");
    default:
        return _("the start");
    }
}

static void
put_ms(json_object *o, const char *k, long long v)
{
    json_object_object_add(o, k, v < 0 ? NULL : json_object_new_int64(v));
}

static json_object *
summary_json(const struct ccnc_run_summary *s)
{
    json_object *o = json_object_new_object();
    char *advice = ccnc_run_advice(s);

    json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(o, "run_file", json_object_new_string(s->path));
    json_object_object_add(o, "kind", json_object_new_string(s->kind));
    json_object_object_add(o, "vm", s->vm ? json_object_new_string(s->vm) : NULL);
    json_object_object_add(o, "source", s->source ? json_object_new_string(s->source) : NULL);
    json_object_object_add(o, "destination",
                           s->destination ? json_object_new_string(s->destination) : NULL);
    json_object_object_add(o, "result", s->result ? json_object_new_string(s->result) : NULL);
    json_object_object_add(o, "summary", s->summary ? json_object_new_string(s->summary) : NULL);
    put_ms(o, "total_ms", s->total_ms);
    put_ms(o, "downtime_ms", s->downtime_ms >= 0 ? s->downtime_ms : s->job_downtime_ms);
    put_ms(o, "longest_gap_ms", s->longest_gap_ms);
    put_ms(o, "lost_probes", s->lost_probes);
    put_ms(o, "stream_stall_ms", s->stream_stall_ms);
    json_object_object_add(o, "steps", json_object_new_int64((int64_t)s->n_steps));
    json_object_object_add(o, "policy", s->policy ? json_object_new_string(s->policy) : NULL);
    put_ms(o, "limit_ms", s->limit_ms);
    json_object_object_add(o, "limit_why",
                           s->limit_why ? json_object_new_string(s->limit_why) : NULL);
    json_object_object_add(o, "migration_ms", s->job_total_ms >= 0
                                                  ? json_object_new_int64(s->job_total_ms)
                                                  : NULL);
    if (s->forecast_total_ms >= 0 || s->forecast_downtime_ms >= 0 || s->forecast_gap_ms >= 0 ||
        s->forecast_converges == 0) {
        json_object *f = json_object_new_object();

        json_object_object_add(f, "converges", json_object_new_boolean(s->forecast_converges != 0));
        put_ms(f, "migration_ms", s->forecast_total_ms);
        put_ms(f, "downtime_ms", s->forecast_downtime_ms);
        put_ms(f, "gap_ms", s->forecast_gap_ms);
        json_object_object_add(o, "forecast", f);
    } else {
        json_object_object_add(o, "forecast", NULL);
    }
    if (s->course.course != CCNC_PRECOPY_UNKNOWN) {
        const struct ccnc_precopy_to_go *g = &s->course;
        bool shrinking = g->course == CCNC_PRECOPY_SHRINKING;
        json_object *c = json_object_new_object();

        json_object_object_add(c, "iteration", json_object_new_int(g->iteration));
        put_ms(c, "elapsed_ms", llround(g->elapsed_ms));
        json_object_object_add(c, "course",
                               json_object_new_string(ccnc_precopy_course_name(g->course)));
        put_ms(c, "end_ms", shrinking ? llround(g->elapsed_ms + g->ms) : -1);
        json_object_object_add(o, "course", c);
    } else {
        json_object_object_add(o, "course", NULL);
    }
    json_object_object_add(o, "advice", advice ? json_object_new_string(advice) : NULL);
    json_object_object_add(o, "stopped_in", s->in_step ? json_object_new_string(s->in_step)
                                                       : NULL);
    json_object_object_add(o, "stopped_by", s->abort_who ? json_object_new_string(s->abort_who)
                                                         : NULL);
    free(advice);
    return o;
}

static char *
ms_text(long long v)
{
    return v < 0 ? ccnc_xstrdup("-") : ccnc_xasprintf("%lld", v);
}

int
ccnc_cli_runs(struct cli *cli, const struct cli_args *args)
{
    char *dir = ccnc_runlog_default_dir();
    DIR *d;
    struct dirent *e;
    char **names = NULL, **unreadable = NULL;
    size_t n = 0, cap = 0, n_unreadable = 0, cap_unreadable = 0;
    struct ccnc_run_summary *runs = NULL;
    size_t n_runs = 0, cap_runs = 0;
    bool json = ccnc_cli_flag(args, "json");
    json_object *arr;

    (void)cli;
    if (args->n_pos > 0) {
        free(dir);
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[0]);
    }
    arr = json ? json_object_new_array() : NULL;
    d = opendir(dir);
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0)
            *(char **)ccnc_array_push(&names, &n, &cap, sizeof(char *)) =
                ccnc_xasprintf("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), by_name);
    /* Read them all before printing: the order needs what is inside. */
    for (size_t i = 0; i < n; i++) {
        struct ccnc_run_summary s;
        struct ccnc_error err = { 0 };
        if (ccnc_run_read(names[i], &s, &err) < 0) {
            *(char **)ccnc_array_push(&unreadable, &n_unreadable, &cap_unreadable,
                                      sizeof(char *)) =
                ccnc_xasprintf(_("%s: cannot be read: %s\n"), names[i], err.message);
            ccnc_error_clear(&err);
        } else {
            *(struct ccnc_run_summary *)ccnc_array_push(&runs, &n_runs, &cap_runs,
                                                        sizeof(s)) = s;
        }
        free(names[i]);
    }
    free(names);
    if (n_runs > 1)
        qsort(runs, n_runs, sizeof(*runs), by_listing);
    if (!json && n == 0)
        ccnc_cli_printf(_("No runs recorded in %s yet.\n"), dir);
    else if (!json)
        ccnc_cli_printf("%-48s %-20s %-8s %-12s %s\n", _("RUN"), _("ACTION"), _("VM"), _("RESULT"),
                        _("TOTAL ms"));
    for (size_t i = 0; i < n_runs; i++) {
        const struct ccnc_run_summary *s = &runs[i];
        if (json) {
            json_object_array_add(arr, summary_json(s));
        } else {
            const char *base = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
            char *total = ms_text(s->total_ms);
            ccnc_cli_printf("%-48s %-20s %-8s %-12s %s\n", base, s->kind, s->vm ? s->vm : "-",
                            s->result ? s->result : _("UNFINISHED"), total);
            if (s->abort_who)
                ccnc_cli_printf(_("    stopped by the operator: %s\n"), s->abort_who);
            if (!s->result && s->in_step) {
                char *advice = ccnc_run_advice(s);
                ccnc_cli_printf(_("    stopped during: %s; %s\n"), s->in_step, advice);
                free(advice);
            } else if (!s->result) {
                char *advice = ccnc_run_advice(s);
                ccnc_cli_printf(_("    last step: %s (%s); %s\n"),
                                s->last_step ? s->last_step : "-",
                                s->last_outcome ? s->last_outcome : "-", advice);
                free(advice);
            }
            free(total);
        }
        ccnc_run_summary_clear(&runs[i]);
    }
    free(runs);
    for (size_t i = 0; i < n_unreadable; i++) {
        if (!json)
            ccnc_cli_fputs(unreadable[i], stdout);
        free(unreadable[i]);
    }
    free(unreadable);
    if (json) {
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
    }
    free(dir);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

/* --- report --table: the thesis' Table 1 over the runs ------------------------- */

json_object *
ccnc_cli_table_json(const struct ccnc_table *t, const struct ccnc_run_summary *runs, size_t n)
{
    json_object *o = json_object_new_object(), *rows = json_object_new_array();
    json_object *left = json_object_new_array(), *thesis = json_object_new_array();
    const struct ccnc_thesis_figures *th;
    size_t n_th;

    json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(o, "runs", json_object_new_int64((int64_t)t->n_runs));
    json_object_object_add(o, "migrations", json_object_new_int64((int64_t)t->n_used));
    for (size_t i = 0; i < n; i++) {
        const char *why = ccnc_table_left_out(&runs[i]);
        json_object *l;
        if (!why)
            continue;
        l = json_object_new_object();
        json_object_object_add(l, "run_file", json_object_new_string(runs[i].path));
        json_object_object_add(l, "why", json_object_new_string(why));
        json_object_array_add(left, l);
    }
    json_object_object_add(o, "left_out", left);
    for (int r = 0; r < CCNC_TABLE_ROW_LAST; r++) {
        const struct ccnc_table_cell *c = &t->rows[r];
        json_object *row = json_object_new_object();
        json_object_object_add(row, "name",
                               json_object_new_string(ccnc_table_row_to_string(
                                   (enum ccnc_table_row)r)));
        json_object_object_add(row, "recorded", json_object_new_boolean(c->recorded));
        json_object_object_add(row, "n", json_object_new_int64((int64_t)c->n));
        put_ms(row, "min", c->min);
        put_ms(row, "median", c->median);
        put_ms(row, "max", c->max);
        json_object_array_add(rows, row);
    }
    json_object_object_add(o, "rows", rows);
    th = ccnc_table_thesis(&n_th);
    for (size_t i = 0; i < n_th; i++) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "system", json_object_new_string(th[i].system));
        json_object_object_add(x, "total_ms", json_object_new_int64(th[i].total_ms));
        json_object_object_add(x, "downtime_ms", json_object_new_int64(th[i].downtime_ms));
        json_object_object_add(x, "downtime_below", json_object_new_boolean(th[i].downtime_below));
        json_object_array_add(thesis, x);
    }
    json_object_object_add(o, "thesis", thesis);
    return o;
}

void
ccnc_cli_print_table(const struct ccnc_table *t, const struct ccnc_run_summary *runs, size_t n)
{
    char *text = ccnc_table_text(t, runs, n, true);

    ccnc_cli_fputs(text, stdout);
    free(text);
}

/* --- report --plot --------------------------------------------------------------- */

/* Is --plot FILE usable here?  An exit status to end with, or -1. */
static int
plot_usable(const char *file)
{
#ifdef HAVE_CAIRO
    if (ccnc_cli_plot_format(file))
        return -1;
    ccnc_cli_fprintf(stderr, _("%s report: cannot tell the plot's format from '%s': name it "
                               ".svg, .png or .pdf\n"), PACKAGE, file);
#else
    (void)file;
    ccnc_cli_fprintf(stderr, _("%s report: this ccnc was built without cairo, so it cannot "
                               "draw plots (--plot); rebuild it with cairo (libcairo2-dev)\n"),
                     PACKAGE);
#endif
    return CCNC_EXIT_USAGE;
}

static int
write_plot(const char *file, const struct ccnc_run_summary *runs, size_t n, bool quiet)
{
#ifdef HAVE_CAIRO
    struct ccnc_run_trace *traces = ccnc_xcalloc(n ? n : 1, sizeof(*traces));
    struct ccnc_figure *fig;
    struct ccnc_error err = { 0 };
    int rc = CCNC_EXIT_OK;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (ccnc_run_trace_read(runs[i].path, &traces[k], &err) == 0) {
            k++;
            continue;
        }
        ccnc_error_clear(&err);
    }
    fig = ccnc_figure_runs(traces, k);
    if (ccnc_cli_plot_write(fig, file, &err) < 0) {
        char *msg = ccnc_error_format(&err);
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, msg);
        free(msg);
        ccnc_error_clear(&err);
        rc = CCNC_EXIT_FAILED;
    } else if (!quiet) {
        ccnc_cli_printf(dngettext(PACKAGE, "The plot of %zu run is in %s.\n",
                                  "The plot of %zu runs is in %s.\n", k), k, file);
    }
    ccnc_figure_free(fig);
    for (size_t i = 0; i < k; i++)
        ccnc_run_trace_clear(&traces[i]);
    free(traces);
    return rc;
#else
    (void)file; (void)runs; (void)n; (void)quiet;
    return CCNC_EXIT_USAGE;
#endif
}

int
ccnc_cli_report(struct cli *cli, const struct cli_args *args)
{
    bool json = ccnc_cli_flag(args, "json"), table = ccnc_cli_flag(args, "table");
    const char *plot = ccnc_cli_opt(args, "plot");
    struct ccnc_run_summary *runs = NULL;
    size_t n = 0, cap = 0;
    int rc = CCNC_EXIT_OK;
    json_object *arr;

    (void)cli;
    if (plot && (rc = plot_usable(plot)) >= 0)
        return rc;
    rc = CCNC_EXIT_OK;
    for (int i = 0; i < args->n_pos; i++) {
        struct ccnc_run_summary s;
        struct ccnc_error err = { 0 };
        if (ccnc_run_read(args->pos[i], &s, &err) < 0) {
            char *msg = ccnc_error_format(&err);
            ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, msg);
            free(msg);
            ccnc_error_clear(&err);
            rc = CCNC_EXIT_FAILED;
            continue;
        }
        *(struct ccnc_run_summary *)ccnc_array_push(&runs, &n, &cap, sizeof(s)) = s;
    }
    if (n == 0 && rc == CCNC_EXIT_OK) {
        ccnc_cli_fprintf(stderr, _("%s report: name one or more run files (see '%s runs')\n"),
                         PACKAGE, PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (table && n) {
        struct ccnc_table t;
        ccnc_table_make(runs, n, &t);
        if (json) {
            json_object *o = ccnc_cli_table_json(&t, runs, n);
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
        } else {
            ccnc_cli_print_table(&t, runs, n);
        }
    }
    arr = json && !table ? json_object_new_array() : NULL;
    if (!json && !table && n)
        /* TRANSLATORS: the thesis' Table 1: one column per run */
        ccnc_cli_printf("%-20s", _("run"));
    for (size_t i = 0; !json && !table && i < n; i++)
        ccnc_cli_printf(" %14zu", i + 1);
    if (!json && !table && n) {
        /* each row, and beside the measured figures the forecast the run
         * was planned with (rows left out when no run has one) */
        enum { TOTAL, MIGRATION, FC_MIGRATION, COURSE, DOWNTIME, FC_DOWNTIME, LIMIT, GAP, FC_GAP,
               LOST, STALL };
        static const char *const rows[] = {
            /* TRANSLATORS: "  at round 10": the end a running migration
             * was said to be heading for at its 10th round */
            N_("total ms"),    N_("migration ms"),      N_("  forecast"),  N_("  at round 10"),
            N_("downtime ms"), N_("  forecast"),        N_("  limit ms"),
            N_("longest gap ms"), N_("  forecast"),     N_("lost probes"),
            N_("stream stall ms"),
        };
        bool forecasts = false, courses = false;

        for (size_t i = 0; i < n; i++) {
            forecasts |= runs[i].forecast_total_ms >= 0 || runs[i].forecast_downtime_ms >= 0 ||
                         runs[i].forecast_converges == 0;
            courses |= runs[i].course.course != CCNC_PRECOPY_UNKNOWN;
        }
        putchar('\n');
        for (size_t r = 0; r < CCNC_ARRAY_SIZE(rows); r++) {
            if (!forecasts && (r == FC_MIGRATION || r == FC_DOWNTIME || r == FC_GAP))
                continue;
            if (r == COURSE) {
                if (!courses)
                    continue;
                /* the end it was heading for, or where it stood */
                ccnc_cli_printf("%-20s", _(rows[r]));
                for (size_t i = 0; i < n; i++) {
                    const struct ccnc_precopy_to_go *g = &runs[i].course;
                    char *t = g->course == CCNC_PRECOPY_SHRINKING
                                  ? ccnc_xasprintf("%lld", llround(g->elapsed_ms + g->ms))
                              : g->course == CCNC_PRECOPY_NEAR ? ccnc_xstrdup(_("near"))
                              : g->course == CCNC_PRECOPY_STALLED ? ccnc_xstrdup(_("stalled"))
                                                                  : ccnc_xstrdup("-");
                    ccnc_cli_printf(" %14s", t);
                    free(t);
                }
                putchar('\n');
                continue;
            }
            ccnc_cli_printf("%-20s", _(rows[r]));
            for (size_t i = 0; i < n; i++) {
                const struct ccnc_run_summary *u = &runs[i];
                long long v = r == TOTAL          ? u->total_ms
                              : r == MIGRATION    ? u->job_total_ms
                              : r == FC_MIGRATION ? u->forecast_total_ms
                              : r == DOWNTIME ? (u->downtime_ms >= 0 ? u->downtime_ms
                                                                     : u->job_downtime_ms)
                              : r == FC_DOWNTIME ? u->forecast_downtime_ms
                              : r == LIMIT       ? u->limit_ms
                              : r == GAP         ? u->longest_gap_ms
                              : r == FC_GAP      ? u->forecast_gap_ms
                              : r == STALL       ? u->stream_stall_ms
                                                 : u->lost_probes;
                /* TRANSLATORS: in ccnc report's forecast row, 14 columns at
                 * most: the forecast said the migration would not end
                 * within its timeout */
                char *t = r == FC_MIGRATION && u->forecast_converges == 0 ? ccnc_xstrdup(_("no end"))
                                                                         : ms_text(v);
                ccnc_cli_printf(" %14s", t);
                free(t);
            }
            putchar('\n');
        }
        ccnc_cli_printf("%-20s", _("policy"));
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf(" %14s", runs[i].policy ? runs[i].policy : "-");
        putchar('\n');
        /* TRANSLATORS: ccnc report's row: what set the downtime limit in
         * force ("  limit ms" above); each value 14 columns at most */
        ccnc_cli_printf("%-20s", _("limit set by"));
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf(" %14s", limit_by(&runs[i]));
        putchar('\n');
        ccnc_cli_printf("%-20s", _("result"));
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf(" %14s", runs[i].result ? runs[i].result : _("UNFINISHED"));
        putchar('\n');
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf("%zu: %s\n", i + 1, runs[i].path);
    }
    for (size_t i = 0; i < n; i++)
        if (arr)
            json_object_array_add(arr, summary_json(&runs[i]));
    if (arr) {
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
    }
    if (plot && n) {
        int prc = write_plot(plot, runs, n, json);
        if (prc != CCNC_EXIT_OK)
            rc = prc;
    }
    for (size_t i = 0; i < n; i++)
        ccnc_run_summary_clear(&runs[i]);
    free(runs);
    return rc;
}
