/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc runs` and `ccnc report`: the recorded runs of actions, read back. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/model.h>
#include <ccnc/runlog.h>

#include "cli/cli.h"
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
    json_object_object_add(o, "steps", json_object_new_int64((int64_t)s->n_steps));
    json_object_object_add(o, "policy", s->policy ? json_object_new_string(s->policy) : NULL);
    put_ms(o, "limit_ms", s->limit_ms);
    json_object_object_add(o, "migration_ms", s->job_total_ms >= 0
                                                  ? json_object_new_int64(s->job_total_ms)
                                                  : NULL);
    if (s->forecast_total_ms >= 0 || s->forecast_downtime_ms >= 0 || s->forecast_gap_ms >= 0) {
        json_object *f = json_object_new_object();

        put_ms(f, "migration_ms", s->forecast_total_ms);
        put_ms(f, "downtime_ms", s->forecast_downtime_ms);
        put_ms(f, "gap_ms", s->forecast_gap_ms);
        json_object_object_add(o, "forecast", f);
    } else {
        json_object_object_add(o, "forecast", NULL);
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

int
ccnc_cli_report(struct cli *cli, const struct cli_args *args)
{
    bool json = ccnc_cli_flag(args, "json");
    struct ccnc_run_summary *runs = NULL;
    size_t n = 0, cap = 0;
    int rc = CCNC_EXIT_OK;
    json_object *arr;

    (void)cli;
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
    arr = json ? json_object_new_array() : NULL;
    if (!json && n)
        /* TRANSLATORS: the thesis' Table 1: one column per run */
        ccnc_cli_printf("%-20s", _("run"));
    for (size_t i = 0; !json && i < n; i++)
        ccnc_cli_printf(" %14zu", i + 1);
    if (!json && n) {
        /* each row, and beside the measured figures the forecast the run
         * was planned with (rows left out when no run has one) */
        enum { TOTAL, MIGRATION, FC_MIGRATION, DOWNTIME, FC_DOWNTIME, LIMIT, GAP, FC_GAP, LOST };
        static const char *const rows[] = {
            N_("total ms"),    N_("migration ms"),      N_("  forecast"),
            N_("downtime ms"), N_("  forecast"),        N_("  limit ms"),
            N_("longest gap ms"), N_("  forecast"),     N_("lost probes"),
        };
        bool forecasts = false;

        for (size_t i = 0; i < n; i++)
            forecasts |= runs[i].forecast_total_ms >= 0 || runs[i].forecast_downtime_ms >= 0;
        putchar('\n');
        for (size_t r = 0; r < CCNC_ARRAY_SIZE(rows); r++) {
            if (!forecasts && (r == FC_MIGRATION || r == FC_DOWNTIME || r == FC_GAP))
                continue;
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
                                                 : u->lost_probes;
                char *t = ms_text(v);
                ccnc_cli_printf(" %14s", t);
                free(t);
            }
            putchar('\n');
        }
        ccnc_cli_printf("%-20s", _("policy"));
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf(" %14s", runs[i].policy ? runs[i].policy : "-");
        putchar('\n');
        ccnc_cli_printf("%-20s", _("result"));
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf(" %14s", runs[i].result ? runs[i].result : _("UNFINISHED"));
        putchar('\n');
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf("%zu: %s\n", i + 1, runs[i].path);
    }
    for (size_t i = 0; i < n; i++) {
        if (json)
            json_object_array_add(arr, summary_json(&runs[i]));
        ccnc_run_summary_clear(&runs[i]);
    }
    free(runs);
    if (json) {
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
    }
    return rc;
}
