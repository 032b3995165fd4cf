/* The actions' state machines, table-driven: a failure injected at every
 * step of every plan leads to the right rollback steps, the right final
 * state, and a summary that says loudly when a VM is left on its backup
 * NIC alone.  No I/O: the test reports each step's outcome itself. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/action.h>

#include "check-ccnc.h"

#define NONE (-1)

struct run_result {
    char ops[512];          /* the steps run, in order, "a,b,c" */
    enum ccnc_action_state state;
};

/* Run a to its end; the step at plan position fail_at (NONE: none) fails,
 * and so does the rollback step with op fail_rollback_op (NONE: none). */
static struct run_result
drive(struct ccnc_action *a, int fail_at, int fail_rollback_op)
{
    struct run_result r = { "", CCNC_ACTION_PLANNED };
    struct ccnc_step *s;
    int plan_pos = 0, guard = 0;
    long long t = 1000;

    ck_assert_int_eq(ccnc_action_confirm(a), 0);
    ck_assert_int_eq(ccnc_action_confirm(a), -1);
    while ((s = ccnc_action_next(a, t)) != NULL) {
        enum ccnc_step_outcome out = CCNC_STEP_OK;
        const char *err = NULL;

        ck_assert_int_lt(++guard, 64);
        ck_assert_int_eq(s->outcome, CCNC_STEP_RUNNING_NOW);
        ck_assert_int_eq(s->started_ms, t);
        ck_assert(a->state == CCNC_ACTION_RUNNING || a->state == CCNC_ACTION_VERIFYING);
        /* asking again without a report gives the same step */
        ck_assert_ptr_eq(ccnc_action_next(a, t + 1), s);
        if (*r.ops)
            strcat(r.ops, ",");
        if (s->rollback)
            strcat(r.ops, "!");
        strcat(r.ops, ccnc_step_op_to_string(s->op));
        if (!s->rollback && plan_pos++ == fail_at) {
            out = plan_pos % 2 ? CCNC_STEP_FAILED : CCNC_STEP_TIMEOUT;
            err = "injected";
        }
        if (s->rollback && (int)s->op == fail_rollback_op) {
            out = CCNC_STEP_FAILED;
            err = "rollback injected";
        }
        t += 10;
        ccnc_action_report(a, out, err, t);
        ck_assert_int_eq(s->ended_ms, t);
    }
    ck_assert(ccnc_action_finished(a));
    ck_assert_ptr_nonnull(a->summary);
    r.state = a->state;
    return r;
}

