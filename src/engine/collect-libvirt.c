/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libvirt collector.  libvirt's calls block, so each hypervisor host
 * has a worker thread that owns its connection; libvirt's own event loop
 * runs in one more thread and only wakes the workers.  What the workers
 * learn is queued and reported from ccnc's loop (ccnc_loop_post), so
 * snapshots are only ever made on the loop's thread.  Lifecycle events are
 * followed exactly: a domain libvirt said it undefined is gone, even if a
 * listing taken a moment later still shows it shut off. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <ccnc/log.h>

#include "engine/collect-guest.h"
#include "engine/collect-libvirt.h"
#include "core/i18n.h"
#include "core/quote.h"
#include "core/virxml.h"

#define BACKOFF_MAX_S 30
/* The guest bond has no notifications: read it this often (running lab VMs). */
#define GUEST_POLL_S 1
#define GUEST_TIMEOUT_S 2
/* after a lifecycle event, list the domains once more this much later:
 * what libvirt says while it is still finishing a migration settles */
#define SETTLE_MS 1500
/* a change of the node's free memory smaller than this is not news */
#define MEMORY_STEP_KIB (32 * 1024)
/* how often the node's memory is read when no guest's bond is */
#define MEMORY_POLL_S 10

struct lv_result {
    size_t index;
    int state;              /* enum ccnc_conn_state */
    char *error;
    bool has_vms;
    struct ccnc_vm *vms;
    size_t n_vms;
    long long mem_total_kib, mem_free_kib;
};

struct lv_host {
    struct ccnc_collect_libvirt *c;
    size_t index;
    char *uri;              /* NULL: none that checks host keys (uri_err says why) */
    struct ccnc_error uri_err;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop, refresh, closed;
    virConnectPtr conn;     /* the worker's */
    int cb_ids[8];
    size_t n_cb;
    struct ccnc_host *shadow;   /* the worker's last VM list, with bonds */
    char **undefined;           /* domains libvirt said it undefined (mu) */
    size_t n_undefined;
    long long settle_ms;        /* monotonic: list again then; 0 none (mu) */
    bool bonds_now;             /* read the guests' bonds at once (mu) */
    long long opening_ms;       /* monotonic: libvirt's open under way since; 0 none (mu) */
    long long slow_said_ms;     /* ... and said to be slow after this long (mu) */
};

struct ccnc_collect_libvirt {
    struct ccnc_loop *loop;
    struct ccnc_lab *lab;
    struct ccnc_collect_libvirt_callbacks cb;
    void *cb_data;
    struct lv_host *hosts;
    size_t n_hosts;
    pthread_mutex_t qmu;
    struct lv_result *queue;
    size_t n_queue, cap_queue;
    bool events;            /* holds a reference on libvirt's event loop */
    bool detached;          /* stopped with a worker left behind: no more posts (qmu) */
    int slow_timer;         /* watches opens that take long, 0 none */
};

/* An open of a host's libvirt that has not answered in this long is said
 * to be slow (its daemon stopped or hung), again every as long */
#define SLOW_OPEN_S 10

/* --- libvirt's event loop ------------------------------------------------ */

static pthread_mutex_t events_mu = PTHREAD_MUTEX_INITIALIZER;
static int events_refs;
static bool events_registered;
static pthread_t events_thread;
static volatile int events_stop;

static void
quiet_errors(void *data, virErrorPtr err)
{
    (void)data;
    (void)err; /* errors are read with virGetLastErrorMessage, not printed */
}

static void *
events_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&events_stop, __ATOMIC_ACQUIRE))
        if (virEventRunDefaultImpl() < 0)
            break;
    return NULL;
}

