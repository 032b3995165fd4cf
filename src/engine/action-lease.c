/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One owner per VM: an action holds its VM's lease, ccnc's element in the
 * domain's <metadata> (virDomainSetMetadata), which every workstation sees
 * through libvirt without a server of ccnc's own.  Taken before the first
 * step (refused when another ccnc holds a lease that has not expired),
 * renewed between steps, given back at the end.  Run on the action's
 * thread. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/i18n.h"
#include "core/virxml.h"
#include "engine/action-internal.h"

/* after writing the lease, this long before reading it back: two ccnc that
 * took it at the same moment both see the last writer's, and only it goes on */
#define LEASE_SETTLE_MS 500
/* renewed at most this often, between steps */
#define LEASE_RENEW_S 10
/* given back at the end within this many tries, a second apart (each
 * waits for a connection that died to come back, ccnc_run_domain) */
#define LEASE_RELEASE_TRIES 2

/* How long a lease holds without renewal: the longest a run can take
 * (the migration's limit, every other step's, and some), so that a
 * migration, during which libvirt lets nobody write metadata, keeps it. */
static long long
lease_span_ms(const struct ccnc_action_run *r)
{
    return (r->lab->migration.timeout_s + 8LL * r->lab->migration.step_timeout_s + 30) * 1000;
}

/* The lease on d as libvirt has it (live), NULL when none. */
static struct ccnc_lease *
read_lease(const struct ccnc_action_run *r, virDomainPtr d)
{
    char *xml;
    struct ccnc_lease *l;

    ccnc_run_trace_dom(r, d, "virDomainGetMetadata");
    /* the running VM's, or the definition's of one that stopped */
    xml = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, CCNC_LEASE_NS,
                               VIR_DOMAIN_AFFECT_CURRENT);
    l = xml ? ccnc_virxml_lease_parse(xml, strlen(xml)) : NULL;
    free(xml);
    return l;
}

static int
write_lease(struct ccnc_action_run *r, virDomainPtr d, long long since, struct ccnc_error *err)
{
    struct ccnc_lease l = {
        .run = (char *)ccnc_runlog_path(r->log),
        .by = (char *)r->env.who,
        .since_ms = since,
        .expires_ms = ccnc_run_now_ms() + lease_span_ms(r),
    };
    char *xml = ccnc_virxml_lease_xml(&l);
    int rc;

    ccnc_run_trace_dom(r, d, "virDomainSetMetadata");
    rc = virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, xml, "ccnc", CCNC_LEASE_NS,
                              VIR_DOMAIN_AFFECT_LIVE);
    free(xml);
    if (rc < 0)
        return ccnc_run_lv_fail(err, _("cannot write the VM's lease"));
    r->lease_since = since;
    r->lease_expires = l.expires_ms;
    r->lease_renewed_ms = ccnc_now_mono_ms();
    return 0;
}

static bool
ours(const struct ccnc_action_run *r, const struct ccnc_lease *l)
{
    return ccnc_streq(l->by, r->env.who) && ccnc_streq(l->run, ccnc_runlog_path(r->log));
}

