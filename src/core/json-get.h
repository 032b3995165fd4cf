/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the members of json-c objects, with one rule for every reader in
 * ccnc (the model, run files, both ends of the agent protocol):
 *
 *   A member is found when o is an object holding key with a value of the
 *   type asked for.  In every other case -- o NULL or not an object, no such
 *   key, the value null, or a value of another type -- a getter returns
 *   the default its caller passes (NULL for strings, objects and arrays).
 *   Nothing is converted: 1 is not true, "5" is not 5, 5 is not "5"; only
 *   ccnc_json_get_double takes an integer, as a number.
 *
 * A reader that must tell those cases apart (to refuse a request and say
 * which field is wrong) uses the ccnc_json_find_* ones, which follow the
 * same rule and say which case it was.  Borrowed results live as long as o.
 * No state: any thread may call these, on objects it alone uses. */
#ifndef CCNC_JSON_GET_H
#define CCNC_JSON_GET_H

#include <stdbool.h>

#include <json-c/json.h>

/* The string (borrowed), or NULL. */
const char *ccnc_json_get_str(json_object *o, const char *key);
/* A copy of the string (the caller frees it), or NULL. */
char *ccnc_json_dup_str(json_object *o, const char *key);
/* An integer, or dflt.  Not a double, not a boolean. */
long long ccnc_json_get_int(json_object *o, const char *key, long long dflt);
/* true or false, or dflt.  Not 0/1, not a string. */
bool ccnc_json_get_bool(json_object *o, const char *key, bool dflt);
/* A number (a double or an integer), or dflt. */
double ccnc_json_get_double(json_object *o, const char *key, double dflt);
/* from_string(the string) when that is >= 0; dflt when the member is not a
 * string or from_string does not know it (returns < 0). */
int ccnc_json_get_enum(json_object *o, const char *key, int (*from_string)(const char *),
                       int dflt);
/* The object or array member (borrowed), or NULL. */
json_object *ccnc_json_get_object(json_object *o, const char *key);
json_object *ccnc_json_get_array(json_object *o, const char *key);

/* Which case a member is in; *out is set only for CCNC_JSON_FIELD_OK. */
enum ccnc_json_field {
    CCNC_JSON_FIELD_MISSING,     /* no such key (or o is NULL or not an object) */
    CCNC_JSON_FIELD_WRONG_TYPE,  /* the key is there, its value null or of another type */
    CCNC_JSON_FIELD_OK,          /* there, of the type asked for */
};
enum ccnc_json_field ccnc_json_find_int(json_object *o, const char *key, long long *out);
enum ccnc_json_field ccnc_json_find_bool(json_object *o, const char *key, bool *out);
/* *out borrowed.  len may be NULL; else the string's length in bytes,
 * which counts any NUL inside it ("a\u0000b" is 3 bytes, strlen 1). */
enum ccnc_json_field ccnc_json_find_str(json_object *o, const char *key, const char **out,
                                        size_t *len);

/* A new number holding v, written with at most places decimals (0 to 6),
 * trailing zeros dropped, and '.' whatever the locale: json-c writes a
 * double with 17 significant digits ("dirty_share":0.0030000000000000001).
 * NULL (null in the text) when v is not finite. */
json_object *ccnc_json_new_fixed(double v, int places);

#endif