static void
wake_event_loop(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

int
ccnc_libvirt_events_acquire(void)
{
    int rc = 0;

    pthread_mutex_lock(&events_mu);
    if (!events_registered) {
        /* once per process, before any connection is opened and before
         * any thread opens one: libvirt's and libxml2's own set-up is not
         * safe to race (two threads' first virConnectOpen each made
         * libxml2's global mutex, one of them lost) */
        if (virInitialize() < 0)
            rc = -1;
        ccnc_virxml_init();
        if (rc < 0 || virEventRegisterDefaultImpl() < 0)
            rc = -1;
        else
            events_registered = true;
        virSetErrorFunc(NULL, quiet_errors);
    }
    if (rc == 0 && events_refs++ == 0) {
        __atomic_store_n(&events_stop, 0, __ATOMIC_RELEASE);
        if (pthread_create(&events_thread, NULL, events_main, NULL) != 0) {
            events_refs = 0;
            rc = -1;
        }
    }
    pthread_mutex_unlock(&events_mu);
    return rc;
}

void
ccnc_libvirt_events_release(void)
{
    pthread_mutex_lock(&events_mu);
    if (events_refs > 0 && --events_refs == 0) {
        __atomic_store_n(&events_stop, 1, __ATOMIC_RELEASE);
        virEventAddTimeout(0, wake_event_loop, NULL, NULL);
        pthread_join(events_thread, NULL);
    }
    pthread_mutex_unlock(&events_mu);
}

/* --- results, from workers to the loop ---------------------------------- */

static void on_wake(void *data);

static void
post(struct lv_host *h, int state, const char *error, struct ccnc_vm *vms, size_t n_vms,
     bool has_vms)
{
    struct ccnc_collect_libvirt *c = h->c;
    struct lv_result *r;

    pthread_mutex_lock(&c->qmu);
    if (c->detached) {
        pthread_mutex_unlock(&c->qmu);
        for (size_t i = 0; i < n_vms; i++)
            ccnc_vm_clear(&vms[i]);
        free(vms);
        return;
    }
    r = ccnc_array_push(&c->queue, &c->n_queue, &c->cap_queue, sizeof(*r));
    r->index = h->index;
    r->state = state;
    r->error = ccnc_xstrdup(error);
    r->has_vms = has_vms;
    r->vms = vms;
    r->n_vms = n_vms;
    r->mem_total_kib = has_vms && h->shadow ? h->shadow->mem_total_kib : CCNC_UNKNOWN;
    r->mem_free_kib = has_vms && h->shadow ? h->shadow->mem_free_kib : CCNC_UNKNOWN;
    pthread_mutex_unlock(&c->qmu);
    ccnc_loop_post(c->loop, on_wake, c);
}

/* Posted by the workers: their results, to the callbacks, in order. */
static void
on_wake(void *data)
{
    struct ccnc_collect_libvirt *c = data;
    struct lv_result *queue;
    size_t n;

    pthread_mutex_lock(&c->qmu);
    queue = c->queue;
    n = c->n_queue;
    c->queue = NULL;
    c->n_queue = c->cap_queue = 0;
    pthread_mutex_unlock(&c->qmu);
    for (size_t i = 0; i < n; i++) {
        c->cb.report(c->cb_data, queue[i].index, queue[i].state, queue[i].error,
                     queue[i].has_vms, queue[i].vms, queue[i].n_vms, queue[i].mem_total_kib,
                     queue[i].mem_free_kib);
        free(queue[i].error);
    }
    free(queue);
}

/* --- events and the close callback (libvirt's event thread) ------------- */

static void
want_refresh(struct lv_host *h)
{
    pthread_mutex_lock(&h->mu);
    h->refresh = true;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->mu);
}

/* Remember (under h->mu) that libvirt undefined name, or that it is back. */
static void
note_undefined(struct lv_host *h, const char *name, bool undefined)
{
    for (size_t i = 0; i < h->n_undefined; i++)
        if (ccnc_streq(h->undefined[i], name)) {
            if (!undefined) {
                free(h->undefined[i]);
                h->undefined[i] = h->undefined[--h->n_undefined];
            }
            return;
        }
    if (undefined)
        *(char **)ccnc_array_push(&h->undefined, &h->n_undefined, NULL, sizeof(char *)) =
            ccnc_xstrdup(name);
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    struct lv_host *h = opaque;
    const char *name = virDomainGetName(dom);

    (void)conn; (void)detail;
    pthread_mutex_lock(&h->mu);
    if (name && event == VIR_DOMAIN_EVENT_UNDEFINED)
        note_undefined(h, name, true);
    else if (name && (event == VIR_DOMAIN_EVENT_DEFINED || event == VIR_DOMAIN_EVENT_STARTED))
        note_undefined(h, name, false);
    h->refresh = true;
    h->settle_ms = ccnc_now_mono_ms() + SETTLE_MS;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void
on_device(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
    (void)conn; (void)dom; (void)alias;
    want_refresh(opaque);
}

/* A lease taken or given back (another ccnc's, or ours). */
static void
on_metadata(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri, void *opaque)
{
    (void)conn; (void)dom;
    if (type == VIR_DOMAIN_METADATA_ELEMENT && ccnc_streq(nsuri, CCNC_LEASE_NS))
        want_refresh(opaque);
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    struct lv_host *h = opaque;

    (void)conn;
    (void)reason;
    pthread_mutex_lock(&h->mu);
    h->closed = true;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->mu);
}

/* --- the worker ------------------------------------------------------------ */

static const char *
last_error(void)
{
    const char *msg = virGetLastErrorMessage();

    return msg && *msg ? msg : _("libvirt gave no reason");
}

static void
drop_connection(struct lv_host *h)
{
    if (!h->conn)
        return;
    for (size_t i = 0; i < h->n_cb; i++)
        virConnectDomainEventDeregisterAny(h->conn, h->cb_ids[i]);
    h->n_cb = 0;
    virConnectUnregisterCloseCallback(h->conn, on_close);
    virConnectClose(h->conn);
    h->conn = NULL;
}

static void
register_events(struct lv_host *h)
{
    static const int device_events[] = {
        VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
        VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
    };
    int id;

    id = virConnectDomainEventRegisterAny(h->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), h, NULL);
    if (id >= 0)
        h->cb_ids[h->n_cb++] = id;
    for (size_t i = 0; i < CCNC_ARRAY_SIZE(device_events); i++) {
        id = virConnectDomainEventRegisterAny(h->conn, NULL, device_events[i],
                                              VIR_DOMAIN_EVENT_CALLBACK(on_device), h, NULL);
        if (id >= 0)
            h->cb_ids[h->n_cb++] = id;
    }
    id = virConnectDomainEventRegisterAny(h->conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                          VIR_DOMAIN_EVENT_CALLBACK(on_metadata), h, NULL);
    if (id >= 0)
        h->cb_ids[h->n_cb++] = id;
}

