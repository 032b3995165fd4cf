/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one planner: from the lab config, what the hosts report now (a
 * snapshot) and what the operator asks, the steps of an action — or a
 * refusal that says why.  The console's keys, the batch commands and
 * evacuate all plan here, so a keystroke and its command line do exactly
 * the same.  Pure: no I/O, any thread. */
#ifndef CCNC_PLAN_H
#define CCNC_PLAN_H

#include <ccnc/action.h>
#include <ccnc/model.h>
#include <ccnc/runlog.h>

/* A migration's destination chosen by placement (ccnc/placement.h). */
#define CCNC_PLACE_AUTO "auto"

/* A migration the snapshot may not show yet (planned in the same batch,
 * or running in this process): it counts on host, and holds mem_kib and a
 * VF (vf) there when host is its destination. */
struct ccnc_plan_booking {
    const char *vm;
    const char *host;
    long long mem_kib;
    bool vf;
};

struct ccnc_plan_request {
    enum ccnc_action_kind kind;    /* ASSIGN, DETACH, or any MIGRATE kind: which
                                      migration it takes is the planner's choice */
    const char *vm;
    const char *destination;       /* a migration's: a hypervisor of the lab, or
                                      CCNC_PLACE_AUTO: placement chooses */
    const char *const *candidates; /* auto: only these hosts (NULL-terminated), NULL:
                                      every hypervisor of the lab */
    const struct ccnc_plan_booking *booked; /* auto: migrations to count */
    size_t n_booked;
    bool assume_config;            /* plan for the VM as the lab config describes it
                                      (on its home host, holding its passthrough NIC,
                                      its bond on it): --offline --dry-run */
    const char *const *busy;       /* VMs with an action of this process running,
                                      NULL-terminated; may be NULL */
    const char *self;              /* this ccnc as leases name it ("user@host (pid N)"):
                                      a lease of another that has not lapsed refuses;
                                      may be NULL */
    const char *resume_of;         /* (resume) the run whose lease may be taken over */
};

/* The plan for req, or NULL with err.  A migration to CCNC_PLACE_AUTO
 * goes where ccnc_place() says, from what the snapshot reports of each
 * host (libvirt connected and the agent's picture fresh, free memory, free
 * VFs of the VM's pool, NFS mounts holding its disks, migrations running
 * there and booked); the action's placement holds every host's verdict,
 * and a VM no host can take is refused with each host's reason (code CCNC_ERR_REFUSED for what the
 * VM's state does not allow, CCNC_ERR_CONFIG for what the lab config does
 * not know).  The action's notes say why the plan is what it is (a step
 * left out because the VM does not need it, what a step will heal).
 * Caller frees. */
struct ccnc_action *ccnc_plan(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                              const struct ccnc_plan_request *req, struct ccnc_error *err);

/* How `ccnc resume` ends an unfinished run. */
enum ccnc_resume_way {
    CCNC_RESUME_AUTO,     /* forward if the migration went through, else back */
    CCNC_RESUME_FINISH,   /* forward only */
    CCNC_RESUME_UNDO,     /* back only (--undo) */
};

/* The steps that end the unfinished run summarized by run, from what the
 * hosts report now: forward (the migration went through: the passthrough
 * NIC attached where the VM runs and the bond back on it; a detach or an
 * assign done as planned) or back (the migration did not happen: the NIC
 * attached again on the source and the bond restored; an assign's NIC
 * detached again), with the VFs the run left reserved and nobody holds
 * given back.  The action's resume_of names the run file it continues;
 * undo marks the way back.  A VM that is as it should be gets no steps.
 * NULL and err: refused (the run finished, a migration still running, the
 * VM on no host, a way that does not exist: ccnc never migrates a VM back
 * by itself).  Caller frees. */
struct ccnc_action *ccnc_plan_resume(const struct ccnc_lab *lab,
                                     const struct ccnc_snapshot *snap,
                                     const struct ccnc_run_summary *run,
                                     enum ccnc_resume_way way, const char *const *busy,
                                     const char *self, struct ccnc_error *err);

/* Where a VM's passthrough NIC and guest bond stand, as the snapshot has
 * them; what the planner reads, and what the console shows. */
struct ccnc_vm_nic_view {
    const struct ccnc_host *host;          /* where it runs, NULL if nowhere */
    const struct ccnc_vm *vm;
    const struct ccnc_vm_nic *passthrough; /* attached, NULL if none */
    const struct ccnc_vm_nic *backup;      /* NULL if libvirt shows none */
    const struct ccnc_vm_nic *failover;    /* a teaming pair's transient device */
    bool bond_known;                       /* read, and not stale */
    bool on_passthrough;                   /* the bond's active slave is it */
    bool on_backup;
    bool passthrough_up;                   /* a bond slave with MII up */
    bool backup_up;
    const char *backup_slave;              /* the guest's name for the backup */
};
void ccnc_vm_nic_view_get(const struct ccnc_snapshot *snap, const struct ccnc_lab_vm *cv,
                          struct ccnc_vm_nic_view *out);
/* Whether the snapshot shows cv running on host with no libvirt job, its
 * bond read and (when it has one) on its passthrough NIC: where an action
 * left it, seen since, so a next action may be planned from it. */
bool ccnc_vm_settled_on(const struct ccnc_snapshot *snap, const struct ccnc_lab_vm *cv,
                        const char *host);

/* The host side of the VM's backup NIC, as host h's agent reports it: the
 * tap (or macvtap) that carries it, up, in the bridge it names, and that
 * bridge up.  0: alive; 1: not known (no agent report, no host-side device
 * to look at), with why in err; -1: dead, err names the part. */
int ccnc_backup_path_check(const struct ccnc_host *h, const struct ccnc_vm *vm,
                           struct ccnc_error *err);

#endif
