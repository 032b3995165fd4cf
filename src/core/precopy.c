/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pre-copy model (include/ccnc/precopy.h). */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/precopy.h>
#include <ccnc/util.h>

static bool
bad(double v)
{
    return !isfinite(v) || v < 0;
}

/* The room under the threshold when QEMU syncs: what one check sends, or
 * the threshold when that is less (bytes). */
static double
room_of(double rate, double limit_ms)
{
    return fmin(rate * CCNC_PRECOPY_CHECK_MS / 1000, rate * limit_ms / 1000);
}

/* What is still unsent at a sync, on average: the threshold less half the
 * room (the first check below it finds anywhere in the room unsent). */
static double
tail_of(double rate, double limit_ms)
{
    return rate * limit_ms / 1000 - room_of(rate, limit_ms) / 2;
}

/* The chance that a sync which finds d dirtied succeeds: the room is
 * anywhere in [0, m). */
static double
chance(double d, double m)
{
    return m > 0 ? fmax(0, fmin(1, 1 - d / m)) : 0;
}

/* What the first round leaves unsent at its sync: the share of the
 * threshold learnt, else the tail of any round. */
static double
first_tail_of(const struct ccnc_precopy_input *in, double rate, double limit_ms)
{
    return in->first_tail_share > 0 ? fmin(1, in->first_tail_share) * rate * limit_ms / 1000
                                    : tail_of(rate, limit_ms);
}

/* The guest stops with rest bytes left (first: the first round's bytes).
 * With the stop's own cost learnt, the downtime is that and the rest at
 * the link's rate: what a migration sends while the guest is stopped goes
 * at the rate of the copy before (measured: the rest at the last sync over
 * the link's rate leaves 13-49 ms for device state and resume, whatever
 * the dirty rate).  Without it, the downtime is what an idle guest took at
 * the limit it was learnt at (its rest the first round's tail, or the whole
 * first round when smaller), plus what is left beyond an idle guest's rest,
 * at the link's rate.  Learnt at another limit, it is moved by the
 * difference in tails at a share k of the link's rate: the learnt figure
 * bounds k (the stop cannot send faster than it took, k <= downtime /
 * tail), and the copy of a stopped guest is not slower than that of a
 * running one (k <= 1); the forecast takes half that bound, until a
 * migration at this limit teaches the figure itself.  A rest learnt
 * (in->stop_rest_bytes) stands for the model's. */
static void
stopped(const struct ccnc_precopy_input *in, double rate, double limit, double first,
        double rest, double t, struct ccnc_precopy_prediction *out)
{
    double down, idle = fmin(first, first_tail_of(in, rate, limit));

    if (in->stop_rest_bytes > 0)
        rest = in->stop_rest_bytes;
    if (in->stop_ms > 0) {
        down = in->stop_ms + rest / rate * 1000;
    } else if (in->switchover_ms > 0) {
        double l0 = in->switchover_limit_ms > 0 ? in->switchover_limit_ms : limit, base = in->switchover_ms;

        if (l0 != limit) {
            double was_ms = fmin(first, first_tail_of(in, rate, l0)) / rate * 1000,
                   now_ms = idle / rate * 1000,
                   k = was_ms > 0 ? fmin(1, base / was_ms) / 2 : 0.5;

            base += (now_ms - was_ms) * k;
        }
        down = base + (rest - idle) / rate * 1000;
    } else {
        down = rest / rate * 1000;
    }
    out->converges = true;
    out->rest_bytes = rest;
    out->sent_bytes += rest;
    out->downtime_ms = fmax(0, down);
    out->gap_ms = out->downtime_ms + in->gap_extra_ms;
    out->total_ms = t + out->downtime_ms;
}