/* Each NIC's traffic from libvirt's counters of its host-side device,
 * against the reading before (prev's NIC with the same MAC). */
static void
read_traffic(virDomainPtr dom, struct ccnc_vm *vm, const struct ccnc_vm *prev)
{
    long long now = ccnc_now_mono_ms();

    for (size_t i = 0; i < vm->n_nics; i++) {
        struct ccnc_vm_nic *n = &vm->nics[i];
        const struct ccnc_vm_nic *p = NULL;
        struct _virDomainInterfaceStats st;

        for (size_t j = 0; prev && j < prev->n_nics && !p; j++)
            if (ccnc_streq(prev->nics[j].mac, n->mac) && ccnc_streq(prev->nics[j].target, n->target))
                p = &prev->nics[j];
        if (p) {
            memcpy(n->history, p->history, sizeof(n->history));
            n->n_history = p->n_history;
        }
        if (!n->target || virDomainInterfaceStats(dom, n->target, &st, sizeof(st)) < 0) {
            n->rx_bytes = n->tx_bytes = n->rx_bps = n->tx_bps = CCNC_UNKNOWN;
            n->stats_ms = 0;
            continue;
        }
        n->rx_bytes = st.rx_bytes;
        n->tx_bytes = st.tx_bytes;
        n->stats_ms = now;
        if (p && p->stats_ms > 0 && now - p->stats_ms >= 200 && p->rx_bytes >= 0 &&
            st.rx_bytes >= p->rx_bytes && st.tx_bytes >= p->tx_bytes) {
            long long dt = now - p->stats_ms;
            n->rx_bps = (st.rx_bytes - p->rx_bytes) * 8000 / dt;
            n->tx_bps = (st.tx_bytes - p->tx_bytes) * 8000 / dt;
            if (n->n_history == CCNC_NIC_HISTORY) {
                memmove(n->history, n->history + 1, sizeof(n->history[0]) * (CCNC_NIC_HISTORY - 1));
                n->n_history--;
            }
            n->history[n->n_history++] = n->rx_bps + n->tx_bps;
        } else if (p && p->stats_ms > 0 && now - p->stats_ms < 200) {
            /* too soon after the last reading (a domain event): keep it */
            n->rx_bytes = p->rx_bytes;
            n->tx_bytes = p->tx_bytes;
            n->stats_ms = p->stats_ms;
            n->rx_bps = p->rx_bps;
            n->tx_bps = p->tx_bps;
        }
    }
}

/* Did any NIC's traffic figures change? */
static bool
traffic_changed(const struct ccnc_host *a, const struct ccnc_host *b)
{
    for (size_t i = 0; i < a->n_vms && i < b->n_vms; i++)
        for (size_t j = 0; j < a->vms[i].n_nics && j < b->vms[i].n_nics; j++)
            if (a->vms[i].nics[j].rx_bps != b->vms[i].nics[j].rx_bps ||
                a->vms[i].nics[j].tx_bps != b->vms[i].nics[j].tx_bps ||
                a->vms[i].nics[j].n_history != b->vms[i].nics[j].n_history)
                return true;
    return false;
}

static int read_job(virDomainPtr dom);
static void read_memory(struct lv_host *h, struct ccnc_host *part);

/* Read the bond of the running lab VM vm, keeping the last known one
 * (marked stale) when the guest agent does not answer (a QEMU failover
 * pair has none to read); its job and its NICs' traffic too. */
static void
read_vm(struct lv_host *h, struct ccnc_vm *vm, const struct ccnc_host *last)
{
    const struct ccnc_lab_vm *cv = ccnc_lab_find_vm(h->c->lab, vm->name);
    const struct ccnc_vm *prev = last ? ccnc_host_find_vm(last, vm->name) : NULL;
    struct ccnc_bond *bond;
    struct ccnc_error err = { 0 };
    virDomainPtr dom;

    if (!cv || vm->state != CCNC_VM_RUNNING)
        return;
    dom = virDomainLookupByName(h->conn, vm->name);
    bond = ccnc_xmalloc(sizeof(*bond));
    ccnc_bond_init(bond);
    if (dom)
        vm->job = read_job(dom);
    if (ccnc_vm_failover_nic(vm, NULL)) {
        /* a QEMU failover pair (<teaming>): the guest's net_failover joins
         * the two, there is no bond to ask its agent for */
        ccnc_bond_free(bond);
        ccnc_bond_free(vm->bond);
        vm->bond = NULL;
        vm->bond_stale = false;
    } else if (dom && ccnc_guest_read_bond(dom, cv->bond, GUEST_TIMEOUT_S, bond, &err) == 0) {
        ccnc_bond_free(vm->bond);
        vm->bond = bond;
        vm->bond_stale = false;
    } else {
        ccnc_bond_free(bond);
        ccnc_bond_free(vm->bond);
        vm->bond = NULL;
        if (prev && prev->bond) {
            vm->bond = ccnc_xmalloc(sizeof(*vm->bond));
            ccnc_bond_copy(vm->bond, prev->bond);
        }
        vm->bond_stale = true;
    }
    ccnc_guest_name_nics(vm);
    ccnc_error_clear(&err);
    if (dom) {
        read_traffic(dom, vm, prev);
        virDomainFree(dom);
    }
}

