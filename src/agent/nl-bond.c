/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bonds from RTM_NEWLINK messages: IFLA_LINKINFO's IFLA_INFO_DATA (the
 * bond) and IFLA_INFO_SLAVE_DATA (a slave), read with libnl's attribute
 * parser and length-checked by policies. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "agent/agent.h"
#include "agent/nl-bond.h"

static struct nla_policy link_policy[IFLA_MAX + 1] = {
    [IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
    [IFLA_MASTER] = { .type = NLA_U32 },
    [IFLA_CARRIER] = { .type = NLA_U8 },
    [IFLA_LINKINFO] = { .type = NLA_NESTED },
};

static struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
    [IFLA_INFO_KIND] = { .type = NLA_STRING },
    [IFLA_INFO_DATA] = { .type = NLA_NESTED },
    [IFLA_INFO_SLAVE_KIND] = { .type = NLA_STRING },
    [IFLA_INFO_SLAVE_DATA] = { .type = NLA_NESTED },
};

static struct nla_policy bond_policy[IFLA_BOND_MAX + 1] = {
    [IFLA_BOND_MODE] = { .type = NLA_U8 },
    [IFLA_BOND_ACTIVE_SLAVE] = { .type = NLA_U32 },
    [IFLA_BOND_MIIMON] = { .type = NLA_U32 },
    [IFLA_BOND_UPDELAY] = { .type = NLA_U32 },
    [IFLA_BOND_DOWNDELAY] = { .type = NLA_U32 },
    [IFLA_BOND_ARP_INTERVAL] = { .type = NLA_U32 },
    [IFLA_BOND_PRIMARY] = { .type = NLA_U32 },
};

static struct nla_policy slave_policy[IFLA_BOND_SLAVE_MAX + 1] = {
    [IFLA_BOND_SLAVE_STATE] = { .type = NLA_U8 },
    [IFLA_BOND_SLAVE_MII_STATUS] = { .type = NLA_U8 },
    [IFLA_BOND_SLAVE_LINK_FAILURE_COUNT] = { .type = NLA_U32 },
    [IFLA_BOND_SLAVE_PERM_HWADDR] = { .type = NLA_UNSPEC },
};

static int
u32_or(struct nlattr *a, int dflt)
{
    return a ? (int)(nla_get_u32(a) & 0x7fffffff) : dflt;
}

static bool
kind_is(struct nlattr *a, const char *kind)
{
    /* NLA_STRING: may lack the NUL; compare with the length */
    size_t n = strlen(kind);

    return a && (size_t)nla_len(a) >= n && memcmp(nla_data(a), kind, n) == 0 &&
           ((size_t)nla_len(a) == n || ((const char *)nla_data(a))[n] == '\0');
}

void
ccnc_nl_bond_info_clear(struct ccnc_nl_bond_info *info)
{
    free(info->name);
    free(info->perm_hwaddr);
    memset(info, 0, sizeof(*info));
}

