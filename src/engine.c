/* The engine: owns the loop and the current snapshot, and publishes what
 * collectors learn as new snapshots. */
#include "config.h"

#include <stdlib.h>

#include <ccnc/engine.h>

#include "collect-libvirt.h"

struct ccnc_engine {
    struct ccnc_lab *lab;
    struct ccnc_loop *loop;
    struct ccnc_snapshot *snap;
    ccnc_engine_listener listener;
    void *listener_data;
    struct ccnc_collect_libvirt *libvirt;
};

struct ccnc_engine *
ccnc_engine_new(struct ccnc_lab *lab)
{
    struct ccnc_engine *e = ccnc_xcalloc(1, sizeof(*e));

    e->lab = ccnc_lab_ref(lab);
    e->loop = ccnc_loop_new();
    e->snap = ccnc_snapshot_new_from_lab(lab);
    return e;
}

void
ccnc_engine_free(struct ccnc_engine *e)
{
    if (!e)
        return;
    ccnc_collect_libvirt_stop(e->libvirt);
    ccnc_snapshot_unref(e->snap);
    ccnc_loop_free(e->loop);
    ccnc_lab_unref(e->lab);
    free(e);
}

struct ccnc_loop *
ccnc_engine_loop(struct ccnc_engine *e)
{
    return e->loop;
}

const struct ccnc_lab *
ccnc_engine_lab(const struct ccnc_engine *e)
{
    return e->lab;
}

struct ccnc_snapshot *
ccnc_engine_snapshot(struct ccnc_engine *e)
{
    return ccnc_snapshot_ref(e->snap);
}

void
ccnc_engine_set_listener(struct ccnc_engine *e, ccnc_engine_listener cb, void *data)
{
    e->listener = cb;
    e->listener_data = data;
}

void
ccnc_engine_start(struct ccnc_engine *e)
{
    if (!e->libvirt)
        e->libvirt = ccnc_collect_libvirt_start(e);
}

void
ccnc_engine_update_host(struct ccnc_engine *e, size_t i,
                        void (*fn)(struct ccnc_host *host, void *data), void *data)
{
    struct ccnc_host *h;

    if (i >= e->snap->n_hosts)
        return;
    h = ccnc_host_dup(e->snap->hosts[i]);
    fn(h, data);
    h->updated_ms = ccnc_now_wall_ms();
    ccnc_engine_publish_host(e, i, h);
}

void
ccnc_engine_publish_host(struct ccnc_engine *e, size_t i, struct ccnc_host *host)
{
    struct ccnc_snapshot *next = ccnc_snapshot_replace_host(e->snap, i, host);
    struct ccnc_event_list changes = { 0 };

    ccnc_snapshot_diff(e->snap, next, &changes);
    ccnc_snapshot_unref(e->snap);
    e->snap = next;
    if (e->listener)
        e->listener(e->snap, &changes, e->listener_data);
    ccnc_event_list_clear(&changes);
}