static void
format_time(char *buf, size_t len, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

int
ccnc_run_lease_take(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = ccnc_run_domain(r, err);
    struct ccnc_lease *cur;
    int rc = 0;

    if (!d)
        return -1;
    cur = read_lease(r, d);
    /* a lease that has not expired, of another run: another ccnc acts on
     * the VM; ccnc resume takes over the lease of the run it ends */
    if (cur && cur->expires_ms > ccnc_run_now_ms() && !ours(r, cur) &&
        !(r->a->resume_of && ccnc_streq(cur->run, r->a->resume_of))) {
        char since[16], until[16];
        format_time(since, sizeof(since), cur->since_ms);
        format_time(until, sizeof(until), cur->expires_ms);
        rc = ccnc_error_set(err, CCNC_ERR_REFUSED,
                            _("%s is held by another ccnc: %s, for the run %s, since %s; the "
                              "hold lapses at %s unless renewed"),
                            r->a->vm, cur->by ? cur->by : "?", cur->run ? cur->run : "?", since,
                            until);
    }
    ccnc_lease_free(cur);
    if (rc == 0)
        rc = write_lease(r, d, ccnc_run_now_ms(), err);
    if (rc == 0) {
        /* two that wrote at once: the last writer's lease stands */
        usleep(LEASE_SETTLE_MS * 1000);
        cur = read_lease(r, d);
        if (!cur || !ours(r, cur))
            rc = ccnc_error_set(err, CCNC_ERR_REFUSED,
                                _("another ccnc took %s's lease at the same moment: %s"),
                                r->a->vm, cur && cur->by ? cur->by : "?");
        else
            r->lease_held = true;
        ccnc_lease_free(cur);
    }
    virDomainFree(d);
    return rc;
}

void
ccnc_run_lease_renew(struct ccnc_action_run *r)
{
    virDomainPtr d;

    if (!r->lease_held || ccnc_now_mono_ms() - r->lease_renewed_ms < LEASE_RENEW_S * 1000LL)
        return;
    d = ccnc_run_domain(r, NULL);
    if (d) {
        write_lease(r, d, r->lease_since, NULL);
        virDomainFree(d);
    }
}

/* Give the lease back where the VM runs: 0, or -1 and err. */
static int
release_once(struct ccnc_action_run *r, struct ccnc_error *err)
{
    virDomainPtr d = ccnc_run_domain(r, err);
    struct ccnc_lease *cur;
    int rc = 0;

    if (!d)
        return -1;
    cur = read_lease(r, d);
    if (cur && ours(r, cur) && virDomainIsActive(d) == 0) {
        /* the VM stopped under the action: its definition keeps the lease */
        ccnc_run_trace_dom(r, d, "virDomainSetMetadata");
        if (virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, CCNC_LEASE_NS,
                                 VIR_DOMAIN_AFFECT_CONFIG) < 0)
            rc = ccnc_run_lv_fail(err, _("cannot remove the lease"));
    } else if (cur && ours(r, cur)) {
        ccnc_run_trace_dom(r, d, "virDomainSetMetadata");
        if (virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, CCNC_LEASE_NS,
                                 VIR_DOMAIN_AFFECT_LIVE) < 0) {
            rc = ccnc_run_lv_fail(err, _("cannot remove the lease"));
        } else {
            /* a migration with the lease made it part of the destination's
             * persistent definition too */
            ccnc_run_trace_dom(r, d, "virDomainIsPersistent");
            if (virDomainIsPersistent(d) == 1) {
                ccnc_run_trace_dom(r, d, "virDomainSetMetadata");
                virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, CCNC_LEASE_NS,
                                     VIR_DOMAIN_AFFECT_CONFIG);
            }
        }
    } else if (!cur && virGetLastErrorCode() != VIR_ERR_NO_DOMAIN_METADATA &&
               virGetLastErrorCode() != VIR_ERR_OK) {
        rc = ccnc_run_lv_fail(err, _("cannot read the lease"));
    }
    ccnc_lease_free(cur);
    virDomainFree(d);
    return rc;
}

/* Given back at the end, also after the VM's host came back from a fault
 * (the connection is opened again); one that cannot be given back is said
 * in the summary, with when it lapses. */
void
ccnc_run_lease_release(struct ccnc_action_run *r)
{
    struct ccnc_error err = { 0 };
    char until[16];

    if (!r->lease_held)
        return;
    for (int i = 0; i < LEASE_RELEASE_TRIES; i++) {
        ccnc_error_clear(&err);
        if (release_once(r, &err) == 0) {
            r->lease_held = false;
            return;
        }
        sleep(1);
    }
    format_time(until, sizeof(until), r->lease_expires);
    {
        char *s = ccnc_xasprintf(_("%s; ITS LEASE COULD NOT BE GIVEN BACK (%s): other ccnc "
                                   "will not act on %s before %s"),
                                 r->a->summary ? r->a->summary : r->a->vm,
                                 err.message ? err.message : "?", r->a->vm, until);
        free(r->a->summary);
        r->a->summary = s;
    }
    ccnc_error_clear(&err);
    r->lease_held = false;
}