/* The guest agents answer one command at a time each, slowly on a busy
 * host: a host with several guests reads them at once, in up to
 * READERS threads (each VM's entry is its reader's alone). */
#define READERS 8

struct reader {
    struct lv_host *h;
    struct ccnc_host *part;
    const struct ccnc_host *last;
    size_t first, step;
};

static void *
reader(void *arg)
{
    struct reader *r = arg;

    for (size_t i = r->first; i < r->part->n_vms; i += r->step)
        read_vm(r->h, &r->part->vms[i], r->last);
    return NULL;
}

/* Each running lab VM's bond, job and traffic (read_vm). */
static void
read_bonds(struct lv_host *h, struct ccnc_host *part, const struct ccnc_host *last)
{
    struct reader r[READERS];
    pthread_t t[READERS];
    bool started[READERS] = { false };
    size_t n = 0;

    for (size_t i = 0; i < part->n_vms; i++)
        n += part->vms[i].state == CCNC_VM_RUNNING &&
             ccnc_lab_find_vm(h->c->lab, part->vms[i].name) != NULL;
    if (n > READERS)
        n = READERS;
    if (n <= 1) {
        for (size_t i = 0; i < part->n_vms; i++)
            read_vm(h, &part->vms[i], last);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        r[k] = (struct reader){ h, part, last, k, n };
        started[k] = pthread_create(&t[k], NULL, reader, &r[k]) == 0;
        if (!started[k])   /* no thread: this one reads its share itself */
            reader(&r[k]);
    }
    for (size_t k = 0; k < n; k++)
        if (started[k])
            pthread_join(t[k], NULL);
}

/* Hand a copy of the shadow's VMs to the loop. */
static void
post_vms(struct lv_host *h)
{
    struct ccnc_host *copy = ccnc_host_dup(h->shadow);

    post(h, CCNC_CONN_CONNECTED, NULL, copy->vms, copy->n_vms, true);
    copy->vms = NULL;
    copy->n_vms = 0;
    ccnc_host_unref(copy);
}

/* The libvirt job running on dom, as the model names it. */
static int
read_job(virDomainPtr dom)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0, type = VIR_DOMAIN_JOB_NONE, op = 0, job = CCNC_VM_JOB_NONE;

    if (virDomainGetJobStats(dom, &type, &params, &nparams, 0) < 0)
        return CCNC_VM_JOB_NONE;
    if (type != VIR_DOMAIN_JOB_NONE) {
        job = CCNC_VM_JOB_OTHER;
        if (virTypedParamsGetInt(params, nparams, VIR_DOMAIN_JOB_OPERATION, &op) == 1)
            job = op == VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT ? CCNC_VM_JOB_MIGRATION_OUT
                  : op == VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN ? CCNC_VM_JOB_MIGRATION_IN
                                                                : CCNC_VM_JOB_OTHER;
    }
    virTypedParamsFree(params, nparams);
    return job;
}

/* Is this domain on its way out of the list, whatever the list says: not
 * running, and libvirt said it undefined it, or it is transient (an
 * inactive transient domain is one being removed)?  The events come before
 * the domain leaves libvirt's list: a listing taken between the two would
 * keep a VM that a migration took away. */
static bool
gone(struct lv_host *h, virDomainPtr dom)
{
    bool undefined = false;

    if (virDomainIsActive(dom) != 0)
        return false;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->n_undefined; i++)
        if (ccnc_streq(h->undefined[i], virDomainGetName(dom)))
            undefined = true;
    pthread_mutex_unlock(&h->mu);
    return undefined || virDomainIsPersistent(dom) == 0;
}

/* Read every domain of the connection; false when the connection failed. */
static bool
refresh(struct lv_host *h)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(h->conn, &doms, 0);
    struct ccnc_host *part;

    if (n < 0)
        return false;
    part = ccnc_host_new("shadow", NULL, NULL, CCNC_HOST_ROLE_HYPERVISOR);
    for (int i = 0; i < n; i++) {
        char *xml = virDomainGetXMLDesc(doms[i], 0);
        int state = VIR_DOMAIN_NOSTATE, reason = 0;
        struct ccnc_virxml x;
        struct ccnc_error err = { 0 };

        if (gone(h, doms[i])) {
            free(xml);
            virDomainFree(doms[i]);
            continue;
        }
        if (xml && ccnc_virxml_parse(virDomainGetName(doms[i]), xml, strlen(xml), &x, &err) == 0 &&
            x.kind == CCNC_VIRXML_DOMAIN) {
            struct ccnc_vm *vm = ccnc_host_add_vm(part);
            *vm = x.vm; /* moved: x.vm is not cleared */
            if (virDomainGetState(doms[i], &state, &reason, 0) == 0 &&
                state >= 0 && state < CCNC_VM_LAST)
                vm->state = (enum ccnc_vm_state)state;
            vm->job = read_job(doms[i]);
            ccnc_vm_apply_roles(vm, ccnc_lab_find_vm(h->c->lab, vm->name));
        } else if (xml) {
            ccnc_virxml_clear(&x);
        }
        ccnc_error_clear(&err);
        free(xml);
        virDomainFree(doms[i]);
    }
    free(doms);
    read_memory(h, part);
    read_bonds(h, part, h->shadow);
    ccnc_host_unref(h->shadow);
    h->shadow = part;
    post_vms(h);
    return true;
}