static const struct {
    int fail_at;
    int fail_rollback_op;
    const char *ops;
    enum ccnc_action_state state;
    bool on_destination, on_backup_only;
} mwp_cases[] = {
    { NONE, NONE,
      "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_DONE, true, false },
    { 0, NONE, "check-destination", CCNC_ACTION_FAILED, false, false },
    { 1, NONE, "check-destination,check-storage", CCNC_ACTION_FAILED, false, false },
    { 2, NONE, "check-destination,check-storage,check-backup", CCNC_ACTION_FAILED, false, false },
    { 3, NONE, "check-destination,check-storage,check-backup,reserve-nic", CCNC_ACTION_FAILED,
      false, false },
    { 4, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "!release-nic,!restore-primary", CCNC_ACTION_ROLLED_BACK, false, false },
    { 5, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "!release-nic,!restore-primary", CCNC_ACTION_ROLLED_BACK, false, false },
    { 6, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,!release-nic,!reattach-source,!restore-primary",
      CCNC_ACTION_ROLLED_BACK, false, false },
    { 7, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,!release-nic,!reattach-source,!restore-primary",
      CCNC_ACTION_ROLLED_BACK, false, false },
    /* after the switch-over: never migrated back, left on the backup NIC */
    { 8, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,attach,!release-nic", CCNC_ACTION_FAILED, true, true },
    { 9, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,attach,wait-enslaved", CCNC_ACTION_FAILED, true, true },
    { 10, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,attach,wait-enslaved,bond-to-primary", CCNC_ACTION_FAILED, true,
      false },
    { 11, NONE, "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_FAILED, true, false },
    /* a rollback step fails: the others still run, the end is FAILED */
    { 7, CCNC_STEP_REATTACH_SOURCE,
      "check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,detach,"
      "verify-on-backup,migrate,!release-nic,!reattach-source,!restore-primary",
      CCNC_ACTION_FAILED, false, true },
    { 5, CCNC_STEP_RELEASE_NIC, "check-destination,check-storage,check-backup,reserve-nic,"
      "bond-to-backup,detach,!release-nic,!restore-primary", CCNC_ACTION_FAILED, false, false },
};

START_TEST(test_migrate_passthrough)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1",
                                            "sys2", "pool:vf0");
    struct run_result r = drive(a, mwp_cases[_i].fail_at, mwp_cases[_i].fail_rollback_op);

    ck_assert_msg(strcmp(r.ops, mwp_cases[_i].ops) == 0, "case %d:\n got  %s\n want %s", _i,
                  r.ops, mwp_cases[_i].ops);
    ck_assert_msg(r.state == mwp_cases[_i].state, "case %d: state %s", _i,
                  ccnc_action_state_to_string(r.state));
    ck_assert(a->on_destination == mwp_cases[_i].on_destination);
    ck_assert_msg(a->on_backup_only == mwp_cases[_i].on_backup_only, "case %d: on_backup_only",
                  _i);
    if (a->on_backup_only)
        ck_assert_msg(strstr(a->summary, "ONLY ITS BACKUP NIC"), "not loud: %s", a->summary);
    if (r.state == CCNC_ACTION_DONE)
        ck_assert_str_eq(a->summary, "vm1: done; the VM runs on sys2");
    if (r.state == CCNC_ACTION_ROLLED_BACK)
        ck_assert_ptr_nonnull(strstr(a->summary, "runs on sys1 as before"));
    if (mwp_cases[_i].fail_at != NONE) {
        ck_assert_ptr_nonnull(strstr(a->summary, "injected"));
        /* the steps after the failure never ran */
        for (size_t i = (size_t)mwp_cases[_i].fail_at + 1; i < 12; i++)
            ck_assert_int_eq(a->steps[i].outcome, CCNC_STEP_SKIPPED);
    }
    ccnc_action_free(a);
}
END_TEST

static const struct {
    enum ccnc_action_kind kind;
    int fail_at;
    const char *ops;
    enum ccnc_action_state state;
} other_cases[] = {
    { CCNC_ACTION_DETACH, NONE, "check-backup,bond-to-backup,detach,verify-on-backup,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_DETACH, 0, "check-backup", CCNC_ACTION_FAILED },
    { CCNC_ACTION_DETACH, 1, "check-backup,bond-to-backup,!restore-primary",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_DETACH, 2, "check-backup,bond-to-backup,detach,!restore-primary",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_DETACH, 3, "check-backup,bond-to-backup,detach,verify-on-backup,"
      "!reattach-source,!restore-primary", CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_ASSIGN, NONE, "reserve-nic,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_ASSIGN, 0, "reserve-nic", CCNC_ACTION_FAILED },
    { CCNC_ACTION_ASSIGN, 1, "reserve-nic,attach,!release-nic", CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_ASSIGN, 2, "reserve-nic,attach,wait-enslaved,!detach,!release-nic",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_MIGRATE, NONE, "check-destination,check-storage,migrate,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_MIGRATE, 2, "check-destination,check-storage,migrate", CCNC_ACTION_FAILED },
    { CCNC_ACTION_MIGRATE_TEAMING, 3, "check-destination,check-storage,migrate,verify",
      CCNC_ACTION_FAILED },
};

START_TEST(test_other_kinds)
{
    struct ccnc_action *a = ccnc_action_new(other_cases[_i].kind, "vm1", "sys1",
                                            other_cases[_i].kind == CCNC_ACTION_MIGRATE ||
                                                    other_cases[_i].kind == CCNC_ACTION_MIGRATE_TEAMING
                                                ? "sys2" : NULL,
                                            "0000:03:00.0");
    struct run_result r = drive(a, other_cases[_i].fail_at, NONE);

    ck_assert_msg(strcmp(r.ops, other_cases[_i].ops) == 0, "case %d (%s):\n got  %s\n want %s",
                  _i, ccnc_action_kind_to_string(other_cases[_i].kind), r.ops,
                  other_cases[_i].ops);
    ck_assert_msg(r.state == other_cases[_i].state, "case %d: state %s", _i,
                  ccnc_action_state_to_string(r.state));
    ccnc_action_free(a);
}
END_TEST

START_TEST(test_not_confirmed_does_nothing)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE, "vm1", "sys1", "sys2", NULL);

    ck_assert_ptr_null(ccnc_action_next(a, 1));
    ccnc_action_report(a, CCNC_STEP_OK, NULL, 2); /* ignored: nothing runs */
    ck_assert_int_eq(a->state, CCNC_ACTION_PLANNED);
    ck_assert_int_eq(a->steps[0].outcome, CCNC_STEP_PENDING);
    ccnc_action_free(a);
}
END_TEST

START_TEST(test_plan_text)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_MIGRATE_PASSTHROUGH, "vm1", "sys1",
                                            "sys2", NULL);
    char *plan = ccnc_action_plan_text(a);

    ck_assert_ptr_nonnull(strstr(plan, "Plan: migrate-passthrough vm1 from sys1 to sys2\n"));
    ck_assert_ptr_nonnull(strstr(plan, " 5. bond-to-backup     switch the guest bond to the "
                                       "backup NIC (planned, no loss)\n"));
    ck_assert_ptr_nonnull(strstr(plan, "12. verify "));
    ck_assert_ptr_null(strstr(plan, "13."));
    free(plan);
    ccnc_action_free(a);
}
END_TEST

START_TEST(test_names)
{
    for (int k = 0; k < CCNC_ACTION_LAST; k++)
        ck_assert_int_eq(ccnc_action_kind_from_string(ccnc_action_kind_to_string(k)), k);
    for (int op = 0; op < CCNC_STEP_LAST; op++) {
        ck_assert_str_ne(ccnc_step_op_to_string(op), "?");
        ck_assert_str_ne(ccnc_step_op_describe(op), "?");
    }
    ck_assert_str_eq(ccnc_action_state_to_string(CCNC_ACTION_ROLLED_BACK), "rolled-back");
}
END_TEST

Suite *
ccnc_action_suite(void)
{
    Suite *s = suite_create("action");
    TCase *tc = tcase_create("state-machine");

    tcase_add_loop_test(tc, test_migrate_passthrough, 0, (int)CCNC_ARRAY_SIZE(mwp_cases));
    tcase_add_loop_test(tc, test_other_kinds, 0, (int)CCNC_ARRAY_SIZE(other_cases));
    tcase_add_test(tc, test_not_confirmed_does_nothing);
    tcase_add_test(tc, test_plan_text);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}
