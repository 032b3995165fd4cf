/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast before it starts: what earlier runs between the
 * two hosts say (core/forecast.c), the VM's memory from the snapshot, and
 * its dirty rate measured by QEMU's page sampling (calc-dirty-rate) on
 * the running guest: in the background for the console's dialog, and as
 * the action's first step. */

#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include <ccnc/action.h>
#include <ccnc/forecast.h>
#include <ccnc/lab.h>
#include <ccnc/log.h>
#include <ccnc/model.h>
#include <ccnc/policy.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "engine/action-internal.h"
#include "engine/collect-libvirt.h"
#include "engine/forecast.h"

/* QEMU's calc-dirty-rate with more pages than libvirt's call asks for
 * (it passes none, and QEMU hashes 512 a GiB: on a 512 MiB guest one
 * changed page then stands for 2 MiB/s).  Through the monitor, which
 * libvirt marks in the domain's log as "tainted: custom-monitor"; its
 * answer is read back through libvirt's stats, as for its own call.
 * 0, or -1 with libvirt's error set. */
static int
start_sampling(virDomainPtr d, int seconds, int pages)
{
    char cmd[160];
    char *reply = NULL;
    int rc;

    snprintf(cmd, sizeof(cmd),
             "{\"execute\":\"calc-dirty-rate\",\"arguments\":"
             "{\"calc-time\":%d,\"sample-pages\":%d,\"mode\":\"page-sampling\"}}",
             seconds, pages);
    rc = virDomainQemuMonitorCommand(d, cmd, &reply, 0);
    if (rc == 0) {
        /* the monitor's own refusal comes as a reply, not as an error */
        json_object *o = reply ? json_tokener_parse(reply) : NULL;

        if (!o || !json_object_object_get_ex(o, "return", NULL))
            rc = -1;
        json_object_put(o);
    }
    free(reply);
    return rc;
}

/* Measure vm's dirty rate on connection c over seconds: bytes per second
 * into *bps, 0; or -1 with why (translated) in why. */
int
ccnc_forecast_measure(virConnectPtr c, const char *vm, int seconds, int pages, double *bps,
                      int *used, char *why, size_t why_len)
{
    virDomainPtr d = virDomainLookupByName(c, vm);
    int rc = -1;

    if (d && pages > 0 && start_sampling(d, seconds, pages) == 0) {
        if (used)
            *used = pages;
    } else if (d && virDomainStartDirtyRateCalc(d, seconds,
                                               VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING) == 0) {
        /* QEMU's default */
        if (used)
            *used = 512;
    } else {
        const char *lv = virGetLastErrorMessage();

        snprintf(why, why_len, _("QEMU would not measure it: %s"), lv ? lv : "?");
        goto out;
    }
    /* bounded: the measurement, then a few seconds for its report; asked
     * often, for the figure comes within a few ms of the period's end */
    usleep((useconds_t)seconds * 1000 * 1000);
    for (int i = 0; i < 5 * 20 && rc < 0; i++) {
        virDomainPtr doms[] = { d, NULL };
        virDomainStatsRecordPtr *records = NULL;
        int status = -1;
        unsigned long long mib = 0;
        bool have = false;

        if (virDomainListGetStats(doms, VIR_DOMAIN_STATS_DIRTYRATE, &records, 0) < 1) {
            virDomainStatsRecordListFree(records);
            usleep(50 * 1000);
            continue;
        }
        for (int k = 0; k < records[0]->nparams; k++) {
            virTypedParameterPtr p = &records[0]->params[k];

            if (strcmp(p->field, "dirtyrate.calc_status") == 0 && p->type == VIR_TYPED_PARAM_INT)
                status = p->value.i;
            else if (strcmp(p->field, "dirtyrate.megabytes_per_second") == 0 &&
                     p->type == VIR_TYPED_PARAM_LLONG) {
                mib = (unsigned long long)p->value.l;
                have = true;
            }
        }
        virDomainStatsRecordListFree(records);
        if (status == VIR_DOMAIN_DIRTYRATE_MEASURED && have) {
            *bps = (double)mib * 1024 * 1024;
            rc = 0;
        } else {
            usleep(50 * 1000);
        }
    }
    if (rc < 0)
        snprintf(why, why_len, _("QEMU gave no figure within %d s"), seconds + 5);
out:
    if (d)
        virDomainFree(d);
    return rc;
}

