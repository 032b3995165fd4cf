/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bandwidth test (the thesis' throughput table): iperf3 run as a client
 * against target (an iperf3 server in the VM), its JSON report read and
 * answered.  Runs in the agent's loop; one child process per test, killed
 * by its PID when it overruns. */
#ifndef CCNC_AGENT_BANDWIDTH_H
#define CCNC_AGENT_BANDWIDTH_H

#include <ccnc/error.h>
#include <ccnc/loop.h>

#include "agent/proto.h"

struct ccnc_bw;

/* done(data, req, result, error) once: result on success, else error; the
 * test frees itself after it. */
typedef void (*ccnc_bw_done_cb)(void *data, const struct ccnc_proto_request *req,
                                const struct ccnc_bandwidth *result, const char *error);

/* Start `iperf3 -c TARGET -p PORT -t SECONDS -J [-R]` (no shell); NULL and
 * err when it cannot be started. */
struct ccnc_bw *ccnc_bw_start(struct ccnc_loop *loop, const struct ccnc_proto_request *req,
                              ccnc_bw_done_cb done, void *data, struct ccnc_error *err);
/* Kill it (the console went away): no done callback. */
void ccnc_bw_cancel(struct ccnc_bw *bw);

#endif
