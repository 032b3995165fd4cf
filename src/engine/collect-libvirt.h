/* The libvirt collector: one connection per hypervisor host, its domains
 * and their NICs in the host part, domain events as the trigger. */
#ifndef CCNC_COLLECT_LIBVIRT_H
#define CCNC_COLLECT_LIBVIRT_H

#include <ccnc/engine.h>

struct ccnc_collect_libvirt;

/* Start a worker per hypervisor host of the engine's lab; results reach
 * the engine through its loop.  NULL when the lab has no hypervisor. */
struct ccnc_collect_libvirt *ccnc_collect_libvirt_start(struct ccnc_engine *engine);
/* Stop the workers, close the connections, and free. */
void ccnc_collect_libvirt_stop(struct ccnc_collect_libvirt *c);

/* The URI ccnc opens for a host: the lab's, or qemu+ssh with the host's
 * key and, through a generated ssh wrapper in dir, its known_hosts. */
char *ccnc_collect_libvirt_uri(const struct ccnc_lab_host *host, const char *dir);

/* libvirt's event loop, run in a thread of its own while anyone holds a
 * reference (the collector, an action's executor).  -1 when libvirt's
 * event implementation cannot be set up. */
int ccnc_libvirt_events_acquire(void);
void ccnc_libvirt_events_release(void);

#endif