int
ccnc_nl_bond_parse(const struct nlmsghdr *h, struct ccnc_nl_bond_info *out)
{
    struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
    const struct ifinfomsg *ifi;

    memset(out, 0, sizeof(*out));
    out->carrier = out->mode = out->miimon = out->updelay = out->downdelay =
        out->arp_interval = out->slave_state = out->slave_mii = out->link_failures =
            CCNC_UNKNOWN;
    if (h->nlmsg_type != RTM_NEWLINK || !nlmsg_valid_hdr(h, sizeof(*ifi)))
        return -1;
    ifi = nlmsg_data(h);
    if (ifi->ifi_family != AF_UNSPEC)
        return -1;
    if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0 ||
        !tb[IFLA_IFNAME])
        return -1;
    out->ifindex = ifi->ifi_index;
    out->name = ccnc_xstrndup(nla_data(tb[IFLA_IFNAME]), (size_t)nla_len(tb[IFLA_IFNAME]));
    out->master = u32_or(tb[IFLA_MASTER], 0);
    if (tb[IFLA_CARRIER])
        out->carrier = nla_get_u8(tb[IFLA_CARRIER]) != 0;
    if (!tb[IFLA_LINKINFO] ||
        nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy) < 0)
        return 0;
    if (kind_is(info[IFLA_INFO_KIND], "bond")) {
        struct nlattr *b[IFLA_BOND_MAX + 1];
        out->is_bond = true;
        if (info[IFLA_INFO_DATA] &&
            nla_parse_nested(b, IFLA_BOND_MAX, info[IFLA_INFO_DATA], bond_policy) == 0) {
            out->mode = b[IFLA_BOND_MODE] ? nla_get_u8(b[IFLA_BOND_MODE]) : CCNC_UNKNOWN;
            out->active_slave = u32_or(b[IFLA_BOND_ACTIVE_SLAVE], 0);
            out->primary = u32_or(b[IFLA_BOND_PRIMARY], 0);
            out->miimon = u32_or(b[IFLA_BOND_MIIMON], CCNC_UNKNOWN);
            out->updelay = u32_or(b[IFLA_BOND_UPDELAY], CCNC_UNKNOWN);
            out->downdelay = u32_or(b[IFLA_BOND_DOWNDELAY], CCNC_UNKNOWN);
            out->arp_interval = u32_or(b[IFLA_BOND_ARP_INTERVAL], CCNC_UNKNOWN);
        }
    }
    if (kind_is(info[IFLA_INFO_SLAVE_KIND], "bond")) {
        struct nlattr *s[IFLA_BOND_SLAVE_MAX + 1];
        out->is_bond_slave = true;
        if (info[IFLA_INFO_SLAVE_DATA] &&
            nla_parse_nested(s, IFLA_BOND_SLAVE_MAX, info[IFLA_INFO_SLAVE_DATA],
                             slave_policy) == 0) {
            if (s[IFLA_BOND_SLAVE_STATE])
                out->slave_state = nla_get_u8(s[IFLA_BOND_SLAVE_STATE]);
            if (s[IFLA_BOND_SLAVE_MII_STATUS])
                out->slave_mii = nla_get_u8(s[IFLA_BOND_SLAVE_MII_STATUS]);
            out->link_failures = u32_or(s[IFLA_BOND_SLAVE_LINK_FAILURE_COUNT], CCNC_UNKNOWN);
            if (s[IFLA_BOND_SLAVE_PERM_HWADDR] && nla_len(s[IFLA_BOND_SLAVE_PERM_HWADDR]) > 0) {
                const unsigned char *m = nla_data(s[IFLA_BOND_SLAVE_PERM_HWADDR]);
                int n = nla_len(s[IFLA_BOND_SLAVE_PERM_HWADDR]);
                char buf[3 * 32 + 1] = "";
                size_t off = 0;
                if (n > 32)
                    n = 32;
                for (int i = 0; i < n; i++)
                    off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%02x",
                                            i ? ":" : "", m[i]);
                out->perm_hwaddr = ccnc_xstrdup(buf);
            }
        }
    }
    return 0;
}

static const char *
mii_text(int v)
{
    switch (v) {
    case BOND_LINK_UP: return "up";
    case BOND_LINK_FAIL: return "going down";
    case BOND_LINK_DOWN: return "down";
    case BOND_LINK_BACK: return "going back";
    default: return NULL;
    }
}

static const char *
name_of(const struct ccnc_nl_bond_info *links, size_t n, int ifindex)
{
    for (size_t i = 0; ifindex > 0 && i < n; i++)
        if (links[i].ifindex == ifindex)
            return links[i].name;
    return NULL;
}

size_t
ccnc_nl_bond_build(const struct ccnc_nl_bond_info *links, size_t n, const char *root,
                   struct ccnc_host *host)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        const struct ccnc_nl_bond_info *l = &links[i];
        struct ccnc_bond *b;
        if (!l->is_bond)
            continue;
        b = ccnc_host_add_bond(host);
        count++;
        b->name = ccnc_xstrdup(l->name);
        b->mode = l->mode >= 0 && l->mode < CCNC_BOND_MODE_LAST ? l->mode : CCNC_UNKNOWN;
        b->active_slave = ccnc_xstrdup(name_of(links, n, l->active_slave));
        b->primary = ccnc_xstrdup(name_of(links, n, l->primary));
        b->mii_status = ccnc_xstrdup(l->carrier == 1 ? "up" : l->carrier == 0 ? "down" : NULL);
        b->miimon_ms = l->miimon;
        b->updelay_ms = l->updelay;
        b->downdelay_ms = l->downdelay;
        b->arp_interval_ms = l->arp_interval;
        /* slaves in ifindex order: the order they were made in, mostly */
        for (int last = 0;;) {
            const struct ccnc_nl_bond_info *next = NULL;
            struct ccnc_bond_slave *s;
            for (size_t j = 0; j < n; j++)
                if (links[j].is_bond_slave && links[j].master == l->ifindex &&
                    links[j].ifindex > last && (!next || links[j].ifindex < next->ifindex))
                    next = &links[j];
            if (!next)
                break;
            last = next->ifindex;
            s = ccnc_bond_add_slave(b);
            s->name = ccnc_xstrdup(next->name);
            s->state = next->slave_state == BOND_STATE_ACTIVE ? CCNC_SLAVE_ACTIVE
                                                              : CCNC_SLAVE_BACKUP;
            s->mii_status = ccnc_xstrdup(mii_text(next->slave_mii));
            s->link_failures = next->link_failures;
            s->perm_hwaddr = ccnc_xstrdup(next->perm_hwaddr);
            s->speed_mbps = root ? ccnc_sysfs_link_speed(root, next->name) : CCNC_UNKNOWN;
        }
    }
    return count;
}
