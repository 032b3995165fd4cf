/* `ccnc migrate|detach|assign VM ...`: the console's action keys as batch
 * commands.  The plan comes from the lab config and, unless --offline, from
 * where the VM runs now. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>

#include <json-c/json.h>

#include <ccnc/action.h>
#include <ccnc/engine.h>
#include <ccnc/runlog.h>

#include "action-run.h"

#include "cli.h"
#include "i18n.h"

struct action_args {
    const char *vm;
    const char *to;
    bool dry_run;
    bool json;
};

static int
parse(int argc, char **argv, struct action_args *a)
{
    bool is_migrate = strcmp(argv[0], "migrate") == 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            a->dry_run = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = true;
        } else if (is_migrate && strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            a->to = argv[++i];
        } else if (argv[i][0] != '-' && !a->vm) {
            a->vm = argv[i];
        } else {
            fprintf(stderr, _("%s %s: unknown argument '%s'; see '%s --help'\n"), PACKAGE,
                    argv[0], argv[i], PACKAGE);
            return -1;
        }
    }
    if (!a->vm) {
        fprintf(stderr, _("%s %s: name the VM\n"), PACKAGE, argv[0]);
        return -1;
    }
    if (is_migrate && !a->to) {
        fprintf(stderr, _("%s migrate: say where to with --to HOST\n"), PACKAGE);
        return -1;
    }
    return 0;
}

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

struct run_ctx {
    struct ccnc_engine *engine;
    struct ccnc_action_run *run;
    bool json;
    bool asked_abort;
};

static void
on_progress(struct ccnc_action *copy, const struct ccnc_step *s, const char *note, bool finished,
            void *data)
{
    struct run_ctx *ctx = data;

    if (s && !ctx->json) {
        if (s->outcome == CCNC_STEP_RUNNING_NOW)
            printf(_("%s%-18s ...\n"), s->rollback ? _("undo ") : "     ",
                   ccnc_step_op_to_string(s->op));
        else
            printf(_("%s%-18s %s in %lld ms%s%s\n"), s->rollback ? _("undo ") : "     ",
                   ccnc_step_op_to_string(s->op), ccnc_step_outcome_to_string(s->outcome),
                   s->ended_ms - s->started_ms, s->error ? ": " : "", s->error ? s->error : "");
        fflush(stdout);
    }
    if (finished) {
        if (!ctx->json && note)
            printf("%s\n", note);
        ccnc_loop_quit(ccnc_engine_loop(ctx->engine));
    }
    ccnc_action_free(copy);
}

static void
check_interrupt(void *data)
{
    struct run_ctx *ctx = data;

    if (interrupted && !ctx->asked_abort) {
        ctx->asked_abort = true;
        fprintf(stderr, _("%s: interrupted: stopping the action and undoing what can be "
                          "undone\n"), PACKAGE);
        ccnc_action_run_abort(ctx->run);
    }
}

static void
print_json(struct ccnc_action_run *run)
{
    const struct ccnc_action *a = ccnc_action_run_action(run);
    json_object *o = json_object_new_object(), *steps = json_object_new_array();
    struct ccnc_run_summary sum;
    const char *file = ccnc_action_run_file(run);
    bool have_sum = file && ccnc_run_read(file, &sum, NULL) == 0;

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
#define MS(k, v) json_object_object_add(o, k, (v) < 0 ? NULL : json_object_new_int64(v))
    MS("total_ms", ccnc_action_run_total_ms(run));
    MS("downtime_ms", ccnc_action_run_downtime_ms(run));
    MS("longest_gap_ms", have_sum ? sum.longest_gap_ms : -1);
    MS("lost_probes", have_sum ? sum.lost_probes : -1);
#undef MS
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    if (have_sum)
        ccnc_run_summary_clear(&sum);
}

/* Run the action to its end on the engine's loop; exit 0 only for done. */
static int
run(struct cli *cli, struct ccnc_engine *engine, struct ccnc_action *a, bool json)
{
    struct run_ctx ctx = { .engine = engine, .json = json };
    struct ccnc_error err = { 0 };
    char *dir = ccnc_runlog_default_dir();
    struct sigaction sa = { 0 }, old_sa;
    int timer, rc;

    (void)cli;
    ccnc_action_confirm(a);
    ctx.run = ccnc_action_run_start(engine, a, dir, on_progress, &ctx, &err);
    free(dir);
    if (!ctx.run) {
        fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
        ccnc_error_clear(&err);
        return CCNC_EXIT_FAILED;
    }
    if (!json)
        printf(_("Run file: %s\n"), ccnc_action_run_file(ctx.run));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old_sa);
    timer = ccnc_loop_add_timer(ccnc_engine_loop(engine), 100, true, check_interrupt, &ctx);
    while (!ccnc_action_run_finished(ctx.run))
        ccnc_loop_run(ccnc_engine_loop(engine));
    ccnc_loop_run_once(ccnc_engine_loop(engine), 0); /* the last progress */
    ccnc_loop_remove(ccnc_engine_loop(engine), timer);
    sigaction(SIGINT, &old_sa, NULL);
    rc = ccnc_action_run_action(ctx.run)->state == CCNC_ACTION_DONE ? CCNC_EXIT_OK
                                                                     : CCNC_EXIT_FAILED;
    if (json)
        print_json(ctx.run);
    ccnc_action_run_free(ctx.run);
    return rc;
}

