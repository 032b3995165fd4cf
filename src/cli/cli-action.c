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

#include "engine/action-run.h"
#include "engine/collect-libvirt.h"

#include "cli/cli.h"
#include "core/i18n.h"

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

/* How long an action waits at most for every host to report: libvirt's
 * first picture holds each guest's bond, read through its guest agent one
 * after another, which takes a while on a loaded host with many guests. */
#define ACTION_SETTLE_S 60

/* Several actions at once (evacuate), or one. */
struct batch;

struct slot {
    struct batch *batch;
    struct ccnc_action *pending;     /* not started yet */
    struct ccnc_action_run *run;
    bool done;
};

struct batch {
    struct ccnc_engine *engine;
    struct slot *slots;
    size_t n, running, finished, parallel;
    bool json, prefix, asked_abort;
};

static void start_next(struct batch *b);

static void
on_progress(struct ccnc_action *copy, const struct ccnc_step *s, const char *note, bool finished,
            void *data)
{
    struct slot *slot = data;
    struct batch *b = slot->batch;
    char *who = b->prefix ? ccnc_xasprintf("%-8s ", copy->vm) : ccnc_xstrdup("");

    if (s && !b->json) {
        if (s->outcome == CCNC_STEP_RUNNING_NOW)
            printf(_("%s%s%-18s ...\n"), who, s->rollback ? _("undo ") : "     ",
                   ccnc_step_op_to_string(s->op));
        else
            printf(_("%s%s%-18s %s in %lld ms%s%s\n"), who, s->rollback ? _("undo ") : "     ",
                   ccnc_step_op_to_string(s->op), ccnc_step_outcome_to_string(s->outcome),
                   s->ended_ms - s->started_ms, s->error ? ": " : "", s->error ? s->error : "");
        fflush(stdout);
    }
    if (finished) {
        if (!b->json && note)
            printf("%s\n", note);
        if (!b->json && copy->probe.measured)
            printf(_("%sConnectivity: %lld of %lld probes lost, longest gap %lld ms\n"), who,
                   copy->probe.lost, copy->probe.sent, copy->probe.longest_gap_ms);
        else if (!b->json)
            printf(_("%sConnectivity not measured: %s\n"), who,
                   copy->probe.error ? copy->probe.error : _("the probe sent nothing"));
        slot->done = true;
        b->running--;
        b->finished++;
        start_next(b);
        if (b->finished == b->n)
            ccnc_loop_quit(ccnc_engine_loop(b->engine));
    }
    free(who);
    ccnc_action_free(copy);
}

static void
start_next(struct batch *b)
{
    char *dir = ccnc_runlog_default_dir();

    for (size_t i = 0; i < b->n && b->running < b->parallel; i++) {
        struct slot *slot = &b->slots[i];
        struct ccnc_error err = { 0 };
        if (!slot->pending || b->asked_abort)
            continue;
        ccnc_action_confirm(slot->pending);
        slot->run = ccnc_action_run_start(b->engine, slot->pending, dir, on_progress, slot, &err);
        slot->pending = NULL; /* the run took it */
        if (!slot->run) {
            fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
            ccnc_error_clear(&err);
            slot->done = true;
            b->finished++;
            continue;
        }
        b->running++;
        if (!b->json)
            printf(_("Run file: %s\n"), ccnc_action_run_file(slot->run));
    }
    free(dir);
}

/* Ctrl-C: stop the running actions (each undoes what it can) and start no
 * more; a second one changes nothing. */
static void
on_interrupt(void *data)
{
    struct batch *b = data;

    if (b->asked_abort)
        return;
    b->asked_abort = true;
    fprintf(stderr, _("%s: interrupted: stopping the action and undoing what can be "
                      "undone\n"), PACKAGE);
    for (size_t i = 0; i < b->n; i++) {
        struct slot *slot = &b->slots[i];
        if (slot->run && !slot->done)
            ccnc_action_run_abort(slot->run);
        else if (slot->pending && !slot->done) {
            slot->done = true;          /* never started: counted as finished */
            b->finished++;
        }
    }
    if (b->finished == b->n)
        ccnc_loop_quit(ccnc_engine_loop(b->engine));
}

