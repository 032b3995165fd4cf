/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the lab config parser: any bytes either load a lab
 * or give file:line errors, without crashing or leaking. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <ccnc/lab.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ccnc_error errs[4] = { 0 };
    size_t n = 0;
    struct ccnc_lab *lab = ccnc_lab_load_text("fuzz.conf", (const char *)data, size, errs, 4,
                                              &n);

    ccnc_lab_unref(lab);
    for (size_t i = 0; i < n && i < 4; i++)
        ccnc_error_clear(&errs[i]);
    return 0;
}
