/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt XML from real hosts and libvirt's own tests, read into the
 * model: domains with interfaces, hostdevs and teaming; node devices of
 * 82576 PFs and VFs; and malformed or foreign XML refused with a reason. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/json.h>

#include "check-ccnc.h"
#include "core/virxml.h"

static int
parse_fixture(const char *file, struct ccnc_virxml *x, struct ccnc_error *err)
{
    char *rel = ccnc_xasprintf("libvirt/%s", file);
    char *path = ccnc_test_data(rel);
    size_t len = 0;
    char *text = ccnc_test_read(path, &len);
    int rc = ccnc_virxml_parse(file, text, len, x, err);

    free(text);
    free(path);
    free(rel);
    return rc;
}

START_TEST(test_domain_teaming)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    const struct ccnc_vm_nic *n, *p = NULL;

    ck_assert_int_eq(parse_fixture("domxml_libvirt_net-virtio-teaming.xml", &x, &err), 0);
    ck_assert_int_eq(x.kind, CCNC_VIRXML_DOMAIN);
    ck_assert_str_eq(x.vm.name, "QEMUGuest1");
    ck_assert_str_eq(x.vm.uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
    ck_assert_int_eq(x.vm.state, CCNC_VM_SHUTOFF); /* no id: not live XML */
    ck_assert_int_eq(x.vm.memory_kib, 219100);
    ck_assert(x.vm.tcg); /* <domain type='qemu'> */
    ck_assert_int_eq(x.vm.vcpus, 1);
    ck_assert_uint_eq(x.vm.n_nics, 4);
    n = &x.vm.nics[0];
    ck_assert_str_eq(n->type, "user");
    ck_assert_str_eq(n->model, "virtio");
    ck_assert_str_eq(n->alias, "ua-backup0");
    ck_assert_str_eq(n->teaming->type, "persistent");
    ck_assert_ptr_null(n->teaming->persistent);
    n = &x.vm.nics[3];
    ck_assert_str_eq(n->type, "interface-hostdev");
    ck_assert_str_eq(n->mac, "66:44:33:22:11:00");
    ck_assert_str_eq(n->pci, "0000:03:07.2");
    ck_assert_ptr_null(n->model);
    ck_assert_str_eq(n->teaming->type, "transient");
    ck_assert_str_eq(n->teaming->persistent, "ua-backup1");
    /* paired: the persistent NIC by its alias, the transient device (no
     * alias in defined XML) by its MAC and PCI address */
    ck_assert_str_eq(n->teaming->partner_alias, "ua-backup1");
    ck_assert_str_eq(n->teaming->partner_mac, "66:44:33:22:11:00");
    ck_assert_ptr_null(n->teaming->partner_pci);
    n = &x.vm.nics[1];
    ck_assert_ptr_null(n->teaming->partner_alias);
    ck_assert_str_eq(n->teaming->partner_mac, "66:44:33:22:11:00");
    ck_assert_str_eq(n->teaming->partner_pci, "0000:03:07.2");
    ck_assert_ptr_eq(ccnc_vm_failover_nic(&x.vm, &p), &x.vm.nics[2]);
    ck_assert_ptr_eq(p, &x.vm.nics[0]);
    ccnc_virxml_clear(&x);
}
END_TEST

/* libvirt's net-virtio-teaming-hostdev: the transient devices are plain
 * PCI <hostdev>s, with neither MAC nor alias. */
