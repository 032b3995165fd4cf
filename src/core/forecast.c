/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast from the run files of earlier ones
 * (ccnc/forecast.h). */

#include "config.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/error.h>
#include <ccnc/forecast.h>
#include <ccnc/policy.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "core/json-get.h"

/* Run files are small; one bigger than this is not read. */
#define RUN_FILE_MAX (16u << 20)

static int
name_newest_first(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

/* A first round's statistics with less than this on the wire were read as
 * it began. */
#define START_BYTES (4 * 1024 * 1024)

/* What one run file says for the forecast. */
struct learnt_run {
    struct ccnc_precopy_input in;  /* ccnc_precopy_learn of its completed job */
    bool same_vm;
    double gap_extra_ms;           /* longest gap - downtime; < 0: none */
    double dirty_ratio;            /* QEMU's rounds' dirty rate over the
                                    * sample; 0: not known */
    double start_ms;               /* when its first pass began; 0: not known */
    double ended_limit_ms;         /* the downtime limit it ended at; 0: none set */
    char policy[24];               /* the policy that set its first one */
    double background_bytes;       /* sampled below CCNC_FORECAST_RATIO_MIN_BPS:
                                    * what its first round left; 0: not known */
};

static bool
same_pair(const char *s, const char *d, const char *a, const char *b)
{
    return s && d &&
           ((strcmp(s, a) == 0 && strcmp(d, b) == 0) || (strcmp(s, b) == 0 && strcmp(d, a) == 0));
}

/* Read the run file at path: a migration between a and b whose job
 * completed fills *out; false for any other.  A run whose first pass's
 * start was not read in time (its first round's statistics came late)
 * takes fallback_ms as its start for the link's rate (0: libvirt's
 * setup_time, which leaves QEMU's start inside the copy's time). */
static bool
learn_run(const char *path, const char *vm, const char *a, const char *b, double fallback_ms,
          struct learnt_run *out)
{
    size_t len;
    char *text = ccnc_file_read(path, RUN_FILE_MAX, &len, NULL), *line, *save = NULL;
    json_object *completed = NULL;
    bool pair = false, first = true;
    double downtime = -1, gap = -1, limit = 0, start = 0, sample = 0, first_limit = 0;
    bool sampled = false;   /* its first step measured the dirty rate (sample) */
    double seen_ms = -1, seen_bytes = 0, latest = -1;  /* the first round's first reading */
    double read_ms = -1;   /* the newest reading's time_elapsed */
    struct ccnc_precopy_limit_set *set_limits = NULL;
    size_t n_set = 0, cap_set = 0;
    bool by_course = false;   /* the limit in force at the stop was set on the course */
    struct ccnc_precopy_round *rounds = NULL;
    size_t n_rounds = 0, cap_rounds = 0;

    if (!text)
        return false;
    memset(out, 0, sizeof(*out));
    out->gap_extra_ms = -1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_object *o = json_tokener_parse(line);
        const char *type = ccnc_json_get_str(o, "type");

        if (!type) {
            json_object_put(o);
            continue;
        }
        if (first && strcmp(type, "run") == 0) {
            const char *kind = ccnc_json_get_str(o, "kind");
            const char *v = ccnc_json_get_str(o, "vm");

            pair = kind && strncmp(kind, "migrate", 7) == 0 &&
                   same_pair(ccnc_json_get_str(o, "source"),
                             ccnc_json_get_str(o, "destination"), a, b);
            out->same_vm = v && vm && strcmp(v, vm) == 0;
            first = false;
        } else if (first) {
            json_object_put(o);
            break;   /* not a run file */
        } else if (pair && strcmp(type, "job") == 0) {
            const char *phase = ccnc_json_get_str(o, "phase");
            json_object *st = ccnc_json_get_object(o, "stats");
            bool round = phase && strcmp(phase, "iteration") == 0;

            if (round && ccnc_json_get_int(st, "time_elapsed", -1) >= 0)
                read_ms = (double)ccnc_json_get_int(st, "time_elapsed", -1);

            if (phase && strcmp(phase, "completed") == 0) {
                json_object_put(completed);
                completed = json_object_get(st);
            }
            if (round && ccnc_json_get_int(st, "memory_iteration", -1) >= 0) {
                struct ccnc_precopy_round *x =
                    ccnc_array_push(&rounds, &n_rounds, &cap_rounds, sizeof(*rounds));

                x->iteration = (double)ccnc_json_get_int(st, "memory_iteration", -1);
                x->elapsed_ms = (double)ccnc_json_get_int(st, "time_elapsed", -1);
                x->processed = (double)ccnc_json_get_int(st, "memory_processed", -1);
                x->remaining = (double)ccnc_json_get_int(st, "memory_remaining", -1);
                x->dirty_pages_s = (double)ccnc_json_get_int(st, "memory_dirty_rate", -1);
                x->bps = (double)ccnc_json_get_int(st, "memory_bps", -1);
                /* the limit at the first round's sync: the one set by then */
                if (x->iteration <= 2)
                    first_limit = limit;
            }
            if (round && ccnc_json_get_int(st, "memory_iteration", -1) == 1 && seen_ms < 0 &&
                ccnc_json_get_int(st, "memory_processed", -1) >= 0) {
                seen_ms = (double)ccnc_json_get_int(st, "time_elapsed", -1);
                seen_bytes = (double)ccnc_json_get_int(st, "memory_processed", -1);
            } else if (round && seen_ms >= 0 && latest < 0 &&
                       ccnc_json_get_int(st, "memory_processed", -1) > seen_bytes &&
                       ccnc_json_get_int(st, "time_elapsed", -1) > seen_ms) {
                /* the next reading that moved: the pace the first went at */
                double t = (double)ccnc_json_get_int(st, "time_elapsed", -1),
                       p = (double)ccnc_json_get_int(st, "memory_processed", -1);

                latest = fmax(0, seen_ms - seen_bytes * (t - seen_ms) / (p - seen_bytes));
            }
            if (round && start == 0 && ccnc_json_get_int(st, "memory_iteration", -1) == 1 &&
                ccnc_json_get_int(st, "memory_processed", -1) >= 0 &&
                ccnc_json_get_int(st, "memory_processed", -1) < START_BYTES) {
                /* the first pass, read before its pages went */
                start = (double)ccnc_json_get_int(st, "time_elapsed", 0);
            }
        } else if (pair && strcmp(type, "forecast") == 0) {
            json_object *fc = ccnc_json_get_object(o, "forecast");

            /* the sample the migration's first step took */
            if (fc && ccnc_json_get_bool(fc, "dirty_measured", false)) {
                sample = (double)ccnc_json_get_int(fc, "dirty_bps", 0);
                sampled = true;
            }
        } else if (pair && strcmp(type, "setting") == 0) {
            const char *name = ccnc_json_get_str(o, "name");

            /* the downtime limit the policy set last: the one it ended
             * with; the first one's reason names the policy */
            if (name && strcmp(name, "downtime_limit_ms") == 0 &&
                ccnc_json_get_int(o, "value", -1) > 0) {
                if (limit == 0)
                    snprintf(out->policy, sizeof(out->policy), "%s",
                             ccnc_json_get_str(o, "why") ? ccnc_json_get_str(o, "why") : "");
                limit = (double)ccnc_json_get_int(o, "value", -1);
                *(struct ccnc_precopy_limit_set *)ccnc_array_push(
                    &set_limits, &n_set, &cap_set, sizeof(*set_limits)) =
                    (struct ccnc_precopy_limit_set){
                        limit, read_ms,
                        ccnc_policy_raise_of(ccnc_json_get_str(o, "why")) ==
                            CCNC_POLICY_RAISE_COURSE
                    };
            }
        } else if (pair && strcmp(type, "result") == 0) {
            gap = (double)ccnc_json_get_int(o, "longest_gap_ms", -1);
        }
        json_object_put(o);
    }
    free(text);
    if (!completed) {
        free(rounds);
        free(set_limits);
        return false;
    }
    {
        size_t n = 0, cap = (size_t)json_object_object_length(completed);
        const char **names = ccnc_xcalloc(cap ? cap : 1, sizeof(*names));
        long long *values = ccnc_xcalloc(cap ? cap : 1, sizeof(*values));
        size_t in_force = n_set ? n_set - 1 : 0;   /* the setting at the stop */
        int set;

        json_object_object_foreach(completed, key, val)
        {
            if (n < cap && json_object_is_type(val, json_type_int)) {
                names[n] = key;
                values[n++] = json_object_get_int64(val);
                if (strcmp(key, "downtime") == 0)
                    downtime = (double)values[n - 1];
            }
        }
        /* the limit in force when the guest stopped */
        if (downtime >= 0 && ccnc_json_get_int(completed, "time_elapsed", -1) > 0 && n_set)
            limit = ccnc_precopy_limit_at_stop(
                set_limits, n_set,
                (double)ccnc_json_get_int(completed, "time_elapsed", -1) - downtime, &in_force);
        /* a limit the course raised, or one a stall raised above it,
         * says how long the run went, not what its guest rewrites */
        for (size_t i = 0; i < n_set && i <= in_force; i++)
            by_course = by_course || set_limits[i].course;
        free(set_limits);
        /* another run's start, but never after this one's own pages were
         * going: its first reading, taken back at the pace to the next */
        if (fallback_ms > 0 && seen_ms >= 0)
            fallback_ms = fmin(fallback_ms, latest >= 0 ? latest : seen_ms);
        set = ccnc_precopy_learn(&out->in, names, values, n, limit,
                                 start > 0 ? start : fallback_ms);
        if (set >= 0 && sample >= CCNC_FORECAST_RATIO_MIN_BPS) {
            double *rate = ccnc_xcalloc(n_rounds ? n_rounds : 1, sizeof(*rate)), at = -1, it = -1;
            size_t k = 0;

            /* QEMU's rate over a round of a second or more (the sample's
             * period), read as it ended: rounds that follow each other
             * faster count what the guest rewrites all the time once per
             * sync (on the lab an idle guest's 1-2.6 MB, ten times a
             * second, read as 11-15 MB/s) */
            for (size_t i = 0; i < n_rounds; i++) {
                bool next = rounds[i].iteration == it + 1, long_round;

                if (rounds[i].iteration == it)
                    continue;   /* the same round read again */
                long_round = next && at >= 0 &&
                             rounds[i].elapsed_ms - at >= CCNC_FORECAST_SAMPLE_S * 1000.0;
                it = rounds[i].iteration;
                at = rounds[i].elapsed_ms;
                if (long_round && rounds[i].iteration >= 2 && rounds[i].dirty_pages_s > 0)
                    rate[k++] = rounds[i].dirty_pages_s * CCNC_PRECOPY_PAGE;
            }
            if (k)
                out->dirty_ratio = ccnc_median(rate, k) / sample;
            free(rate);
        }
        /* sampled at its background only: what the first round left, the
         * pages it rewrites (the first reading of the next round) */
        if (set >= 0 && sampled && sample < CCNC_FORECAST_RATIO_MIN_BPS)
            for (size_t i = 0; i < n_rounds; i++)
                if (rounds[i].iteration == 2) {
                    out->background_bytes = fmax(0, rounds[i].remaining);
                    break;
                }
        if (set >= 0)
            ccnc_precopy_learn_rounds(&out->in, rounds, n_rounds,
                                      (double)ccnc_json_get_int(completed, "time_elapsed", -1),
                                      (double)ccnc_json_get_int(completed, "downtime", -1),
                                      (double)ccnc_json_get_int(completed, "memory_iteration", -1),
                                      first_limit > 0 ? first_limit : limit);
        free(names);
        free(values);
        free(rounds);
        json_object_put(completed);
        if (set < 0)
            return false;
    }
    if (gap >= 0 && downtime >= 0)
        out->gap_extra_ms = fmax(0, gap - downtime);
    out->start_ms = start > 0 && out->in.setup_ms == start ? start : 0;
    out->ended_limit_ms = by_course ? 0 : limit;
    return true;
}

