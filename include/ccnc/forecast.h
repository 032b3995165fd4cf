/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast, shown in its plan and kept in its run file: the
 * pre-copy model (ccnc/precopy.h) fed with what earlier migrations between
 * the same two hosts recorded in their run files (the link's usable rate,
 * the switch-over's cost, the network gap beyond the downtime, this VM's
 * share of RAM on the wire) and with the guest's dirty rate, measured just
 * before (the engine) or assumed.  Every figure says where it came from. */
#ifndef CCNC_FORECAST_H
#define CCNC_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

#include <ccnc/precopy.h>

/* Earlier migrations looked at, newest first. */
#define CCNC_FORECAST_HISTORY 8
/* The link's rate: the newest runs that carried within this factor of the
 * newest one's; a run beyond it was on a link that has changed since (the
 * lab's link-rate, another network), and the forecast follows the new one
 * from its first run on.  A link that is not shaped carries what the CPUs
 * allow: two migrations in a row on the lab's differed 1.7 times while
 * other tests loaded its two cores; the lab's shaped speeds, and real
 * links, differ by three times and more. */
#define CCNC_FORECAST_LINK_CHANGE 2.0

/* Dirty-rate samples kept (their median is the model's rate), and how old
 * the newest may be for a migration to start on it without sampling
 * again (ms). */
#define CCNC_FORECAST_SAMPLES 4
/* How long one sample lasts (s); the console's every other sample lasts
 * CCNC_FORECAST_LONG_SAMPLE_S: a guest that rewrites a working set smaller
 * than that period's dirtying shows it (its distinct pages saturate). */
#define CCNC_FORECAST_SAMPLE_S 1
#define CCNC_FORECAST_LONG_SAMPLE_S 3
#define CCNC_FORECAST_FRESH_MS 10000
/* A sample below this says little of how the guest dirties while it
 * migrates: the guest's own background is of that order. */
#define CCNC_FORECAST_RATIO_MIN_BPS (4.0 * 1024 * 1024)

/* At the edge of converging: the model takes the guest to dirty, while it
 * migrates, between these shares of the link's rate.  Near 1 each sync's
 * chance of fitting under the threshold is about the share's distance from
 * 1, and the share itself is known to some 40 % only (a 1 s sample in
 * whole MiB/s, the ratio learnt from such samples), so QEMU may stop the
 * guest after a few rounds, a hundred, or never: on the lab, points
 * forecast between these took 7 to 122 rounds or never ended, those below
 * at most 8 rounds. */
#define CCNC_FORECAST_EDGE_LOW 0.5
#define CCNC_FORECAST_EDGE_HIGH 1.5
/* At the edge the forecast is made again at this share less and more of
 * what the guest dirties: the 1 s sample's spread run to run at the same
 * set rate on the lab (docs/migration-model.md); the time between the two
 * is what the plan can say. */
#define CCNC_FORECAST_EDGE_SPREAD 0.15

struct ccnc_forecast {
    bool tried;                    /* made for this action (shown in its plan) */
    bool valid;                    /* in and out are filled */
    struct ccnc_precopy_input in;
    struct ccnc_precopy_prediction out;
    double limit_to_converge_ms;   /* when it does not converge: -1 none */
    double rate_to_converge_bps;   /* idem */
    /* ... and what each of those, or QEMU's auto-converge when it is off,
     * would give (converges false: that one would not do either) */
    struct ccnc_precopy_prediction at_limit, at_rate, with_auto_converge;
    /* at the edge: the forecast with the guest dirtying
     * CCNC_FORECAST_EDGE_SPREAD less and more (each may not converge) */
    struct ccnc_precopy_prediction edge_less, edge_more;
    size_t n_link;                 /* completed migrations between the two
                                    * hosts the link's rate comes from; 0:
                                    * none, the rate is the lab's bandwidth
                                    * setting or unknown */
    size_t n_link_before;          /* older ones, on a link that has changed */
    size_t n_vm;                   /* of them, this VM's (its RAM on the wire) */
    size_t n_gap;                  /* those that measured the network's gap */
    /* how much this VM dirtied while it migrated against its sample just
     * before (QEMU's rate over the rounds after the first, over the
     * sample), the median of its earlier runs sampled at
     * CCNC_FORECAST_RATIO_MIN_BPS or more; the model takes the sample
     * times this (0: none learnt, the sample as it is) */
    double dirty_ratio;
    size_t n_ratio;
    bool dirty_measured;           /* false: assumed 0 (an idle guest) */
    double dirty_seconds;          /* how long each sample measured */
    char dirty_why[192];           /* why it was not measured (translated) */
    /* the samples, oldest first: bytes per second, and when each ended
     * (monotonic ms, ccnc_now_mono_ms; 0: not known) */
    double sample_bps[CCNC_FORECAST_SAMPLES];
    double sample_s[CCNC_FORECAST_SAMPLES];       /* each one's period */
    long long sample_at_ms[CCNC_FORECAST_SAMPLES];
    int n_samples;
    int n_rate;                    /* of them, the shortest: the rate's median */
    bool step_sampled;             /* the newest sample is the action's first step's */
    int sample_pages;              /* pages a GiB the step's sample hashed (0:
                                    * not said) */
    /* the downtime limit the policy starts with, and the one it raises to
     * when the rounds stall (0: none); ccnc_forecast_compute tries both */
    double start_limit_ms, raise_to_ms;
    /* the policy the migration runs under (ccnc_policy_to_string; "": not
     * said), and the limit it ended this VM's newest migrations between
     * the two hosts at, on the link as it is now (the median, the lower of
     * two; 0: none), of n_ended; a policy that raises the limit starts the
     * model there */
    char policy[24];
    double ended_limit_ms;
    size_t n_ended;
    /* each of those n_ended runs: the limit it ended at, and what it had
     * left at its last sync (0: not known); a policy that raises the limit
     * at stalled rounds stops the guest with that at the limit modelled */
    double ended_at_ms[CCNC_FORECAST_HISTORY];
    double ended_rest_bytes[CCNC_FORECAST_HISTORY];
    /* 'lowest': the limit the model went to because at the one before it
     * the migration would end beyond CCNC_POLICY_COURSE_SHARE of its
     * timeout, as the policy raises it on the rounds' course (0: none) */
    double course_limit_ms;
    /* a guest sampled below CCNC_FORECAST_RATIO_MIN_BPS shows its
     * background only (its kernel's pages, its buffers), rewritten again
     * and again: what this VM's earlier migrations between the two hosts,
     * on the link as it is now, so sampled, had left after their first
     * round (the median of n_background; 0: none).  The model takes it for
     * the working set then (background_applied): on the lab an idle guest
     * sampled at 2 MiB/s left 2-4.5 MB after a first round of 20 s, not the
     * 40 MB its sample says, and the forecast was 12-20 % long */
    double background_bytes;
    size_t n_background;
    bool background_applied;
};

