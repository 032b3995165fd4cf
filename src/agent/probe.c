/* The connectivity probe. */
#include "config.h"

#include <stdlib.h>

#include "agent/probe.h"
#include "i18n.h"

struct ccnc_probe {
    int id;
};

struct ccnc_probe *
ccnc_probe_start(struct ccnc_loop *loop, int id, const struct ccnc_proto_request *req,
                 ccnc_probe_report_cb report, void *data, struct ccnc_error *err)
{
    ccnc_error_set(err, CCNC_ERR_INTERNAL, _("the probe is not available in this version"));
    return NULL;
}

int
ccnc_probe_id(const struct ccnc_probe *p)
{
    return p->id;
}

void
ccnc_probe_stop(struct ccnc_probe *p)
{
    free(p);
}