START_TEST(test_domain_teaming_plain_hostdev)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    const struct ccnc_vm_nic *n, *p = NULL;

    ck_assert_int_eq(parse_fixture("domxml_libvirt_net-virtio-teaming-hostdev.xml", &x, &err), 0);
    ck_assert_uint_eq(x.vm.n_nics, 4);
    n = &x.vm.nics[2];
    ck_assert_str_eq(n->type, "hostdev");
    ck_assert_str_eq(n->pci, "0000:03:07.1");
    ck_assert_ptr_null(n->mac);
    ck_assert_ptr_null(n->alias);
    ck_assert_ptr_nonnull(n->teaming);
    ck_assert_str_eq(n->teaming->type, "transient");
    ck_assert_str_eq(n->teaming->persistent, "ua-backup0");
    ck_assert_str_eq(n->teaming->partner_alias, "ua-backup0");
    ck_assert_str_eq(n->teaming->partner_mac, "00:11:22:33:44:55");
    ck_assert_ptr_null(n->teaming->partner_pci);
    n = &x.vm.nics[0];
    ck_assert_str_eq(n->type, "user");
    ck_assert_str_eq(n->teaming->type, "persistent");
    ck_assert_ptr_null(n->teaming->partner_alias);
    ck_assert_ptr_null(n->teaming->partner_mac);
    ck_assert_str_eq(n->teaming->partner_pci, "0000:03:07.1");
    ck_assert_str_eq(x.vm.nics[1].teaming->partner_pci, "0000:03:07.2");
    ck_assert_str_eq(x.vm.nics[3].teaming->partner_alias, "ua-backup1");
    ck_assert_ptr_eq(ccnc_vm_failover_nic(&x.vm, &p), &x.vm.nics[2]);
    ck_assert_ptr_eq(p, &x.vm.nics[0]);
    ccnc_virxml_clear(&x);
}
END_TEST

/* A live domain: a plain hostdev without mode= (subsystem is the default),
 * with an alias, naming its partner or a NIC that is not there; a USB
 * hostdev is no NIC. */
static const struct {
    const char *persistent;
    bool paired;
} live_team[] = {
    { "ua-backup0", true },
    { "ua-backup9", false },
};

START_TEST(test_domain_teaming_live)
{
    char *xml = ccnc_xasprintf(
        "<domain type='kvm' id='3'><name>vm1</name><devices>"
        "<interface type='bridge'><mac address='52:54:00:77:01:01'/><source bridge='br0'/>"
        "<model type='virtio'/><teaming type='persistent'/><alias name='ua-backup0'/></interface>"
        "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/>"
        "<product id='0xbeef'/></source></hostdev>"
        "<hostdev type='pci' managed='yes'><source><address domain='0x0000' bus='0x03' "
        "slot='0x10' function='0x2'/></source><teaming type='transient' persistent='%s'/>"
        "<alias name='hostdev0'/></hostdev>"
        "</devices></domain>", live_team[_i].persistent);
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    const struct ccnc_teaming *t, *pt;
    const struct ccnc_vm_nic *p = NULL;

    ck_assert_int_eq(ccnc_virxml_parse("live", xml, strlen(xml), &x, &err), 0);
    ck_assert_uint_eq(x.vm.n_nics, 2);
    ck_assert_str_eq(x.vm.nics[1].type, "hostdev");
    ck_assert_str_eq(x.vm.nics[1].pci, "0000:03:10.2");
    t = x.vm.nics[1].teaming;
    pt = x.vm.nics[0].teaming;
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t->persistent, live_team[_i].persistent);
    if (live_team[_i].paired) {
        ck_assert_str_eq(t->partner_alias, "ua-backup0");
        ck_assert_str_eq(t->partner_mac, "52:54:00:77:01:01");
        ck_assert_str_eq(pt->partner_alias, "hostdev0");
        ck_assert_str_eq(pt->partner_pci, "0000:03:10.2");
        ck_assert_ptr_eq(ccnc_vm_failover_nic(&x.vm, &p), &x.vm.nics[1]);
        ck_assert_ptr_eq(p, &x.vm.nics[0]);
    } else {
        ck_assert_ptr_null(t->partner_alias);
        ck_assert_ptr_null(t->partner_mac);
        ck_assert_ptr_null(t->partner_pci);
        ck_assert_ptr_null(pt->partner_alias);
        ck_assert_ptr_null(pt->partner_pci);
        ck_assert_ptr_null(ccnc_vm_failover_nic(&x.vm, &p));
        ck_assert_ptr_null(p);
    }
    ccnc_virxml_clear(&x);
    free(xml);
}
END_TEST

