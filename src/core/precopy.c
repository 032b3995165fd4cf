/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pre-copy model (include/ccnc/precopy.h). */
#include "config.h"

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

int
ccnc_precopy_predict(const struct ccnc_precopy_input *in, struct ccnc_precopy_prediction *out)
{
    double mem, first, ws, rate, dirty, limit, pending, t;
    int max;

    memset(out, 0, sizeof(*out));
    if (!in || bad(in->memory_bytes) || bad(in->first_round_bytes) || bad(in->rate_bps) ||
        bad(in->dirty_bps) || bad(in->working_set_bytes) || bad(in->limit_ms) ||
        bad(in->setup_ms) || bad(in->switchover_ms) || bad(in->gap_extra_ms) ||
        in->max_rounds < 0 || !(in->memory_bytes > 0) || !(in->rate_bps > 0))
        return -1;
    mem = in->memory_bytes;
    first = in->first_round_bytes > 0 ? fmin(in->first_round_bytes, mem) : mem;
    ws = in->working_set_bytes > 0 ? fmin(in->working_set_bytes, mem) : mem;
    rate = in->rate_bps;
    dirty = in->dirty_bps;
    limit = in->limit_ms > 0 ? in->limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS;
    max = in->max_rounds > 0 ? in->max_rounds : CCNC_PRECOPY_MAX_ROUNDS;
    out->threshold_bytes = rate * limit / 1000;

    /* The first round always runs: QEMU knows no rate to compare with
     * before its first bytes have gone. */
    t = in->setup_ms;
    pending = first;
    for (;;) {
        double dt_ms = pending / rate * 1000, next;

        out->rounds++;
        t += dt_ms;
        out->sent_bytes += pending;
        next = fmin(dirty * dt_ms / 1000, ws);
        if (next <= out->threshold_bytes) {
            out->converges = true;
            out->rest_bytes = next;
            out->sent_bytes += next;
            out->downtime_ms = next / rate * 1000 + in->switchover_ms;
            out->gap_ms = out->downtime_ms + in->gap_extra_ms;
            out->total_ms = t + out->downtime_ms;
            return 0;
        }
        /* a round that leaves as much as it sent: the next ones will too */
        if (next >= pending || out->rounds >= max) {
            out->total_ms = t;
            return 0;
        }
        pending = next;
    }
}

static bool
converges(const struct ccnc_precopy_input *in)
{
    struct ccnc_precopy_prediction p;

    return ccnc_precopy_predict(in, &p) == 0 && p.converges;
}

/* Whether a migration converges grows with the limit and with the rate
 * (a bigger threshold, shorter rounds): both are found by bisection. */
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
                   const long long *values, size_t n)
{
    double elapsed, downtime, setup = 0, total, processed, dirty, copy_ms;

    if (!stat_of(names, values, n, "time_elapsed", &elapsed) ||
        !stat_of(names, values, n, "downtime", &downtime) ||
        !stat_of(names, values, n, "memory_total", &total) ||
        !stat_of(names, values, n, "memory_processed", &processed) || !(processed > 0) ||
        !(total > 0))
        return -1;
    stat_of(names, values, n, "setup_time", &setup);
    copy_ms = elapsed - downtime - setup;
    if (!(copy_ms > 0))
        return -1;
    in->rate_bps = processed / copy_ms * 1000;
    /* a guest that dirtied nothing: every byte went once, before the stop */
    if (stat_of(names, values, n, "memory_dirty_rate", &dirty) && dirty == 0) {
        in->memory_bytes = total;
        in->first_round_bytes = fmin(processed, total);
        in->switchover_ms = downtime;
        in->setup_ms = setup;
        return 3;
    }
    return 1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
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
    qsort(v, k, sizeof(*v), cmp_double);
    m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
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
    MEDIAN(setup_ms);
    MEDIAN(gap_extra_ms);
#undef MEDIAN
}
