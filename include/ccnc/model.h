/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab as the console sees it: immutable, reference-counted snapshots.
 *
 * Collectors build a host part (struct ccnc_host) with the *_add() builders
 * below, then publish it in a new snapshot; from then on nobody changes it.
 * A snapshot shares unchanged host parts with its predecessor, so taking a
 * new one costs a few references.  The UI and the batch commands only read
 * snapshots.  Snapshots may be read from any thread; ref/unref are atomic. */
#ifndef CCNC_MODEL_H
#define CCNC_MODEL_H

#include <stdint.h>

#include <ccnc/lab.h>

#define CCNC_SCHEMA_VERSION 1

/* An integer that may be unknown (printed as null in JSON). */
#define CCNC_UNKNOWN (-1)

enum ccnc_conn_state {
    CCNC_CONN_CONNECTED,
    CCNC_CONN_CONNECTING,
    CCNC_CONN_UNREACHABLE,
    CCNC_CONN_AUTH_FAILED,
    CCNC_CONN_HOSTKEY_UNKNOWN,
    CCNC_CONN_HOSTKEY_CHANGED,
    CCNC_CONN_LAST
};

/* Kernel bonding modes, in the kernel's numbering. */
enum ccnc_bond_mode {
    CCNC_BOND_MODE_BALANCE_RR,
    CCNC_BOND_MODE_ACTIVE_BACKUP,
    CCNC_BOND_MODE_BALANCE_XOR,
    CCNC_BOND_MODE_BROADCAST,
    CCNC_BOND_MODE_8023AD,
    CCNC_BOND_MODE_BALANCE_TLB,
    CCNC_BOND_MODE_BALANCE_ALB,
    CCNC_BOND_MODE_LAST
};

enum ccnc_slave_state {
    CCNC_SLAVE_ACTIVE,
    CCNC_SLAVE_BACKUP,
    CCNC_SLAVE_LAST
};

enum ccnc_nic_role {
    CCNC_NIC_ROLE_PASSTHROUGH,
    CCNC_NIC_ROLE_BACKUP,
    CCNC_NIC_ROLE_OTHER,
    CCNC_NIC_ROLE_LAST
};

/* libvirt's domain states, same order as virDomainState. */
enum ccnc_vm_state {
    CCNC_VM_NOSTATE,
    CCNC_VM_RUNNING,
    CCNC_VM_BLOCKED,
    CCNC_VM_PAUSED,
    CCNC_VM_SHUTDOWN,
    CCNC_VM_SHUTOFF,
    CCNC_VM_CRASHED,
    CCNC_VM_PMSUSPENDED,
    CCNC_VM_LAST
};

struct ccnc_sriov {
    int total_vfs;
    int num_vfs;
    int vf_offset;
    int vf_stride;
    int vf_device_id;
};

/* A PCI network function: a physical port or a virtual function. */
struct ccnc_nic {
    char *pci;            /* "0000:03:00.0" */
    int vendor_id;        /* CCNC_UNKNOWN when not read */
    int device_id;
    char *vendor;         /* names from pci.ids, may be NULL */
    char *device;
    char *driver;         /* may be NULL: unbound */
    char *netdev;         /* may be NULL */
    int iommu_group;      /* CCNC_UNKNOWN when none */
    bool is_vf;
    char *pf;             /* PCI address of the PF for a VF */
    bool has_sriov;
    struct ccnc_sriov sriov;
    char *error;          /* what could not be read of it, may be NULL */
};

/* One VF as its PF's netlink info sees it. */
struct ccnc_vf {
    int index;
    char *pci;            /* may be NULL when unknown */
    char *mac;
    int vlan;             /* 0: none */
    int qos;
    int max_tx_rate;      /* Mb/s, 0: unlimited */
    int min_tx_rate;
    int spoofchk;         /* 0/1, CCNC_UNKNOWN */
    int trust;            /* 0/1, CCNC_UNKNOWN */
    char *link_state;     /* "auto", "enable", "disable", NULL */
    char *vm;             /* the VM holding it, may be NULL (ccnc/pool.h) */
    bool reserved;        /* vm holds it by its MAC only: reserved, not attached */
};

