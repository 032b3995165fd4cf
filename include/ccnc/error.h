/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Failures as data: an error is a value that can be stored in a snapshot,
 * shown by the UI, printed by the CLI or written to a run file. */
#ifndef CCNC_ERROR_H
#define CCNC_ERROR_H

#include <ccnc/util.h>

enum ccnc_error_code {
    CCNC_ERR_NONE = 0,
    CCNC_ERR_IO,         /* reading or writing a file failed */
    CCNC_ERR_CONFIG,     /* the lab config is wrong */
    CCNC_ERR_USAGE,      /* the command line is wrong */
    CCNC_ERR_PARSE,      /* data from a host or a file could not be read */
    CCNC_ERR_CONNECT,    /* a host could not be reached */
    CCNC_ERR_AUTH,       /* authentication failed */
    CCNC_ERR_HOSTKEY,    /* a host key is unknown or changed */
    CCNC_ERR_LIBVIRT,    /* libvirt said no */
    CCNC_ERR_TIMEOUT,    /* a bounded wait ran out */
    CCNC_ERR_INTERNAL,
    CCNC_ERR_UNAVAILABLE, /* what is needed is not there, or taken (a free VF) */
    CCNC_ERR_REFUSED,    /* the plan refuses: the VM's state does not allow the action */
    CCNC_ERR_LAST
};

/* An error: a translated, complete sentence plus where it came from.  The
 * file and line are set for errors about a file (config, dumps). */
struct ccnc_error {
    enum ccnc_error_code code;
    char *file;     /* owned, may be NULL */
    int line;       /* 0 when not about a line */
    char *message;  /* owned, translated */
};

/* Fill err (which may be NULL: then the error is dropped). Any previous
 * message in err is freed.  Always returns -1 so callers can
 * 'return ccnc_error_set(...)'. */
int ccnc_error_set(struct ccnc_error *err, enum ccnc_error_code code,
                   const char *fmt, ...) CCNC_PRINTF(3, 4);
int ccnc_error_set_at(struct ccnc_error *err, enum ccnc_error_code code,
                      const char *file, int line, const char *fmt, ...) CCNC_PRINTF(5, 6);
/* Release what err holds and zero it; err itself is the caller's. */
void ccnc_error_clear(struct ccnc_error *err);
/* Copy src into dst (dst cleared first). */
void ccnc_error_copy(struct ccnc_error *dst, const struct ccnc_error *src);
/* "file:line: message", "file: message" or "message"; caller frees. */
char *ccnc_error_format(const struct ccnc_error *err);
const char *ccnc_error_code_to_string(enum ccnc_error_code code);

#endif
