/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links and VFs from the kernel with libnl-3.  A cache manager keeps a
 * route/link cache current from RTNLGRP_LINK notifications; since those
 * notifications carry no VF list, a private link cache (whose dump asks for
 * RTEXT_FILTER_VF) is refilled after a change when a link has VFs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>
#include <linux/rtnetlink.h>

#include "agent/agent.h"
#include "agent/netlink.h"
#include "agent/nl-bond.h"
#include "core/i18n.h"

struct ccnc_netlink {
    struct nl_cache_mngr *mngr;
    struct nl_cache *links;       /* kept current by mngr */
    struct nl_sock *sk;           /* requests: VF dumps, VF settings */
    struct nl_cache *vf_links;    /* refilled on demand, NULL until needed */
    struct nl_sock *raw;          /* bond dumps, parsed by nl-bond.c */
    struct nl_sock *watch;        /* RTNLGRP_LINK again: see on_watch_msg() */
    void (*changed)(void *);
    void *data;
};

static void
on_cache_change(struct nl_cache *cache, struct nl_object *obj, int action, void *data)
{
    struct ccnc_netlink *nl = data;

    if (nl->changed)
        nl->changed(nl->data);
}

/* The cache manager calls back only when libnl's own comparison of the old
 * and new link differs, and libnl compares no bond attributes: a bond's
 * active slave can change with no callback.  So every RTM_NEWLINK and
 * RTM_DELLINK on this second membership counts as a change. */
static int
on_watch_msg(struct nl_msg *msg, void *arg)
{
    struct ccnc_netlink *nl = arg;
    int type = nlmsg_hdr(msg)->nlmsg_type;

    if ((type == RTM_NEWLINK || type == RTM_DELLINK) && nl->changed)
        nl->changed(nl->data);
    return NL_OK;
}

struct ccnc_netlink *
ccnc_netlink_new(void (*changed)(void *data), void *data, struct ccnc_error *err)
{
    struct ccnc_netlink *nl = ccnc_xcalloc(1, sizeof(*nl));
    int rc;

    nl->changed = changed;
    nl->data = data;
    rc = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &nl->mngr);
    if (rc < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot open a netlink socket: %s"),
                       nl_geterror(rc));
        goto fail;
    }
    rc = nl_cache_mngr_add(nl->mngr, "route/link", on_cache_change, nl, &nl->links);
    if (rc < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot read the links over netlink: %s"),
                       nl_geterror(rc));
        goto fail;
    }
    nl->sk = nl_socket_alloc();
    if (!nl->sk || (rc = nl_connect(nl->sk, NETLINK_ROUTE)) < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot open a netlink socket: %s"),
                       nl->sk ? nl_geterror(rc) : strerror(ENOMEM));
        goto fail;
    }
    nl->watch = nl_socket_alloc();
    if (!nl->watch) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot open a netlink socket: %s"), strerror(ENOMEM));
        goto fail;
    }
    nl_socket_disable_seq_check(nl->watch);
    nl_socket_modify_cb(nl->watch, NL_CB_VALID, NL_CB_CUSTOM, on_watch_msg, nl);
    if ((rc = nl_connect(nl->watch, NETLINK_ROUTE)) < 0 ||
        (rc = nl_socket_add_membership(nl->watch, RTNLGRP_LINK)) < 0 ||
        (rc = nl_socket_set_nonblocking(nl->watch)) < 0) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot open a netlink socket: %s"),
                       nl_geterror(rc));
        goto fail;
    }
    return nl;
fail:
    ccnc_netlink_free(nl);
    return NULL;
}

void
ccnc_netlink_free(struct ccnc_netlink *nl)
{
    if (!nl)
        return;
    if (nl->vf_links)
        nl_cache_free(nl->vf_links);
    if (nl->mngr)
        nl_cache_mngr_free(nl->mngr); /* frees the managed cache too */
    if (nl->sk)
        nl_socket_free(nl->sk);
    if (nl->raw)
        nl_socket_free(nl->raw);
    if (nl->watch)
        nl_socket_free(nl->watch);
    free(nl);
}

int
ccnc_netlink_fd(const struct ccnc_netlink *nl)
{
    return nl_cache_mngr_get_fd(nl->mngr);
}

int
ccnc_netlink_watch_fd(const struct ccnc_netlink *nl)
{
    return nl_socket_get_fd(nl->watch);
}

