/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a VM should go (ccnc/placement.h). */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <ccnc/placement.h>

#include "core/i18n.h"

/* Whether a's free memory differs from b's by more than a tie. */
static bool
mem_differs(const struct ccnc_place_host *a, const struct ccnc_place_host *b)
{
    long long d = a->free_mem_kib - b->free_mem_kib;

    return d > CCNC_PLACE_MEM_TIE_KIB || d < -CCNC_PLACE_MEM_TIE_KIB;
}

/* Whether host a is a better choice than host b (both candidates). */
static bool
better(const struct ccnc_place_host *a, const struct ccnc_place_host *b)
{
    if (a->migrations != b->migrations)
        return a->migrations < b->migrations;
    if (mem_differs(a, b))
        return a->free_mem_kib > b->free_mem_kib;
    return false;   /* a tie: the one earlier in the list (the lab's order) stays */
}

int
ccnc_place(const struct ccnc_place_host *hosts, size_t n, const struct ccnc_place_vm *vm,
           struct ccnc_place_verdict *v)
{
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        const struct ccnc_place_host *h = &hosts[i];

        memset(&v[i], 0, sizeof(v[i]));
        if (vm->source && strcmp(h->name, vm->source) == 0)
            snprintf(v[i].why, sizeof(v[i].why), _("%s runs there now"), vm->name);
        else if (!h->reachable)
            snprintf(v[i].why, sizeof(v[i].why), "%s",
                     _("not reachable, or what it reports is stale"));
        else if (vm->mem_kib > 0 && h->free_mem_kib >= 0 && h->free_mem_kib < vm->mem_kib)
            snprintf(v[i].why, sizeof(v[i].why), _("%lld MiB free, %s needs %lld MiB"),
                     h->free_mem_kib / 1024, vm->name, vm->mem_kib / 1024);
        else if (vm->needs_vf && h->free_vfs == 0)
            snprintf(v[i].why, sizeof(v[i].why), "%s",
                     h->no_vf_why ? h->no_vf_why : _("no free VF of the VM's pool"));
        else if (!h->sees_storage)
            snprintf(v[i].why, sizeof(v[i].why), "%s", _("does not see the VM's storage"));
        else {
            v[i].candidate = true;
            if (best < 0 || better(h, &hosts[best]))
                best = (int)i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct ccnc_place_host *h = &hosts[i];

        if (!v[i].candidate)
            continue;
        if ((int)i == best) {
            v[i].chosen = true;
            if (h->free_mem_kib >= 0)
                snprintf(v[i].why, sizeof(v[i].why),
                         dngettext(PACKAGE, "chosen: %d migration running, %lld MiB free",
                                   "chosen: %d migrations running, %lld MiB free",
                                   (unsigned long)h->migrations),
                         h->migrations, h->free_mem_kib / 1024);
            else
                snprintf(v[i].why, sizeof(v[i].why),
                         dngettext(PACKAGE, "chosen: %d migration running, its free memory "
                                            "not known",
                                   "chosen: %d migrations running, its free memory not known",
                                   (unsigned long)h->migrations),
                         h->migrations);
        } else if (h->migrations != hosts[best].migrations) {
            snprintf(v[i].why, sizeof(v[i].why),
                     _("passed over: %d migrations running there, %d on %s"), h->migrations,
                     hosts[best].migrations, hosts[best].name);
        } else if (mem_differs(h, &hosts[best]) || (int)i < best) {
            /* more free memory won (a host within 512 MiB of this one may
             * have lost to it first: ties do not chain) */
            snprintf(v[i].why, sizeof(v[i].why), _("passed over: %lld MiB free, %lld on %s"),
                     h->free_mem_kib / 1024, hosts[best].free_mem_kib / 1024,
                     hosts[best].name);
        } else {
            snprintf(v[i].why, sizeof(v[i].why),
                     _("passed over: a tie (as many migrations, free memory within 512 MiB), %s "
                       "comes first in the lab config"),
                     hosts[best].name);
        }
    }
    return best;
}

size_t
ccnc_place_many(struct ccnc_place_host *hosts, size_t n, const struct ccnc_place_vm *vms,
                size_t m, int *chosen, struct ccnc_place_verdict *verdicts)
{
    size_t placed = 0;

    for (size_t k = 0; k < m; k++) {
        int i = ccnc_place(hosts, n, &vms[k], &verdicts[k * n]);

        chosen[k] = i;
        if (i < 0)
            continue;
        placed++;
        /* booked: the next VM sees this one there */
        hosts[i].migrations++;
        if (vms[k].mem_kib > 0 && hosts[i].free_mem_kib >= 0)
            hosts[i].free_mem_kib -= vms[k].mem_kib;
        if (vms[k].needs_vf && hosts[i].free_vfs > 0)
            hosts[i].free_vfs--;
    }
    return placed;
}
