/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON output against golden files, and host parts read back unchanged. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/json.h>

#include "check-ccnc.h"

START_TEST(test_snapshot_golden_builtin)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);
    char *json = ccnc_json_snapshot(snap, CCNC_JSON_PRETTY | CCNC_JSON_NO_TIME);
    char *with_nl = ccnc_xasprintf("%s\n", json);

    ccnc_test_golden("golden/status-builtin.json", with_nl);
    free(with_nl);
    free(json);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

START_TEST(test_snapshot_golden_example)
{
    const char *top = getenv("abs_top_srcdir");
    char *path = ccnc_xasprintf("%s/docs/examples/lab.conf", top ? top : ".");
    struct ccnc_lab *lab = ccnc_lab_load(path, NULL, 0, NULL);
    struct ccnc_snapshot *snap;
    char *json, *with_nl;

    ck_assert_ptr_nonnull(lab);
    /* the path differs between trees: name it as the user would */
    ccnc_str_set(&lab->path, "docs/examples/lab.conf");
    snap = ccnc_snapshot_new_from_lab(lab);
    json = ccnc_json_snapshot(snap, CCNC_JSON_PRETTY | CCNC_JSON_NO_TIME);
    with_nl = ccnc_xasprintf("%s\n", json);
    ccnc_test_golden("golden/status-example.json", with_nl);
    free(with_nl);
    free(json);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
    free(path);
}
END_TEST

/* A host part exercising every field: read, written as the golden JSON,
 * and read back to the same text. */
START_TEST(test_host_round_trip)
{
    char *path = ccnc_test_data("host-full.json");
    char *text = ccnc_test_read(path, NULL);
    struct ccnc_error err = { 0 };
    struct ccnc_host *h = ccnc_json_parse_host(text, &err);
    char *again, *with_nl;
    struct ccnc_event_list ev = { 0 };
    struct ccnc_host *copy;

    ck_assert_msg(h != NULL, "%s", err.message ? err.message : "");
    ck_assert_str_eq(h->name, "sys1");
    ck_assert_uint_eq(h->n_nics, 2);
    ck_assert(h->nics[0].has_sriov);
    ck_assert_int_eq(h->nics[0].sriov.total_vfs, 7);
    ck_assert_int_eq(h->nics[0].sriov.vf_device_id, 0x10ca);
    ck_assert(h->nics[1].is_vf);
    ck_assert_uint_eq(h->n_links, 2);
    ck_assert_uint_eq(h->links[0].n_vfs, 2);
    ck_assert_int_eq(h->links[0].vfs[1].trust, CCNC_UNKNOWN);
    ck_assert_int_eq(h->links[0].vfs[0].spoofchk, 1);
    ck_assert_uint_eq(h->n_bonds, 1);
    ck_assert_int_eq(h->bonds[0].mode, CCNC_BOND_MODE_ACTIVE_BACKUP);
    ck_assert_ptr_null(h->bonds[0].primary);
    ck_assert_uint_eq(h->n_vms, 1);
    ck_assert_uint_eq(h->vms[0].n_nics, 2);
    ck_assert_int_eq(h->vms[0].nics[1].role, CCNC_NIC_ROLE_BACKUP);
    ck_assert_str_eq(h->vms[0].nics[0].teaming->partner_alias, "ua-backup0");
    ck_assert_str_eq(h->vms[0].nics[1].teaming->partner_pci, "0000:02:10.0");
    ck_assert_ptr_null(h->vms[0].nics[0].teaming->partner_pci);
    ck_assert_ptr_nonnull(h->vms[0].bond);
    ck_assert_uint_eq(h->n_exports, 1);
    ck_assert_int_eq(h->exports[0].free_bytes, 123456789012LL);

    again = ccnc_json_host(h, CCNC_JSON_PRETTY | CCNC_JSON_NO_TIME);
    with_nl = ccnc_xasprintf("%s\n", again);
    ccnc_test_golden("golden/host-full.json", with_nl);
    /* and what ccnc wrote reads back to the same text */
    ccnc_host_unref(h);
    h = ccnc_json_parse_host(with_nl, &err);
    ck_assert_ptr_nonnull(h);
    free(again);
    again = ccnc_json_host(h, CCNC_JSON_PRETTY | CCNC_JSON_NO_TIME);
    ck_assert_uint_eq(strlen(again) + 1, strlen(with_nl));
    ck_assert_int_eq(strncmp(again, with_nl, strlen(again)), 0);

    copy = ccnc_host_dup(h);
    ccnc_host_diff(h, copy, "sys1", &ev);
    ck_assert_uint_eq(ev.n, 0);
    ccnc_host_unref(copy);
    free(with_nl);
    free(again);
    free(text);
    free(path);
    ccnc_host_unref(h);
}
END_TEST

