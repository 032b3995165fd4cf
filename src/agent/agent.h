/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of ccnc-agent share: the options they run under and the
 * collectors' entry points.  Only src/agent/ includes this. */
#ifndef CCNC_AGENT_AGENT_H
#define CCNC_AGENT_AGENT_H

#include <stdbool.h>

#include <ccnc/error.h>
#include <ccnc/model.h>

struct ccnc_netlink;

struct ccnc_agent_opts {
    const char *name;
    enum ccnc_host_role role;
    const char *root;       /* "" for the live system, else DIR (reads DIR/sys, DIR/proc) */
    const char *pci_dump;   /* an `lspci -xxxx` dump, or NULL */
    const char *exports;    /* NFS exports file, NULL: the default places */
    const char *image_dir;  /* a hypervisor's VM image directory, may be NULL */
    bool no_netlink;        /* read links from sysfs even when live */
};

/* sysfs.c: small readers for files under the root.  Values are trimmed of
 * white space; NULL when the file is missing or unreadable. */
char *ccnc_sysfs_read(const char *fmt, ...) CCNC_PRINTF(1, 2);
/* 0 and *out on success, -1 when missing or not an integer. */
int ccnc_sysfs_read_ll(long long *out, const char *fmt, ...) CCNC_PRINTF(2, 3);
/* The last component of a symlink's target, NULL when no link. */
char *ccnc_sysfs_link_name(const char *fmt, ...) CCNC_PRINTF(1, 2);
/* Links from ROOT/sys/class/net (the offline source, and the fallback). */
int ccnc_sysfs_read_links(const char *root, struct ccnc_host *host, struct ccnc_error *err);
/* Speed in Mb/s of a link, CCNC_UNKNOWN when not known. */
int ccnc_sysfs_link_speed(const char *root, const char *name);
/* The PCI address of VF index of PF netdev, NULL when unknown. */
char *ccnc_sysfs_vf_pci(const char *root, const char *pf, int index);
/* Bonds from ROOT/proc/net/bonding/, else ROOT/sys/class/net/BOND/bonding/.
 * A bond that cannot be read is listed by name only; -1 and err then say
 * why (for all such bonds), while the others are read. */
int ccnc_sysfs_read_bonds(const char *root, struct ccnc_host *host, struct ccnc_error *err);
/* Write a sysfs attribute (sriov_numvfs); -1 and err on failure. */
int ccnc_sysfs_write(const char *path, const char *value, struct ccnc_error *err);
/* How a value reaches the kernel: ccnc_sysfs_write, or in tests a stand-in
 * for a driver that refuses some. */
typedef int (*ccnc_sysfs_writer)(const char *path, const char *value, struct ccnc_error *err);
/* The sriov-numvfs request: give PF num_vfs VFs by writing
 * ROOT/sys/class/net/PF/device/sriov_numvfs with write.  -1 and err when
 * it cannot. */
int ccnc_sysfs_set_numvfs(const char *root, const char *pf, int num_vfs, ccnc_sysfs_writer write,
                          struct ccnc_error *err);

/* pci.c: PCI network functions with libpci (live, or an lspci -xxxx dump),
 * or with the sysfs attributes under --root. */
int ccnc_pci_scan(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
                  struct ccnc_error *err);

/* nfs.c: a storage host's NFS server and exports, a hypervisor's mounts. */
int ccnc_nfs_collect(const struct ccnc_agent_opts *opts, struct ccnc_host *host,
                     struct ccnc_error *err);

/* inventory.c: the whole host part.  nl may be NULL (offline, or netlink
 * unavailable): then links come from sysfs.  base holds what is rescanned
 * only now and then (NICs, exports) and is copied in. */
struct ccnc_host *ccnc_inventory_base(const struct ccnc_agent_opts *opts);
struct ccnc_host *ccnc_inventory_build(const struct ccnc_agent_opts *opts,
                                       const struct ccnc_host *base,
                                       struct ccnc_netlink *nl);

/* serve.c: the --serve loop on stdin/stdout; returns the exit status. */
int ccnc_serve_run(const struct ccnc_agent_opts *opts);

#endif
