/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridges' forwarding entries the agent reports (src/agent/fdb.h),
 * from netlink messages built as the kernel sends them. */
#include "config.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ccnc/util.h>

#include "agent/fdb.h"
#include "check-ccnc.h"

static char seen[8][96];
static int n_seen;

static void
report(const char *event, const char *mac, const char *bridge, const char *port, void *data)
{
    (void)data;
    if (n_seen < 8)
        snprintf(seen[n_seen++], sizeof(seen[0]), "%s %s %s %s", event, mac,
                 bridge ? bridge : "-", port);
}

static int gone_ifindex;   /* this ifindex has no name (its link went) */

static const char *
name(int ifindex, char *buf)
{
    if (ifindex == gone_ifindex)
        return NULL;
    snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
    return buf;
}

/* RTM_NEWNEIGH or RTM_DELNEIGH for family, port, with the MAC (NULL: none)
 * and the bridge (0: no NDA_MASTER) */
static size_t
neigh(void *buf, int type, int family, int port, int state, int flags, const unsigned char *mac,
      int master)
{
    struct nlmsghdr *h = buf;
    struct ndmsg *nd;
    struct rtattr *a;
    size_t len = NLMSG_LENGTH(sizeof(*nd));

    memset(buf, 0, 256);
    nd = NLMSG_DATA(h);
    nd->ndm_family = (unsigned char)family;
    nd->ndm_ifindex = port;
    nd->ndm_state = (unsigned short)state;
    nd->ndm_flags = (unsigned char)flags;
    if (mac) {
        a = (void *)((char *)buf + NLMSG_ALIGN(len));
        a->rta_type = NDA_LLADDR;
        a->rta_len = RTA_LENGTH(6);
        memcpy(RTA_DATA(a), mac, 6);
        len = NLMSG_ALIGN(len) + RTA_ALIGN(a->rta_len);
    }
    if (master) {
        a = (void *)((char *)buf + NLMSG_ALIGN(len));
        a->rta_type = NDA_MASTER;
        a->rta_len = RTA_LENGTH(sizeof(int));
        memcpy(RTA_DATA(a), &master, sizeof(int));
        len = NLMSG_ALIGN(len) + RTA_ALIGN(a->rta_len);
    }
    h->nlmsg_len = (unsigned)len;
    h->nlmsg_type = (unsigned short)type;
    return len;
}

START_TEST(test_fdb_entries)
{
    static const unsigned char vm1[6] = { 0x52, 0x54, 0x00, 0x77, 0x01, 0x01 };
    static const unsigned char other[6] = { 0x52, 0x54, 0x00, 0x77, 0x09, 0x09 };
    char *macs[] = { (char *)"52:54:00:77:01:01" };
    struct ccnc_fdb *f = ccnc_fdb_new(NULL, macs, 1, report, NULL, NULL);
    long buf[64];
    size_t len;

    n_seen = 0;
    /* learned by bridge 5 on its port 7 */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len, name);
    /* moved to port 8: the kernel says so with another RTM_NEWNEIGH */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 8, NUD_REACHABLE, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len, name);
    /* its port went: the names it was learned with */
    gone_ifindex = 8;
    len = neigh(buf, RTM_DELNEIGH, AF_BRIDGE, 8, NUD_STALE, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len, name);
    gone_ifindex = 0;
    ck_assert_int_eq(n_seen, 3);
    ck_assert_str_eq(seen[0], "learned 52:54:00:77:01:01 if5 if7");
    ck_assert_str_eq(seen[1], "learned 52:54:00:77:01:01 if5 if8");
    ck_assert_str_eq(seen[2], "gone 52:54:00:77:01:01 if5 if8");

    /* none of these is reported */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, other, 5);
    ccnc_fdb_parse(f, buf, len, name);   /* not watched */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_PERMANENT, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len, name);   /* a port's own address */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_SELF, vm1, 0);
    ccnc_fdb_parse(f, buf, len, name);   /* a device's own table, no bridge */
    len = neigh(buf, RTM_NEWNEIGH, AF_INET, 7, NUD_REACHABLE, 0, vm1, 0);
    ccnc_fdb_parse(f, buf, len, name);   /* an ARP entry */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, NULL, 5);
    ccnc_fdb_parse(f, buf, len, name);   /* no address */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len - 4, name);   /* cut short */
    len = neigh(buf, RTM_NEWLINK, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, vm1, 5);
    ccnc_fdb_parse(f, buf, len, name);   /* not a neighbour message */
    ck_assert_int_eq(n_seen, 3);

    /* a bridge's entry that names no bridge (NTF_MASTER alone) */
    len = neigh(buf, RTM_NEWNEIGH, AF_BRIDGE, 7, NUD_REACHABLE, NTF_MASTER, vm1, 0);
    ccnc_fdb_parse(f, buf, len, name);
    ck_assert_int_eq(n_seen, 4);
    ck_assert_str_eq(seen[3], "learned 52:54:00:77:01:01 - if7");
    ccnc_fdb_free(f);
}
END_TEST

Suite *
ccnc_agent_fdb_suite(void)
{
    Suite *s = suite_create("agent-fdb");
    TCase *tc = tcase_create("fdb");

    tcase_add_test(tc, test_fdb_entries);
    suite_add_tcase(s, tc);
    return s;
}
