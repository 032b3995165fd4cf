/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connectivity probe (the thesis' "the video never stopped", as a
 * number): ICMP echo over a SOCK_DGRAM ping socket (a raw socket when ping
 * sockets are not allowed for this group) or UDP datagrams, at 1-1000 Hz,
 * with a report every 100 ms.  Everything runs in the agent's loop. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/probe.h"
#include "agent/sockdiag.h"
#include "core/i18n.h"

#define REPORT_MS 100
#define LOST_AFTER_MS 1000      /* unanswered this long: lost */
#define LOST_AT_END_MS 200      /* ... or this long when the probe ends */
#define WINDOW 4096             /* requests remembered (> 1000 Hz x 2 s) */
#define UDP_MAGIC 0x63636e63u   /* "ccnc" */
#define STREAM_MS 20            /* the stream's connections read this often */

struct slot {
    long long sent_ms;          /* 0: free */
    unsigned seq;
    bool answered;
};

struct ccnc_probe {
    int id;
    struct ccnc_loop *loop;
    enum ccnc_probe_proto proto;
    bool raw;                   /* ICMP over a raw socket */
    int fd;
    int w_fd, w_send, w_report;
    int rate_hz;
    long long start_ms, start_us, end_ms, last_rx_ms;
    long long sent, received, lost, longest_gap_ms;
    long long scheduled;        /* requests due so far, for the rate */
    unsigned seq;
    uint16_t ident;
    struct slot window[WINDOW];
    /* the stream: this host's TCP connections to the target */
    struct in_addr target;
    int diag_fd, w_stream;
    unsigned diag_seq;
    struct ccnc_stall stall;
    struct ccnc_stall_conn *conns;
    size_t cap_conns;
    ccnc_probe_report_cb report;
    void *data;
};

int
ccnc_probe_id(const struct ccnc_probe *p)
{
    return p->id;
}

