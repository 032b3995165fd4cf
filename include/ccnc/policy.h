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
 *                     link allows; and, when the rounds' course says the
 *                     migration would end too late, the lowest step at
 *                     which it says it ends in time
 *
 * A round stalls when what remains to send is not below the least seen so
 * far.  Pure: no I/O; the engine sets what it says. */
#ifndef CCNC_POLICY_H
#define CCNC_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct ccnc_precopy_round;

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

/* 'lowest' also follows the course (ccnc_precopy_to_go) of the rounds so
 * far, from round CCNC_POLICY_COURSE_FROM on: when, at the limit in force,
 * it puts the end beyond CCNC_POLICY_COURSE_SHARE of the timeout, the
 * limit goes to the lowest step at which it ends before that, or to the
 * highest when none would (QEMU's chance at the edge).  At the edge of
 * converging, rounds that shrink by a few per cent each are no stalls,
 * and the limit stayed at 50 ms to the end.  A higher one saves the last,
 * short rounds: little by the model (about 1 %), but on the lab's Fig. 17
 * at 300 Mb/s and 32 MiB/s two runs raised on the course at round 4 ended
 * in 75.0 and 69.0 s, as under 'qemu' (67-75 s); the two before under
 * 'lowest' did not end within 90 s (their guest dirtied faster: replayed,
 * their rounds would not have ended at 300 ms either).  The course is read
 * from QEMU's own rounds, within 15 % from the 10th on
 * (docs/migration-model.md); the share leaves room for its error. */
#define CCNC_POLICY_COURSE_FROM 4
#define CCNC_POLICY_COURSE_SHARE 0.8
/* The reasons a raise gives in the run file's setting line (the first
 * limit's is the policy's name).  A run that ended at a limit set on the
 * course says how long it ran, not what its guest rewrites. */
#define CCNC_POLICY_STALL_WHY "stalled rounds"
#define CCNC_POLICY_COURSE_WHY "the course"
#define CCNC_POLICY_LADDER_WHY "the ladder's next step"

/* What a setting line's reason (why) says raised the limit: none (the
 * policy's first, or unknown), a stall, the course, the ladder's step. */
enum ccnc_policy_raise {
    CCNC_POLICY_RAISE_NONE,
    CCNC_POLICY_RAISE_STALL,
    CCNC_POLICY_RAISE_COURSE,
    CCNC_POLICY_RAISE_LADDER,
};
enum ccnc_policy_raise ccnc_policy_raise_of(const char *why);

/* Rounds r[0..n) recorded so far (the newest last), rate_bps the link's
 * rate when a round says none, timeout_ms the action's: the new limit, or
 * 0 to leave it (another policy, too few rounds, in time, not shrinking: a
 * stall is on_round's). */
int ccnc_policy_on_course(struct ccnc_policy_state *st, const struct ccnc_precopy_round *r,
                          size_t n, double rate_bps, double timeout_ms, const char **why);

/* The next limit above limit_ms that the policy sets as a migration goes
 * on ('lowest': 50 ms more; minimal-downtime: its next step; the others:
 * the highest), at most its highest; 0: none. */
int ccnc_policy_next(const struct ccnc_policy_state *st, int limit_ms);

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