/* The node's memory, as libvirt's node memory statistics give it: free is
 * what is free or only caches (buffers, page cache), which the kernel
 * gives back to a VM that needs it (as Nova counts it). */
static void
read_memory(struct lv_host *h, struct ccnc_host *part)
{
    virNodeMemoryStatsPtr st = NULL;
    int n = 0;
    long long total = CCNC_UNKNOWN, free_kib = CCNC_UNKNOWN, cache = 0;

    part->mem_total_kib = part->mem_free_kib = CCNC_UNKNOWN;
    if (virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) < 0 ||
        n <= 0)
        return;
    st = ccnc_xcalloc((size_t)n, sizeof(*st));
    if (virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) == 0) {
        for (int i = 0; i < n; i++) {
            long long v = (long long)st[i].value;
            if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
                total = v;
            else if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0)
                free_kib = v;
            else if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0 ||
                     strcmp(st[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
                cache += v;
        }
    }
    free(st);
    part->mem_total_kib = total;
    if (free_kib >= 0)
        part->mem_free_kib = total >= 0 && free_kib + cache > total ? total : free_kib + cache;
}

/* Whether the node's memory moved enough to be worth a new picture. */
static bool
memory_changed(const struct ccnc_host *a, const struct ccnc_host *b)
{
    long long d = a->mem_free_kib - b->mem_free_kib;

    return a->mem_total_kib != b->mem_total_kib || (a->mem_free_kib < 0) != (b->mem_free_kib < 0) ||
           d > MEMORY_STEP_KIB || d < -MEMORY_STEP_KIB;
}

/* Between domain events: only the guests' bonds, posted when they changed. */
static void
refresh_bonds(struct lv_host *h)
{
    struct ccnc_host *part;
    struct ccnc_event_list changes = { 0 };

    if (!h->shadow)
        return;
    part = ccnc_host_dup(h->shadow);
    read_memory(h, part);
    read_bonds(h, part, h->shadow);
    ccnc_host_diff(h->shadow, part, "shadow", &changes);
    {
        bool traffic = traffic_changed(h->shadow, part) || memory_changed(h->shadow, part);
        ccnc_host_unref(h->shadow);
        h->shadow = part;
        if (changes.n || traffic)
            post_vms(h);
    }
    ccnc_event_list_clear(&changes);
}

static void
wait_s(struct lv_host *h, int seconds)
{
    struct timespec ts = ccnc_deadline_s(seconds);

    while (!h->stop && !h->refresh && !h->closed && !h->bonds_now)
        if (pthread_cond_timedwait(&h->cond, &h->mu, &ts) == ETIMEDOUT)
            break;
}

/* Idle (under h->mu) until something happens, or until the settling
 * listing is due; true when that time came. */
static bool
wait_settle(struct lv_host *h)
{
    while (!h->stop && !h->refresh && !h->closed && !h->bonds_now) {
        long long left = h->settle_ms - ccnc_now_mono_ms();
        struct timespec ts;
        if (left <= 0)
            return true;
        ts = ccnc_deadline_ms(left);
        pthread_cond_timedwait(&h->cond, &h->mu, &ts);
    }
    return false;
}

/* Is any VM of the lab running here (so its bond is worth reading)? */
static bool
lab_vms_running(const struct lv_host *h)
{
    for (size_t i = 0; h->shadow && i < h->shadow->n_vms; i++)
        if (h->shadow->vms[i].state == CCNC_VM_RUNNING &&
            ccnc_lab_find_vm(h->c->lab, h->shadow->vms[i].name))
            return true;
    return false;
}

/* Each second, on the loop: an open that has waited SLOW_OPEN_S (and every
 * SLOW_OPEN_S more) is reported, still connecting, with why nothing shows:
 * the daemon took the connection and does not answer.  Posted under the
 * host's lock, so that the worker's own report after the open comes later. */
static void
watch_opens(void *data)
{
    struct ccnc_collect_libvirt *c = data;
    long long now = ccnc_now_mono_ms();

    for (size_t i = 0; i < c->n_hosts; i++) {
        struct lv_host *h = &c->hosts[i];

        /* never waited for on the loop: a worker may hold it across a call */
        if (pthread_mutex_trylock(&h->mu) != 0)
            continue;
        if (h->opening_ms &&
            ccnc_due_every(now - h->opening_ms, SLOW_OPEN_S * 1000LL, &h->slow_said_ms)) {
            char *msg = ccnc_xasprintf(_("no answer in %d s: is its libvirtd (or sshd) running? "
                                         "ccnc keeps waiting"),
                                       (int)(h->slow_said_ms / 1000));

            ccnc_log(CCNC_LOG_CONNECT, "%s: %s", c->lab->hosts[h->index].name, msg);
            post(h, CCNC_CONN_CONNECTING, msg, NULL, 0, false);
            free(msg);
        }
        pthread_mutex_unlock(&h->mu);
    }
}