static int
predict(const struct ccnc_precopy_input *in, struct ccnc_precopy_prediction *out)
{
    double mem, first, ws, rate, dirty, limit, thr, room, tail, ftail, pending, t, since, last = -1,
           tmax;
    /* auto-converge's period: when it began, what it dirtied and sent */
    double p_start, p_dirty = 0, p_sent = 0;
    int max, high = 0;

    memset(out, 0, sizeof(*out));
    if (!in || bad(in->memory_bytes) || bad(in->first_round_bytes) || bad(in->rate_bps) ||
        bad(in->dirty_bps) || bad(in->working_set_bytes) || bad(in->limit_ms) ||
        bad(in->setup_ms) || bad(in->switchover_ms) || bad(in->switchover_limit_ms) ||
        bad(in->gap_extra_ms) || bad(in->stop_ms) || bad(in->first_tail_share) || bad(in->max_ms) ||
        bad(in->stop_rest_bytes) ||
        in->max_rounds < 0 || !(in->memory_bytes > 0) ||
        !(in->rate_bps > 0))
        return -1;
    mem = in->memory_bytes;
    first = in->first_round_bytes > 0 ? fmin(in->first_round_bytes, mem) : mem;
    ws = in->working_set_bytes > 0 ? fmin(in->working_set_bytes, mem) : mem;
    rate = in->rate_bps;
    dirty = in->dirty_bps;
    limit = in->limit_ms > 0 ? in->limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS;
    max = in->max_rounds > 0 ? in->max_rounds : CCNC_PRECOPY_MAX_ROUNDS;
    tmax = ccnc_precopy_max_ms(in);
    thr = out->threshold_bytes = rate * limit / 1000;
    room = room_of(rate, limit);
    tail = tail_of(rate, limit);
    ftail = first_tail_of(in, rate, limit);

    /* dirtying counts from the first sync, at the end of the setup */
    t = p_start = in->setup_ms;
    since = 0;
    pending = first;
    for (;;) {
        double send = fmax(0, pending - (out->rounds == 0 ? ftail : tail)), unsent = pending - send,
               dt = send / rate * 1000, d, left;
        bool capped, more_throttle;

        /* after a sync that failed, QEMU sends for a check's time at least */
        if (out->rounds > 0)
            dt = fmax(dt, CCNC_PRECOPY_CHECK_MS);
        out->rounds++;
        t += dt;
        since += dt;
        out->sent_bytes += send;
        d = dirty * (1 - out->throttle_pct / 100.0) * since / 1000;
        capped = d >= ws;
        d = fmin(d, ws);
        since = 0;
        /* auto-converge looks at the period since its last look */
        p_dirty += d;
        p_sent += send;
        if (in->auto_converge && t - p_start >= CCNC_PRECOPY_THROTTLE_PERIOD_MS) {
            if (p_dirty > p_sent * CCNC_PRECOPY_THROTTLE_TRIGGER && ++high >= 2) {
                high = 0;
                out->throttle_pct += out->throttle_pct ? CCNC_PRECOPY_THROTTLE_INCREMENT
                                                       : CCNC_PRECOPY_THROTTLE_INITIAL;
                if (out->throttle_pct > CCNC_PRECOPY_THROTTLE_MAX)
                    out->throttle_pct = CCNC_PRECOPY_THROTTLE_MAX;
            }
            p_start = t;
            p_dirty = p_sent = 0;
        }
        /* a stall that the throttle may still end */
        more_throttle = in->auto_converge && out->throttle_pct < CCNC_PRECOPY_THROTTLE_MAX &&
                        t < tmax;
        /* what the sync leaves: after the first round it lies in the
         * working set the guest rewrites, with the unsent tail */
        left = out->rounds > 1 ? fmin(unsent + d, fmax(unsent, ws)) : unsent + d;
        if (left < thr && (capped || left < unsent + d)) {
            /* the working set fits under the threshold: the guest stops */
            stopped(in, rate, limit, first, left, t, out);
            return 0;
        }
        if (out->rounds == 1 && in->first_tail_share > 0 && !capped) {
            /* the first sync: what the round left is known, not a chance */
            if (left < thr) {
                stopped(in, rate, limit, first, left, t, out);
                return 0;
            }
            if (out->rounds < max && t < tmax) {
                last = d;
                pending = left;
                continue;
            }
        }
        if (capped) {
            if (!more_throttle && (out->rounds > 1 || out->rounds >= max || t >= tmax)) {
                out->total_ms = t;   /* each later sync finds the same */
                out->out_of_time = t >= tmax && (out->rounds <= 1 || in->auto_converge);
                return 0;
            }
            pending = left;
            last = d;
            continue;
        }
        if (d < room) {
            /* this sync succeeds with a chance; each later one, a check's
             * sending apart, with the chance of what a check's time dirties:
             * the syncs expected before one does */
            double d1 = fmin(dirty * (1 - out->throttle_pct / 100.0) * CCNC_PRECOPY_CHECK_MS / 1000,
                             ws),
                   now = chance(d, room),
                   later = d1 >= ws ? (fmax(tail, ws) < thr ? 1 : 0) : chance(d1, room),
                   extra = now >= 1 ? 0 : later > 0 ? (1 - now) / later : INFINITY;

            if (out->rounds + extra <= max && t + extra * CCNC_PRECOPY_CHECK_MS <= tmax) {
                t += extra * CCNC_PRECOPY_CHECK_MS;
                out->sent_bytes += extra * d1;
                out->rounds += (int)lround(extra);
                stopped(in, rate, limit, first, unsent + (extra > 0 ? d1 : d) / 2, t, out);
                return 0;
            }
            /* no later sync is likely to: on as after one that failed (the
             * working set may still fit, below) */
        }
        /* a sync that finds as much dirty as the last: the next ones will
         * too, unless the throttle grows */
        if (!more_throttle &&
            ((last >= 0 && d >= last) || out->rounds >= max || t >= tmax)) {
            out->total_ms = t;
            out->out_of_time = !(last >= 0 && d >= last) && out->rounds < max;
            return 0;
        }
        last = d;
        pending = unsent + d;
    }
}

