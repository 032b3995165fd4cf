/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a whole file, with the reason in an error when it cannot be read
 * (util.c stays below error.c: it knows nothing of errors). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ccnc/error.h>
#include <ccnc/util.h>

#include "core/i18n.h"

char *
ccnc_file_read(const char *path, size_t max, size_t *len, struct ccnc_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int e;

    if (!f) {
        if (errno == ENOENT)
            ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("no such file"));
        else
            ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot open: %s"), strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = ccnc_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            ccnc_error_set_at(err, CCNC_ERR_IO, path, 0,
                              dngettext(PACKAGE, "the file is larger than %zu byte",
                                        "the file is larger than %zu bytes", max),
                              max);
            goto fail;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        e = errno;
        ccnc_error_set_at(err, CCNC_ERR_IO, path, 0, _("cannot read: %s"), strerror(e));
        goto fail;
    }
    if (!is_stdin)
        fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
fail:
    if (!is_stdin)
        fclose(f);
    free(buf);
    return NULL;
}
