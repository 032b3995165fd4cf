/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stream's stalls from repeated readings of its connections' byte
 * counts (ccnc/stall.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/stall.h>
#include <ccnc/util.h>

void
ccnc_stall_init(struct ccnc_stall *s)
{
    memset(s, 0, sizeof(*s));
    s->first_ms = s->progress_ms = -1;
}

void
ccnc_stall_clear(struct ccnc_stall *s)
{
    free(s->last);
    ccnc_stall_init(s);
}

/* What connection cookie had in the previous reading; 0 when it was not
 * there (a new connection starts from nothing). */
static uint64_t
previous(const struct ccnc_stall *s, uint64_t cookie)
{
    for (size_t i = 0; i < s->n_last; i++)
        if (s->last[i].cookie == cookie)
            return s->last[i].bytes;
    return 0;
}

bool
ccnc_stall_read(struct ccnc_stall *s, long long now_ms, const struct ccnc_stall_conn *c,
                size_t n)
{
    uint64_t moved = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t was = previous(s, c[i].cookie);
        if (c[i].bytes > was)
            moved += c[i].bytes - was;
    }
    /* the first reading only says where the counts stand */
    if (!s->read)
        moved = 0;
    s->read = true;
    if (n > s->cap_last) {
        s->cap_last = n;
        s->last = ccnc_xreallocarray(s->last, n, sizeof(*s->last));
    }
    if (n)
        memcpy(s->last, c, n * sizeof(*c));
    s->n_last = n;
    if (!moved)
        return false;
    s->bytes += moved;
    if (s->progress_ms >= 0 && now_ms - s->progress_ms > s->longest_ms)
        s->longest_ms = now_ms - s->progress_ms;
    if (s->first_ms < 0)
        s->first_ms = now_ms;
    s->progress_ms = now_ms;
    return true;
}

void
ccnc_stall_rebase(struct ccnc_stall *s)
{
    s->read = false;
}

long long
ccnc_stall_current_ms(const struct ccnc_stall *s, long long now_ms)
{
    if (s->progress_ms < 0)
        return -1;
    return now_ms > s->progress_ms ? now_ms - s->progress_ms : 0;
}

long long
ccnc_stall_longest_ms(const struct ccnc_stall *s, long long now_ms)
{
    long long cur = ccnc_stall_current_ms(s, now_ms);

    if (cur < 0)
        return -1;
    return cur > s->longest_ms ? cur : s->longest_ms;
}

int
ccnc_stall_spans_at(long long t_ms, long long cur_ms, long long longest_ms,
                    long long *before_ms, long long min_ms, struct ccnc_stall_span out[2])
{
    int n = 0;

    if (cur_ms < 0 || longest_ms < 0)
        return 0;
    if (cur_ms >= min_ms && cur_ms > 0)
        out[n++] = (struct ccnc_stall_span){ t_ms - cur_ms, t_ms };
    if (longest_ms > *before_ms && longest_ms > cur_ms && longest_ms >= min_ms)
        out[n++] = (struct ccnc_stall_span){ t_ms - cur_ms - longest_ms, t_ms - cur_ms };
    if (longest_ms > *before_ms)
        *before_ms = longest_ms;
    return n;
}
