/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridges' forwarding entries of watched MACs (src/agent/fdb.h). */
#include "config.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ccnc/util.h>

#include "agent/fdb.h"
#include "agent/nl-walk.h"
#include "core/i18n.h"

struct ccnc_fdb {
    struct ccnc_loop *loop;
    int fd, w_fd;
    char **macs;
    size_t n_macs;
    /* the names each watched MAC's entry was reported with: when its port
     * goes, the entry goes with it, and the ifindex has no name any more */
    struct seen {
        int port, bridge;
        char port_name[IF_NAMESIZE], bridge_name[IF_NAMESIZE];
    } *seen;   /* one per MAC; port 0: none */
    ccnc_fdb_report_cb report;
    void *data;
};

/* The watched MAC's index, or -1. */
static int
watched(const struct ccnc_fdb *f, const char *mac)
{
    for (size_t i = 0; i < f->n_macs; i++)
        if (strcmp(f->macs[i], mac) == 0)
            return (int)i;
    return -1;
}

void
ccnc_fdb_parse(struct ccnc_fdb *f, const void *msg, size_t len,
               const char *(*name)(int ifindex, char *buf))
{
    const struct nlmsghdr *h = msg;
    const struct ndmsg *nd;
    const struct rtattr *a;
    const unsigned char *ll = NULL;
    int master = 0, w;
    size_t alen, aoff;
    char mac[18], bridge[IF_NAMESIZE], port[IF_NAMESIZE];
    const char *bn = NULL, *pn;
    struct seen *sn;

    if (len < sizeof(*h) || h->nlmsg_len > len || h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
        (h->nlmsg_type != RTM_NEWNEIGH && h->nlmsg_type != RTM_DELNEIGH))
        return;
    nd = NLMSG_DATA(h);
    /* a bridge's entry, not the address of one of its own ports */
    if (nd->ndm_family != AF_BRIDGE || (nd->ndm_state & NUD_PERMANENT))
        return;
    alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
    for (aoff = 0; (a = ccnc_nl_attr_at(nd + 1, alen, aoff)) != NULL;
         aoff = ccnc_nl_attr_next(aoff, a)) {
        if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
            ll = RTA_DATA(a);
        else if (a->rta_type == NDA_MASTER && RTA_PAYLOAD(a) >= sizeof(int))
            memcpy(&master, RTA_DATA(a), sizeof(int));
    }
    if (!ll)
        return;
    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ll[0], ll[1], ll[2], ll[3],
             ll[4], ll[5]);
    if ((w = watched(f, mac)) < 0)
        return;
    sn = &f->seen[w];
    /* the bridge's learned entries come with their bridge (NDA_MASTER);
     * without one it is a device's own table (NTF_SELF), not a bridge's */
    if (!master && !(nd->ndm_flags & NTF_MASTER))
        return;
    if (master)
        bn = name(master, bridge);
    pn = name(nd->ndm_ifindex, port);
    if (h->nlmsg_type == RTM_DELNEIGH && sn->port == nd->ndm_ifindex) {
        /* the names it was learned with (its port may be gone already) */
        if (!pn)
            pn = sn->port_name;
        if (!bn && master && sn->bridge == master && sn->bridge_name[0])
            bn = sn->bridge_name;
    }
    if (h->nlmsg_type == RTM_NEWNEIGH) {
        sn->port = nd->ndm_ifindex;
        sn->bridge = master;
        snprintf(sn->port_name, sizeof(sn->port_name), "%s", pn ? pn : "?");
        snprintf(sn->bridge_name, sizeof(sn->bridge_name), "%s", bn ? bn : "");
    } else if (sn->port == nd->ndm_ifindex) {
        sn->port = 0;
    }
    f->report(h->nlmsg_type == RTM_NEWNEIGH ? "learned" : "gone", mac, bn, pn ? pn : "?",
              f->data);
}

static const char *
if_name(int ifindex, char *buf)
{
    return if_indextoname((unsigned)ifindex, buf);
}

static void
on_readable(int fd, short revents, void *data)
{
    struct ccnc_fdb *f = data;
    long buf[8192 / sizeof(long)];

    (void)revents;
    for (int n = 0; n < 64; n++) {
        ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        const struct nlmsghdr *h;

        if (got <= 0)
            return;   /* EAGAIN: all read; ENOBUFS: some were lost, go on */
        for (size_t off = 0; (h = ccnc_nl_msg_at(buf, (size_t)got, off)) != NULL;
             off = ccnc_nl_msg_next(off, h))
            ccnc_fdb_parse(f, h, h->nlmsg_len, if_name);
    }
}

struct ccnc_fdb *
ccnc_fdb_new(struct ccnc_loop *loop, char *const *macs, size_t n, ccnc_fdb_report_cb report,
             void *data, struct ccnc_error *err)
{
    struct ccnc_fdb *f = ccnc_xcalloc(1, sizeof(*f));
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_NEIGH };

    f->loop = loop;
    f->report = report;
    f->data = data;
    f->fd = -1;
    f->macs = ccnc_xcalloc(n ? n : 1, sizeof(*f->macs));
    f->seen = ccnc_xcalloc(n ? n : 1, sizeof(*f->seen));
    for (size_t i = 0; i < n; i++)
        f->macs[i] = ccnc_xstrdup(macs[i]);
    f->n_macs = n;
    if (loop) {
        f->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            ccnc_error_set(err, CCNC_ERR_IO, _("cannot follow the bridges' forwarding "
                                               "entries: %s"), strerror(errno));
            ccnc_fdb_free(f);
            return NULL;
        }
        f->w_fd = ccnc_loop_add_fd(loop, f->fd, POLLIN, on_readable, f);
    }
    return f;
}

void
ccnc_fdb_free(struct ccnc_fdb *f)
{
    if (!f)
        return;
    if (f->loop && f->w_fd)
        ccnc_loop_remove(f->loop, f->w_fd);
    if (f->fd >= 0)
        close(f->fd);
    for (size_t i = 0; i < f->n_macs; i++)
        free(f->macs[i]);
    free(f->macs);
    free(f->seen);
    free(f);
}
