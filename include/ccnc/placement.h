/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a VM should go: the destination of a migration chosen by rules an
 * operator can read, each host's verdict said in a sentence.  A host is
 * passed over when it is the VM's own, cannot be reached (or its view is
 * stale), lacks the memory, has no free VF of the VM's pool, or does not
 * see the VM's storage; of the others the one running the fewest
 * migrations wins, then the one with the most free memory (free memory
 * within CCNC_PLACE_MEM_TIE_KIB of another's is a tie: what a host has
 * free moves by that much from one reading to the next), then the first
 * in the list (callers give the lab config's order).  Placing several VMs (an evacuation) books each choice before
 * the next, so they spread.  Pure: no I/O. */
#ifndef CCNC_PLACEMENT_H
#define CCNC_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#define CCNC_PLACE_MEM_TIE_KIB (512LL * 1024)

struct ccnc_place_host {
    const char *name;
    bool reachable;            /* connected, its view not stale */
    long long free_mem_kib;    /* < 0: not known (not held against it) */
    int free_vfs;              /* free VFs of the VM's pool; < 0: not known */
    bool sees_storage;         /* the VM's disks are on its NFS mounts */
    int migrations;            /* migrations running to or from it now */
    const char *no_vf_why;     /* with none free: why, translated (NULL: they
                                * are all taken) */
};

struct ccnc_place_vm {
    const char *name;
    const char *source;        /* where it runs (never chosen) */
    long long mem_kib;         /* its memory; <= 0: not known */
    bool needs_vf;             /* its passthrough NIC comes from a pool */
};

/* Each host's verdict for one VM. */
struct ccnc_place_verdict {
    bool chosen;
    bool candidate;            /* passed every rule */
    char why[160];             /* translated: why chosen or passed over */
};

/* Choose a destination for vm among hosts[n]: its index, or -1 when no
 * host passes (every verdict says why).  verdicts has n entries. */
int ccnc_place(const struct ccnc_place_host *hosts, size_t n, const struct ccnc_place_vm *vm,
               struct ccnc_place_verdict *verdicts);

/* Place vms[m] one after another on hosts[n] (which it books: memory and
 * VFs taken, a migration more), into chosen[m] (an index or -1);
 * verdicts[m * n] holds each VM's verdicts.  Returns how many found a
 * host. */
size_t ccnc_place_many(struct ccnc_place_host *hosts, size_t n, const struct ccnc_place_vm *vms,
                       size_t m, int *chosen, struct ccnc_place_verdict *verdicts);

#endif
