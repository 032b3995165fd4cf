/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors as values (struct ccnc_error): set, copy, format. */
#include "config.h"

#include <stdlib.h>

#include <ccnc/error.h>
#include <ccnc/util.h>

#include "core/i18n.h"

static const char *const code_names[CCNC_ERR_LAST] = {
    "none", "io", "config", "usage", "parse", "connect", "auth",
    "hostkey", "libvirt", "timeout", "internal", "unavailable", "refused",
};

const char *
ccnc_error_code_to_string(enum ccnc_error_code code)
{
    return ccnc_enum_to_string(code_names, CCNC_ERR_LAST, (int)code, "internal");
}

static int error_vset(struct ccnc_error *err, enum ccnc_error_code code, const char *file,
                      int line, const char *fmt, va_list ap) CCNC_PRINTF(5, 0);

static int
error_vset(struct ccnc_error *err, enum ccnc_error_code code, const char *file,
           int line, const char *fmt, va_list ap)
{
    char *msg;

    if (!err)
        return -1;
    msg = ccnc_xvasprintf(fmt, ap);
    ccnc_error_clear(err);
    err->code = code;
    err->file = ccnc_xstrdup(file);
    err->line = line;
    err->message = msg;
    return -1;
}

int
ccnc_error_set(struct ccnc_error *err, enum ccnc_error_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vset(err, code, NULL, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int
ccnc_error_set_at(struct ccnc_error *err, enum ccnc_error_code code,
                  const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vset(err, code, file, line, fmt, ap);
    va_end(ap);
    return -1;
}

void
ccnc_error_clear(struct ccnc_error *err)
{
    if (!err)
        return;
    free(err->file);
    free(err->message);
    err->file = NULL;
    err->message = NULL;
    err->line = 0;
    err->code = CCNC_ERR_NONE;
}

void
ccnc_error_copy(struct ccnc_error *dst, const struct ccnc_error *src)
{
    ccnc_error_clear(dst);
    dst->code = src->code;
    dst->file = ccnc_xstrdup(src->file);
    dst->line = src->line;
    dst->message = ccnc_xstrdup(src->message);
}

char *
ccnc_error_format(const struct ccnc_error *err)
{
    const char *msg = err->message ? err->message : _("unknown error");

    if (err->file && err->line > 0)
        return ccnc_xasprintf("%s:%d: %s", err->file, err->line, msg);
    if (err->file)
        return ccnc_xasprintf("%s: %s", err->file, msg);
    return ccnc_xstrdup(msg);
}
