/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab config: which hosts there are, how to reach them, which VMs the
 * lab cares about and how they are bonded, and the migration defaults.
 * A loaded lab is immutable and reference-counted; any thread may read it. */
#ifndef CCNC_LAB_H
#define CCNC_LAB_H

#include <ccnc/policy.h>
#include <ccnc/error.h>

enum ccnc_host_role {
    CCNC_HOST_ROLE_HYPERVISOR,
    CCNC_HOST_ROLE_STORAGE,
    CCNC_HOST_ROLE_LAST
};

/* What the VM's passthrough NIC is. */
enum ccnc_passthrough_kind {
    CCNC_PASSTHROUGH_NONE,   /* the VM has no passthrough NIC */
    CCNC_PASSTHROUGH_PCI,    /* a whole port: a PCI address */
    CCNC_PASSTHROUGH_POOL,   /* any free VF of a [pool] */
    CCNC_PASSTHROUGH_MODEL,  /* an emulated NIC standing in for one (lab) */
    CCNC_PASSTHROUGH_LAST
};

struct ccnc_lab_host {
    char *name;          /* section name, unique */
    char *label;         /* display name, defaults to name */
    char *address;       /* host name or IP literal */
    int port;            /* 1..65535; 0: ~/.ssh/config's Port, else 22 */
    char *user;          /* may be NULL: ~/.ssh/config's User, else the login name */
    char *identity;      /* may be NULL: agent and default keys */
    char *known_hosts;   /* may be NULL: ~/.ssh/known_hosts */
    enum ccnc_host_role role;
    char *libvirt_uri;   /* may be NULL: see ccnc_lab_host_libvirt_uri() */
    char *migration_uri; /* how another hypervisor's libvirtd reaches this one for a
                            peer-to-peer migration; NULL: libvirt_uri's */
    int line;            /* where the section starts */
};

struct ccnc_lab_pool_port {
    char *host;          /* a [host] name */
    char *pf;            /* PCI address or netdev name of the physical port */
};

struct ccnc_lab_pool {
    char *name;
    struct ccnc_lab_pool_port *ports;
    size_t n_ports;
    int max_tx_rate_mbps;  /* 0: no limit */
    int min_tx_rate_mbps;  /* 0: no guarantee */
    int vlan;              /* 0: none */
    char *network;         /* a libvirt network (forward mode='hostdev') over
                              the ports: libvirt picks the VF; NULL: ccnc does */
    int line;
};

struct ccnc_lab_vm {
    char *name;
    char *host;                 /* the [host] it normally runs on */
    char *bond;                 /* guest bond name, default bond0 */
    enum ccnc_passthrough_kind passthrough_kind;
    char *passthrough;          /* PCI address, pool name or NIC model */
    char *passthrough_mac;      /* may be NULL for PCI */
    char *passthrough_bridge;   /* model: the bridge the stand-in joins */
    char *backup;               /* MAC, or "alias:NAME" */
    char *probe_target;         /* address the connectivity probe aims at */
    int line;
};

struct ccnc_lab_migration {
    int bandwidth_mbps;    /* 0: unlimited */
    int max_downtime_ms;
    int timeout_s;         /* whole migration */
    int step_timeout_s;    /* each wait of an action */
    int verify_backup_s;   /* verify-on-backup: how long replies may take
                            * to come back over the backup NIC */
    int parallel;          /* concurrent migrations */
    bool auto_converge;
    bool give_up;          /* end a migration early whose course says it
                            * will not end within timeout_s */
    int keepalive_s;       /* SSH keepalive and unreachable detection */
    enum ccnc_policy policy;   /* how the downtime limit is steered */
    int dirty_sample_pages;    /* pages a GiB QEMU's page sampling hashes to
                                * measure the dirty rate; 0: QEMU's default
                                * (512), through libvirt's own call */
};

/* QEMU's range for calc-dirty-rate's sample-pages (qapi/migration.json). */
#define CCNC_LAB_SAMPLE_PAGES_MIN 128
#define CCNC_LAB_SAMPLE_PAGES_MAX 16384

struct ccnc_lab {
    int refs;
    char *path;            /* file it came from, or "<built-in>" */
    char *name;
    struct ccnc_lab_host *hosts;
    size_t n_hosts;
    struct ccnc_lab_pool *pools;
    size_t n_pools;
    struct ccnc_lab_vm *vms;
    size_t n_vms;
    struct ccnc_lab_migration migration;
};

/* Load a lab from a file.  On any error returns NULL, fills errs with every
 * problem found (each with file:line; at most max_errs), and sets *n_errs;
 * nothing is half-loaded.  errs may be NULL when only success matters. */
struct ccnc_lab *ccnc_lab_load(const char *path, struct ccnc_error *errs,
                               size_t max_errs, size_t *n_errs);
/* The same from text in memory; name is used in messages. */
struct ccnc_lab *ccnc_lab_load_text(const char *name, const char *text, size_t len,
                                    struct ccnc_error *errs, size_t max_errs,
                                    size_t *n_errs);
/* The lab in a box that ccnc knows without any file. */
struct ccnc_lab *ccnc_lab_load_builtin(void);
const char *ccnc_lab_builtin_text(void);

/* $XDG_CONFIG_HOME/ccnc/lab.conf (or ~/.config/...); caller frees. */
char *ccnc_lab_default_path(void);

struct ccnc_lab *ccnc_lab_ref(struct ccnc_lab *lab);
void ccnc_lab_unref(struct ccnc_lab *lab);

/* Borrowed lookups; NULL when absent. */
const struct ccnc_lab_host *ccnc_lab_find_host(const struct ccnc_lab *lab, const char *name);
const struct ccnc_lab_vm *ccnc_lab_find_vm(const struct ccnc_lab *lab, const char *name);
const struct ccnc_lab_pool *ccnc_lab_find_pool(const struct ccnc_lab *lab, const char *name);
/* The first host with the storage role (the NFS server: where the probe
 * and the bandwidth test run from); NULL when the lab has none. */
const struct ccnc_lab_host *ccnc_lab_storage_host(const struct ccnc_lab *lab);

/* The libvirt URI for a hypervisor host: libvirt_uri if set, else
 * qemu+ssh://USER@ADDRESS:PORT/system?no_tty=1 with the host's keyfile.
 * (The engine adds an ssh wrapper for known_hosts.)  Caller frees. */
char *ccnc_lab_host_libvirt_uri(const struct ccnc_lab_host *host);
/* A hypervisor whose VMs libvirt runs: not one with `libvirt_uri = none`
 * (a host whose NICs and VFs ccnc manages, but no VMs). */
bool ccnc_lab_host_runs_libvirt(const struct ccnc_lab_host *host);
/* The URI a source host's libvirtd gets to reach this host in a
 * peer-to-peer migration: migration_uri, else the libvirt URI above.
 * Caller frees. */
char *ccnc_lab_host_migration_uri(const struct ccnc_lab_host *host);

const char *ccnc_host_role_to_string(enum ccnc_host_role role);
int ccnc_host_role_from_string(const char *s);
const char *ccnc_passthrough_kind_to_string(enum ccnc_passthrough_kind kind);

/* Validators shared with the agent and the engine. */
bool ccnc_pci_address_valid(const char *s);   /* DDDD:BB:DD.F */
bool ccnc_mac_valid(const char *s);           /* xx:xx:xx:xx:xx:xx */

#endif