static void *
worker(void *arg)
{
    struct lv_host *h = arg;
    int backoff = 1;

    pthread_mutex_lock(&h->mu);
    if (!h->uri) {
        /* never connected without the host key checked: say why, once */
        pthread_mutex_unlock(&h->mu);
        post(h, CCNC_CONN_UNREACHABLE, h->uri_err.message, NULL, 0, false);
        pthread_mutex_lock(&h->mu);
        while (!h->stop)
            pthread_cond_wait(&h->cond, &h->mu);
    }
    while (!h->stop) {
        if (!h->conn) {
            virConnectPtr conn;

            h->opening_ms = ccnc_now_mono_ms();
            h->slow_said_ms = 0;
            pthread_mutex_unlock(&h->mu);
            ccnc_collect_libvirt_log_open(h->c->lab->hosts[h->index].name, h->uri);
            /* no auth callback: never a password prompt, keys only; it
             * waits for the daemon as long as it takes (watch_opens says
             * so meanwhile) */
            conn = virConnectOpenAuth(h->uri, NULL, 0);
            if (conn)
                ccnc_log(CCNC_LOG_CONNECT, _("%s: libvirt answered"),
                         h->c->lab->hosts[h->index].name);
            pthread_mutex_lock(&h->mu);
            h->opening_ms = 0;
            if (!conn) {
                char *shown = ccnc_log_uri(h->uri);
                char *msg = ccnc_xasprintf(_("cannot connect to %s: %s (next try in %d s)"),
                                           shown, last_error(), backoff);
                free(shown);
                pthread_mutex_unlock(&h->mu);
                post(h, CCNC_CONN_UNREACHABLE, msg, NULL, 0, false);
                free(msg);
                pthread_mutex_lock(&h->mu);
                wait_s(h, backoff);
                backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
                continue;
            }
            h->conn = conn;
            virConnectSetKeepAlive(conn, 5, 3);
            virConnectRegisterCloseCallback(conn, on_close, h, NULL);
            register_events(h);
            h->refresh = true;
            h->closed = false;
            backoff = 1;
        }
        if (h->closed) {
            drop_connection(h);
            pthread_mutex_unlock(&h->mu);
            post(h, CCNC_CONN_UNREACHABLE, _("the libvirt connection was closed; reconnecting"),
                 NULL, 0, false);
            pthread_mutex_lock(&h->mu);
            continue;
        }
        if (h->refresh) {
            bool ok;
            h->refresh = false;
            pthread_mutex_unlock(&h->mu);
            ok = refresh(h);
            pthread_mutex_lock(&h->mu);
            if (!ok)
                h->closed = true;
            continue;
        }
        if (h->bonds_now) {
            /* asked for by the engine: a guest's MAC moved */
            h->bonds_now = false;
            pthread_mutex_unlock(&h->mu);
            refresh_bonds(h);
            pthread_mutex_lock(&h->mu);
            continue;
        }
        if (h->settle_ms && h->settle_ms <= ccnc_now_mono_ms() + GUEST_POLL_S * 1000) {
            if (wait_settle(h)) {
                h->settle_ms = 0;
                h->refresh = true;
            }
            continue;
        }
        /* no guest to read: only the node's memory, now and then */
        wait_s(h, lab_vms_running(h) ? GUEST_POLL_S : MEMORY_POLL_S);
        if (!h->stop && !h->refresh && !h->closed && h->conn) {
            h->bonds_now = false;
            pthread_mutex_unlock(&h->mu);
            refresh_bonds(h);
            pthread_mutex_lock(&h->mu);
        }
    }
    drop_connection(h);
    ccnc_host_unref(h->shadow);
    h->shadow = NULL;
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* --- URIs ------------------------------------------------------------------ */

void
ccnc_collect_libvirt_log_open(const char *host, const char *uri)
{
    char *shown;

    if (!ccnc_log_enabled(CCNC_LOG_CONNECT))
        return;
    shown = ccnc_log_uri(uri);
    ccnc_log(CCNC_LOG_CONNECT, _("%s: opening libvirt at %s"), host, shown);
    free(shown);
}


/* Does path hold exactly text, as a file of ours that only we can change
 * and run? */
static bool
wrapper_is(const char *path, const char *text)
{
    size_t n = strlen(text);
    char *buf = ccnc_xmalloc(n + 2);
    struct stat st;
    bool same = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
        (st.st_mode & 07777) == 0700 && (size_t)st.st_size == n) {
        ssize_t got = read(fd, buf, n + 1);
        same = got == (ssize_t)n && memcmp(buf, text, n) == 0;
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return same;
}

/* An ssh wrapper that verifies the host key (against the lab's known_hosts
 * when it names one) and never asks anything: libvirt's ssh transport has
 * no option for it.  The -o options win over ~/.ssh/config, which may say
 * otherwise; ConnectTimeout bounds a connection to a host that is gone (a
 * run reconnecting after its libvirtd restarted).  A wrapper already there
 * as it should be is left alone: a file being written cannot be run
 * (ETXTBSY), and another thread's, or another ccnc's, fork may hold the
 * writing end for a moment.  Otherwise written under a temporary name and
 * renamed over the old one: a connection always finds a whole wrapper.
 * ssh keeps SIGINT and SIGHUP ignored: a Ctrl-C in ccnc's terminal, or the
 * terminal closed, reaches its whole process group, and ccnc, which then
 * undoes what it did, needs its connections alive for that. */
static char *
ssh_wrapper(const struct ccnc_lab_host *host, const char *dir, struct ccnc_error *err)
{
    char *path = ccnc_xasprintf("%s/ssh-%s", dir, host->name);
    char *tmp = ccnc_xasprintf("%s.XXXXXX", path);
    char *kh = host->known_hosts ? ccnc_quote_word(host->known_hosts) : NULL;
    char *text = ccnc_xasprintf("#!/bin/sh\n# made by ccnc for libvirt's connection to %s\n"
                                "trap '' INT HUP\n"
                                "exec ssh%s%s%s -o StrictHostKeyChecking=yes -o BatchMode=yes "
                                "-o ConnectTimeout=10 \"$@\"\n",
                                host->name, kh ? " -o UserKnownHostsFile=" : "", kh ? kh : "",
                                kh ? " -o GlobalKnownHostsFile=/dev/null" : "");
    FILE *f = NULL;
    int fd, ok;

    free(kh);
    if (wrapper_is(path, text)) {
        free(text);
        free(tmp);
        return path;
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd >= 0 && fchmod(fd, 0700) == 0)
        f = fdopen(fd, "w");
    if (!f) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot make ccnc's ssh wrapper %s: %s"), path,
                       strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(text);
        free(tmp);
        free(path);
        return NULL;
    }
    fputs(text, f);
    ok = fclose(f) == 0 && rename(tmp, path) == 0;
    if (!ok) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot make ccnc's ssh wrapper %s: %s"), path,
                       strerror(errno));
        unlink(tmp);
        free(path);
        path = NULL;
    }
    free(text);
    free(tmp);
    return path;
}

