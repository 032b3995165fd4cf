/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines out of a byte stream that arrives in pieces, as a remote command's
 * stdout or stderr does: each byte is looked at once for its '\n', however
 * the pieces are cut, and a line may not grow past a limit. */
#ifndef CCNC_LINEBUF_H
#define CCNC_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

struct ccnc_linebuf {
    char *buf;
    size_t n, cap;
    size_t scanned;            /* buf[0, scanned) holds no '\n' of an undelivered line */
    size_t max;                /* the longest line taken (without its '\n'); 0: no limit */
    unsigned long long examined;   /* bytes looked at for '\n' so far (for tests) */
};

/* One complete line, NUL-terminated in place, without its '\n'; the text
 * is the buffer's (valid while the callback runs).  Return false to stop:
 * the lines after it wait for the next feed. */
typedef bool (*ccnc_linebuf_cb)(void *data, char *line, size_t len);

/* Append buf[0, n) and hand each complete line to cb.  -1 when a line
 * (complete or not) is longer than max: nothing more is delivered and the
 * stream should be given up; else 0. */
int ccnc_linebuf_feed(struct ccnc_linebuf *lb, const char *buf, size_t n, ccnc_linebuf_cb cb,
                      void *data);
/* What is left (a last line without '\n'), NUL-terminated, and its length
 * in *len; NULL when nothing is.  It stays the buffer's until the next call. */
char *ccnc_linebuf_rest(struct ccnc_linebuf *lb, size_t *len);
void ccnc_linebuf_clear(struct ccnc_linebuf *lb);

#endif
