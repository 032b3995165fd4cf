/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a pre-copy live migration will cost, before it starts: rounds, total
 * time, downtime and the network gap, from the guest's memory and dirty
 * rate and the migration link's usable rate.  The model follows QEMU's own
 * rule (migration.c, migration_iteration_run; docs/migration-model.md):
 * QEMU sends for up to CCNC_PRECOPY_CHECK_MS between two checks; a check
 * that finds less than the threshold (rate x downtime limit) unsent syncs
 * the dirty bitmap, adding what the guest dirtied since the last sync, and
 * stops the guest if the sum is still under the threshold.  So the first
 * round sends the guest's memory (less its zero pages) but its tail; each
 * later sync comes after sending what the last one added, at least one
 * check apart; once what a sync adds fits in the room left under the
 * threshold (anywhere between nothing and one check's sending, or the
 * threshold when that is less) the guest
 * stops, which at a steady dirty rate is a matter of chance; a guest that
 * rewrites a working set bigger than the threshold never lets it.  What
 * is left at the stop is that tail, close to rate x limit whatever the
 * guest does: the downtime follows the limit.  The stop's own cost
 * (device state, resume) is learnt from earlier migrations' last sync, and
 * the rest goes at the link's rate; the first round's tail is learnt too,
 * its zero pages leaving less unsent than a later round's.  Without those,
 * an idle guest's switch-over is learnt and moved by the difference in
 * tails when the limit differs.  Pure arithmetic: no I/O. */
#ifndef CCNC_PRECOPY_H
#define CCNC_PRECOPY_H

#include <stdbool.h>
#include <stddef.h>

/* QEMU's default downtime-limit (ms). */
#define CCNC_PRECOPY_DEFAULT_LIMIT_MS 300
/* How long QEMU sends between two checks of what is left (its MAX_WAIT). */
#define CCNC_PRECOPY_CHECK_MS 50
/* A job reading this close before the stop (libvirt's time_elapsed less
 * its downtime), or after it, was of the sync that stopped the guest
 * (ms). */
#define CCNC_PRECOPY_STOP_READ_MS 20
/* How long a migration may take, its downtime included, before the model
 * calls it non-converging (ms), when the input does not say (max_ms):
 * QEMU itself goes on for ever; the action's timeout (lab.conf's
 * timeout_s, 300 s by default) ends it.  Without auto-converge its rounds
 * are bounded too, far beyond any seen (CCNC_PRECOPY_MAX_ROUNDS); with it,
 * the throttle reaches its most within some 25 rounds. */
#define CCNC_PRECOPY_GIVE_UP_MS 300000
#define CCNC_PRECOPY_MAX_ROUNDS 100000
/* QEMU's auto-converge (migration/ram.c, its defaults): at a sync at least
 * a second after the last period's end, a period whose dirtied bytes
 * exceed half of those sent counts; at every second such period the vCPU
 * is throttled: 20 % the first time, then 10 % more, up to 99 %. */
#define CCNC_PRECOPY_THROTTLE_PERIOD_MS 1000
#define CCNC_PRECOPY_THROTTLE_TRIGGER 0.5
#define CCNC_PRECOPY_THROTTLE_INITIAL 20
#define CCNC_PRECOPY_THROTTLE_INCREMENT 10
#define CCNC_PRECOPY_THROTTLE_MAX 99
struct ccnc_precopy_input {
    double memory_bytes;       /* the guest's RAM (libvirt's memory_total) */
    double first_round_bytes;  /* what the first round puts on the wire: the
                                * RAM less its zero pages; 0: memory_bytes */
    double rate_bps;           /* the link's usable rate, bytes per second */
    double dirty_bps;          /* the guest's page dirty rate, bytes per second */
    double working_set_bytes;  /* the most one round can find dirty; 0: memory_bytes */
    double limit_ms;           /* QEMU's downtime-limit; 0: 300 */
    double setup_ms;           /* before the first byte moves */
    double switchover_ms;      /* the downtime of an idle guest at the limit
                                * switchover_limit_ms (learnt); 0: unknown,
                                * the tail at the link's rate alone */
    double switchover_limit_ms;/* the limit switchover_ms was learnt at; 0:
                                * this one */
    double stop_ms;            /* what the stop costs beyond sending the rest:
                                * device state and resume (learnt: a
                                * migration's downtime less its rest at the
                                * link's rate); 0: unknown, the switch-over
                                * above instead */
    double first_tail_share;   /* what the first round leaves unsent at its
                                * sync, the guest's dirtying not counted, as a
                                * share of the threshold (learnt; its zero
                                * pages go in bigger steps, so it is smaller
                                * than a later round's); 0: the tail */
    double gap_extra_ms;       /* the network's return after the resume */
    double stop_rest_bytes;    /* what is left to send when the guest stops
                                * (learnt: the rest at a migration's last
                                * sync); 0: the model's.  Where a policy
                                * raised the limit until what the guest
                                * rewrites all the time fitted, that, not
                                * the threshold, sets the rest */
    int max_rounds;            /* 0: CCNC_PRECOPY_MAX_ROUNDS */
    double max_ms;             /* a migration not ended by then (from the
                                * start, setup and downtime included) does
                                * not converge: the action's timeout; 0:
                                * CCNC_PRECOPY_GIVE_UP_MS */
    bool auto_converge;        /* QEMU throttles the guest when rounds stall */
};

