/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure parts of the guest collector: base64 both ways, and naming the
 * VM's NICs by the guest bond's permanent MAC addresses. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/bonding.h>

#include "check-ccnc.h"
#include "engine/collect-guest.h"

static const struct {
    const char *plain, *encoded;
} b64_cases[] = {
    { "", "" }, { "e", "ZQ==" }, { "et", "ZXQ=" }, { "eth", "ZXRo" }, { "eth1", "ZXRoMQ==" },
    { "Bonding Mode: fault-tolerance (active-backup)\n",
      "Qm9uZGluZyBNb2RlOiBmYXVsdC10b2xlcmFuY2UgKGFjdGl2ZS1iYWNrdXApCg==" },
};

START_TEST(test_base64)
{
    char *enc = ccnc_base64_encode(b64_cases[_i].plain, strlen(b64_cases[_i].plain));
    size_t len = 99;
    char *dec = ccnc_base64_decode(b64_cases[_i].encoded, &len);

    ck_assert_str_eq(enc, b64_cases[_i].encoded);
    ck_assert_ptr_nonnull(dec);
    ck_assert_uint_eq(len, strlen(b64_cases[_i].plain));
    ck_assert_str_eq(dec, b64_cases[_i].plain);
    free(enc);
    free(dec);
}
END_TEST

START_TEST(test_base64_bad)
{
    ck_assert_ptr_null(ccnc_base64_decode("ab*d", NULL));
    ck_assert_ptr_null(ccnc_base64_decode("ab cd", NULL));
}
END_TEST

/* The bond's text from the guest agent in chunks of 64 KiB, as
 * guest-file-read gives it: read to the end, or refused when too long. */
static char *
big_bond_text(int n, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);

    ck_assert_ptr_nonnull(f);
    fputs("Bonding Mode: fault-tolerance (active-backup)\n"
          "Currently Active Slave: eth0\nMII Status: up\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "\nSlave Interface: eth%d\nMII Status: up\nLink Failure Count: 0\n"
                   "Slave queue ID: 0\n", i);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static const struct {
    int slaves;     /* 1500: about 110 KiB, two chunks; 15000: above the bound */
    int rc;
} guest_files[] = {
    { 1, 0 },
    { 1500, 0 },
    { 15000, -1 },
};

START_TEST(test_file_chunks)
{
    size_t len, got = 0, off = 0, chunks = 0, want;
    char *text = big_bond_text(guest_files[_i].slaves, &len), *data = NULL;
    struct ccnc_bond b;
    struct ccnc_error err = { 0 };
    int more = 1, rc;

    while (more > 0) {
        size_t n = len - off < 65536 ? len - off : 65536;
        char *b64text = ccnc_base64_encode(text + off, n);
        off += n;
        /* the agent says eof only with a short read */
        more = ccnc_guest_file_append(&data, &got, b64text, n < 65536, &err);
        free(b64text);
        chunks++;
    }
    ck_assert_int_eq(more, 0);
    /* up to the short one, or one past the bound */
    want = len / 65536 + 1;
    if (want > CCNC_BONDING_MAX_TEXT / 65536 + 1)
        want = CCNC_BONDING_MAX_TEXT / 65536 + 1;
    ck_assert_uint_eq(chunks, want);
    ccnc_bond_init(&b);
    rc = ccnc_bonding_parse_proc("bond0", data, got, &b, &err);
    ck_assert_msg(rc == guest_files[_i].rc, "%d slaves: %s", guest_files[_i].slaves,
                  err.message);
    if (rc == 0) {
        ck_assert_uint_eq(got, len);
        ck_assert_uint_eq(b.n_slaves, (size_t)guest_files[_i].slaves);
    } else {
        ck_assert_msg(strstr(err.message, "bytes of bonding state"), "%s", err.message);
    }
    ccnc_bond_clear(&b);
    ccnc_error_clear(&err);
    free(data);
    free(text);
}
END_TEST

START_TEST(test_file_chunk_bad)
{
    char *data = NULL;
    size_t len = 0;
    struct ccnc_error err = { 0 };

    ck_assert_int_eq(ccnc_guest_file_append(&data, &len, "ZXRo", false, &err), 1);
    ck_assert_int_eq(ccnc_guest_file_append(&data, &len, "", false, &err), 0);   /* nothing more */
    ck_assert_str_eq(data, "eth");
    ck_assert_int_eq(ccnc_guest_file_append(&data, &len, "ab*d", false, &err), -1);
    ck_assert_ptr_nonnull(err.message);
    ck_assert_int_eq(ccnc_guest_file_append(&data, &len, NULL, true, &err), -1);
    ccnc_error_clear(&err);
    free(data);
}
END_TEST

START_TEST(test_name_nics)
{
    static const char proc[] =
        "Ethernet Channel Bonding Driver: v6.1.0\n\n"
        "Bonding Mode: fault-tolerance (active-backup)\n"
        "Primary Slave: eth1 (primary_reselect always)\n"
        "Currently Active Slave: eth0\n"
        "MII Status: up\nMII Polling Interval (ms): 100\nUp Delay (ms): 0\nDown Delay (ms): 0\n\n"
        "Slave Interface: eth0\nMII Status: up\nSpeed: Unknown\nDuplex: Unknown\n"
        "Link Failure Count: 0\nPermanent HW addr: 52:54:00:77:01:02\nSlave queue ID: 0\n\n"
        "Slave Interface: eth1\nMII Status: up\nSpeed: 1000 Mbps\nDuplex: full\n"
        "Link Failure Count: 2\nPermanent HW addr: 52:54:00:77:01:01\nSlave queue ID: 0\n";
    struct ccnc_vm vm;
    struct ccnc_vm_nic *n;
    struct ccnc_error err = { 0 };

    ccnc_vm_init(&vm);
    vm.bond = ccnc_xmalloc(sizeof(*vm.bond));
    ccnc_bond_init(vm.bond);
    ck_assert_int_eq(ccnc_bonding_parse_proc("bond0", proc, strlen(proc), vm.bond, &err), 0);
    n = ccnc_vm_add_nic(&vm);
    n->mac = ccnc_xstrdup("52:54:00:77:01:01");
    n = ccnc_vm_add_nic(&vm);
    n->mac = ccnc_xstrdup("52:54:00:77:01:02");
    n = ccnc_vm_add_nic(&vm);
    n->mac = ccnc_xstrdup("52:54:00:99:99:99");
    ccnc_guest_name_nics(&vm);
    ck_assert_str_eq(vm.nics[0].guest_name, "eth1");
    ck_assert_str_eq(vm.nics[1].guest_name, "eth0");
    ck_assert_ptr_null(vm.nics[2].guest_name);
    ck_assert_str_eq(vm.bond->active_slave, "eth0"); /* on the backup */
    ccnc_vm_clear(&vm);
}
END_TEST

Suite *
ccnc_guest_suite(void)
{
    Suite *s = suite_create("guest");
    TCase *tc = tcase_create("guest-agent");

    tcase_add_loop_test(tc, test_base64, 0, (int)CCNC_ARRAY_SIZE(b64_cases));
    tcase_add_test(tc, test_base64_bad);
    tcase_add_test(tc, test_name_nics);
    tcase_add_loop_test(tc, test_file_chunks, 0, (int)CCNC_ARRAY_SIZE(guest_files));
    tcase_add_test(tc, test_file_chunk_bad);
    suite_add_tcase(s, tc);
    return s;
}