/* How many of the newest runs of link[n] (newest first) were on the link
 * the newest was on: the first that carried more than
 * CCNC_FORECAST_LINK_CHANGE times faster or slower than the newest, and
 * those before it, were on another. */
static size_t
link_era(const struct ccnc_precopy_input *link, size_t n)
{
    double r0 = n ? link[0].rate_bps : 0;
    size_t k = 1;

    if (!(r0 > 0))
        return n;
    while (k < n && !(link[k].rate_bps > r0 * CCNC_FORECAST_LINK_CHANGE ||
                      link[k].rate_bps * CCNC_FORECAST_LINK_CHANGE < r0))
        k++;
    return k;
}

/* The runs of learnt[n] that taught a switch-over at limit_ms, into same. */
static size_t
at_limit(const struct ccnc_precopy_input *learnt, size_t n, double limit_ms,
         struct ccnc_precopy_input *same)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (learnt[i].switchover_ms > 0 && learnt[i].switchover_limit_ms == limit_ms)
            same[k++] = learnt[i];
    return k;
}

size_t
ccnc_forecast_learn(struct ccnc_forecast *f, const char *dir, const char *vm, const char *a,
                    const char *b, double memory_bytes)
{
    DIR *d = dir && a && b ? opendir(dir) : NULL;
    struct dirent *e;
    char **names = NULL;
    size_t n_names = 0, cap = 0, n = 0, n_vm = 0, n_gap = 0, n_rate = 0;
    struct ccnc_precopy_input link[CCNC_FORECAST_HISTORY], mine[CCNC_FORECAST_HISTORY];
    double gaps[CCNC_FORECAST_HISTORY], ratios[CCNC_FORECAST_HISTORY], start = 0;
    char *late[CCNC_FORECAST_HISTORY];    /* runs whose start was not seen */
    int mine_at[CCNC_FORECAST_HISTORY];   /* each one's place in mine, -1 */
    double ended[CCNC_FORECAST_HISTORY];  /* this VM's, under f's policy: the
                                           * limit each ended at; else 0 */
    double background[CCNC_FORECAST_HISTORY];   /* this VM's: what its first
                                                 * round left, sampled at its
                                                 * background only; else 0 */

    f->n_link = f->n_link_before = f->n_vm = f->n_gap = f->n_ratio = f->n_ended = 0;
    f->n_background = 0;
    f->background_bytes = 0;
    f->dirty_ratio = 0;
    f->ended_limit_ms = 0;
    if (memory_bytes > 0)
        f->in.memory_bytes = memory_bytes;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0)
            *(char **)ccnc_array_push(&names, &n_names, &cap, sizeof(char *)) =
                ccnc_xstrdup(e->d_name);
    }
    closedir(d);
    /* their names start with the time they started */
    if (n_names > 1)
        qsort(names, n_names, sizeof(*names), name_newest_first);
    for (size_t i = 0; i < n_names && n < CCNC_FORECAST_HISTORY; i++) {
        char *path = ccnc_xasprintf("%s/%s", dir, names[i]);
        struct learnt_run r;

        if (learn_run(path, vm, a, b, 0, &r)) {
            late[n] = r.start_ms > 0 ? NULL : ccnc_xstrdup(path);
            mine_at[n] = r.same_vm ? (int)n_vm : -1;
            ended[n] = r.same_vm && f->policy[0] && strcmp(r.policy, f->policy) == 0
                           ? r.ended_limit_ms
                           : 0;
            background[n] = r.same_vm ? r.background_bytes : 0;
            link[n++] = r.in;
            if (r.start_ms > 0 && (start == 0 || r.start_ms < start))
                start = r.start_ms;
            if (r.same_vm) {
                mine[n_vm++] = r.in;
                if (r.dirty_ratio > 0)
                    ratios[f->n_ratio++] = r.dirty_ratio;
            }
            if (r.gap_extra_ms >= 0)
                gaps[n_gap++] = r.gap_extra_ms;
        }
        free(path);
    }
    /* a run whose start was not seen: its copy began as the others' did,
     * not when libvirt's setup_time says (that would count QEMU's start,
     * which the forecast adds as its setup, in the link's time too) */
    for (size_t i = 0; i < n; i++) {
        struct learnt_run r;

        if (late[i] && start > 0 && learn_run(late[i], vm, a, b, start, &r)) {
            link[i] = r.in;
            if (mine_at[i] >= 0)
                mine[mine_at[i]] = r.in;
        }
        free(late[i]);
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    if (n) {
        struct ccnc_precopy_input m = f->in, same[CCNC_FORECAST_HISTORY];
        double want = f->in.limit_ms > 0 ? f->in.limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS;
        size_t n_same = 0;

        /* the link: the migrations between the two since its rate changed */
        n_rate = link_era(link, n);
        /* the limit the policy ended this VM's at, on this link: the
         * median, the lower one of two (a limit it set); and what those
         * that ended there had left when the guest stopped */
        {
            double v[CCNC_FORECAST_HISTORY];

            for (size_t i = 0; i < n_rate; i++)
                if (ended[i] > 0) {
                    f->ended_at_ms[f->n_ended] = ended[i];
                    f->ended_rest_bytes[f->n_ended] = link[i].stop_rest_bytes;
                    v[f->n_ended++] = ended[i];
                }
            if (f->n_ended) {
                ccnc_median(v, f->n_ended);   /* sorts them */
                f->ended_limit_ms = v[(f->n_ended - 1) / 2];
            }
            /* and what this VM rewrites at its background, on this link */
            for (size_t i = 0; i < n_rate; i++)
                if (background[i] > 0)
                    v[f->n_background++] = background[i];
            if (f->n_background)
                f->background_bytes = ccnc_median(v, f->n_background);
        }
        ccnc_precopy_median(link, n_rate, &m);
        f->in.rate_bps = m.rate_bps;
        /* the rest: every migration between the two */
        m = f->in;
        ccnc_precopy_median(link, n, &m);
        /* the setup: the shortest first-pass start the run files saw, a
         * warm one (the first migration to a host after its libvirtd
         * started takes seconds more to start its QEMU, once; which one
         * the next is cannot be told); else libvirt's setup_time */
        f->in.setup_ms = start > 0 ? start : m.setup_ms;
        /* the stop's own cost: the hosts' and QEMU's, any guest's */
        if (m.stop_ms > 0)
            f->in.stop_ms = m.stop_ms;
        /* the switch-over: those that ended at the limit this one starts
         * with, else those at the limit of the newest that taught one (a
         * downtime goes with the limit it was had at) */
        n_same = at_limit(link, n, want, same);
        for (size_t i = 0; i < n && n_same == 0; i++)
            if (link[i].switchover_ms > 0)
                n_same = at_limit(link, n, link[i].switchover_limit_ms, same);
        if (n_same) {
            struct ccnc_precopy_input sw = { 0 };

            ccnc_precopy_median(same, n_same, &sw);
            f->in.switchover_ms = sw.switchover_ms;
            f->in.switchover_limit_ms = sw.switchover_limit_ms;
        }
    }
    if (n_vm) {
        struct ccnc_precopy_input m = { 0 };
        double share;

        /* the RAM on the wire: this VM's newest run's, as a share of its
         * RAM then.  What a guest has written stays written (a freed page
         * is not zeroed), so the share only grows until it boots again: a
         * workload that first wrote its working set during the last
         * migration has that much more to send in the next one's first
         * round than the runs before. */
        ccnc_precopy_median(mine, n_vm, &m);
        share = 0;
        for (size_t i = 0; i < n_vm && share == 0; i++)
            if (mine[i].memory_bytes > 0 && mine[i].first_round_bytes > 0)
                share = mine[i].first_round_bytes / mine[i].memory_bytes;
        if (!(f->in.memory_bytes > 0))
            f->in.memory_bytes = m.memory_bytes;
        if (share > 0)
            f->in.first_round_bytes = share * f->in.memory_bytes;
        /* the first round's tail: how its zero pages lie in this VM's RAM */
        if (m.first_tail_share > 0)
            f->in.first_tail_share = m.first_tail_share;
    }
    if (n_gap) {
        struct ccnc_precopy_input g[CCNC_FORECAST_HISTORY] = { 0 }, m = { 0 };

        for (size_t i = 0; i < n_gap; i++)
            g[i].gap_extra_ms = gaps[i] > 0 ? gaps[i] : 1e-9;
        ccnc_precopy_median(g, n_gap, &m);
        f->in.gap_extra_ms = m.gap_extra_ms;
    }
    if (f->n_ratio)
        f->dirty_ratio = ccnc_median(ratios, f->n_ratio);
    f->n_link = n_rate;
    f->n_link_before = n - n_rate;
    f->n_vm = n_vm;
    f->n_gap = n_gap;
    return n;
}

