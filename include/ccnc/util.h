/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every part of ccnc uses: allocation that never returns NULL,
 * string building, and growable arrays.  Out of memory is fatal here, so the
 * rest of the code has one failure mode less to carry. */
#ifndef CCNC_UTIL_H
#define CCNC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CCNC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define CCNC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CCNC_NORETURN __attribute__((noreturn))
#define CCNC_FALLTHROUGH __attribute__((fallthrough))
#else
#define CCNC_FALLTHROUGH
#define CCNC_PRINTF(f, a)
#define CCNC_NORETURN
#endif

/* Abort with a message on allocation failure; never return NULL. */
void *ccnc_xmalloc(size_t size);
void *ccnc_xcalloc(size_t n, size_t size);
void *ccnc_xrealloc(void *ptr, size_t size);
void *ccnc_xreallocarray(void *ptr, size_t n, size_t size);
/* NULL in, NULL out. */
char *ccnc_xstrdup(const char *s);
char *ccnc_xstrndup(const char *s, size_t n);
char *ccnc_xasprintf(const char *fmt, ...) CCNC_PRINTF(1, 2);
char *ccnc_xvasprintf(const char *fmt, va_list ap) CCNC_PRINTF(1, 0);
/* Append the formatted text to the string *s (NULL: empty), which it
 * reallocates. */
void ccnc_str_appendf(char **s, const char *fmt, ...) CCNC_PRINTF(2, 3);

/* Grow *items (of *n used, *cap allocated) so that one more fits; return a
 * pointer to the new zeroed slot and count it in *n.  cap NULL: the array
 * keeps no spare room and grows by exactly one. */
void *ccnc_array_push(void *items_ptr, size_t *n, size_t *cap, size_t size);

/* Both may be NULL; NULL equals NULL only. */
bool ccnc_streq(const char *a, const char *b);

/* The median of v[0..n) (n > 0), which it sorts. */
double ccnc_median(double *v, size_t n);
/* $ENV/ccnc/REL when the XDG variable env holds an absolute path, else
 * $HOME/HOME_DIR/ccnc/REL ("XDG_STATE_HOME", ".local/state", "runs").
 * Caller frees. */
char *ccnc_xdg_path(const char *env, const char *home_dir, const char *rel);
/* mkdir -p with mode for what it makes; -1 and errno. */
int ccnc_mkdir_p(const char *path, unsigned mode);

/* Replace *dst by a copy of src (freeing the old value). */
void ccnc_str_set(char **dst, const char *src);

/* Wall-clock milliseconds as UTC ISO 8601 with milliseconds into buf. */
#define CCNC_ISO_TIME_LEN 64
void ccnc_format_iso_ms(char buf[CCNC_ISO_TIME_LEN], long long ms);

/* Something slow is said once it has lasted every_ms, and again each time
 * it has lasted another every_ms: true when elapsed_ms has reached a whole
 * multiple of every_ms beyond *said (start it at 0), which becomes that
 * multiple. */
bool ccnc_due_every(long long elapsed_ms, long long every_ms, long long *said);

/* Monotonic and wall clock in milliseconds. */
long long ccnc_now_mono_ms(void);
long long ccnc_now_mono_us(void);
/* The wall-clock time seconds from now: a deadline for pthread's timed waits. */
struct timespec ccnc_deadline_s(int seconds);
struct timespec ccnc_deadline_ms(long long ms);
long long ccnc_now_wall_ms(void);

struct ccnc_error;
/* The whole file at path ("-": standard input), NUL-terminated, at most max
 * bytes.  NULL and err filled (CCNC_ERR_IO, with the path) when it cannot
 * be read or is larger.  Caller frees. */
char *ccnc_file_read(const char *path, size_t max, size_t *len, struct ccnc_error *err);

/* Look up a name in a NULL-terminated-or-sized string table; -1 when absent. */
int ccnc_enum_from_string(const char *const *table, int n, const char *s);
/* table[v], or fallback when v is outside the table's n names. */
const char *ccnc_enum_to_string(const char *const *table, int n, int v, const char *fallback);

/* The copyright and licence lines --version prints under the program's name
 * and version, translated. */
const char *ccnc_licence_notice(void);

#endif