START_TEST(test_domain_live_sriov_with_roles)
{
    static const char conf[] =
        "[host h]\naddress = h\nuser = u\nrole = hypervisor\n"
        "[vm SRiovVm]\nhost = h\npassthrough = pci:0000:05:00.1\nbackup = alias:net1\n";
    struct ccnc_lab *lab = ccnc_lab_load_text("r.conf", conf, strlen(conf), NULL, 0, NULL);
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };

    ck_assert_ptr_nonnull(lab);
    ck_assert_int_eq(parse_fixture("domxml_vdsm_testSRiovVm_interface_hostdev.xml", &x, &err), 0);
    ck_assert_int_eq(x.vm.state, CCNC_VM_RUNNING); /* id='5' */
    ck_assert_int_eq(x.vm.memory_kib, 262144);
    ck_assert(!x.vm.tcg); /* <domain type='kvm'> */
    ck_assert_uint_eq(x.vm.n_nics, 2);
    ck_assert_str_eq(x.vm.nics[0].type, "bridge");
    ck_assert_str_eq(x.vm.nics[0].source, ";vdsmdummy;");
    ck_assert_str_eq(x.vm.nics[0].target, "vnet2");
    ck_assert_str_eq(x.vm.nics[1].pci, "0000:05:00.1");
    ck_assert_str_eq(x.vm.nics[1].alias, "hostdev2");
    ccnc_vm_apply_roles(&x.vm, ccnc_lab_find_vm(lab, "SRiovVm"));
    ck_assert_int_eq(x.vm.nics[0].role, CCNC_NIC_ROLE_BACKUP);
    ck_assert_int_eq(x.vm.nics[1].role, CCNC_NIC_ROLE_PASSTHROUGH);
    ccnc_vm_apply_roles(&x.vm, NULL);
    ck_assert_int_eq(x.vm.nics[1].role, CCNC_NIC_ROLE_OTHER);
    ccnc_virxml_clear(&x);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_domain_plain_hostdev)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(parse_fixture("domxml_libvirt_hostdev-pci-address.xml", &x, &err), 0);
    ck_assert_uint_eq(x.vm.n_nics, 1);
    ck_assert_str_eq(x.vm.nics[0].type, "hostdev");
    ck_assert_str_eq(x.vm.nics[0].pci, "0000:06:12.5");
    ck_assert_ptr_null(x.vm.nics[0].mac);
    ccnc_virxml_clear(&x);
    ck_assert_int_eq(parse_fixture("domxml_libvirt_net-hostdev-vfio.xml", &x, &err), 0);
    ck_assert_uint_eq(x.vm.n_nics, 1);
    ck_assert_str_eq(x.vm.nics[0].type, "interface-hostdev");
    ck_assert_str_eq(x.vm.nics[0].pci, "0000:06:12.1");
    ck_assert_str_eq(x.vm.nics[0].mac, "00:11:22:33:44:55");
    ccnc_virxml_clear(&x);
}
END_TEST

/* Node devices: file, PCI address, driver, is_vf, pf, has_sriov, total, num. */
static const struct nodedev_case {
    const char *file;
    const char *pci, *driver, *pf;
    bool has_sriov;
    int total, num, vendor, device, iommu;
} nodedevs[] = {
    { "nodedev_vdsm_pci_0000_05_00_1_82576_pf.xml", "0000:05:00.1", "igb", NULL, true,
      CCNC_UNKNOWN, 7, 0x8086, 0x10c9, 15 },
    { "nodedev_vdsm_pci_0000_05_10_7_82576_vf.xml", "0000:05:10.7", "igbvf", "0000:05:00.1",
      false, 0, 0, 0x8086, 0x10ca, CCNC_UNKNOWN },
    { "nodedev_synthetic_pci_0000_83_10_3_82576_vf_old_libvirt.xml", "0000:83:10.3",
      "igbvf", "0000:83:00.1", false, 0, 0, 0x8086, 0x10ca, CCNC_UNKNOWN },
    { "nodedev_libvirt_pci_0000_02_10_7_sriov_pf_vfs_all.xml", "0000:02:10.7", NULL,
      "0000:02:00.1", true, 7, 4, 0x8086, 0x10ca, 31 },
    { "nodedev_libvirt_pci_0000_02_10_7_sriov_vfs.xml", "0000:02:10.7", NULL, NULL, true,
      CCNC_UNKNOWN, 4, 0x8086, 0x10ca, CCNC_UNKNOWN },
    { "nodedev_libvirt_pci_0000_02_10_7_sriov_vf.xml", "0000:02:10.7", NULL, "0000:02:00.1",
      false, 0, 0, 0x8086, 0x10ca, CCNC_UNKNOWN },
    { "nodedev_libvirt_pci_8086_10c9_sriov_pf.xml", "0000:02:00.0", NULL, NULL, false, 0, 0,
      0x8086, 0x10c9, CCNC_UNKNOWN },
    { "nodedev_vdsm_pci_0000_00_19_0_82579LM.xml", "0000:00:19.0", "e1000e", NULL, false, 0, 0,
      0x8086, 0x1502, CCNC_UNKNOWN },
};

