/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a pre-copy live migration will cost, before it starts: rounds, total
 * time, downtime and the network gap, from the guest's memory and dirty
 * rate and the migration link's usable rate.  The model is QEMU's own: the
 * first round sends the guest's memory (less its zero pages, which cost
 * almost nothing on the wire), each later round sends what the guest
 * dirtied during the one before (at most its working set), and QEMU stops
 * the guest and sends the rest as soon as that rest fits in
 * rate x downtime limit (migration.c: the threshold it compares the
 * pending data with).  The downtime is then the rest over the rate plus
 * what the switch-over costs beyond RAM (device state, the destination's
 * resume), learnt from earlier migrations.  Pure arithmetic: no I/O. */
#ifndef CCNC_PRECOPY_H
#define CCNC_PRECOPY_H

#include <stdbool.h>
#include <stddef.h>

/* QEMU's default downtime-limit (ms). */
#define CCNC_PRECOPY_DEFAULT_LIMIT_MS 300
/* Rounds after which a migration that still has not fitted is called
 * non-converging (QEMU itself goes on for ever; libvirt's and ccnc's
 * timeouts end it). */
#define CCNC_PRECOPY_MAX_ROUNDS 30

struct ccnc_precopy_input {
    double memory_bytes;       /* the guest's RAM (libvirt's memory_total) */
    double first_round_bytes;  /* what the first round puts on the wire: the
                                * RAM less its zero pages; 0: memory_bytes */
    double rate_bps;           /* the link's usable rate, bytes per second */
    double dirty_bps;          /* the guest's page dirty rate, bytes per second */
    double working_set_bytes;  /* the most one round can find dirty; 0: memory_bytes */
    double limit_ms;           /* QEMU's downtime-limit; 0: 300 */
    double setup_ms;           /* before the first byte moves */
    double switchover_ms;      /* downtime beyond the RAM: device state, resume */
    double gap_extra_ms;       /* the network's return after the resume */
    int max_rounds;            /* 0: CCNC_PRECOPY_MAX_ROUNDS */
};

struct ccnc_precopy_prediction {
    bool converges;
    int rounds;                /* pre-copy rounds before the guest stops
                                * (libvirt's memory_iteration ends at rounds + 2:
                                * QEMU counts its first and its last bitmap sync) */
    double total_ms;           /* setup + rounds + downtime (libvirt's time_elapsed) */
    double downtime_ms;        /* the guest stopped: the rest + the switch-over */
    double gap_ms;             /* the network's gap: downtime + gap_extra_ms */
    double sent_bytes;         /* everything put on the wire, the rest included */
    double rest_bytes;         /* sent while the guest was stopped */
    double threshold_bytes;    /* rate x limit: what the rest must fit in */
};

/* Fill out from in.  -1 (out zeroed) when the input cannot be modelled:
 * no memory, no rate, a negative figure.  A migration that does not
 * converge within max_rounds is 0 with out->converges false, out->rounds
 * the rounds tried and the times those rounds took (no downtime). */
int ccnc_precopy_predict(const struct ccnc_precopy_input *in,
                         struct ccnc_precopy_prediction *out);

/* What would make a non-converging migration converge, each with the rest
 * of in unchanged: the smallest downtime limit (ms, a whole ms; -1: none up
 * to max_ms, i.e. the working set is too big for it) and the smallest link
 * rate (bytes/s; -1 when no rate up to 1000x the current one does). */
double ccnc_precopy_limit_to_converge(const struct ccnc_precopy_input *in, double max_ms);
double ccnc_precopy_rate_to_converge(const struct ccnc_precopy_input *in);

/* What a completed migration says about the next one between the same two
 * hosts: the link's usable rate over the whole copy (not QEMU's last
 * sample: the copy's start is slower), the share of the RAM that went on
 * the wire, and the switch-over's cost.  names/values: libvirt's job
 * statistics of the completed job (as a run file's `job` line keeps them).
 * Sets only what the statistics allow (the RAM's wire share and the
 * switch-over only when the guest dirtied nothing, so that every byte was
 * sent once and the downtime was all switch-over); returns how many of
 * the three it set, -1 when the statistics are not those of a completed
 * migration. */
int ccnc_precopy_learn(struct ccnc_precopy_input *in, const char *const *names,
                       const long long *values, size_t n);

/* Several migrations learnt (each by ccnc_precopy_learn into a zeroed
 * input): the median of each figure over those that have it, into out
 * (which keeps what none of them has).  One run on a busy machine says
 * little; the median of the last few says what the next will do. */
void ccnc_precopy_median(const struct ccnc_precopy_input *learnt, size_t n,
                         struct ccnc_precopy_input *out);

#endif