static json_object *
summary_json(struct ccnc_action_run *run)
{
    const struct ccnc_action *a = ccnc_action_run_action(run);
    json_object *o = json_object_new_object(), *steps = json_object_new_array();
    struct ccnc_run_summary sum;
    const char *file = ccnc_action_run_file(run);
    bool have_sum = file && ccnc_run_read(file, &sum, NULL) == 0;

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
#define MS(k, v) json_object_object_add(o, k, (v) < 0 ? NULL : json_object_new_int64(v))
    MS("total_ms", ccnc_action_run_total_ms(run));
    MS("downtime_ms", ccnc_action_run_downtime_ms(run));
    MS("longest_gap_ms", have_sum ? sum.longest_gap_ms : -1);
    MS("lost_probes", have_sum ? sum.lost_probes : -1);
#undef MS
    if (have_sum)
        ccnc_run_summary_clear(&sum);
    return o;
}

/* Run the actions (the batch takes them), at most parallel at once, to
 * their end on the engine's loop; exit 0 only when every one is done. */
static int
run_all(struct ccnc_engine *engine, struct ccnc_action **actions, size_t n, size_t parallel,
        bool json, bool as_array)
{
    struct batch b = { .engine = engine, .n = n, .json = json, .prefix = n > 1 };
    int sig_id, rc = CCNC_EXIT_OK;
    json_object *arr = json_object_new_array();

    b.parallel = parallel ? parallel : 1;
    b.slots = ccnc_xcalloc(n ? n : 1, sizeof(*b.slots));
    for (size_t i = 0; i < n; i++) {
        b.slots[i].batch = &b;
        b.slots[i].pending = actions[i];
    }
    sig_id = ccnc_loop_add_signal(ccnc_engine_loop(engine), SIGINT, on_interrupt, &b);
    start_next(&b);
    while (b.finished < b.n)
        ccnc_loop_run(ccnc_engine_loop(engine));
    ccnc_loop_run_once(ccnc_engine_loop(engine), 0); /* the last progress */
    if (sig_id > 0)
        ccnc_loop_remove(ccnc_engine_loop(engine), sig_id);
    for (size_t i = 0; i < n; i++) {
        struct slot *slot = &b.slots[i];
        if (!slot->run || ccnc_action_run_action(slot->run)->state != CCNC_ACTION_DONE)
            rc = CCNC_EXIT_FAILED;
        if (slot->run)
            json_object_array_add(arr, summary_json(slot->run));
        ccnc_action_run_free(slot->run);
        ccnc_action_free(slot->pending); /* never started (interrupted) */
    }
    if (json) {
        json_object *out = !as_array && json_object_array_length(arr) == 1
                               ? json_object_get(json_object_array_get_idx(arr, 0))
                               : json_object_get(arr);
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                     JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(out);
    }
    json_object_put(arr);
    free(b.slots);
    return rc;
}

