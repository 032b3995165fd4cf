/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI network functions: libpci for identities, names (pci.ids, never the
 * network) and the SR-IOV extended capability, from the live bus or an
 * `lspci -xxxx` dump; sysfs for drivers, netdevs, IOMMU groups and VF
 * links.  Under --root without a dump, sysfs attributes alone. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "agent/agent.h"
#include "core/i18n.h"

#ifndef PCI_IOV_DID
#define PCI_IOV_DID 0x1a
#endif

/* libpci's error handler must not return: it jumps back here.  The agent
 * is single-threaded, so one jump buffer will do. */
static jmp_buf pci_jump;
static char pci_message[512];

static void CCNC_PRINTF(1, 2) CCNC_NORETURN
on_pci_error(char *msg, ...)
{
    va_list ap;

    va_start(ap, msg);
    vsnprintf(pci_message, sizeof(pci_message), msg, ap);
    va_end(ap);
    longjmp(pci_jump, 1);
}

static void CCNC_PRINTF(1, 2)
on_pci_quiet(char *msg, ...)
{
    (void)msg;
}

static struct pci_access *
access_new(void)
{
    struct pci_access *pacc = pci_alloc();

    pacc->error = on_pci_error;
    pacc->warning = on_pci_quiet;
    pacc->debug = on_pci_quiet;
    pacc->numeric_ids = 0;
#ifdef CCNC_PCI_IDS
    pci_set_name_list_path(pacc, (char *)CCNC_PCI_IDS, 0);
#endif
    return pacc;
}

static char *
lookup(struct pci_access *pacc, int flags, int vendor, int device)
{
    char buf[256], *name = NULL;
    jmp_buf outer;

    /* PCI_LOOKUP_NO_NUMBERS: NULL rather than "Device 1234" when unknown;
     * never PCI_LOOKUP_NETWORK: no DNS queries from a lab host */
    memcpy(outer, pci_jump, sizeof(outer));
    if (setjmp(pci_jump) == 0)
        name = ccnc_xstrdup(pci_lookup_name(pacc, buf, sizeof(buf),
                                            flags | PCI_LOOKUP_NO_NUMBERS, vendor, device));
    memcpy(pci_jump, outer, sizeof(outer));
    return name;
}

/* The function's netdev: DIR/net/NAME, or DIR/virtioN/net/NAME for virtio. */
static char *
first_netdev(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char *found = NULL;

    while (d && !found && (de = readdir(d))) {
        char *net;
        DIR *nd;
        if (strcmp(de->d_name, "net") == 0)
            net = ccnc_xasprintf("%s/net", dir);
        else if (strncmp(de->d_name, "virtio", 6) == 0)
            net = ccnc_xasprintf("%s/%s/net", dir, de->d_name);
        else
            continue;
        if ((nd = opendir(net))) {
            struct dirent *ne;
            while (!found && (ne = readdir(nd)))
                if (ne->d_name[0] != '.')
                    found = ccnc_xstrdup(ne->d_name);
            closedir(nd);
        }
        free(net);
    }
    if (d)
        closedir(d);
    return found;
}

/* What sysfs says of a function: driver, netdev, IOMMU group, PF. */
static void
sysfs_extras(const char *root, struct ccnc_nic *n)
{
    char *dir = ccnc_xasprintf("%s/sys/bus/pci/devices/%s", root, n->pci);
    char *group;

    if (!n->driver)
        n->driver = ccnc_sysfs_link_name("%s/driver", dir);
    group = ccnc_sysfs_link_name("%s/iommu_group", dir);
    if (group) {
        n->iommu_group = atoi(group);
        free(group);
    }
    n->pf = ccnc_sysfs_link_name("%s/physfn", dir);
    n->is_vf = n->is_vf || n->pf != NULL;
    n->netdev = first_netdev(dir);
    {
        /* the driver may allow fewer VFs than the capability offers (igb:
         * 7 of the 82576's 8); sysfs says how many can be made */
        long long v;
        if (n->has_sriov && ccnc_sysfs_read_ll(&v, "%s/sriov_totalvfs", dir) == 0 && v >= 0)
            n->sriov.total_vfs = (int)v;
    }
    free(dir);
}

