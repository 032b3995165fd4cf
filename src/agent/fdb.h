/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridges' forwarding databases, followed for a set of MACs: each
 * entry a bridge learns for one of them (new, or moved to another port)
 * and each that goes, as the kernel notifies it (RTNLGRP_NEIGH, AF_BRIDGE),
 * reported at once.  Runs in the agent's loop thread. */
#ifndef CCNC_AGENT_FDB_H
#define CCNC_AGENT_FDB_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/error.h>
#include <ccnc/loop.h>

struct ccnc_fdb;

/* report(event, mac, bridge, port, data): event "learned" or "gone"; the
 * MAC in lower case; bridge NULL when the kernel named none. */
typedef void (*ccnc_fdb_report_cb)(const char *event, const char *mac, const char *bridge,
                                   const char *port, void *data);

/* Follow macs (n of them; copied) from now on: NULL and err when the
 * netlink socket cannot be made. */
struct ccnc_fdb *ccnc_fdb_new(struct ccnc_loop *loop, char *const *macs, size_t n,
                              ccnc_fdb_report_cb report, void *data, struct ccnc_error *err);
void ccnc_fdb_free(struct ccnc_fdb *f);

/* One netlink message (nlmsghdr and all) of len bytes: the entry it tells
 * of when it is a bridge's, learned (not the bridge's own address) and for
 * a watched MAC.  Pure but for the names of the ifindexes, which name()
 * gives (if_indextoname in the agent).  Used by the loop and by tests. */
void ccnc_fdb_parse(struct ccnc_fdb *f, const void *msg, size_t len,
                    const char *(*name)(int ifindex, char *buf));

#endif