START_TEST(test_nodedev_pci)
{
    const struct nodedev_case *c = &nodedevs[_i];
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };

    ck_assert_msg(parse_fixture(c->file, &x, &err) == 0, "%s: %s", c->file, err.message);
    ck_assert_int_eq(x.kind, CCNC_VIRXML_NODEDEV_PCI);
    ck_assert_str_eq(x.nic.pci, c->pci);
    if (c->driver)
        ck_assert_str_eq(x.nic.driver, c->driver);
    else
        ck_assert_ptr_null(x.nic.driver);
    ck_assert(x.nic.is_vf == (c->pf != NULL));
    if (c->pf)
        ck_assert_str_eq(x.nic.pf, c->pf);
    ck_assert(x.nic.has_sriov == c->has_sriov);
    if (c->has_sriov) {
        ck_assert_int_eq(x.nic.sriov.total_vfs, c->total);
        ck_assert_int_eq(x.nic.sriov.num_vfs, c->num);
    }
    ck_assert_int_eq(x.nic.vendor_id, c->vendor);
    ck_assert_msg(x.nic.device_id == c->device, "%s: device %x", c->file, x.nic.device_id);
    if (c->iommu != CCNC_UNKNOWN)
        ck_assert_int_eq(x.nic.iommu_group, c->iommu);
    ccnc_virxml_clear(&x);
}
END_TEST

START_TEST(test_nodedev_net)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(parse_fixture("nodedev_vdsm_net_em1_link_down.xml", &x, &err), 0);
    ck_assert_int_eq(x.kind, CCNC_VIRXML_NODEDEV_NET);
    ck_assert_str_eq(x.link.name, "em1");
    ck_assert_str_eq(x.link.mac, "28:d2:44:55:66:88");
    ck_assert_str_eq(x.link.operstate, "down");
    ccnc_virxml_clear(&x);
}
END_TEST

START_TEST(test_json_golden)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    char *json, *nl;

    ck_assert_int_eq(parse_fixture("domxml_libvirt_net-virtio-teaming.xml", &x, &err), 0);
    json = ccnc_json_vm(&x.vm, CCNC_JSON_PRETTY);
    nl = ccnc_xasprintf("%s\n", json);
    ccnc_test_golden("golden/inspect-teaming.json", nl);
    free(json);
    free(nl);
    ccnc_virxml_clear(&x);
    ck_assert_int_eq(parse_fixture("domxml_libvirt_net-virtio-teaming-hostdev.xml", &x, &err), 0);
    json = ccnc_json_vm(&x.vm, CCNC_JSON_PRETTY);
    nl = ccnc_xasprintf("%s\n", json);
    ccnc_test_golden("golden/inspect-teaming-hostdev.json", nl);
    free(json);
    free(nl);
    ccnc_virxml_clear(&x);
    ck_assert_int_eq(parse_fixture("nodedev_vdsm_pci_0000_05_00_1_82576_pf.xml", &x, &err), 0);
    json = ccnc_json_nic(&x.nic, CCNC_JSON_PRETTY);
    nl = ccnc_xasprintf("%s\n", json);
    ccnc_test_golden("golden/inspect-82576-pf.json", nl);
    free(json);
    free(nl);
    ccnc_virxml_clear(&x);
}
END_TEST

