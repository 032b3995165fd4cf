/* SPDX-License-Identifier: GPL-2.0-or-later */
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
      "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,verify-on-backup,"
      "detach,migrate,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_DONE, true, false },
    { 0, NONE, "forecast", CCNC_ACTION_FAILED, false, false },
    { 1, NONE, "forecast,check-destination", CCNC_ACTION_FAILED, false, false },
    { 2, NONE, "forecast,check-destination,check-storage", CCNC_ACTION_FAILED, false, false },
    { 3, NONE, "forecast,check-destination,check-storage,check-backup", CCNC_ACTION_FAILED, false, false },
    { 4, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic", CCNC_ACTION_FAILED,
      false, false },
    { 5, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "!release-nic,!restore-primary", CCNC_ACTION_ROLLED_BACK, false, false },
    /* no reply over the backup: back to the primary, nothing was detached */
    { 6, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,!release-nic,!restore-primary", CCNC_ACTION_ROLLED_BACK, false, false },
    { 7, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,!release-nic,!restore-primary", CCNC_ACTION_ROLLED_BACK, false,
      false },
    { 8, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,migrate,!release-nic,!reattach-source,!restore-primary",
      CCNC_ACTION_ROLLED_BACK, false, false },
    /* after the switch-over: never migrated back, left on the backup NIC */
    { 9, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,migrate,attach,!release-nic", CCNC_ACTION_FAILED, true, true },
    { 10, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,migrate,attach,wait-enslaved", CCNC_ACTION_FAILED, true, true },
    { 11, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,migrate,attach,wait-enslaved,bond-to-primary", CCNC_ACTION_FAILED,
      true, false },
    { 12, NONE, "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,"
      "verify-on-backup,detach,migrate,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_FAILED, true, false },
    /* a rollback step fails: the others still run, the end is FAILED */
    { 8, CCNC_STEP_REATTACH_SOURCE,
      "forecast,check-destination,check-storage,check-backup,reserve-nic,bond-to-backup,verify-on-backup,"
      "detach,migrate,!release-nic,!reattach-source,!restore-primary",
      CCNC_ACTION_FAILED, false, true },
    { 7, CCNC_STEP_RELEASE_NIC, "forecast,check-destination,check-storage,check-backup,reserve-nic,"
      "bond-to-backup,verify-on-backup,detach,!release-nic,!restore-primary", CCNC_ACTION_FAILED,
      false, false },
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
        for (size_t i = (size_t)mwp_cases[_i].fail_at + 1; i < 13; i++)
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
    { CCNC_ACTION_DETACH, NONE, "check-backup,bond-to-backup,verify-on-backup,detach,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_DETACH, 0, "check-backup", CCNC_ACTION_FAILED },
    { CCNC_ACTION_DETACH, 1, "check-backup,bond-to-backup,!restore-primary",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_DETACH, 2, "check-backup,bond-to-backup,verify-on-backup,!restore-primary",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_DETACH, 3, "check-backup,bond-to-backup,verify-on-backup,detach,"
      "!restore-primary", CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_DETACH, 4, "check-backup,bond-to-backup,verify-on-backup,detach,verify,"
      "!reattach-source,!restore-primary", CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_ASSIGN, NONE, "reserve-nic,attach,wait-enslaved,bond-to-primary,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_ASSIGN, 0, "reserve-nic", CCNC_ACTION_FAILED },
    { CCNC_ACTION_ASSIGN, 1, "reserve-nic,attach,!release-nic", CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_ASSIGN, 2, "reserve-nic,attach,wait-enslaved,!detach,!release-nic",
      CCNC_ACTION_ROLLED_BACK },
    { CCNC_ACTION_MIGRATE, NONE, "forecast,check-destination,check-storage,migrate,verify",
      CCNC_ACTION_DONE },
    { CCNC_ACTION_MIGRATE, 3, "forecast,check-destination,check-storage,migrate", CCNC_ACTION_FAILED },
    { CCNC_ACTION_MIGRATE_TEAMING, 4, "forecast,check-destination,check-storage,migrate,verify",
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
    ck_assert_ptr_nonnull(strstr(plan, " 1. forecast           sample the guest's dirty rate and "
                                       "forecast the migration\n"));
    ck_assert_ptr_nonnull(strstr(plan, " 6. bond-to-backup     switch the guest bond to the "
                                       "backup NIC (planned, no loss)\n"));
    ck_assert_ptr_nonnull(strstr(plan, " 7. verify-on-backup   verify that probe replies arrive "
                                       "over the backup NIC\n"));
    ck_assert_ptr_nonnull(strstr(plan, " 8. detach "));
    ck_assert_ptr_nonnull(strstr(plan, "13. verify "));
    ck_assert_ptr_null(strstr(plan, "14."));
    free(plan);
    ccnc_action_free(a);
}
END_TEST

/* Plans the planner shortens for the VM's real state: what is not done is
 * never undone. */
static const struct {
    const char *steps;       /* the plan, "a,b,c" */
    bool starts_on_backup;   /* the VM holds no passthrough NIC at the start */
    int fail_at;
    const char *ops;
    enum ccnc_action_state state;
    bool on_backup_only;
} partial_cases[] = {
    /* already on its backup: no switch, so no switch back */
    { "check-destination,check-storage,check-backup,reserve-nic,verify-on-backup,detach,"
      "migrate,attach,wait-enslaved,bond-to-primary,verify", false, 5,
      "check-destination,check-storage,check-backup,reserve-nic,verify-on-backup,detach,"
      "!release-nic", CCNC_ACTION_ROLLED_BACK, false },
    { "check-destination,check-storage,check-backup,reserve-nic,verify-on-backup,detach,"
      "migrate,attach,wait-enslaved,bond-to-primary,verify", false, 6,
      "check-destination,check-storage,check-backup,reserve-nic,verify-on-backup,detach,"
      "migrate,!release-nic,!reattach-source", CCNC_ACTION_ROLLED_BACK, false },
    /* no passthrough NIC at all: nothing to put back; the attach heals it */
    { "check-destination,check-storage,reserve-nic,migrate,attach,wait-enslaved,"
      "bond-to-primary,verify", true, NONE,
      "check-destination,check-storage,reserve-nic,migrate,attach,wait-enslaved,"
      "bond-to-primary,verify", CCNC_ACTION_DONE, false },
    { "check-destination,check-storage,reserve-nic,migrate,attach,wait-enslaved,"
      "bond-to-primary,verify", true, 3,
      "check-destination,check-storage,reserve-nic,migrate,!release-nic",
      CCNC_ACTION_ROLLED_BACK, true },
    { "check-destination,check-storage,reserve-nic,migrate,attach,wait-enslaved,"
      "bond-to-primary,verify", true, 4,
      "check-destination,check-storage,reserve-nic,migrate,attach,!release-nic",
      CCNC_ACTION_FAILED, true },
    /* assign to a VM that holds its NIC: only the switch back */
    { "bond-to-primary,verify", false, 0, "bond-to-primary", CCNC_ACTION_FAILED, false },
};

START_TEST(test_partial_plans)
{
    enum ccnc_step_op ops[CCNC_STEP_LAST];
    size_t n = 0;
    char *list = ccnc_xstrdup(partial_cases[_i].steps), *save = NULL;
    struct ccnc_action *a;
    struct run_result r;

    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int op = ccnc_step_op_from_string(t);
        ck_assert_int_ge(op, 0);
        ops[n++] = (enum ccnc_step_op)op;
    }
    free(list);
    a = ccnc_action_new_steps(strstr(partial_cases[_i].steps, "migrate")
                                  ? CCNC_ACTION_MIGRATE_PASSTHROUGH : CCNC_ACTION_ASSIGN,
                              "vm1", "sys1", strstr(partial_cases[_i].steps, "migrate") ? "sys2"
                                                                                       : NULL,
                              "e1000e", ops, n);
    a->on_backup_only = partial_cases[_i].starts_on_backup;
    r = drive(a, partial_cases[_i].fail_at, NONE);
    ck_assert_msg(strcmp(r.ops, partial_cases[_i].ops) == 0, "case %d:\n got  %s\n want %s", _i,
                  r.ops, partial_cases[_i].ops);
    ck_assert_msg(r.state == partial_cases[_i].state, "case %d: state %s", _i,
                  ccnc_action_state_to_string(r.state));
    ck_assert_msg(a->on_backup_only == partial_cases[_i].on_backup_only, "case %d", _i);
    if (r.state == CCNC_ACTION_FAILED && a->on_backup_only)
        ck_assert_msg(strstr(a->summary, "ONLY ITS BACKUP NIC"), "not loud: %s", a->summary);
    ccnc_action_free(a);
}
END_TEST

/* A copy keeps the plan's notes, and frees them on its own. */
START_TEST(test_notes_copied)
{
    struct ccnc_action *a = ccnc_action_new(CCNC_ACTION_DETACH, "vm1", "sys1", NULL, "e1000e");
    struct ccnc_action *d;
    char *text;

    ccnc_action_add_note(a, "bond0 already runs on its backup NIC %s: no switch", "eth1");
    d = ccnc_action_dup(a);
    ccnc_action_free(a);
    ck_assert_int_eq(d->n_notes, 1);
    ck_assert_str_eq(d->notes[0], "bond0 already runs on its backup NIC eth1: no switch");
    text = ccnc_action_plan_text(d);
    ck_assert_ptr_nonnull(strstr(text, "\n    - bond0 already runs on its backup NIC eth1: "
                                       "no switch\n"));
    free(text);
    ccnc_action_free(d);
}
END_TEST

/* A migration slow to start says what it waits for, and only then. */
START_TEST(test_setup_text)
{
    struct ccnc_migration_figures m = { 0 };
    char *t;

    ck_assert_ptr_null(ccnc_migration_setup_text(&m, "sys1", "sys2"));
    m.setup_ms = 20000;
    t = ccnc_migration_setup_text(&m, "sys1", "sys2");
    ck_assert_ptr_nonnull(t);
    ck_assert_msg(strstr(t, "after 20 s") && strstr(t, "sys1 and sys2 are still setting"), "%s", t);
    free(t);
    m.dst_lost = true;
    t = ccnc_migration_setup_text(&m, "sys1", "sys2");
    ck_assert_msg(strstr(t, "connection to sys2's libvirt closed"), "%s", t);
    free(t);
    m.called_off = true;
    t = ccnc_migration_setup_text(&m, "sys1", "sys2");
    ck_assert_msg(strstr(t, "asked sys1 to call the migration off") &&
                      strstr(t, "once sys2's libvirtd answers"), "%s", t);
    free(t);
    /* a round came: nothing more to say of the setup */
    m.iteration = 1;
    ck_assert_ptr_null(ccnc_migration_setup_text(&m, "sys1", "sys2"));
    /* a copy keeps it */
    m.iteration = 0;
    {
        struct ccnc_action a = { .migration = m, .notice = (char *)"waiting" },
                           *d = ccnc_action_dup(&a);
        ck_assert_int_eq(d->migration.setup_ms, 20000);
        ck_assert(d->migration.dst_lost);
        ck_assert_str_eq(d->notice, "waiting");
        ck_assert_ptr_ne(d->notice, a.notice);
        ccnc_action_free(d);
    }
}
END_TEST

/* The rule for saying something slow: once at 10 s, then at each further
 * whole 10 s, never twice for the same; a new wait starts from 0. */
START_TEST(test_due_every)
{
    long long said = 0;
    const struct { long long at; bool due; long long said; } rows[] = {
        { 0, false, 0 },         { 9999, false, 0 },      { 10000, true, 10000 },
        { 10500, false, 10000 }, { 19999, false, 10000 }, { 20001, true, 20000 },
        { 45000, true, 40000 },  /* a late look says the latest step, once */
        { 49999, false, 40000 }, { 50000, true, 50000 },
    };

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(rows); i++) {
        ck_assert_msg(ccnc_due_every(rows[i].at, 10000, &said) == rows[i].due, "at %lld",
                      rows[i].at);
        ck_assert_int_eq(said, rows[i].said);
    }
    said = 0;
    ck_assert(!ccnc_due_every(-5, 10000, &said));
    ck_assert(!ccnc_due_every(50000, 0, &said));
    ck_assert_int_eq(said, 0);
}
END_TEST

START_TEST(test_names)
{
    for (int k = 0; k < CCNC_ACTION_LAST; k++)
        ck_assert_int_eq(ccnc_action_kind_from_string(ccnc_action_kind_to_string(k)), k);
    for (int op = 0; op < CCNC_STEP_LAST; op++) {
        ck_assert_str_ne(ccnc_step_op_to_string(op), "?");
        ck_assert_str_ne(ccnc_step_op_describe(op), "?");
        ck_assert_int_eq(ccnc_step_op_from_string(ccnc_step_op_to_string(op)), op);
    }
    ck_assert_int_eq(ccnc_step_op_from_string("teleport"), -1);
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
    tcase_add_loop_test(tc, test_partial_plans, 0, (int)CCNC_ARRAY_SIZE(partial_cases));
    tcase_add_test(tc, test_notes_copied);
    tcase_add_test(tc, test_not_confirmed_does_nothing);
    tcase_add_test(tc, test_plan_text);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_due_every);
    tcase_add_test(tc, test_setup_text);
    suite_add_tcase(s, tc);
    return s;
}
