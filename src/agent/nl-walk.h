/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walking netlink messages and their attributes in a received buffer,
 * each one's length checked against what is left.  The kernel's
 * NLMSG_NEXT and RTA_NEXT macros do the same with casts from char *,
 * which strict compilers (clang's -Wcast-align) refuse; these go through
 * void *: the buffer is aligned and the kernel pads each part to 4. */
#ifndef CCNC_AGENT_NL_WALK_H
#define CCNC_AGENT_NL_WALK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>

/* The message at off of the len bytes at buf, NULL past the last. */
static inline const struct nlmsghdr *
ccnc_nl_msg_at(const void *buf, size_t len, size_t off)
{
    const struct nlmsghdr *h;

    if (off > len || len - off < sizeof(*h))
        return NULL;
    h = (const void *)((const char *)buf + off);
    if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
        return NULL;
    return h;
}

/* Where the message after h begins. */
static inline size_t
ccnc_nl_msg_next(size_t off, const struct nlmsghdr *h)
{
    return off + NLMSG_ALIGN(h->nlmsg_len);
}

/* The attribute at off of the len bytes at base, NULL past the last. */
static inline const struct rtattr *
ccnc_nl_attr_at(const void *base, size_t len, size_t off)
{
    const struct rtattr *a;

    if (off > len || len - off < sizeof(*a))
        return NULL;
    a = (const void *)((const char *)base + off);
    if (a->rta_len < sizeof(*a) || a->rta_len > len - off)
        return NULL;
    return a;
}

static inline size_t
ccnc_nl_attr_next(size_t off, const struct rtattr *a)
{
    return off + RTA_ALIGN(a->rta_len);
}

#endif
