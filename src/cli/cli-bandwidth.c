/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc bandwidth VM`: iperf3 between the storage host and a VM, through
 * the storage host's agent (the thesis' throughput table). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/engine.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/json-get.h"

struct bw_wait {
    struct ccnc_loop *loop;
    bool done;
    struct ccnc_bandwidth figures;
    bool ok;
    char *error;
};

static void
on_figures(void *data, const struct ccnc_bandwidth *figures, const char *error)
{
    struct bw_wait *w = data;

    w->done = true;
    w->ok = figures != NULL;
    if (figures)
        w->figures = *figures;
    w->error = ccnc_xstrdup(error);
    ccnc_loop_quit(w->loop);
}

static json_object *
bps_json(long long v)
{
    return v < 0 ? NULL : json_object_new_int64(v);
}

int
ccnc_cli_bandwidth(struct cli *cli, const struct cli_args *args)
{
    const char *vm = args->n_pos > 0 ? args->pos[0] : NULL, *from = NULL;
    const char *seconds_arg = ccnc_cli_opt(args, "seconds");
    long seconds = 5;
    bool reverse = ccnc_cli_flag(args, "reverse"), json = ccnc_cli_flag(args, "json");
    struct ccnc_engine *engine;
    struct bw_wait w = { 0 };
    struct ccnc_error err = { 0 };
    int rc, timer;

    if (seconds_arg) {
        char *end;
        errno = 0;
        seconds = strtol(seconds_arg, &end, 10);
        if (!*seconds_arg || *end || errno || seconds < 1 || seconds > 60)
            return ccnc_cli_usage_error(args, _("--seconds takes 1 to 60, not '%s'"),
                                        seconds_arg);
    }
    if (args->n_pos > 1)
        return ccnc_cli_usage_error(args, _("too many arguments: '%s'"), args->pos[1]);
    if (!vm)
        return ccnc_cli_usage_error(args, _("name a VM of the lab"));
    if (!ccnc_lab_find_vm(cli->lab, vm))
        return ccnc_cli_usage_error(args, _("the lab config has no [vm %s]"), vm);
    if (cli->offline)
        return ccnc_cli_usage_error(args, _("a bandwidth test needs the hosts; leave out %s"),
                                    "--offline");
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, 15);
    w.loop = ccnc_engine_loop(engine);
    if (ccnc_lab_storage_host(cli->lab))
        from = ccnc_lab_storage_host(cli->lab)->name;
    if (!json)
        ccnc_cli_fprintf(stderr, _("Measuring %s %s %s with iperf3 for %ld s...\n"),
                         from ? from : "?", reverse ? "<-" : "->", vm, seconds);
    if (ccnc_engine_bandwidth(engine, vm, (int)seconds, reverse, on_figures, &w, &err) < 0) {
        ccnc_cli_fprintf(stderr, "%s bandwidth: %s\n", PACKAGE, err.message);
        ccnc_error_clear(&err);
        ccnc_engine_free(engine);
        return CCNC_EXIT_FAILED;
    }
    timer = ccnc_loop_add_timer(w.loop, (int)(seconds + 30) * 1000, false, ccnc_cli_quit_loop,
                                w.loop);
    ccnc_loop_run(w.loop);
    ccnc_loop_remove(w.loop, timer);
    if (!w.done) {
        ccnc_cli_fprintf(stderr, _("%s bandwidth: no answer within %ld s\n"), PACKAGE,
                         seconds + 30);
        rc = CCNC_EXIT_FAILED;
    } else if (!w.ok) {
        ccnc_cli_fprintf(stderr, "%s bandwidth: %s\n", PACKAGE, w.error ? w.error : "?");
        rc = CCNC_EXIT_FAILED;
    } else {
        rc = CCNC_EXIT_OK;
        if (json) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "schema_version",
                                   json_object_new_int(CCNC_SCHEMA_VERSION));
            json_object_object_add(o, "vm", json_object_new_string(vm));
            json_object_object_add(o, "from", from ? json_object_new_string(from) : NULL);
            json_object_object_add(o, "reverse", json_object_new_boolean(reverse));
            json_object_object_add(o, "seconds", ccnc_json_new_fixed(w.figures.seconds, 3));
            json_object_object_add(o, "sent_bps", bps_json(w.figures.sent_bps));
            json_object_object_add(o, "received_bps", bps_json(w.figures.received_bps));
            json_object_object_add(o, "retransmits", bps_json(w.figures.retransmits));
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
            json_object_put(o);
        } else {
            long long retransmits = w.figures.retransmits < 0 ? 0 : w.figures.retransmits;
            ccnc_cli_printf(dngettext(PACKAGE,
                                      /* TRANSLATORS: FROM -> VM: Mb/s received, sent, TCP
                                       * retransmits */
                                      "%s %s %s: %.1f Mb/s received (%.1f Mb/s sent, %lld "
                                      "retransmit) in %.1f s\n",
                                      "%s %s %s: %.1f Mb/s received (%.1f Mb/s sent, %lld "
                                      "retransmits) in %.1f s\n",
                                      retransmits),
                            from ? from : "?", reverse ? "<-" : "->", vm,
                            w.figures.received_bps / 1e6, w.figures.sent_bps / 1e6, retransmits,
                            w.figures.seconds);
        }
    }
    free(w.error);
    ccnc_engine_free(engine);
    return rc;
}