/* The private folder for the wrappers: only one of our own will do for
 * scripts we run. */
static char *
runtime_dir(struct ccnc_error *err)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    char *dir = xdg && *xdg == '/' ? ccnc_xasprintf("%s/ccnc", xdg)
                                   : ccnc_xasprintf("/tmp/ccnc-%u", (unsigned)getuid());
    struct stat st;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        ccnc_error_set(err, CCNC_ERR_IO, _("cannot make the private folder %s: %s"), dir,
                       strerror(errno));
        free(dir);
        return NULL;
    }
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
        (st.st_mode & 077)) {
        ccnc_error_set(err, CCNC_ERR_IO, _("%s is not a private folder of this user (mode "
                                           "0700, not a link)"), dir);
        free(dir);
        return NULL;
    }
    return dir;
}

/* The value of query parameter name in uri, NULL if none.  Caller frees. */
static char *
uri_param(const char *uri, const char *name)
{
    const char *q = strchr(uri, '?');
    size_t n = strlen(name);

    for (const char *p = q; p && *p; p = strchr(p + 1, '&')) {
        const char *k = p + 1;
        if (strncmp(k, name, n) == 0 && k[n] == '=') {
            const char *end = strchr(k, '&');
            return ccnc_xstrndup(k + n + 1, end ? (size_t)(end - k - n - 1) : strlen(k + n + 1));
        }
    }
    return NULL;
}

static char *
add_param(char *uri, const char *name, const char *value)
{
    char *esc = ccnc_quote_uri(value);
    char *n = ccnc_xasprintf("%s%s%s=%s", uri, strchr(uri, '?') ? "&" : "?", name, esc);

    free(esc);
    free(uri);
    return n;
}

/* The transport of a libvirt URI ("ssh" in qemu+ssh://...), "" if none. */
static char *
uri_transport(const char *uri)
{
    const char *colon = strstr(uri, "://"), *plus = memchr(uri, '+', colon ? (size_t)(colon - uri) : 0);

    return plus ? ccnc_xstrndup(plus + 1, (size_t)(colon - plus - 1)) : ccnc_xstrdup("");
}

char *
ccnc_collect_libvirt_uri(const struct ccnc_lab_host *host, struct ccnc_error *err)
{
    char *uri = ccnc_lab_host_libvirt_uri(host), *t = uri_transport(uri), *v, *dir, *wrapper;

    if (strcmp(t, "ssh") == 0) {
        /* OpenSSH: ccnc's own wrapper checks the host key, never asks */
        if ((v = uri_param(uri, "command")) != NULL || (v = uri_param(uri, "no_verify")) != NULL) {
            free(v);
            ccnc_error_set(err, CCNC_ERR_CONFIG,
                           _("the libvirt_uri of [host %s] names its own ssh command or turns "
                             "host key checks off: ccnc checks host keys with its own ssh "
                             "wrapper; leave command= and no_verify= out"), host->name);
            goto fail;
        }
        if (!(dir = runtime_dir(err)))
            goto fail;
        wrapper = ssh_wrapper(host, dir, err);
        free(dir);
        if (!wrapper)
            goto fail;
        uri = add_param(uri, "command", wrapper);
        free(wrapper);
    } else if (strcmp(t, "libssh") == 0 || strcmp(t, "libssh2") == 0) {
        v = uri_param(uri, "known_hosts_verify");
        if (v && strcmp(v, "normal") != 0) {
            free(v);
            ccnc_error_set(err, CCNC_ERR_CONFIG,
                           _("the libvirt_uri of [host %s] says known_hosts_verify other than "
                             "normal: ccnc connects only to hosts whose key it knows"),
                           host->name);
            goto fail;
        }
        if (!v)
            uri = add_param(uri, "known_hosts_verify", "normal");
        free(v);
        if (host->known_hosts && !(v = uri_param(uri, "known_hosts")))
            uri = add_param(uri, "known_hosts", host->known_hosts);
        else
            free(v);
    } else if ((v = uri_param(uri, "no_verify")) != NULL) {
        bool off = strcmp(v, "0") != 0;
        free(v);
        if (off) {
            ccnc_error_set(err, CCNC_ERR_CONFIG,
                           _("the libvirt_uri of [host %s] turns certificate checks off "
                             "(no_verify): leave it out"), host->name);
            goto fail;
        }
    }
    free(t);
    return uri;
fail:
    free(t);
    free(uri);
    return NULL;
}

