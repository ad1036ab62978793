// A module using the C library: qsort(), snprintf() and strtod().
//   textutil.sort_ints([3, 1, 2]) -> [1, 2, 3]          (qsort on a C array)
//   textutil.fmt(3.14159, 2)      -> '3.14'             (snprintf; arguments parsed the CPython way:
//   textutil.fmt(2.5, digits=3)   -> '2.500'             mp_pyarg_parse_tuple_and_keywords: docs/pyarg.md)
//   textutil.parse('2.5e3 rest')  -> (2500.0, ' rest')  (strtod)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mp_pyarg.h"

static int cmp_int(const void *a, const void *b) {
    mp_int_t x = *(const mp_int_t *)a, y = *(const mp_int_t *)b;
    return (x > y) - (x < y);
}

static mp_obj_t textutil_sort_ints(mp_obj_t seq) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(seq, &n, &items);
    mp_int_t *v = m_new(mp_int_t, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        v[i] = mp_obj_get_int(items[i]);
    }
    qsort(v, n, sizeof(mp_int_t), cmp_int);
    mp_obj_t out = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < n; i++) {
        mp_obj_list_append(out, mp_obj_new_int(v[i]));
    }
    m_del(mp_int_t, v, n ? n : 1);
    return out;
}
static MP_DEFINE_CONST_FUN_OBJ_1(textutil_sort_ints_obj, textutil_sort_ints);

static mp_obj_t textutil_fmt(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    static const char *const keywords[] = { "x", "digits", NULL };
    double x;
    int digits = 6; // the default of an optional argument is what its C variable holds
    mp_pyarg_parse_tuple_and_keywords(n_args, args, kw_args, "d|i:fmt", keywords, &x, &digits);
    char buf[48];
    int n = snprintf(buf, sizeof(buf), "%.*f", digits, x);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        mp_raise_ValueError(MP_ERROR_TEXT("does not fit"));
    }
    return mp_obj_new_str(buf, n);
}
// 0 positional arguments at least: the parser checks the count (x may come by name)
static MP_DEFINE_CONST_FUN_OBJ_KW(textutil_fmt_obj, 0, textutil_fmt);

static mp_obj_t textutil_parse(mp_obj_t s_in) {
    const char *s = mp_obj_str_get_str(s_in);
    char *end;
    double d = strtod(s, &end);
    if (end == s) {
        mp_raise_ValueError(MP_ERROR_TEXT("no number"));
    }
    mp_obj_t t[2] = { mp_obj_new_float((mp_float_t)d), mp_obj_new_str(end, strlen(end)) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(textutil_parse_obj, textutil_parse);

static const mp_rom_map_elem_t textutil_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_textutil) },
    { MP_ROM_QSTR(MP_QSTR_sort_ints), MP_ROM_PTR(&textutil_sort_ints_obj) },
    { MP_ROM_QSTR(MP_QSTR_fmt), MP_ROM_PTR(&textutil_fmt_obj) },
    { MP_ROM_QSTR(MP_QSTR_parse), MP_ROM_PTR(&textutil_parse_obj) },
};
static MP_DEFINE_CONST_DICT(textutil_globals, textutil_globals_table);

MPRT_MODULE(textutil_module, textutil_globals);
