/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP connections of the agent's network namespace to one peer, read
 * through the kernel's sock_diag netlink family: each connection's cookie
 * and its bytes acknowledged plus received (tcp_info), for the stream
 * stall (ccnc/stall.h). */
#ifndef CCNC_AGENT_SOCKDIAG_H
#define CCNC_AGENT_SOCKDIAG_H

#include <netinet/in.h>
#include <stddef.h>

#include <ccnc/stall.h>

/* A NETLINK_SOCK_DIAG socket, non-blocking (close it with close()); -1
 * with errno. */
int ccnc_sockdiag_open(void);
/* The TCP connections (IPv4, or IPv6 with peer's IPv4-mapped address)
 * whose remote address is peer, into *conns (grown as needed, *cap its
 * size); *seq numbers the requests (start it at 0).  Their number, or -1
 * with errno: then what is left of the answer may still come, so close
 * the socket and open another. */
int ccnc_sockdiag_tcp_to(int fd, unsigned *seq, struct in_addr peer,
                         struct ccnc_stall_conn **conns, size_t *cap);

#endif
