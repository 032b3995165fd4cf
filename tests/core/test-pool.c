/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VF pools: who holds which VF, which VF a VM gets, what reserving it sets,
 * and the XML that attaches it.  The port is a real 82576's (libvirt's
 * node-device XML of 0000:05:00.1 with its seven VFs, from a vdsm host). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/pool.h>
#include <ccnc/util.h>

#include "check-ccnc.h"
#include "core/virxml.h"

static const char lab_text[] =
    "[lab]\nname = pools\n"
    "[host sys1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"
    "[host sys2]\naddress = 10.0.0.2\nuser = root\nrole = hypervisor\n"
    "[host sys3]\naddress = 10.0.0.3\nuser = root\nrole = hypervisor\n"
    "[pool tengig]\nsys1 = enp5s0f1\nsys2 = 0000:05:00.1\nmax_tx_rate_mbps = 1000\nvlan = 42\n"
    "[pool viaNet]\nsys1 = enp5s0f1\nnetwork = vf-pool\n"
    "[vm SRiovVm]\nhost = sys1\npassthrough = pool:tengig\npassthrough_mac = 00:00:00:00:00:43\n"
    "backup = alias:net0\n"
    "[vm vm2]\nhost = sys1\npassthrough = pool:tengig\npassthrough_mac = 52:54:00:a0:02:01\n"
    "backup = alias:net0\n"
    "[vm vm3]\nhost = sys1\npassthrough = pool:tengig\npassthrough_mac = 52:54:00:a0:03:01\n"
    "backup = alias:net0\n"
    "[vm vm4]\nhost = sys1\npassthrough = model:e1000e\npassthrough_mac = 52:54:00:a0:04:01\n"
    "passthrough_bridge = br0\nbackup = alias:net0\n";

/* the VFs as the node device lists them */
static const char *const fixture_vfs[] = {
    "0000:05:10.1", "0000:05:10.3", "0000:05:10.5", "0000:05:10.7",
    "0000:05:11.1", "0000:05:11.3", "0000:05:11.5",
};

static struct ccnc_lab *
load_lab(void)
{
    struct ccnc_error errs[4] = { { 0 } };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("pools.conf", lab_text, strlen(lab_text), errs, 4,
                                              &n);

    ck_assert_msg(lab, "lab: %s", n ? errs[0].message : "?");
    return lab;
}

/* Host name with the fixture's port as enp5s0f1 and n_vfs VFs (MACs
 * zero), the VM SRiovVm holding VF 1 (its NIC at 0000:05:10.3), and VF 2
 * carrying vm2's MAC.  Netlink gives no VF addresses for odd indexes:
 * those come from the PF's offset and stride. */
static struct ccnc_host *
make_host(const char *name, int n_vfs)
{
    char *path = ccnc_test_data("libvirt/nodedev_vdsm_pci_0000_05_00_1_82576_pf.xml");
    size_t len;
    char *xml = ccnc_test_read(path, &len);
    struct ccnc_virxml x;
    struct ccnc_error err = { 0 };
    struct ccnc_host *h = ccnc_host_new(name, name, "10.0.0.1", CCNC_HOST_ROLE_HYPERVISOR);
    struct ccnc_nic *pf;
    struct ccnc_link *l;
    struct ccnc_vm *vm;
    struct ccnc_vm_nic *nic;

    ck_assert_msg(ccnc_virxml_parse(path, xml, len, &x, &err) == 0, "%s", err.message);
    ck_assert_int_eq(x.kind, CCNC_VIRXML_NODEDEV_PCI);
    ck_assert(x.nic.has_sriov);
    ck_assert_int_eq(x.nic.sriov.num_vfs, 7);
    pf = ccnc_host_add_nic(h);
    *pf = x.nic;
    memset(&x.nic, 0, sizeof(x.nic));
    ccnc_virxml_clear(&x);
    ccnc_str_set(&pf->netdev, "enp5s0f1");
    /* the 82576's SR-IOV capability (lspci: First VF Offset 128, Stride 2) */
    pf->sriov.vf_offset = 128;
    pf->sriov.vf_stride = 2;

    l = ccnc_host_add_link(h);
    l->name = ccnc_xstrdup("enp5s0f1");
    for (int i = 0; i < n_vfs; i++) {
        struct ccnc_vf *vf = ccnc_link_add_vf(l);
        vf->index = i;
        vf->pci = i % 2 == 0 ? ccnc_xstrdup(fixture_vfs[i]) : NULL;
        vf->mac = ccnc_xstrdup(i == 2 ? "52:54:00:A0:02:01" : "00:00:00:00:00:00");
    }
    vm = ccnc_host_add_vm(h);
    vm->name = ccnc_xstrdup("SRiovVm");
    nic = ccnc_vm_add_nic(vm);
    nic->type = ccnc_xstrdup("hostdev");
    nic->mac = ccnc_xstrdup("00:00:00:00:00:43");
    nic->pci = ccnc_xstrdup("0000:05:10.3");
    free(xml);
    free(path);
    return h;
}

