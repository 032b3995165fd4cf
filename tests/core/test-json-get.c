/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The json-c member getters: for every type, a missing key, a value of
 * another type, null and a present value, each against a default that no
 * member holds, so that a getter that answered anything else would fail. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <ccnc/agent-proto.h>
#include <ccnc/util.h>

#include "check-ccnc.h"
#include "core/json-get.h"

static const char doc[] =
    "{\"s\":\"text\",\"empty\":\"\",\"five\":\"5\",\"true_s\":\"true\","
    "\"i\":42,\"neg\":-7,\"big\":9007199254740993,\"zero\":0,\"one\":1,"
    "\"d\":2.5,\"t\":true,\"f\":false,\"n\":null,"
    "\"o\":{\"k\":1},\"oe\":{},\"a\":[1,2],\"op\":\"vf-set\",\"frob\":\"frob\","
    "\"nul\":\"a\\u0000bc\"}";

static json_object *root;

static void
setup(void)
{
    root = json_tokener_parse(doc);
    ck_assert_ptr_nonnull(root);
}

static void
teardown(void)
{
    json_object_put(root);
    root = NULL;
}

#define MISSING CCNC_JSON_FIELD_MISSING
#define WRONG CCNC_JSON_FIELD_WRONG_TYPE
#define OK CCNC_JSON_FIELD_OK

/* --- integers --------------------------------------------------------------- */

static const struct {
    const char *key;
    enum ccnc_json_field field;
    long long value;   /* ccnc_json_get_int(root, key, -99) */
} ints[] = {
    { "nope", MISSING, -99 },
    { "n", WRONG, -99 },
    { "s", WRONG, -99 },
    { "five", WRONG, -99 },   /* a string of digits is not a number */
    { "d", WRONG, -99 },      /* nor is a double an integer */
    { "t", WRONG, -99 },      /* nor a boolean */
    { "f", WRONG, -99 },
    { "o", WRONG, -99 },
    { "a", WRONG, -99 },
    { "i", OK, 42 },
    { "neg", OK, -7 },
    { "zero", OK, 0 },
    { "big", OK, 9007199254740993LL },
};

START_TEST(test_int)
{
    long long n = -12345;

    ck_assert_int_eq(ccnc_json_get_int(root, ints[_i].key, -99), ints[_i].value);
    /* the default is the caller's, not a fixed one */
    ck_assert_int_eq(ccnc_json_get_int(root, ints[_i].key, 77),
                     ints[_i].field == OK ? ints[_i].value : 77);
    ck_assert_int_eq(ccnc_json_find_int(root, ints[_i].key, &n), ints[_i].field);
    /* found: the value; not found: out untouched */
    ck_assert_int_eq(n, ints[_i].field == OK ? ints[_i].value : -12345);
}
END_TEST

/* --- booleans --------------------------------------------------------------- */

static const struct {
    const char *key;
    enum ccnc_json_field field;
    bool value;        /* meaningful when field is OK */
} bools[] = {
    { "nope", MISSING, false },
    { "n", WRONG, false },
    { "one", WRONG, false },     /* 1 is not true */
    { "zero", WRONG, false },
    { "true_s", WRONG, false },  /* "true" is not true */
    { "empty", WRONG, false },
    { "o", WRONG, false },
    { "t", OK, true },
    { "f", OK, false },
};

START_TEST(test_bool)
{
    const char *key = bools[_i].key;
    bool b = true;

    if (bools[_i].field == OK) {
        /* the same answer whatever the default */
        ck_assert(ccnc_json_get_bool(root, key, false) == bools[_i].value);
        ck_assert(ccnc_json_get_bool(root, key, true) == bools[_i].value);
    } else {
        /* the default, whichever it is */
        ck_assert(!ccnc_json_get_bool(root, key, false));
        ck_assert(ccnc_json_get_bool(root, key, true));
    }
    ck_assert_int_eq(ccnc_json_find_bool(root, key, &b), bools[_i].field);
    if (bools[_i].field == OK)
        ck_assert(b == bools[_i].value);
    else
        ck_assert(b);   /* untouched */
    b = false;
    ccnc_json_find_bool(root, key, &b);
    ck_assert(b == (bools[_i].field == OK && bools[_i].value));
}
END_TEST

/* --- strings ---------------------------------------------------------------- */