bool
ccnc_forecast_ratio_applies(const struct ccnc_forecast *f)
{
    return f->dirty_ratio > 0 && f->in.dirty_bps >= CCNC_FORECAST_RATIO_MIN_BPS;
}

double
ccnc_forecast_dirty_share(const struct ccnc_forecast *f)
{
    if (!f->dirty_measured || !(f->in.rate_bps > 0))
        return 0;
    return f->in.dirty_bps * (ccnc_forecast_ratio_applies(f) ? f->dirty_ratio : 1) /
           f->in.rate_bps;
}

bool
ccnc_forecast_at_edge(const struct ccnc_forecast *f)
{
    double share = ccnc_forecast_dirty_share(f);

    return f->valid && share >= CCNC_FORECAST_EDGE_LOW && share <= CCNC_FORECAST_EDGE_HIGH;
}

/* Whether f's policy raises the limit at stalled rounds. */
static bool
raises_at_stalls(const struct ccnc_forecast *f)
{
    int p = ccnc_policy_from_string(f->policy);

    /* (the ladder raises it on the clock: where it ended says how long
     * the run took, not what the guest rewrites) */
    return p == CCNC_POLICY_LOWEST || p == CCNC_POLICY_MINIMAL_DOWNTIME;
}

/* Whether the model starts from the limit the policy ended this VM's
 * earlier runs at: a policy that raises the limit at stalled rounds, and a
 * higher one than it starts from, not above the highest it sets now (a
 * lab whose max_downtime_ms was lowered since). */
