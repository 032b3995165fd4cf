/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A VF change whose answer comes while it is being sent: writing the
 * request pumps the SSH session, which may find the agent gone and end
 * its pending requests on the spot (collect-agent.c's pending_end), so
 * the engine's reply callback runs, and frees its record, before
 * ccnc_agent_vf_set returns.  The engine must not keep that record
 * (it once did: freed again by ccnc_engine_free, "double free or
 * corruption" in `ccnc pool reserve`).  The agent layer now holds such an
 * answer for the loop's next pass (collect-agent.h); the engine stays
 * correct if one comes early all the same.  ccnc_agent_vf_set is replaced at
 * link time (-Wl,--wrap) by one that answers in that way; the rest is the
 * real engine on the built-in lab, not connected.  Exit 0 pass, 1 fail;
 * the ASan pass catches the use after free itself. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <ccnc/engine.h>
#include <ccnc/error.h>
#include <ccnc/lab.h>
#include <ccnc/vf.h>

#include "engine/collect-agent.h"

long long __wrap_ccnc_agent_vf_set(struct ccnc_agent *a, const struct ccnc_vf_change *c,
                                   ccnc_agent_reply_cb cb, void *data, struct ccnc_error *err);

static int answers;

long long
__wrap_ccnc_agent_vf_set(struct ccnc_agent *a, const struct ccnc_vf_change *c,
                         ccnc_agent_reply_cb cb, void *data, struct ccnc_error *err)
{
    (void)a;
    (void)c;
    (void)err;
    /* the request was listed and written; the write found the agent gone */
    cb(data, false, "ccnc-agent on the host ended");
    return 7;
}

static void
on_reply(void *data, bool ok, const char *error)
{
    (void)data;
    if (!ok && error && strstr(error, "ended"))
        answers++;
}

int
main(void)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    struct ccnc_engine *e;
    struct ccnc_engine_options o = { .ssh_only = true };
    struct ccnc_vf_change c;
    struct ccnc_error err = { 0 };
    int rc, token = 0;

    if (!lab) {
        fprintf(stderr, "FAIL: no built-in lab\n");
        return 1;
    }
    e = ccnc_engine_new(lab);
    ccnc_engine_set_options(e, &o);
    ccnc_engine_start(e);
    ccnc_vf_change_init(&c, "eth1", 0);
    rc = ccnc_engine_vf_set(e, lab->hosts[0].name, &c, on_reply, &token, &err);
    ccnc_vf_change_clear(&c);
    if (rc != 0 || answers != 1) {
        fprintf(stderr, "FAIL: vf_set returned %d (%s), %d answers, not 0 and 1\n", rc,
                err.message ? err.message : "-", answers);
        return 1;
    }
    /* what an action's end and the CLI's exit do next: neither may touch
     * the answered record again */
    ccnc_engine_forget_replies(e, &token);
    ccnc_engine_free(e);
    ccnc_lab_unref(lab);
    ccnc_error_clear(&err);
    printf("PASS: the answer that came while the request was sent was taken once\n");
    return 0;
}