/* Run one action to its end; exit 0 only for done. */
static int
run(struct cli *cli, struct ccnc_engine *engine, struct ccnc_action *a, bool json)
{
    (void)cli;
    return run_all(engine, &a, 1, 1, json, false);
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
        if (!to || !ccnc_lab_host_runs_libvirt(to)) {
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
        ccnc_cli_settle(engine, ACTION_SETTLE_S);
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

/* `ccnc evacuate HOST`: every lab VM running on HOST to another host, at
 * most [migration] parallel (or --parallel) at once. */
int
ccnc_cli_evacuate(struct cli *cli, int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    bool dry_run = false, json = false;
    long parallel = cli->lab->migration.parallel;
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    struct ccnc_action **actions = NULL;
    size_t n = 0, cap = 0;
    int at, rc = CCNC_EXIT_OK;

    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            to = argv[++i];
        } else if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc) {
            parallel = strtol(argv[++i], &end, 10);
            if (*end || parallel < 1 || parallel > 64) {
                fprintf(stderr, _("%s evacuate: --parallel takes 1 to 64, not '%s'\n"), PACKAGE,
                        argv[i]);
                return CCNC_EXIT_USAGE;
            }
        } else if (argv[i][0] != '-' && !from) {
            from = argv[i];
        } else {
            fprintf(stderr, _("%s %s: unknown argument '%s'; see '%s --help'\n"), PACKAGE,
                    argv[0], argv[i], PACKAGE);
            return CCNC_EXIT_USAGE;
        }
    }
    if (!from || !ccnc_lab_find_host(cli->lab, from) ||
        !ccnc_lab_host_runs_libvirt(ccnc_lab_find_host(cli->lab, from))) {
        fprintf(stderr, _("%s evacuate: name a hypervisor host of the lab\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        fprintf(stderr, _("%s evacuate: which VMs run on %s is known only online; leave out "
                          "--offline\n"), PACKAGE, from);
        return CCNC_EXIT_USAGE;
    }
    if (!to) {
        for (size_t i = 0; i < cli->lab->n_hosts && !to; i++)
            if (ccnc_lab_host_runs_libvirt(&cli->lab->hosts[i]) &&
                strcmp(cli->lab->hosts[i].name, from) != 0)
                to = cli->lab->hosts[i].name;
    }
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, ACTION_SETTLE_S);
    snap = ccnc_engine_snapshot(engine);
    at = ccnc_snapshot_find_host(snap, from);
    if (at < 0 || snap->hosts[at]->libvirt != CCNC_CONN_CONNECTED) {
        /* an empty list from a host libvirt did not answer for is no
         * evidence that nothing runs there */
        const struct ccnc_host *h = at < 0 ? NULL : snap->hosts[at];
        fprintf(stderr, _("%s evacuate: which VMs run on %s is not known: %s\n"), PACKAGE, from,
                h && h->libvirt_error ? h->libvirt_error
                                      : _("its libvirt did not answer in time"));
        ccnc_snapshot_unref(snap);
        ccnc_engine_free(engine);
        return CCNC_EXIT_FAILED;
    }
    for (size_t i = 0; at >= 0 && i < snap->hosts[at]->n_vms; i++) {
        const struct ccnc_vm *vm = &snap->hosts[at]->vms[i];
        struct ccnc_error err = { 0 };
        struct ccnc_action *a;
        if (vm->state != CCNC_VM_RUNNING)
            continue;
        if (!ccnc_lab_find_vm(cli->lab, vm->name)) {
            if (!json)
                printf(_("%s: not in the lab config, left on %s\n"), vm->name, from);
            continue;
        }
        a = ccnc_engine_plan(engine, CCNC_ACTION_MIGRATE_PASSTHROUGH, vm->name, to, &err);
        if (!a) {
            fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
            ccnc_error_clear(&err);
            rc = CCNC_EXIT_FAILED;
            continue;
        }
        *(struct ccnc_action **)ccnc_array_push(&actions, &n, &cap, sizeof(a)) = a;
    }
    ccnc_snapshot_unref(snap);
    if (!json)
        printf(_("Evacuate %s to %s: %zu VMs, %ld at once\n"), from, to ? to : "-", n, parallel);
    if (dry_run || n == 0) {
        if (json && n == 0)
            puts("[]");
        for (size_t i = 0; i < n; i++) {
            char *plan = ccnc_action_plan_text(actions[i]);
            if (!json)
                fputs(plan, stdout);
            free(plan);
            ccnc_action_free(actions[i]);
        }
    } else {
        int r = run_all(engine, actions, n, (size_t)parallel, json, true);
        if (r != CCNC_EXIT_OK)
            rc = r;
    }
    free(actions);
    ccnc_engine_free(engine);
    return rc;
}

/* `ccnc abort VM`: stop the VM's running migration from another shell; the
 * ccnc that runs it rolls back. */
int
ccnc_cli_abort(struct cli *cli, int argc, char **argv)
{
    struct ccnc_error err = { 0 };
    int rc;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, _("%s abort: name the VM whose migration to stop\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (cli->offline) {
        fprintf(stderr, _("%s abort: needs the hosts; leave out --offline\n"), PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (ccnc_libvirt_events_acquire() < 0)
        return CCNC_EXIT_FAILED;
    rc = ccnc_action_abort_vm(cli->lab, argv[1], &err);
    ccnc_libvirt_events_release();
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", PACKAGE, err.message);
        ccnc_error_clear(&err);
        return CCNC_EXIT_FAILED;
    }
    if (rc == 0) {
        printf(_("%s has no job running: nothing to abort\n"), argv[1]);
        return CCNC_EXIT_FAILED;
    }
    printf(_("Aborted the migration of %s; the ccnc that runs it undoes what it can\n"), argv[1]);
    return CCNC_EXIT_OK;
}
