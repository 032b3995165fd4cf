/* Running an action for real: a thread that maps each step of the state
 * machine to libvirt and guest-agent calls, writes the run file as it
 * goes, and tells the loop's thread what happened. */
#ifndef CCNC_ACTION_RUN_H
#define CCNC_ACTION_RUN_H

#include <ccnc/action.h>
#include <ccnc/engine.h>
#include <ccnc/runlog.h>

struct ccnc_action_run;

/* Progress, posted to the loop's thread: a copy of the action as it stands
 * (the callback may keep it: it owns it), the step that started or ended
 * (NULL when the action finished), and a note (the summary at the end). */
typedef void (*ccnc_action_run_cb)(struct ccnc_action *copy, const struct ccnc_step *step,
                                   const char *note, bool finished, void *data);

/* Start running a (confirmed) action against the lab in engine's loop.
 * The run takes the action in every case (freed with the run, or at once
 * when it cannot start).  runs_dir: where the run
 * file goes.  NULL and err when it cannot start (run file, libvirt events);
 * a source it cannot connect to fails the first step. */
struct ccnc_action_run *ccnc_action_run_start(struct ccnc_engine *engine,
                                              struct ccnc_action *a, const char *runs_dir,
                                              ccnc_action_run_cb cb, void *data,
                                              struct ccnc_error *err);
/* Ask a running migration to stop (virDomainAbortJob); the state machine
 * then rolls back. */
void ccnc_action_run_abort(struct ccnc_action_run *run);
bool ccnc_action_run_finished(const struct ccnc_action_run *run);
const struct ccnc_action *ccnc_action_run_action(const struct ccnc_action_run *run);
const char *ccnc_action_run_file(const struct ccnc_action_run *run);
/* Figures for the summary: CCNC_UNKNOWN when not measured. */
long long ccnc_action_run_total_ms(const struct ccnc_action_run *run);
long long ccnc_action_run_downtime_ms(const struct ccnc_action_run *run);
/* Abort the libvirt job (a migration) of a VM from outside the process
 * that runs it: that process sees its migration fail and rolls back.
 * Returns 1 when a job was aborted, 0 when the VM had none, -1 and err. */
int ccnc_action_abort_vm(const struct ccnc_lab *lab, const char *vm, struct ccnc_error *err);

/* The agent that runs connectivity probes: the first storage host's, NULL
 * when the lab has none (engine.c). host: its name. */
struct ccnc_agent *ccnc_engine_probe_agent(struct ccnc_engine *engine, const char **host);

/* Wait for the thread (after it finished) and free. */
void ccnc_action_run_free(struct ccnc_action_run *run);

#endif
