/* Shell quoting for the command lines ccnc sends to a host's login shell:
 * every argument that comes from the config, the model or the user goes
 * through here, so that a remote shell sees it as one literal word. */
#ifndef CCNC_QUOTE_H
#define CCNC_QUOTE_H

#include <stddef.h>

/* One POSIX-shell word meaning exactly arg: unchanged when it consists of
 * safe characters only, else in single quotes with each ' written as '\''.
 * The empty string becomes ''.  Caller frees. */
char *ccnc_quote_word(const char *arg);

/* argv[0..n) quoted and joined with single spaces (n may be 0: "").
 * Caller frees. */
char *ccnc_quote_argv(const char *const *argv, size_t n);

/* s percent-encoded for a URI's user or query value: letters, digits and
 * "/._~-" stay, every other byte is %XX.  Caller frees. */
char *ccnc_quote_uri(const char *s);

/* A copy of text from a host (stderr lines, versions, libssh's messages,
 * which may carry the server's words) safe to show on a terminal: control
 * characters, escape sequences included, become '?'.  NULL gives NULL.
 * Caller frees. */
char *ccnc_quote_printable(const char *text);

#endif
