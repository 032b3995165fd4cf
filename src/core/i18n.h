/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message translation for ccnc's own programs (never included by headers
 * under include/, which stay free of gettext). */
#ifndef CCNC_I18N_H
#define CCNC_I18N_H

/* _() for a message, and for a message with a count
 * dngettext(PACKAGE, "%d VF", "%d VFs", n), which xgettext finds by itself.
 * Without NLS both are English: the message, and its two forms. */
#if defined(ENABLE_NLS) && ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PACKAGE, s)
#else
#define _(s) (s)
#define dngettext(domain, s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) (s)

/* Bind the text domain and set the locale; call once from main(). */
void ccnc_i18n_init(void);

#endif
