/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bonds and VFs from netlink messages built here (this machine's kernel
 * has no bonding and no SR-IOV NIC): RTM_NEWLINK with IFLA_BOND_* and
 * IFLA_BOND_SLAVE_*, malformed ones, and a PF's IFLA_VFINFO_LIST read
 * through libnl's own parser and rtnl_link_vf_*. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <netlink/object.h>
#include <netlink/route/link.h>

#include "agent/netlink.h"
#include "agent/nl-bond.h"
#include "check-ccnc.h"

struct spec {
    int ifindex;
    const char *name;
    int master;
    const char *kind;       /* "bond" or NULL */
    const char *slave_kind; /* "bond" or NULL */
    int state, mii;
    unsigned failures;
};

static struct nl_msg *
link_msg(const struct spec *sp, int mode, int active, int primary)
{
    struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = sp->ifindex };
    struct nlattr *li, *d;

    ck_assert_int_eq(nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
    nla_put_string(m, IFLA_IFNAME, sp->name);
    if (sp->master)
        nla_put_u32(m, IFLA_MASTER, (uint32_t)sp->master);
    nla_put_u8(m, IFLA_CARRIER, 1);
    li = nla_nest_start(m, IFLA_LINKINFO);
    if (sp->kind) {
        nla_put_string(m, IFLA_INFO_KIND, sp->kind);
        d = nla_nest_start(m, IFLA_INFO_DATA);
        nla_put_u8(m, IFLA_BOND_MODE, (uint8_t)mode);
        nla_put_u32(m, IFLA_BOND_ACTIVE_SLAVE, (uint32_t)active);
        nla_put_u32(m, IFLA_BOND_PRIMARY, (uint32_t)primary);
        nla_put_u32(m, IFLA_BOND_MIIMON, 100);
        nla_put_u32(m, IFLA_BOND_UPDELAY, 0);
        nla_put_u32(m, IFLA_BOND_DOWNDELAY, 200);
        nla_put_u32(m, IFLA_BOND_ARP_INTERVAL, 0);
        nla_nest_end(m, d);
    }
    if (sp->slave_kind) {
        static const unsigned char mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 };
        nla_put_string(m, IFLA_INFO_SLAVE_KIND, sp->slave_kind);
        d = nla_nest_start(m, IFLA_INFO_SLAVE_DATA);
        nla_put_u8(m, IFLA_BOND_SLAVE_STATE, (uint8_t)sp->state);
        nla_put_u8(m, IFLA_BOND_SLAVE_MII_STATUS, (uint8_t)sp->mii);
        nla_put_u32(m, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, sp->failures);
        nla_put(m, IFLA_BOND_SLAVE_PERM_HWADDR, 6, mac);
        nla_nest_end(m, d);
    }
    nla_nest_end(m, li);
    return m;
}

START_TEST(test_guest_bond)
{
    /* the thesis' guest: bond0 active-backup over a passthrough NIC
     * (primary) and a virtio NIC, failed over to the virtio one */
    static const struct spec specs[] = {
        { 5, "bond0", 0, "bond", NULL, 0, 0, 0 },
        { 3, "eth1", 5, NULL, "bond", BOND_STATE_ACTIVE, BOND_LINK_UP, 0 },
        { 2, "eth0", 5, NULL, "bond", BOND_STATE_BACKUP, BOND_LINK_DOWN, 4 },
        { 1, "lo", 0, NULL, NULL, 0, 0, 0 },
    };
    struct ccnc_nl_bond_info links[4];
    struct ccnc_host *h = ccnc_host_new("g", NULL, NULL, CCNC_HOST_ROLE_HYPERVISOR);
    const struct ccnc_bond *b;

    for (size_t i = 0; i < 4; i++) {
        struct nl_msg *m = link_msg(&specs[i], BOND_MODE_ACTIVEBACKUP, 3, 2);
        ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &links[i]), 0);
        nlmsg_free(m);
    }
    ck_assert(links[0].is_bond && !links[0].is_bond_slave);
    ck_assert(links[1].is_bond_slave && links[1].master == 5);
    ck_assert(!links[3].is_bond && !links[3].is_bond_slave);
    ck_assert_uint_eq(ccnc_nl_bond_build(links, 4, NULL, h), 1);
    b = &h->bonds[0];
    ck_assert_str_eq(b->name, "bond0");
    ck_assert_int_eq(b->mode, CCNC_BOND_MODE_ACTIVE_BACKUP);
    ck_assert_str_eq(b->active_slave, "eth1");
    ck_assert_str_eq(b->primary, "eth0");
    ck_assert_str_eq(b->mii_status, "up");
    ck_assert_int_eq(b->miimon_ms, 100);
    ck_assert_int_eq(b->downdelay_ms, 200);
    ck_assert_int_eq(b->arp_interval_ms, 0);
    ck_assert_uint_eq(b->n_slaves, 2);
    ck_assert_str_eq(b->slaves[0].name, "eth0"); /* ifindex order */
    ck_assert_int_eq(b->slaves[0].state, CCNC_SLAVE_BACKUP);
    ck_assert_str_eq(b->slaves[0].mii_status, "down");
    ck_assert_int_eq(b->slaves[0].link_failures, 4);
    ck_assert_str_eq(b->slaves[0].perm_hwaddr, "52:54:00:aa:bb:01");
    ck_assert_str_eq(b->slaves[1].name, "eth1");
    ck_assert_int_eq(b->slaves[1].state, CCNC_SLAVE_ACTIVE);
    ck_assert_str_eq(b->slaves[1].mii_status, "up");
    for (size_t i = 0; i < 4; i++)
        ccnc_nl_bond_info_clear(&links[i]);
    ccnc_host_unref(h);
}
END_TEST