static bool
ended_applies(const struct ccnc_forecast *f)
{
    double start = f->start_limit_ms > 0 ? f->start_limit_ms : f->in.limit_ms;

    return raises_at_stalls(f) && f->ended_limit_ms > start && f->ended_limit_ms <= f->raise_to_ms;
}

/* What this VM's runs that the policy ended at limit_ms had left at their
 * last sync (the median), for a policy that raises the limit at stalled
 * rounds: it stops the guest once what it rewrites all the time fits, not
 * anywhere under the threshold; 0: none known. */
static double
rest_at(const struct ccnc_forecast *f, double limit_ms)
{
    double v[CCNC_FORECAST_HISTORY];
    size_t k = 0;

    if (!raises_at_stalls(f))
        return 0;
    for (size_t i = 0; i < f->n_ended && i < CCNC_FORECAST_HISTORY; i++)
        if (f->ended_at_ms[i] == limit_ms && f->ended_rest_bytes[i] > 0)
            v[k++] = f->ended_rest_bytes[i];
    return k ? ccnc_median(v, k) : 0;
}

/* Whether 'lowest' would raise the limit on the course of a migration
 * forecast as p (in: its input): it would not end, or end beyond the
 * policy's share of its timeout. */
static bool
late(const struct ccnc_precopy_input *in, const struct ccnc_precopy_prediction *p)
{
    return !p->converges || p->total_ms > CCNC_POLICY_COURSE_SHARE * ccnc_precopy_max_ms(in);
}

