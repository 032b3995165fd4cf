/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ccnc-agent: runs on each lab host and tells the console about the host's
 * NICs, links, bonds, VFs and NFS exports (ccnc-agent(8)).  This file reads
 * the command line and picks --once or --serve. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/json.h>
#include <ccnc/model.h>

#include "agent/agent.h"
#include "agent/netlink.h"
#include "core/i18n.h"

enum { AGENT_EXIT_OK = 0, AGENT_EXIT_FAILED = 1, AGENT_EXIT_USAGE = 2 };

static void
usage(FILE *out)
{
    fprintf(out, _("Usage: %s [OPTION]...\n"), "ccnc-agent");
    fputs(_("Report this host's NICs, links, bonds, SR-IOV VFs and NFS exports to the\n"
            "ccnc console, as JSON.\n\n"
            "Modes:\n"
            "  --serve            speak the agent protocol on stdin/stdout (what the\n"
            "                     console starts over SSH; see docs/agent-protocol.md)\n"
            "  --once             print one inventory and exit\n\n"
            "Options:\n"
            "  --json             print JSON (docs/status-json.md); the only format\n"
            "  --name=NAME        the host's name in the lab (default: the host name)\n"
            "  --role=ROLE        hypervisor or storage (default: hypervisor)\n"
            "  --root=DIR         read DIR/sys and DIR/proc instead of the live system\n"
            "                     (captured data; no netlink, no requests that change)\n"
            "  --pci-dump=FILE    read PCI devices from an 'lspci -xxxx' dump\n"
            "  --exports=FILE     the NFS exports file (default: the running ganesha.nfsd's\n"
            "                     -f file, /etc/ganesha/ganesha.conf, then /etc/exports)\n"
            "  --image-dir=DIR    a hypervisor's VM image directory, checked for NFS\n"
            "  --no-netlink       read links from sysfs even on the live system\n"
            "  -h, --help         show this help and exit\n"
            "  -V, --version      show the version and exit\n\n"
            "Exit status: 0 success (and end of input in --serve), 1 failure, 2 bad usage.\n"
            "See ccnc-agent(8).\n"),
          out);
}

static int
run_once(const struct ccnc_agent_opts *opts)
{
    struct ccnc_host *base = ccnc_inventory_base(opts), *host;
    struct ccnc_netlink *nl = NULL;
    struct ccnc_error err = { 0 };
    char *out;
    int rc;

    if (opts->root[0] == '\0' && !opts->no_netlink)
        nl = ccnc_netlink_new(NULL, NULL, &err); /* NULL: links from sysfs */
    ccnc_error_clear(&err);
    host = ccnc_inventory_build(opts, base, nl);
    ccnc_netlink_free(nl);
    out = ccnc_json_host(host, CCNC_JSON_PRETTY);
    puts(out);
    free(out);
    ccnc_host_unref(host);
    ccnc_host_unref(base);
    rc = fflush(stdout) == 0 ? AGENT_EXIT_OK : AGENT_EXIT_FAILED;
    return rc;
}

int
main(int argc, char **argv)
{
    enum { OPT_ROOT = 256, OPT_PCI_DUMP, OPT_EXPORTS, OPT_IMAGE_DIR, OPT_NO_NETLINK,
           OPT_SERVE };
    static const struct option options[] = {
        { "once", no_argument, NULL, 'o' },
        { "serve", no_argument, NULL, OPT_SERVE },
        { "json", no_argument, NULL, 'j' },
        { "name", required_argument, NULL, 'n' },
        { "role", required_argument, NULL, 'r' },
        { "root", required_argument, NULL, OPT_ROOT },
        { "pci-dump", required_argument, NULL, OPT_PCI_DUMP },
        { "exports", required_argument, NULL, OPT_EXPORTS },
        { "image-dir", required_argument, NULL, OPT_IMAGE_DIR },
        { "no-netlink", no_argument, NULL, OPT_NO_NETLINK },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct ccnc_agent_opts opts = { .role = CCNC_HOST_ROLE_HYPERVISOR, .root = "" };
    bool once = false, serve = false;
    char hostname[256] = "";
    char *root = NULL;
    int c, rc;

    ccnc_i18n_init();
    while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
        switch (c) {
        case 'o': once = true; break;
        case OPT_SERVE: serve = true; break;
        case 'j': break;
        case 'n': opts.name = optarg; break;
        case 'r':
            rc = ccnc_host_role_from_string(optarg);
            if (rc < 0) {
                fprintf(stderr, _("ccnc-agent: --role must be hypervisor or storage, not '%s'\n"),
                        optarg);
                return AGENT_EXIT_USAGE;
            }
            opts.role = rc;
            break;
        case OPT_ROOT: free(root); root = ccnc_xstrdup(optarg); break;
        case OPT_PCI_DUMP: opts.pci_dump = optarg; break;
        case OPT_EXPORTS: opts.exports = optarg; break;
        case OPT_IMAGE_DIR: opts.image_dir = optarg; break;
        case OPT_NO_NETLINK: opts.no_netlink = true; break;
        case 'h': usage(stdout); free(root); return AGENT_EXIT_OK;
        case 'V':
            printf("ccnc-agent %s\n%s", PACKAGE_VERSION, ccnc_licence_notice());
            free(root);
            return AGENT_EXIT_OK;
        default:
            fprintf(stderr, _("Try 'ccnc-agent --help' for more information.\n"));
            free(root);
            return AGENT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("ccnc-agent: unexpected argument '%s'\n"), argv[optind]);
        free(root);
        return AGENT_EXIT_USAGE;
    }
    if (once == serve) {
        fprintf(stderr, _("ccnc-agent: give one of --once or --serve\n"));
        free(root);
        return AGENT_EXIT_USAGE;
    }
    if (root) {
        struct stat st;
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
            root[--n] = '\0';
        if (strcmp(root, "/") == 0)
            root[0] = '\0';
        if (stat(root[0] ? root : "/", &st) < 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, _("ccnc-agent: --root '%s' is not a directory\n"), root);
            free(root);
            return AGENT_EXIT_USAGE;
        }
        opts.root = root;
    }
    if (!opts.name) {
        gethostname(hostname, sizeof(hostname) - 1);
        opts.name = hostname;
    }
    rc = serve ? ccnc_serve_run(&opts) : run_once(&opts);
    free(root);
    return rc;
}