double
ccnc_precopy_max_ms(const struct ccnc_precopy_input *in)
{
    return in->max_ms > 0 ? in->max_ms : CCNC_PRECOPY_GIVE_UP_MS;
}

int
ccnc_precopy_predict(const struct ccnc_precopy_input *in, struct ccnc_precopy_prediction *out)
{
    if (predict(in, out) < 0)
        return -1;
    if (out->converges && out->total_ms > ccnc_precopy_max_ms(in)) {
        /* the guest would stop, but the migration, its downtime included,
         * outlasts the time it has: the rounds and their time */
        out->converges = false;
        out->out_of_time = true;
        out->total_ms -= out->downtime_ms;
        out->sent_bytes -= out->rest_bytes;
        out->downtime_ms = out->gap_ms = out->rest_bytes = 0;
    }
    return 0;
}

static bool
converges(const struct ccnc_precopy_input *in)
{
    struct ccnc_precopy_prediction p;

    return ccnc_precopy_predict(in, &p) == 0 && p.converges;
}

/* Whether a migration converges grows with the limit and with the rate
 * (a bigger threshold and room, shorter rounds, a smaller share of the
 * link dirtied): both are found by bisection. */
double
ccnc_precopy_limit_to_converge(const struct ccnc_precopy_input *in, double max_ms)
{
    struct ccnc_precopy_input x = *in;
    double lo = 0, hi = floor(max_ms);

    x.limit_ms = hi;
    if (!(hi >= 1) || !converges(&x))
        return -1;
    while (hi - lo > 1) {
        x.limit_ms = floor((lo + hi) / 2);
        if (converges(&x))
            hi = x.limit_ms;
        else
            lo = x.limit_ms;
    }
    return hi;
}

double
ccnc_precopy_rate_to_converge(const struct ccnc_precopy_input *in)
{
    struct ccnc_precopy_input x = *in;
    double lo, hi;

    if (!(in->rate_bps > 0))
        return -1;
    if (converges(in))
        return in->rate_bps;
    lo = in->rate_bps;
    hi = in->rate_bps * 1000;
    x.rate_bps = hi;
    if (!converges(&x))
        return -1;
    /* to a thousandth */
    while (hi - lo > hi / 1000) {
        x.rate_bps = (lo + hi) / 2;
        if (converges(&x))
            hi = x.rate_bps;
        else
            lo = x.rate_bps;
    }
    return hi;
}

