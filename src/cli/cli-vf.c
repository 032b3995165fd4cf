/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc vf`: the SR-IOV VFs of the lab's hosts, listed, changed and
 * counted through each host's agent; every change is checked against what
 * the agent then reports. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/engine.h>
#include <ccnc/json.h>
#include <ccnc/vf.h>

#include "cli/cli.h"
#include "core/i18n.h"

#define VERIFY_S 15   /* how long a change may take to show in the agent's report */

static const struct ccnc_host *
host_of(const struct ccnc_snapshot *snap, const char *name)
{
    int i = ccnc_snapshot_find_host(snap, name);

    return i < 0 ? NULL : snap->hosts[i];
}

void
ccnc_cli_print_vfs(const struct ccnc_snapshot *snap, const char *only)
{
    bool any = false;
    char *path = ccnc_vf_intent_default_path();
    struct ccnc_vf_intent *intent = ccnc_vf_intent_load(path);

    ccnc_cli_printf("%-8s %-8s %3s %-13s %-17s %5s %3s %6s %6s %-5s %-5s %-7s %s\n", _("HOST"),
                    _("PORT"), _("VF"), _("PCI"), _("MAC"), _("VLAN"), _("QOS"), _("RATE"),
                    _("MIN"), _("SPOOF"), _("TRUST"), _("STATE"), _("VM"));
    for (size_t i = 0; i < snap->n_hosts; i++) {
        const struct ccnc_host *h = snap->hosts[i];
        if (only && strcmp(h->name, only) != 0)
            continue;
        for (size_t l = 0; l < h->n_links; l++) {
            const struct ccnc_link *k = &h->links[l];
            for (size_t v = 0; v < k->n_vfs; v++) {
                const struct ccnc_vf *f = &k->vfs[v];
                any = true;
                ccnc_cli_printf("%-8s %-8s %3d %-13s %-17s %5d %3d %6d %6d %-5s %-5s %-7s %s\n",
                                h->name, k->name, f->index, f->pci ? f->pci : "-",
                                f->mac ? f->mac : "-", f->vlan, f->qos, f->max_tx_rate,
                                f->min_tx_rate,
                                f->spoofchk < 0 ? "-"
                                : f->spoofchk   ? _("on")
                                                : _("off"),
                                f->trust < 0 ? "-"
                                : f->trust   ? _("on")
                                             : _("off"),
                                f->link_state ? f->link_state : "-", f->vm ? f->vm : "-");
                {
                    /* MAC or VLAN no longer what ccnc set */
                    char *note = ccnc_vf_intent_drift(intent, h->name, k->name, f);
                    if (note)
                        ccnc_cli_printf(_("%-8s %-8s %3d   DRIFTED: %s\n"), "", "", f->index, note);
                    free(note);
                }
            }
        }
        for (size_t n = 0; n < h->n_nics; n++) {
            const struct ccnc_nic *p = &h->nics[n];
            if (p->has_sriov)
                ccnc_cli_printf(dngettext(PACKAGE, "%s: port %s (%s): %d of %d VF\n",
                                          "%s: port %s (%s): %d of %d VFs\n", p->sriov.total_vfs),
                                h->name,
                                p->netdev ? p->netdev : "-", p->pci, p->sriov.num_vfs,
                                p->sriov.total_vfs);
        }
    }
    if (!any && only)
        ccnc_cli_printf(_("No VFs on %s.\n"), only);
    else if (!any)
        ccnc_cli_printf(_("No VFs.\n"));
    ccnc_vf_intent_free(intent);
    free(path);
}

/* --- a change, its reply, and the report that shows it --------------------------- */

struct vf_wait {
    struct ccnc_engine *engine;
    const char *host, *pf;
    struct ccnc_vf_change *change;   /* NULL: a count of VFs */
    int num_vfs;
    bool replied, ok, applied;
    char *error;
};

static bool
applied(struct vf_wait *w, const struct ccnc_snapshot *snap)
{
    const struct ccnc_host *h = host_of(snap, w->host);
    const struct ccnc_link *k = ccnc_host_find_link(h, w->pf);
    const struct ccnc_nic *n = ccnc_host_find_port(h, w->pf);
    const struct ccnc_vf *vf;

    if (!w->change)
        return n && n->has_sriov && n->sriov.num_vfs == w->num_vfs &&
               (w->num_vfs == 0 || (k && k->n_vfs == (size_t)w->num_vfs));
    vf = ccnc_link_find_vf(k, w->change->vf);
    return vf && ccnc_vf_change_applied(w->change, vf);
}

static void
on_reply(void *data, bool ok, const char *error)
{
    struct vf_wait *w = data;

    w->replied = true;
    w->ok = ok;
    ccnc_str_set(&w->error, error);
    if (ok) {
        /* nothing to change (it was so already): no new report will come */
        struct ccnc_snapshot *snap = ccnc_engine_snapshot(w->engine);
        w->applied = applied(w, snap);
        ccnc_snapshot_unref(snap);
    }
    if (!ok || w->applied)
        ccnc_loop_quit(ccnc_engine_loop(w->engine));
}

static void
on_snapshot(const struct ccnc_snapshot *snap, const struct ccnc_event_list *changes, void *data)
{
    struct vf_wait *w = data;

    (void)changes;
    if (w->replied && w->ok && applied(w, snap)) {
        w->applied = true;
        ccnc_loop_quit(ccnc_engine_loop(w->engine));
    }
}

#define usage_error(...) ccnc_cli_usage_error(args, __VA_ARGS__)

int
ccnc_cli_vf_apply(struct ccnc_engine *engine, const char *what, const char *host,
                  const char *pf, struct ccnc_vf_change *c, int num_vfs, ccnc_cli_vf_send send,
                  void *arg)
{
    struct vf_wait w = { 0 };
    struct ccnc_error err = { 0 };
    int rc, timer;

    w.engine = engine;
    w.host = host;
    w.pf = pf;
    w.num_vfs = num_vfs;
    rc = send(engine, arg, on_reply, &w, &err);
    if (rc < 0) {
        ccnc_cli_fprintf(stderr, "%s %s: %s\n", PACKAGE, what, err.message);
        ccnc_error_clear(&err);
        return CCNC_EXIT_FAILED;
    }
    if (rc > 0)
        return CCNC_EXIT_OK;   /* nothing to change */
    w.change = c;
    if (c)
        w.pf = c->pf;   /* send may have chosen the VF */
    ccnc_engine_set_listener(engine, on_snapshot, &w);
    timer = ccnc_loop_add_timer(ccnc_engine_loop(engine), VERIFY_S * 1000, false,
                                ccnc_cli_quit_loop,
                                ccnc_engine_loop(engine));
    if (!w.replied || (w.ok && !w.applied))
        ccnc_loop_run(ccnc_engine_loop(engine));
    ccnc_loop_remove(ccnc_engine_loop(engine), timer);
    ccnc_engine_set_listener(engine, NULL, NULL);
    if (!w.replied) {
        ccnc_cli_fprintf(stderr, _("%s %s: %s's agent did not answer within %d s\n"), PACKAGE, what,
                         host, VERIFY_S);
        rc = CCNC_EXIT_FAILED;
    } else if (!w.ok) {
        /* TRANSLATORS: HOST: the agent's or the driver's refusal */
        ccnc_cli_fprintf(stderr, _("%s %s: %s refused: %s\n"), PACKAGE, what, host,
                         w.error ? w.error : "?");
        rc = CCNC_EXIT_FAILED;
    } else if (!w.applied) {
        ccnc_cli_fprintf(stderr,
                         _("%s %s: %s accepted the change, but its report does not show it "
                           "within %d s\n"),
                         PACKAGE, what, host, VERIFY_S);
        rc = CCNC_EXIT_FAILED;
    } else {
        if (w.error)   /* done, but what was set could not be kept */
            ccnc_cli_fprintf(stderr, "%s %s: %s\n", PACKAGE, what, w.error);
        rc = CCNC_EXIT_OK;
    }
    free(w.error);
    return rc;
}

struct vf_send {
    const char *host, *pf;
    const struct ccnc_vf_change *change;
    int num_vfs;
};

static int
send_change(struct ccnc_engine *engine, void *arg, ccnc_engine_reply_cb cb, void *data,
            struct ccnc_error *err)
{
    struct vf_send *s = arg;

    return s->change ? ccnc_engine_vf_set(engine, s->host, s->change, cb, data, err)
                     : ccnc_engine_sriov_numvfs(engine, s->host, s->pf, s->num_vfs, cb, data,
                                                err);
}

static int
change(struct cli *cli, const char *host, const char *pf, int vf, struct ccnc_vf_change *c,
       int num_vfs)
{
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    struct vf_send s = { host, pf, c, num_vfs };
    int rc;

    if (!cli->lab || !ccnc_lab_find_host(cli->lab, host)) {
        ccnc_cli_fprintf(stderr, _("%s vf: no host '%s' in the lab config\n"), PACKAGE, host);
        return CCNC_EXIT_USAGE;
    }
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, 15);
    snap = ccnc_engine_snapshot(engine);
    {
        const struct ccnc_host *h = host_of(snap, host);
        if (h && !ccnc_host_find_port(h, pf) && !ccnc_host_find_link(h, pf)) {
            ccnc_cli_fprintf(stderr, _("%s vf: %s has no port '%s'\n"), PACKAGE, host, pf);
            ccnc_snapshot_unref(snap);
            ccnc_engine_free(engine);
            return CCNC_EXIT_FAILED;
        }
    }
    ccnc_snapshot_unref(snap);
    rc = ccnc_cli_vf_apply(engine, "vf", host, pf, c, num_vfs, send_change, &s);
    if (rc == CCNC_EXIT_OK) {
        if (c)
            ccnc_cli_printf(_("%s: VF %d of %s set\n"), host, vf, pf);
        else
            ccnc_cli_printf(dngettext(PACKAGE, "%s: %s has %d VF\n", "%s: %s has %d VFs\n",
                                      num_vfs),
                            host, pf, num_vfs);
        snap = ccnc_engine_snapshot(engine);
        ccnc_cli_print_vfs(snap, host);
        ccnc_snapshot_unref(snap);
    }
    ccnc_engine_free(engine);
    return rc;
}

int
ccnc_cli_vf(struct cli *cli, const struct cli_args *args)
{
    const char *pos[3] = { NULL, NULL, NULL };
    const char *numvfs = ccnc_cli_opt(args, "numvfs");
    size_t n_pos = 0;
    bool json = ccnc_cli_flag(args, "json");
    int num_vfs = -1, first_kv = -1, rc;

    if (numvfs) {
        char *end;
        long v;
        errno = 0;
        v = strtol(numvfs, &end, 10);
        if (!*numvfs || *end || errno || v < 0 || v > 4096)
            return usage_error(_("--numvfs takes a number from 0 to 4096, not '%s'"), numvfs);
        num_vfs = (int)v;
    }
    for (int i = 0; i < args->n_pos; i++) {
        const char *word = args->pos[i];
        if (strchr(word, '=')) {
            if (first_kv < 0)
                first_kv = i;
        } else if (first_kv >= 0) {
            return usage_error(_("'%s' comes after the settings"), word);
        } else if (n_pos < 3) {
            pos[n_pos++] = word;
        } else {
            return usage_error(_("too many arguments: '%s'"), word);
        }
    }
    if (first_kv < 0 && num_vfs < 0) {
        struct ccnc_snapshot *snap;
        if (n_pos > 1)
            return usage_error(_("%s: say what to change (KEY=VALUE) or --numvfs N"), pos[1]);
        if (pos[0] && (!cli->lab || !ccnc_lab_find_host(cli->lab, pos[0]))) {
            ccnc_cli_fprintf(stderr, _("%s vf: no host '%s' in the lab config\n"), PACKAGE, pos[0]);
            return CCNC_EXIT_USAGE;
        }
        snap = ccnc_cli_snapshot(cli, 15);
        if (json) {
            char *path = ccnc_vf_intent_default_path();
            struct ccnc_vf_intent *intent = ccnc_vf_intent_load(path);
            char *json_text = ccnc_json_vfs(snap, pos[0], intent, CCNC_JSON_PRETTY);
            puts(json_text);
            free(json_text);
            ccnc_vf_intent_free(intent);
            free(path);
        } else
            ccnc_cli_print_vfs(snap, pos[0]);
        ccnc_snapshot_unref(snap);
        return CCNC_EXIT_OK;
    }
    if (cli->offline)
        return usage_error(_("%s only lists; leave it out to change a VF"), "--offline");
    if (num_vfs >= 0) {
        if (n_pos != 2 || first_kv >= 0)
            return usage_error(_("%s: name the host and the port, and nothing else"), "--numvfs");
        return change(cli, pos[0], pos[1], -1, NULL, num_vfs);
    }
    if (n_pos != 3)
        return usage_error(_("%s: name the host, the port and the VF before the settings"),
                           args->pos[first_kv]);
    {
        char *end;
        long vf;
        struct ccnc_vf_change c;
        struct ccnc_error err = { 0 };
        errno = 0;
        vf = strtol(pos[2], &end, 10);
        if (*end || errno || vf < 0 || vf > 4095)
            return usage_error(_("the VF is a number, not '%s'"), pos[2]);
        ccnc_vf_change_init(&c, pos[1], (int)vf);
        for (int i = first_kv; i < args->n_pos; i++) {
            if (ccnc_vf_change_word(&c, args->pos[i], &err) < 0) {
                ccnc_cli_fprintf(stderr, "%s vf: %s\n", PACKAGE, err.message);
                ccnc_error_clear(&err);
                ccnc_vf_change_clear(&c);
                return CCNC_EXIT_USAGE;
            }
        }
        rc = change(cli, pos[0], pos[1], (int)vf, &c, -1);
        ccnc_vf_change_clear(&c);
    }
    return rc;
}