/* The model on *in at its limit, and when that will not converge at the
 * one the policy raises to (in->limit_ms then that one); under 'lowest',
 * when it would end late, at the lowest of its steps that ends in time,
 * as it raises the limit on the course (course_ms then that one).  False
 * when the input cannot be modelled. */
static bool
model(const struct ccnc_forecast *f, struct ccnc_precopy_input *in,
      struct ccnc_precopy_prediction *out, double *course_ms)
{
    if (course_ms)
        *course_ms = 0;
    if (ccnc_precopy_predict(in, out) < 0)
        return false;
    if (ccnc_policy_from_string(f->policy) == CCNC_POLICY_LOWEST &&
        f->raise_to_ms > in->limit_ms && late(in, out)) {
        struct ccnc_policy_state st = { .policy = CCNC_POLICY_LOWEST,
                                        .max_ms = (int)f->raise_to_ms };
        struct ccnc_precopy_input x = *in;
        struct ccnc_precopy_prediction p;

        for (int l = ccnc_policy_next(&st, (int)in->limit_ms); l > 0;
             l = ccnc_policy_next(&st, l)) {
            x.limit_ms = l;
            x.stop_rest_bytes = rest_at(f, l);
            if (ccnc_precopy_predict(&x, &p) < 0)
                return false;
            if (!late(&x, &p) || l >= f->raise_to_ms) {
                /* (where what is left would stop shrinking, a stall
                 * raises it; at the highest it may still end late) */
                if (course_ms && (out->converges || out->out_of_time) && !late(&x, &p))
                    *course_ms = l;
                *in = x;
                *out = p;
                break;
            }
        }
        return true;
    }
    if (!out->converges && f->raise_to_ms > in->limit_ms) {
        /* the policy raises the limit when the rounds stall: up to this */
        in->limit_ms = f->raise_to_ms;
        in->stop_rest_bytes = rest_at(f, in->limit_ms);
        return ccnc_precopy_predict(in, out) == 0;
    }
    return true;
}

void
ccnc_forecast_compute(struct ccnc_forecast *f)
{
    double sample = f->in.dirty_bps;
    struct ccnc_precopy_input start;

    f->tried = true;
    if (f->start_limit_ms > 0)
        f->in.limit_ms = f->start_limit_ms;
    /* a policy that raises the limit at each stalled round ended this
     * VM's migrations here at ended_limit_ms: below it, what the guest
     * rewrites all the time (its kernel's own pages, its network buffers)
     * and what it dirtied did not fit under the threshold, whatever the
     * sample says (on the lab at 100 Mb/s an idle guest left 1-2.6 MB at
     * each sync, 600 KB fit at 50 ms, and 'lowest' ended at 200-300 ms) */
    if (ended_applies(f))
        f->in.limit_ms = f->ended_limit_ms;
    /* and the guest stops with what it left there */
    f->in.stop_rest_bytes = rest_at(f, f->in.limit_ms);
    /* a guest sampled at its background only rewrites what this VM's
     * earlier runs so sampled left after their first round */
    if (f->background_applied)
        f->in.working_set_bytes = 0;
    f->background_applied = f->background_bytes > 0 && f->dirty_measured &&
                            sample < CCNC_FORECAST_RATIO_MIN_BPS &&
                            !(f->in.working_set_bytes > 0);
    if (f->background_applied)
        f->in.working_set_bytes = f->background_bytes;
    /* the model takes what the guest will dirty while it migrates, as
     * learnt from samples of a guest that dirtied as much */
    if (ccnc_forecast_ratio_applies(f))
        f->in.dirty_bps = sample * f->dirty_ratio;
    start = f->in;
    f->valid = model(f, &f->in, &f->out, &f->course_limit_ms);
    f->limit_to_converge_ms = -1;
    f->rate_to_converge_bps = -1;
    memset(&f->at_limit, 0, sizeof(f->at_limit));
    memset(&f->at_rate, 0, sizeof(f->at_rate));
    memset(&f->with_auto_converge, 0, sizeof(f->with_auto_converge));
    if (f->valid && !f->out.converges) {
        struct ccnc_precopy_input x = f->in;

        f->limit_to_converge_ms = ccnc_precopy_limit_to_converge(&f->in, 10000);
        f->rate_to_converge_bps = ccnc_precopy_rate_to_converge(&f->in);
        /* the figures each would give */
        if (f->limit_to_converge_ms > 0) {
            /* (the rest learnt at another limit does not hold there) */
            x.limit_ms = f->limit_to_converge_ms;
            x.stop_rest_bytes = rest_at(f, x.limit_ms);
            ccnc_precopy_predict(&x, &f->at_limit);
            x.limit_ms = f->in.limit_ms;
            x.stop_rest_bytes = f->in.stop_rest_bytes;
        }
        if (f->rate_to_converge_bps > 0) {
            x.rate_bps = f->rate_to_converge_bps;
            ccnc_precopy_predict(&x, &f->at_rate);
            x.rate_bps = f->in.rate_bps;
        }
        if (!f->in.auto_converge) {
            x.auto_converge = true;
            ccnc_precopy_predict(&x, &f->with_auto_converge);
        }
    }
    f->in.dirty_bps = sample;
    memset(&f->edge_less, 0, sizeof(f->edge_less));
    memset(&f->edge_more, 0, sizeof(f->edge_more));
    if (ccnc_forecast_at_edge(f)) {
        /* what the sample cannot tell apart, as the forecast itself: from
         * the policy's first limit, and its last when that will not do */
        struct ccnc_precopy_input x = start;

        x.dirty_bps = start.dirty_bps * (1 - CCNC_FORECAST_EDGE_SPREAD);
        model(f, &x, &f->edge_less, NULL);
        x = start;
        x.dirty_bps = start.dirty_bps * (1 + CCNC_FORECAST_EDGE_SPREAD);
        model(f, &x, &f->edge_more, NULL);
    }
}

