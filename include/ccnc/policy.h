/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a running migration is steered: the downtime limit QEMU switches over
 * at, set before the first round and raised while it runs.  Each policy is
 * modelled on a tool's own (lab.conf(5), [migration] policy):
 *
 *   qemu              QEMU's behaviour: the lab's max_downtime_ms, never
 *                     changed
 *   ladder            OpenStack Nova's: from max/steps up to max in steps
 *                     (10), one every 75 s per GiB of RAM (at least 2 GiB)
 *   minimal-downtime  oVirt's: 100 ms, then 150, 200, 300, 400, 500 ms after
 *                     1, 2, 3, 4 and 6 stalled rounds (auto-converge on)
 *   lowest            ccnc's, the default: 50 ms, 50 ms more at each stalled
 *                     round, up to max_downtime_ms: the lowest downtime the
 *                     link allows
 *
 * A round stalls when what remains to send is not below the least seen so
 * far.  Pure: no I/O; the engine sets what it says. */
#ifndef CCNC_POLICY_H
#define CCNC_POLICY_H

#include <stdbool.h>

enum ccnc_policy {
    CCNC_POLICY_QEMU,
    CCNC_POLICY_LADDER,
    CCNC_POLICY_MINIMAL_DOWNTIME,
    CCNC_POLICY_LOWEST,
    CCNC_POLICY_LAST
};

const char *ccnc_policy_to_string(enum ccnc_policy p);
int ccnc_policy_from_string(const char *s);   /* -1 unknown */

struct ccnc_policy_state {
    enum ccnc_policy policy;
    int max_ms;                  /* the lab's max_downtime_ms */
    double memory_gib;           /* the guest's RAM (the ladder's pace) */
    int limit_ms;                /* what is set now; 0 before the start */
    int stalls;                  /* stalled rounds so far */
    long long least_remaining;   /* bytes; -1 none yet */
    int step;                    /* the ladder's step */
    int last_iteration;          /* QEMU's count of the last round seen */
};

/* Start: the limit to set before the migration (also in st->limit_ms). */
int ccnc_policy_start(struct ccnc_policy_state *st, enum ccnc_policy p, int max_ms,
                      double memory_bytes);

/* Pre-copy round iteration (QEMU's count from 1; <= 0 unknown) ended with
 * remaining bytes still to send, elapsed_ms into the migration: the new
 * limit to set, or 0 to leave it.  A round already seen (its statistics
 * read twice) is no stall.  why (may be NULL) gets a short untranslated
 * reason for the run file. */
int ccnc_policy_on_round(struct ccnc_policy_state *st, int iteration, long long remaining,
                         long long elapsed_ms, const char **why);

/* The time passed (the ladder's clock): the new limit, or 0. */
int ccnc_policy_on_time(struct ccnc_policy_state *st, long long elapsed_ms, const char **why);

/* The highest limit the policy would ever set (max_ms; minimal-downtime's
 * last step, 500 ms): a migration that would not end even there will not
 * end at all. */
int ccnc_policy_highest(const struct ccnc_policy_state *st);

/* Whether the policy turns QEMU's auto-converge on (besides the lab's
 * auto_converge). */
bool ccnc_policy_auto_converge(enum ccnc_policy p);

#endif