static const struct {
    const char *key;
    enum ccnc_json_field field;
    const char *value; /* NULL: not found */
} strs[] = {
    { "nope", MISSING, NULL },
    { "n", WRONG, NULL },
    { "i", WRONG, NULL },     /* 42 is not "42" */
    { "t", WRONG, NULL },
    { "d", WRONG, NULL },
    { "o", WRONG, NULL },
    { "a", WRONG, NULL },
    { "s", OK, "text" },
    { "five", OK, "5" },
    { "empty", OK, "" },      /* empty, but a string */
};

START_TEST(test_str)
{
    const char *key = strs[_i].key, *want = strs[_i].value;
    const char *got = ccnc_json_get_str(root, key), *found = "untouched";
    char *dup = ccnc_json_dup_str(root, key);
    size_t len = 999;

    if (want) {
        ck_assert_str_eq(got, want);
        ck_assert_str_eq(dup, want);
        ck_assert_ptr_ne(dup, got);   /* a copy, not the borrowed one */
    } else {
        ck_assert_ptr_null(got);
        ck_assert_ptr_null(dup);
    }
    free(dup);
    ck_assert_int_eq(ccnc_json_find_str(root, key, &found, NULL), strs[_i].field);
    ck_assert_str_eq(found, want ? want : "untouched");
    found = "untouched";
    ck_assert_int_eq(ccnc_json_find_str(root, key, &found, &len), strs[_i].field);
    ck_assert_str_eq(found, want ? want : "untouched");
    ck_assert_uint_eq(len, want ? strlen(want) : 999);
}
END_TEST

/* The length is the string's, not strlen's: a NUL inside does not end it. */
START_TEST(test_str_nul)
{
    const char *s = NULL;
    size_t len = 0;

    ck_assert_int_eq(ccnc_json_find_str(root, "nul", &s, &len), OK);
    ck_assert_uint_eq(len, 4);
    ck_assert_uint_eq(strlen(s), 1);
    ck_assert_str_eq(ccnc_json_get_str(root, "nul"), "a");
}
END_TEST

/* --- numbers ---------------------------------------------------------------- */

static const struct {
    const char *key;
    double value;      /* ccnc_json_get_double(root, key, -99.5) */
} doubles[] = {
    { "nope", -99.5 },
    { "n", -99.5 },
    { "s", -99.5 },
    { "five", -99.5 },
    { "t", -99.5 },
    { "o", -99.5 },
    { "d", 2.5 },
    { "i", 42.0 },     /* an integer is a number */
    { "zero", 0.0 },
    { "neg", -7.0 },
};

START_TEST(test_double)
{
    double v = doubles[_i].value;

    ck_assert_double_eq(ccnc_json_get_double(root, doubles[_i].key, -99.5), v);
    ck_assert_double_eq(ccnc_json_get_double(root, doubles[_i].key, 8.0), v == -99.5 ? 8.0 : v);
}
END_TEST

/* --- enums, objects, arrays ------------------------------------------------- */

START_TEST(test_enum)
{
    int (*from)(const char *) = ccnc_agent_op_from_string;

    ck_assert_int_eq(ccnc_json_get_enum(root, "op", from, -5), CCNC_AGENT_OP_VF_SET);
    ck_assert_int_eq(ccnc_json_get_enum(root, "frob", from, -5), -5);   /* an unknown name */
    ck_assert_int_eq(ccnc_json_get_enum(root, "empty", from, -5), -5);
    ck_assert_int_eq(ccnc_json_get_enum(root, "nope", from, -5), -5);
    ck_assert_int_eq(ccnc_json_get_enum(root, "n", from, -5), -5);
    ck_assert_int_eq(ccnc_json_get_enum(root, "i", from, -5), -5);
    ck_assert_int_eq(ccnc_json_get_enum(root, "zero", from, 3), 3);   /* 0 is not the 0th name */
}
END_TEST

START_TEST(test_object_array)
{
    json_object *o = ccnc_json_get_object(root, "o");

    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(ccnc_json_get_int(o, "k", -1), 1);
    ck_assert_ptr_nonnull(ccnc_json_get_object(root, "oe"));
    ck_assert_ptr_eq(ccnc_json_get_array(root, "a"), json_object_object_get(root, "a"));
    ck_assert_uint_eq(json_object_array_length(ccnc_json_get_array(root, "a")), 2);
    ck_assert_ptr_null(ccnc_json_get_object(root, "nope"));
    ck_assert_ptr_null(ccnc_json_get_object(root, "n"));
    ck_assert_ptr_null(ccnc_json_get_object(root, "a"));   /* an array is not an object */
    ck_assert_ptr_null(ccnc_json_get_object(root, "s"));
    ck_assert_ptr_null(ccnc_json_get_array(root, "o"));    /* nor an object an array */
    ck_assert_ptr_null(ccnc_json_get_array(root, "nope"));
    ck_assert_ptr_null(ccnc_json_get_array(root, "n"));
    ck_assert_ptr_null(ccnc_json_get_array(root, "i"));
}
END_TEST