static const struct {
    const char *xml;
    int line;
    const char *expect;
} bad_xml[] = {
    { "<domain><name>x</name>\n<devices>\n</domain>", 3, "not well-formed XML" },
    { "", 0, "not well-formed XML" },
    { "<network><name>n</name></network>", 1, "<network> is neither a libvirt domain" },
    { "<domain type='kvm'><uuid>u</uuid></domain>", 0, "has no <name>" },
    { "<device><name>usb</name><capability type='usb_device'/></device>", 1,
      "neither a PCI device nor a network interface" },
    { "<device><capability type='pci'><domain>0</domain><bus>999</bus><slot>0</slot>"
      "<function>0</function></capability></device>", 1, "incomplete or out of range" },
    { "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain><name>&e;</name>"
      "</domain>", 0, "" },
};

START_TEST(test_bad_xml)
{
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    int rc = ccnc_virxml_parse("bad.xml", bad_xml[_i].xml, strlen(bad_xml[_i].xml), &x, &err);

    if (!*bad_xml[_i].expect) {
        /* external entities are never loaded: the name is empty or refused */
        if (rc == 0) {
            ck_assert(x.vm.name == NULL || strstr(x.vm.name, "root:") == NULL);
            ccnc_virxml_clear(&x);
        }
        ccnc_error_clear(&err);
        return;
    }
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ck_assert_str_eq(err.file, "bad.xml");
    ck_assert_msg(strstr(err.message, bad_xml[_i].expect), "case %d: %s", _i, err.message);
    if (bad_xml[_i].line)
        ck_assert_int_eq(err.line, bad_xml[_i].line);
    ccnc_error_clear(&err);
}
END_TEST

/* The XML ccnc attaches, read back by ccnc's own domain parser as libvirt
 * would show it. */
START_TEST(test_nic_xml)
{
    struct ccnc_virxml_nic vf = { .pci = "0000:03:10.2", .mac = "52:54:00:77:01:01",
                                  .vlan = 201 };
    struct ccnc_virxml_nic port = { .pci = "04:00.0" };
    struct ccnc_virxml_nic standin = { .mac = "52:54:00:77:01:01", .model = "e1000e",
                                       .bridge = "br-pt" };
    struct ccnc_virxml_nic bad = { .pci = "0000:03:00" }, none = { .mac = "x" };
    struct ccnc_error err = { 0 };
    struct ccnc_virxml x;
    char *xml, *dom;

    xml = ccnc_virxml_nic_xml(&vf, &err);
    ck_assert_str_eq(xml, "<interface type=\"hostdev\" managed=\"yes\"><mac address=\"52:54:00:77:01:01\"/>"
                          "<source><address type=\"pci\" domain=\"0x0000\" bus=\"0x03\" slot=\"0x10\" "
                          "function=\"0x2\"/></source><vlan><tag id=\"201\"/></vlan></interface>\n");
    dom = ccnc_xasprintf("<domain type='kvm'><name>vm1</name><devices>%s</devices></domain>", xml);
    ck_assert_int_eq(ccnc_virxml_parse("vf", dom, strlen(dom), &x, &err), 0);
    ck_assert_uint_eq(x.vm.n_nics, 1);
    ck_assert_str_eq(x.vm.nics[0].type, "interface-hostdev");
    ck_assert_str_eq(x.vm.nics[0].mac, "52:54:00:77:01:01");
    ck_assert_str_eq(x.vm.nics[0].pci, "0000:03:10.2");
    ccnc_virxml_clear(&x);
    free(dom);
    free(xml);

    xml = ccnc_virxml_nic_xml(&port, &err);
    ck_assert_str_eq(xml, "<hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\"><source>"
                          "<address domain=\"0x0000\" bus=\"0x04\" slot=\"0x00\" function=\"0x0\"/>"
                          "</source></hostdev>\n");
    free(xml);

    xml = ccnc_virxml_nic_xml(&standin, &err);
    ck_assert_str_eq(xml, "<interface type=\"bridge\"><mac address=\"52:54:00:77:01:01\"/>"
                          "<source bridge=\"br-pt\"/><model type=\"e1000e\"/></interface>\n");
    free(xml);

    ck_assert_ptr_null(ccnc_virxml_nic_xml(&bad, &err));
    ck_assert_int_eq(err.code, CCNC_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "0000:03:00"));
    ccnc_error_clear(&err);
    ck_assert_ptr_null(ccnc_virxml_nic_xml(&none, &err));
    ck_assert_int_eq(err.code, CCNC_ERR_CONFIG);
    ccnc_error_clear(&err);
}
END_TEST

