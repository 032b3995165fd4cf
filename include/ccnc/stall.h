/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stream's stalls, as the server sees them: the TCP connections from the
 * storage host to a VM, read again and again (bytes the VM acknowledged
 * plus bytes it sent), and the longest time in which none of them moved.
 * Pure: the caller reads the sockets (the agent, through sock_diag) and
 * hands each reading in with its time. */
#ifndef CCNC_STALL_H
#define CCNC_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One connection in one reading: its socket cookie (the kernel's id of the
 * socket, so a reconnect is a new connection) and its byte count. */
struct ccnc_stall_conn {
    uint64_t cookie;
    uint64_t bytes;
};

struct ccnc_stall {
    struct ccnc_stall_conn *last;   /* the previous reading */
    size_t n_last, cap_last;
    bool read;                 /* a reading came */
    long long first_ms;        /* the first progress seen; -1 before */
    long long progress_ms;     /* the latest progress; -1 before the first */
    long long longest_ms;      /* the longest time between two progresses */
    uint64_t bytes;            /* the progress seen, in bytes */
};

void ccnc_stall_init(struct ccnc_stall *s);
void ccnc_stall_clear(struct ccnc_stall *s);
/* A reading at now_ms (a monotonic clock): the connections as they are.
 * Progress is any connection whose count grew since the previous reading,
 * or a new one with bytes; a connection gone is no progress.  True when
 * this reading showed progress. */
bool ccnc_stall_read(struct ccnc_stall *s, long long now_ms, const struct ccnc_stall_conn *c,
                     size_t n);
/* The stall going on at now_ms (time since the latest progress), and the
 * longest one including it; -1 for both until the stream has moved once.
 * A reading every P ms places each progress within P ms, so both figures
 * are good to one period. */
/* A reading failed (or was cut short): the next one only says where the
 * counts stand again, as the first did, so that a connection missing from
 * a partial reading is not taken for new when it comes back. */
void ccnc_stall_rebase(struct ccnc_stall *s);
long long ccnc_stall_current_ms(const struct ccnc_stall *s, long long now_ms);
long long ccnc_stall_longest_ms(const struct ccnc_stall *s, long long now_ms);

/* Where the stalls were, from the figures above as samples recorded them
 * (a time, the stall going on then, the longest so far), read in time
 * order: a sample whose stall going on is at least min_ms shows that span
 * ([t - cur, t]); one whose longest grew beyond both the samples' before
 * (*before_ms, which it updates; start it at 0) and the stall going on
 * shows that a stall of that length ended at t - cur.  The spans (0, 1
 * or 2) go to out; their count is returned.  Negative figures: none. */
struct ccnc_stall_span {
    long long t0, t1;
};
int ccnc_stall_spans_at(long long t_ms, long long cur_ms, long long longest_ms,
                        long long *before_ms, long long min_ms, struct ccnc_stall_span out[2]);

#endif