START_TEST(test_vf_addresses)
{
    struct ccnc_host *h = make_host("sys1", 7);
    const struct ccnc_nic *pf;
    const struct ccnc_link *l;
    char buf[32];

    /* the offset and stride give the addresses libvirt lists */
    l = ccnc_host_find_link(h, "enp5s0f1");
    pf = ccnc_host_find_port(h, "enp5s0f1");
    ck_assert_ptr_nonnull(pf);
    for (size_t i = 0; i < l->n_vfs; i++) {
        struct ccnc_vf bare = l->vfs[i];
        bare.pci = NULL;
        ck_assert(ccnc_vf_pci_address(pf, &bare, buf, sizeof(buf)));
        ck_assert_str_eq(buf, fixture_vfs[i]);
    }
    /* without the capability's numbers, only what netlink said */
    {
        struct ccnc_nic nocap = *pf;
        struct ccnc_vf bare = l->vfs[1];
        nocap.sriov.vf_offset = 0;
        ck_assert(!ccnc_vf_pci_address(&nocap, &bare, buf, sizeof(buf)));
        ck_assert(ccnc_vf_pci_address(&nocap, &l->vfs[0], buf, sizeof(buf)));
        ck_assert_str_eq(buf, "0000:05:10.1");
    }
    ccnc_host_unref(h);
}
END_TEST