/* A long sample saw the working set when its distinct bytes are below
 * this share of what the short samples' rate dirties over its period,
 * that rate taken RESOLUTION lower: QEMU says each sample in whole MiB/s,
 * and a guest writing 8 MiB/s over 128 MiB was sampled 8 to 10 over 1 s
 * and 7 over 3 s on the lab (2026-12-07), which is no working set of
 * 21 MiB (the guest's own background, a few pages rewritten, adds to a
 * short sample more than to a long one).  A working set is then seen when
 * it is less than some 1.8 s of the guest's writing. */
#define SATURATED 0.6
#define RESOLUTION (1024.0 * 1024)

void
ccnc_forecast_add_sample(struct ccnc_forecast *f, double bps, double seconds, long long at_ms)
{
    double sorted[CCNC_FORECAST_SAMPLES], shortest = seconds, ws = 0;
    int n = 0, m = 0;

    /* the samples still fresh, then room for the new one */
    for (int i = 0; i < f->n_samples; i++)
        if (at_ms - f->sample_at_ms[i] <= CCNC_FORECAST_FRESH_MS) {
            f->sample_bps[n] = f->sample_bps[i];
            f->sample_s[n] = f->sample_s[i];
            f->sample_at_ms[n++] = f->sample_at_ms[i];
        }
    if (n == CCNC_FORECAST_SAMPLES) {
        memmove(f->sample_bps, f->sample_bps + 1, (size_t)(n - 1) * sizeof(*f->sample_bps));
        memmove(f->sample_s, f->sample_s + 1, (size_t)(n - 1) * sizeof(*f->sample_s));
        memmove(f->sample_at_ms, f->sample_at_ms + 1, (size_t)(n - 1) * sizeof(*f->sample_at_ms));
        n--;
    }
    f->sample_bps[n] = bps;
    f->sample_s[n] = seconds;
    f->sample_at_ms[n++] = at_ms;
    f->n_samples = n;
    /* the rate: the median of the shortest samples */
    for (int i = 0; i < n; i++)
        shortest = fmin(shortest, f->sample_s[i]);
    for (int i = 0; i < n; i++)
        if (f->sample_s[i] <= shortest)
            sorted[m++] = f->sample_bps[i];
    f->n_rate = m;
    f->in.dirty_bps = ccnc_median(sorted, (size_t)m);
    /* the working set: the newest longer sample that saturated */
    for (int i = 0; i < n; i++)
        if (f->sample_s[i] > shortest &&
            f->sample_bps[i] < SATURATED * (f->in.dirty_bps - RESOLUTION))
            ws = f->sample_bps[i] * f->sample_s[i];
        else if (f->sample_s[i] > shortest)
            ws = 0;
    f->in.working_set_bytes = ws;
    f->background_applied = false;   /* measured or not, it is the sample's now */
    f->dirty_measured = true;
    f->dirty_seconds = shortest;
    f->dirty_why[0] = '\0';
}

bool
ccnc_forecast_fresh(const struct ccnc_forecast *f, long long now_ms)
{
    return f->dirty_measured && f->n_samples > 0 &&
           now_ms - f->sample_at_ms[f->n_samples - 1] <= CCNC_FORECAST_FRESH_MS;
}

static void
append(char **text, const char *fmt, ...) CCNC_PRINTF(2, 3);

static void
append(char **text, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = ccnc_xvasprintf(fmt, ap);
    va_end(ap);
    ccnc_str_appendf(text, "    %s\n", line);
    free(line);
}

#define MIB (1024.0 * 1024.0)