/* The disks whose images must be on the destination's NFS mounts. */
START_TEST(test_disk_files)
{
    static const char xml[] =
        "<domain type='kvm'><name>d</name><devices>"
        "<disk type='file' device='disk'><source file='/nfs/images/d.qcow2'/></disk>"
        "<disk type='file'><source file='/nfs/images/d-data.raw'/></disk>"
        "<disk type='file' device='cdrom'><source file='/iso/install.iso'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/HostVG/d'/></disk>"
        "</devices></domain>";
    char **files = NULL;
    char *path = ccnc_test_data("libvirt/domxml_libvirt_net-hostdev-vfio.xml");
    size_t len;
    char *text = ccnc_test_read(path, &len);

    ck_assert_uint_eq(ccnc_virxml_disk_files(xml, strlen(xml), &files), 2);
    ck_assert_str_eq(files[0], "/nfs/images/d.qcow2");
    ck_assert_str_eq(files[1], "/nfs/images/d-data.raw");
    ck_assert_ptr_null(files[2]);
    for (size_t i = 0; files[i]; i++)
        free(files[i]);
    free(files);
    /* a block device (SAN, LVM) has no image file to look for */
    ck_assert_uint_eq(ccnc_virxml_disk_files(text, len, &files), 0);
    free(files);
    ck_assert_uint_eq(ccnc_virxml_disk_files("<domain", 7, &files), 0);
    free(text);
    free(path);
}
END_TEST

/* What the destination is asked it can run (check-destination): a real
 * oVirt VM's emulator and machine type, and a domain without them. */
START_TEST(test_domain_target)
{
    char *path = ccnc_test_data("libvirt/domxml_vdsm_testSRiovVm_interface_hostdev.xml");
    size_t len;
    char *text = ccnc_test_read(path, &len);
    struct ccnc_virxml_target t;
    static const char bare[] = "<domain type='qemu'><name>d</name></domain>";

    ck_assert_int_eq(ccnc_virxml_domain_target(text, len, &t), 0);
    ck_assert_str_eq(t.virttype, "kvm");
    ck_assert_str_eq(t.arch, "x86_64");
    ck_assert_str_eq(t.machine, "pc-i440fx-rhel7.1.0");
    ck_assert_str_eq(t.emulator, "/usr/libexec/qemu-kvm");
    ccnc_virxml_target_clear(&t);
    ck_assert_ptr_null(t.machine);
    /* what is not said stays NULL: libvirt takes its default */
    ck_assert_int_eq(ccnc_virxml_domain_target(bare, strlen(bare), &t), 0);
    ck_assert_str_eq(t.virttype, "qemu");
    ck_assert_ptr_null(t.arch);
    ck_assert_ptr_null(t.machine);
    ck_assert_ptr_null(t.emulator);
    ccnc_virxml_target_clear(&t);
    /* not a domain, or not XML */
    ck_assert_int_eq(ccnc_virxml_domain_target("<network/>", 10, &t), -1);
    ck_assert_int_eq(ccnc_virxml_domain_target("<domain", 7, &t), -1);
    ck_assert_ptr_null(t.virttype);
    free(text);
    free(path);
}
END_TEST

/* XML with a DOCTYPE (libvirt never writes one; entities expanded could
 * take gigabytes) is refused before it is parsed, by every reader. */
