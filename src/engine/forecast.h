/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast (ccnc_engine_forecast in ccnc/engine.h). */
#ifndef CCNC_ENGINE_FORECAST_H
#define CCNC_ENGINE_FORECAST_H

#include <ccnc/action.h>
#include <ccnc/lab.h>
#include <ccnc/model.h>

#include <libvirt/libvirt.h>

#include <ccnc/loop.h>

/* Fill a->forecast from the run files in runs_dir, the VM's memory in snap
 * and its dirty rate measured over measure_s (0: not measured, the
 * action's first step does it). */
void ccnc_forecast_fill(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                        const char *runs_dir, struct ccnc_action *a, int measure_s);

/* vm's dirty rate, by QEMU's page sampling over seconds on connection c,
 * hashing pages pages a GiB of its RAM (0: QEMU's default, 512, through
 * libvirt's own call): bytes per second into *bps, the pages a GiB used
 * into *used (NULL: not wanted), and 0; or -1 and why (translated).
 * Blocks for the period. */
int ccnc_forecast_measure(virConnectPtr c, const char *vm, int seconds, int pages, double *bps,
                          int *used, char *why, size_t why_len);

/* A sample taken in a thread of its own; its answer comes on loop's
 * thread: ok, bytes per second, the period, when it ended (monotonic ms),
 * and why not (translated); as ccnc_engine_dirty_cb. */
typedef void (*ccnc_forecast_sample_cb)(void *data, bool ok, double bps, int seconds,
                                        long long at_ms, const char *why);
struct ccnc_dirty_job;
struct ccnc_dirty_job *ccnc_forecast_sample_start(struct ccnc_lab *lab, struct ccnc_loop *loop,
                                                  const char *host, const char *vm, int seconds,
                                                  ccnc_forecast_sample_cb cb, void *data);
/* Its answer came: the job may be freed without a wait. */
bool ccnc_forecast_sample_done(const struct ccnc_dirty_job *j);
/* data goes away (NULL: whoever asked): the answer goes nowhere. */
void ccnc_forecast_sample_forget(struct ccnc_dirty_job *j, void *data);
/* On the loop's thread; waits for the sample's end. */
void ccnc_forecast_sample_free(struct ccnc_dirty_job *j);

#endif
