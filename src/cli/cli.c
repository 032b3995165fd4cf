/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ccnc command line (ccnc(1)): global options, the lab config, and a
 * table of commands that the console's keys mirror. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <ccnc/engine.h>
#include <ccnc/json.h>
#include <ccnc/lab.h>
#include <ccnc/log.h>
#include <ccnc/runlog.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/quote.h"
#include "ui/ui.h"
#include "core/virxml.h"

#define MAX_CONFIG_ERRORS 20


static int cmd_console(struct cli *cli, const struct cli_args *args);
static int cmd_status(struct cli *cli, const struct cli_args *args);
static int cmd_config(struct cli *cli, const struct cli_args *args);
static int cmd_inspect(struct cli *cli, const struct cli_args *args);
static int cmd_hosts(struct cli *cli, const struct cli_args *args);
static int cmd_help(struct cli *cli, const struct cli_args *args);

/* The commands, their options and what --help says of them; the shell
 * completions are made from this table too (cli-complete.c). */
static const struct cli_command commands[] = {
    { "console", "", N_("open the console (the default on a terminal)"), "", true, cmd_console,
      { { NULL } } },
    { "status", "[--json] [--wait S]", N_("print the lab's hosts, VMs and their state"), "", true,
      cmd_status,
      { { "json", 0, NULL, N_("print one snapshot as JSON (see status-json.md)") },
        { "wait", 0, "S", N_("wait at most S seconds for the hosts to answer (default 15)") },
        { NULL } } },
    { "config", "[--builtin]", N_("check the lab config, or print the built-in one"), "", false,
      cmd_config,
      { { "builtin", 0, NULL, N_("print the built-in lab's config, a start for your own") },
        { NULL } } },
    { "inspect", "[--json] FILE|-", N_("read libvirt domain or node-device XML and show it"),
      "FILE", false, cmd_inspect,
      { { "json", 0, NULL, N_("print what ccnc makes of it as JSON") }, { NULL } } },
    { "runs", "[--json]", N_("list the recorded runs of actions, unfinished ones first"), "", false,
      ccnc_cli_runs, { { "json", 0, NULL, N_("print the list as JSON") }, { NULL } } },
    { "report", "[--json] [--table] [--plot FILE] RUN...",
      N_("print runs' times, downtime, longest gap and lost probes, side by side"), "RUN...",
      false, ccnc_cli_report,
      { { "json", 0, NULL, N_("print the figures as JSON") },
        { "table", 0, NULL, N_("the thesis' Table 1 over the runs: min, median, max") },
        { "plot", 0, "FILE", N_("draw each run's timeline into FILE (.svg, .png or .pdf)") },
        { NULL } } },
    { "migrate", "VM --to HOST|auto [--dry-run] [--json]",
      N_("migrate a VM live, with its passthrough NIC"), "VM", true, ccnc_cli_action,
      { { "to", 0, "HOST|auto", N_("the hypervisor to move the VM to; auto: where placement "
                                   "puts it") },
        { "dry-run", 0, NULL, N_("print the plan and run nothing") },
        { "json", 0, NULL, N_("print the result, or the plan, as JSON") },
        { NULL } } },
    { "detach", "VM [--dry-run] [--json]",
      N_("move a VM's bond to the backup and detach its passthrough NIC"), "VM", true,
      ccnc_cli_action,
      { { "dry-run", 0, NULL, N_("print the plan and run nothing") },
        { "json", 0, NULL, N_("print the result, or the plan, as JSON") },
        { NULL } } },
    { "assign", "VM [--dry-run] [--json]",
      N_("attach a NIC or VF to a VM and make it the bond's primary"), "VM", true, ccnc_cli_action,
      { { "dry-run", 0, NULL, N_("print the plan and run nothing") },
        { "json", 0, NULL, N_("print the result, or the plan, as JSON") },
        { NULL } } },
    { "evacuate", "HOST [--to HOST|auto] [--parallel N] [--dry-run] [--json]",
      N_("migrate every lab VM off a host, N at once"), "HOST", true, ccnc_cli_evacuate,
      { { "to", 0, "HOST|auto", N_("one hypervisor for them all, or (auto, the default; or "
                                   "HOST,HOST...) each where placement puts it") },
        { "parallel", 0, "N", N_("migrate at most N at once (1 to 64; default: the lab's "
                                 "parallel)") },
        { "dry-run", 0, NULL, N_("print the plans and run nothing") },
        { "json", 0, NULL, N_("print the results as JSON") },
        { NULL } } },
    { "demo", "VM [--rounds N] [--to HOST] [--json]",
      N_("migrate a VM there and back, building the thesis' Table 1"), "VM", true, ccnc_cli_demo,
      { { "rounds", 0, "N", N_("migrations in all, there and back (1 to 100; default 2)") },
        { "to", 0, "HOST", N_("the other host (default: the first other hypervisor)") },
        { "json", 0, NULL, N_("print each round's result and the table as JSON") },
        { NULL } } },
    { "abort", "VM", N_("stop a VM's running migration; its ccnc rolls back"), "VM", true,
      ccnc_cli_abort, { { NULL } } },
    { "resume", "VM|RUN [--undo|--finish] [--dry-run] [--json]",
      N_("end a run that stopped half-way, from what the hosts say now"), "VM|RUN", true,
      ccnc_cli_resume,
      { { "undo", 0, NULL, N_("go back: undo what the run did") },
        { "finish", 0, NULL, N_("go forward: finish what the run began") },
        { "dry-run", 0, NULL, N_("print the plan and run nothing") },
        { "json", 0, NULL, N_("print the result as JSON") },
        { NULL } } },
    { "vf", "[--json] [HOST] | HOST PORT VF KEY=VALUE... | HOST PORT --numvfs N",
      N_("list the SR-IOV VFs, change one (mac, vlan, rate, trust...), or set how many"),
      "HOST PORT VF KEY=VALUE...", true, ccnc_cli_vf,
      { { "json", 0, NULL, N_("print the SR-IOV ports and their VFs as JSON (see status-json.md)") },
        { "numvfs", 0, "N", N_("set how many VFs the port has (0 to 4096)") },
        { NULL } } },
    { "bandwidth", "VM [--seconds N] [--reverse] [--json]",
      N_("measure the throughput between the storage host and a VM with iperf3"), "VM", true,
      ccnc_cli_bandwidth,
      { { "seconds", 0, "N", N_("measure for N seconds (1 to 60; default 5)") },
        { "reverse", 0, NULL, N_("the VM sends and the storage host receives") },
        { "json", 0, NULL, N_("print the figures as JSON") },
        { NULL } } },
    { "pool", "[--json] [POOL] | POOL reserve|release HOST VM",
      N_("show each VF pool's VFs and who holds them, or reserve one for a VM"),
      "POOL reserve|release HOST VM", true, ccnc_cli_pool,
      { { "json", 0, NULL, N_("print the pools as JSON") }, { NULL } } },
    { "hosts", "--check|--watch [--json] [--accept-new]",
      N_("check each host's SSH link and agent once, or follow them"), "", true, cmd_hosts,
      { { "check", 0, NULL, N_("connect once to each host and report") },
        { "watch", 0, NULL, N_("keep a session to each host and print each change") },
        { "json", 0, NULL, N_("print JSON: one object, or one line a change with --watch") },
        { "accept-new", 0, NULL, N_("trust and record a host key not seen before") },
        { NULL } } },
    { "help", "[COMMAND]", N_("show this help, or a command's own help"), "COMMAND", false, cmd_help,
      { { NULL } } },
};

