/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links, VFs and their changes from the kernel with libnl-3: a cache
 * manager on RTNLGRP_LINK tells of every change; nothing is polled. */
#ifndef CCNC_AGENT_NETLINK_H
#define CCNC_AGENT_NETLINK_H

#include <ccnc/error.h>
#include <ccnc/model.h>

#include "agent/proto.h"

struct ccnc_netlink;
struct rtnl_link;

/* changed(data) is called from ccnc_netlink_dispatch() for every link the
 * kernel announces.  NULL and err filled when netlink cannot be used. */
struct ccnc_netlink *ccnc_netlink_new(void (*changed)(void *data), void *data,
                                      struct ccnc_error *err);
void ccnc_netlink_free(struct ccnc_netlink *nl);
/* The socket to poll for POLLIN. */
int ccnc_netlink_fd(const struct ccnc_netlink *nl);
/* A second socket on RTNLGRP_LINK whose every message counts as a change
 * (libnl's cache compares no bond attributes); poll it for POLLIN too. */
int ccnc_netlink_watch_fd(const struct ccnc_netlink *nl);
void ccnc_netlink_dispatch_watch(struct ccnc_netlink *nl);
/* Read what the kernel sent and update the cache. */
void ccnc_netlink_dispatch(struct ccnc_netlink *nl);
/* Append the cached links (with VFs; speed read from root's sysfs) to host. */
void ccnc_netlink_fill(struct ccnc_netlink *nl, const char *root, struct ccnc_host *host);
/* Append full's VFs (rtnl_link_vf_*) to l; their PCI addresses from
 * root's sysfs unless root is NULL.  full is borrowed. */
void ccnc_netlink_add_vfs(struct rtnl_link *full, const char *root, struct ccnc_link *l);
/* Append the bonds with IFLA_BOND_* / IFLA_BOND_SLAVE_* from a dump made
 * only when a bond exists; -1 when netlink failed (read /proc instead). */
int ccnc_netlink_fill_bonds(struct ccnc_netlink *nl, const char *root, struct ccnc_host *host);
/* The link change that sets what req carries on VF req->vf of link
 * ifindex; current (may be NULL) is the PF with its VFs' present settings,
 * for the rate not asked for.  NULL and err on failure; caller puts it. */
struct rtnl_link *ccnc_netlink_vf_change(const struct ccnc_proto_request *req, int ifindex,
                                         struct rtnl_link *current, struct ccnc_error *err);
/* Set what req carries on VF req->vf of req->pf; -1 and err when the
 * kernel or driver refuses. */
int ccnc_netlink_vf_set(struct ccnc_netlink *nl, const struct ccnc_proto_request *req,
                        struct ccnc_error *err);

#endif