static bool
stat_of(const char *const *names, const long long *values, size_t n, const char *name,
        double *v)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0 && values[i] >= 0) {
            *v = (double)values[i];
            return true;
        }
    return false;
}

int
ccnc_precopy_learn(struct ccnc_precopy_input *in, const char *const *names,
                   const long long *values, size_t n, double limit_ms, double start_ms)
{
    double elapsed, downtime, setup = 0, total, processed, dirty, copy_ms, limit, tail_ms, rate;
    double qemu_bps;

    if (!stat_of(names, values, n, "time_elapsed", &elapsed) ||
        !stat_of(names, values, n, "downtime", &downtime) ||
        !stat_of(names, values, n, "memory_total", &total) ||
        !stat_of(names, values, n, "memory_processed", &processed) || !(processed > 0) ||
        !(total > 0))
        return -1;
    stat_of(names, values, n, "setup_time", &setup);
    /* QEMU's setup_time ends before the destination answers: the first
     * pass can begin most of a second later */
    if (isfinite(start_ms) && start_ms > setup && start_ms < elapsed - downtime)
        setup = start_ms;
    copy_ms = elapsed - downtime - setup;
    if (!(copy_ms > 0))
        return -1;
    /* the tail went while the guest was stopped: at the running rate r it
     * is r x tail_ms, so processed = r x (copy_ms + tail_ms) */
    limit = isfinite(limit_ms) && limit_ms > 0 ? limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS;
    tail_ms = limit - fmin(CCNC_PRECOPY_CHECK_MS, limit) / 2;
    rate = processed / (copy_ms + tail_ms) * 1000;
    /* (QEMU's last rate is 0.4 to 1 times the copy's on the lab) */
    if (stat_of(names, values, n, "memory_bps", &qemu_bps) && qemu_bps > 0 &&
        rate < CCNC_PRECOPY_HELD_SHARE * qemu_bps)
        return -1;
    in->rate_bps = rate;
    /* a guest that dirtied nothing: every byte went once */
    if (stat_of(names, values, n, "memory_dirty_rate", &dirty) && dirty == 0) {
        in->memory_bytes = total;
        in->first_round_bytes = fmin(processed, total);
        in->switchover_ms = downtime;
        in->switchover_limit_ms = limit;
        in->setup_ms = setup;
        return 3;
    }
    return 1;
}

