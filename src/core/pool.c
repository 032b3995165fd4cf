/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VF pools (include/ccnc/pool.h): who holds which VF of a pool's port,
 * and which VF a VM gets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ccnc/pool.h>
#include <ccnc/util.h>

#include "core/i18n.h"

void
ccnc_pool_vf_clear(struct ccnc_pool_vf *v)
{
    free(v->host);
    free(v->pf);
    free(v->pci);
    memset(v, 0, sizeof(*v));
}

void
ccnc_pool_vf_copy(struct ccnc_pool_vf *d, const struct ccnc_pool_vf *s)
{
    d->host = ccnc_xstrdup(s->host);
    d->pf = ccnc_xstrdup(s->pf);
    d->index = s->index;
    d->pci = ccnc_xstrdup(s->pci);
}

bool
ccnc_vf_pci_address(const struct ccnc_nic *pf, const struct ccnc_vf *vf, char *buf, size_t len)
{
    unsigned dom, bus, dev, fn, rid;

    if (vf->pci) {
        snprintf(buf, len, "%s", vf->pci);
        return true;
    }
    /* PCIe SR-IOV: VF n's routing ID is the PF's + offset + n * stride */
    if (!pf || !pf->pci || !pf->has_sriov || pf->sriov.vf_offset <= 0 ||
        pf->sriov.vf_stride <= 0 || vf->index < 0 ||
        sscanf(pf->pci, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
        return false;
    rid = (bus << 8 | dev << 3 | fn) + (unsigned)pf->sriov.vf_offset +
          (unsigned)(pf->sriov.vf_stride * vf->index);
    snprintf(buf, len, "%04x:%02x:%02x.%x", dom, (rid >> 8) & 0xff, (rid >> 3) & 0x1f, rid & 7);
    return true;
}

static const struct ccnc_lab_pool_port *
pool_host_port(const struct ccnc_lab_pool *pool, const char *host)
{
    for (size_t i = 0; pool && host && i < pool->n_ports; i++)
        if (strcmp(pool->ports[i].host, host) == 0)
            return &pool->ports[i];
    return NULL;
}

const struct ccnc_link *
ccnc_pool_port(const struct ccnc_host *h, const struct ccnc_lab_pool *pool,
               const struct ccnc_nic **pf_out)
{
    const struct ccnc_lab_pool_port *pp = pool_host_port(pool, h ? h->name : NULL);
    const struct ccnc_nic *pf = NULL;
    const char *netdev;

    if (pf_out)
        *pf_out = NULL;
    if (!pp)
        return NULL;
    if (ccnc_pci_address_valid(pp->pf)) {
        pf = ccnc_host_find_nic(h, pp->pf);
        netdev = pf ? pf->netdev : NULL;
    } else {
        netdev = pp->pf;
        pf = ccnc_host_find_port(h, netdev);
    }
    if (pf_out)
        *pf_out = pf;
    return netdev ? ccnc_host_find_link(h, netdev) : NULL;
}

/* The VM on h with a NIC at pci, NULL if none. */
static const char *
attached_to(const struct ccnc_host *h, const char *pci)
{
    for (size_t i = 0; pci && i < h->n_vms; i++)
        for (size_t j = 0; j < h->vms[i].n_nics; j++)
            if (h->vms[i].nics[j].pci && strcasecmp(h->vms[i].nics[j].pci, pci) == 0)
                return h->vms[i].name;
    return NULL;
}

/* The lab VM of that pool whose passthrough MAC mac is, NULL if none. */
static const struct ccnc_lab_vm *
reserved_for(const struct ccnc_lab *lab, const char *pool, const char *mac)
{
    for (size_t i = 0; lab && mac && i < lab->n_vms; i++) {
        const struct ccnc_lab_vm *vm = &lab->vms[i];
        if (vm->passthrough_kind == CCNC_PASSTHROUGH_POOL && ccnc_streq(vm->passthrough, pool) &&
            vm->passthrough_mac && strcasecmp(vm->passthrough_mac, mac) == 0)
            return vm;
    }
    return NULL;
}

/* Who holds VF vf of port (pool's, on h): the VM it is attached to, else
 * the VM it is reserved for; *reserved says which. */
static const char *
holder(const struct ccnc_host *h, const struct ccnc_lab *lab, const struct ccnc_lab_pool *pool,
       const struct ccnc_nic *pf, const struct ccnc_vf *vf, bool *reserved)
{
    char pci[32];
    const char *vm = NULL;
    const struct ccnc_lab_vm *r;

    *reserved = false;
    if (ccnc_vf_pci_address(pf, vf, pci, sizeof(pci)))
        vm = attached_to(h, pci);
    if (!vm && pool && (r = reserved_for(lab, pool->name, vf->mac)) != NULL) {
        vm = r->name;
        *reserved = true;
    }
    return vm;
}

void
ccnc_host_mark_vf_holders(struct ccnc_host *h, const struct ccnc_lab *lab)
{
    for (size_t i = 0; i < h->n_links; i++) {
        struct ccnc_link *l = &h->links[i];
        const struct ccnc_nic *pf = ccnc_host_find_port(h, l->name);
        const struct ccnc_lab_pool *pool = NULL;

        if (l->n_vfs == 0)
            continue;
        /* the pool this port belongs to, if any */
        for (size_t p = 0; lab && !pool && p < lab->n_pools; p++)
            if (ccnc_pool_port(h, &lab->pools[p], NULL) == l)
                pool = &lab->pools[p];
        for (size_t f = 0; f < l->n_vfs; f++) {
            bool reserved;
            const char *vm = holder(h, lab, pool, pf, &l->vfs[f], &reserved);
            ccnc_str_set(&l->vfs[f].vm, vm);
            l->vfs[f].reserved = vm && reserved;
        }
    }
}

static bool
is_taken(const struct ccnc_pool_vf *taken, size_t n, const char *host, const char *pf,
         int index)
{
    for (size_t i = 0; i < n; i++)
        if (ccnc_streq(taken[i].host, host) && ccnc_streq(taken[i].pf, pf) &&
            taken[i].index == index)
            return true;
    return false;
}

int
ccnc_pool_choose(const struct ccnc_host *h, const struct ccnc_lab *lab,
                 const struct ccnc_lab_vm *vm, const struct ccnc_pool_vf *taken,
                 size_t n_taken, struct ccnc_pool_vf *out, struct ccnc_error *err)
{
    const struct ccnc_lab_pool *pool;
    const struct ccnc_lab_pool_port *pp;
    const struct ccnc_link *l;
    const struct ccnc_nic *pf;
    const struct ccnc_vf *mine = NULL, *free_vf = NULL;
    char *who = NULL;
    char pci[32];

    memset(out, 0, sizeof(*out));
    if (vm->passthrough_kind != CCNC_PASSTHROUGH_POOL ||
        !(pool = ccnc_lab_find_pool(lab, vm->passthrough)))
        return ccnc_error_set(err, CCNC_ERR_CONFIG, _("[vm %s] takes no VF from a pool"),
                              vm->name);
    pp = pool_host_port(pool, h->name);
    if (!pp)
        return ccnc_error_set(err, CCNC_ERR_CONFIG,
                              _("pool %s has no port on %s: add '%s = PF' to [pool %s]"),
                              pool->name, h->name, h->name, pool->name);
    l = ccnc_pool_port(h, pool, &pf);
    if (!l)
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("%s shows no port %s (pool %s)%s"), h->name, pp->pf, pool->name,
                              h->stale ? _(": it is not connected") : "");
    if (l->n_vfs == 0)
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("port %s of pool %s on %s has no VFs; enable some with "
                                "'ccnc vf %s %s --numvfs N'"), l->name, pool->name, h->name,
                              h->name, l->name);
    for (size_t f = 0; f < l->n_vfs; f++) {
        const struct ccnc_vf *vf = &l->vfs[f];
        bool reserved;
        const char *by = holder(h, lab, pool, pf, vf, &reserved);

        if (by && strcmp(by, vm->name) == 0 && reserved) {
            if (!mine || vf->index < mine->index)
                mine = vf;
            continue;
        }
        if (by || is_taken(taken, n_taken, h->name, l->name, vf->index)) {
            char *n = ccnc_xasprintf("%s%s%s (VF %d%s)", who ? who : "", who ? ", " : "",
                                     by ? by : _("another action"), vf->index,
                                     reserved ? _(", reserved") : "");
            free(who);
            who = n;
            continue;
        }
        if (!free_vf || vf->index < free_vf->index)
            free_vf = vf;
    }
    if (!mine)
        mine = free_vf;
    if (!mine) {
        ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                       _("every VF of port %s (pool %s) on %s is taken: %s"), l->name,
                       pool->name, h->name, who ? who : "?");
        free(who);
        return -1;
    }
    free(who);
    if (!ccnc_vf_pci_address(pf, mine, pci, sizeof(pci)))
        return ccnc_error_set(err, CCNC_ERR_UNAVAILABLE,
                              _("the PCI address of VF %d of %s on %s is not known"),
                              mine->index, l->name, h->name);
    out->host = ccnc_xstrdup(h->name);
    out->pf = ccnc_xstrdup(l->name);
    out->index = mine->index;
    out->pci = ccnc_xstrdup(pci);
    return 0;
}

