/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connectivity probe: ICMP echo (a SOCK_DGRAM ping socket) or UDP to a
 * target at 1-1000 Hz, reporting sent, received, lost and the current and
 * longest gap every 100 ms.  Runs in the agent's loop thread. */
#ifndef CCNC_AGENT_PROBE_H
#define CCNC_AGENT_PROBE_H

#include <ccnc/error.h>
#include <ccnc/loop.h>

#include "agent/proto.h"

struct ccnc_probe;

/* report(sample, data) every 100 ms and once with done set at the end;
 * after that final report the probe frees itself. */
typedef void (*ccnc_probe_report_cb)(const struct ccnc_probe_sample *s, void *data);

/* Start probe number id as req (probe-start) says; NULL and err when the
 * target is not an IPv4 address or the socket cannot be made. */
struct ccnc_probe *ccnc_probe_start(struct ccnc_loop *loop, int id,
                                    const struct ccnc_proto_request *req,
                                    ccnc_probe_report_cb report, void *data,
                                    struct ccnc_error *err);
int ccnc_probe_id(const struct ccnc_probe *p);
/* Stop now: one last report (done) and the probe is freed. */
void ccnc_probe_stop(struct ccnc_probe *p);

#endif