struct ccnc_link {
    char *name;
    int ifindex;
    char *kind;           /* "veth", "bond", "bridge", NULL for a plain NIC */
    char *mac;
    int mtu;
    char *operstate;      /* "up", "down", "unknown", ... */
    int carrier;          /* 0/1, CCNC_UNKNOWN */
    int speed_mbps;       /* CCNC_UNKNOWN */
    char *master;         /* may be NULL */
    struct ccnc_vf *vfs;
    size_t n_vfs;
    /* bits per second over the last second, from a storage host's byte
     * counters; CCNC_UNKNOWN elsewhere */
    long long rx_bps, tx_bps;
};

struct ccnc_bond_slave {
    char *name;
    enum ccnc_slave_state state;
    char *mii_status;     /* "up", "down", "going down", ... */
    int link_failures;
    int speed_mbps;       /* CCNC_UNKNOWN */
    char *perm_hwaddr;    /* may be NULL */
};

struct ccnc_bond {
    char *name;
    int mode;             /* enum ccnc_bond_mode, CCNC_UNKNOWN */
    char *primary;        /* may be NULL */
    char *active_slave;   /* NULL when none */
    char *mii_status;
    int miimon_ms;
    int updelay_ms;
    int downdelay_ms;
    int arp_interval_ms;
    struct ccnc_bond_slave *slaves;
    size_t n_slaves;
};

struct ccnc_export {
    char *path;
    char *clients;        /* "*" or a list, may be NULL */
    char *options;        /* fsid and options as the server says them */
    long long free_bytes; /* CCNC_UNKNOWN */
};

/* libvirt's <teaming>, inside an <interface> or a plain PCI <hostdev>: a
 * transient (failover) device names the alias of its persistent (virtio)
 * partner; QEMU pairs the two in the guest. */
struct ccnc_teaming {
    char *type;           /* "persistent" or "transient" */
    char *persistent;     /* alias of the persistent NIC, for transient */
    /* The other half of the pair (ccnc_vm_pair_teaming): for a transient
     * device the persistent NIC its persistent= names, for a persistent
     * NIC the transient device that names it.  Each NULL when there is no
     * partner or the partner has no such field; a plain <hostdev> has no
     * MAC, and libvirt gives an alias only to a running domain's devices,
     * so the PCI address is what always names a transient hostdev. */
    char *partner_alias;
    char *partner_mac;
    char *partner_pci;
};

#define CCNC_NIC_HISTORY 16   /* samples kept for a NIC's sparkline */

struct ccnc_vm_nic {
    char *mac;
    char *model;          /* "virtio", "e1000e", NULL for hostdev */
    char *type;           /* "bridge", "network", "hostdev", ... */
    enum ccnc_nic_role role;
    char *pci;            /* host PCI address of a hostdev, may be NULL */
    char *target;         /* host-side device ("vnet0"), may be NULL */
    char *alias;          /* "net0", "hostdev0", ... */
    char *source;         /* bridge or network name, may be NULL */
    char *guest_name;     /* the guest's name for it ("eth0"), may be NULL */
    struct ccnc_teaming *teaming;   /* NULL when none */
    /* traffic, from libvirt's counters of the host-side device (none for a
     * hostdev: the host does not see its traffic); CCNC_UNKNOWN: none */
    long long rx_bytes, tx_bytes;   /* the counters when read, at stats_ms */
    long long stats_ms;             /* monotonic; 0: never read */
    long long rx_bps, tx_bps;       /* bits per second since the read before */
    long long history[CCNC_NIC_HISTORY];   /* rx + tx bits per second, oldest first */
    int n_history;
};

/* Who acts on a VM now: ccnc's lease, kept in the domain's <metadata>
 * where every workstation sees it, so that two consoles never act on one
 * VM at once.  Stale once expires_ms (wall clock) has passed. */
#define CCNC_LEASE_NS "urn:x-ccnc:lease:1"
struct ccnc_lease {
    char *run;            /* the run file of the action that holds it */
    char *by;             /* "user@host (pid N)" */
    long long since_ms, expires_ms;
};

/* A libvirt job running on a domain (virDomainGetJobStats' operation). */
enum ccnc_vm_job {
    CCNC_VM_JOB_NONE,
    CCNC_VM_JOB_MIGRATION_OUT,  /* it is leaving this host */
    CCNC_VM_JOB_MIGRATION_IN,   /* it is arriving here */
    CCNC_VM_JOB_OTHER,          /* a save, dump, snapshot, backup, ... */
    CCNC_VM_JOB_LAST
};

