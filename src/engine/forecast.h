/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A migration's forecast (ccnc_engine_forecast in ccnc/engine.h). */
#ifndef CCNC_ENGINE_FORECAST_H
#define CCNC_ENGINE_FORECAST_H

#include <ccnc/action.h>
#include <ccnc/lab.h>
#include <ccnc/model.h>

/* Fill a->forecast from the run files in runs_dir, the VM's memory in snap
 * and its dirty rate measured over measure_s (0: not measured). */
void ccnc_forecast_fill(const struct ccnc_lab *lab, const struct ccnc_snapshot *snap,
                        const char *runs_dir, struct ccnc_action *a, int measure_s);

#endif
