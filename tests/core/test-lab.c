/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab config parser: good files load with every value, and every kind
 * of bad input is refused with file:line and a message that says what to
 * write instead. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccnc/lab.h>

#include "check-ccnc.h"

#define GOOD_HEAD                                                              \
    "[host sys1]\naddress = 10.0.0.1\nuser = root\nrole = hypervisor\n"

static const struct bad_case {
    const char *name;
    const char *text;
    int line;              /* expected line of the first error (0: none) */
    const char *expect;    /* substring of the first message */
} bad_cases[] = {
    { "empty", "", 0, "the file is empty" },
    { "blank", "\n  \n\t\n", 0, "the file is empty" },
    { "nul-byte", GOOD_HEAD "name\0x = 1\n", 5, "not a text file" },
    { "bad-utf8", GOOD_HEAD "label = \xff\xfe\n", 5, "not a text file" },
    { "control-char", "[lab]\nname = a\x01\n", 2, "not a text file" },
    { "unknown-section", GOOD_HEAD "[frobnicate]\nx = 1\n", 5, "unknown section [frobnicate]" },
    { "unknown-key", GOOD_HEAD "colour = blue\n", 5, "unknown key 'colour' in [host sys1]" },
    { "missing-address", "[host a]\nrole = storage\n", 1,
      "lacks the required key 'address'" },
    { "missing-role-empty-section", GOOD_HEAD "[host b]\n", 5,
      "section [host b] lacks the required key 'address'" },
    { "duplicate-host", GOOD_HEAD "[host sys1]\naddress = h\nuser = u\nrole = storage\n", 5,
      "duplicate host 'sys1' (first defined at line 1)" },
    { "duplicate-key", GOOD_HEAD "user = admin\n", 5, "'user' is given twice (first at line 3)" },
    { "vm-host-undefined", GOOD_HEAD "[vm v]\nhost = sys9\n", 5,
      "runs on host 'sys9', which is not defined" },
    { "vm-on-storage", "[host s]\naddress = h\nuser = u\nrole = storage\n[vm v]\nhost = s\n", 5,
      "which is not a hypervisor" },
    { "vm-without-libvirt", "[host s]\naddress = h\nuser = u\nrole = hypervisor\n"
      "libvirt_uri = none\n[vm v]\nhost = s\n", 6, "libvirt_uri = none" },
    { "bad-ipv4", "[host a]\naddress = 10.77.0.300\nuser = u\nrole = storage\n", 2,
      "'address' must be a host name, an IPv4 address or an IPv6 address" },
    { "bad-hostname", "[host a]\naddress = my host\nuser = u\nrole = storage\n", 2,
      "'address' must be" },
    { "bad-probe-target", GOOD_HEAD "[vm v]\nhost = sys1\nprobe_target = -x-\n", 7,
      "'probe_target' must be" },
    { "bad-pci", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough = pci:0000:03:00\n", 7,
      "pci:DDDD:BB:DD.F, pool:NAME, model:NAME or none" },
    { "bad-pci-function", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough = 0000:03:00.9\n", 7,
      "pci:DDDD:BB:DD.F" },
    { "bad-pool-pf", GOOD_HEAD "[pool p]\nsys1 = 0000:zz:00.0/\n", 6,
      "physical port's PCI address" },
    { "pool-undefined-host", GOOD_HEAD "[pool p]\nsys7 = eth0\n", 5,
      "names host 'sys7', which is not defined" },
    { "pool-empty", GOOD_HEAD "[pool p]\nvlan = 3\n", 5, "names no physical port" },
    { "vm-pool-undefined", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough = pool:nope\n"
      "passthrough_mac = 52:54:00:00:00:01\nbackup = 52:54:00:00:00:02\n", 5,
      "pool 'nope', which is not defined" },
    { "bad-port", "[host a]\naddress = h\nport = 70000\nuser = u\nrole = storage\n", 3,
      "'port' must be a whole number from 1 to 65535, not '70000'" },
    { "sample-pages-low",
      "[host a]\naddress = h\nuser = u\nrole = storage\n[migration]\ndirty_sample_pages = 64\n", 6,
      "'dirty_sample_pages' must be 0 (QEMU's default) or a whole number from 128 to 16384, "
      "not '64'" },
    { "sample-pages-high",
      "[host a]\naddress = h\nuser = u\nrole = storage\n[migration]\ndirty_sample_pages = 20000\n",
      6, "not '20000'" },
    { "bad-port-text", "[host a]\naddress = h\nport = ssh\nuser = u\nrole = storage\n", 3,
      "not 'ssh'" },
    { "bad-role", "[host a]\naddress = h\nuser = u\nrole = router\n", 4,
      "'hypervisor' or 'storage'" },
    { "bad-mac", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough_mac = 52:54:00:00:00\n", 7,
      "MAC address like" },
    { "bad-backup", GOOD_HEAD "[vm v]\nhost = sys1\nbackup = eth1\n", 7, "or alias:NAME" },
    { "bad-bond-name", GOOD_HEAD "[vm v]\nhost = sys1\nbond = bond/0\n", 7,
      "network interface name" },
    { "no-backup", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough = pci:0000:03:00.0\n", 5,
      "no backup NIC" },
    { "model-no-bridge", GOOD_HEAD "[vm v]\nhost = sys1\npassthrough = model:e1000e\n"
      "passthrough_mac = 52:54:00:00:00:01\nbackup = 52:54:00:00:00:02\n", 5,
      "needs passthrough_bridge" },
    { "key-before-section", "address = 1.2.3.4\n" GOOD_HEAD, 1, "comes before any section" },
    { "host-without-name", "[host]\naddress = h\n", 1, "needs exactly one name" },
    { "lab-with-name", "[lab main]\nname = x\n" GOOD_HEAD, 1, "takes no name" },
    { "bad-section-name", "[host sys/1]\n", 1, "not a usable name" },
    { "no-host", "[lab]\nname = x\n", 0, "has no [host NAME] section" },
    { "syntax", GOOD_HEAD "this line has no equals sign\n", 5, "cannot read this line" },
    { "parallel-zero", GOOD_HEAD "[migration]\nparallel = 0\n", 6, "from 1 to 64" },
    { "verify-zero", GOOD_HEAD "[migration]\nverify_backup_s = 0\n", 6, "from 1 to 600" },
    { "bad-bool", GOOD_HEAD "[migration]\nauto_converge = maybe\n", 6, "yes or no" },
    { "bad-policy", GOOD_HEAD "[migration]\npolicy = fastest\n", 6, "'minimal-downtime'" },
    { "uri-on-storage", "[host a]\naddress = h\nuser = u\nrole = storage\n"
      "libvirt_uri = qemu+ssh://u@h/system\n", 1, "role is not hypervisor" },
    { "bad-uri", GOOD_HEAD "libvirt_uri = localhost\n", 5, "libvirt URI" },
};