START_TEST(test_doctype_refused)
{
    static const char laughs[] =
        "<?xml version='1.0'?>\n<!DOCTYPE domain [\n"
        " <!ENTITY a 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>\n"
        " <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
        " <!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
        " <!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>\n"
        " <!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>\n"
        "]>\n<domain type='kvm'><name>&e;</name><devices><interface type='bridge'>"
        "<mac address='52:54:00:00:00:01'/></interface></devices></domain>\n";
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    char **files = NULL;

    ck_assert_int_eq(ccnc_virxml_parse("laughs.xml", laughs, strlen(laughs), &x, &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "DOCTYPE"));
    ccnc_error_clear(&err);
    ck_assert_ptr_null(ccnc_virxml_device_xml(laughs, strlen(laughs), "52:54:00:00:00:01", NULL,
                                              NULL, &err));
    ccnc_error_clear(&err);
    ck_assert_uint_eq(ccnc_virxml_disk_files(laughs, strlen(laughs), &files), 0);
    {
        struct ccnc_virxml_target t;
        ck_assert_int_eq(ccnc_virxml_domain_target(laughs, strlen(laughs), &t), -1);
    }
    ck_assert_ptr_null(ccnc_virxml_lease_parse("<!DOCTYPE lease []><lease/>", 27));
}
END_TEST

/* ccnc's lease: written for virDomainSetMetadata with what needs escaping
 * escaped, read back; and read from a domain's <metadata>. */
START_TEST(test_lease)
{
    char run[] = "/runs/a&b<\"c\">.jsonl", by[] = "root@ws1 (pid 7)";
    struct ccnc_lease l = { .run = run, .by = by, .since_ms = 1796306414000LL,
                            .expires_ms = 1796306834000LL };
    char *xml = ccnc_virxml_lease_xml(&l);
    struct ccnc_lease *back = ccnc_virxml_lease_parse(xml, strlen(xml));
    static const char dom[] =
        "<domain type='kvm' id='3'><name>vm1</name><memory unit='KiB'>8192</memory>"
        "<metadata><ccnc:lease xmlns:ccnc='" CCNC_LEASE_NS "' run='/r/x.jsonl' by='me@ws' "
        "since_ms='10' expires_ms='20'/><other:x xmlns:other='urn:y'/></metadata>"
        "<devices/></domain>";
    struct ccnc_virxml x;

    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->run, l.run);
    ck_assert_str_eq(back->by, l.by);
    ck_assert_int_eq(back->since_ms, l.since_ms);
    ck_assert_int_eq(back->expires_ms, l.expires_ms);
    ck_assert_ptr_null(strstr(xml, "a&b<"));     /* escaped on the way */
    ck_assert_ptr_null(ccnc_virxml_lease_parse("<other/>", 8));
    ck_assert_ptr_null(ccnc_virxml_lease_parse("not xml", 7));
    ck_assert_int_eq(ccnc_virxml_parse("dom", dom, strlen(dom), &x, NULL), 0);
    ck_assert_ptr_nonnull(x.vm.lease);
    ck_assert_str_eq(x.vm.lease->by, "me@ws");
    ck_assert_int_eq(x.vm.lease->expires_ms, 20);
    ccnc_virxml_clear(&x);
    ccnc_lease_free(back);
    free(xml);
}
END_TEST

Suite *
ccnc_virxml_suite(void)
{
    Suite *s = suite_create("virxml");
    TCase *tc = tcase_create("libvirt-xml");

    tcase_add_test(tc, test_domain_teaming);
    tcase_add_test(tc, test_domain_teaming_plain_hostdev);
    tcase_add_loop_test(tc, test_domain_teaming_live, 0, (int)CCNC_ARRAY_SIZE(live_team));
    tcase_add_test(tc, test_domain_live_sriov_with_roles);
    tcase_add_test(tc, test_domain_plain_hostdev);
    tcase_add_loop_test(tc, test_nodedev_pci, 0, (int)CCNC_ARRAY_SIZE(nodedevs));
    tcase_add_test(tc, test_nodedev_net);
    tcase_add_test(tc, test_json_golden);
    tcase_add_loop_test(tc, test_bad_xml, 0, (int)CCNC_ARRAY_SIZE(bad_xml));
    tcase_add_test(tc, test_nic_xml);
    tcase_add_test(tc, test_disk_files);
    tcase_add_test(tc, test_domain_target);
    tcase_add_test(tc, test_lease);
    tcase_add_test(tc, test_doctype_refused);
    suite_add_tcase(s, tc);
    return s;
}