int
ccnc_cli_action(struct cli *cli, int argc, char **argv)
{
    struct action_args args = { 0 };
    const struct ccnc_lab_vm *cv;
    const struct ccnc_lab_host *to = NULL;
    const char *source;
    enum ccnc_action_kind kind;
    struct ccnc_action *a;
    struct ccnc_engine *engine = NULL;
    char *plan, *from_live = NULL;
    int rc = CCNC_EXIT_OK;

    if (parse(argc, argv, &args) < 0)
        return CCNC_EXIT_USAGE;
    cv = ccnc_lab_find_vm(cli->lab, args.vm);
    if (!cv) {
        fprintf(stderr, _("%s: the lab config has no [vm %s]; add it (see lab.conf(5))\n"),
                PACKAGE, args.vm);
        return CCNC_EXIT_USAGE;
    }
    if (args.to) {
        to = ccnc_lab_find_host(cli->lab, args.to);
        if (!to || to->role != CCNC_HOST_ROLE_HYPERVISOR) {
            fprintf(stderr, _("%s: '%s' is not a hypervisor host of the lab\n"), PACKAGE,
                    args.to);
            return CCNC_EXIT_USAGE;
        }
    }
    source = cv->host;
    if (!cli->offline) {
        struct ccnc_snapshot *snap;
        const struct ccnc_host *where = NULL;
        engine = ccnc_engine_new(cli->lab);
        ccnc_cli_settle(engine, 15);
        snap = ccnc_engine_snapshot(engine);
        if (ccnc_snapshot_find_vm(snap, cv->name, &where) && where)
            source = from_live = ccnc_xstrdup(where->name);
        ccnc_snapshot_unref(snap);
    }
    if (to && strcmp(to->name, source) == 0) {
        fprintf(stderr, _("%s: %s already runs on %s\n"), PACKAGE, cv->name, source);
        free(from_live);
        ccnc_engine_free(engine);
        return CCNC_EXIT_FAILED;
    }
    if (strcmp(argv[0], "migrate") == 0)
        kind = cv->passthrough_kind == CCNC_PASSTHROUGH_NONE ? CCNC_ACTION_MIGRATE
                                                             : CCNC_ACTION_MIGRATE_PASSTHROUGH;
    else if (strcmp(argv[0], "detach") == 0)
        kind = CCNC_ACTION_DETACH;
    else
        kind = CCNC_ACTION_ASSIGN;
    if (kind != CCNC_ACTION_MIGRATE && cv->passthrough_kind == CCNC_PASSTHROUGH_NONE) {
        fprintf(stderr, _("%s: [vm %s] has no passthrough NIC in the lab config\n"), PACKAGE,
                cv->name);
        free(from_live);
        ccnc_engine_free(engine);
        return CCNC_EXIT_USAGE;
    }
    a = ccnc_action_new(kind, cv->name, source, to ? to->name : NULL, cv->passthrough);
    plan = ccnc_action_plan_text(a);
    if (!args.json)
        fputs(plan, stdout);
    if (!from_live && !args.json)
        printf(_("(%s is assumed to run on %s, its home in the lab config: %s)\n"), cv->name,
               source, cli->offline ? _("--offline") : _("no host reported it"));
    if (!args.dry_run) {
        if (cli->offline) {
            fprintf(stderr, _("%s: --offline only plans; leave it out to run the action\n"),
                    PACKAGE);
            rc = CCNC_EXIT_USAGE;
        } else {
            rc = run(cli, engine, a, args.json);
            a = NULL; /* the run owned it */
        }
    }
    free(plan);
    ccnc_action_free(a);
    free(from_live);
    ccnc_engine_free(engine);
    return rc;
}
