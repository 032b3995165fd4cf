/* What the console's screens and the batch commands may ask of the engine:
 * the current snapshot, change notifications, and the event loop to hang
 * their own inputs on.  All calls from the loop's thread. */
#ifndef CCNC_ENGINE_H
#define CCNC_ENGINE_H

#include <ccnc/loop.h>
#include <ccnc/model.h>

struct ccnc_engine;

/* Called after each new snapshot is published, with what changed. */
typedef void (*ccnc_engine_listener)(const struct ccnc_snapshot *snap,
                                     const struct ccnc_event_list *changes, void *data);

/* A new engine for lab (takes its own reference); collectors start with
 * ccnc_engine_start(). */
struct ccnc_engine *ccnc_engine_new(struct ccnc_lab *lab);
void ccnc_engine_free(struct ccnc_engine *engine);

struct ccnc_loop *ccnc_engine_loop(struct ccnc_engine *engine);
const struct ccnc_lab *ccnc_engine_lab(const struct ccnc_engine *engine);
/* The current snapshot, a new reference for the caller. */
struct ccnc_snapshot *ccnc_engine_snapshot(struct ccnc_engine *engine);
void ccnc_engine_set_listener(struct ccnc_engine *engine, ccnc_engine_listener cb,
                              void *data);
/* Start the collectors that exist in this build. */
void ccnc_engine_start(struct ccnc_engine *engine);

/* Publish host part i (the engine takes the reference) as a new snapshot,
 * and tell the listener what changed.  Used by collectors. */
void ccnc_engine_publish_host(struct ccnc_engine *engine, size_t i, struct ccnc_host *host);

/* Change host part i: fn gets a private copy of the current part to change
 * in place, and the result is published.  For collectors that own only some
 * fields (libvirt the VMs, the agent the inventory). */
void ccnc_engine_update_host(struct ccnc_engine *engine, size_t i,
                             void (*fn)(struct ccnc_host *host, void *data), void *data);

#endif
