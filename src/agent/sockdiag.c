/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP connections to a peer, from sock_diag (src/agent/sockdiag.h). */
#include "config.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ccnc/util.h>

#include "agent/nl-walk.h"
#include "agent/sockdiag.h"

/* every state but LISTEN: a connection's counts stay while it closes */
#define STATES (0xfffu & ~(1u << 10))

int
ccnc_sockdiag_open(void)
{
    return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
}

static bool
is_peer(const struct inet_diag_msg *m, struct in_addr peer)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (m->idiag_family == AF_INET)
        return memcmp(&m->id.idiag_dst[0], &peer.s_addr, 4) == 0;
    return m->idiag_family == AF_INET6 && memcmp(m->id.idiag_dst, mapped, 12) == 0 &&
           memcmp(&m->id.idiag_dst[3], &peer.s_addr, 4) == 0;
}

/* One dump of one family, the kernel told to send only the connections
 * whose remote address is peer (a bytecode condition, which it also
 * applies to IPv4-mapped IPv6 addresses); those are appended (checked
 * again here).  0, or -1 with errno: EAGAIN when the dump did not end
 * without waiting (the socket does not block the agent's loop). */
static int
dump(int fd, unsigned seq, int family, struct in_addr peer, struct ccnc_stall_conn **conns,
     size_t *n, size_t *cap)
{
    /* the program: the remote address is peer; yes ends it (accept), no
     * jumps 4 bytes past its end (reject) */
    struct inet_diag_bc_op op = { .code = INET_DIAG_BC_D_COND };
    struct inet_diag_hostcond cond = { .family = AF_INET, .prefix_len = 32, .port = -1 };
    size_t prog = sizeof(op) + sizeof(cond) + sizeof(peer.s_addr);
    struct rtattr bc = { .rta_len = (unsigned short)RTA_LENGTH(prog),
                         .rta_type = INET_DIAG_REQ_BYTECODE };
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 r;
        unsigned char bc[RTA_LENGTH(sizeof(struct inet_diag_bc_op) +
                                    sizeof(struct inet_diag_hostcond) + sizeof(uint32_t))];
    } req;
    struct sockaddr_nl to = { .nl_family = AF_NETLINK };
    long buf[8192 / sizeof(long)];

    op.yes = (unsigned char)prog;
    op.no = (unsigned short)(prog + 4);
    memset(&req, 0, sizeof(req));
    req.nh.nlmsg_len = sizeof(req);
    req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = seq;
    req.r.sdiag_family = (unsigned char)family;
    req.r.sdiag_protocol = IPPROTO_TCP;
    req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);
    req.r.idiag_states = STATES;
    memcpy(req.bc, &bc, sizeof(bc));
    memcpy(req.bc + RTA_LENGTH(0), &op, sizeof(op));
    memcpy(req.bc + RTA_LENGTH(0) + sizeof(op), &cond, sizeof(cond));
    memcpy(req.bc + RTA_LENGTH(0) + sizeof(op) + sizeof(cond), &peer.s_addr,
           sizeof(peer.s_addr));
    if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -1;
    for (;;) {
        ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        const struct nlmsghdr *h;
        size_t len, off = 0;

        if (got < 0)
            return -1;
        if (got == 0)
            return errno = EIO, -1;
        len = (size_t)got;
        for (; (h = ccnc_nl_msg_at(buf, len, off)) != NULL; off = ccnc_nl_msg_next(off, h)) {
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            const struct rtattr *a;
            size_t alen, aoff;
            if (h->nlmsg_seq != seq)
                return errno = EPROTO, -1;   /* an earlier request's answer */
            if (h->nlmsg_type == NLMSG_DONE) {
                int e = 0;
                if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(e)))
                    memcpy(&e, NLMSG_DATA(h), sizeof(e));
                return e < 0 ? (errno = -e, -1) : 0;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? -e->error : EIO;
                return -1;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || !is_peer(m, peer))
                continue;
            alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
            for (aoff = 0; (a = ccnc_nl_attr_at(m + 1, alen, aoff)) != NULL;
                 aoff = ccnc_nl_attr_next(aoff, a)) {
                struct tcp_info ti = { 0 };
                struct ccnc_stall_conn *c;
                size_t have;
                if (a->rta_type != INET_DIAG_INFO)
                    continue;
                /* an older kernel's tcp_info is shorter: what it lacks stays 0 */
                have = (size_t)RTA_PAYLOAD(a);
                memcpy(&ti, RTA_DATA(a), have < sizeof(ti) ? have : sizeof(ti));
                c = ccnc_array_push(conns, n, cap, sizeof(*c));
                c->cookie = (uint64_t)m->id.idiag_cookie[0] |
                            (uint64_t)m->id.idiag_cookie[1] << 32;
                c->bytes = ti.tcpi_bytes_acked + ti.tcpi_bytes_received;
            }
        }
    }
}

int
ccnc_sockdiag_tcp_to(int fd, unsigned *seq, struct in_addr peer, struct ccnc_stall_conn **conns,
                     size_t *cap)
{
    size_t n = 0;

    if (dump(fd, ++*seq, AF_INET, peer, conns, &n, cap) < 0 ||
        dump(fd, ++*seq, AF_INET6, peer, conns, &n, cap) < 0)
        return -1;
    return (int)n;
}
