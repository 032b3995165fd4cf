/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VF pools: "any free VF of this port" as a VM's passthrough NIC.  Which
 * VF of a [pool]'s port on a host is whose, and which one a VM gets.  Pure
 * functions of a host part and the lab config; no I/O.
 *
 * A VF is held by a VM when it is attached to it (a NIC of a VM on that
 * host has the VF's PCI address) or reserved for it (its MAC is the
 * passthrough_mac of a lab VM whose passthrough is that pool: ccnc pins
 * the VM's MAC on the VF it reserves).  Both survive ccnc itself: they
 * are read from libvirt and from the kernel, not remembered. */
#ifndef CCNC_POOL_H
#define CCNC_POOL_H

#include <ccnc/error.h>
#include <ccnc/model.h>
#include <ccnc/vf.h>

/* One VF of a pool on a host; strings owned. */
struct ccnc_pool_vf {
    char *host;
    char *pf;       /* the port's netdev ("eth1") */
    int index;
    char *pci;      /* the VF's PCI address */
};

void ccnc_pool_vf_clear(struct ccnc_pool_vf *v);
void ccnc_pool_vf_copy(struct ccnc_pool_vf *dst, const struct ccnc_pool_vf *src);

/* The VF's PCI address: what netlink said, or what the PF's SR-IOV
 * capability gives (first VF offset and stride).  false when neither. */
bool ccnc_vf_pci_address(const struct ccnc_nic *pf, const struct ccnc_vf *vf, char *buf,
                         size_t len);

/* The pool's port on host: its link (with the VFs) and PF, NULL when the
 * pool names no port there or the host has no such link. */
const struct ccnc_link *ccnc_pool_port(const struct ccnc_host *host,
                                       const struct ccnc_lab_pool *pool,
                                       const struct ccnc_nic **pf);

/* Set each VF's vm and reserved of host from its VMs and the lab config
 * (see above).  For whoever builds a host part before it is published. */
void ccnc_host_mark_vf_holders(struct ccnc_host *host, const struct ccnc_lab *lab);

/* Choose the VF of vm's pool on host that vm is to get: the one reserved
 * for it already, else the free one with the lowest index.  taken lists
 * VFs that other running actions have chosen but that the host part does
 * not show yet.  -1 and a translated err saying why there is none (no
 * port there, no VFs enabled, every VF taken and by whom). */
int ccnc_pool_choose(const struct ccnc_host *host, const struct ccnc_lab *lab,
                     const struct ccnc_lab_vm *vm, const struct ccnc_pool_vf *taken,
                     size_t n_taken, struct ccnc_pool_vf *out, struct ccnc_error *err);

/* The change that reserves v for vm: the VM's MAC, the pool's VLAN and
 * rate limits.  And the one that releases it: no MAC, VLAN or limit. */
void ccnc_pool_reserve_change(const struct ccnc_lab_pool *pool, const struct ccnc_lab_vm *vm,
                              const struct ccnc_pool_vf *v, struct ccnc_vf_change *out);
void ccnc_pool_release_change(const struct ccnc_pool_vf *v, struct ccnc_vf_change *out);

/* Per pool and host: VFs enabled, attached, reserved, free, as the host
 * part's marks (ccnc_host_mark_vf_holders) say; and whether the pool
 * names a port on that host, and the host shows it. */
struct ccnc_pool_count {
    int vfs, attached, reserved, free;
    bool configured, seen;
};
void ccnc_pool_count(const struct ccnc_host *host, const struct ccnc_lab_pool *pool,
                     struct ccnc_pool_count *out);

#endif
