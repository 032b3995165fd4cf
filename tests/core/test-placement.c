/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a VM should go (ccnc/placement.h): table-driven, each host's
 * verdict said. */

#include "config.h"

#include <string.h>

#include <ccnc/placement.h>
#include <ccnc/util.h>

#include "check-ccnc.h"

#define GIB (1024LL * 1024)
#define H(name, reach, mem_gib, vfs, storage, mig) { name, reach, (mem_gib) * GIB, vfs, storage, mig }

static const struct {
    const char *what;
    struct ccnc_place_host hosts[4];
    size_t n;
    struct ccnc_place_vm vm;
    const char *want;                 /* NULL: none */
    const char *why[4];               /* a part of each verdict */
} rows[] = {
    { "the only other host",
      { H("sys1", true, 8, 2, true, 0), H("sys2", true, 8, 2, true, 0) }, 2,
      { "vm1", "sys1", 1 * GIB, true }, "sys2", { "runs there now", "chosen: 0 migrations" } },
    { "one stale, one full, one without a free VF",
      { H("sys1", true, 8, 2, true, 0), H("sys2", false, 8, 2, true, 0),
        H("sys3", true, 0, 2, true, 0), H("sys4", true, 8, 0, true, 0) }, 4,
      { "vm1", "sys1", 1 * GIB, true }, NULL,
      { "runs there now", "not reachable", "0 MiB free, vm1 needs 1024 MiB", "no free VF" } },
    { "no free VF matters only for a pool's VM",
      { H("sys1", true, 8, 2, true, 0), H("sys2", true, 8, 0, true, 0) }, 2,
      { "vm1", "sys1", 1 * GIB, false }, "sys2", { "runs there now", "chosen" } },
    { "storage not seen",
      { H("sys1", true, 8, 2, true, 0), H("sys2", true, 8, 2, false, 0) }, 2,
      { "vm1", "sys1", 1 * GIB, false }, NULL, { "runs there now", "does not see" } },
    { "fewest migrations first, then most memory",
      { H("sys1", true, 8, 2, true, 0), H("sys2", true, 16, 2, true, 1),
        H("sys3", true, 4, 2, true, 0), H("sys4", true, 6, 2, true, 0) }, 4,
      { "vm1", "sys1", 1 * GIB, true }, "sys4",
      { "runs there now", "1 migrations running there, 0 on sys4", "4096 MiB free, 6144 on sys4",
        "chosen" } },
    { "a tie: the first in the lab's order, not by name",
      { H("sys3", true, 8, 2, true, 0), H("sys10", true, 8, 2, true, 0),
        H("sys1", true, 8, 2, true, 0), H("sys2", true, 8, 2, true, 0) }, 4,
      { "vm1", "sys1", 1 * GIB, true }, "sys3",
      { "chosen", "sys3 comes first in the lab config", "runs there", "sys3 comes first" } },
    { "free memory within 512 MiB is a tie",
      { H("sys1", true, 8, 2, true, 0), { "sys3", true, 8 * GIB + 400 * 1024, 2, true, 0 },
        H("sys2", true, 8, 2, true, 0) }, 3,
      { "vm1", "sys1", 1 * GIB, true }, "sys3", { "runs there now", "chosen",
        "sys3 comes first in the lab config" } },
    { "ties do not chain: the most memory wins over a tie's first",
      { H("sys1", true, 8, 2, true, 0), { "sys2", true, 10000 * 1024LL, 2, true, 0 },
        { "sys3", true, 10400 * 1024LL, 2, true, 0 }, { "sys4", true, 10800 * 1024LL, 2, true, 0 } },
      4, { "vm1", "sys1", 1 * GIB, true }, "sys4",
      { "runs there now", "10000 MiB free, 10800 on sys4", "10400 MiB free, 10800 on sys4",
        "chosen" } },
    { "memory not known is not held against a host",
      { H("sys1", true, 8, 2, true, 0), { "sys2", true, -1, -1, true, 0 } }, 2,
      { "vm1", "sys1", 1 * GIB, true }, "sys2", { "runs there now", "free memory not known" } },
};

START_TEST(test_place_rows)
{
    struct ccnc_place_verdict v[4];
    int got = ccnc_place(rows[_i].hosts, rows[_i].n, &rows[_i].vm, v);

    if (rows[_i].want)
        ck_assert_msg(got >= 0 && strcmp(rows[_i].hosts[got].name, rows[_i].want) == 0,
                      "%s: chose %s", rows[_i].what, got >= 0 ? rows[_i].hosts[got].name : "none");
    else
        ck_assert_msg(got == -1, "%s: chose %s", rows[_i].what, rows[_i].hosts[got].name);
    for (size_t i = 0; i < rows[_i].n; i++) {
        ck_assert_msg(strstr(v[i].why, rows[_i].why[i]) != NULL, "%s: %s: '%s', want '%s'",
                      rows[_i].what, rows[_i].hosts[i].name, v[i].why, rows[_i].why[i]);
        ck_assert(v[i].chosen == ((int)i == got));
    }
}
END_TEST

/* An evacuation of four VMs from sys1 spreads over sys2 and sys3, and the
 * one VF of sys3 goes once */
START_TEST(test_place_spread)
{
    struct ccnc_place_host hosts[] = { H("sys1", true, 8, 4, true, 0),
                                       H("sys2", true, 8, 4, true, 0),
                                       H("sys3", true, 8, 1, true, 0) };
    struct ccnc_place_vm vms[] = { { "vm1", "sys1", 1 * GIB, true }, { "vm2", "sys1", 1 * GIB, true },
                                   { "vm3", "sys1", 1 * GIB, true }, { "vm4", "sys1", 7 * GIB, true } };
    struct ccnc_place_verdict v[4 * 3];
    int chosen[4];

    ck_assert_uint_eq(ccnc_place_many(hosts, 3, vms, 4, chosen, v), 3);
    ck_assert_int_eq(chosen[0], 1);   /* a tie: sys2 first in the list */
    ck_assert_int_eq(chosen[1], 2);   /* sys2 has a migration now */
    ck_assert_int_eq(chosen[2], 1);   /* sys3's one VF is taken */
    ck_assert_ptr_nonnull(strstr(v[2 * 3 + 2].why, "no free VF"));
    ck_assert_int_eq(chosen[3], -1);  /* 7 GiB: sys2 has 6 left, sys3 no VF */
    ck_assert_ptr_nonnull(strstr(v[3 * 3 + 1].why, "6144 MiB free, vm4 needs 7168 MiB"));
    ck_assert_int_eq(hosts[1].migrations, 2);
    ck_assert_int_eq(hosts[2].free_vfs, 0);
}
END_TEST

Suite *
ccnc_placement_suite(void)
{
    Suite *s = suite_create("placement");
    TCase *tc = tcase_create("rules");

    tcase_add_loop_test(tc, test_place_rows, 0, (int)CCNC_ARRAY_SIZE(rows));
    tcase_add_test(tc, test_place_spread);
    suite_add_tcase(s, tc);
    return s;
}
