/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libvirt collector: one connection per hypervisor host, its domains
 * and their NICs, domain events as the trigger.  What it learns it reports
 * through its callbacks on the loop's thread; it never calls the engine. */
#ifndef CCNC_COLLECT_LIBVIRT_H
#define CCNC_COLLECT_LIBVIRT_H

#include <ccnc/lab.h>
#include <ccnc/loop.h>
#include <ccnc/model.h>

struct ccnc_collect_libvirt;

struct ccnc_collect_libvirt_callbacks {
    /* Host lab->hosts[host] now: libvirt's connection state (enum
     * ccnc_conn_state) and error, and, when has_vms, every domain there
     * (the callee takes vms[], n of them, and frees them), with the
     * node's memory (KiB, CCNC_UNKNOWN when not read). */
    void (*report)(void *data, size_t host, int state, const char *error, bool has_vms,
                   struct ccnc_vm *vms, size_t n, long long mem_total_kib,
                   long long mem_free_kib);
};

/* Start a worker per hypervisor host of lab; reports come on loop's thread.
 * NULL when the lab has no hypervisor. */
struct ccnc_collect_libvirt *ccnc_collect_libvirt_start(struct ccnc_loop *loop,
                                                        struct ccnc_lab *lab,
                                                        const struct ccnc_collect_libvirt_callbacks *cb,
                                                        void *data);
/* Read the bonds (and jobs and traffic) of the lab VMs running on host
 * lab->hosts[host] now, not at the next poll: a bridge saw a guest's MAC
 * move, so its bond may have failed over.  Requests that come while a
 * read runs make one more read after it. */
void ccnc_collect_libvirt_read_bonds(struct ccnc_collect_libvirt *c, size_t host);
/* Stop the workers, close the connections, and free; no report comes after. */
void ccnc_collect_libvirt_stop(struct ccnc_collect_libvirt *c);

/* The URI this ccnc opens for a host (the lab's, or qemu+ssh with the
 * host's key), made to check the host's key and never ask: over OpenSSH
 * through an ssh wrapper of ccnc's in a private folder (pinned to the
 * lab's known_hosts when it names one), over libssh with known_hosts and
 * known_hosts_verify=normal.  NULL and err when it cannot be made so (a
 * hand-written URI with its own command= or with checks turned off, no
 * private folder): ccnc then does not connect. */
char *ccnc_collect_libvirt_uri(const struct ccnc_lab_host *host, struct ccnc_error *err);
/* -v: "HOST: opening libvirt at URI", the URI without secrets. */
void ccnc_collect_libvirt_log_open(const char *host, const char *uri);

/* libvirt's event loop, run in a thread of its own while anyone holds a
 * reference (the collector, an action's run).  -1 when libvirt's event
 * implementation cannot be set up. */
int ccnc_libvirt_events_acquire(void);
void ccnc_libvirt_events_release(void);

#endif
