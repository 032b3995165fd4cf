/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ccnc: the console and its batch commands. */
#include "config.h"

#include <signal.h>

#include "cli/cli.h"
#include "core/i18n.h"

int
main(int argc, char **argv)
{
    /* a host that drops its SSH session mid-write (libssh's sockets,
     * libvirt's ssh pipes) is an error to report, not a reason to die */
    signal(SIGPIPE, SIG_IGN);
    ccnc_i18n_init();
    return ccnc_cli_main(argc, argv);
}