void
ccnc_netlink_dispatch_watch(struct ccnc_netlink *nl)
{
    int rc = nl_recvmsgs_default(nl->watch);

    if (rc < 0 && rc != -NLE_AGAIN && nl->changed)
        nl->changed(nl->data); /* overflow: something changed, look again */
}

void
ccnc_netlink_dispatch(struct ccnc_netlink *nl)
{
    int rc = nl_cache_mngr_data_ready(nl->mngr);

    if (rc == -NLE_NOMEM || rc == -NLE_DUMP_INTR) {
        /* the socket overflowed: notifications were lost, so refill */
        nl_cache_refill(nl->sk, nl->links);
        if (nl->changed)
            nl->changed(nl->data);
    }
}

static char *
addr_text(struct nl_addr *a)
{
    char buf[128];

    if (!a || nl_addr_get_len(a) == 0)
        return NULL;
    return ccnc_xstrdup(nl_addr2str(a, buf, sizeof(buf)));
}

static char *
operstate_text(uint8_t st)
{
    char buf[32];

    rtnl_link_operstate2str(st, buf, sizeof(buf));
    for (char *c = buf; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return ccnc_xstrdup(buf);
}

static const char *
vf_link_state(uint32_t st)
{
    switch (st) {
    case IFLA_VF_LINK_STATE_AUTO: return "auto";
    case IFLA_VF_LINK_STATE_ENABLE: return "enable";
    case IFLA_VF_LINK_STATE_DISABLE: return "disable";
    default: return NULL;
    }
}

void
ccnc_netlink_add_vfs(struct rtnl_link *full, const char *root, struct ccnc_link *l)
{
    uint32_t num = 0;

    if (rtnl_link_get_num_vf(full, &num) < 0)
        num = 0;
    for (uint32_t i = 0; i < num && i < 4096; i++) {
        struct rtnl_link_vf *v = rtnl_link_vf_get(full, i);
        struct ccnc_vf *vf;
        struct nl_addr *mac = NULL;
        struct nl_vf_rate rate;
        nl_vf_vlans_t *vlans = NULL;
        uint32_t u;

        if (!v)
            continue;
        vf = ccnc_link_add_vf(l);
        vf->index = rtnl_link_vf_get_index(v, &u) == 0 ? (int)u : (int)i;
        vf->pci = root ? ccnc_sysfs_vf_pci(root, l->name, vf->index) : NULL;
        if (rtnl_link_vf_get_addr(v, &mac) == 0) /* borrowed */
            vf->mac = addr_text(mac);
        if (rtnl_link_vf_get_vlans(v, &vlans) == 0 && vlans) {
            if (vlans->size > 0) {
                vf->vlan = (int)vlans->vlans[0].vf_vlan;
                vf->qos = (int)vlans->vlans[0].vf_vlan_qos;
            }
            rtnl_link_vf_vlan_put(vlans); /* the getter took a reference */
        }
        memset(&rate, 0, sizeof(rate));
        rate.api = RTNL_LINK_VF_RATE_API_NEW;
        if (rtnl_link_vf_get_rate(v, &rate) == 0) {
            vf->max_tx_rate = (int)rate.max_tx_rate;
            vf->min_tx_rate = (int)rate.min_tx_rate;
        }
        if (rtnl_link_vf_get_spoofchk(v, &u) == 0)
            vf->spoofchk = u != 0;
        if (rtnl_link_vf_get_trust(v, &u) == 0)
            vf->trust = u != 0;
        if (rtnl_link_vf_get_linkstate(v, &u) == 0)
            vf->link_state = ccnc_xstrdup(vf_link_state(u));
        rtnl_link_vf_put(v);
    }
}

static void
fill_vfs(struct ccnc_netlink *nl, const char *root, struct rtnl_link *link, struct ccnc_link *l)
{
    struct rtnl_link *full;

    if (!nl->vf_links)
        return;
    full = rtnl_link_get(nl->vf_links, rtnl_link_get_ifindex(link));
    if (!full)
        return;
    ccnc_netlink_add_vfs(full, root, l);
    rtnl_link_put(full);
}

/* Does any link have VFs?  Asked of sysfs, which knows without a dump. */
static bool
any_vfs(struct ccnc_netlink *nl, const char *root)
{
    bool any = false;

    for (struct nl_object *o = nl_cache_get_first(nl->links); o && !any;
         o = nl_cache_get_next(o)) {
        long long n;
        if (ccnc_sysfs_read_ll(&n, "%s/sys/class/net/%s/device/sriov_numvfs", root,
                               rtnl_link_get_name((struct rtnl_link *)o)) == 0 && n > 0)
            any = true;
    }
    return any;
}

static int
cmp_ifindex(const void *a, const void *b)
{
    const struct ccnc_link *x = a, *y = b;

    return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static void
add_link(struct ccnc_netlink *nl, const char *root, struct rtnl_link *link,
         struct ccnc_host *host)
{
    struct ccnc_link *l = ccnc_host_add_link(host);
    const char *type = rtnl_link_get_type(link);
    int master = rtnl_link_get_master(link);
    unsigned flags = rtnl_link_get_flags(link);

    l->name = ccnc_xstrdup(rtnl_link_get_name(link));
    l->ifindex = rtnl_link_get_ifindex(link);
    l->kind = ccnc_xstrdup(type);
    if (!l->kind && rtnl_link_get_family(link) == AF_BRIDGE && master == l->ifindex)
        l->kind = ccnc_xstrdup("bridge");
    l->mac = addr_text(rtnl_link_get_addr(link));
    l->mtu = (int)rtnl_link_get_mtu(link);
    l->operstate = operstate_text(rtnl_link_get_operstate(link));
    l->carrier = (flags & IFF_UP) ? rtnl_link_get_carrier(link) != 0 : 0;
    if (master > 0 && master != l->ifindex) {
        char buf[IFNAMSIZ + 1];
        if (rtnl_link_i2name(nl->links, master, buf, sizeof(buf)))
            l->master = ccnc_xstrdup(buf);
    }
    l->speed_mbps = ccnc_sysfs_link_speed(root, l->name);
    fill_vfs(nl, root, link, l);
}

/* Drop the cache's per-family objects (AF_INET6, AF_BRIDGE) of links that
 * are gone: the kernel sends no RTM_DELLINK for IPv6's, so without this
 * they would pile up as links come and go.  Never from a cache callback. */
static void
purge_stale(struct ccnc_netlink *nl)
{
    struct nl_object **stale = NULL;
    size_t n = 0, cap = 0;

    for (struct nl_object *o = nl_cache_get_first(nl->links); o; o = nl_cache_get_next(o)) {
        struct rtnl_link *link = (struct rtnl_link *)o;
        int family = rtnl_link_get_family(link), ifindex = rtnl_link_get_ifindex(link);
        bool alive = false;
        if (family == AF_UNSPEC || family == AF_BRIDGE)
            continue;
        for (struct nl_object *m = nl_cache_get_first(nl->links); m && !alive;
             m = nl_cache_get_next(m))
            alive = rtnl_link_get_family((struct rtnl_link *)m) == AF_UNSPEC &&
                    rtnl_link_get_ifindex((struct rtnl_link *)m) == ifindex;
        if (!alive)
            *(struct nl_object **)ccnc_array_push(&stale, &n, &cap, sizeof(*stale)) = o;
    }
    for (size_t i = 0; i < n; i++)
        nl_cache_remove(stale[i]);
    free(stale);
}

void
ccnc_netlink_fill(struct ccnc_netlink *nl, const char *root, struct ccnc_host *host)
{
    size_t first = host->n_links;

    purge_stale(nl);

    if (any_vfs(nl, root)) {
        int rc = nl->vf_links ? nl_cache_refill(nl->sk, nl->vf_links)
                              : rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &nl->vf_links);
        if (rc < 0 && nl->vf_links) {
            nl_cache_free(nl->vf_links);
            nl->vf_links = NULL;
        }
    }
    /* A link may be in the cache more than once: as AF_UNSPEC, as AF_BRIDGE
     * (a bridge port, or a bridge that libnl saw only so) and as AF_INET6
     * (IPv6's per-link notices, which the kernel never deletes: stale after
     * the link is gone).  One link, one entry: the AF_UNSPEC one, else the
     * AF_BRIDGE one; never AF_INET6's. */
    for (int pass = 0; pass < 2; pass++)
        for (struct nl_object *o = nl_cache_get_first(nl->links); o; o = nl_cache_get_next(o)) {
            struct rtnl_link *link = (struct rtnl_link *)o;
            int family = rtnl_link_get_family(link);
            bool seen = false;

            if (family != (pass == 0 ? AF_UNSPEC : AF_BRIDGE))
                continue;
            for (size_t i = first; i < host->n_links && !seen; i++)
                seen = host->links[i].ifindex == rtnl_link_get_ifindex(link);
            if (!seen)
                add_link(nl, root, link, host);
        }
    if (host->n_links > first)
        qsort(host->links + first, host->n_links - first, sizeof(*host->links), cmp_ifindex);
}

struct dump {
    struct ccnc_nl_bond_info *links;
    size_t n, cap;
};

static int
on_dump_msg(struct nl_msg *msg, void *arg)
{
    struct dump *d = arg;
    struct ccnc_nl_bond_info info;

    if (ccnc_nl_bond_parse(nlmsg_hdr(msg), &info) == 0 && (info.is_bond || info.is_bond_slave)) {
        struct ccnc_nl_bond_info *slot = ccnc_array_push(&d->links, &d->n, &d->cap, sizeof(*slot));
        *slot = info;
    } else {
        ccnc_nl_bond_info_clear(&info);
    }
    return NL_OK;
}

int
ccnc_netlink_fill_bonds(struct ccnc_netlink *nl, const char *root, struct ccnc_host *host)
{
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    struct dump d = { 0 };
    bool any = false;
    int rc;

    for (struct nl_object *o = nl_cache_get_first(nl->links); o && !any;
         o = nl_cache_get_next(o))
        any = ccnc_streq(rtnl_link_get_type((struct rtnl_link *)o), "bond");
    if (!any)
        return 0; /* no bond: nothing to ask */
    if (!nl->raw) {
        nl->raw = nl_socket_alloc();
        if (!nl->raw || nl_connect(nl->raw, NETLINK_ROUTE) < 0) {
            if (nl->raw)
                nl_socket_free(nl->raw);
            nl->raw = NULL;
            return -1;
        }
    }
    nl_socket_modify_cb(nl->raw, NL_CB_VALID, NL_CB_CUSTOM, on_dump_msg, &d);
    rc = nl_send_simple(nl->raw, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
    if (rc >= 0)
        rc = nl_recvmsgs_default(nl->raw);
    if (rc >= 0)
        ccnc_nl_bond_build(d.links, d.n, root, host);
    for (size_t i = 0; i < d.n; i++)
        ccnc_nl_bond_info_clear(&d.links[i]);
    free(d.links);
    return rc < 0 ? -1 : 0;
}

struct rtnl_link *
ccnc_netlink_vf_change(const struct ccnc_proto_request *req, int ifindex,
                       struct rtnl_link *current, struct ccnc_error *err)
{
    struct rtnl_link *change = rtnl_link_alloc();
    struct rtnl_link_vf *vf = rtnl_link_vf_alloc();
    int nrc;

    if (!change || !vf) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("out of memory"));
        goto fail;
    }
    rtnl_link_set_ifindex(change, ifindex);
    rtnl_link_vf_set_index(vf, (uint32_t)req->vf);
    if (req->set & CCNC_VF_SET_MAC) {
        struct nl_addr *a = NULL;
        if (nl_addr_parse(req->mac, AF_LLC, &a) < 0) {
            ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' is not a MAC address"), req->mac);
            goto fail;
        }
        rtnl_link_vf_set_addr(vf, a); /* takes its own reference */
        nl_addr_put(a);
    }
    if (req->set & CCNC_VF_SET_VLAN) {
        nl_vf_vlans_t *vlans = NULL;
        if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0) {
            ccnc_error_set(err, CCNC_ERR_INTERNAL, _("out of memory"));
            goto fail;
        }
        vlans->vlans[0].vf_vlan = (uint32_t)req->vlan;
        vlans->vlans[0].vf_vlan_qos = (uint32_t)((req->set & CCNC_VF_SET_QOS) ? req->qos : 0);
        vlans->vlans[0].vf_vlan_proto = htons(ETH_P_8021Q);
        rtnl_link_vf_set_vlans(vf, vlans);
        rtnl_link_vf_vlan_put(vlans);
    }
    if (req->set & (CCNC_VF_SET_MAX_TX_RATE | CCNC_VF_SET_MIN_TX_RATE)) {
        /* the kernel sets both rates at once: keep the one not asked for */
        struct nl_vf_rate rate = { .api = RTNL_LINK_VF_RATE_API_NEW };
        /* libnl's rtnl_link_vf_get() crashes on a link without a VF list:
         * ask only a link that reports VFs */
        uint32_t n_vfs = 0;
        struct rtnl_link_vf *cur = current && rtnl_link_get_num_vf(current, &n_vfs) == 0 &&
                                           (uint32_t)req->vf < n_vfs
                                       ? rtnl_link_vf_get(current, (uint32_t)req->vf)
                                       : NULL;
        if (cur) {
            struct nl_vf_rate old = { .api = RTNL_LINK_VF_RATE_API_NEW };
            if (rtnl_link_vf_get_rate(cur, &old) == 0)
                rate = old;
            rate.api = RTNL_LINK_VF_RATE_API_NEW;
            rtnl_link_vf_put(cur);
        }
        if (req->set & CCNC_VF_SET_MAX_TX_RATE)
            rate.max_tx_rate = (uint32_t)req->max_tx_rate;
        if (req->set & CCNC_VF_SET_MIN_TX_RATE)
            rate.min_tx_rate = (uint32_t)req->min_tx_rate;
        rtnl_link_vf_set_rate(vf, &rate);
    }
    if (req->set & CCNC_VF_SET_SPOOFCHK)
        rtnl_link_vf_set_spoofchk(vf, req->spoofchk);
    if (req->set & CCNC_VF_SET_TRUST)
        rtnl_link_vf_set_trust(vf, req->trust);
    if (req->set & CCNC_VF_SET_LINK_STATE) {
        uint32_t st = strcmp(req->link_state, "enable") == 0    ? IFLA_VF_LINK_STATE_ENABLE
                      : strcmp(req->link_state, "disable") == 0 ? IFLA_VF_LINK_STATE_DISABLE
                                                                : IFLA_VF_LINK_STATE_AUTO;
        rtnl_link_vf_set_linkstate(vf, st);
    }
    nrc = rtnl_link_vf_add(change, vf);
    if (nrc < 0) {
        ccnc_error_set(err, CCNC_ERR_INTERNAL, _("cannot build the VF change: %s"),
                       nl_geterror(nrc));
        goto fail;
    }
    rtnl_link_vf_put(vf);
    return change;
