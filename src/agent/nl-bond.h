/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bonds from netlink: IFLA_BOND_* and IFLA_BOND_SLAVE_* read from RTM_NEWLINK
 * messages (libnl 3.7 has no getters for them).  No I/O, so it is tested
 * on messages a test builds. */
#ifndef CCNC_AGENT_NL_BOND_H
#define CCNC_AGENT_NL_BOND_H

#include <linux/netlink.h>

#include <ccnc/model.h>

/* What one RTM_NEWLINK says that bonds need. */
struct ccnc_nl_bond_info {
    int ifindex;
    char *name;
    int master;                 /* 0: none */
    int carrier;                /* 0/1, CCNC_UNKNOWN */
    bool is_bond;
    int mode, active_slave, primary, miimon, updelay, downdelay, arp_interval;
    bool is_bond_slave;
    int slave_state;            /* BOND_STATE_*, CCNC_UNKNOWN */
    int slave_mii;              /* BOND_LINK_*, CCNC_UNKNOWN */
    int link_failures;
    char *perm_hwaddr;
};

/* Fill out from one message; -1 when it is no usable RTM_NEWLINK.  Clear
 * out afterwards either way. */
int ccnc_nl_bond_parse(const struct nlmsghdr *h, struct ccnc_nl_bond_info *out);
void ccnc_nl_bond_info_clear(struct ccnc_nl_bond_info *info);
/* Append a ccnc_bond for each bond among links[0..n), with its slaves in
 * ifindex order; slave speeds from root's sysfs.  Returns how many. */
size_t ccnc_nl_bond_build(const struct ccnc_nl_bond_info *links, size_t n, const char *root,
                          struct ccnc_host *host);

#endif