START_TEST(test_holders)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_host *h = make_host("sys1", 7);
    const struct ccnc_link *l = ccnc_host_find_link(h, "enp5s0f1");
    struct ccnc_pool_count count;

    ccnc_host_mark_vf_holders(h, lab);
    ck_assert_ptr_null(l->vfs[0].vm);
    ck_assert_str_eq(l->vfs[1].vm, "SRiovVm");     /* attached: its NIC's address */
    ck_assert(!l->vfs[1].reserved);
    ck_assert_str_eq(l->vfs[2].vm, "vm2");         /* reserved: vm2's MAC, any case */
    ck_assert(l->vfs[2].reserved);
    for (int i = 3; i < 7; i++)
        ck_assert_ptr_null(l->vfs[i].vm);
    ccnc_pool_count(h, ccnc_lab_find_pool(lab, "tengig"), &count);
    ck_assert_int_eq(count.vfs, 7);
    ck_assert_int_eq(count.attached, 1);
    ck_assert_int_eq(count.reserved, 1);
    ck_assert_int_eq(count.free, 5);

    /* the VM went away: its VF is free again */
    ccnc_vm_clear(&h->vms[0]);
    h->n_vms = 0;
    ccnc_host_mark_vf_holders(h, lab);
    ck_assert_ptr_null(l->vfs[1].vm);
    ck_assert_str_eq(l->vfs[2].vm, "vm2");
    ccnc_host_unref(h);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_choose)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_host *h = make_host("sys1", 7);
    struct ccnc_pool_vf v, taken[2] = { { 0 } };
    struct ccnc_error err = { 0 };

    /* the lowest free VF */
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), NULL, 0, &v, &err),
                     0);
    ck_assert_str_eq(v.host, "sys1");
    ck_assert_str_eq(v.pf, "enp5s0f1");
    ck_assert_int_eq(v.index, 0);
    ck_assert_str_eq(v.pci, "0000:05:10.1");
    /* that one taken by a running action: the next free one, by address
     * from the capability */
    ccnc_pool_vf_copy(&taken[0], &v);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), taken, 1, &taken[1],
                                      &err), 0);
    ck_assert_int_eq(taken[1].index, 3);
    ck_assert_str_eq(taken[1].pci, "0000:05:10.7");
    ccnc_pool_vf_clear(&taken[1]);
    /* a VM gets the VF reserved for it, not the lowest free one */
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm2"), NULL, 0, &taken[1],
                                      &err), 0);
    ck_assert_int_eq(taken[1].index, 2);
    ccnc_pool_vf_clear(&taken[1]);
    ccnc_pool_vf_clear(&v);
    ccnc_host_unref(h);

    /* three VFs: 0 taken, 1 attached, 2 reserved for vm2: none for vm3,
     * and the message says who holds them */
    h = make_host("sys1", 3);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), taken, 1, &v, &err),
                     -1);
    ck_assert_int_eq(err.code, CCNC_ERR_UNAVAILABLE);
    ck_assert_msg(strstr(err.message, "every VF of port enp5s0f1 (pool tengig) on sys1") &&
                      strstr(err.message, "another action (VF 0)") &&
                      strstr(err.message, "SRiovVm (VF 1)") &&
                      strstr(err.message, "vm2 (VF 2, reserved)"),
                  "%s", err.message);
    ck_assert_ptr_null(v.host);
    ccnc_error_clear(&err);
    ccnc_pool_vf_clear(&taken[0]);
    ccnc_host_unref(h);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_choose_refusals)
{
    struct ccnc_lab *lab = load_lab();
    struct ccnc_host *h;
    struct ccnc_pool_vf v;
    struct ccnc_error err = { 0 };

    /* sys2 names its port by PCI address */
    h = make_host("sys2", 7);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), NULL, 0, &v, &err),
                     0);
    ck_assert_str_eq(v.pf, "enp5s0f1");
    ccnc_pool_vf_clear(&v);
    ccnc_host_unref(h);

    /* the pool has no port on sys3 */
    h = make_host("sys3", 7);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), NULL, 0, &v, &err),
                     -1);
    ck_assert_msg(strstr(err.message, "pool tengig has no port on sys3"), "%s", err.message);
    ccnc_host_unref(h);

    /* the port has no VFs: say how to make some */
    h = make_host("sys1", 0);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), NULL, 0, &v, &err),
                     -1);
    ck_assert_msg(strstr(err.message, "ccnc vf sys1 enp5s0f1 --numvfs N"), "%s", err.message);
    ccnc_host_unref(h);

    /* a host that does not show the port (yet) */
    h = ccnc_host_new("sys1", "sys1", "10.0.0.1", CCNC_HOST_ROLE_HYPERVISOR);
    h->stale = true;
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm3"), NULL, 0, &v, &err),
                     -1);
    ck_assert_msg(strstr(err.message, "sys1 shows no port enp5s0f1 (pool tengig): it is not "
                                      "connected"), "%s", err.message);
    ccnc_host_unref(h);

    /* a VM whose passthrough NIC is no pool's */
    h = make_host("sys1", 7);
    ck_assert_int_eq(ccnc_pool_choose(h, lab, ccnc_lab_find_vm(lab, "vm4"), NULL, 0, &v, &err),
                     -1);
    ck_assert_int_eq(err.code, CCNC_ERR_CONFIG);
    ccnc_host_unref(h);
    ccnc_error_clear(&err);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_changes)
{
    struct ccnc_lab *lab = load_lab();
    char host[] = "sys1", pf[] = "enp5s0f1", pci[] = "0000:05:10.7";
    struct ccnc_pool_vf v = { .host = host, .pf = pf, .index = 3, .pci = pci };
    struct ccnc_vf_change c;
    char *req;

    ccnc_pool_reserve_change(ccnc_lab_find_pool(lab, "tengig"), ccnc_lab_find_vm(lab, "vm3"), &v,
                             &c);
    ck_assert_str_eq(c.pf, "enp5s0f1");
    ck_assert_int_eq(c.vf, 3);
    ck_assert_str_eq(c.mac, "52:54:00:a0:03:01");
    ck_assert_int_eq(c.vlan, 42);
    ck_assert_int_eq(c.max_tx_rate, 1000);
    /* no minimum asked for: none sent (igb refuses one) */
    ck_assert_int_eq(c.min_tx_rate, CCNC_VF_KEEP);
    ck_assert_int_eq(c.trust, CCNC_VF_KEEP);
    req = ccnc_vf_change_request(&c, 7);
    ck_assert_msg(strstr(req, "\"mac\":\"52:54:00:a0:03:01\"") && !strstr(req, "min_tx_rate"),
                  "%s", req);
    free(req);
    ccnc_vf_change_clear(&c);

    ccnc_pool_release_change(&v, &c);
    ck_assert_str_eq(c.mac, "00:00:00:00:00:00");
    ck_assert_int_eq(c.vlan, 0);
    ck_assert_int_eq(c.max_tx_rate, 0);
    ccnc_vf_change_clear(&c);
    ccnc_lab_unref(lab);
}
END_TEST

