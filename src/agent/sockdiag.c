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
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 r;
        struct rtattr bc_attr;
        struct inet_diag_bc_op op;
        struct inet_diag_hostcond cond;
        uint32_t addr;
    } req;
    struct sockaddr_nl to = { .nl_family = AF_NETLINK };
    long buf[8192 / sizeof(long)];

    memset(&req, 0, sizeof(req));
    req.nh.nlmsg_len = sizeof(req);
    req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = seq;
    req.r.sdiag_family = (unsigned char)family;
    req.r.sdiag_protocol = IPPROTO_TCP;
    req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);
    req.r.idiag_states = STATES;
    /* the remote address is peer: yes ends the program (accept), no jumps
     * 4 bytes past its end (reject) */
    req.bc_attr.rta_type = INET_DIAG_REQ_BYTECODE;
    req.bc_attr.rta_len = RTA_LENGTH(sizeof(req.op) + sizeof(req.cond) + sizeof(req.addr));
    req.op.code = INET_DIAG_BC_D_COND;
    req.op.yes = sizeof(req.op) + sizeof(req.cond) + sizeof(req.addr);
    req.op.no = (unsigned short)(req.op.yes + 4);
    req.cond.family = AF_INET;
    req.cond.prefix_len = 32;
    req.cond.port = -1;
    req.addr = peer.s_addr;
    if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -1;
    for (;;) {
        int len = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;

        if (len < 0)
            return -1;
        if (len == 0)
            return errno = EIO, -1;
        for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            struct rtattr *a;
            int alen;
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
            alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
            for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
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
