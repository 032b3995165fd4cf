/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the agent's request reader: any line either gives a
 * request or an error reply, without crashing or leaking. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "agent/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ccnc_proto_request req;
    struct ccnc_error err = { 0 };
    char *reply;

    if (ccnc_proto_parse_request((const char *)data, size, &req, &err) < 0)
        reply = ccnc_proto_reply_error(&req, err.message);
    else
        reply = ccnc_proto_reply_ok(&req, -1);
    free(reply);
    ccnc_proto_request_clear(&req);
    ccnc_error_clear(&err);
    return 0;
}