/* The attach XML for a reserved VF reads back, as libvirt's own domain
 * XML would, as an interface hostdev NIC at the VF with the MAC pinned. */
START_TEST(test_attach_xml)
{
    struct ccnc_virxml_nic nic = { .pci = "0000:05:10.7", .mac = "52:54:00:a0:03:01",
                                   .vlan = 42 };
    struct ccnc_error err = { 0 };
    char *dev = ccnc_virxml_nic_xml(&nic, &err), *dom;
    struct ccnc_virxml x;

    ck_assert_msg(dev, "%s", err.message);
    ck_assert_msg(strstr(dev, "<interface type=\"hostdev\" managed=\"yes\">") &&
                      strstr(dev, "<vlan><tag id=\"42\"/></vlan>"), "%s", dev);
    dom = ccnc_xasprintf("<domain type='kvm'><name>vm3</name><devices>%s</devices></domain>",
                         dev);
    ck_assert_msg(ccnc_virxml_parse("dom", dom, strlen(dom), &x, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(x.vm.n_nics, 1);
    ck_assert_str_eq(x.vm.nics[0].type, "interface-hostdev");
    ck_assert_str_eq(x.vm.nics[0].pci, "0000:05:10.7");
    ck_assert_str_eq(x.vm.nics[0].mac, "52:54:00:a0:03:01");
    ccnc_virxml_clear(&x);
    free(dom);
    free(dev);

    /* through a libvirt network of VFs: libvirt picks the VF */
    nic = (struct ccnc_virxml_nic){ .network = "vf-pool", .mac = "52:54:00:a0:03:01" };
    dev = ccnc_virxml_nic_xml(&nic, &err);
    ck_assert_msg(dev && strstr(dev, "<interface type=\"network\">") &&
                      strstr(dev, "<source network=\"vf-pool\"/>") &&
                      strstr(dev, "<mac address=\"52:54:00:a0:03:01\"/>"),
                  "%s", dev ? dev : err.message);
    free(dev);
}
END_TEST

/* The device XML that detach finds gives the VF's host address, which is
 * the VF given back once the VM left. */
START_TEST(test_detached_vf_address)
{
    char *path = ccnc_test_data("libvirt/domxml_libvirt_net-hostdev-vfio.xml");
    size_t len;
    char *xml = ccnc_test_read(path, &len), *pci = NULL;
    char *dev = ccnc_virxml_device_xml(xml, len, "00:11:22:33:44:55", NULL, &pci, NULL);

    ck_assert_ptr_nonnull(dev);
    ck_assert_str_eq(pci, "0000:06:12.1");
    ck_assert_msg(strstr(dev, "<tag id=\"42\"/>") || strstr(dev, "<tag id='42'/>"), "%s", dev);
    free(dev);
    free(pci);
    free(xml);
    free(path);
}
END_TEST

Suite *
ccnc_pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");

    tcase_add_test(tc, test_vf_addresses);
    tcase_add_test(tc, test_holders);
    tcase_add_test(tc, test_choose);
    tcase_add_test(tc, test_choose_refusals);
    tcase_add_test(tc, test_changes);
    tcase_add_test(tc, test_attach_xml);
    tcase_add_test(tc, test_detached_vf_address);
    suite_add_tcase(s, tc);
    return s;
}
