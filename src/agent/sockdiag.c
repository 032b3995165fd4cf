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
#include <sys/time.h>
#include <unistd.h>

#include <ccnc/util.h>

#include "agent/sockdiag.h"

/* every state but LISTEN: a connection's counts stay while it closes */
#define STATES (0xfffu & ~(1u << 10))

int
ccnc_sockdiag_open(void)
{
    struct timeval tv = { 0, 200000 };   /* never wait long in the loop */
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

    if (fd >= 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
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

/* One dump of one family; the connections to peer appended.  0 or -1. */
static int
dump(int fd, int family, struct in_addr peer, struct ccnc_stall_conn **conns, size_t *n,
     size_t *cap)
{
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 r;
    } req = {
        .nh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
        .r = { .sdiag_family = (unsigned char)family, .sdiag_protocol = IPPROTO_TCP,
               .idiag_ext = 1u << (INET_DIAG_INFO - 1), .idiag_states = STATES },
    };
    struct sockaddr_nl to = { .nl_family = AF_NETLINK };
    long buf[8192 / sizeof(long)];

    if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -1;
    for (;;) {
        ssize_t len = recv(fd, buf, sizeof(buf), 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;

        if (len < 0)
            return errno == EINTR ? (errno = EAGAIN, -1) : -1;
        for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            struct rtattr *a;
            int alen;
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                errno = e->error ? -e->error : EIO;
                return -1;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || !is_peer(m, peer))
                continue;
            alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
            for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                struct tcp_info ti = { 0 };
                struct ccnc_stall_conn *c;
                if (a->rta_type != INET_DIAG_INFO)
                    continue;
                /* an older kernel's tcp_info is shorter: what it lacks stays 0 */
                size_t have = (size_t)RTA_PAYLOAD(a);
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
ccnc_sockdiag_tcp_to(int fd, struct in_addr peer, struct ccnc_stall_conn **conns, size_t *cap)
{
    size_t n = 0;

    if (dump(fd, AF_INET, peer, conns, &n, cap) < 0 ||
        dump(fd, AF_INET6, peer, conns, &n, cap) < 0)
        return -1;
    return (int)n;
}
