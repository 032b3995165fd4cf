/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one runner for every check suite (the tests/DIR/test-*.c files). */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "check-ccnc.h"

char *
ccnc_test_data(const char *rel)
{
    const char *top = getenv("abs_top_srcdir");

    return ccnc_xasprintf("%s/tests/data/%s", top && *top ? top : ".", rel);
}

char *
ccnc_test_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = ccnc_xmalloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

void
ccnc_test_golden(const char *rel, const char *text)
{
    char *path = ccnc_test_data(rel);
    const char *update = getenv("CCNC_UPDATE_GOLDEN");
    char *want;

    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "w");
        ck_assert_msg(f != NULL, "cannot write %s", path);
        fputs(text, f);
        fclose(f);
        free(path);
        return;
    }
    want = ccnc_test_read(path, NULL);
    if (strcmp(want, text) != 0) {
        const char *build = getenv("abs_top_builddir");
        char *flat = ccnc_xstrdup(rel), *actual;
        FILE *f;
        for (char *c = flat; *c; c++)
            if (*c == '/')
                *c = '_';
        actual = ccnc_xasprintf("%s/tests/%s.actual", build && *build ? build : ".", flat);
        f = fopen(actual, "w");
        if (f) {
            fputs(text, f);
            fclose(f);
        }
        ck_abort_msg("output differs from %s; see %s", path, actual);
    }
    free(want);
    free(path);
}

int
main(void)
{
    SRunner *sr;
    int failed;

    setlocale(LC_ALL, "C.UTF-8");
    sr = srunner_create(ccnc_lab_suite());
    srunner_add_suite(sr, ccnc_model_suite());
    srunner_add_suite(sr, ccnc_json_suite());
    srunner_add_suite(sr, ccnc_json_get_suite());
    srunner_add_suite(sr, ccnc_loop_suite());
    srunner_add_suite(sr, ccnc_ui_suite());
    srunner_add_suite(sr, ccnc_ui_timeline_suite());
    srunner_add_suite(sr, ccnc_virxml_suite());
    srunner_add_suite(sr, ccnc_action_suite());
    srunner_add_suite(sr, ccnc_plan_suite());
    srunner_add_suite(sr, ccnc_engine_suite());
    srunner_add_suite(sr, ccnc_runner_suite());
    srunner_add_suite(sr, ccnc_runlog_suite());
    srunner_add_suite(sr, ccnc_guest_suite());
    srunner_add_suite(sr, ccnc_quote_suite());
    srunner_add_suite(sr, ccnc_log_suite());
    srunner_add_suite(sr, ccnc_linebuf_suite());
    srunner_add_suite(sr, ccnc_precopy_suite());
    srunner_add_suite(sr, ccnc_policy_suite());
    srunner_add_suite(sr, ccnc_placement_suite());
    srunner_add_suite(sr, ccnc_sha256_suite());
    srunner_add_suite(sr, ccnc_vf_suite());
    srunner_add_suite(sr, ccnc_pool_suite());
    srunner_add_suite(sr, ccnc_ssh_proto_suite());
    srunner_add_suite(sr, ccnc_report_suite());
    srunner_add_suite(sr, ccnc_stall_suite());
    srunner_add_suite(sr, ccnc_figure_suite());
    srunner_add_suite(sr, ccnc_plot_suite());
    srunner_add_suite(sr, ccnc_bonding_suite());
    srunner_add_suite(sr, ccnc_agent_proto_suite());
    srunner_add_suite(sr, ccnc_agent_netlink_suite());
    srunner_add_suite(sr, ccnc_agent_fdb_suite());
    srunner_add_suite(sr, ccnc_agent_sysfs_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