/* A new dirty-rate sample (bps over seconds, ended at at_ms): kept with
 * those no more than CCNC_FORECAST_FRESH_MS older, at most
 * CCNC_FORECAST_SAMPLES; f->in.dirty_bps becomes the median of the
 * shortest ones.  A longer sample whose distinct pages fall well short of
 * what the short ones' rate dirties over its period saw the working set
 * saturate: f->in.working_set_bytes becomes its distinct bytes (else 0:
 * unknown).  The caller computes again. */
void ccnc_forecast_add_sample(struct ccnc_forecast *f, double bps, double seconds,
                              long long at_ms);

/* Whether f's learnt dirty ratio applies to its sample: one was learnt,
 * and the sample is of CCNC_FORECAST_RATIO_MIN_BPS or more. */
bool ccnc_forecast_ratio_applies(const struct ccnc_forecast *f);

/* What the model takes the guest to dirty while it migrates (the sample,
 * times the dirty ratio when that applies) over the link's rate; 0 when
 * the dirty rate was not measured or the rate is not known. */
double ccnc_forecast_dirty_share(const struct ccnc_forecast *f);

/* Whether f's migration is at the edge of converging (its dirty share
 * within CCNC_FORECAST_EDGE_LOW..HIGH): its rounds cannot be told. */
bool ccnc_forecast_at_edge(const struct ccnc_forecast *f);

/* Whether f has a sample that ended no more than CCNC_FORECAST_FRESH_MS
 * before now_ms. */
bool ccnc_forecast_fresh(const struct ccnc_forecast *f, long long now_ms);

/* Learn from the run files in dir: the newest CCNC_FORECAST_HISTORY
 * migrations between hosts a and b (either way) that completed, into f->in
 * and the counts (f->in's other figures untouched when nothing says them);
 * the link's rate from those since it last changed (f->n_link of them).
 * memory_bytes: the VM's RAM now (0: unknown; then this VM's last migration
 * says it).  Returns how many runs were learnt from. */
size_t ccnc_forecast_learn(struct ccnc_forecast *f, const char *dir, const char *vm,
                           const char *a, const char *b, double memory_bytes);

/* Run the model on f->in: f->out, and what would make it converge.  f->valid
 * false when the input cannot be modelled (no memory or no rate).  With
 * start_limit_ms set, the model starts from it, and from raise_to_ms when
 * it does not converge there ('lowest': from the lowest of its steps up to
 * raise_to_ms at which it ends within CCNC_POLICY_COURSE_SHARE of the
 * timeout, in f->course_limit_ms).  At the edge, edge_less and edge_more too.
 * A migration that would outlast f->in.max_ms (the action's timeout; 0:
 * CCNC_PRECOPY_GIVE_UP_MS) does not converge. */
void ccnc_forecast_compute(struct ccnc_forecast *f);

/* At the edge, what the forecast says at 15 % less and more dirtying, as
 * one translated line without indent or newline; NULL when not at the
 * edge, or when there is nothing to say.  Caller frees. */
char *ccnc_forecast_band_text(const struct ccnc_forecast *f);

/* The forecast as the plan shows it: translated lines, each ending in a
 * newline, indented by four spaces; a sample's age counted to now_ms (0:
 * not said).  Caller frees. */
char *ccnc_forecast_text(const struct ccnc_forecast *f, long long now_ms);

/* Where a running migration is going, as the Migration view and `ccnc
 * migrate` say it: a translated sentence ("the end in about 9.1 s, at
 * 32.2 s (38 more rounds, shrinking 7 % a round)"), NULL while the course
 * is unknown.  An end after timeout_ms (> 0) is said to be beyond it.
 * *warn: the sentence warns (not shrinking, or beyond the timeout).
 * Caller frees. */
char *ccnc_forecast_course_text(const struct ccnc_precopy_to_go *g, long long timeout_ms,
                                bool *warn);

#endif