/* A container that is NULL or not an object has no members at all. */
START_TEST(test_not_an_object)
{
    json_object *arr = ccnc_json_get_array(root, "a");
    json_object *num = json_object_object_get(root, "i");
    json_object *where[] = { NULL, arr, num };
    long long n = -3;
    bool b = true;
    const char *s = "untouched";

    for (size_t i = 0; i < CCNC_ARRAY_SIZE(where); i++) {
        ck_assert_ptr_null(ccnc_json_get_str(where[i], "s"));
        ck_assert_ptr_null(ccnc_json_dup_str(where[i], "s"));
        ck_assert_int_eq(ccnc_json_get_int(where[i], "i", -99), -99);
        ck_assert(ccnc_json_get_bool(where[i], "t", false) == false);
        ck_assert_double_eq(ccnc_json_get_double(where[i], "d", -1.0), -1.0);
        ck_assert_int_eq(ccnc_json_get_enum(where[i], "op", ccnc_agent_op_from_string, -5), -5);
        ck_assert_ptr_null(ccnc_json_get_object(where[i], "o"));
        ck_assert_ptr_null(ccnc_json_get_array(where[i], "a"));
        ck_assert_int_eq(ccnc_json_find_int(where[i], "i", &n), MISSING);
        ck_assert_int_eq(ccnc_json_find_bool(where[i], "t", &b), MISSING);
        ck_assert_int_eq(ccnc_json_find_str(where[i], "s", &s, NULL), MISSING);
    }
    ck_assert_int_eq(n, -3);
    ck_assert(b);
    ck_assert_str_eq(s, "untouched");
}
END_TEST

/* ccnc_json_new_fixed: the text json-c writes, and the value read back. */
static const struct {
    double v;
    int places;
    const char *text; /* NULL: null */
    double back;
} fixed[] = {
    { 0.003, 3, "0.003", 0.003 },          /* json-c alone: 0.0030000000000000001 */
    { 1.1494999, 3, "1.149", 1.149 },
    { 0.93, 3, "0.93", 0.93 },             /* trailing zeros dropped */
    { 2.0, 3, "2", 2.0 },
    { 0.0004, 3, "0", 0.0 },
    { -0.0004, 3, "0", 0.0 },              /* no "-0" */
    { -1.25, 1, "-1.3", -1.3 },            /* half away from zero */
    { 12.5, 0, "13", 13.0 },
    { 7.123456789, 9, "7.123457", 7.123457 }, /* at most 6 places */
    { 3.7, -2, "4", 4.0 },
    { NAN, 3, NULL, 0.0 },
    { INFINITY, 3, NULL, 0.0 },
};

START_TEST(test_fixed)
{
    json_object *o = ccnc_json_new_fixed(fixed[_i].v, fixed[_i].places);

    if (!fixed[_i].text) {
        ck_assert_ptr_null(o);
        return;
    }
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_object_to_json_string(o), fixed[_i].text);
    ck_assert_double_eq_tol(json_object_get_double(o), fixed[_i].back, 1e-9);
    json_object_put(o);
}
END_TEST

Suite *
ccnc_json_get_suite(void)
{
    Suite *s = suite_create("json-get");
    TCase *tc = tcase_create("getters");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_int, 0, (int)CCNC_ARRAY_SIZE(ints));
    tcase_add_loop_test(tc, test_bool, 0, (int)CCNC_ARRAY_SIZE(bools));
    tcase_add_loop_test(tc, test_str, 0, (int)CCNC_ARRAY_SIZE(strs));
    tcase_add_test(tc, test_str_nul);
    tcase_add_loop_test(tc, test_double, 0, (int)CCNC_ARRAY_SIZE(doubles));
    tcase_add_test(tc, test_enum);
    tcase_add_test(tc, test_object_array);
    tcase_add_test(tc, test_not_an_object);
    tcase_add_loop_test(tc, test_fixed, 0, (int)CCNC_ARRAY_SIZE(fixed));
    suite_add_tcase(s, tc);
    return s;
}