struct ccnc_vm {
    char *name;
    char *uuid;
    enum ccnc_vm_state state;
    long long memory_kib;     /* CCNC_UNKNOWN */
    int vcpus;                /* CCNC_UNKNOWN */
    bool tcg;                 /* libvirt's domain type 'qemu': TCG, not KVM */
    char **disks;             /* its disks' image files, NULL-terminated (may
                                 be NULL: none) */
    size_t n_disks;
    struct ccnc_vm_nic *nics;
    size_t n_nics;
    struct ccnc_bond *bond;   /* NULL when not (yet) read */
    bool bond_stale;          /* the guest agent did not answer */
    int job;                  /* enum ccnc_vm_job */
    struct ccnc_lease *lease; /* ccnc's lease on it, NULL: none */
};

/* One host's part of the lab. */
struct ccnc_host {
    int refs;
    char *name;           /* the lab config's host name */
    char *label;
    char *address;
    enum ccnc_host_role role;
    enum ccnc_conn_state connection;
    bool stale;           /* what follows is the last known picture */
    char *error;          /* why, when stale or not connected; may be NULL */
    char *hostkey_sha256; /* "SHA256:...", may be NULL */
    bool passphrase_question; /* the identity's passphrase is waited for
                               * (ccnc_engine_answer_passphrase) */
    bool hostkey_question; /* hostkey-unknown and the engine waits for the
                              operator's ccnc_engine_answer_hostkey() */
    char *agent_version;  /* may be NULL */
    int libvirt;          /* enum ccnc_conn_state of libvirt, CCNC_UNKNOWN: none */
    char *libvirt_error;  /* may be NULL */
    long long updated_ms; /* wall clock of the last update, 0 never */
    long long mem_total_kib, mem_free_kib; /* libvirt's node memory,
                                            * CCNC_UNKNOWN when not read */

    struct ccnc_nic *nics;        size_t n_nics;
    struct ccnc_link *links;      size_t n_links;
    struct ccnc_bond *bonds;      size_t n_bonds;
    struct ccnc_export *exports;  size_t n_exports;
    struct ccnc_vm *vms;          size_t n_vms;
};

struct ccnc_snapshot {
    int refs;
    unsigned long long seq;   /* increases by one per published snapshot */
    long long time_ms;        /* wall clock when taken */
    struct ccnc_lab *lab;     /* the config it was taken under (a reference) */
    struct ccnc_host **hosts; /* references, in the config's order */
    size_t n_hosts;
};

/* What a bandwidth test (iperf3) measured; CCNC_UNKNOWN where it said nothing. */
struct ccnc_bandwidth {
    long long sent_bps, received_bps;   /* bits per second */
    long long retransmits;
    double seconds;
};

/* --- host parts --------------------------------------------------------- */

/* A new host part with one reference, copied name/label/address/role. */
struct ccnc_host *ccnc_host_new(const char *name, const char *label,
                                const char *address, enum ccnc_host_role role);
/* A deep copy with one reference, for a collector that updates a host. */
struct ccnc_host *ccnc_host_dup(const struct ccnc_host *host);
struct ccnc_host *ccnc_host_ref(struct ccnc_host *host);
void ccnc_host_unref(struct ccnc_host *host);
/* Drop the inventory (nics, links, bonds, exports, vms) but keep identity. */
void ccnc_host_clear_inventory(struct ccnc_host *host);

/* Builders: append a zeroed element (unknown numbers preset to
 * CCNC_UNKNOWN) and return it for the caller to fill.  Strings put into it
 * become owned by the host. */
struct ccnc_nic *ccnc_host_add_nic(struct ccnc_host *host);
struct ccnc_link *ccnc_host_add_link(struct ccnc_host *host);
struct ccnc_bond *ccnc_host_add_bond(struct ccnc_host *host);
struct ccnc_export *ccnc_host_add_export(struct ccnc_host *host);
struct ccnc_vm *ccnc_host_add_vm(struct ccnc_host *host);
struct ccnc_vf *ccnc_link_add_vf(struct ccnc_link *link);
struct ccnc_bond_slave *ccnc_bond_add_slave(struct ccnc_bond *bond);
struct ccnc_vm_nic *ccnc_vm_add_nic(struct ccnc_vm *vm);

/* A VM, NIC or link outside any host part (e.g. read from libvirt XML):
 * init presets unknowns, clear frees what it holds, not the struct. */