START_TEST(test_bad_config)
{
    const struct bad_case *c = &bad_cases[_i];
    struct ccnc_error errs[8] = { 0 };
    size_t n = 0;
    size_t len = strlen(c->text);
    struct ccnc_lab *lab;

    /* the NUL-byte case: count the bytes after the embedded NUL too */
    if (strcmp(c->name, "nul-byte") == 0)
        len += strlen(c->text + len + 1) + 1;
    lab = ccnc_lab_load_text("t.conf", c->text, len, errs, 8, &n);
    ck_assert_msg(lab == NULL, "case %s: loaded", c->name);
    ck_assert_msg(n >= 1, "case %s: no error", c->name);
    ck_assert_int_eq(errs[0].code, CCNC_ERR_CONFIG);
    ck_assert_str_eq(errs[0].file, "t.conf");
    ck_assert_msg(errs[0].line == c->line, "case %s: line %d, expected %d (%s)", c->name,
                  errs[0].line, c->line, errs[0].message);
    ck_assert_msg(strstr(errs[0].message, c->expect), "case %s: message '%s' lacks '%s'",
                  c->name, errs[0].message, c->expect);
    for (size_t i = 0; i < n && i < 8; i++)
        ccnc_error_clear(&errs[i]);
}
END_TEST

START_TEST(test_all_errors_reported)
{
    static const char text[] =
        "[host a]\naddress = 300.1.1.1\nuser = u\nrole = storage\nport = 0\n"
        "[bogus]\n[vm v]\nhost = a\ncolour = red\n";
    struct ccnc_error errs[8] = { 0 };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("m.conf", text, strlen(text), errs, 8, &n);

    ck_assert_ptr_null(lab);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(errs[0].line, 2);
    ck_assert_int_eq(errs[1].line, 5);
    ck_assert_int_eq(errs[2].line, 6);
    ck_assert_int_eq(errs[3].line, 9);
    for (size_t i = 0; i < n; i++)
        ccnc_error_clear(&errs[i]);
}
END_TEST

