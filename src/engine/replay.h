/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replaying a run file: its lines played back on the loop at their own
 * pace (divided by speed), as an action whose steps start and end as they
 * did.  For rehearsing a demo without a lab.  Only the loop's thread. */
#ifndef CCNC_REPLAY_H
#define CCNC_REPLAY_H

#include <ccnc/action.h>
#include <ccnc/loop.h>
#include <ccnc/runlog.h>

struct ccnc_replay;

struct ccnc_replay_callbacks {
    /* The replayed action changed: a step started or ended (step), or a
     * sample or a pre-copy round came (step NULL). */
    void (*changed)(void *data, const struct ccnc_action *a, const struct ccnc_step *step);
    /* It said what it waits for: a->notice. */
    void (*notice)(void *data, const struct ccnc_action *a);
    /* It ended: its recorded figures (CCNC_UNKNOWN where the file has
     * none), or the file ended without a result. */
    void (*finished)(void *data, const struct ccnc_action *a, long long total_ms,
                     long long downtime_ms, long long longest_gap_ms, long long lost_probes);
};

/* Read run_file and start playing it.  NULL and err when it cannot be read
 * or is not a run file. */
struct ccnc_replay *ccnc_replay_start(struct ccnc_loop *loop, const char *run_file, double speed,
                                      const struct ccnc_replay_callbacks *cb, void *data,
                                      struct ccnc_error *err);
/* The action as it stands. */
const struct ccnc_action *ccnc_replay_action(const struct ccnc_replay *r);
bool ccnc_replay_finished(const struct ccnc_replay *r);
/* The lines played so far, in the file's order (ccnc/runlog.h). */
const struct ccnc_run_line *ccnc_replay_lines(const struct ccnc_replay *r, size_t *n);
/* Play the rest at once (a rehearsal stopped). */
void ccnc_replay_to_end(struct ccnc_replay *r);
void ccnc_replay_free(struct ccnc_replay *r);

#endif
