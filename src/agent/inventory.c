/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host part the agent reports, put together from its collectors: PCI
 * and NFS (rescanned now and then), links and bonds (on every change). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/netlink.h"
#include "core/i18n.h"

/* Where a collector failed: on the host part, so the console sees it, while
 * the rest is still reported. */
static void
note_error(struct ccnc_host *h, const struct ccnc_error *e)
{
    char *msg = ccnc_error_format(e), *joined;

    if (h->error) {
        joined = ccnc_xasprintf("%s; %s", h->error, msg);
        free(msg);
        free(h->error);
        h->error = joined;
    } else {
        h->error = msg;
    }
}

struct ccnc_host *
ccnc_inventory_base(const struct ccnc_agent_opts *opts)
{
    struct ccnc_host *h = ccnc_host_new(opts->name, NULL, NULL, opts->role);
    struct ccnc_error e = { 0 };

    h->connection = CCNC_CONN_CONNECTED;
    h->stale = false;
    h->agent_version = ccnc_xstrdup(PACKAGE_VERSION);
    if (ccnc_pci_scan(opts, h, &e) < 0)
        note_error(h, &e);
    ccnc_error_clear(&e);
    if (ccnc_nfs_collect(opts, h, &e) < 0)
        note_error(h, &e);
    ccnc_error_clear(&e);
    return h;
}

struct ccnc_host *
ccnc_inventory_build(const struct ccnc_agent_opts *opts, const struct ccnc_host *base,
                     struct ccnc_netlink *nl)
{
    struct ccnc_host *h = ccnc_host_dup(base);
    struct ccnc_error e = { 0 };

    if (nl) {
        ccnc_netlink_fill(nl, opts->root, h);
    } else if (ccnc_sysfs_read_links(opts->root, h, &e) < 0) {
        note_error(h, &e);
    }
    ccnc_error_clear(&e);
    /* bonds: netlink's attributes when live, /proc/net/bonding otherwise */
    if ((!nl || ccnc_netlink_fill_bonds(nl, opts->root, h) < 0) &&
        ccnc_sysfs_read_bonds(opts->root, h, &e) < 0)
        note_error(h, &e);
    ccnc_error_clear(&e);
    h->updated_ms = ccnc_now_wall_ms();
    return h;
}