struct ccnc_precopy_prediction {
    bool converges;
    int rounds;                /* bitmap syncs before the guest stops, each
                                * a pre-copy round (libvirt's memory_iteration
                                * ends at rounds + 2: QEMU counts its first
                                * and its last sync too) */
    double total_ms;           /* setup + rounds + downtime (libvirt's time_elapsed) */
    double downtime_ms;        /* the guest stopped: the stop's cost learnt and
                                * the rest at the link's rate; else the
                                * switch-over learnt (moved to this limit) and
                                * the rest beyond an idle guest's, or the rest
                                * alone at the link's rate */
    double gap_ms;             /* the network's gap: downtime + gap_extra_ms */
    double sent_bytes;         /* everything put on the wire, the rest included */
    double rest_bytes;         /* sent while the guest was stopped */
    double threshold_bytes;    /* rate x limit: what the rest must fit in */
    int throttle_pct;          /* auto-converge: the vCPU's throttle at the end */
    bool out_of_time;          /* not converging for want of time: its guest
                                * would not stop, or the migration not end
                                * (its downtime included), within max_ms;
                                * false: what is left stops shrinking (the
                                * guest dirties faster than the link sends,
                                * or rewrites more than the threshold), or
                                * max_rounds */
};

/* Fill out from in.  -1 (out zeroed) when the input cannot be modelled:
 * no memory, no rate, a negative figure.  A migration that does not
 * converge within max_ms (or max_rounds) is 0 with out->converges false,
 * out->rounds the rounds tried and the times those rounds took (no
 * downtime). */
int ccnc_precopy_predict(const struct ccnc_precopy_input *in,
                         struct ccnc_precopy_prediction *out);

/* The time in has before it is called non-converging: max_ms, or
 * CCNC_PRECOPY_GIVE_UP_MS when that is 0. */
double ccnc_precopy_max_ms(const struct ccnc_precopy_input *in);

/* What would make a non-converging migration converge, each with the rest
 * of in unchanged: the smallest downtime limit (ms, a whole ms; -1: none up
 * to max_ms: the working set, or a guest dirtying as fast as the link, is
 * too big for it) and the smallest link rate (bytes/s; -1 when no rate up
 * to 1000x the current one does). */
double ccnc_precopy_limit_to_converge(const struct ccnc_precopy_input *in, double max_ms);
double ccnc_precopy_rate_to_converge(const struct ccnc_precopy_input *in);