START_TEST(test_error_cap)
{
    char text[4096] = GOOD_HEAD;
    struct ccnc_error errs[3] = { 0 };
    size_t n = 0;

    for (int i = 0; i < 10; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "k%d = v\n", i);
    ck_assert_ptr_null(ccnc_lab_load_text("c.conf", text, strlen(text), errs, 3, &n));
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < 3; i++)
        ccnc_error_clear(&errs[i]);
}
END_TEST

START_TEST(test_long_line)
{
    char text[1024];
    struct ccnc_error err = { 0 };
    size_t n = 0;

    snprintf(text, sizeof(text), GOOD_HEAD "label = %0300d\n", 7);
    ck_assert_ptr_null(ccnc_lab_load_text("l.conf", text, strlen(text), &err, 1, &n));
    ck_assert_int_eq(err.line, 5);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than"));
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_missing_file)
{
    struct ccnc_error err = { 0 };
    size_t n = 0;

    ck_assert_ptr_null(ccnc_lab_load("/nonexistent/ccnc/lab.conf", &err, 1, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(err.code, CCNC_ERR_IO);
    ck_assert_str_eq(err.file, "/nonexistent/ccnc/lab.conf");
    ck_assert_ptr_nonnull(strstr(err.message, "no such file"));
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_unreadable_file)
{
    /* A directory cannot be read as a file, even by root. */
    struct ccnc_error err = { 0 };
    size_t n = 0;

    ck_assert_ptr_null(ccnc_lab_load("/", &err, 1, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot read"));
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_unreadable_by_mode)
{
    char path[] = "/tmp/ccnc-test-XXXXXX";
    int fd = mkstemp(path);
    struct ccnc_error err = { 0 };
    size_t n = 0;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, GOOD_HEAD, strlen(GOOD_HEAD)), (ssize_t)strlen(GOOD_HEAD));
    close(fd);
    chmod(path, 0);
    if (access(path, R_OK) == 0) {
        unlink(path);
        return; /* root reads any mode; the directory case covers it */
    }
    ck_assert_ptr_null(ccnc_lab_load(path, &err, 1, &n));
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
    ccnc_error_clear(&err);
    unlink(path);
}
END_TEST

START_TEST(test_example_loads)
{
    const char *top = getenv("abs_top_srcdir");
    char *path = ccnc_xasprintf("%s/docs/examples/lab.conf", top ? top : ".");
    struct ccnc_error errs[4] = { 0 };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load(path, errs, 4, &n);
    const struct ccnc_lab_vm *vm;
    const struct ccnc_lab_pool *pool;

    ck_assert_msg(lab != NULL, "%s:%d: %s", path, errs[0].line,
                  errs[0].message ? errs[0].message : "");
    ck_assert_str_eq(lab->name, "Thesis lab: two Xen hosts and an NFS server");
    ck_assert_uint_eq(lab->n_hosts, 3);
    ck_assert_str_eq(lab->hosts[0].label, "System1");
    ck_assert_int_eq(lab->hosts[0].port, 0);   /* none given: ~/.ssh/config's or 22 */
    ck_assert_int_eq(lab->hosts[2].role, CCNC_HOST_ROLE_STORAGE);
    ck_assert_int_eq(lab->hosts[1].port, 2222);
    vm = ccnc_lab_find_vm(lab, "video1");
    ck_assert_ptr_nonnull(vm);
    ck_assert_int_eq(vm->passthrough_kind, CCNC_PASSTHROUGH_PCI);
    ck_assert_str_eq(vm->passthrough, "0000:03:00.0");
    ck_assert_str_eq(vm->bond, "bond0");
    vm = ccnc_lab_find_vm(lab, "video2");
    ck_assert_ptr_nonnull(vm);
    ck_assert_int_eq(vm->passthrough_kind, CCNC_PASSTHROUGH_POOL);
    pool = ccnc_lab_find_pool(lab, vm->passthrough);
    ck_assert_ptr_nonnull(pool);
    ck_assert_uint_eq(pool->n_ports, 2);
    ck_assert_int_eq(pool->max_tx_rate_mbps, 1000);
    ck_assert_str_eq(pool->ports[1].pf, "0000:05:00.0");
    ck_assert_int_eq(lab->migration.parallel, 2);
    ck_assert_int_eq(lab->migration.verify_backup_s, 5);
    ck_assert_int_eq(lab->migration.max_downtime_ms, 300);
    ck_assert(lab->migration.auto_converge);
    ck_assert_int_eq(lab->migration.policy, CCNC_POLICY_LOWEST);
    ccnc_lab_unref(lab);
    free(path);
}
END_TEST

START_TEST(test_builtin_loads)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    const struct ccnc_lab_vm *vm;
    char *uri;

    ck_assert_ptr_nonnull(lab);
    ck_assert_str_eq(lab->path, "<built-in>");
    ck_assert_uint_eq(lab->n_hosts, 3);
    vm = ccnc_lab_find_vm(lab, "vm1");
    ck_assert_ptr_nonnull(vm);
    ck_assert_int_eq(vm->passthrough_kind, CCNC_PASSTHROUGH_MODEL);
    ck_assert_str_eq(vm->passthrough, "e1000e");
    /* ccnc's own connection: built from the host (its wrapper is added by
     * the engine); the hosts' libvirtd reach each other as the lab says */
    uri = ccnc_lab_host_libvirt_uri(ccnc_lab_find_host(lab, "sys2"));
    ck_assert_str_eq(uri, "qemu+ssh://root@10.77.0.12:22/system?no_tty=1"
                          "&keyfile=/var/tmp/ccnc-lab/ssh/id_ed25519");
    free(uri);
    uri = ccnc_lab_host_migration_uri(ccnc_lab_find_host(lab, "sys2"));
    ck_assert_str_eq(uri, "qemu+ssh://root@10.77.0.12/system?command=/var/tmp/ccnc-lab/ssh/ssh"
                          "&keyfile=/var/tmp/ccnc-lab/ssh/id_ed25519&no_tty=1");
    free(uri);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_defaults_and_forms)
{
    static const char text[] =
        "; comment\n# comment\n[host h1]\naddress = fe80::1\nuser = u\nrole = hypervisor\n"
        "identity = ~/.ssh/id_lab\n"
        "[vm v]\nhost = h1\npassthrough = 0000:0a:1f.7\nbackup = alias:net1\n";
    struct ccnc_lab *lab;
    char *uri;

    setenv("HOME", "/home/op", 1);
    lab = ccnc_lab_load_text("d.conf", text, strlen(text), NULL, 0, NULL);
    ck_assert_ptr_nonnull(lab);
    ck_assert_str_eq(lab->name, "lab");
    ck_assert_uint_eq(lab->n_hosts, 1);
    ck_assert_uint_eq(lab->n_vms, 1);
    ck_assert_str_eq(lab->hosts[0].label, "h1");
    ck_assert_str_eq(lab->hosts[0].identity, "/home/op/.ssh/id_lab");
    ck_assert_int_eq(lab->vms[0].passthrough_kind, CCNC_PASSTHROUGH_PCI);
    ck_assert_str_eq(lab->vms[0].passthrough, "0000:0a:1f.7");
    ck_assert_str_eq(lab->vms[0].backup, "alias:net1");
    ck_assert_int_eq(lab->migration.max_downtime_ms, 300);
    ck_assert_int_eq(lab->migration.keepalive_s, 10);
    ck_assert_int_eq(lab->migration.verify_backup_s, 2);
    ck_assert(lab->migration.give_up);
    ck_assert_int_eq(lab->migration.dirty_sample_pages, 16384);
    uri = ccnc_lab_host_libvirt_uri(&lab->hosts[0]);
    ck_assert_int_eq(lab->hosts[0].port, 0);
    ck_assert_str_eq(uri, "qemu+ssh://u@[fe80::1]/system?no_tty=1&keyfile=/home/op/.ssh/id_lab");
    free(uri);
    ck_assert(ccnc_lab_host_runs_libvirt(&lab->hosts[0]));
    ck_assert_ptr_eq(ccnc_lab_ref(lab), lab);
    ccnc_lab_unref(lab);
    ccnc_lab_unref(lab);
}
END_TEST

/* Neither user nor port in the lab config: both unset, and the default
 * libvirt URI leaves them out so that ssh applies ~/.ssh/config's User and
 * Port (else the login name and 22); each given alone is kept. */
START_TEST(test_user_port_optional)
{
    static const char text[] =
        "[host a]\naddress = 10.0.0.1\nrole = hypervisor\n"
        "[host b]\naddress = fe80::2\nrole = hypervisor\n"
        "[host c]\naddress = c.example\nuser = op\nrole = hypervisor\n"
        "[host d]\naddress = d.example\nport = 2222\nrole = hypervisor\n"
        "[host e]\naddress = fe80::5\nport = 22\nuser = root\nrole = storage\n";
    struct ccnc_error errs[4] = { 0 };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("o.conf", text, strlen(text), errs, 4, &n);
    char *uri;

    ck_assert_msg(lab != NULL, "line %d: %s", errs[0].line, errs[0].message ? errs[0].message : "");
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(lab->n_hosts, 5);
    ck_assert_ptr_null(lab->hosts[0].user);
    ck_assert_int_eq(lab->hosts[0].port, 0);
    uri = ccnc_lab_host_libvirt_uri(&lab->hosts[0]);
    ck_assert_str_eq(uri, "qemu+ssh://10.0.0.1/system?no_tty=1");
    free(uri);
    uri = ccnc_lab_host_migration_uri(&lab->hosts[0]);
    ck_assert_str_eq(uri, "qemu+ssh://10.0.0.1/system?no_tty=1");
    free(uri);
    uri = ccnc_lab_host_libvirt_uri(&lab->hosts[1]);
    ck_assert_str_eq(uri, "qemu+ssh://[fe80::2]/system?no_tty=1");
    free(uri);
    ck_assert_str_eq(lab->hosts[2].user, "op");
    ck_assert_int_eq(lab->hosts[2].port, 0);
    uri = ccnc_lab_host_libvirt_uri(&lab->hosts[2]);
    ck_assert_str_eq(uri, "qemu+ssh://op@c.example/system?no_tty=1");
    free(uri);
    ck_assert_ptr_null(lab->hosts[3].user);
    ck_assert_int_eq(lab->hosts[3].port, 2222);
    uri = ccnc_lab_host_migration_uri(&lab->hosts[3]);
    ck_assert_str_eq(uri, "qemu+ssh://d.example:2222/system?no_tty=1");
    free(uri);
    /* an explicit port 22 is kept, as before */
    uri = ccnc_lab_host_libvirt_uri(&lab->hosts[4]);
    ck_assert_str_eq(uri, "qemu+ssh://root@[fe80::5]:22/system?no_tty=1");
    free(uri);
    ccnc_lab_unref(lab);
}
END_TEST

/* libvirt_uri = none: a hypervisor whose NICs ccnc manages, without VMs */
START_TEST(test_no_libvirt)
{
    static const char text[] = "[host s]\naddress = 10.77.0.40\nuser = root\nrole = hypervisor\n"
                               "libvirt_uri = none\n[host n]\naddress = 10.77.0.30\nuser = root\n"
                               "role = storage\n";
    struct ccnc_lab *lab = ccnc_lab_load_text("n.conf", text, strlen(text), NULL, 0, NULL);

    ck_assert_ptr_nonnull(lab);
    ck_assert(!ccnc_lab_host_runs_libvirt(&lab->hosts[0]));
    ck_assert(!ccnc_lab_host_runs_libvirt(&lab->hosts[1]));
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_validators)
{
    ck_assert(ccnc_pci_address_valid("0000:03:00.0"));
    ck_assert(ccnc_pci_address_valid("0002:01:1f.7"));
    ck_assert(!ccnc_pci_address_valid("0000:03:20.0"));
    ck_assert(!ccnc_pci_address_valid("03:00.0"));
    ck_assert(!ccnc_pci_address_valid("0000:03:00.8"));
    ck_assert(!ccnc_pci_address_valid("0000-03:00.0"));
    ck_assert(!ccnc_pci_address_valid(NULL));
    ck_assert(ccnc_mac_valid("52:54:00:Ab:cd:EF"));
    ck_assert(!ccnc_mac_valid("52-54-00-ab-cd-ef"));
    ck_assert(!ccnc_mac_valid("52:54:00:ab:cd"));
}
END_TEST

START_TEST(test_default_path)
{
    char *p;

    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    p = ccnc_lab_default_path();
    ck_assert_str_eq(p, "/x/cfg/ccnc/lab.conf");
    free(p);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/op", 1);
    p = ccnc_lab_default_path();
    ck_assert_str_eq(p, "/home/op/.config/ccnc/lab.conf");
    free(p);
}
END_TEST

Suite *
ccnc_lab_suite(void)
{
    Suite *s = suite_create("lab");
    TCase *tc = tcase_create("config");

    tcase_add_loop_test(tc, test_bad_config, 0, (int)CCNC_ARRAY_SIZE(bad_cases));
    tcase_add_test(tc, test_all_errors_reported);
    tcase_add_test(tc, test_error_cap);
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_unreadable_by_mode);
    tcase_add_test(tc, test_example_loads);
    tcase_add_test(tc, test_builtin_loads);
    tcase_add_test(tc, test_defaults_and_forms);
    tcase_add_test(tc, test_user_port_optional);
    tcase_add_test(tc, test_no_libvirt);
    tcase_add_test(tc, test_validators);
    tcase_add_test(tc, test_default_path);
    suite_add_tcase(s, tc);
    return s;
}