void ccnc_vm_init(struct ccnc_vm *vm);
void ccnc_vm_clear(struct ccnc_vm *vm);
void ccnc_nic_init(struct ccnc_nic *nic);
void ccnc_nic_clear(struct ccnc_nic *nic);
void ccnc_link_init(struct ccnc_link *link);
void ccnc_link_clear(struct ccnc_link *link);

void ccnc_lease_free(struct ccnc_lease *lease);
struct ccnc_lease *ccnc_lease_dup(const struct ccnc_lease *lease);

/* Free what a bond holds (not the struct), and a heap bond. */
void ccnc_bond_clear(struct ccnc_bond *bond);
void ccnc_bond_free(struct ccnc_bond *bond);
void ccnc_bond_init(struct ccnc_bond *bond);
void ccnc_bond_copy(struct ccnc_bond *dst, const struct ccnc_bond *src);

/* Borrowed lookups, NULL when absent. */
const struct ccnc_link *ccnc_host_find_link(const struct ccnc_host *host, const char *name);
const struct ccnc_nic *ccnc_host_find_nic(const struct ccnc_host *host, const char *pci);
/* The physical function whose netdev is name (an SR-IOV port), NULL if none. */
const struct ccnc_nic *ccnc_host_find_port(const struct ccnc_host *host, const char *name);
/* VF number index of a port's link, NULL if none. */
const struct ccnc_vf *ccnc_link_find_vf(const struct ccnc_link *link, int index);
const struct ccnc_vm *ccnc_host_find_vm(const struct ccnc_host *host, const char *name);
/* What the lab's storage host sends now (the NFS stream), bits per
 * second: the sum of its links' rates as its agent last read them (those
 * in no bond or bridge, no VLAN: each byte once); CCNC_UNKNOWN when it has
 * no fresh reading. */
long long ccnc_snapshot_stream_bps(const struct ccnc_snapshot *snap);
/* The NFS mount of a hypervisor (an export entry whose options begin with
 * "mount,fstype=nfs") that holds path, the deepest one; NULL if none. */
const struct ccnc_export *ccnc_host_nfs_mount_for(const struct ccnc_host *host,
                                                  const char *path);

/* Mark each of vm's NICs passthrough, backup or other from the lab
 * config's entry for it (cv may be NULL: all other).  A passthrough NIC is
 * matched by PCI address (pci:), by MAC on a hostdev (pool:), or by MAC and
 * model (model:); the backup by MAC or alias:NAME. */
void ccnc_vm_apply_roles(struct ccnc_vm *vm, const struct ccnc_lab_vm *cv);

/* Fill each teaming NIC's partner_* from the NIC at the other end of its
 * pair: a transient device's partner is the NIC whose alias its
 * persistent= names, when that NIC has <teaming type='persistent'>; a
 * persistent NIC's is the first transient device naming its alias.  Run
 * after all of a domain's devices are read. */
void ccnc_vm_pair_teaming(struct ccnc_vm *vm);

/* The transient (failover) device of vm's first complete teaming pair,
 * in device order, and in *persistent (may be NULL) its persistent
 * partner; NULL (and *persistent NULL) when vm holds no pair.  A transient
 * device whose persistent= names no persistent NIC is no pair.  Works from
 * type, persistent= and the aliases alone, so a model read from JSON
 * without partner_* answers the same.  Borrowed from vm. */
const struct ccnc_vm_nic *ccnc_vm_failover_nic(const struct ccnc_vm *vm,
                                               const struct ccnc_vm_nic **persistent);

/* --- snapshots ----------------------------------------------------------- */

/* A snapshot of the configured lab with every host connecting and stale,
 * and no inventory: what ccnc knows before any collector ran. */
struct ccnc_snapshot *ccnc_snapshot_new_from_lab(struct ccnc_lab *lab);
/* A new snapshot equal to old but with host part i replaced by host (the
 * snapshot takes the caller's reference to host); seq is old's + 1. */
struct ccnc_snapshot *ccnc_snapshot_replace_host(const struct ccnc_snapshot *old,
                                                 size_t i, struct ccnc_host *host);