START_TEST(test_no_active_slave)
{
    static const struct spec sp = { 7, "bond1", 0, "bond", NULL, 0, 0, 0 };
    struct ccnc_nl_bond_info info;
    struct ccnc_host *h = ccnc_host_new("g", NULL, NULL, CCNC_HOST_ROLE_HYPERVISOR);
    struct nl_msg *m = link_msg(&sp, BOND_MODE_8023AD, 0, 0);

    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), 0);
    ck_assert_uint_eq(ccnc_nl_bond_build(&info, 1, NULL, h), 1);
    ck_assert_ptr_null(h->bonds[0].active_slave);
    ck_assert_ptr_null(h->bonds[0].primary);
    ck_assert_int_eq(h->bonds[0].mode, CCNC_BOND_MODE_8023AD);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);
    ccnc_host_unref(h);
}
END_TEST

START_TEST(test_malformed)
{
    struct ccnc_nl_bond_info info;
    struct nl_msg *m;
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 9 };
    struct nlattr *li, *d;

    /* not a link message */
    m = nlmsg_alloc_simple(RTM_NEWADDR, 0);
    nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), -1);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);

    /* too short for an ifinfomsg */
    m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), -1);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);

    /* no name */
    m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), -1);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);

    /* a bond whose mode is a u32 and active slave a u8: the policy refuses
     * the data, the bond stays with unknown values */
    m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    nla_put_string(m, IFLA_IFNAME, "bondx");
    li = nla_nest_start(m, IFLA_LINKINFO);
    nla_put_string(m, IFLA_INFO_KIND, "bond");
    d = nla_nest_start(m, IFLA_INFO_DATA);
    nla_put_u8(m, IFLA_BOND_ACTIVE_SLAVE, 3);
    nla_nest_end(m, d);
    nla_nest_end(m, li);
    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), 0);
    ck_assert(info.is_bond);
    ck_assert_int_eq(info.mode, CCNC_UNKNOWN);
    ck_assert_int_eq(info.active_slave, 0);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);

    /* "bonding" is not "bond" */
    m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    nla_put_string(m, IFLA_IFNAME, "x");
    li = nla_nest_start(m, IFLA_LINKINFO);
    nla_put_string(m, IFLA_INFO_KIND, "bonding");
    nla_nest_end(m, li);
    ck_assert_int_eq(ccnc_nl_bond_parse(nlmsg_hdr(m), &info), 0);
    ck_assert(!info.is_bond);
    ccnc_nl_bond_info_clear(&info);
    nlmsg_free(m);
}
END_TEST

static void
take_link(struct nl_object *obj, void *arg)
{
    nl_object_get(obj);
    *(struct nl_object **)arg = obj;
}

/* A PF with two VFs as the kernel reports it (the thesis' rate-limited
 * VFs): parsed by libnl, converted by the agent. */
