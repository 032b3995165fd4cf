/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc migrate|detach|assign VM`, `ccnc evacuate HOST` and `ccnc abort VM`:
 * the console's action keys as batch commands.  They plan with the engine's
 * planner, from what the hosts report now, and the engine's runner runs
 * them: a keystroke and its command line do exactly the same. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/action.h>
#include <ccnc/engine.h>
#include <ccnc/plan.h>
#include <ccnc/report.h>
#include <ccnc/runlog.h>

#include "cli/cli.h"
#include "core/i18n.h"

struct action_args {
    const char *vm;
    const char *to;
    bool dry_run;
    bool json;
};

static int
parse(const struct cli_args *args, struct action_args *a)
{
    const char *name = args->cmd->name;
    bool is_migrate = strcmp(name, "migrate") == 0;

    a->dry_run = ccnc_cli_flag(args, "dry-run");
    a->json = ccnc_cli_flag(args, "json");
    a->to = is_migrate ? ccnc_cli_opt(args, "to") : NULL;
    a->vm = args->n_pos > 0 ? args->pos[0] : NULL;
    if (args->n_pos > 1) {
        ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
        return -1;
    }
    if (!a->vm) {
        ccnc_cli_fprintf(stderr, _("%s %s: name the VM\n"), PACKAGE, name);
        return -1;
    }
    if (is_migrate && !a->to) {
        ccnc_cli_fprintf(stderr, _("%s migrate: say where to with --to HOST\n"), PACKAGE);
        return -1;
    }
    return 0;
}

/* How long an action waits at most for every host to report: libvirt's
 * first picture holds each guest's bond, read through its guest agent one
 * after another, which takes a while on a loaded host with many guests. */
#define ACTION_SETTLE_S 60

/* The actions this command gave the engine, followed to their end. */
struct batch {
    struct ccnc_engine *engine;
    const char *who;          /* the command, as the run file records a stop */
    int *ids;
    size_t n, finished;
    bool json, prefix, asked_abort;
    /* each action's migration: the course last printed, at which round,
     * and when (monotonic ms) */
    struct said {
        enum ccnc_precopy_course course;
        int round;
        long long ms;
        int limit_ms;   /* the raised downtime limit last said */
    } *said;
};

/* How often a running migration's course is printed, at most (ms), and
 * not before it has run this long: a short one says nothing more.  The
 * same course when it is not shrinking is printed again less often. */
#define COURSE_EVERY_MS 5000
#define COURSE_SAME_EVERY_MS 30000

static bool
ours(const struct batch *b, int id)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->ids[i] == id)
            return true;
    return false;
}

/* The downtime limit the policy raised, once it differs from the one last
 * said: with the course's next line, or at the migrate step's end (a
 * policy that raises it at each stalled round would say each step). */
static void
say_limit(struct said *said, const char *who, const struct ccnc_action *a)
{
    char *text;

    if (a->migration.limit_ms == said->limit_ms ||
        (text = ccnc_migration_limit_text(&a->migration)) == NULL)
        return;
    said->limit_ms = a->migration.limit_ms;
    ccnc_cli_printf("%s%24s%s\n", who, "", text);
    free(text);
}

/* A long migration's course, under its migrate step's line, every
 * COURSE_EVERY_MS at most: where it stands and where it is going. */
static void
say_course(struct said *said, const char *who, const struct ccnc_action *a)
{
    const struct ccnc_precopy_to_go *g = &a->migration.to_go;
    const struct ccnc_step *st = a->current < a->n_steps ? &a->steps[a->current] : NULL;
    long long now = ccnc_now_mono_ms();
    bool warn, same = g->course == said->course && g->course != CCNC_PRECOPY_SHRINKING;
    char *text;

    if (!st || st->op != CCNC_STEP_MIGRATE || st->rollback ||
        st->outcome != CCNC_STEP_RUNNING_NOW || g->iteration == said->round ||
        g->elapsed_ms < COURSE_EVERY_MS ||
        (said->ms && now - said->ms < (same ? COURSE_SAME_EVERY_MS : COURSE_EVERY_MS)))
        return;
    text = ccnc_forecast_course_text(g, a->migration.timeout_ms, &warn);
    if (!text)
        return;
    said->course = g->course;
    said->round = g->iteration;
    said->ms = now;
    say_limit(said, who, a);
    /* TRANSLATORS: under "migrate ...": "round 18 (23.1 s): 22.1 MiB
     * left; " and where it is going */
    ccnc_cli_printf(_("%s%24sround %d (%.1f s): %.1f MiB left; %s\n"), who, "", g->iteration,
                    g->elapsed_ms / 1000, g->remaining_bytes / (1024.0 * 1024.0), text);
    free(text);
}

static void
on_action(void *data, int id, enum ccnc_engine_action_event ev, const struct ccnc_action *a,
          const struct ccnc_step *s)
{
    struct batch *b = data;
    char *who;

    if (!ours(b, id))
        return;
    who = b->prefix ? ccnc_xasprintf("%-8s ", a->vm) : ccnc_xstrdup("");
    if (ev == CCNC_ENGINE_ACTION_PROGRESS && !b->json) {
        for (size_t i = 0; i < b->n; i++)
            if (b->ids[i] == id)
                say_course(&b->said[i], who, a);
    } else if (ev == CCNC_ENGINE_ACTION_NOTICE && a->notice && !b->json) {
        /* what it waits for, every 10 s: under the running step's line
         * (a migration not begun yet), or before any step (its source's
         * libvirt not answering) as a message */
        if (a->n_steps && !a->steps[0].started_ms)
            ccnc_cli_fprintf(stderr, "%s: %s: %s\n", PACKAGE, a->vm, a->notice);
        else
            ccnc_cli_printf("%s%24s%s\n", who, "", a->notice);
    } else if (ev == CCNC_ENGINE_ACTION_STARTED && !b->json) {
        ccnc_cli_printf(_("%sRun file: %s\n"), who,
                        ccnc_engine_action_run_file(b->engine, id)
                            ? ccnc_engine_action_run_file(b->engine, id)
                            : "-");
    } else if (ev == CCNC_ENGINE_ACTION_STEP && s && !b->json) {
        if (s->op == CCNC_STEP_MIGRATE && !s->rollback && s->outcome != CCNC_STEP_RUNNING_NOW)
            for (size_t i = 0; i < b->n; i++)
                if (b->ids[i] == id)
                    say_limit(&b->said[i], who, a);   /* the last raise not said yet */
        if (s->outcome == CCNC_STEP_RUNNING_NOW)
            ccnc_cli_printf(_("%s%s%-18s ...\n"), who, s->rollback ? _("undo ") : "     ",
                            ccnc_step_op_to_string(s->op));
        else
            ccnc_cli_printf(_("%s%s%-18s %s in %lld ms%s%s\n"), who,
                            s->rollback ? _("undo ") : "     ", ccnc_step_op_to_string(s->op),
                            ccnc_step_outcome_to_string(s->outcome), s->ended_ms - s->started_ms,
                            s->error ? ": " : "", s->error ? s->error : "");
        if (s->op == CCNC_STEP_FORECAST && s->outcome == CCNC_STEP_OK && a->forecast.tried) {
            /* what the step found, a line at a time under it */
            char *text = ccnc_forecast_text(&a->forecast, 0), *save = NULL;

            for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                ccnc_cli_printf("%s%s\n", who, l);
            free(text);
        }
    } else if (ev == CCNC_ENGINE_ACTION_FINISHED) {
        if (!b->json && a->summary)
            ccnc_cli_printf("%s\n", a->summary);
        if (!b->json && a->probe.measured) {
            ccnc_cli_printf(dngettext(PACKAGE,
                                      "%sConnectivity: %lld of %lld probe lost, longest gap %lld "
                                      "ms\n",
                                      "%sConnectivity: %lld of %lld probes lost, longest gap %lld "
                                      "ms\n",
                                      a->probe.sent),
                            who, a->probe.lost, a->probe.sent, a->probe.longest_gap_ms);
            if (a->probe.stream)
                /* TRANSLATORS: the NFS stream, as its server's sockets showed it */
                ccnc_cli_printf(_("%sStream: longest stall %lld ms\n"), who,
                                a->probe.stream_longest_stall_ms);
        } else if (!b->json && ccnc_engine_action_run_file(b->engine, id))
            ccnc_cli_printf(_("%sConnectivity not measured: %s\n"), who,
                            a->probe.error ? a->probe.error : _("the probe sent nothing"));
        if (++b->finished == b->n)
            ccnc_loop_quit(ccnc_engine_loop(b->engine));
    }
    fflush(stdout);
    free(who);
}

/* Ctrl-C (or the terminal closing): stop the running actions (each undoes
 * what it can, and its run file says the operator stopped it) and start
 * no more; a second one changes nothing. */
/* Set once an interrupt stopped a batch: a demo runs no further round. */
static bool interrupted;

static void
on_interrupt(void *data)
{
    struct batch *b = data;

    interrupted = true;
    if (b->asked_abort)
        return;
    b->asked_abort = true;
    ccnc_cli_fprintf(stderr,
                     _("%s: interrupted: stopping the action and undoing what can be "
                       "undone\n"),
                     PACKAGE);
    for (size_t i = 0; i < b->n; i++)
        ccnc_engine_abort(b->engine, b->ids[i], b->who);
}

/* One action's summary, as --json prints it. */
static json_object *
summary_json(struct ccnc_engine *engine, int id)
{
    const struct ccnc_action *a = ccnc_engine_action_get(engine, id);
    json_object *o = json_object_new_object(), *steps = json_object_new_array(), *notes;
    struct ccnc_run_summary sum;
    const char *file = ccnc_engine_action_run_file(engine, id);
    bool have_sum = file && ccnc_run_read(file, &sum, NULL) == 0;

    json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(o, "vm", json_object_new_string(a->vm));
    json_object_object_add(o, "result",
                           json_object_new_string(ccnc_action_state_to_string(a->state)));
    json_object_object_add(o, "summary", a->summary ? json_object_new_string(a->summary) : NULL);
    json_object_object_add(o, "run_file", file ? json_object_new_string(file) : NULL);
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct ccnc_step *s = &a->steps[i];
        json_object *so = json_object_new_object();
        char iso[CCNC_ISO_TIME_LEN];
        json_object_object_add(so, "name", json_object_new_string(ccnc_step_op_to_string(s->op)));
        json_object_object_add(so, "rollback", json_object_new_boolean(s->rollback));
        ccnc_format_iso_ms(iso, s->started_ms);
        json_object_object_add(so, "started", s->started_ms ? json_object_new_string(iso) : NULL);
        ccnc_format_iso_ms(iso, s->ended_ms);
        json_object_object_add(so, "ended", s->ended_ms ? json_object_new_string(iso) : NULL);
        json_object_object_add(so, "outcome",
                               json_object_new_string(ccnc_step_outcome_to_string(s->outcome)));
        json_object_object_add(so, "error", s->error ? json_object_new_string(s->error) : NULL);
        json_object_array_add(steps, so);
    }
    json_object_object_add(o, "steps", steps);
    notes = json_object_new_array();
    for (size_t i = 0; i < a->n_notes; i++)
        json_object_array_add(notes, json_object_new_string(a->notes[i]));
    json_object_object_add(o, "notes", notes);
#define MS(k, v) json_object_object_add(o, k, (v) < 0 ? NULL : json_object_new_int64(v))
    MS("total_ms", ccnc_engine_action_total_ms(engine, id));
    MS("downtime_ms", ccnc_engine_action_downtime_ms(engine, id));
    MS("longest_gap_ms", have_sum ? sum.longest_gap_ms : -1);
    MS("lost_probes", have_sum ? sum.lost_probes : -1);
    MS("stream_stall_ms", have_sum ? sum.stream_stall_ms : -1);
#undef MS
    if (have_sum)
        ccnc_run_summary_clear(&sum);
    return o;
}

/* What --json says of a VM the planner refused: nothing was run. */
static json_object *
refusal_json(const char *vm, const char *why)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
    json_object_object_add(o, "vm", json_object_new_string(vm));
    json_object_object_add(o, "result", json_object_new_string("refused"));
    json_object_object_add(o, "summary", json_object_new_string(why));
    json_object_object_add(o, "run_file", NULL);
    json_object_object_add(o, "steps", json_object_new_array());
    json_object_object_add(o, "notes", json_object_new_array());
    /* the figures of a summary, none measured: one shape for both */
    json_object_object_add(o, "total_ms", NULL);
    json_object_object_add(o, "downtime_ms", NULL);
    json_object_object_add(o, "longest_gap_ms", NULL);
    json_object_object_add(o, "lost_probes", NULL);
    json_object_object_add(o, "stream_stall_ms", NULL);
    return o;
}

static void
print_json(json_object *out)
{
    puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The plan as JSON, under the names the run file's run line gives it:
 * what would run; nothing ran. */
static void
print_plan_json(const struct ccnc_action *a)
{
    char *json_text = ccnc_runlog_plan_json(a);

    puts(json_text);
    free(json_text);
}

/* Give the engine the actions (it takes them) and follow them to their end
 * on its loop; results (may hold refusals already) gets each summary.
 * CCNC_EXIT_OK only when every one is done. */
static int
run_all(struct ccnc_engine *engine, const char *who, struct ccnc_action **actions, size_t n,
        size_t parallel, bool json, json_object *results)
{
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    struct batch b = { .engine = engine, .who = who, .json = json, .prefix = n > 1 };
    int sig_ids[CCNC_ARRAY_SIZE(signals)], rc = CCNC_EXIT_OK;

    b.ids = ccnc_xcalloc(n ? n : 1, sizeof(*b.ids));
    b.said = ccnc_xcalloc(n ? n : 1, sizeof(*b.said));
    ccnc_engine_set_parallel(engine, (int)(parallel ? parallel : 1));
    ccnc_engine_set_action_listener(engine, on_action, &b);
    for (size_t k = 0; k < CCNC_ARRAY_SIZE(signals); k++)
        sig_ids[k] = ccnc_loop_add_signal(ccnc_engine_loop(engine), signals[k], on_interrupt, &b);
    for (size_t i = 0; i < n; i++) {
        struct ccnc_error err = { 0 };
        int id = ccnc_engine_submit(engine, actions[i], &err);
        if (id < 0) {
            ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
            ccnc_error_clear(&err);
            rc = CCNC_EXIT_FAILED;
            continue;
        }
        b.ids[b.n++] = id;
    }
    /* each id counts once it is finished, whether already or later */
    for (size_t i = 0; i < b.n; i++)
        if (!ccnc_engine_action_active(engine, b.ids[i]))
            b.finished++;
    while (b.finished < b.n)
        ccnc_loop_run(ccnc_engine_loop(engine));
    ccnc_loop_run_once(ccnc_engine_loop(engine), 0); /* the last progress */
    for (size_t k = 0; k < CCNC_ARRAY_SIZE(signals); k++)
        if (sig_ids[k] > 0)
            ccnc_loop_remove(ccnc_engine_loop(engine), sig_ids[k]);
    ccnc_engine_set_action_listener(engine, NULL, NULL);
    for (size_t i = 0; i < b.n; i++) {
        const struct ccnc_action *a = ccnc_engine_action_get(engine, b.ids[i]);
        if (!a || a->state != CCNC_ACTION_DONE)
            rc = CCNC_EXIT_FAILED;
        if (results)
            json_object_array_add(results, summary_json(engine, b.ids[i]));
    }
    free(b.ids);
    free(b.said);
    return rc;
}

static enum ccnc_action_kind
kind_of(const char *cmd)
{
    return strcmp(cmd, "migrate") == 0  ? CCNC_ACTION_MIGRATE
           : strcmp(cmd, "detach") == 0 ? CCNC_ACTION_DETACH
                                        : CCNC_ACTION_ASSIGN;
}

int
ccnc_cli_action(struct cli *cli, const struct cli_args *cargs)
{
    struct action_args args = { 0 };
    struct ccnc_plan_request req = { .kind = kind_of(cargs->cmd->name) };
    struct ccnc_error err = { 0 };
    struct ccnc_engine *engine = NULL;
    struct ccnc_action *a;
    int rc = CCNC_EXIT_OK;

    if (parse(cargs, &args) < 0)
        return CCNC_EXIT_USAGE;
    req.vm = args.vm;
    req.destination = args.to;
    req.assume_config = cli->offline;
    if (cli->offline) {
        struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(cli->lab);
        a = ccnc_plan(cli->lab, snap, &req, &err);
        ccnc_snapshot_unref(snap);
    } else {
        engine = ccnc_engine_new(cli->lab);
        ccnc_cli_settle(engine, ACTION_SETTLE_S);
        a = ccnc_engine_plan(engine, &req, &err);
    }
    if (!a) {
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
        if (args.json) {
            json_object *o = refusal_json(args.vm, err.message);
            print_json(o);
            json_object_put(o);
        }
        rc = err.code == CCNC_ERR_CONFIG ? CCNC_EXIT_USAGE : CCNC_EXIT_FAILED;
        ccnc_error_clear(&err);
        ccnc_engine_free(engine);
        return rc;
    }
    if (engine && req.destination && args.dry_run) {
        /* the forecast: what earlier migrations between the two hosts
         * say, and the guest's dirty rate measured now */
        if (!args.json)
            ccnc_cli_fprintf(stderr, _("%s: forecasting the migration of %s (its dirty rate: "
                                       "%d s, then its working set: %d s)...\n"),
                             PACKAGE, a->vm, CCNC_FORECAST_SAMPLE_S,
                             CCNC_FORECAST_LONG_SAMPLE_S);
        ccnc_engine_forecast(engine, a, NULL, CCNC_FORECAST_SAMPLE_S);
    } else if (engine && req.destination) {
        /* from the run files; the action's first step samples the guest */
        ccnc_engine_forecast(engine, a, NULL, 0);
    }
    if (!args.json || args.dry_run) {
        char *plan = ccnc_action_plan_text(a);
        if (!args.json)
            ccnc_cli_fputs(plan, stdout);
        free(plan);
    }
    if (args.dry_run) {
        if (args.json)
            print_plan_json(a);
        ccnc_action_free(a);
    } else if (cli->offline) {
        ccnc_cli_fprintf(stderr, _("%s: --offline only plans; leave it out to run the action\n"),
                         PACKAGE);
        ccnc_action_free(a);
        rc = CCNC_EXIT_USAGE;
    } else {
        json_object *results = args.json ? json_object_new_array() : NULL;
        char *who = ccnc_xasprintf("%s %s", PACKAGE, cargs->cmd->name);
        rc = run_all(engine, who, &a, 1, 1, args.json, results);
        if (results && json_object_array_length(results) == 1)
            print_json(json_object_array_get_idx(results, 0));
        json_object_put(results);
        free(who);
    }
    ccnc_engine_free(engine);
    return rc;
}

/* `ccnc evacuate HOST`: every lab VM running on HOST to another host, at
 * most [migration] parallel (or --parallel) at once. */
int
ccnc_cli_evacuate(struct cli *cli, const struct cli_args *args)
{
    const char *from = args->n_pos > 0 ? args->pos[0] : NULL, *to = ccnc_cli_opt(args, "to");
    const char *par = ccnc_cli_opt(args, "parallel");
    bool dry_run = ccnc_cli_flag(args, "dry-run"), json = ccnc_cli_flag(args, "json");
    long parallel = cli->lab->migration.parallel;
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    struct ccnc_action **actions = NULL;
    json_object *results = NULL;
    size_t n = 0, cap = 0, n_candidates = 0, n_booked = 0;
    char **candidates = NULL;
    struct ccnc_plan_booking *booked = NULL;
    int at, rc = CCNC_EXIT_OK;

    if (par) {
        char *end;
        parallel = strtol(par, &end, 10);
        if (!*par || *end || parallel < 1 || parallel > 64) {
            ccnc_cli_fprintf(stderr, _("%s evacuate: --parallel takes 1 to 64, not '%s'\n"),
                             PACKAGE, par);
            return CCNC_EXIT_USAGE;
        }
    }
    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!from || !ccnc_lab_find_host(cli->lab, from) ||
        !ccnc_lab_host_runs_libvirt(ccnc_lab_find_host(cli->lab, from))) {
        ccnc_cli_fprintf(stderr, _("%s evacuate: name a hypervisor host of the lab\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        ccnc_cli_fprintf(stderr,
                         _("%s evacuate: which VMs run on %s is known only online; leave out "
                           "--offline\n"),
                         PACKAGE, from);
        return CCNC_EXIT_USAGE;
    }
    /* --to HOST: that one; --to auto (the default) or HOST,HOST...:
     * placement chooses among every other hypervisor, or those named */
    if (!to || strchr(to, ',')) {
        char *list = ccnc_xstrdup(to ? to : "");
        for (char *save = NULL, *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
            const struct ccnc_lab_host *lh = ccnc_lab_find_host(cli->lab, h);
            if (!lh || !ccnc_lab_host_runs_libvirt(lh) || strcmp(h, from) == 0) {
                ccnc_cli_fprintf(stderr, _("%s evacuate: '%s' in --to is not another hypervisor "
                                           "host of the lab\n"),
                                 PACKAGE, h);
                free(list);
                for (size_t k = 0; k < n_candidates; k++)
                    free(candidates[k]);
                free(candidates);
                return CCNC_EXIT_USAGE;
            }
            candidates = ccnc_xrealloc(candidates, (n_candidates + 2) * sizeof(*candidates));
            candidates[n_candidates++] = ccnc_xstrdup(h);
            candidates[n_candidates] = NULL;
        }
        free(list);
        to = CCNC_PLACE_AUTO;
    } else if (strcmp(to, CCNC_PLACE_AUTO) != 0 &&
               (!ccnc_lab_find_host(cli->lab, to) ||
                !ccnc_lab_host_runs_libvirt(ccnc_lab_find_host(cli->lab, to)))) {
        ccnc_cli_fprintf(stderr, _("%s evacuate: '%s' is not a hypervisor host of the lab\n"),
                         PACKAGE, to);
        return CCNC_EXIT_USAGE;
    }
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, ACTION_SETTLE_S);
    snap = ccnc_engine_snapshot(engine);
    at = ccnc_snapshot_find_host(snap, from);
    if (at < 0 || snap->hosts[at]->libvirt != CCNC_CONN_CONNECTED) {
        /* an empty list from a host libvirt did not answer for is no
         * evidence that nothing runs there */
        const struct ccnc_host *h = at < 0 ? NULL : snap->hosts[at];
        ccnc_cli_fprintf(
            stderr, _("%s evacuate: which VMs run on %s is not known: %s\n"), PACKAGE, from,
            h && h->libvirt_error ? h->libvirt_error : _("its libvirt did not answer in time"));
        rc = CCNC_EXIT_FAILED;
        goto out;
    }
    if (json)
        results = json_object_new_array();
    for (size_t i = 0; i < snap->hosts[at]->n_vms; i++) {
        const struct ccnc_vm *vm = &snap->hosts[at]->vms[i];
        struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = vm->name,
                                         .destination = to,
                                         .candidates = (const char *const *)candidates,
                                         .booked = booked, .n_booked = n_booked };
        struct ccnc_error err = { 0 };
        struct ccnc_action *a;
        if (vm->state != CCNC_VM_RUNNING)
            continue;
        if (!ccnc_lab_find_vm(cli->lab, vm->name)) {
            if (!json)
                ccnc_cli_printf(_("%s: not in the lab config, left on %s\n"), vm->name, from);
            continue;
        }
        a = ccnc_engine_plan(engine, &req, &err);
        if (!a) {
            ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
            if (results)
                json_object_array_add(results, refusal_json(vm->name, err.message));
            ccnc_error_clear(&err);
            rc = CCNC_EXIT_FAILED;
            continue;
        }
        /* each VM's forecast from the run files: no pause to measure each
         * guest's dirty rate in a batch */
        ccnc_engine_forecast(engine, a, NULL, 0);
        *(struct ccnc_action **)ccnc_array_push(&actions, &n, &cap, sizeof(a)) = a;
        /* booked: the next VM's placement sees this one there */
        booked = ccnc_xrealloc(booked, (n_booked + 1) * sizeof(*booked));
        booked[n_booked++] = (struct ccnc_plan_booking){
            a->vm, a->destination, vm->memory_kib,
            ccnc_lab_find_vm(cli->lab, vm->name)->passthrough_kind == CCNC_PASSTHROUGH_POOL
        };
    }
    if (!json && strcmp(to, CCNC_PLACE_AUTO) == 0) {
        ccnc_cli_printf(dngettext(PACKAGE, "Evacuate %s, each VM where placement puts it: %zu VM, "
                                           "%ld at once\n",
                                  "Evacuate %s, each VM where placement puts it: %zu VMs, %ld "
                                  "at once\n",
                                  n),
                        from, n, parallel);
        for (size_t i = 0; i < n; i++)
            ccnc_cli_printf("  %-10s -> %s\n", actions[i]->vm, actions[i]->destination);
    } else if (!json) {
        ccnc_cli_printf(dngettext(PACKAGE, "Evacuate %s to %s: %zu VM, %ld at once\n",
                                  "Evacuate %s to %s: %zu VMs, %ld at once\n", n),
                        from, to, n, parallel);
    }
    if (dry_run || n == 0) {
        for (size_t i = 0; i < n; i++) {
            char *plan = json ? ccnc_runlog_plan_json(actions[i])
                              : ccnc_action_plan_text(actions[i]);
            if (json)
                json_object_array_add(results, json_tokener_parse(plan));
            else
                ccnc_cli_fputs(plan, stdout);
            free(plan);
            ccnc_action_free(actions[i]);
        }
    } else {
        int r = run_all(engine, _("ccnc evacuate"), actions, n, (size_t)parallel, json, results);
        if (r != CCNC_EXIT_OK)
            rc = r;
    }
    if (results) {
        print_json(results);
        json_object_put(results);
    }
out:
    free(actions);
    free(booked);
    for (size_t i = 0; i < n_candidates; i++)
        free(candidates[i]);
    free(candidates);
    ccnc_snapshot_unref(snap);
    ccnc_engine_free(engine);
    return rc;
}

/* Run the loop (at most timeout_s) until the snapshot shows vm running on
 * host, no job on it, its bond read there since and back on its
 * passthrough NIC (a reading from before the action's last step would
 * plan the next round from the past). */
static bool
wait_vm_on(struct ccnc_engine *engine, const struct ccnc_lab_vm *cv, const char *host,
           int timeout_s)
{
    long long end = ccnc_now_mono_ms() + timeout_s * 1000LL;

    while (ccnc_now_mono_ms() < end) {
        struct ccnc_snapshot *snap = ccnc_engine_snapshot(engine);
        bool there = ccnc_vm_settled_on(snap, cv, host);
        ccnc_snapshot_unref(snap);
        if (there)
            return true;
        ccnc_loop_run_once(ccnc_engine_loop(engine), 200);
    }
    return false;
}

/* `ccnc demo VM --rounds N`: the thesis' Table 1 built on stage.  The VM
 * goes to the other host and back, N migrations in all, each planned from
 * what the hosts report then and run as `ccnc migrate` runs it (its own run
 * file); the table over the rounds so far is printed after each. */
int
ccnc_cli_demo(struct cli *cli, const struct cli_args *args)
{
    const char *vm = args->n_pos > 0 ? args->pos[0] : NULL, *to = ccnc_cli_opt(args, "to");
    const char *rounds_s = ccnc_cli_opt(args, "rounds");
    bool json = ccnc_cli_flag(args, "json");
    long rounds = 2;
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    const struct ccnc_host *where = NULL;
    struct ccnc_run_summary *runs = NULL;
    size_t n_runs = 0, cap_runs = 0;
    json_object *results = json ? json_object_new_array() : NULL;
    char *home = NULL, *away = NULL;
    int rc = CCNC_EXIT_OK;

    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!vm || !ccnc_lab_find_vm(cli->lab, vm)) {
        json_object_put(results);
        ccnc_cli_fprintf(stderr, _("%s demo: name a VM of the lab\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (rounds_s) {
        char *end;
        rounds = strtol(rounds_s, &end, 10);
        if (!*rounds_s || *end || rounds < 1 || rounds > 100) {
            json_object_put(results);
            ccnc_cli_fprintf(stderr, _("%s demo: --rounds takes 1 to 100, not '%s'\n"), PACKAGE,
                             rounds_s);
            return CCNC_EXIT_USAGE;
        }
    }
    if (to && (!ccnc_lab_find_host(cli->lab, to) ||
               !ccnc_lab_host_runs_libvirt(ccnc_lab_find_host(cli->lab, to)))) {
        json_object_put(results);
        ccnc_cli_fprintf(stderr, _("%s demo: '%s' is not a hypervisor host of the lab\n"),
                         PACKAGE, to);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        json_object_put(results);
        ccnc_cli_fprintf(stderr, _("%s demo: migrates for real; leave out --offline\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, ACTION_SETTLE_S);
    snap = ccnc_engine_snapshot(engine);
    ccnc_snapshot_find_vm(snap, vm, &where);
    if (where) {
        home = ccnc_xstrdup(where->name);
        for (size_t i = 0; !to && i < cli->lab->n_hosts; i++)
            if (ccnc_lab_host_runs_libvirt(&cli->lab->hosts[i]) &&
                strcmp(cli->lab->hosts[i].name, home) != 0)
                to = cli->lab->hosts[i].name;
        away = to ? ccnc_xstrdup(to) : NULL;
    }
    ccnc_snapshot_unref(snap);
    if (!home || !away || strcmp(home, away) == 0) {
        ccnc_cli_fprintf(stderr, !home ? _("%s demo: %s runs on no host that answered\n")
                                       : _("%s demo: %s has no other host to go to\n"),
                         PACKAGE, vm);
        rc = CCNC_EXIT_FAILED;
        goto out;
    }
    if (!json)
        ccnc_cli_printf(dngettext(PACKAGE, "Demo: %s between %s and %s, %ld migration\n",
                                  "Demo: %s between %s and %s, %ld migrations\n",
                                  (unsigned long)rounds),
                        vm, home, away, rounds);
    for (long r = 1; r <= rounds && rc == CCNC_EXIT_OK; r++) {
        const char *dest = r % 2 ? away : home;
        struct ccnc_plan_request req = { .kind = CCNC_ACTION_MIGRATE, .vm = vm,
                                         .destination = dest };
        struct ccnc_error err = { 0 };
        json_object *one = json_object_new_array();
        struct ccnc_action *a = ccnc_engine_plan(engine, &req, &err);
        char *who;

        if (!a) {
            ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
            if (results)
                json_object_array_add(results, refusal_json(vm, err.message));
            ccnc_error_clear(&err);
            json_object_put(one);
            rc = CCNC_EXIT_FAILED;
            break;
        }
        ccnc_engine_forecast(engine, a, NULL, 0);
        if (!json)
            ccnc_cli_printf(_("\nRound %ld of %ld: %s to %s\n"), r, rounds, vm, dest);
        who = ccnc_xasprintf("%s demo", PACKAGE);
        rc = run_all(engine, who, &a, 1, 1, json, one);
        free(who);
        if (json_object_array_length(one) == 1) {
            json_object *res = json_object_array_get_idx(one, 0), *file;
            struct ccnc_run_summary sum;
            if (json_object_object_get_ex(res, "run_file", &file) && file &&
                ccnc_run_read(json_object_get_string(file), &sum, NULL) == 0)
                *(struct ccnc_run_summary *)ccnc_array_push(&runs, &n_runs, &cap_runs,
                                                            sizeof(sum)) = sum;
            if (results)
                json_object_array_add(results, json_object_get(res));
        }
        json_object_put(one);
        if (!json && n_runs) {
            struct ccnc_table t;
            ccnc_table_make(runs, n_runs, &t);
            putchar('\n');
            ccnc_cli_print_table(&t, runs, n_runs);
        }
        if (interrupted) {
            if (!json && r < rounds)
                ccnc_cli_fprintf(stderr, _("%s demo: interrupted: no round follows\n"), PACKAGE);
            if (rc == CCNC_EXIT_OK)
                rc = CCNC_EXIT_FAILED;
            break;
        }
        /* the hosts' picture shows the guest where it went, its bond read
         * there, before the next round is planned from it */
        if (rc == CCNC_EXIT_OK && r < rounds &&
            !wait_vm_on(engine, ccnc_lab_find_vm(cli->lab, vm), dest, ACTION_SETTLE_S)) {
            ccnc_cli_fprintf(stderr, _("%s demo: %s did not settle on %s with its bond on its "
                                       "passthrough NIC within %d s: no round follows\n"),
                             PACKAGE, vm, dest, ACTION_SETTLE_S);
            rc = CCNC_EXIT_FAILED;
        }
    }
    if (json) {
        json_object *o = json_object_new_object();
        struct ccnc_table t;
        ccnc_table_make(runs, n_runs, &t);
        json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
        json_object_object_add(o, "vm", json_object_new_string(vm));
        json_object_object_add(o, "hosts", json_object_new_array());
        json_object_array_add(json_object_object_get(o, "hosts"), json_object_new_string(home));
        json_object_array_add(json_object_object_get(o, "hosts"), json_object_new_string(away));
        json_object_object_add(o, "rounds", json_object_new_int64(rounds));
        json_object_object_add(o, "results", json_object_get(results));
        json_object_object_add(o, "table", ccnc_cli_table_json(&t, runs, n_runs));
        print_json(o);
        json_object_put(o);
    }
out:
    for (size_t i = 0; i < n_runs; i++)
        ccnc_run_summary_clear(&runs[i]);
    free(runs);
    json_object_put(results);
    free(home);
    free(away);
    ccnc_engine_free(engine);
    return rc;
}

/* `ccnc abort VM`: stop the VM's running migration from another shell; the
 * ccnc that runs it records who stopped it and rolls back. */
int
ccnc_cli_abort(struct cli *cli, const struct cli_args *args)
{
    struct ccnc_error err = { 0 };
    struct ccnc_engine *engine;
    const char *vm = args->n_pos == 1 ? args->pos[0] : NULL;
    int rc;

    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!vm) {
        ccnc_cli_fprintf(stderr, _("%s abort: name the VM whose migration to stop\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        ccnc_cli_fprintf(stderr, _("%s abort: needs the hosts; leave out --offline\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    engine = ccnc_engine_new(cli->lab);
    rc = ccnc_engine_abort_elsewhere(engine, vm, _("ccnc abort, from another shell"), &err);
    ccnc_engine_free(engine);
    if (rc < 0) {
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
        ccnc_error_clear(&err);
        return CCNC_EXIT_FAILED;
    }
    if (rc == 0) {
        ccnc_cli_printf(_("%s has no job running: nothing to abort\n"), vm);
        return CCNC_EXIT_FAILED;
    }
    ccnc_cli_printf(_("Aborted the migration of %s; the ccnc that runs it undoes what it can\n"),
                    vm);
    return CCNC_EXIT_OK;
}

/* `ccnc resume VM|RUN`: end a run that stopped half-way (its ccnc was
 * killed, its terminal closed): the one planner looks at where the VM is
 * now and goes forward or back; the steps go on in the same run file,
 * which then ends with a result. */
int
ccnc_cli_resume(struct cli *cli, const struct cli_args *args)
{
    enum ccnc_resume_way way = CCNC_RESUME_AUTO;
    const char *what = args->n_pos > 0 ? args->pos[0] : NULL;
    bool dry_run = ccnc_cli_flag(args, "dry-run"), json = ccnc_cli_flag(args, "json");
    struct ccnc_engine *engine;
    struct ccnc_error err = { 0 };
    struct ccnc_action *a;
    char *file = NULL;
    int rc;

    if (ccnc_cli_flag(args, "undo") && ccnc_cli_flag(args, "finish"))
        return ccnc_cli_usage_error(args, _("say --undo or --finish, not both"));
    if (ccnc_cli_flag(args, "undo"))
        way = CCNC_RESUME_UNDO;
    else if (ccnc_cli_flag(args, "finish"))
        way = CCNC_RESUME_FINISH;
    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!what) {
        ccnc_cli_fprintf(stderr, _("%s resume: name the VM, or the run file, to resume\n"),
                         PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        ccnc_cli_fprintf(stderr, _("%s resume: needs the hosts; leave out --offline\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (strchr(what, '/') || (strlen(what) > 6 && strcmp(what + strlen(what) - 6, ".jsonl") == 0)) {
        file = ccnc_xstrdup(what);
    } else {
        char *dir = ccnc_runlog_default_dir();
        if (!ccnc_lab_find_vm(cli->lab, what)) {
            ccnc_cli_fprintf(stderr,
                             _("%s: the lab config has no [vm %s]; add it (see lab.conf(5))\n"),
                             PACKAGE, what);
            free(dir);
            return CCNC_EXIT_USAGE;
        }
        file = ccnc_run_find_unfinished(dir, what);
        if (!file) {
            ccnc_cli_printf(_("%s has no unfinished run in %s: nothing to resume\n"), what, dir);
            free(dir);
            return CCNC_EXIT_OK;
        }
        free(dir);
    }
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, ACTION_SETTLE_S);
    a = ccnc_engine_plan_resume(engine, file, way, &err);
    if (!a) {
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
        rc = err.code == CCNC_ERR_CONFIG || err.code == CCNC_ERR_IO || err.code == CCNC_ERR_PARSE
                 ? CCNC_EXIT_USAGE
                 : CCNC_EXIT_FAILED;
        ccnc_error_clear(&err);
        ccnc_engine_free(engine);
        free(file);
        return rc;
    }
    if (!json) {
        char *plan = ccnc_action_plan_text(a);
        ccnc_cli_printf(_("Resuming %s (%s):\n"), file, a->undo ? _("back") : _("forward"));
        ccnc_cli_fputs(plan, stdout);
        free(plan);
    }
    if (dry_run) {
        if (json)
            print_plan_json(a);
        ccnc_action_free(a);
        rc = CCNC_EXIT_OK;
    } else {
        json_object *results = json ? json_object_new_array() : NULL;
        rc = run_all(engine, _("ccnc resume"), &a, 1, 1, json, results);
        if (results && json_object_array_length(results) == 1)
            print_json(json_object_array_get_idx(results, 0));
        json_object_put(results);
    }
    ccnc_engine_free(engine);
    free(file);
    return rc;
}