fail:
    if (vf)
        rtnl_link_vf_put(vf);
    if (change)
        rtnl_link_put(change);
    return NULL;
}

int
ccnc_netlink_vf_set(struct ccnc_netlink *nl, const struct ccnc_proto_request *req,
                    struct ccnc_error *err)
{
    struct rtnl_link *pf = NULL, *change = NULL, *current = NULL;
    int rc = -1, nrc;

    /* From the kernel, not from the cache: the cache may hold the link as
     * AF_INET6 (IPv6's notices), and libnl 3.7's rtnl_link_change() calls
     * through a NULL pointer for such an original. */
    if (rtnl_link_get_kernel(nl->sk, 0, req->pf, &pf) < 0)
        pf = NULL;
    if (!pf) {
        ccnc_error_set(err, CCNC_ERR_USAGE, _("there is no link '%s'"), req->pf);
        goto cleanup;
    }
    /* the VFs' present settings (a dump that asks for them) */
    if ((req->set & (CCNC_VF_SET_MAX_TX_RATE | CCNC_VF_SET_MIN_TX_RATE)) &&
        (nl->vf_links ? nl_cache_refill(nl->sk, nl->vf_links)
                      : rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &nl->vf_links)) >= 0)
        current = rtnl_link_get(nl->vf_links, rtnl_link_get_ifindex(pf));
    change = ccnc_netlink_vf_change(req, rtnl_link_get_ifindex(pf), current, err);
    if (!change)
        goto cleanup;
    nrc = rtnl_link_change(nl->sk, pf, change, 0);
    if (nrc < 0) {
        /* TRANSLATORS: the kernel or the NIC driver said no to a VF setting */
        ccnc_error_set(err, CCNC_ERR_IO, _("the driver refused VF %d of '%s': %s"), req->vf,
                       req->pf, nl_geterror(nrc));
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (current)
        rtnl_link_put(current);
    if (change)
        rtnl_link_put(change);
    if (pf)
        rtnl_link_put(pf);
    return rc;
}
