/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VF changes: the operator's words, the agent's request, and whether a
 * report shows the change. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ccnc/util.h>
#include <ccnc/vf.h>

#include "agent/proto.h"
#include "check-ccnc.h"

START_TEST(test_words)
{
    struct ccnc_vf_change c;
    struct ccnc_error err = { 0 };

    ccnc_vf_change_init(&c, "eth1", 2);
    ck_assert(!ccnc_vf_change_any(&c));
    ck_assert_int_eq(ccnc_vf_change_line(&c, "  mac=52:54:00:77:02:01 vlan=201 qos=3 rate=1000 "
                                             "min_tx_rate=0 spoofchk=off trust=on state=auto ",
                                         &err), 0);
    ck_assert(ccnc_vf_change_any(&c));
    ck_assert_str_eq(c.mac, "52:54:00:77:02:01");
    ck_assert_int_eq(c.vlan, 201);
    ck_assert_int_eq(c.qos, 3);
    ck_assert_int_eq(c.max_tx_rate, 1000);
    ck_assert_int_eq(c.min_tx_rate, 0);
    ck_assert_int_eq(c.spoofchk, 0);
    ck_assert_int_eq(c.trust, 1);
    ck_assert_str_eq(c.link_state, "auto");
    ccnc_vf_change_clear(&c);
}
END_TEST

static const struct {
    const char *word, *expect;
} bad_words[] = {
    { "vlan=4096", "from 0 to 4095" },
    { "vlan=-1", "from 0 to 4095" },
    { "vlan=", "from 0 to 4095" },
    { "qos=8", "from 0 to 7" },
    { "rate=fast", "rate" },
    { "mac=52:54:00", "MAC address" },
    { "trust=maybe", "on or off" },
    { "state=up", "auto, enable or disable" },
    { "speed=10", "unknown VF setting 'speed'" },
    { "vlan", "KEY=VALUE" },
    { "=1", "KEY=VALUE" },
};

START_TEST(test_bad_words)
{
    struct ccnc_vf_change c;
    struct ccnc_error err = { 0 };

    ccnc_vf_change_init(&c, "eth1", 0);
    ck_assert_int_eq(ccnc_vf_change_word(&c, bad_words[_i].word, &err), -1);
    ck_assert_int_eq(err.code, CCNC_ERR_USAGE);
    ck_assert_msg(strstr(err.message, bad_words[_i].expect), "'%s': '%s'", bad_words[_i].word,
                  err.message);
    ck_assert(!ccnc_vf_change_any(&c));
    ccnc_error_clear(&err);
    ccnc_vf_change_clear(&c);
}
END_TEST

/* What the console sends is what the agent reads: only the fields asked */
START_TEST(test_request_roundtrip)
{
    struct ccnc_vf_change c;
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    char *line;

    ccnc_vf_change_init(&c, "eth1", 3);
    ck_assert_int_eq(ccnc_vf_change_line(&c, "vlan=201 rate=100 trust=on", &err), 0);
    line = ccnc_vf_change_request(&c, 17);
    ck_assert_str_eq(line, "{\"type\":\"request\",\"id\":17,\"op\":\"vf-set\",\"pf\":\"eth1\","
                           "\"vf\":3,\"vlan\":201,\"max_tx_rate\":100,\"trust\":true}\n");
    ck_assert_int_eq(ccnc_proto_parse_request(line, strlen(line), &req, &err), 0);
    ck_assert_int_eq(req.op, CCNC_AGENT_OP_VF_SET);
    ck_assert_str_eq(req.pf, "eth1");
    ck_assert_int_eq(req.vf, 3);
    ck_assert_uint_eq(req.set, CCNC_VF_SET_VLAN | CCNC_VF_SET_MAX_TX_RATE | CCNC_VF_SET_TRUST);
    ck_assert_int_eq(req.vlan, 201);
    ck_assert_int_eq(req.max_tx_rate, 100);
    ck_assert(req.trust);
    ccnc_proto_request_clear(&req);
    free(line);
    ccnc_vf_change_clear(&c);
}
END_TEST

START_TEST(test_applied_and_describe)
{
    struct ccnc_vf vf = { .index = 0, .mac = (char *)"52:54:00:77:02:01", .vlan = 201,
                          .max_tx_rate = 100, .spoofchk = 0, .trust = 1,
                          .link_state = (char *)"auto" };
    struct ccnc_vf_change c, d;
    struct ccnc_error err = { 0 };
    char *text = ccnc_vf_describe(&vf);

    ck_assert_str_eq(text, "mac=52:54:00:77:02:01 vlan=201 qos=0 rate=100 min_tx_rate=0 "
                           "spoofchk=off trust=on state=auto");
    /* the description read back changes nothing */
    ccnc_vf_change_init(&d, "eth1", 0);
    ck_assert_int_eq(ccnc_vf_change_line(&d, text, &err), 0);
    ck_assert(ccnc_vf_change_applied(&d, &vf));
    ccnc_vf_change_clear(&d);
    free(text);

    ccnc_vf_change_init(&c, "eth1", 0);
    ccnc_vf_change_line(&c, "mac=52:54:00:77:02:01 vlan=201", &err);
    ck_assert(ccnc_vf_change_applied(&c, &vf));
    ccnc_vf_change_line(&c, "vlan=202", &err);
    ck_assert(!ccnc_vf_change_applied(&c, &vf));
    ccnc_vf_change_clear(&c);
}
END_TEST

