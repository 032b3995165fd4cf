/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one set of json-c member getters (src/core/json-get.h): every reader
 * answers the same for a missing, null or mistyped member. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include <json-c/json.h>

#include <ccnc/util.h>

#include "core/json-get.h"

/* json_object_object_get_ex() answers false for a NULL o and for one that
 * is not an object, so those read as missing without a check of their own;
 * a null value is found with *v NULL, which is of no type asked for here. */
static enum ccnc_json_field
find(json_object *o, const char *key, json_type type, json_object **v)
{
    if (!json_object_object_get_ex(o, key, v))
        return CCNC_JSON_FIELD_MISSING;
    return *v && json_object_is_type(*v, type) ? CCNC_JSON_FIELD_OK
                                               : CCNC_JSON_FIELD_WRONG_TYPE;
}

enum ccnc_json_field
ccnc_json_find_int(json_object *o, const char *key, long long *out)
{
    json_object *v;
    enum ccnc_json_field f = find(o, key, json_type_int, &v);

    if (f == CCNC_JSON_FIELD_OK)
        *out = json_object_get_int64(v);
    return f;
}

enum ccnc_json_field
ccnc_json_find_bool(json_object *o, const char *key, bool *out)
{
    json_object *v;
    enum ccnc_json_field f = find(o, key, json_type_boolean, &v);

    if (f == CCNC_JSON_FIELD_OK)
        *out = json_object_get_boolean(v);
    return f;
}

enum ccnc_json_field
ccnc_json_find_str(json_object *o, const char *key, const char **out, size_t *len)
{
    json_object *v;
    enum ccnc_json_field f = find(o, key, json_type_string, &v);

    if (f == CCNC_JSON_FIELD_OK) {
        *out = json_object_get_string(v);
        if (len)
            *len = (size_t)json_object_get_string_len(v);
    }
    return f;
}

const char *
ccnc_json_get_str(json_object *o, const char *key)
{
    const char *s = NULL;

    ccnc_json_find_str(o, key, &s, NULL);
    return s;
}

char *
ccnc_json_dup_str(json_object *o, const char *key)
{
    return ccnc_xstrdup(ccnc_json_get_str(o, key));
}

long long
ccnc_json_get_int(json_object *o, const char *key, long long dflt)
{
    long long n = dflt;

    ccnc_json_find_int(o, key, &n);
    return n;
}

bool
ccnc_json_get_bool(json_object *o, const char *key, bool dflt)
{
    bool b = dflt;

    ccnc_json_find_bool(o, key, &b);
    return b;
}

double
ccnc_json_get_double(json_object *o, const char *key, double dflt)
{
    json_object *v;

    if (find(o, key, json_type_double, &v) == CCNC_JSON_FIELD_OK ||
        find(o, key, json_type_int, &v) == CCNC_JSON_FIELD_OK)
        return json_object_get_double(v);
    return dflt;
}

int
ccnc_json_get_enum(json_object *o, const char *key, int (*from_string)(const char *), int dflt)
{
    const char *s = ccnc_json_get_str(o, key);
    int e = s ? from_string(s) : -1;

    return e < 0 ? dflt : e;
}

json_object *
ccnc_json_get_object(json_object *o, const char *key)
{
    json_object *v;

    return find(o, key, json_type_object, &v) == CCNC_JSON_FIELD_OK ? v : NULL;
}

json_object *
ccnc_json_get_array(json_object *o, const char *key)
{
    json_object *v;

    return find(o, key, json_type_array, &v) == CCNC_JSON_FIELD_OK ? v : NULL;
}

json_object *
ccnc_json_new_fixed(double v, int places)
{
    static const long long scale[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
    char text[48];
    double r;
    long long n, whole, frac;
    int p;
    const char *sign;

    if (!isfinite(v))
        return NULL;
    places = places < 0 ? 0 : places > 6 ? 6 : places;
    r = round(fabs(v) * (double)scale[places]);
    if (r >= 9.0e15) /* beyond the integers a double holds exactly */
        return json_object_new_double(v);
    n = (long long)r;
    whole = n / scale[places];
    frac = n % scale[places];
    for (p = places; p > 0 && frac % 10 == 0; p--)
        frac /= 10;
    sign = v < 0 && n > 0 ? "-" : "";
    if (p > 0)
        snprintf(text, sizeof(text), "%s%lld.%0*lld", sign, whole, p, frac);
    else
        snprintf(text, sizeof(text), "%s%lld", sign, whole);
    return json_object_new_double_s((*sign ? -1.0 : 1.0) * (double)n / (double)scale[places],
                                    text);
}