void
ccnc_pool_reserve_change(const struct ccnc_lab_pool *pool, const struct ccnc_lab_vm *vm,
                         const struct ccnc_pool_vf *v, struct ccnc_vf_change *c)
{
    ccnc_vf_change_init(c, v->pf, v->index);
    c->mac = ccnc_xstrdup(vm->passthrough_mac);
    c->vlan = pool->vlan;
    c->max_tx_rate = pool->max_tx_rate_mbps;
    /* many drivers (igb among them) refuse a minimum rate: ask only for one
     * the pool wants */
    if (pool->min_tx_rate_mbps > 0)
        c->min_tx_rate = pool->min_tx_rate_mbps;
}

void
ccnc_pool_release_change(const struct ccnc_pool_vf *v, struct ccnc_vf_change *c)
{
    ccnc_vf_change_init(c, v->pf, v->index);
    c->mac = ccnc_xstrdup("00:00:00:00:00:00");
    c->vlan = 0;
    c->max_tx_rate = 0;
}

void
ccnc_pool_count(const struct ccnc_host *h, const struct ccnc_lab_pool *pool,
                struct ccnc_pool_count *out)
{
    const struct ccnc_link *l = ccnc_pool_port(h, pool, NULL);

    memset(out, 0, sizeof(*out));
    out->configured = pool_host_port(pool, h ? h->name : NULL) != NULL;
    out->seen = l != NULL;
    for (size_t f = 0; l && f < l->n_vfs; f++) {
        const struct ccnc_vf *vf = &l->vfs[f];
        out->vfs++;
        if (!vf->vm)
            out->free++;
        else if (vf->reserved)
            out->reserved++;
        else
            out->attached++;
    }
}