const struct cli_command *
ccnc_cli_commands(size_t *n)
{
    *n = CCNC_ARRAY_SIZE(commands);
    return commands;
}

const struct cli_command *
ccnc_cli_find_command(const char *name)
{
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int
ccnc_cli_fputs(const char *text, FILE *f)
{
    char *safe = ccnc_quote_printable_lines(text);
    int rc = fputs(safe, f);

    free(safe);
    return rc;
}

static int cli_vfprintf(FILE *f, const char *fmt, va_list ap) CCNC_PRINTF(2, 0);

static int
cli_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char *text = ccnc_xvasprintf(fmt, ap);
    int rc = ccnc_cli_fputs(text, f);

    free(text);
    return rc;
}

int
ccnc_cli_printf(const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = cli_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return rc;
}

int
ccnc_cli_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = cli_vfprintf(f, fmt, ap);
    va_end(ap);
    return rc;
}

void
ccnc_cli_quit_loop(void *loop)
{
    ccnc_loop_quit(loop);
}

static void
print_errors(const struct ccnc_error *errs, size_t n, size_t total)
{
    for (size_t i = 0; i < n; i++) {
        char *s = ccnc_error_format(&errs[i]);
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, s);
        free(s);
    }
    if (total > n)
        ccnc_cli_fprintf(stderr,
                         dngettext(PACKAGE, "%s: ... and %zu more problem\n",
                                   "%s: ... and %zu more problems\n", total - n),
                         PACKAGE, total - n);
}

/* -c FILE, else the default path if it exists, else the built-in lab. */
int
ccnc_cli_load_lab(struct cli *cli)
{
    struct ccnc_error errs[MAX_CONFIG_ERRORS] = { 0 };
    size_t n = 0;
    char *path = NULL;
    int rc = 0;

    if (cli->config) {
        path = ccnc_xstrdup(cli->config);
    } else {
        path = ccnc_lab_default_path();
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            ccnc_log(CCNC_LOG_CONNECT, _("lab config: %s is not there; using the built-in lab "
                                         "in a box"), path);
            free(path);
            cli->lab = ccnc_lab_load_builtin();
            return cli->lab ? 0 : -1;
        }
    }
    ccnc_log(CCNC_LOG_CONNECT, _("lab config: reading %s"), path);
    cli->lab = ccnc_lab_load(path, errs, MAX_CONFIG_ERRORS, &n);
    if (!cli->lab) {
        size_t shown = n < MAX_CONFIG_ERRORS ? n : MAX_CONFIG_ERRORS;
        print_errors(errs, shown, n);
        ccnc_cli_fprintf(stderr,
                         _("%s: the lab config was not loaded; fix it and try again "
                           "(see lab.conf(5))\n"),
                         PACKAGE);
        for (size_t i = 0; i < shown; i++)
            ccnc_error_clear(&errs[i]);
        rc = -1;
    }
    free(path);
    return rc;
}