/* What a completed migration says about the next one between the same two
 * hosts: the link's usable rate over the whole copy (not QEMU's last
 * sample: the copy's start is slower; the tail sent while the guest was
 * stopped taken out), the share of the RAM that went on the wire, and the
 * switch-over.  names/values: libvirt's job statistics of the completed
 * job (as a run file's `job` line keeps them); limit_ms: the downtime
 * limit it ended with (0: QEMU's default); start_ms: when its first pass
 * began (the first round's job statistics, time_elapsed, taken before any
 * page went; 0: not known), the time QEMU took to reach the destination
 * and start, which is not the link's: it becomes setup_ms and comes out of
 * the copy's time.  Sets only what the statistics allow (the RAM's wire
 * share and the switch-over only when the guest dirtied nothing, so that
 * every byte was sent once and the downtime was the tail and the
 * switch-over alone: a completed job's memory_dirty_rate is 0 in libvirt
 * 9 whatever the guest did, so ccnc_precopy_learn_rounds, below, takes
 * them back for a guest its rounds saw dirtying); returns how many of the
 * three it set, -1 when the statistics are not those of a completed
 * migration, or when QEMU's own rate (memory_bps) was over 1 /
 * CCNC_PRECOPY_HELD_SHARE times what its time says: libvirt's time then
 * holds a wait that moved nothing (a libvirtd that hung while the
 * migration ended), and it says nothing of the link. */
#define CCNC_PRECOPY_HELD_SHARE 0.2
int ccnc_precopy_learn(struct ccnc_precopy_input *in, const char *const *names,
                       const long long *values, size_t n, double limit_ms, double start_ms);

/* One pre-copy round as a run file keeps it (libvirt's job statistics read
 * at its MIGRATION_ITERATION event); a figure libvirt did not give is < 0. */
struct ccnc_precopy_round {
    double iteration;          /* memory_iteration: the syncs so far */
    double elapsed_ms;         /* time_elapsed */
    double processed;          /* memory_processed, bytes */
    double remaining;          /* memory_remaining, bytes */
    double dirty_pages_s;      /* memory_dirty_rate, pages (4 KiB) per second */
    double bps;                /* memory_bps, bytes per second (QEMU's rate) */
};

/* What the rounds of a completed migration (already learnt from by
 * ccnc_precopy_learn into in, with the limit it ended with) say about
 * the stop: the rest at the sync that stopped the guest gives stop_ms; the
 * first round's sync gives first_tail_share (its remaining less what the
 * guest dirtied during the round, at the round's own dirty rate) and the
 * first round's bytes.  A guest that dirtied during the rounds (more than
 * CCNC_PRECOPY_IDLE_BPS) did not teach the switch-over of an idle guest:
 * it is taken out of in.  elapsed_ms, downtime_ms, iterations: the
 * completed job's; first_limit_ms: the downtime limit in force at the
 * first round's sync (a policy may raise it later; 0: QEMU's default).
 * Returns how many figures it set. */
#define CCNC_PRECOPY_IDLE_BPS (2.0 * 1024 * 1024)
#define CCNC_PRECOPY_PAGE 4096
int ccnc_precopy_learn_rounds(struct ccnc_precopy_input *in, const struct ccnc_precopy_round *r,
                              size_t n, double elapsed_ms, double downtime_ms, double iterations,
                              double first_limit_ms);

/* Where a running migration is going, from its rounds so far (oldest
 * first, as the watch reads them): how much of what a round leaves the
 * next one leaves (the shrink), over up to CCNC_PRECOPY_TO_GO_ROUNDS
 * rounds back, the first round left out (its remaining is the whole RAM,
 * not what the guest dirtied); at that shrink, the rounds still to go
 * until what is left fits under the threshold (rate x limit), and their
 * time at the rate, the rest sent in the downtime included.  This is the
 * forecast again, from QEMU's own figures instead of a sample: at the edge
 * of converging, where a sample cannot tell 0.9 from 1.1 of the link, a
 * some rounds can (on the lab's Fig. 17 runs, from the 10th round on,
 * within 15 % 98 times in 100, docs/migration-model.md).  At the edge the
 * rounds go up and down: fewer rounds back than 15 follow them, and miss
 * more. */
#define CCNC_PRECOPY_TO_GO_ROUNDS 15
/* A shrink at or above this is none: what is left does not go down. */
#define CCNC_PRECOPY_TO_GO_STALLED 0.995
/* Not shrinking, but within this factor of the threshold: a round that
 * happens to fit stops the guest (QEMU's chance at the edge). */
#define CCNC_PRECOPY_TO_GO_NEAR 1.5

enum ccnc_precopy_course {
    CCNC_PRECOPY_UNKNOWN,      /* fewer than two rounds after the first, no rate, or
                                * nothing left (the last sync, the guest stopped) */
    CCNC_PRECOPY_SHRINKING,    /* what is left shrinks: rounds and ms say when it ends */
    CCNC_PRECOPY_NEAR,         /* not shrinking, near the threshold: any round may end it */
    CCNC_PRECOPY_STALLED,      /* not shrinking, far from it: not at this limit */
};

