/* ccnc-agent: runs on each lab host and tells the console about the host's
 * NICs, links, bonds, VFs and NFS exports (ccnc-agent(8)). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/json.h>
#include <ccnc/model.h>

#include "i18n.h"

enum { AGENT_EXIT_OK = 0, AGENT_EXIT_FAILED = 1, AGENT_EXIT_USAGE = 2 };

static void
usage(FILE *out)
{
    fprintf(out, _("Usage: %s [OPTION]...\n"), "ccnc-agent");
    fputs(_("Report this host's NICs, links, bonds, SR-IOV VFs and NFS exports to the\n"
            "ccnc console, as JSON.\n\n"
            "Options:\n"
            "  --once             print one inventory and exit\n"
            "  --json             print JSON (docs/status-json.md)\n"
            "  --name=NAME        the host's name in the lab (default: the host name)\n"
            "  --role=ROLE        hypervisor or storage (default: hypervisor)\n"
            "  -h, --help         show this help and exit\n"
            "  -V, --version      show the version and exit\n\n"
            "Exit status: 0 success, 1 failure, 2 bad usage.\n"
            "See ccnc-agent(8).\n"),
          out);
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "once", no_argument, NULL, 'o' },
        { "json", no_argument, NULL, 'j' },
        { "name", required_argument, NULL, 'n' },
        { "role", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    bool once = false, json = false;
    const char *name = NULL;
    char hostname[256] = "";
    int role = CCNC_HOST_ROLE_HYPERVISOR, c;
    struct ccnc_host *host;

    ccnc_i18n_init();
    while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
        switch (c) {
        case 'o': once = true; break;
        case 'j': json = true; break;
        case 'n': name = optarg; break;
        case 'r':
            role = ccnc_host_role_from_string(optarg);
            if (role < 0) {
                fprintf(stderr, _("ccnc-agent: --role must be hypervisor or storage, not '%s'\n"),
                        optarg);
                return AGENT_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return AGENT_EXIT_OK;
        case 'V': printf("ccnc-agent %s\n", PACKAGE_VERSION); return AGENT_EXIT_OK;
        default:
            fprintf(stderr, _("Try 'ccnc-agent --help' for more information.\n"));
            return AGENT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("ccnc-agent: unexpected argument '%s'\n"), argv[optind]);
        return AGENT_EXIT_USAGE;
    }
    if (!once || !json) {
        fprintf(stderr, _("ccnc-agent: only '--once --json' is available in this version\n"));
        return AGENT_EXIT_USAGE;
    }
    if (!name) {
        gethostname(hostname, sizeof(hostname) - 1);
        name = hostname;
    }
    host = ccnc_host_new(name, NULL, NULL, role);
    host->connection = CCNC_CONN_CONNECTED;
    host->stale = false;
    host->agent_version = ccnc_xstrdup(PACKAGE_VERSION);
    host->updated_ms = ccnc_now_wall_ms();
    {
        char *out = ccnc_json_host(host, CCNC_JSON_PRETTY);
        puts(out);
        free(out);
    }
    ccnc_host_unref(host);
    return fflush(stdout) == 0 ? AGENT_EXIT_OK : AGENT_EXIT_FAILED;
}