/* --- start and stop --------------------------------------------------------- */

struct ccnc_collect_libvirt *
ccnc_collect_libvirt_start(struct ccnc_loop *loop, struct ccnc_lab *lab,
                           const struct ccnc_collect_libvirt_callbacks *cb, void *data)
{
    struct ccnc_collect_libvirt *c;
    size_t n = 0;

    for (size_t i = 0; i < lab->n_hosts; i++)
        n += ccnc_lab_host_runs_libvirt(&lab->hosts[i]);
    if (n == 0)
        return NULL;
    if (ccnc_libvirt_events_acquire() < 0)
        return NULL;

    c = ccnc_xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->lab = ccnc_lab_ref(lab);
    c->cb = *cb;
    c->cb_data = data;
    pthread_mutex_init(&c->qmu, NULL);
    c->events = true;

    c->hosts = ccnc_xcalloc(n, sizeof(*c->hosts));
    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct lv_host *h;
        if (!ccnc_lab_host_runs_libvirt(&lab->hosts[i]))
            continue;
        h = &c->hosts[c->n_hosts++];
        h->c = c;
        h->index = i;
        /* a URI that cannot be made verified is not connected to: the
         * worker reports why instead */
        h->uri = ccnc_collect_libvirt_uri(&lab->hosts[i], &h->uri_err);
        pthread_mutex_init(&h->mu, NULL);
        pthread_cond_init(&h->cond, NULL);
    }
    /* every wrapper written before any worker forks its ssh */
    for (size_t i = 0; i < c->n_hosts; i++)
        c->hosts[i].started = pthread_create(&c->hosts[i].thread, NULL, worker, &c->hosts[i]) == 0;
    if (c->n_hosts) {
        int id = ccnc_loop_add_timer(c->loop, 1000, true, watch_opens, c);
        c->slow_timer = id > 0 ? id : 0;
    }
    return c;
}

void
ccnc_collect_libvirt_read_bonds(struct ccnc_collect_libvirt *c, size_t host)
{
    struct lv_host *h = NULL;

    for (size_t i = 0; c && i < c->n_hosts; i++)
        if (c->hosts[i].index == host)
            h = &c->hosts[i];
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->bonds_now = true;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->mu);
}

void
ccnc_collect_libvirt_stop(struct ccnc_collect_libvirt *c)
{
    if (!c)
        return;
    ccnc_loop_cancel(c->loop, &c->slow_timer);
    for (size_t i = 0; i < c->n_hosts; i++) {
        struct lv_host *h = &c->hosts[i];
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_signal(&h->cond);
        pthread_mutex_unlock(&h->mu);
    }
    for (size_t i = 0; i < c->n_hosts; i++) {
        struct lv_host *h = &c->hosts[i];
        struct timespec ts = ccnc_deadline_s(5);
        /* a worker stuck in libvirt's connect (an ssh that hangs) must not
         * hold the console's exit: after 5 s it is left to the process's end,
         * and with it everything it may still touch */
        if (h->started && pthread_timedjoin_np(h->thread, NULL, &ts) != 0) {
            pthread_mutex_lock(&c->qmu);
            c->detached = true;
            pthread_mutex_unlock(&c->qmu);
            ccnc_loop_unpost(c->loop, c);
            return;
        }
    }
    for (size_t i = 0; i < c->n_hosts; i++) {
        struct lv_host *h = &c->hosts[i];
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cond);
        free(h->uri);
        ccnc_error_clear(&h->uri_err);
    }
    if (c->events)
        ccnc_libvirt_events_release();
    ccnc_loop_unpost(c->loop, c);
    for (size_t i = 0; i < c->n_hosts; i++) {
        for (size_t k = 0; k < c->hosts[i].n_undefined; k++)
            free(c->hosts[i].undefined[k]);
        free(c->hosts[i].undefined);
    }
    for (size_t i = 0; i < c->n_queue; i++) {
        for (size_t k = 0; k < c->queue[i].n_vms; k++)
            ccnc_vm_clear(&c->queue[i].vms[k]);
        free(c->queue[i].vms);
        free(c->queue[i].error);
    }
    free(c->queue);
    pthread_mutex_destroy(&c->qmu);
    free(c->hosts);
    ccnc_lab_unref(c->lab);
    free(c);
}