static uint16_t
checksum(const void *buf, size_t len)
{
    const uint8_t *b = buf;
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (len & 1)
        sum += (uint32_t)(b[len - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

static void
answered(struct ccnc_probe *p, unsigned seq, long long now)
{
    struct slot *s = &p->window[seq % WINDOW];

    if (s->sent_ms == 0 || s->seq != seq || s->answered)
        return; /* too old, or a duplicate */
    s->answered = true;
    p->received++;
    if (now - p->last_rx_ms > p->longest_gap_ms)
        p->longest_gap_ms = now - p->last_rx_ms;
    p->last_rx_ms = now;
}

/* An answer that names no request (ICMP port unreachable): the oldest
 * unanswered one. */
static void
answered_any(struct ccnc_probe *p, long long now)
{
    unsigned n = p->seq < WINDOW ? p->seq : WINDOW - 1;

    for (unsigned back = n + 1; back-- > 0;) {
        unsigned seq = p->seq - back;
        const struct slot *s = &p->window[seq % WINDOW];
        if (s->sent_ms && s->seq == seq && !s->answered) {
            answered(p, seq, now);
            return;
        }
    }
}

static void
on_readable(int fd, short revents, void *data)
{
    struct ccnc_probe *p = data;
    unsigned char buf[2048];

    for (int n = 0; n < 64; n++) {
        ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        long long now = ccnc_now_mono_ms();

        if (r < 0) {
            if (errno == ECONNREFUSED)
                answered_any(p, now); /* the target's kernel answered */
            else if (errno == EAGAIN || errno == EINTR)
                return;
            continue;
        }
        if (p->proto == CCNC_PROBE_UDP) {
            uint32_t magic, seq;
            if (r < 8)
                continue;
            memcpy(&magic, buf, 4);
            memcpy(&seq, buf + 4, 4);
            if (ntohl(magic) == UDP_MAGIC)
                answered(p, ntohl(seq), now);
        } else {
            const unsigned char *icmp = buf;
            struct icmphdr h;
            if (p->raw) {
                size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
                if ((size_t)r < ihl + sizeof(h))
                    continue;
                icmp += ihl;
                r -= (ssize_t)ihl;
            }
            if ((size_t)r < sizeof(h))
                continue;
            memcpy(&h, icmp, sizeof(h));
            if (h.type != ICMP_ECHOREPLY || (p->raw && ntohs(h.un.echo.id) != p->ident))
                continue;
            answered(p, ntohs(h.un.echo.sequence), now);
        }
    }
}

static void
send_one(struct ccnc_probe *p, long long now)
{
    unsigned seq = ++p->seq;
    struct slot *s = &p->window[seq % WINDOW];
    unsigned char buf[64];
    size_t len;

    if (p->proto == CCNC_PROBE_ICMP)
        seq &= 0xffff; /* ICMP sequence numbers are 16 bits */
    if (s->sent_ms && !s->answered)
        p->lost++; /* overwritten before its 1 s were up: cannot happen below 2 kHz */
    s->sent_ms = now;
    s->seq = seq;
    s->answered = false;
    if (p->proto == CCNC_PROBE_UDP) {
        uint32_t magic = htonl(UDP_MAGIC), nseq = htonl(seq);
        memset(buf, 0, 16);
        memcpy(buf, &magic, 4);
        memcpy(buf + 4, &nseq, 4);
        len = 16;
    } else {
        struct icmphdr h = { .type = ICMP_ECHO };
        h.un.echo.id = htons(p->ident);
        h.un.echo.sequence = htons((uint16_t)seq);
        memset(buf, 0, 40);
        memcpy(buf, &h, sizeof(h));
        len = sizeof(h) + 32;
        if (p->raw) {
            uint16_t c = checksum(buf, len);
            memcpy(buf + offsetof(struct icmphdr, checksum), &c, sizeof(c));
        }
    }
    p->sent++;
    /* a failed send (no route while a link is down) is a request that got
     * no answer, like one the network dropped */
    (void)send(p->fd, buf, len, MSG_DONTWAIT);
}

static void
finish(struct ccnc_probe *p, const char *error);

static void
on_send(void *data)
{
    struct ccnc_probe *p = data;
    long long now = ccnc_now_mono_ms();
    /* the loop's timers have millisecond steps: a request is due up to half
     * a period (at most 1 ms) early rather than a whole tick late */
    long long tol = 500000 / p->rate_hz < 1000 ? 500000 / p->rate_hz : 1000;
    long long due = (ccnc_now_mono_us() - p->start_us + tol) * p->rate_hz / 1000000 + 1;

    /* catch up to the rate, but never burst more than 50 ms' worth */
    if (due - p->scheduled > p->rate_hz / 20 + 1)
        p->scheduled = due - (p->rate_hz / 20 + 1);
    while (p->scheduled < due) {
        p->scheduled++;
        send_one(p, now);
    }
}

/* Read the stream's connections.  A failed read is a missed reading: the
 * socket is made anew (the rest of its answer must not be taken for the
 * next one's) and the next reading is a new baseline. */
static void
on_stream(void *data)
{
    struct ccnc_probe *p = data;
    int n;

    if (p->diag_fd < 0)
        return;
    n = ccnc_sockdiag_tcp_to(p->diag_fd, &p->diag_seq, p->target, &p->conns, &p->cap_conns);
    if (n >= 0) {
        ccnc_stall_read(&p->stall, ccnc_now_mono_ms(), p->conns, (size_t)n);
        return;
    }
    close(p->diag_fd);
    p->diag_fd = ccnc_sockdiag_open();
    ccnc_stall_rebase(&p->stall);
}

static void
age(struct ccnc_probe *p, long long now, long long after_ms)
{
    for (size_t i = 0; i < WINDOW; i++) {
        struct slot *s = &p->window[i];
        if (s->sent_ms && !s->answered && now - s->sent_ms >= after_ms) {
            p->lost++;
            s->sent_ms = 0;
        } else if (s->sent_ms && s->answered && now - s->sent_ms >= after_ms) {
            s->sent_ms = 0;
        }
    }
}

static void
report(struct ccnc_probe *p, bool done, const char *error)
{
    long long now = ccnc_now_mono_ms();
    struct ccnc_probe_sample s = { 0 };

    s.probe = p->id;
    s.sent = p->sent;
    s.received = p->received;
    s.lost = p->lost;
    s.current_gap_ms = now - p->last_rx_ms;
    s.longest_gap_ms = s.current_gap_ms > p->longest_gap_ms ? s.current_gap_ms
                                                             : p->longest_gap_ms;
    s.stream_bytes = p->stall.progress_ms >= 0 ? (long long)p->stall.bytes : -1;
    s.stream_stall_ms = ccnc_stall_current_ms(&p->stall, now);
    s.stream_longest_stall_ms = ccnc_stall_longest_ms(&p->stall, now);
    s.done = done;
    s.error = error;
    p->report(&s, p->data);
}

static void
on_report(void *data)
{
    struct ccnc_probe *p = data;
    long long now = ccnc_now_mono_ms();

    age(p, now, LOST_AFTER_MS);
    if (now >= p->end_ms) {
        finish(p, NULL);
        return;
    }
    report(p, false, NULL);
}

static void
finish(struct ccnc_probe *p, const char *error)
{
    long long now;

    /* take what has arrived before counting the rest lost */
    on_readable(p->fd, POLLIN, p);
    now = ccnc_now_mono_ms();
    age(p, now, LOST_AT_END_MS);
    ccnc_loop_remove(p->loop, p->w_fd);
    ccnc_loop_remove(p->loop, p->w_send);
    ccnc_loop_remove(p->loop, p->w_report);
    if (p->w_stream) {
        on_stream(p);
        ccnc_loop_remove(p->loop, p->w_stream);
    }
    if (p->diag_fd >= 0)
        close(p->diag_fd);
    report(p, true, error);
    close(p->fd);
    ccnc_stall_clear(&p->stall);
    free(p->conns);
    free(p);
}

void
ccnc_probe_stop(struct ccnc_probe *p)
{
    finish(p, NULL);
}

static int
open_socket(struct ccnc_probe *p, const struct ccnc_proto_request *req,
            const struct sockaddr_in *to, struct ccnc_error *err)
{
    if (req->proto == CCNC_PROBE_UDP) {
        p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    } else {
        p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
        if (p->fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT)) {
            /* ping sockets are off for our group (net.ipv4.ping_group_range):
             * with CAP_NET_RAW a raw socket does the same */
            p->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
            p->raw = p->fd >= 0;
        }
    }
    if (p->fd < 0)
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot open a socket for the probe: %s"),
                              strerror(errno));
    if (connect(p->fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
        int e = errno;
        close(p->fd);
        return ccnc_error_set(err, CCNC_ERR_IO, _("cannot reach '%s': %s"), req->target,
                              strerror(e));
    }
    return 0;
}

struct ccnc_probe *
ccnc_probe_start(struct ccnc_loop *loop, int id, const struct ccnc_proto_request *req,
                 ccnc_probe_report_cb report_cb, void *data, struct ccnc_error *err)
{
    struct sockaddr_in to = { .sin_family = AF_INET };
    struct ccnc_probe *p;
    int tick;

    if (inet_pton(AF_INET, req->target, &to.sin_addr) != 1) {
        ccnc_error_set(err, CCNC_ERR_USAGE, _("'%s' is not an IPv4 address"), req->target);
        return NULL;
    }
    to.sin_port = htons((uint16_t)(req->proto == CCNC_PROBE_UDP ? req->port : 0));
    p = ccnc_xcalloc(1, sizeof(*p));
    p->id = id;
    p->loop = loop;
    p->proto = req->proto;
    p->rate_hz = req->rate_hz < 1 ? 1 : req->rate_hz > 1000 ? 1000 : req->rate_hz;
    p->report = report_cb;
    p->data = data;
    p->ident = (uint16_t)((getpid() ^ id) & 0xffff);
    if (open_socket(p, req, &to, err) < 0) {
        free(p);
        return NULL;
    }
    p->start_ms = p->last_rx_ms = ccnc_now_mono_ms();
    p->start_us = ccnc_now_mono_us();
    p->end_ms = p->start_ms + (long long)req->max_duration_s * 1000;
    /* tick at the rate, but at least every 10 ms so that slow rates are
     * not sent a whole (drifting) tick late */
    tick = 1000 / p->rate_hz;
    if (tick > 10)
        tick = 10;
    if (tick < 1)
        tick = 1;
    p->w_fd = ccnc_loop_add_fd(loop, p->fd, POLLIN, on_readable, p);
    p->w_send = ccnc_loop_add_timer(loop, tick, true, on_send, p);
    p->w_report = ccnc_loop_add_timer(loop, REPORT_MS, true, on_report, p);
    /* without sock_diag (an old kernel, a seccomp filter) the probe runs
     * and its samples carry no stream figures */
    p->target = to.sin_addr;
    ccnc_stall_init(&p->stall);
    p->diag_fd = ccnc_sockdiag_open();
    if (p->diag_fd >= 0) {
        p->w_stream = ccnc_loop_add_timer(loop, STREAM_MS, true, on_stream, p);
        on_stream(p);
    }
    on_send(p);
    return p;
}
