/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a running migration is steered (ccnc/policy.h). */

#include "config.h"

#include <string.h>

#include <ccnc/policy.h>

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

/* The limit the stall count asks for; 0 when it is the one set. */
static int
after_stall(struct ccnc_policy_state *st)
{
    int want = st->limit_ms;

    if (st->policy == CCNC_POLICY_MINIMAL_DOWNTIME) {
        for (size_t i = 0; i < sizeof(minimal) / sizeof(minimal[0]); i++)
            if (st->stalls >= minimal[i].stalls)
                want = minimal[i].limit_ms;
    } else if (st->policy == CCNC_POLICY_LOWEST) {
        want = LOWEST_START_MS + LOWEST_STEP_MS * st->stalls;
        if (want > st->max_ms)
            want = st->max_ms;
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
    int set;

    if (why)
        *why = NULL;
    if (iteration > 0 && iteration <= st->last_iteration)
        return ccnc_policy_on_time(st, elapsed_ms, why);   /* the same round again */
    if (iteration > 0)
        st->last_iteration = iteration;
    if (remaining < 0)
        return ccnc_policy_on_time(st, elapsed_ms, why);
    if (st->least_remaining >= 0 && remaining >= st->least_remaining)
        st->stalls++;
    else
        st->least_remaining = remaining;
    set = after_stall(st);
    if (set && why)
        *why = "stalled rounds";
    if (!set)
        set = ccnc_policy_on_time(st, elapsed_ms, why);
    return set;
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
        *why = "the ladder's next step";
    return st->limit_ms;
}
