/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ccnc pool`: the lab's VF pools, per host: which VF is attached to or
 * reserved for which VM, and which are free; and reserving a VF for a VM
 * ahead of time, or giving it back, the way migrate and assign do. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/engine.h>
#include <ccnc/pool.h>

#include "cli/cli.h"
#include "core/i18n.h"

#define usage_error(...) ccnc_cli_usage_error(args, __VA_ARGS__)

static const char *
vf_state(const struct ccnc_vf *vf)
{
    return !vf->vm ? "free" : vf->reserved ? "reserved" : "attached";
}

static void
print_pools(const struct ccnc_snapshot *snap, const struct ccnc_lab *lab, const char *only,
            bool json)
{
    json_object *out = json ? json_object_new_array() : NULL;

    for (size_t p = 0; p < lab->n_pools; p++) {
        const struct ccnc_lab_pool *pool = &lab->pools[p];
        json_object *po = NULL, *ports = NULL;

        if (only && strcmp(only, pool->name) != 0)
            continue;
        if (json) {
            po = json_object_new_object();
            json_object_object_add(po, "schema_version",
                                   json_object_new_int(CCNC_SCHEMA_VERSION));
            json_object_object_add(po, "name", json_object_new_string(pool->name));
            json_object_object_add(po, "max_tx_rate_mbps",
                                   json_object_new_int(pool->max_tx_rate_mbps));
            json_object_object_add(po, "vlan", json_object_new_int(pool->vlan));
            json_object_object_add(po, "network", pool->network
                                                      ? json_object_new_string(pool->network)
                                                      : NULL);
            ports = json_object_new_array();
        } else {
            ccnc_cli_printf(_("Pool %s: rate limit %d Mb/s, VLAN %d%s%s\n"), pool->name,
                            pool->max_tx_rate_mbps, pool->vlan,
                            pool->network ? _(", network ") : "",
                            pool->network ? pool->network : "");
        }
        for (size_t i = 0; i < pool->n_ports; i++) {
            int hi = ccnc_snapshot_find_host(snap, pool->ports[i].host);
            const struct ccnc_host *h = hi < 0 ? NULL : snap->hosts[hi];
            const struct ccnc_nic *pf;
            const struct ccnc_link *l = h ? ccnc_pool_port(h, pool, &pf) : NULL;
            struct ccnc_pool_count n = { 0 };

            if (h)
                ccnc_pool_count(h, pool, &n);
            if (json) {
                json_object *o = json_object_new_object(), *vfs = json_object_new_array();
                json_object_object_add(o, "host", json_object_new_string(pool->ports[i].host));
                json_object_object_add(o, "pf", json_object_new_string(pool->ports[i].pf));
                json_object_object_add(o, "port", l ? json_object_new_string(l->name) : NULL);
                json_object_object_add(o, "stale", json_object_new_boolean(!h || h->stale));
                json_object_object_add(o, "attached", json_object_new_int(n.attached));
                json_object_object_add(o, "reserved", json_object_new_int(n.reserved));
                json_object_object_add(o, "free", json_object_new_int(n.free));
                for (size_t f = 0; l && f < l->n_vfs; f++) {
                    const struct ccnc_vf *vf = &l->vfs[f];
                    json_object *v = json_object_new_object();
                    char pci[32];
                    json_object_object_add(v, "index", json_object_new_int(vf->index));
                    json_object_object_add(v, "pci",
                                           ccnc_vf_pci_address(pf, vf, pci, sizeof(pci))
                                               ? json_object_new_string(pci)
                                               : NULL);
                    json_object_object_add(v, "mac", vf->mac ? json_object_new_string(vf->mac)
                                                             : NULL);
                    json_object_object_add(v, "state", json_object_new_string(vf_state(vf)));
                    json_object_object_add(v, "vm", vf->vm ? json_object_new_string(vf->vm)
                                                           : NULL);
                    json_object_array_add(vfs, v);
                }
                json_object_object_add(o, "vfs", vfs);
                json_object_array_add(ports, o);
                continue;
            }
            if (!l) {
                ccnc_cli_printf(_("  %-8s %-13s not seen%s\n"), pool->ports[i].host,
                                pool->ports[i].pf,
                                !h || h->stale ? _(" (the host is not connected)") : "");
                continue;
            }
            /* TRANSLATORS: a pool's port on a host: VFs attached, reserved, free */
            ccnc_cli_printf(_("  %-8s %-13s %d attached, %d reserved, %d free%s\n"), h->name,
                            l->name, n.attached, n.reserved, n.free, h->stale ? _(" (stale)") : "");
            for (size_t f = 0; f < l->n_vfs; f++) {
                const struct ccnc_vf *vf = &l->vfs[f];
                char pci[32];
                if (!ccnc_vf_pci_address(pf, vf, pci, sizeof(pci)))
                    snprintf(pci, sizeof(pci), "-");
                ccnc_cli_printf("    VF %-3d %-13s %-17s %-9s %s\n", vf->index, pci,
                                vf->mac ? vf->mac : "-",
                                !vf->vm        ? _("free")
                                : vf->reserved ? _("reserved")
                                               : _("attached"),
                                vf->vm ? vf->vm : "");
            }
        }
        if (json) {
            json_object_object_add(po, "ports", ports);
            json_object_array_add(out, po);
        }
    }
    if (json) {
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(out);
    } else if (lab->n_pools == 0) {
        ccnc_cli_printf(_("The lab config has no [pool].\n"));
    }
}

struct pool_send {
    const char *vm, *host;
    bool reserve;
    struct ccnc_pool_vf vf;        /* the one reserved or released */
    struct ccnc_vf_change change;  /* what the report must then show */
    const struct ccnc_lab *lab;
};

static int
send_pool(struct ccnc_engine *engine, void *arg, ccnc_engine_reply_cb cb, void *data,
          struct ccnc_error *err)
{
    struct pool_send *s = arg;
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(s->lab, s->vm);
    int rc;

    if (s->reserve) {
        rc = ccnc_engine_pool_reserve(engine, s->vm, s->host, &s->vf, cb, data, err);
        if (rc == 0)
            ccnc_pool_reserve_change(ccnc_lab_find_pool(s->lab, cv->passthrough), cv, &s->vf,
                                     &s->change);
    } else {
        rc = ccnc_engine_pool_release(engine, s->vm, s->host, NULL, &s->vf, cb, data, err);
        if (rc == 0)
            ccnc_pool_release_change(&s->vf, &s->change);
    }
    return rc;
}

static int
reserve_or_release(struct cli *cli, const struct cli_args *args,
                   const struct ccnc_lab_pool *pool, bool reserve, const char *host,
                   const char *vm)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(cli->lab, vm);
    struct ccnc_engine *engine;
    struct ccnc_snapshot *snap;
    struct pool_send s = { vm, host, reserve, { 0 }, { 0 }, cli->lab };
    int rc;

    if (!ccnc_lab_find_host(cli->lab, host))
        return usage_error(_("no host '%s' in the lab config"), host);
    if (!cv || cv->passthrough_kind != CCNC_PASSTHROUGH_POOL ||
        strcmp(cv->passthrough, pool->name) != 0)
        return usage_error(_("[vm %s] does not take its passthrough NIC from pool %s"), vm,
                           pool->name);
    if (cli->offline)
        return usage_error(_("%s only lists; leave it out to reserve or release"), "--offline");
    engine = ccnc_engine_new(cli->lab);
    ccnc_cli_settle(engine, 15);
    rc = ccnc_cli_vf_apply(engine, "pool", host, NULL, &s.change, -1, send_pool, &s);
    if (rc == CCNC_EXIT_OK) {
        if (reserve && s.vf.pci)
            ccnc_cli_printf(_("%s: VF %d of %s (%s) reserved for %s\n"), host, s.vf.index, s.vf.pf,
                            s.vf.pci, vm);
        else if (reserve)
            ccnc_cli_printf(_("%s: a VF is free; libvirt's network %s picks it when %s gets it\n"),
                            host, pool->network ? pool->network : "?", vm);
        else if (s.vf.pf)
            ccnc_cli_printf(_("%s: VF %d of %s released\n"), host, s.vf.index, s.vf.pf);
        else
            ccnc_cli_printf(_("No VF of pool %s on %s is reserved for %s.\n"), pool->name, host,
                            vm);
        snap = ccnc_engine_snapshot(engine);
        print_pools(snap, cli->lab, pool->name, false);
        ccnc_snapshot_unref(snap);
    }
    ccnc_pool_vf_clear(&s.vf);
    ccnc_vf_change_clear(&s.change);
    ccnc_engine_free(engine);
    return rc;
}

int
ccnc_cli_pool(struct cli *cli, const struct cli_args *args)
{
    const char *pos[4] = { NULL, NULL, NULL, NULL };
    size_t n_pos = 0;
    bool json = ccnc_cli_flag(args, "json");
    const struct ccnc_lab_pool *pool = NULL;
    struct ccnc_snapshot *snap;

    for (int i = 0; i < args->n_pos; i++) {
        if (n_pos < 4)
            pos[n_pos++] = args->pos[i];
        else
            return usage_error(_("too many arguments: '%s'"), args->pos[i]);
    }
    if (pos[0] && !(pool = ccnc_lab_find_pool(cli->lab, pos[0])))
        return usage_error(_("no [pool %s] in the lab config"), pos[0]);
    if (n_pos <= 1) {
        snap = ccnc_cli_snapshot(cli, 15);
        print_pools(snap, cli->lab, pos[0], json);
        ccnc_snapshot_unref(snap);
        return CCNC_EXIT_OK;
    }
    if (strcmp(pos[1], "reserve") != 0 && strcmp(pos[1], "release") != 0)
        return usage_error(_("'%s': say reserve or release"), pos[1]);
    if (n_pos != 4)
        return usage_error(_("%s: name the host and the VM"), pos[1]);
    return reserve_or_release(cli, args, pool, strcmp(pos[1], "reserve") == 0, pos[2], pos[3]);
}