static int
cmd_console(struct cli *cli, const struct cli_args *args)
{
    struct ccnc_engine *engine;
    struct ccnc_ui_options opts = { .ascii = cli->ascii, .no_color = cli->no_color,
                                    .present = cli->present };
    int rc;

    if (args->n_pos > 0)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[0]);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        ccnc_cli_fprintf(stderr,
                         _("%s: the console needs a terminal; for scripts use '%s status "
                           "--json'\n"),
                         PACKAGE, PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    /* the log would be written over the screen: only elsewhere (2>FILE) */
    if (cli->verbose && isatty(STDERR_FILENO))
        ccnc_log_set_level(CCNC_LOG_QUIET);
    engine = ccnc_engine_new(cli->lab);
    if (cli->replay) {
        struct ccnc_error err = { 0 };
        /* a rehearsal: the recorded run, and no host contacted */
        if (ccnc_engine_replay(engine, cli->replay, cli->speed, &err) < 0) {
            char *msg = ccnc_error_format(&err);
            ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, msg);
            free(msg);
            ccnc_error_clear(&err);
            ccnc_engine_free(engine);
            return CCNC_EXIT_FAILED;
        }
        opts.migration = true;
    } else if (!cli->offline) {
        ccnc_engine_start(engine);
    }
    opts.offline = cli->offline || cli->replay;
    rc = ccnc_ui_run(engine, &opts);
    ccnc_engine_free(engine);
    if (cli->verbose && isatty(STDERR_FILENO))
        ccnc_cli_fprintf(stderr, _("%s: -v was left out: in the console it needs standard error "
                                   "sent elsewhere (2>FILE)\n"), PACKAGE);
    if (rc < 0) {
        ccnc_cli_fprintf(stderr, _("%s: cannot use this terminal (TERM=%s)\n"), PACKAGE,
                         getenv("TERM") ? getenv("TERM") : "");
        return CCNC_EXIT_FAILED;
    }
    return CCNC_EXIT_OK;
}

static void
print_status_text(const struct ccnc_snapshot *snap)
{
    const struct ccnc_lab *lab = snap->lab;

    ccnc_cli_printf(_("Lab: %s (config: %s)\n\n"), lab->name, lab->path);
    ccnc_cli_printf("%-8s %-14s %-16s %-11s %-26s %s\n", _("HOST"), _("LABEL"), _("ADDRESS"),
                    _("ROLE"), _("CONNECTION"), _("LIBVIRT"));
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        char *conn = ccnc_xasprintf("%s%s", ccnc_conn_state_to_string(h->connection),
                                    h->stale ? _(" (stale)") : "");
        ccnc_cli_printf("%-8s %-14s %-16s %-11s %-26s %s\n", h->name, h->label, h->address,
                        ccnc_host_role_to_string(h->role), conn,
                        h->libvirt == CCNC_UNKNOWN ? "-" : ccnc_conn_state_to_string(h->libvirt));
        if (h->error)
            ccnc_cli_printf("         %s\n", h->error);
        if (h->libvirt_error)
            ccnc_cli_printf("         libvirt: %s\n", h->libvirt_error);
        free(conn);
    }
    if (lab->n_vms > 0)
        ccnc_cli_printf("\n%-10s %-8s %-8s %-10s %-7s %-10s %s\n", _("VM"), _("HOME"), _("RUNS ON"),
                        _("STATE"), _("BOND"), _("ACTIVE"), _("PASSTHROUGH"));
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct ccnc_lab_vm *cv = &lab->vms[i];
        const struct ccnc_host *host = NULL;
        const struct ccnc_vm *vm = ccnc_snapshot_find_vm(snap, cv->name, &host);
        const char *active = "-";
        char *pt;

        if (vm && vm->bond && !vm->bond_stale)
            active = vm->bond->active_slave ? vm->bond->active_slave : _("none");
        pt = cv->passthrough_kind == CCNC_PASSTHROUGH_NONE
                 ? ccnc_xstrdup(_("none"))
                 : ccnc_xasprintf("%s:%s", ccnc_passthrough_kind_to_string(cv->passthrough_kind),
                                  cv->passthrough);
        ccnc_cli_printf(
            "%-10s %-8s %-8s %-10s %-7s %-10s %s\n", cv->name, cv->host, host ? host->name : "-",
            vm ? ccnc_vm_state_to_string(vm->state) : _("not seen"), cv->bond, active, pt);
        free(pt);
    }
    /* what the hosts run besides the lab's own VMs */
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        for (size_t k = 0; k < h->n_vms; k++) {
            const struct ccnc_vm *vm = &h->vms[k];
            if (ccnc_lab_find_vm(lab, vm->name))
                continue;
            ccnc_cli_printf(dngettext(PACKAGE,
                                      "\nAlso on %s: %s (%s, %zu NIC, not in the lab config)\n",
                                      "\nAlso on %s: %s (%s, %zu NICs, not in the lab config)\n",
                                      vm->n_nics),
                            h->name, vm->name, ccnc_vm_state_to_string(vm->state), vm->n_nics);
        }
    }
}