struct ccnc_precopy_to_go {
    enum ccnc_precopy_course course;
    int iteration;             /* the newest round's (estimated there) */
    double elapsed_ms;         /* its time_elapsed */
    double shrink;             /* remaining after a round over remaining before */
    double remaining_bytes;    /* at the newest round */
    double threshold_bytes;    /* rate x limit */
    int rounds;                /* SHRINKING: rounds still to go before the stop */
    double ms;                 /* SHRINKING: from the newest round to the end */
};

/* The round whose course ccnc report shows beside the measured end (a
 * migration of fewer rounds shows none). */
#define CCNC_PRECOPY_TO_GO_REPORT 10

/* A running migration that will not end within its timeout is given up
 * (lab.conf's give_up) when its course, at the highest downtime limit the
 * policy would set, says so for this many rounds in a row from round
 * CCNC_PRECOPY_GIVE_UP_FROM on: stalled, or an end beyond
 * CCNC_PRECOPY_GIVE_UP_BEYOND times the timeout.  On the lab's Fig. 17
 * runs no migration that ended was ever said to be stalled, none was said
 * to end beyond twice its time, and every one that did not end was said
 * stalled or to end beyond its timeout from round 4 on
 * (docs/migration-model.md).  A round at 100 Mb/s can take 10 s: round 10
 * would come after the timeout. */
#define CCNC_PRECOPY_GIVE_UP_FROM 4
#define CCNC_PRECOPY_GIVE_UP_ROUNDS 3
#define CCNC_PRECOPY_GIVE_UP_BEYOND 2.0

/* The rounds in a row that said a migration will not end in time. */
struct ccnc_precopy_hopeless {
    int run;                   /* so many in a row */
    int last_iteration;        /* the newest counted (a round read twice counts once) */
};

/* g: the course after a round, worked out at the highest downtime limit the
 * policy would ever set (or NULL: the round told none); h: zeroed at the
 * migration's start, counted here; timeout_ms: the lab's (> 0 required).
 * True when enough rounds in a row said it will not end in time. */
bool ccnc_precopy_hopeless(const struct ccnc_precopy_to_go *g, double timeout_ms,
                           struct ccnc_precopy_hopeless *h);

const char *ccnc_precopy_course_name(enum ccnc_precopy_course c);
enum ccnc_precopy_course ccnc_precopy_course_from_name(const char *s);

/* Fill out from rounds r[0..n) (a figure < 0: not given); rate_bps: the
 * rate when the newest round says none (memory_bps; 0: unknown); limit_ms:
 * the downtime limit in force (0: QEMU's default).  Returns out->course. */
enum ccnc_precopy_course ccnc_precopy_to_go(const struct ccnc_precopy_round *r, size_t n,
                                            double rate_bps, double limit_ms,
                                            struct ccnc_precopy_to_go *out);

/* Several migrations learnt (each by ccnc_precopy_learn into a zeroed
 * input): the median of each figure over those that have it, into out
 * (which keeps what none of them has).  One run on a busy machine says
 * little; the median of the last few says what the next will do. */
void ccnc_precopy_median(const struct ccnc_precopy_input *learnt, size_t n,
                         struct ccnc_precopy_input *out);

/* A downtime limit a migration set (a run file's setting line), after the
 * job reading at after_ms (its time_elapsed; < 0: before any). */
struct ccnc_precopy_limit_set {
    double value, after_ms;
    bool course;   /* set on the course (CCNC_POLICY_COURSE_WHY) */
};

/* The limit in force when the guest stopped at stop_ms (libvirt's
 * time_elapsed less its downtime), of set[n] in the order they were made:
 * the first, and each made before a reading of the stop (one within
 * CCNC_PRECOPY_STOP_READ_MS before it, or after: a policy takes the round
 * read as the guest stopped for a stalled one, too late).  0: n is 0.
 * which (may be NULL) gets the index of that setting in set. */
double ccnc_precopy_limit_at_stop(const struct ccnc_precopy_limit_set *set, size_t n,
                                  double stop_ms, size_t *which);

#endif
