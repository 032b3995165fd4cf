/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab in a box (tests/lab/lab up): what ccnc opens when no lab.conf
 * exists at the default path and none is given with -c. */
#include "config.h"

#include <string.h>

#include <ccnc/lab.h>

static const char builtin_lab[] =
    "; The lab in a box: tests/lab/lab up builds it on this machine.\n"
    "[lab]\n"
    "name = ccnc lab in a box\n"
    "\n"
    "[host sys1]\n"
    "label = System1\n"
    "address = 10.77.0.11\n"
    "port = 22\n"
    "user = root\n"
    "role = hypervisor\n"
    "identity = /var/tmp/ccnc-lab/ssh/id_ed25519\n"
    "known_hosts = /var/tmp/ccnc-lab/ssh/known_hosts\n"
    "; the lab's libvirtd reach each other with the lab's own ssh config\n"
    "migration_uri = qemu+ssh://root@10.77.0.11/system?command=/var/tmp/ccnc-lab/ssh/ssh"
    "&keyfile=/var/tmp/ccnc-lab/ssh/id_ed25519&no_tty=1\n"
    "\n"
    "[host sys2]\n"
    "label = System2\n"
    "address = 10.77.0.12\n"
    "port = 22\n"
    "user = root\n"
    "role = hypervisor\n"
    "identity = /var/tmp/ccnc-lab/ssh/id_ed25519\n"
    "known_hosts = /var/tmp/ccnc-lab/ssh/known_hosts\n"
    "; the lab's libvirtd reach each other with the lab's own ssh config\n"
    "migration_uri = qemu+ssh://root@10.77.0.12/system?command=/var/tmp/ccnc-lab/ssh/ssh"
    "&keyfile=/var/tmp/ccnc-lab/ssh/id_ed25519&no_tty=1\n"
    "\n"
    "[host nfs]\n"
    "label = NFS server\n"
    "address = 10.77.0.30\n"
    "port = 22\n"
    "user = root\n"
    "role = storage\n"
    "identity = /var/tmp/ccnc-lab/ssh/id_ed25519\n"
    "known_hosts = /var/tmp/ccnc-lab/ssh/known_hosts\n"
    "\n"
    "[vm vm1]\n"
    "host = sys1\n"
    "bond = bond0\n"
    "passthrough = model:e1000e\n"
    "passthrough_mac = 52:54:00:77:01:01\n"
    "passthrough_bridge = br-pt\n"
    "backup = 52:54:00:77:01:02\n"
    "probe_target = 10.77.0.101\n"
    "\n"
    "[migration]\n"
    "max_downtime_ms = 300\n"
    "timeout_s = 120\n"
    "parallel = 1\n";

const char *
ccnc_lab_builtin_text(void)
{
    return builtin_lab;
}

struct ccnc_lab *
ccnc_lab_load_builtin(void)
{
    return ccnc_lab_load_text("<built-in>", builtin_lab, strlen(builtin_lab), NULL, 0, NULL);
}