/* The keys the completions offer are the ones a VF is described with, and
 * each is taken by the reader. */
START_TEST(test_keys)
{
    struct ccnc_vf vf = { .index = 0, .mac = (char *)"52:54:00:77:02:01", .vlan = 1 };
    char *text = ccnc_vf_describe(&vf), *p = text;
    size_t k = 0;

    for (; ccnc_vf_change_keys[k]; k++) {
        size_t len = strlen(ccnc_vf_change_keys[k]);
        struct ccnc_vf_change c;
        struct ccnc_error err = { 0 };
        char *word = ccnc_xasprintf("%s=?", ccnc_vf_change_keys[k]);
        ck_assert_msg(strncmp(p, ccnc_vf_change_keys[k], len) == 0 && p[len] == '=',
                      "key %zu: '%s', the description says '%s'", k, ccnc_vf_change_keys[k], p);
        p = strchr(p, ' ') ? strchr(p, ' ') + 1 : p + strlen(p);
        ccnc_vf_change_init(&c, "eth1", 0);
        ck_assert_int_eq(ccnc_vf_change_word(&c, word, &err), -1);
        ck_assert_msg(strstr(err.message, "unknown VF setting") == NULL, "%s", err.message);
        ccnc_error_clear(&err);
        ccnc_vf_change_clear(&c);
        free(word);
    }
    ck_assert_str_eq(p, "");
    ck_assert_uint_eq(k, 8);
    free(text);
}
END_TEST

/* What ccnc set, kept in a file, and a VF that no longer matches it */
START_TEST(test_intent)
{
    char dir[] = "/tmp/ccnc-test-intent.XXXXXX";
    char *path;
    struct ccnc_vf_intent *in;
    struct ccnc_vf_change c;
    struct ccnc_vf vf = { .index = 1, .mac = (char *)"52:54:00:77:02:02", .vlan = 202 };
    struct ccnc_error err = { 0 };
    char *note;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = ccnc_xasprintf("%s/state/ccnc/vf-intent.json", dir);
    in = ccnc_vf_intent_load(path);          /* missing: empty */
    ck_assert_ptr_null(ccnc_vf_intent_drift(in, "sriov", "eth1", &vf));
    ccnc_vf_change_init(&c, "eth1", 1);
    ccnc_vf_change_line(&c, "mac=52:54:00:77:02:02 vlan=202 rate=500", &err);
    ccnc_vf_intent_set(in, "sriov", &c);
    ck_assert_int_eq(ccnc_vf_intent_save(in, path, &err), 0);
    ccnc_vf_intent_free(in);
    ccnc_vf_change_clear(&c);

    in = ccnc_vf_intent_load(path);
    ck_assert_ptr_null(ccnc_vf_intent_drift(in, "sriov", "eth1", &vf));   /* as set */
    vf.vlan = 0;                                                        /* remade, or changed */
    note = ccnc_vf_intent_drift(in, "sriov", "eth1", &vf);
    ck_assert_str_eq(note, "ccnc set MAC 52:54:00:77:02:02, VLAN 202");
    free(note);
    ck_assert_ptr_null(ccnc_vf_intent_drift(in, "sys1", "eth1", &vf));    /* another host */
    /* a later change of the VLAN only keeps the MAC */
    ccnc_vf_change_init(&c, "eth1", 1);
    ccnc_vf_change_line(&c, "vlan=0", &err);
    ccnc_vf_intent_set(in, "sriov", &c);
    ccnc_vf_change_clear(&c);
    ck_assert_ptr_null(ccnc_vf_intent_drift(in, "sriov", "eth1", &vf));
    /* given back: a VF that its driver or libvirt then remade is no drift */
    vf.mac = (char *)"ce:d9:57:f9:06:02";
    note = ccnc_vf_intent_drift(in, "sriov", "eth1", &vf);
    ck_assert_ptr_nonnull(note);
    free(note);
    ccnc_vf_intent_forget(in, "sriov", "eth1", 1);
    ck_assert_ptr_null(ccnc_vf_intent_drift(in, "sriov", "eth1", &vf));
    ccnc_vf_intent_forget(in, "sriov", "eth1", 1);    /* twice: nothing to forget */
    ccnc_vf_intent_free(in);
    unlink(path);
    free(path);
    path = ccnc_xasprintf("%s/state/ccnc", dir);
    rmdir(path);
    free(path);
    path = ccnc_xasprintf("%s/state", dir);
    rmdir(path);
    free(path);
    rmdir(dir);
}
END_TEST

Suite *
ccnc_vf_suite(void)
{
    Suite *s = suite_create("vf");
    TCase *tc = tcase_create("vf");

    tcase_add_test(tc, test_words);
    tcase_add_loop_test(tc, test_bad_words, 0, (int)(sizeof(bad_words) / sizeof(bad_words[0])));
    tcase_add_test(tc, test_request_roundtrip);
    tcase_add_test(tc, test_applied_and_describe);
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_intent);
    suite_add_tcase(s, tc);
    return s;
}