/* The same on host, over a connection of its own. */
static int
measure_on(const struct ccnc_lab *lab, const char *host, const char *vm, int seconds, double *bps,
           char *why, size_t why_len)
{
    struct ccnc_error err = { 0 };
    virConnectPtr c;
    int rc;

    if (ccnc_libvirt_events_acquire() < 0) {
        snprintf(why, why_len, "%s", _("libvirt cannot start"));
        return -1;
    }
    c = ccnc_run_open_host(host, lab, &err);
    if (!c) {
        snprintf(why, why_len, "%s", err.message ? err.message : "?");
        ccnc_error_clear(&err);
        ccnc_libvirt_events_release();
        return -1;
    }
    rc = ccnc_forecast_measure(c, vm, seconds, lab->migration.dirty_sample_pages, bps, NULL, why,
                               why_len);
    virConnectClose(c);
    ccnc_libvirt_events_release();
    return rc;
}

void
ccnc_forecast_fill(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                   const char *runs_dir, struct ccnc_action *a, int measure_s)
{
    const struct ccnc_vm *vm = snap ? ccnc_snapshot_find_vm(snap, a->vm, NULL) : NULL;
    struct ccnc_forecast *f = &a->forecast;
    double memory = vm && vm->memory_kib > 0 ? (double)vm->memory_kib * 1024 : 0;

    if (!a->destination || !a->source || !ccnc_action_kind_migrates(a->kind))
        return;
    memset(f, 0, sizeof(*f));
    {
        /* the limit the policy starts with (ccnc/policy.h), and the
         * highest it raises to when the rounds stall */
        struct ccnc_policy_state st;

        snprintf(f->policy, sizeof(f->policy), "%s",
                 ccnc_policy_to_string(lab->migration.policy));
        f->start_limit_ms = ccnc_policy_start(&st, lab->migration.policy,
                                              lab->migration.max_downtime_ms, memory);
        if (ccnc_policy_highest(&st) > f->start_limit_ms)
            f->raise_to_ms = ccnc_policy_highest(&st);
        f->in.auto_converge = lab->migration.auto_converge ||
                              ccnc_policy_auto_converge(lab->migration.policy);
        /* a migration that outlasts it does not converge: ccnc ends it */
        f->in.max_ms = lab->migration.timeout_s * 1000.0;
    }
    ccnc_forecast_learn(f, runs_dir, a->vm, a->source, a->destination, memory);
    if (lab->migration.bandwidth_mbps > 0) {
        /* libvirt holds the migration to it (MiB/s) */
        double cap = lab->migration.bandwidth_mbps * 1024.0 * 1024.0;

        if (!(f->in.rate_bps > 0) || f->in.rate_bps > cap)
            f->in.rate_bps = cap;
    }
    /* page sampling, under KVM as under TCG (docs/migration-model.md):
     * what the guest dirtied in distinct pages over the period */
    if (measure_s > 0 && vm && vm->state == CCNC_VM_RUNNING) {
        double bps = 0;

        if (measure_on(lab, a->source, a->vm, measure_s, &bps, f->dirty_why,
                       sizeof(f->dirty_why)) == 0) {
            ccnc_forecast_add_sample(f, bps, measure_s, ccnc_now_mono_ms());
            /* then a longer one: a working set smaller than what the rate
             * dirties over it shows as saturated (ccnc/forecast.h) */
            if (measure_s < CCNC_FORECAST_LONG_SAMPLE_S &&
                measure_on(lab, a->source, a->vm, CCNC_FORECAST_LONG_SAMPLE_S, &bps, f->dirty_why,
                           sizeof(f->dirty_why)) == 0)
                ccnc_forecast_add_sample(f, bps, CCNC_FORECAST_LONG_SAMPLE_S, ccnc_now_mono_ms());
            f->dirty_why[0] = '\0';   /* the rate stands on the first */
        }
    } else if (measure_s > 0) {
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", _("the VM is not seen running"));
    } else {
        /* the action's first step samples it */
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", _("the first step samples it"));
    }
    ccnc_log(CCNC_LOG_CONNECT, "%s: forecast from %zu earlier migrations, dirty rate %s", a->vm,
             f->n_link, f->dirty_measured ? "measured" : f->dirty_why);
    ccnc_forecast_compute(f);
}

