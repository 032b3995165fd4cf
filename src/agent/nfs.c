/* NFS server, exports and mounts. */
#include "config.h"

#include "agent/agent.h"

int
ccnc_nfs_collect(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
                 struct ccnc_error *err)
{
    return 0;
}