struct ccnc_snapshot *ccnc_snapshot_ref(struct ccnc_snapshot *snap);
void ccnc_snapshot_unref(struct ccnc_snapshot *snap);
/* Index of a host by name, -1 when absent. */
int ccnc_snapshot_find_host(const struct ccnc_snapshot *snap, const char *name);
/* The host a VM runs on (state running or paused preferred), NULL if none. */
const struct ccnc_vm *ccnc_snapshot_find_vm(const struct ccnc_snapshot *snap,
                                            const char *name,
                                            const struct ccnc_host **host);

/* --- change events ------------------------------------------------------- */

enum ccnc_event_kind {
    CCNC_EV_HOST_CONNECTION,   /* connection state, stale flag or error */
    CCNC_EV_NIC_ADDED,
    CCNC_EV_NIC_REMOVED,
    CCNC_EV_NIC_CHANGED,
    CCNC_EV_LINK_ADDED,
    CCNC_EV_LINK_REMOVED,
    CCNC_EV_LINK_CHANGED,
    CCNC_EV_VF_CHANGED,
    CCNC_EV_BOND_ADDED,
    CCNC_EV_BOND_REMOVED,
    CCNC_EV_BOND_FAILOVER,     /* active slave changed */
    CCNC_EV_BOND_CHANGED,      /* anything else about a bond or its slaves */
    CCNC_EV_EXPORT_ADDED,
    CCNC_EV_EXPORT_REMOVED,
    CCNC_EV_EXPORT_CHANGED,
    CCNC_EV_VM_ADDED,
    CCNC_EV_VM_REMOVED,
    CCNC_EV_VM_STATE,
    CCNC_EV_VM_NIC_ADDED,
    CCNC_EV_VM_NIC_REMOVED,
    CCNC_EV_VM_BOND_FAILOVER,  /* the guest bond's active slave changed */
    CCNC_EV_VM_BOND_CHANGED,
    CCNC_EV_HOST_LIBVIRT,      /* the libvirt connection's state or error */
    /* a bridge learned a lab VM's MAC on a port, or forgot it (the host's
     * agent, not a diff): object "VM/MAC", before the bridge, after the
     * port */
    CCNC_EV_FDB_LEARNED,
    CCNC_EV_FDB_GONE,
    CCNC_EV_LAST
};

struct ccnc_event {
    enum ccnc_event_kind kind;
    char *host;       /* host name */
    char *object;     /* link, PCI address, bond, export path, VM, "VM/MAC" */
    char *before;     /* short text of the old value, may be NULL */
    char *after;      /* short text of the new value, may be NULL */
};

struct ccnc_event_list {
    struct ccnc_event *events;
    size_t n;
    size_t cap;
};

/* Append to out every change from old to new (either may be NULL: all
 * added / all removed).  Events come in host order, then by kind. */
void ccnc_snapshot_diff(const struct ccnc_snapshot *old,
                        const struct ccnc_snapshot *new_,
                        struct ccnc_event_list *out);
void ccnc_host_diff(const struct ccnc_host *old, const struct ccnc_host *new_,
                    const char *host_name, struct ccnc_event_list *out);
void ccnc_event_list_clear(struct ccnc_event_list *list);
/* "bond-failover" etc. */
const char *ccnc_event_kind_to_string(enum ccnc_event_kind kind);
/* One translated line for the log: "sys1: bond0 active slave eth0 -> eth1". */
char *ccnc_event_format(const struct ccnc_event *ev);

/* --- names --------------------------------------------------------------- */

const char *ccnc_conn_state_to_string(enum ccnc_conn_state s);
int ccnc_conn_state_from_string(const char *s);
const char *ccnc_bond_mode_to_string(int mode);     /* NULL for unknown */
int ccnc_bond_mode_from_string(const char *s);      /* CCNC_UNKNOWN */
const char *ccnc_slave_state_to_string(enum ccnc_slave_state s);
int ccnc_slave_state_from_string(const char *s);
const char *ccnc_nic_role_to_string(enum ccnc_nic_role r);
int ccnc_nic_role_from_string(const char *s);
const char *ccnc_vm_state_to_string(enum ccnc_vm_state s);
const char *ccnc_vm_job_to_string(enum ccnc_vm_job j);
int ccnc_vm_job_from_string(const char *s);
/* For people: translated ("shut off"); the _to_string names are the JSON's. */
const char *ccnc_vm_state_text(enum ccnc_vm_state s);
const char *ccnc_slave_state_text(enum ccnc_slave_state s);
int ccnc_vm_state_from_string(const char *s);

#endif
