/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast before it starts: what earlier runs between the
 * two hosts say (core/forecast.c), the VM's memory from the snapshot, and
 * its dirty rate measured by QEMU's page sampling (calc-dirty-rate) on
 * the running guest. */

#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <ccnc/action.h>
#include <ccnc/forecast.h>
#include <ccnc/lab.h>
#include <ccnc/log.h>
#include <ccnc/model.h>
#include <ccnc/util.h>

#include "core/i18n.h"
#include "engine/action-internal.h"
#include "engine/collect-libvirt.h"
#include "engine/forecast.h"

/* Measure vm's dirty rate on its host over seconds: bytes per second into
 * *bps, 0; or -1 with why (translated) in why. */
static int
measure(const struct ccnc_lab *lab, const char *host, const char *vm, int seconds, double *bps,
        char *why, size_t why_len)
{
    struct ccnc_error err = { 0 };
    virConnectPtr c = ccnc_run_open_host(host, lab, &err);
    virDomainPtr d = NULL;
    int rc = -1;

    if (!c) {
        snprintf(why, why_len, "%s", err.message ? err.message : "?");
        ccnc_error_clear(&err);
        return -1;
    }
    d = virDomainLookupByName(c, vm);
    if (!d || virDomainStartDirtyRateCalc(d, seconds, VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING) < 0) {
        const char *lv = virGetLastErrorMessage();

        snprintf(why, why_len, _("QEMU would not measure it: %s"), lv ? lv : "?");
        goto out;
    }
    /* bounded: the measurement, then a few seconds for its report */
    for (int i = 0; i < (seconds + 5) * 4 && rc < 0; i++) {
        virDomainPtr doms[] = { d, NULL };
        virDomainStatsRecordPtr *records = NULL;
        int status = -1;
        unsigned long long mib = 0;
        bool have = false;

        usleep(250 * 1000);
        if (virDomainListGetStats(doms, VIR_DOMAIN_STATS_DIRTYRATE, &records, 0) < 1) {
            virDomainStatsRecordListFree(records);
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
        }
    }
    if (rc < 0)
        snprintf(why, why_len, _("QEMU gave no figure within %d s"), seconds + 5);
out:
    if (d)
        virDomainFree(d);
    virConnectClose(c);
    return rc;
}

void
ccnc_forecast_fill(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                   const char *runs_dir, struct ccnc_action *a, int measure_s)
{
    const struct ccnc_vm *vm = snap ? ccnc_snapshot_find_vm(snap, a->vm, NULL) : NULL;
    struct ccnc_forecast *f = &a->forecast;
    double memory = vm && vm->memory_kib > 0 ? (double)vm->memory_kib * 1024 : 0;

    if (!a->destination || !a->source ||
        (a->kind != CCNC_ACTION_MIGRATE && a->kind != CCNC_ACTION_MIGRATE_PASSTHROUGH &&
         a->kind != CCNC_ACTION_MIGRATE_TEAMING))
        return;
    memset(f, 0, sizeof(*f));
    {
        /* the limit the policy starts with (ccnc/policy.h) */
        struct ccnc_policy_state st;

        f->in.limit_ms = ccnc_policy_start(&st, lab->migration.policy,
                                           lab->migration.max_downtime_ms, memory);
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
        if (ccnc_libvirt_events_acquire() == 0) {
            if (measure(lab, a->source, a->vm, measure_s, &f->in.dirty_bps, f->dirty_why,
                        sizeof(f->dirty_why)) == 0) {
                f->dirty_measured = true;
                f->dirty_seconds = measure_s;
            }
            ccnc_libvirt_events_release();
        }
    } else if (measure_s > 0) {
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", _("the VM is not seen running"));
    } else {
        snprintf(f->dirty_why, sizeof(f->dirty_why), "%s", _("not measured"));
    }
    ccnc_log(CCNC_LOG_CONNECT, "%s: forecast from %zu earlier migrations, dirty rate %s", a->vm,
             f->n_link, f->dirty_measured ? "measured" : f->dirty_why);
    ccnc_forecast_compute(f);
    if (f->valid && !f->out.converges && lab->migration.max_downtime_ms > f->in.limit_ms &&
        lab->migration.policy != CCNC_POLICY_QEMU) {
        /* the policy raises the limit when the rounds stall: up to the lab's */
        f->in.limit_ms = lab->migration.max_downtime_ms;
        ccnc_forecast_compute(f);
    }
}
