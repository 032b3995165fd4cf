/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the check suites: suite constructors and test data paths. */
#ifndef CCNC_TESTS_CHECK_CCNC_H
#define CCNC_TESTS_CHECK_CCNC_H

#include <check.h>

Suite *ccnc_lab_suite(void);
Suite *ccnc_model_suite(void);
Suite *ccnc_json_suite(void);
Suite *ccnc_json_get_suite(void);
Suite *ccnc_loop_suite(void);
Suite *ccnc_ui_suite(void);
Suite *ccnc_ui_timeline_suite(void);
Suite *ccnc_virxml_suite(void);
Suite *ccnc_action_suite(void);
Suite *ccnc_plan_suite(void);
Suite *ccnc_engine_suite(void);
Suite *ccnc_runner_suite(void);
Suite *ccnc_runlog_suite(void);
Suite *ccnc_guest_suite(void);
Suite *ccnc_quote_suite(void);
Suite *ccnc_log_suite(void);
Suite *ccnc_linebuf_suite(void);
Suite *ccnc_precopy_suite(void);
Suite *ccnc_policy_suite(void);
Suite *ccnc_placement_suite(void);
Suite *ccnc_sha256_suite(void);
Suite *ccnc_vf_suite(void);
Suite *ccnc_pool_suite(void);
Suite *ccnc_ssh_proto_suite(void);
Suite *ccnc_report_suite(void);
Suite *ccnc_stall_suite(void);
Suite *ccnc_figure_suite(void);
Suite *ccnc_plot_suite(void);
/* the agent's parsers */
Suite *ccnc_bonding_suite(void);
Suite *ccnc_agent_proto_suite(void);
Suite *ccnc_agent_netlink_suite(void);
Suite *ccnc_agent_fdb_suite(void);
Suite *ccnc_agent_sysfs_suite(void);

/* $abs_top_srcdir/tests/data/REL (or ./tests/data/REL); caller frees. */
char *ccnc_test_data(const char *rel);
/* The whole file, NUL-terminated; fails the test when unreadable. */
char *ccnc_test_read(const char *path, size_t *len);
/* Compare text with a golden file; on mismatch write TEXT to
 * $abs_top_builddir/tests/NAME.actual and fail.  CCNC_UPDATE_GOLDEN=1
 * rewrites the golden file instead. */
void ccnc_test_golden(const char *rel, const char *text);

#endif
