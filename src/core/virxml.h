/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt's XML read with libxml2 and XPath: a domain (virsh dumpxml) into a
 * struct ccnc_vm, a node device (virsh nodedev-dumpxml) into a PCI function
 * or a link.  Used by the libvirt collector and by `ccnc inspect`. */
#ifndef CCNC_VIRXML_H
#define CCNC_VIRXML_H

#include <ccnc/model.h>

enum ccnc_virxml_kind {
    CCNC_VIRXML_DOMAIN,
    CCNC_VIRXML_NODEDEV_PCI,
    CCNC_VIRXML_NODEDEV_NET,
};

/* What a piece of libvirt XML turned out to be; only the member of its
 * kind is filled. */
struct ccnc_virxml {
    enum ccnc_virxml_kind kind;
    struct ccnc_vm vm;
    struct ccnc_nic nic;
    struct ccnc_link link;
};

/* Read domain or node-device XML.  name is used in messages.  On error
 * returns -1 with err filled (with the line for malformed XML) and out
 * left empty; on success the caller clears out with ccnc_virxml_clear(). */
int ccnc_virxml_parse(const char *name, const char *xml, size_t len, struct ccnc_virxml *out,
                      struct ccnc_error *err);
void ccnc_virxml_clear(struct ccnc_virxml *x);

/* libxml2's global set-up, done at once: call it from the main thread
 * before threads that parse XML (or open libvirt connections) start. */
void ccnc_virxml_init(void);

/* The device XML of the domain's <interface> with that MAC, or of its PCI
 * <hostdev> with that host address, without what only the live domain
 * has (<alias>, <target>): what detach and attach need.  NULL and err when
 * there is none.  Caller frees.  host_pci (may be NULL) gets the device's
 * host PCI address, NULL for an emulated NIC; caller frees. */
char *ccnc_virxml_device_xml(const char *domain_xml, size_t len, const char *mac,
                             const char *pci, char **host_pci, struct ccnc_error *err);

/* The image files of the domain's disks (not CD-ROMs): *files, a
 * NULL-terminated array the caller frees with its strings; returns how
 * many.  0 for a diskless domain or XML that cannot be read. */
size_t ccnc_virxml_disk_files(const char *domain_xml, size_t len, char ***files);

/* What a domain runs on: its type (kvm, qemu), architecture, machine
 * type and emulator binary, as virConnectGetDomainCapabilities takes them
 * (each NULL when the XML does not say).  Clear with
 * ccnc_virxml_target_clear(). */
struct ccnc_virxml_target {
    char *virttype, *arch, *machine, *emulator;
};

/* The target of domain XML; -1 when it cannot be read as a domain. */
int ccnc_virxml_domain_target(const char *domain_xml, size_t len, struct ccnc_virxml_target *t);
void ccnc_virxml_target_clear(struct ccnc_virxml_target *t);

/* A NIC to attach: a PCI function (a port or a VF) as <interface
 * type='hostdev'> with its MAC pinned (and VLAN when > 0), or as a plain
 * <hostdev> without a MAC; or an emulated NIC of a model on a bridge (the
 * lab's stand-in for a passthrough NIC). */
struct ccnc_virxml_nic {
    const char *pci;      /* "0000:03:00.0", or NULL */
    const char *network;  /* instead of pci: a libvirt network of VFs
                             (forward mode='hostdev'), which picks one */
    const char *mac;      /* may be NULL */
    int vlan;             /* 0: none */
    const char *model;    /* with bridge, when pci is NULL */
    const char *bridge;
};

/* The device XML for attach; NULL and err (CCNC_ERR_CONFIG) when the NIC
 * is not described well enough.  Caller frees. */
char *ccnc_virxml_nic_xml(const struct ccnc_virxml_nic *nic, struct ccnc_error *err);

/* ccnc's lease as the element virDomainSetMetadata takes (in its
 * namespace, CCNC_LEASE_NS), and read back from virDomainGetMetadata's
 * answer (NULL when it is none).  Caller frees. */
char *ccnc_virxml_lease_xml(const struct ccnc_lease *lease);
struct ccnc_lease *ccnc_virxml_lease_parse(const char *xml, size_t len);

#endif