/* The guest's dirty rate, as the forecast took it. */
static void
dirty_line(char **text, const struct ccnc_forecast *f, long long now_ms)
{
    if (f->dirty_measured && f->n_rate > 1 && now_ms > 0)
        /* TRANSLATORS: the guest's dirty rate: the median of several
         * samples of 1 s each, the newest taken N s ago; of its RAM */
        append(text, _("  samples: dirtying %.1f MiB/s of %.0f MiB (median of %d, the last %lld s "
                        "ago)"),
               f->in.dirty_bps / MIB, f->in.memory_bytes / MIB, f->n_rate,
               (now_ms - f->sample_at_ms[f->n_samples - 1]) / 1000);
    else if (f->dirty_measured && f->n_samples >= 1 && now_ms > 0)
        append(text, _("  sample %lld s ago: dirtying %.1f MiB/s of %.0f MiB (over %.0f s)"),
               (now_ms - f->sample_at_ms[f->n_samples - 1]) / 1000, f->in.dirty_bps / MIB,
               f->in.memory_bytes / MIB, f->dirty_seconds);
    else if (f->dirty_measured)
        append(text, _("  RAM %.0f MiB, dirtying %.1f MiB/s (measured over %.0f s)"),
               f->in.memory_bytes / MIB, f->in.dirty_bps / MIB, f->dirty_seconds);
    else
        append(text, _("  RAM %.0f MiB, dirty rate assumed 0 (%s)"), f->in.memory_bytes / MIB,
               f->dirty_why[0] ? f->dirty_why : _("not measured"));
    if (f->dirty_measured && ccnc_forecast_ratio_applies(f))
        /* TRANSLATORS: how much the guest dirtied while it migrated
         * against its sample just before, learnt from N earlier runs */
        append(text, dngettext(PACKAGE, "  while migrating: %.2f x the sample (from %zu earlier run)",
                               "  while migrating: %.2f x the sample (median of %zu earlier runs)",
                               f->n_ratio),
               f->dirty_ratio, f->n_ratio);
    if (f->background_applied)
        /* TRANSLATORS: an idle guest's sample counts the pages it rewrites
         * again and again; %zu earlier runs of this VM left this much
         * after their first round */
        append(text, dngettext(PACKAGE, "  working set %.1f MiB: its background, as an earlier "
                                         "run between these hosts left after its first round",
                               "  working set %.1f MiB: its background, as %zu earlier runs "
                               "between these hosts left after their first round (median)",
                               f->n_background),
               f->background_bytes / MIB, f->n_background);
    else if (f->dirty_measured && f->in.working_set_bytes > 0)
        /* TRANSLATORS: the pages the guest rewrites, as a longer sample of
         * N s saw their number stop growing */
        append(text, _("  working set %.0f MiB (a %d s sample saturated)"),
               f->in.working_set_bytes / MIB, CCNC_FORECAST_LONG_SAMPLE_S);
}

char *
ccnc_forecast_band_text(const struct ccnc_forecast *f)
{
    if (!ccnc_forecast_at_edge(f))
        return NULL;
    if (f->edge_less.converges && f->edge_more.converges)
        /* TRANSLATORS: the forecast again with the guest dirtying 15 %
         * less and 15 % more: one sample cannot tell those apart */
        return ccnc_xasprintf(_("with %.0f %% less or more dirtying: %.1f to %.1f s"),
                              CCNC_FORECAST_EDGE_SPREAD * 100, f->edge_less.total_ms / 1000,
                              f->edge_more.total_ms / 1000);
    if (f->edge_less.converges)
        /* TRANSLATORS: idem, when 15 % more would not end within the
         * migration's timeout */
        return ccnc_xasprintf(_("with %.0f %% less or more dirtying: %.1f s to beyond the "
                                "%.0f s timeout"),
                              CCNC_FORECAST_EDGE_SPREAD * 100, f->edge_less.total_ms / 1000,
                              ccnc_precopy_max_ms(&f->in) / 1000);
    if (!f->out.converges)
        /* TRANSLATORS: idem, when even 15 % less would not do */
        return ccnc_xasprintf(_("even with %.0f %% less dirtying: not within the %.0f s timeout"),
                              CCNC_FORECAST_EDGE_SPREAD * 100, ccnc_precopy_max_ms(&f->in) / 1000);
    return NULL;
}