/* Has every collector said something about every host: the SSH session
 * and, on a connected host, its agent; libvirt on a hypervisor? */
static bool
settled(struct ccnc_engine *engine, const struct ccnc_snapshot *snap)
{
    for (size_t i = 0; i < snap->n_hosts; i++) {
        struct ccnc_engine_host_status st;
        if (snap->hosts[i]->libvirt == CCNC_CONN_CONNECTING ||
            snap->hosts[i]->connection == CCNC_CONN_CONNECTING)
            return false;
        if (ccnc_engine_host_status(engine, i, &st) == 0 && !st.settled)
            return false;
    }
    return true;
}

struct settle {
    struct ccnc_engine *engine;
    struct ccnc_loop *loop;
};

static void
stop_when_settled(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes,
                  void *data)
{
    struct settle *st = data;

    (void)changes;
    if (settled(st->engine, snap))
        ccnc_loop_quit(st->loop);
}

static void
stop_now(void *data)
{
    ccnc_loop_quit(data);
}

void
ccnc_cli_settle(struct ccnc_engine *engine, int wait_s)
{
    struct settle st = { engine, ccnc_engine_loop(engine) };
    struct ccnc_snapshot *snap;
    bool done;

    if (wait_s <= 0)
        return;
    ccnc_engine_set_listener(engine, stop_when_settled, &st);
    ccnc_engine_start(engine);
    snap = ccnc_engine_snapshot(engine);
    done = settled(engine, snap);
    ccnc_snapshot_unref(snap);
    if (!done) {
        int stop_id = ccnc_loop_add_timer(st.loop, wait_s * 1000, false, stop_now, st.loop);
        ccnc_loop_run(st.loop);
        ccnc_loop_remove(st.loop, stop_id);
    }
    ccnc_engine_set_listener(engine, NULL, NULL);
}

struct ccnc_snapshot *
ccnc_cli_snapshot(struct cli *cli, int wait_s)
{
    struct ccnc_engine *engine = ccnc_engine_new(cli->lab);
    struct ccnc_snapshot *snap;

    if (!cli->offline)
        ccnc_cli_settle(engine, wait_s);
    snap = ccnc_engine_snapshot(engine);
    ccnc_engine_free(engine);
    return snap;
}

void
ccnc_cli_print_json(const struct ccnc_snapshot *snap)
{
    char *json = ccnc_json_snapshot(snap, CCNC_JSON_PRETTY);

    puts(json);
    free(json);
}

static int
cmd_status(struct cli *cli, const struct cli_args *args)
{
    struct ccnc_snapshot *snap;
    struct ccnc_run_summary *runs;
    size_t n_runs;
    char *dir;
    bool json = ccnc_cli_flag(args, "json");
    const char *wait = ccnc_cli_opt(args, "wait");
    int wait_s = 15;

    if (wait) {
        char *end;
        long v = strtol(wait, &end, 10);
        if (!*wait || *end || v < 0 || v > 3600) {
            ccnc_cli_fprintf(stderr,
                             _("%s status: --wait takes seconds from 0 to 3600, not '%s'\n"),
                             PACKAGE, wait);
            return CCNC_EXIT_USAGE;
        }
        wait_s = (int)v;
    }
    if (args->n_pos > 0)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[0]);
    snap = ccnc_cli_snapshot(cli, wait_s);
    dir = ccnc_runlog_default_dir();
    n_runs = ccnc_run_list_unfinished(dir, &runs);
    if (json) {
        /* the snapshot, and the runs that stopped half-way */
        char *text = ccnc_json_snapshot(snap, CCNC_JSON_PRETTY);
        json_object *root = json_tokener_parse(text), *arr = json_object_new_array();
        for (size_t i = 0; i < n_runs; i++) {
            json_object *o = json_object_new_object();
            char *advice = ccnc_run_advice(&runs[i]);
            json_object_object_add(o, "vm", runs[i].vm ? json_object_new_string(runs[i].vm) : NULL);
            json_object_object_add(o, "run_file", json_object_new_string(runs[i].path));
            json_object_object_add(o, "kind", json_object_new_string(runs[i].kind));
            json_object_object_add(o, "stopped_in",
                                   runs[i].in_step ? json_object_new_string(runs[i].in_step)
                                   : runs[i].last_step ? json_object_new_string(runs[i].last_step)
                                                       : NULL);
            json_object_object_add(o, "advice", advice ? json_object_new_string(advice) : NULL);
            json_object_array_add(arr, o);
            free(advice);
        }
        json_object_object_add(root, "unfinished_runs", arr);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_SPACED |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
        free(text);
    } else {
        print_status_text(snap);
        for (size_t i = 0; i < n_runs; i++) {
            char *advice = ccnc_run_advice(&runs[i]);
            if (i == 0)
                ccnc_cli_printf(_("\nUnfinished runs (an action that stopped half-way):\n"));
            ccnc_cli_printf(_("  %s: %s, stopped in '%s' (%s)\n    %s\n"),
                            runs[i].vm ? runs[i].vm : "?", runs[i].kind,
                            runs[i].in_step     ? runs[i].in_step
                            : runs[i].last_step ? runs[i].last_step
                                                : "-",
                            runs[i].path, advice ? advice : "");
            free(advice);
        }
    }
    for (size_t i = 0; i < n_runs; i++)
        ccnc_run_summary_clear(&runs[i]);
    free(runs);
    free(dir);
    ccnc_snapshot_unref(snap);
    return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

