/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the /proc/net/bonding parser: any bytes either give
 * a bond or an error, without crashing or leaking. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <ccnc/bonding.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ccnc_bond bond;
    struct ccnc_error err = { 0 };

    ccnc_bond_init(&bond);
    (void)ccnc_bonding_parse_proc("bond0", (const char *)data, size, &bond, &err);
    ccnc_bond_clear(&bond);
    ccnc_error_clear(&err);
    return 0;
}