char *
ccnc_forecast_text(const struct ccnc_forecast *f, long long now_ms)
{
    char *text = NULL;

    if (!f->valid) {
        append(&text, "%s",
               f->in.memory_bytes > 0
                   ? _("Forecast: none; no earlier migration between these hosts says the "
                       "link's rate (the first one will)")
                   : _("Forecast: none; the VM's memory is not known"));
        if (f->dirty_measured)
            dirty_line(&text, f, now_ms);
        return text;
    }
    if (f->out.converges)
        /* TRANSLATORS: the pre-copy forecast: rounds, the migration's time,
         * downtime, the network's gap; kept short for the console's dialog */
        append(&text, dngettext(PACKAGE, "Forecast: %d pre-copy round, %.1f s, downtime %.0f ms, "
                                         "gap %.0f ms",
                                "Forecast: %d pre-copy rounds, %.1f s, downtime %.0f ms, "
                                "gap %.0f ms",
                                (unsigned long)f->out.rounds),
               f->out.rounds, f->out.total_ms / 1000, f->out.downtime_ms, f->out.gap_ms);
    if (f->out.converges && f->out.throttle_pct > 0)
        append(&text, _("  auto-converge slows the guest by %d %% before it stops"),
               f->out.throttle_pct);
    if (!f->out.converges) {
        if (f->out.out_of_time)
            /* TRANSLATORS: the migration would not end within its timeout
             * (lab.conf's timeout_s) */
            append(&text, _("Forecast: IT WILL NOT CONVERGE within the %.0f s timeout: dirtying "
                            "%.1f MiB/s, link %.1f MiB/s, limit %.0f ms"),
                   ccnc_precopy_max_ms(&f->in) / 1000, f->in.dirty_bps / MIB, f->in.rate_bps / MIB,
                   f->in.limit_ms > 0 ? f->in.limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS);
        else
            /* TRANSLATORS: what is left to send would stop shrinking */
            append(&text, _("Forecast: IT WILL NOT CONVERGE: dirtying %.1f MiB/s, link %.1f MiB/s, "
                            "limit %.0f ms"),
                   f->in.dirty_bps / MIB, f->in.rate_bps / MIB,
                   f->in.limit_ms > 0 ? f->in.limit_ms : CCNC_PRECOPY_DEFAULT_LIMIT_MS);
    }
    if (ccnc_forecast_at_edge(f))
        /* TRANSLATORS: the guest dirties close to the link's rate: the
         * rounds QEMU needs cannot be told */
        append(&text, _("  AT THE EDGE (dirtying %.0f %% of the link): QEMU may need a few "
                        "rounds, a hundred, or never stop"),
               ccnc_forecast_dirty_share(f) * 100);
    {
        char *band = ccnc_forecast_band_text(f);

        if (band)
            append(&text, "  %s", band);
        free(band);
    }
    if (!f->out.converges) {
        /* what would make it converge, each with what it would give */
        if (f->limit_to_converge_ms > 0 && f->at_limit.converges)
            /* TRANSLATORS: what would make a non-converging migration
             * converge, each with its forecast: seconds, downtime */
            append(&text, _("  it would with a downtime limit of %.0f ms: %.1f s, downtime %.0f ms"),
                   f->limit_to_converge_ms, f->at_limit.total_ms / 1000, f->at_limit.downtime_ms);
        if (f->rate_to_converge_bps > 0 && f->at_rate.converges)
            append(&text, _("  it would with a link of %.1f MiB/s: %.1f s, downtime %.0f ms"),
                   f->rate_to_converge_bps / MIB, f->at_rate.total_ms / 1000,
                   f->at_rate.downtime_ms);
        if (f->with_auto_converge.converges)
            append(&text, _("  it would with auto-converge: %.1f s, downtime %.0f ms, the guest "
                            "slowed by %d %%"),
                   f->with_auto_converge.total_ms / 1000, f->with_auto_converge.downtime_ms,
                   f->with_auto_converge.throttle_pct);
        if (!(f->limit_to_converge_ms > 0 && f->at_limit.converges) &&
            !(f->rate_to_converge_bps > 0 && f->at_rate.converges) &&
            !f->with_auto_converge.converges)
            append(&text, "%s", _("  no downtime limit up to 10 s, link or auto-converge would"));
    }
    if (f->n_link == 1 && f->n_link_before)
        /* TRANSLATORS: %zu: how many earlier runs carried at another rate */
        append(&text, _("  link %.1f MiB/s: from the newest run between these hosts; the %zu "
                        "before it ran on another link"),
               f->in.rate_bps / MIB, f->n_link_before);
    else if (f->n_link && f->n_link_before)
        /* TRANSLATORS: %zu: the newest runs, on the link as it is now */
        append(&text, _("  link %.1f MiB/s: median of the newest %zu runs between these hosts; "
                        "those before ran on another link"),
               f->in.rate_bps / MIB, f->n_link);
    else if (f->n_link)
        append(&text, dngettext(PACKAGE, "  link %.1f MiB/s: from %zu earlier run between these "
                                         "hosts",
                                "  link %.1f MiB/s: median of %zu earlier runs between these hosts",
                                f->n_link),
               f->in.rate_bps / MIB, f->n_link);
    else
        append(&text, _("  link %.1f MiB/s: the lab's [migration] bandwidth"),
               f->in.rate_bps / MIB);
    if (ended_applies(f))
        /* TRANSLATORS: %s: the [migration] policy's name (lowest,
         * minimal-downtime, ladder); %zu: how many earlier runs */
        append(&text, dngettext(PACKAGE, "  limit %.0f ms: where the %s policy ended this VM's "
                                         "earlier run between these hosts",
                                "  limit %.0f ms: where the %s policy ended this VM's %zu "
                                "earlier runs between these hosts (their median)",
                                f->n_ended),
               f->ended_limit_ms, f->policy, f->n_ended);
    if (f->course_limit_ms > 0 && f->out.converges)
        /* TRANSLATORS: the 'lowest' policy raises the downtime limit while
         * the migration runs when its rounds say it would end later than
         * this: %.0f s, 80 % of the lab's timeout_s */
        append(&text, _("  limit %.0f ms: the lowest at which it ends within %.0f s, as the "
                        "lowest policy raises it when the rounds say it would end later"),
               f->course_limit_ms,
               CCNC_POLICY_COURSE_SHARE * ccnc_precopy_max_ms(&f->in) / 1000);
    dirty_line(&text, f, now_ms);
    return text;
}

char *
ccnc_forecast_course_text(const struct ccnc_precopy_to_go *g, long long timeout_ms, bool *warn)
{
    unsigned long n = g->rounds > 0 ? (unsigned long)g->rounds : 0;
    double end_s = (g->elapsed_ms + g->ms) / 1000;

    *warn = g->course == CCNC_PRECOPY_STALLED ||
            (g->course == CCNC_PRECOPY_SHRINKING && timeout_ms > 0 && end_s * 1000 > timeout_ms);
    switch (g->course) {
    case CCNC_PRECOPY_SHRINKING:
        if (*warn)
            /* TRANSLATORS: as below, when that end comes after the
             * migration's timeout (lab.conf's timeout_s) */
            return ccnc_xasprintf(dngettext(PACKAGE,
                                            "at this pace the end comes at %.0f s, beyond the "
                                            "%lld s timeout (%lu more round)",
                                            "at this pace the end comes at %.0f s, beyond the "
                                            "%lld s timeout (%lu more rounds)",
                                            n),
                                  end_s, timeout_ms / 1000, n);
        /* TRANSLATORS: the course of a running migration: "the end in
         * about 41.0 s, at 78.2 s (38 more rounds, shrinking 3 % a
         * round)" */
        return ccnc_xasprintf(dngettext(PACKAGE,
                                        "the end in about %.1f s, at %.1f s (%lu more round, "
                                        "shrinking %.0f %% a round)",
                                        "the end in about %.1f s, at %.1f s (%lu more rounds, "
                                        "shrinking %.0f %% a round)",
                                        n),
                              g->ms / 1000, end_s, n, (1 - g->shrink) * 100);
    case CCNC_PRECOPY_NEAR:
        return ccnc_xstrdup(_("what is left hovers at the threshold: any round may end it"));
    case CCNC_PRECOPY_STALLED:
        return ccnc_xstrdup(_("what is left is not shrinking: at this limit it will not end"));
    default:
        return NULL;
    }
}