int
ccnc_precopy_learn_rounds(struct ccnc_precopy_input *in, const struct ccnc_precopy_round *r,
                          size_t n, double elapsed_ms, double downtime_ms, double iterations,
                          double first_limit_ms)
{
    const struct ccnc_precopy_round *one = NULL, *two = NULL, *last = NULL;
    double stop = elapsed_ms - downtime_ms, rate = in->rate_bps, most = 0, thr;
    int set = 0;

    if (!(rate > 0) || !(downtime_ms >= 0) || !(elapsed_ms > 0))
        return 0;
    first_limit_ms = isfinite(first_limit_ms) && first_limit_ms > 0 ? first_limit_ms
                                                                     : CCNC_PRECOPY_DEFAULT_LIMIT_MS;
    thr = rate * first_limit_ms / 1000;
    for (size_t i = 0; i < n; i++) {
        if (r[i].iteration == 1 && !one)
            one = &r[i];
        if (r[i].iteration == 2 && !two && r[i].remaining >= 0 && r[i].processed >= 0)
            two = &r[i];
        /* the sync that stopped the guest: the last but the one QEMU
         * makes once it stopped, read while it was stopped */
        if (r[i].iteration == iterations - 1 && r[i].remaining > 0 &&
            r[i].elapsed_ms >= stop - CCNC_PRECOPY_STOP_READ_MS && r[i].elapsed_ms <= stop + 50 &&
            !last)
            last = &r[i];
        if (r[i].iteration >= 2)
            most = fmax(most, r[i].dirty_pages_s * CCNC_PRECOPY_PAGE);
    }
    if (last) {
        /* read a moment after the stop: what went since was the rest's */
        double rest = last->remaining + rate * fmax(0, last->elapsed_ms - stop) / 1000,
               cost = downtime_ms - rest / rate * 1000;

        if (cost > 0) {
            in->stop_ms = cost;
            set++;
        }
        in->stop_rest_bytes = rest;
    }
    if (two) {
        double from = one && one->elapsed_ms >= 0 ? one->elapsed_ms : in->setup_ms,
               dirtied = two->dirty_pages_s > 0 && two->elapsed_ms > from
                             ? two->dirty_pages_s * CCNC_PRECOPY_PAGE * (two->elapsed_ms - from) / 1000
                             : 0,
               left = two->remaining - dirtied;

        if (left > 0 && thr > 0) {
            in->first_tail_share = fmin(1, left / thr);
            set++;
        }
        if (most >= CCNC_PRECOPY_IDLE_BPS) {
            /* pages went more than once: only the first round's were the RAM's */
            in->first_round_bytes = two->processed + fmax(0, left);
            set++;
        }
    }
    if (most >= CCNC_PRECOPY_IDLE_BPS) {
        /* not the switch-over of an idle guest */
        in->switchover_ms = 0;
        in->switchover_limit_ms = 0;
        if (!two)
            in->first_round_bytes = 0;
    }
    return set;
}

/* The median of the figure at offset off in each input that has it (> 0);
 * dflt when none has. */
static double
median_of(const struct ccnc_precopy_input *learnt, size_t n, size_t off, double dflt)
{
    double *v = ccnc_xcalloc(n ? n : 1, sizeof(*v)), m;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        double x;

        memcpy(&x, (const char *)&learnt[i] + off, sizeof(x));
        if (isfinite(x) && x > 0)
            v[k++] = x;
    }
    if (k == 0) {
        free(v);
        return dflt;
    }
    m = ccnc_median(v, k);
    free(v);
    return m;
}

void
ccnc_precopy_median(const struct ccnc_precopy_input *learnt, size_t n,
                    struct ccnc_precopy_input *out)
{
#define MEDIAN(f) out->f = median_of(learnt, n, offsetof(struct ccnc_precopy_input, f), out->f)
    MEDIAN(memory_bytes);
    MEDIAN(first_round_bytes);
    MEDIAN(rate_bps);
    MEDIAN(switchover_ms);
    MEDIAN(switchover_limit_ms);
    MEDIAN(setup_ms);
    MEDIAN(gap_extra_ms);
    MEDIAN(stop_ms);
    MEDIAN(first_tail_share);
#undef MEDIAN
}

/* The shrink per round from the newest usable round back over up to
 * CCNC_PRECOPY_TO_GO_ROUNDS rounds (the first round and repeats left
 * out): *last the newest round; -1 when there are not two. */
static double
shrink_per_round(const struct ccnc_precopy_round *r, size_t n,
                 const struct ccnc_precopy_round **last)
{
    const struct ccnc_precopy_round *base = NULL;
    size_t later = 0;

    *last = NULL;
    for (size_t i = n; i-- > 0;) {
        if (!(r[i].iteration >= 2) || !(r[i].remaining >= 0) || !isfinite(r[i].remaining))
            continue;    /* no number, or nothing said of what was left */
        if (!*last) {
            *last = &r[i];
            continue;
        }
        if (r[i].iteration >= (*last)->iteration)
            continue;    /* the same round read twice, or out of order */
        base = &r[i];
        if (++later >= CCNC_PRECOPY_TO_GO_ROUNDS)
            break;
    }
    if (!*last || !base)
        return -1;
    if (!(base->remaining > 0))
        return 0;
    return pow((*last)->remaining / base->remaining, 1 / ((*last)->iteration - base->iteration));
}

