/* `ccnc migrate|detach|assign VM ...`: the console's action keys as batch
 * commands.  The plan comes from the lab config and, unless --offline, from
 * where the VM runs now. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/action.h>
#include <ccnc/engine.h>

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
    fputs(plan, stdout);
    if (!from_live)
        printf(_("(%s is assumed to run on %s, its home in the lab config: %s)\n"), cv->name,
               source, cli->offline ? _("--offline") : _("no host reported it"));
    if (!args.dry_run) {
        fprintf(stderr, _("%s: this version plans actions but cannot run them yet; "
                          "use --dry-run to see the plan\n"), PACKAGE);
        rc = CCNC_EXIT_FAILED;
    }
    free(plan);
    ccnc_action_free(a);
    free(from_live);
    ccnc_engine_free(engine);
    return rc;
}