static void
read_sriov(struct pci_dev *dev, struct ccnc_nic *n)
{
    struct pci_cap *cap = pci_find_cap(dev, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);

    if (!cap)
        return;
    n->has_sriov = true;
    n->sriov.total_vfs = pci_read_word(dev, cap->addr + PCI_IOV_TOTALVF);
    n->sriov.num_vfs = pci_read_word(dev, cap->addr + PCI_IOV_NUMVF);
    n->sriov.vf_offset = pci_read_word(dev, cap->addr + PCI_IOV_OFFSET);
    n->sriov.vf_stride = pci_read_word(dev, cap->addr + PCI_IOV_STRIDE);
    n->sriov.vf_device_id = pci_read_word(dev, cap->addr + PCI_IOV_DID);
}

static bool
is_network(unsigned cls)
{
    return (cls >> 8) == 0x02; /* PCI_BASE_CLASS_NETWORK: Ethernet and kin */
}

/* One function; what libpci cannot read of it becomes its error. */
static void
scan_one(struct pci_access *pacc, struct pci_dev *dev, const struct ccnc_agent_opts *opts,
         struct ccnc_host *host)
{
    struct ccnc_nic *volatile n = NULL;
    jmp_buf outer;

    memcpy(outer, pci_jump, sizeof(outer));
    if (setjmp(pci_jump)) {
        if (n)
            ccnc_str_set(&n->error, pci_message);
        memcpy(pci_jump, outer, sizeof(outer));
        return;
    }
    pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_EXT_CAPS | PCI_FILL_CAPS);
    if (is_network(dev->device_class)) {
        n = ccnc_host_add_nic(host);
        n->pci = ccnc_xasprintf("%04x:%02x:%02x.%x", (unsigned)dev->domain, dev->bus, dev->dev,
                                dev->func);
        n->vendor_id = dev->vendor_id;
        n->device_id = dev->device_id;
        n->vendor = lookup(pacc, PCI_LOOKUP_VENDOR, dev->vendor_id, 0);
        n->device = lookup(pacc, PCI_LOOKUP_DEVICE, dev->vendor_id, dev->device_id);
        read_sriov(dev, n);
        /* a dump's devices are not this machine's: sysfs only with --root */
        if (!opts->pci_dump || opts->root[0])
            sysfs_extras(opts->root, n);
    }
    memcpy(pci_jump, outer, sizeof(outer));
}

static int
scan_libpci(const struct ccnc_agent_opts *opts, struct ccnc_host *host, struct ccnc_error *err)
{
    struct pci_access *volatile pacc = access_new();
    int rc = -1;

    if (setjmp(pci_jump)) {
        ccnc_error_set(err, CCNC_ERR_IO, opts->pci_dump
                           ? _("cannot read the PCI dump '%s': %s")
                           : _("cannot read the PCI bus%s: %s"),
                       opts->pci_dump ? opts->pci_dump : "", pci_message);
        goto cleanup;
    }
    if (opts->pci_dump) {
        pacc->method = PCI_ACCESS_DUMP;
        pci_set_param(pacc, (char *)"dump.name", (char *)opts->pci_dump);
    }
    pci_init(pacc);
    pci_scan_bus(pacc);
    if (opts->pci_dump && !pacc->devices) {
        /* libpci skips what it does not understand: nothing at all means
         * this was no dump */
        ccnc_error_set(err, CCNC_ERR_PARSE, _("the PCI dump '%s' holds no device"),
                       opts->pci_dump);
        goto cleanup;
    }
    for (struct pci_dev *dev = pacc->devices; dev; dev = dev->next)
        scan_one(pacc, dev, opts, host);
    rc = 0;
cleanup:
    pci_cleanup(pacc);
    return rc;
}

/* --- sysfs only (--root without a dump) -------------------------------------- */

static bool
looks_like_pci_address(const char *s)
{
    unsigned d, b, dv, f;
    char tail;

    return sscanf(s, "%x:%x:%x.%x%c", &d, &b, &dv, &f, &tail) == 4 && strlen(s) == 12;
}

static void
sysfs_nic(struct pci_access *pacc, const char *root, const char *dir, const char *addr,
          struct ccnc_host *host)
{
    long long cls, vendor, device, v;
    struct ccnc_nic *n;

