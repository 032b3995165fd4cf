/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a running migration is steered (ccnc/policy.h). */

#include "config.h"

#include <string.h>

#include <ccnc/policy.h>
#include <ccnc/precopy.h>

/* Nova's defaults: live_migration_downtime_steps, _delay */
#define LADDER_STEPS 10
#define LADDER_DELAY_S 75
#define LADDER_MIN_GIB 2.0

/* oVirt's "minimal downtime": the limit after so many stalled rounds */
static const struct {
    int stalls, limit_ms;
} minimal[] = { { 0, 100 }, { 1, 150 }, { 2, 200 }, { 3, 300 }, { 4, 400 }, { 6, 500 } };

#define LOWEST_START_MS 50
#define LOWEST_STEP_MS 50

static const char *const names[] = {
    [CCNC_POLICY_QEMU] = "qemu",
    [CCNC_POLICY_LADDER] = "ladder",
    [CCNC_POLICY_MINIMAL_DOWNTIME] = "minimal-downtime",
    [CCNC_POLICY_LOWEST] = "lowest",
};

const char *
ccnc_policy_to_string(enum ccnc_policy p)
{
    return p < CCNC_POLICY_LAST ? names[p] : "?";
}

int
ccnc_policy_from_string(const char *s)
{
    for (int i = 0; s && i < CCNC_POLICY_LAST; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

bool
ccnc_policy_auto_converge(enum ccnc_policy p)
{
    return p == CCNC_POLICY_MINIMAL_DOWNTIME;
}

int
ccnc_policy_highest(const struct ccnc_policy_state *st)
{
    if (st->policy == CCNC_POLICY_MINIMAL_DOWNTIME)
        return minimal[sizeof(minimal) / sizeof(minimal[0]) - 1].limit_ms;
    return st->max_ms;
}

static int
ladder_limit(const struct ccnc_policy_state *st, int step)
{
    double base = (double)st->max_ms / LADDER_STEPS, offset = (st->max_ms - base) / LADDER_STEPS;

    return (int)(base + offset * step + 0.5);
}

int
ccnc_policy_start(struct ccnc_policy_state *st, enum ccnc_policy p, int max_ms,
                  double memory_bytes)
{
    memset(st, 0, sizeof(*st));
    st->policy = p;
    st->max_ms = max_ms > 0 ? max_ms : 300;
    st->memory_gib = memory_bytes / (1024.0 * 1024 * 1024);
    st->least_remaining = -1;
    switch (p) {
    case CCNC_POLICY_LADDER:
        st->limit_ms = ladder_limit(st, 0);
        break;
    case CCNC_POLICY_MINIMAL_DOWNTIME:
        st->limit_ms = minimal[0].limit_ms;
        break;
    case CCNC_POLICY_LOWEST:
        st->limit_ms = LOWEST_START_MS < st->max_ms ? LOWEST_START_MS : st->max_ms;
        break;
    default:
        st->limit_ms = st->max_ms;
        break;
    }
    return st->limit_ms;
}

/* The limit the stall count asks for after a round (stalled: that one
 * did); 0 when it is the one set. */
static int
after_stall(struct ccnc_policy_state *st, bool stalled)
{
    int want = st->limit_ms;

    if (st->policy == CCNC_POLICY_MINIMAL_DOWNTIME) {
        for (size_t i = 0; i < sizeof(minimal) / sizeof(minimal[0]); i++)
            if (st->stalls >= minimal[i].stalls)
                want = minimal[i].limit_ms;
    } else if (st->policy == CCNC_POLICY_LOWEST && stalled) {
        /* a step above the limit in force, which the course may have
         * raised beyond the stalls' count */
        want = ccnc_policy_next(st, st->limit_ms);
    }
    if (want <= st->limit_ms)
        return 0;
    st->limit_ms = want;
    return want;
}

int
ccnc_policy_on_round(struct ccnc_policy_state *st, int iteration, long long remaining,
                     long long elapsed_ms, const char **why)
{
    bool stalled = false;
    int set;

    if (why)
        *why = NULL;
    if (iteration > 0 && iteration <= st->last_iteration)
        return ccnc_policy_on_time(st, elapsed_ms, why);   /* the same round again */
    if (iteration > 0)
        st->last_iteration = iteration;
    if (remaining < 0)
        return ccnc_policy_on_time(st, elapsed_ms, why);
    if (st->least_remaining >= 0 && remaining >= st->least_remaining) {
        st->stalls++;
        stalled = true;
    } else {
        st->least_remaining = remaining;
    }
    set = after_stall(st, stalled);
    if (set && why)
        *why = CCNC_POLICY_STALL_WHY;
    if (!set)
        set = ccnc_policy_on_time(st, elapsed_ms, why);
    return set;
}

enum ccnc_policy_raise
ccnc_policy_raise_of(const char *why)
{
    if (!why)
        return CCNC_POLICY_RAISE_NONE;
    if (strcmp(why, CCNC_POLICY_STALL_WHY) == 0)
        return CCNC_POLICY_RAISE_STALL;
    if (strcmp(why, CCNC_POLICY_COURSE_WHY) == 0)
        return CCNC_POLICY_RAISE_COURSE;
    if (strcmp(why, CCNC_POLICY_LADDER_WHY) == 0)
        return CCNC_POLICY_RAISE_LADDER;
    return CCNC_POLICY_RAISE_NONE;
}

int
ccnc_policy_next(const struct ccnc_policy_state *st, int limit_ms)
{
    int top = ccnc_policy_highest(st), next = top;

    if (limit_ms >= top)
        return 0;
    if (st->policy == CCNC_POLICY_LOWEST) {
        next = limit_ms + LOWEST_STEP_MS;
    } else if (st->policy == CCNC_POLICY_MINIMAL_DOWNTIME) {
        for (size_t i = sizeof(minimal) / sizeof(minimal[0]); i-- > 0;)
            if (minimal[i].limit_ms > limit_ms)
                next = minimal[i].limit_ms;
    }
    return next < top ? next : top;
}

/* When the course at limit_ms ends: -1 not shrinking or unknown. */
static double
course_end(const struct ccnc_precopy_round *r, size_t n, double rate_bps, int limit_ms)
{
    struct ccnc_precopy_to_go g;

    if (ccnc_precopy_to_go(r, n, rate_bps, limit_ms, &g) != CCNC_PRECOPY_SHRINKING)
        return -1;
    return g.elapsed_ms + g.ms;
}

int
ccnc_policy_on_course(struct ccnc_policy_state *st, const struct ccnc_precopy_round *r,
                      size_t n, double rate_bps, double timeout_ms, const char **why)
{
    double deadline = CCNC_POLICY_COURSE_SHARE * timeout_ms, end;
    int want;

    if (why)
        *why = NULL;
    if (st->policy != CCNC_POLICY_LOWEST || !(timeout_ms > 0) || n == 0 ||
        r[n - 1].iteration < CCNC_POLICY_COURSE_FROM)
        return 0;
    end = course_end(r, n, rate_bps, st->limit_ms);
    if (end < 0 || end <= deadline)
        return 0;
    /* the lowest step that ends in time, else the highest */
    for (want = ccnc_policy_next(st, st->limit_ms); want > 0; want = ccnc_policy_next(st, want)) {
        end = course_end(r, n, rate_bps, want);
        if (end >= 0 && end <= deadline)
            break;
        if (want >= ccnc_policy_highest(st))
            break;
    }
    if (want <= st->limit_ms)
        return 0;
    st->limit_ms = want;
    if (why)
        *why = CCNC_POLICY_COURSE_WHY;
    return want;
}

int
ccnc_policy_on_time(struct ccnc_policy_state *st, long long elapsed_ms, const char **why)
{
    double gib = st->memory_gib > LADDER_MIN_GIB ? st->memory_gib : LADDER_MIN_GIB;
    long long delay_ms = (long long)(LADDER_DELAY_S * gib * 1000);
    int step;

    if (why)
        *why = NULL;
    if (st->policy != CCNC_POLICY_LADDER || delay_ms <= 0)
        return 0;
    step = (int)(elapsed_ms / delay_ms);
    if (step > LADDER_STEPS)
        step = LADDER_STEPS;
    if (step <= st->step)
        return 0;
    st->step = step;
    st->limit_ms = ladder_limit(st, step);
    if (why)
        *why = CCNC_POLICY_LADDER_WHY;
    return st->limit_ms;
}