static int
cmd_config(struct cli *cli, const struct cli_args *args)
{
    if (args->n_pos > 0)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[0]);
    if (ccnc_cli_flag(args, "builtin")) {
        ccnc_cli_fputs(ccnc_lab_builtin_text(), stdout);
        return CCNC_EXIT_OK;
    }
    if (ccnc_cli_load_lab(cli) < 0)
        return CCNC_EXIT_USAGE;
    {
        const struct ccnc_lab *lab = cli->lab;
        char *hosts = ccnc_xasprintf(dngettext(PACKAGE, "%zu host", "%zu hosts", lab->n_hosts),
                                     lab->n_hosts);
        char *vms = ccnc_xasprintf(dngettext(PACKAGE, "%zu VM", "%zu VMs", lab->n_vms), lab->n_vms);
        char *pools = ccnc_xasprintf(dngettext(PACKAGE, "%zu pool", "%zu pools", lab->n_pools),
                                     lab->n_pools);
        /* TRANSLATORS: the file, then "3 hosts", "1 VM" and "0 pools" */
        ccnc_cli_printf(_("%s: the lab config is valid: %s, %s, %s\n"), lab->path, hosts, vms,
                        pools);
        free(hosts);
        free(vms);
        free(pools);
    }
    return CCNC_EXIT_OK;
}

/* --- hosts --check ---------------------------------------------------------- */

/* Every wait of a check is bounded by keepalive_s; the whole check by a
 * handful of them (connect, auth, probe, upload, agent start). */
#define HOSTS_CHECK_STEPS 6

static bool
host_ok(const struct ccnc_host *h, const struct ccnc_engine_host_status *st)
{
    return h->connection == CCNC_CONN_CONNECTED && st->agent_running;
}

static json_object *
host_check_json(const struct ccnc_lab_host *lh, const struct ccnc_host *h,
                const struct ccnc_engine_host_status *st)
{
    json_object *o = json_object_new_object(), *k = json_object_new_object(),
                *a = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(lh->name));
    json_object_object_add(o, "address", json_object_new_string(lh->address));
    /* null: not in the lab config (~/.ssh/config's Port, else 22) */
    json_object_object_add(o, "port", lh->port > 0 ? json_object_new_int(lh->port) : NULL);
    json_object_object_add(o, "ok", json_object_new_boolean(host_ok(h, st)));
    json_object_object_add(o, "connection",
                           json_object_new_string(ccnc_conn_state_to_string(h->connection)));
    json_object_object_add(o, "reachable", json_object_new_boolean(st->reachable));
    json_object_object_add(o, "authenticated", json_object_new_boolean(st->authenticated));
    json_object_object_add(k, "status", json_object_new_string(st->hostkey));
    json_object_object_add(k, "sha256", h->hostkey_sha256
                                            ? json_object_new_string(h->hostkey_sha256)
                                            : NULL);
    json_object_object_add(o, "hostkey", k);
    json_object_object_add(a, "running", json_object_new_boolean(st->agent_running));
    json_object_object_add(a, "version", st->agent_running && h->agent_version
                                             ? json_object_new_string(h->agent_version)
                                             : NULL);
    json_object_object_add(a, "uploaded", json_object_new_boolean(st->agent_uploaded));
    json_object_object_add(o, "agent", a);
    json_object_object_add(o, "libvirt", NULL);   /* not checked in this version */
    json_object_object_add(o, "error", h->error ? json_object_new_string(h->error) : NULL);
    return o;
}

static const char *
yes_no(bool b)
{
    return b ? _("yes") : _("no");
}

/* --- hosts --watch ----------------------------------------------------------- */

static void
on_watch_signal(void *data)
{
    ccnc_loop_quit(data);
}

struct watch {
    bool json;
    struct ccnc_snapshot *last;
};

static void
watch_print(const struct ccnc_host *h, bool json)
{
    if (json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
        json_object_object_add(o, "time_ms", json_object_new_int64(ccnc_now_wall_ms()));
        json_object_object_add(o, "host", json_object_new_string(h->name));
        json_object_object_add(o, "connection",
                               json_object_new_string(ccnc_conn_state_to_string(h->connection)));
        json_object_object_add(o, "stale", json_object_new_boolean(h->stale));
        json_object_object_add(o, "error", h->error ? json_object_new_string(h->error) : NULL);
        json_object_object_add(o, "hostkey_sha256", h->hostkey_sha256
                                   ? json_object_new_string(h->hostkey_sha256) : NULL);
        json_object_object_add(o, "hostkey_question",
                               json_object_new_boolean(h->hostkey_question));
        json_object_object_add(o, "agent_version", h->agent_version
                                   ? json_object_new_string(h->agent_version) : NULL);
        json_object_object_add(o, "links", json_object_new_int((int)h->n_links));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        ccnc_cli_printf("%s %s%s%s%s\n", h->name, ccnc_conn_state_to_string(h->connection),
                        h->stale ? _(" (stale)") : "", h->error ? ": " : "",
                        h->error ? h->error : "");
    }
    fflush(stdout);
}