START_TEST(test_vfs)
{
    struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7 };
    struct nl_object *obj = NULL;
    struct ccnc_host *h = ccnc_host_new("h", NULL, NULL, CCNC_HOST_ROLE_HYPERVISOR);
    struct ccnc_link *l = ccnc_host_add_link(h);
    struct nlattr *list;

    nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    nla_put_string(m, IFLA_IFNAME, "eth1");
    nla_put_u32(m, IFLA_NUM_VF, 2);
    list = nla_nest_start(m, IFLA_VFINFO_LIST);
    for (uint32_t i = 0; i < 2; i++) {
        struct nlattr *info = nla_nest_start(m, IFLA_VF_INFO);
        struct ifla_vf_mac mac = { .vf = i, .mac = { 0x52, 0x54, 0x00, 0x77, 0x01, (uint8_t)i } };
        struct ifla_vf_vlan vlan = { .vf = i, .vlan = i ? 0 : 201, .qos = i ? 0 : 3 };
        struct ifla_vf_tx_rate txr = { .vf = i, .rate = 1000 };
        struct ifla_vf_rate rate = { .vf = i, .min_tx_rate = i ? 0 : 100, .max_tx_rate = 1000 };
        struct ifla_vf_spoofchk sc = { .vf = i, .setting = 1 };
        struct ifla_vf_trust tr = { .vf = i, .setting = i };
        struct ifla_vf_link_state ls = { .vf = i,
                                         .link_state = i ? IFLA_VF_LINK_STATE_DISABLE
                                                         : IFLA_VF_LINK_STATE_AUTO };
        nla_put(m, IFLA_VF_MAC, sizeof(mac), &mac);
        nla_put(m, IFLA_VF_VLAN, sizeof(vlan), &vlan);
        nla_put(m, IFLA_VF_TX_RATE, sizeof(txr), &txr);
        nla_put(m, IFLA_VF_RATE, sizeof(rate), &rate);
        nla_put(m, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
        nla_put(m, IFLA_VF_TRUST, sizeof(tr), &tr);
        nla_put(m, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
        nla_nest_end(m, info);
    }
    nla_nest_end(m, list);
    nlmsg_set_proto(m, NETLINK_ROUTE); /* so that libnl finds the link parser */
    ck_assert_int_ge(nl_msg_parse(m, take_link, &obj), 0);
    ck_assert_ptr_nonnull(obj);

    l->name = ccnc_xstrdup("eth1");
    ccnc_netlink_add_vfs((struct rtnl_link *)obj, NULL, l);
    ck_assert_uint_eq(l->n_vfs, 2);
    ck_assert_int_eq(l->vfs[0].index, 0);
    ck_assert_str_eq(l->vfs[0].mac, "52:54:00:77:01:00");
    ck_assert_int_eq(l->vfs[0].vlan, 201);
    ck_assert_int_eq(l->vfs[0].qos, 3);
    ck_assert_int_eq(l->vfs[0].max_tx_rate, 1000);
    ck_assert_int_eq(l->vfs[0].min_tx_rate, 100);
    ck_assert_int_eq(l->vfs[0].spoofchk, 1);
    ck_assert_int_eq(l->vfs[0].trust, 0);
    ck_assert_str_eq(l->vfs[0].link_state, "auto");
    ck_assert_int_eq(l->vfs[1].index, 1);
    ck_assert_str_eq(l->vfs[1].mac, "52:54:00:77:01:01");
    ck_assert_int_eq(l->vfs[1].vlan, 0);
    ck_assert_int_eq(l->vfs[1].trust, 1);
    ck_assert_str_eq(l->vfs[1].link_state, "disable");
    nl_object_put(obj);
    nlmsg_free(m);
    ccnc_host_unref(h);
}
END_TEST

/* vf-set: the request becomes one RTM_NEWLINK with the VF's settings; a
 * rate not asked for keeps its present value. */
START_TEST(test_vf_change)
{
    struct ccnc_proto_request req = { .has_id = true, .id = 7, .op = CCNC_AGENT_OP_VF_SET };
    struct ccnc_error err = { 0 };
    struct rtnl_link *orig = rtnl_link_alloc(), *change, *current;
    struct nl_msg *msg = NULL, *pfmsg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7 };
    struct nlattr *tb[IFLA_MAX + 1], *vfa[IFLA_VF_MAX + 1], *pos, *list, *info;
    struct nl_object *obj = NULL;
    struct ifla_vf_rate rate0 = { .vf = 2, .min_tx_rate = 100, .max_tx_rate = 1000 };
    int rem, n = 0;

    /* the PF as it is: VF 2 limited to 100..1000 Mb/s */
    nlmsg_append(pfmsg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
    nla_put_string(pfmsg, IFLA_IFNAME, "eth1");
    nla_put_u32(pfmsg, IFLA_NUM_VF, 3);
    list = nla_nest_start(pfmsg, IFLA_VFINFO_LIST);
    info = nla_nest_start(pfmsg, IFLA_VF_INFO);
    {
        struct ifla_vf_mac mac = { .vf = 2 };
        struct ifla_vf_vlan vlan = { .vf = 2 };
        struct ifla_vf_tx_rate txr = { .vf = 2, .rate = 1000 };
        nla_put(pfmsg, IFLA_VF_MAC, sizeof(mac), &mac);
        nla_put(pfmsg, IFLA_VF_VLAN, sizeof(vlan), &vlan);
        nla_put(pfmsg, IFLA_VF_TX_RATE, sizeof(txr), &txr);
        nla_put(pfmsg, IFLA_VF_RATE, sizeof(rate0), &rate0);
    }
    nla_nest_end(pfmsg, info);
    nla_nest_end(pfmsg, list);
    nlmsg_set_proto(pfmsg, NETLINK_ROUTE);
    ck_assert_int_ge(nl_msg_parse(pfmsg, take_link, &obj), 0);
    current = (struct rtnl_link *)obj;

    req.vf = 2;
    req.set = CCNC_VF_SET_MAC | CCNC_VF_SET_VLAN | CCNC_VF_SET_QOS | CCNC_VF_SET_MAX_TX_RATE |
              CCNC_VF_SET_SPOOFCHK | CCNC_VF_SET_TRUST | CCNC_VF_SET_LINK_STATE;
    req.mac = ccnc_xstrdup("52:54:00:77:01:02");
    req.vlan = 201;
    req.qos = 2;
    req.max_tx_rate = 2000;
    req.spoofchk = false;
    req.trust = true;
    req.link_state = ccnc_xstrdup("enable");
    change = ccnc_netlink_vf_change(&req, 7, current, &err);
    ck_assert_msg(change != NULL, "%s", err.message);
    rtnl_link_set_ifindex(orig, 7);
    rtnl_link_set_name(orig, "eth1");
    ck_assert_int_ge(rtnl_link_build_change_request(orig, change, 0, &msg), 0);

    ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
    ck_assert_ptr_nonnull(tb[IFLA_VFINFO_LIST]);
    nla_for_each_nested(pos, tb[IFLA_VFINFO_LIST], rem) {
        const struct ifla_vf_mac *mac;
        const struct ifla_vf_rate *rate;
        n++;
        ck_assert_int_eq(nla_parse_nested(vfa, IFLA_VF_MAX, pos, NULL), 0);
        ck_assert_ptr_nonnull(vfa[IFLA_VF_MAC]);
        mac = nla_data(vfa[IFLA_VF_MAC]);
        ck_assert_uint_eq(mac->vf, 2);
        ck_assert_int_eq(memcmp(mac->mac, "\x52\x54\x00\x77\x01\x02", 6), 0);
        if (vfa[IFLA_VF_VLAN]) {
            const struct ifla_vf_vlan *v = nla_data(vfa[IFLA_VF_VLAN]);
            ck_assert_uint_eq(v->vlan, 201);
            ck_assert_uint_eq(v->qos, 2);
        } else {
            struct nlattr *vl;
            int r2;
            ck_assert_ptr_nonnull(vfa[IFLA_VF_VLAN_LIST]);
            nla_for_each_nested(vl, vfa[IFLA_VF_VLAN_LIST], r2) {
                const struct ifla_vf_vlan_info *vi = nla_data(vl);
                ck_assert_uint_eq(vi->vlan, 201);
                ck_assert_uint_eq(vi->qos, 2);
            }
        }
        ck_assert_ptr_nonnull(vfa[IFLA_VF_RATE]);
        rate = nla_data(vfa[IFLA_VF_RATE]);
        ck_assert_uint_eq(rate->max_tx_rate, 2000);
        ck_assert_uint_eq(rate->min_tx_rate, 100); /* kept */
        ck_assert_ptr_nonnull(vfa[IFLA_VF_SPOOFCHK]);
        ck_assert_uint_eq(((const struct ifla_vf_spoofchk *)nla_data(vfa[IFLA_VF_SPOOFCHK]))->setting, 0);
        ck_assert_ptr_nonnull(vfa[IFLA_VF_TRUST]);
        ck_assert_uint_eq(((const struct ifla_vf_trust *)nla_data(vfa[IFLA_VF_TRUST]))->setting, 1);
        ck_assert_ptr_nonnull(vfa[IFLA_VF_LINK_STATE]);
        ck_assert_uint_eq(((const struct ifla_vf_link_state *)nla_data(vfa[IFLA_VF_LINK_STATE]))
                              ->link_state, IFLA_VF_LINK_STATE_ENABLE);
    }
    ck_assert_int_eq(n, 1);

    nlmsg_free(msg);
    rtnl_link_put(change);
    rtnl_link_put(orig);
    nl_object_put(obj);
    nlmsg_free(pfmsg);
    ccnc_proto_request_clear(&req);
}
END_TEST

Suite *
ccnc_agent_netlink_suite(void)
{
    Suite *s = suite_create("agent-netlink");
    TCase *tc = tcase_create("bond");

    tcase_add_test(tc, test_guest_bond);
    tcase_add_test(tc, test_no_active_slave);
    tcase_add_test(tc, test_malformed);
    suite_add_tcase(s, tc);
    tc = tcase_create("vf");
    tcase_add_test(tc, test_vfs);
    tcase_add_test(tc, test_vf_change);
    suite_add_tcase(s, tc);
    return s;
}