/* A sample taken in the background (ccnc_engine_dirty_sample). */
struct ccnc_dirty_job {
    struct ccnc_lab *lab;           /* a reference of the job's */
    struct ccnc_loop *loop;
    char *host, *vm;
    int seconds;
    ccnc_forecast_sample_cb cb;
    void *data;
    pthread_t thread;
    bool started;
    bool answered;                  /* its answer came on the loop: nothing waits */
    int rc;
    double bps;
    long long at_ms;
    char why[192];
};

static void
on_sampled(void *arg)
{
    struct ccnc_dirty_job *j = arg;

    j->answered = true;
    if (j->cb)
        j->cb(j->data, j->rc == 0, j->bps, j->seconds, j->at_ms, j->why);
    j->cb = NULL;
}

static void *
sample_thread(void *arg)
{
    struct ccnc_dirty_job *j = arg;

    j->rc = measure_on(j->lab, j->host, j->vm, j->seconds, &j->bps, j->why, sizeof(j->why));
    j->at_ms = ccnc_now_mono_ms();
    ccnc_loop_post(j->loop, on_sampled, j);
    return NULL;
}

struct ccnc_dirty_job *
ccnc_forecast_sample_start(struct ccnc_lab *lab, struct ccnc_loop *loop, const char *host,
                           const char *vm, int seconds, ccnc_forecast_sample_cb cb, void *data)
{
    struct ccnc_dirty_job *j = ccnc_xcalloc(1, sizeof(*j));

    j->lab = ccnc_lab_ref(lab);
    j->loop = loop;
    j->host = ccnc_xstrdup(host);
    j->vm = ccnc_xstrdup(vm);
    j->seconds = seconds;
    j->cb = cb;
    j->data = data;
    j->started = pthread_create(&j->thread, NULL, sample_thread, j) == 0;
    if (!j->started) {
        ccnc_forecast_sample_free(j);
        return NULL;
    }
    return j;
}

bool
ccnc_forecast_sample_done(const struct ccnc_dirty_job *j)
{
    return j->answered;
}

void
ccnc_forecast_sample_forget(struct ccnc_dirty_job *j, void *data)
{
    if (!data || j->data == data)
        j->cb = NULL;
}

void
ccnc_forecast_sample_free(struct ccnc_dirty_job *j)
{
    if (!j)
        return;
    if (j->started)
        pthread_join(j->thread, NULL);
    ccnc_loop_unpost(j->loop, j);
    ccnc_lab_unref(j->lab);
    free(j->host);
    free(j->vm);
    free(j);
}

/* The action's first step: the guest's dirty rate sampled now, unless the
 * plan brought a fresh sample (the console samples while its dialog is
 * open), and the forecast made again; recorded in the run file.  It
 * changes nothing, and it does not fail: a sample that cannot be taken is
 * said in the forecast. */
int
ccnc_step_forecast(struct ccnc_action_run *r, struct ccnc_error *err)
{
    struct ccnc_forecast *f = &r->a->forecast;
    virConnectPtr c = ccnc_run_here(r);

    (void)err;
    if (!f->tried) {
        /* planned without one: the run files say what they can, libvirt
         * the VM's memory */
        virDomainPtr d = c ? virDomainLookupByName(c, r->a->vm) : NULL;
        virDomainInfo info;

        ccnc_forecast_fill(r->lab, NULL, r->env.runs_dir, r->a, 0);
        if (d && virDomainGetInfo(d, &info) == 0 && f->in.memory_bytes <= 0)
            f->in.memory_bytes = (double)info.maxMem * 1024;
        if (d)
            virDomainFree(d);
    }
    if (ccnc_forecast_fresh(f, ccnc_now_mono_ms())) {
        ccnc_log(CCNC_LOG_CONNECT, "%s: forecast on the plan's sample", r->a->vm);
    } else if (c) {
        double bps = 0;

        int pages = r->lab->migration.dirty_sample_pages, used = 0;

        ccnc_run_trace(r, c, pages > 0 ? "calc-dirty-rate" : "virDomainStartDirtyRateCalc");
        if (ccnc_forecast_measure(c, r->a->vm, CCNC_FORECAST_SAMPLE_S, pages, &bps, &used,
                                  f->dirty_why, sizeof(f->dirty_why)) == 0) {
            ccnc_forecast_add_sample(f, bps, CCNC_FORECAST_SAMPLE_S, ccnc_now_mono_ms());
            f->step_sampled = true;
            f->sample_pages = used;
        }
    } else {
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", _("the source host does not answer"));
    }
    ccnc_forecast_compute(f);
    ccnc_run_log_forecast(r, f);
    return 0;
}