    if (ccnc_sysfs_read_ll(&cls, "%s/class", dir) < 0 || !is_network((unsigned)(cls >> 8)))
        return;
    if (ccnc_host_find_nic(host, addr))
        return;
    n = ccnc_host_add_nic(host);
    n->pci = ccnc_xstrdup(addr);
    if (ccnc_sysfs_read_ll(&vendor, "%s/vendor", dir) == 0 &&
        ccnc_sysfs_read_ll(&device, "%s/device", dir) == 0) {
        n->vendor_id = (int)vendor;
        n->device_id = (int)device;
        n->vendor = lookup(pacc, PCI_LOOKUP_VENDOR, n->vendor_id, 0);
        n->device = lookup(pacc, PCI_LOOKUP_DEVICE, n->vendor_id, n->device_id);
    } else {
        n->error = ccnc_xstrdup(_("no vendor or device id in sysfs"));
    }
    if (ccnc_sysfs_read_ll(&v, "%s/sriov_totalvfs", dir) == 0) {
        n->has_sriov = true;
        n->sriov.total_vfs = (int)v;
        n->sriov.num_vfs = ccnc_sysfs_read_ll(&v, "%s/sriov_numvfs", dir) == 0 ? (int)v
                                                                                 : CCNC_UNKNOWN;
        n->sriov.vf_offset = ccnc_sysfs_read_ll(&v, "%s/sriov_offset", dir) == 0 ? (int)v
                                                                                   : CCNC_UNKNOWN;
        n->sriov.vf_stride = ccnc_sysfs_read_ll(&v, "%s/sriov_stride", dir) == 0 ? (int)v
                                                                                   : CCNC_UNKNOWN;
        n->sriov.vf_device_id = CCNC_UNKNOWN;
        {
            /* "1520": hex without the 0x that vendor and device have */
            char *did = ccnc_sysfs_read("%s/sriov_vf_device", dir), *end;
            if (did && *did) {
                long x = strtol(did, &end, 16);
                if (*end == '\0' && x >= 0 && x <= 0xffff)
                    n->sriov.vf_device_id = (int)x;
            }
            free(did);
        }
    }
    n->driver = ccnc_sysfs_link_name("%s/driver", dir);
    {
        char *g = ccnc_sysfs_link_name("%s/iommu_group", dir);
        if (g)
            n->iommu_group = atoi(g);
        free(g);
    }
    n->pf = ccnc_sysfs_link_name("%s/physfn", dir);
    n->is_vf = n->pf != NULL;
    n->netdev = first_netdev(dir);
    (void)root;
}

/* Walk DIR for PCI function directories (sys/devices nests them). */
static void
walk(struct pci_access *pacc, const char *root, const char *dir, int depth,
     struct ccnc_host *host)
{
    DIR *d;
    struct dirent *de;

    if (depth > 8 || !(d = opendir(dir)))
        return;
    while ((de = readdir(d))) {
        char *sub;
        if (de->d_name[0] == '.')
            continue;
        if (de->d_type != DT_DIR && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
            continue;
        sub = ccnc_xasprintf("%s/%s", dir, de->d_name);
        if (looks_like_pci_address(de->d_name))
            sysfs_nic(pacc, root, sub, de->d_name, host);
        if (de->d_type == DT_DIR && (looks_like_pci_address(de->d_name) ||
                                     strncmp(de->d_name, "pci", 3) == 0))
            walk(pacc, root, sub, depth + 1, host);
        free(sub);
    }
    closedir(d);
}

static int
cmp_nic(const void *a, const void *b)
{
    return strcmp(((const struct ccnc_nic *)a)->pci, ((const struct ccnc_nic *)b)->pci);
}

static int
scan_sysfs(const struct ccnc_agent_opts *opts, struct ccnc_host *host)
{
    struct pci_access *pacc = access_new();
    size_t first = host->n_nics;
    char *bus = ccnc_xasprintf("%s/sys/bus/pci/devices", opts->root);
    char *devices = ccnc_xasprintf("%s/sys/devices", opts->root);

    walk(pacc, opts->root, bus, 0, host);
    walk(pacc, opts->root, devices, 0, host);
    if (host->n_nics > first)
        qsort(host->nics + first, host->n_nics - first, sizeof(*host->nics), cmp_nic);
    free(bus);
    free(devices);
    pci_cleanup(pacc);
    return 0;
}

int
ccnc_pci_scan(const struct ccnc_agent_opts *opts, struct ccnc_host *host, struct ccnc_error *err)
{
    if (opts->pci_dump || opts->root[0] == '\0')
        return scan_libpci(opts, host, err);
    return scan_sysfs(opts, host);
}