/* A line per host whose connection, staleness, error or agent changed. */
static void
on_watch_snapshot(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes,
                  void *data)
{
    struct watch *w = data;

    (void)changes;
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *a = w->last ? w->last->hosts[i] : NULL, *b = snap->hosts[i];
        if (a && a->connection == b->connection && a->stale == b->stale &&
            ccnc_streq(a->error, b->error) && ccnc_streq(a->agent_version, b->agent_version) &&
            a->hostkey_question == b->hostkey_question)
            continue;
        watch_print(b, w->json);
    }
    ccnc_snapshot_unref(w->last);
    w->last = ccnc_snapshot_ref((struct ccnc_snapshot *)snap);
}

static int
hosts_watch(struct cli *cli, bool json, bool accept_new)
{
    struct ccnc_engine_options opts = { .accept_new = accept_new, .ssh_only = true };
    struct watch w = { .json = json };
    struct ccnc_engine *engine = ccnc_engine_new(cli->lab);
    struct ccnc_loop *loop = ccnc_engine_loop(engine);

    ccnc_loop_add_signal(loop, SIGINT, on_watch_signal, loop);
    ccnc_loop_add_signal(loop, SIGTERM, on_watch_signal, loop);
    ccnc_engine_set_options(engine, &opts);
    ccnc_engine_set_listener(engine, on_watch_snapshot, &w);
    ccnc_engine_start(engine);
    ccnc_loop_run(loop);
    ccnc_engine_free(engine);
    ccnc_snapshot_unref(w.last);
    return CCNC_EXIT_OK;
}

static int
cmd_hosts(struct cli *cli, const struct cli_args *args)
{
    bool check = ccnc_cli_flag(args, "check"), watch = ccnc_cli_flag(args, "watch");
    bool json = ccnc_cli_flag(args, "json"), accept_new = ccnc_cli_flag(args, "accept-new");
    struct ccnc_engine_options opts = { 0 };
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    struct ccnc_engine_host_status *st;
    const struct ccnc_lab *lab = cli->lab;
    long long deadline;
    int keepalive = lab->migration.keepalive_s > 0 ? lab->migration.keepalive_s : 10;
    bool all_ok = true;

    if (args->n_pos > 0)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[0]);
    if (check == watch) {
        ccnc_cli_fprintf(stderr,
                         _("%s hosts: say what to do: '%s hosts --check' or '%s hosts "
                           "--watch'\n"),
                         PACKAGE, PACKAGE, PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    if (watch)
        return hosts_watch(cli, json, accept_new);
    opts.accept_new = accept_new;
    opts.once = true;
    opts.ssh_only = true; /* libvirt: not checked here (docs/ccnc.1) */
    engine = ccnc_engine_new(cli->lab);
    ccnc_engine_set_options(engine, &opts);
    ccnc_engine_start(engine);
    st = ccnc_xcalloc(lab->n_hosts ? lab->n_hosts : 1, sizeof(*st));
    deadline = ccnc_now_mono_ms() + (long long)HOSTS_CHECK_STEPS * keepalive * 1000;
    for (;;) {
        bool settled = true;
        for (size_t i = 0; i < lab->n_hosts; i++) {
            ccnc_engine_host_status(engine, i, &st[i]);
            settled = settled && st[i].settled;
        }
        if (settled || ccnc_now_mono_ms() > deadline)
            break;
        ccnc_loop_run_once(ccnc_engine_loop(engine), 200);
    }
    snap = ccnc_engine_snapshot(engine);
    if (json) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();
        for (size_t i = 0; i < lab->n_hosts; i++) {
            all_ok = all_ok && host_ok(snap->hosts[i], &st[i]);
            json_object_array_add(arr, host_check_json(&lab->hosts[i], snap->hosts[i], &st[i]));
        }
        json_object_object_add(root, "schema_version", json_object_new_int(CCNC_SCHEMA_VERSION));
        json_object_object_add(root, "ok", json_object_new_boolean(all_ok));
        json_object_object_add(root, "hosts", arr);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_SPACED));
        json_object_put(root);
    } else {
        ccnc_cli_printf("%-8s %-22s %-9s %-6s %-9s %-9s %s\n", _("HOST"), _("ADDRESS"),
                        _("REACHABLE"), _("AUTH"), _("HOSTKEY"), _("AGENT"), _("LIBVIRT"));
        for (size_t i = 0; i < lab->n_hosts; i++) {
            const struct ccnc_host *h = snap->hosts[i];
            char *addr = lab->hosts[i].port > 0
                             ? ccnc_xasprintf("%s:%d", lab->hosts[i].address, lab->hosts[i].port)
                             : ccnc_xstrdup(lab->hosts[i].address);
            all_ok = all_ok && host_ok(h, &st[i]);
            ccnc_cli_printf("%-8s %-22s %-9s %-6s %-9s %-9s %s\n", h->name, addr,
                            yes_no(st[i].reachable), yes_no(st[i].authenticated), st[i].hostkey,
                            st[i].agent_running && h->agent_version ? h->agent_version : "-",
                            _("not checked"));
            if (h->hostkey_sha256)
                ccnc_cli_printf(_("         host key %s\n"), h->hostkey_sha256);
            if (st[i].agent_uploaded)
                ccnc_cli_printf(_("         ccnc-agent was copied to the host\n"));
            if (h->error)
                ccnc_cli_printf(_("         error: %s\n"), h->error);
            if (h->connection == CCNC_CONN_HOSTKEY_UNKNOWN)
                ccnc_cli_printf(_("         to trust this key, check it on the host and run "
                                  "'%s hosts --check --accept-new'\n"),
                                PACKAGE);
            free(addr);
        }
    }
    ccnc_snapshot_unref(snap);
    free(st);
    ccnc_engine_free(engine);
    if (fflush(stdout) != 0)
        return CCNC_EXIT_FAILED;
    return all_ok ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
}