enum ccnc_precopy_course
ccnc_precopy_to_go(const struct ccnc_precopy_round *r, size_t n, double rate_bps, double limit_ms,
                   struct ccnc_precopy_to_go *out)
{
    const struct ccnc_precopy_round *last;
    double rate, s = shrink_per_round(r, n, &last);

    memset(out, 0, sizeof(*out));
    out->course = CCNC_PRECOPY_UNKNOWN;
    if (s < 0 || !(last->remaining > 0))
        return out->course;   /* nothing left: the guest has stopped, the end is there */
    rate = last->bps > 0 ? last->bps : rate_bps;
    if (!(rate > 0) || !isfinite(rate))
        return out->course;
    if (!(limit_ms > 0))
        limit_ms = CCNC_PRECOPY_DEFAULT_LIMIT_MS;
    out->iteration = (int)last->iteration;
    out->elapsed_ms = last->elapsed_ms;
    out->remaining_bytes = last->remaining;
    out->threshold_bytes = rate * limit_ms / 1000;
    out->shrink = s;
    if (s >= CCNC_PRECOPY_TO_GO_STALLED) {
        out->course = last->remaining <= CCNC_PRECOPY_TO_GO_NEAR * out->threshold_bytes
                          ? CCNC_PRECOPY_NEAR
                          : CCNC_PRECOPY_STALLED;
        return out->course;
    }
    /* rounds of R, sR, s^2 R, ... each sent at the rate, until s^k R fits
     * under the threshold; that rest goes in the downtime */
    {
        double R = last->remaining, T = out->threshold_bytes;
        int k = R <= T || s <= 0 ? 0 : (int)ceil(log(T / R) / log(s));
        double sk = pow(s, k);

        out->rounds = k;
        out->ms = (R * (1 - sk) / (1 - s) + R * sk) / rate * 1000;
    }
    out->course = CCNC_PRECOPY_SHRINKING;
    return out->course;
}

static const char *const course_names[] = { "unknown", "shrinking", "near", "stalled" };

const char *
ccnc_precopy_course_name(enum ccnc_precopy_course c)
{
    return ccnc_enum_to_string(course_names, (int)CCNC_ARRAY_SIZE(course_names), (int)c,
                               "unknown");
}

enum ccnc_precopy_course
ccnc_precopy_course_from_name(const char *s)
{
    int c = ccnc_enum_from_string(course_names, (int)CCNC_ARRAY_SIZE(course_names), s);

    return c < 0 ? CCNC_PRECOPY_UNKNOWN : (enum ccnc_precopy_course)c;
}

bool
ccnc_precopy_hopeless(const struct ccnc_precopy_to_go *g, double timeout_ms,
                      struct ccnc_precopy_hopeless *h)
{
    bool beyond;

    if (g && g->iteration > 0 && g->iteration <= h->last_iteration)
        return h->run >= CCNC_PRECOPY_GIVE_UP_ROUNDS;   /* the same round again */
    if (g && g->iteration > 0)
        h->last_iteration = g->iteration;
    beyond = g && timeout_ms > 0 && g->iteration >= CCNC_PRECOPY_GIVE_UP_FROM &&
             (g->course == CCNC_PRECOPY_STALLED ||
              (g->course == CCNC_PRECOPY_SHRINKING &&
               g->elapsed_ms + g->ms > CCNC_PRECOPY_GIVE_UP_BEYOND * timeout_ms));
    h->run = beyond ? h->run + 1 : 0;
    return h->run >= CCNC_PRECOPY_GIVE_UP_ROUNDS;
}

double
ccnc_precopy_limit_at_stop(const struct ccnc_precopy_limit_set *set, size_t n, double stop_ms,
                           size_t *which)
{
    double limit = 0;

    for (size_t i = 0; i < n; i++)
        if (i == 0 || set[i].after_ms < stop_ms - CCNC_PRECOPY_STOP_READ_MS) {
            limit = set[i].value;
            if (which)
                *which = i;
        }
    return limit;
}
