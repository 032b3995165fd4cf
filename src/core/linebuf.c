/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines out of a stream that arrives in pieces (linebuf.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ccnc/util.h>

#include "core/linebuf.h"

int
ccnc_linebuf_feed(struct ccnc_linebuf *lb, const char *buf, size_t n, ccnc_linebuf_cb cb,
                  void *data)
{
    size_t start = 0;
    int rc = 0;

    if (lb->n + n + 1 > lb->cap) {
        lb->cap = (lb->n + n + 1) * 2;
        lb->buf = ccnc_xrealloc(lb->buf, lb->cap);
    }
    memcpy(lb->buf + lb->n, buf, n);
    lb->n += n;
    /* only the new bytes can hold the next '\n': what was looked at
     * before had none */
    while (lb->scanned < lb->n) {
        char *nl = memchr(lb->buf + lb->scanned, '\n', lb->n - lb->scanned);
        size_t end = nl ? (size_t)(nl - lb->buf) : lb->n;

        lb->examined += end - lb->scanned + (nl ? 1 : 0);
        if (!nl) {
            lb->scanned = lb->n;
            break;
        }
        if (lb->max && end - start > lb->max) {
            rc = -1;
            break;
        }
        *nl = '\0';
        lb->scanned = end + 1;
        {
            size_t from = start;
            start = end + 1;
            if (!cb(data, lb->buf + from, end - from))
                break;
        }
    }
    if (start) {
        memmove(lb->buf, lb->buf + start, lb->n - start);
        lb->n -= start;
        lb->scanned -= start;
    }
    /* the line still open (all of it looked at) is already too long */
    if (rc == 0 && lb->max && lb->scanned == lb->n && lb->n > lb->max)
        rc = -1;
    return rc;
}

char *
ccnc_linebuf_rest(struct ccnc_linebuf *lb, size_t *len)
{
    if (!lb->n)
        return NULL;
    lb->buf[lb->n] = '\0';
    *len = lb->n;
    lb->n = lb->scanned = 0;
    return lb->buf;
}

void
ccnc_linebuf_clear(struct ccnc_linebuf *lb)
{
    free(lb->buf);
    memset(lb, 0, sizeof(*lb));
}