/* `ccnc vf --json`: the full host's SR-IOV ports and their VFs, nothing
 * else of the host; a host left out by name is not there at all. */
START_TEST(test_vfs_golden)
{
    struct ccnc_lab *lab = ccnc_lab_load_builtin();
    struct ccnc_snapshot *snap = ccnc_snapshot_new_from_lab(lab);
    char *path = ccnc_test_data("host-full.json");
    char *text = ccnc_test_read(path, NULL);
    struct ccnc_error err = { 0 };
    struct ccnc_host *h = ccnc_json_parse_host(text, &err);
    int at = ccnc_snapshot_find_host(snap, "sys1");
    char *json, *with_nl;

    ck_assert_msg(h != NULL, "%s", err.message ? err.message : "");
    ck_assert_int_ge(at, 0);
    ccnc_host_unref(snap->hosts[at]);
    snap->hosts[at] = h;
    json = ccnc_json_vfs(snap, "sys1", NULL, CCNC_JSON_PRETTY | CCNC_JSON_NO_TIME);
    with_nl = ccnc_xasprintf("%s\n", json);
    ccnc_test_golden("golden/vfs-full.json", with_nl);
    free(with_nl);
    free(json);
    json = ccnc_json_vfs(snap, NULL, NULL, CCNC_JSON_NO_TIME);
    ck_assert_ptr_nonnull(strstr(json, "\"name\":\"sys2\""));
    ck_assert_ptr_null(strstr(json, "\"vms\""));
    free(json);
    free(text);
    free(path);
    ccnc_snapshot_unref(snap);
    ccnc_lab_unref(lab);
}
END_TEST

static const struct {
    const char *text;
    const char *expect;
} bad_json[] = {
    { "", "malformed JSON" },
    { "{\"schema_version\":1,\"host\":{\"name\":\"a\"}", "malformed JSON" },
    { "[1,2]", "expected a JSON object" },
    { "{\"schema_version\":2,\"host\":{\"name\":\"a\"}}", "unsupported schema_version 2" },
    { "{\"host\":{\"name\":\"a\"}}", "unsupported schema_version" },
    { "{\"schema_version\":1}", "no \"host\" object" },
    { "{\"schema_version\":1,\"host\":{\"label\":\"a\"}}", "the host has no name" },
};

START_TEST(test_bad_json)
{
    struct ccnc_error err = { 0 };

    ck_assert_ptr_null(ccnc_json_parse_host(bad_json[_i].text, &err));
    ck_assert_int_eq(err.code, CCNC_ERR_PARSE);
    ck_assert_msg(strstr(err.message, bad_json[_i].expect), "case %d: '%s'", _i, err.message);
    ccnc_error_clear(&err);
}
END_TEST

START_TEST(test_wrong_types_are_unknown)
{
    static const char text[] =
        "{\"schema_version\":1,\"host\":{\"name\":\"h\",\"links\":[{\"name\":5,"
        "\"mtu\":\"big\",\"vfs\":{}}, 7],\"nics\":\"no\",\"vms\":[{\"name\":\"v\","
        "\"state\":\"exploded\",\"bond\":[]}]}}";
    struct ccnc_host *h = ccnc_json_parse_host(text, NULL);

    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->n_links, 1);
    ck_assert_ptr_null(h->links[0].name);
    ck_assert_int_eq(h->links[0].mtu, CCNC_UNKNOWN);
    ck_assert_uint_eq(h->links[0].n_vfs, 0);
    ck_assert_uint_eq(h->n_nics, 0);
    ck_assert_uint_eq(h->n_vms, 1);
    ck_assert_int_eq(h->vms[0].state, CCNC_VM_NOSTATE);
    ck_assert_ptr_null(h->vms[0].bond);
    ccnc_host_unref(h);
}
END_TEST

Suite *
ccnc_json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_add_test(tc, test_snapshot_golden_builtin);
    tcase_add_test(tc, test_snapshot_golden_example);
    tcase_add_test(tc, test_host_round_trip);
    tcase_add_test(tc, test_vfs_golden);
    tcase_add_loop_test(tc, test_bad_json, 0, (int)CCNC_ARRAY_SIZE(bad_json));
    tcase_add_test(tc, test_wrong_types_are_unknown);
    suite_add_tcase(s, tc);
    return s;
}