/* `ccnc help [COMMAND]` */
static int
cmd_help(struct cli *cli, const struct cli_args *args)
{
    const struct cli_command *cmd;

    (void)cli;
    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (args->n_pos == 0) {
        ccnc_cli_help(stdout);
        return fflush(stdout) == 0 ? CCNC_EXIT_OK : CCNC_EXIT_FAILED;
    }
    cmd = ccnc_cli_find_command(args->pos[0]);
    if (!cmd) {
        ccnc_cli_fprintf(stderr, _("%s: unknown command '%s'; see '%s --help'\n"), PACKAGE,
                         args->pos[0], PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    return ccnc_cli_command_help(cmd);
}

int
ccnc_cli_main(int argc, char **argv)
{
    struct cli cli = { 0 };
    struct cli_args args = { 0 };
    const struct cli_command *cmd;
    const char *name;
    int at = argc, rc;

    rc = ccnc_cli_parse_global(&cli, argc, argv, &at);
    if (rc >= 0)
        return rc;
    name = at < argc ? argv[at] : "console";
    cmd = ccnc_cli_find_command(name);
    if (!cmd) {
        ccnc_cli_fprintf(stderr, _("%s: unknown command '%s'; see '%s --help'\n"), PACKAGE, name,
                         PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    /* the command's words from its name on: its options, and the global
     * ones again */
    rc = ccnc_cli_parse_command(&cli, cmd, at < argc ? argc - at : 0, argv + at, &args);
    ccnc_log_set_level(cli.verbose);
    if (rc < 0 && (cli.complete || cli.completion))
        rc = ccnc_cli_complete(&cli);
    if (rc < 0 && cmd->needs_lab && ccnc_cli_load_lab(&cli) < 0)
        rc = CCNC_EXIT_USAGE;
    if (rc < 0)
        rc = cmd->run(&cli, &args);
    ccnc_cli_args_clear(&args);
    ccnc_lab_unref(cli.lab);
    return rc;
}

/* The TEAMING column: the pair seen from either end. */
static char *
teaming_text(const struct ccnc_teaming *t)
{
    const char *partner;

    if (!t)
        return ccnc_xstrdup("-");
    partner = t->partner_alias ? t->partner_alias : t->partner_pci ? t->partner_pci : t->partner_mac;
    if (ccnc_streq(t->type, "transient") && partner) {
        /* TRANSLATORS: "transient" is libvirt's <teaming type=>, kept as
         * it is; %s is the alias of the persistent NIC it is paired with. */
        return ccnc_xasprintf(_("transient of %s"), t->persistent);
    }
    if (ccnc_streq(t->type, "transient")) {
        /* TRANSLATORS: "transient" is libvirt's <teaming type=>, kept as
         * it is; %s is an alias that no persistent NIC of the VM has. */
        return ccnc_xasprintf(_("transient of %s, which is missing"),
                              t->persistent ? t->persistent : "?");
    }
    if (ccnc_streq(t->type, "persistent") && partner) {
        /* TRANSLATORS: "persistent" is libvirt's <teaming type=>, kept as
         * it is; %s names the transient device paired with it (its alias,
         * or its host PCI address). */
        return ccnc_xasprintf(_("persistent for %s"), partner);
    }
    return ccnc_xstrdup(t->type ? t->type : "?");
}

static void
print_vm_text(const struct ccnc_vm *vm)
{
    ccnc_cli_printf(_("VM %s  %s  %s"), vm->name, vm->uuid ? vm->uuid : "-",
                    ccnc_vm_state_to_string(vm->state));
    if (vm->memory_kib >= 0)
        ccnc_cli_printf(_(", %lld MiB"), vm->memory_kib / 1024);
    if (vm->vcpus >= 0)
        ccnc_cli_printf(dngettext(PACKAGE, ", %d vCPU", ", %d vCPUs", vm->vcpus), vm->vcpus);
    putchar('\n');
    if (vm->n_nics == 0) {
        ccnc_cli_printf("%s\n", _("  no network interfaces and no PCI host devices"));
        return;
    }
    ccnc_cli_printf("  %-18s %-8s %-17s %-11s %-12s %-18s %s\n", _("TYPE"), _("MODEL"), _("MAC"),
                    _("ROLE"), _("ALIAS"), _("SOURCE / PCI"), _("TEAMING"));
    for (size_t i = 0; i < vm->n_nics; i++) {
        const struct ccnc_vm_nic *n = &vm->nics[i];
        char *team = teaming_text(n->teaming);
        ccnc_cli_printf("  %-18s %-8s %-17s %-11s %-12s %-18s %s\n", n->type ? n->type : "-",
                        n->model ? n->model : "-", n->mac ? n->mac : "-",
                        ccnc_nic_role_to_string(n->role), n->alias ? n->alias : "-",
                        n->pci      ? n->pci
                        : n->source ? n->source
                                    : "-",
                        team);
        free(team);
    }
}

static void
print_nic_text(const struct ccnc_nic *n)
{
    ccnc_cli_printf(_("PCI %s  %04x:%04x  %s %s\n"), n->pci, (unsigned)(n->vendor_id & 0xffff),
                    (unsigned)(n->device_id & 0xffff), n->vendor ? n->vendor : "?",
                    n->device ? n->device : "?");
    ccnc_cli_printf(_("  driver: %s\n"), n->driver ? n->driver : _("none"));
    if (n->iommu_group >= 0)
        ccnc_cli_printf(_("  IOMMU group: %d\n"), n->iommu_group);
    if (n->is_vf)
        ccnc_cli_printf(_("  virtual function of %s\n"), n->pf ? n->pf : "?");
    if (n->has_sriov) {
        if (n->sriov.total_vfs >= 0)
            ccnc_cli_printf(dngettext(PACKAGE, "  SR-IOV: %d of %d VF enabled\n",
                                      "  SR-IOV: %d of %d VFs enabled\n", n->sriov.total_vfs),
                            n->sriov.num_vfs, n->sriov.total_vfs);
        else
            ccnc_cli_printf(dngettext(PACKAGE,
                                      "  SR-IOV: %d VF enabled (the XML does not say how many are "
                                      "possible)\n",
                                      "  SR-IOV: %d VFs enabled (the XML does not say how many are "
                                      "possible)\n",
                                      n->sriov.num_vfs),
                            n->sriov.num_vfs);
    }
}

static int
cmd_inspect(struct cli *cli, const struct cli_args *args)
{
    struct ccnc_error err = { 0 };
    struct ccnc_virxml x;
    const char *path = args->n_pos > 0 ? args->pos[0] : NULL;
    bool json = ccnc_cli_flag(args, "json");
    char *text;
    size_t len = 0;
    int rc = CCNC_EXIT_OK;

    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!path) {
        ccnc_cli_fprintf(stderr,
                         _("%s inspect: give a file of libvirt XML, or - for standard input\n"),
                         PACKAGE);
        return CCNC_EXIT_USAGE;
    }
    /* the lab config, when given, says which NIC is the passthrough one */
    if (cli->config && ccnc_cli_load_lab(cli) < 0)
        return CCNC_EXIT_USAGE;
    text = ccnc_file_read(path, 16 * 1024 * 1024, &len, &err);
    if (!text || ccnc_virxml_parse(strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, &x,
                                   &err) < 0) {
        char *msg = ccnc_error_format(&err);
        ccnc_cli_fprintf(stderr, "%s: %s\n", PACKAGE, msg);
        free(msg);
        ccnc_error_clear(&err);
        free(text);
        return CCNC_EXIT_FAILED;
    }
    if (x.kind == CCNC_VIRXML_DOMAIN)
        ccnc_vm_apply_roles(&x.vm, ccnc_lab_find_vm(cli->lab, x.vm.name));
    if (json) {
        char *json_text = x.kind == CCNC_VIRXML_DOMAIN ? ccnc_json_vm(&x.vm, CCNC_JSON_PRETTY)
                          : x.kind == CCNC_VIRXML_NODEDEV_PCI
                              ? ccnc_json_nic(&x.nic, CCNC_JSON_PRETTY)
                              : ccnc_json_link(&x.link, CCNC_JSON_PRETTY);
        puts(json_text);
        free(json_text);
    } else if (x.kind == CCNC_VIRXML_DOMAIN) {
        print_vm_text(&x.vm);
    } else if (x.kind == CCNC_VIRXML_NODEDEV_PCI) {
        print_nic_text(&x.nic);
    } else {
        ccnc_cli_printf(_("interface %s  %s  link %s\n"), x.link.name,
                        x.link.mac ? x.link.mac : "-", x.link.operstate ? x.link.operstate : "?");
    }
    if (fflush(stdout) != 0)
        rc = CCNC_EXIT_FAILED;
    ccnc_virxml_clear(&x);
    free(text);
    return rc;
}
