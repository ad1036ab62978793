// F22 test module: one function per format of data/pyarg_cases.py, each parsing its arguments with
// mp_pyarg_parse_tuple[_and_keywords] and returning what it got (a tuple for several units), so
// tests/firmware/F22-pyarg can compare values and errors with CPython's PyArg_* (data/expected.txt).
// Written from data/pyarg_cases.py's FUNCS; keep the two in step.
#include <string.h>
#include "mp_pyarg.h"

static mp_obj_t new_str_or_none(const char *s) {
    return s == NULL ? mp_const_none : mp_obj_new_str(s, strlen(s));
}

static mp_obj_t new_bytes_or_none(const char *s, size_t len) {
    return s == NULL ? mp_const_none : mp_obj_new_bytes((const byte *)s, len);
}

static mp_obj_t new_bytes_release(mp_pyarg_buffer_t *view) {
    mp_obj_t b = mp_obj_new_bytes(view->buf, view->len);
    mp_pyarg_buffer_release(view);
    return b;
}

static mp_obj_t f_b(size_t n_args, const mp_obj_t *args) {
    unsigned char v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "b:f_b", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_b_obj, 0, f_b);

static mp_obj_t f_B(size_t n_args, const mp_obj_t *args) {
    unsigned char v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "B:f_B", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_B_obj, 0, f_B);

static mp_obj_t f_h(size_t n_args, const mp_obj_t *args) {
    short v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "h:f_h", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_h_obj, 0, f_h);

static mp_obj_t f_H(size_t n_args, const mp_obj_t *args) {
    unsigned short v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "H:f_H", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_H_obj, 0, f_H);

static mp_obj_t f_i(size_t n_args, const mp_obj_t *args) {
    int v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "i:f_i", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_i_obj, 0, f_i);

static mp_obj_t f_I(size_t n_args, const mp_obj_t *args) {
    unsigned int v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "I:f_I", &v0);
    return mp_obj_new_int_from_uint(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_I_obj, 0, f_I);

static mp_obj_t f_l(size_t n_args, const mp_obj_t *args) {
    long v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "l:f_l", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_l_obj, 0, f_l);

static mp_obj_t f_k(size_t n_args, const mp_obj_t *args) {
    unsigned long v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "k:f_k", &v0);
    return mp_obj_new_int_from_uint(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_k_obj, 0, f_k);

static mp_obj_t f_L(size_t n_args, const mp_obj_t *args) {
    long long v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "L:f_L", &v0);
    return mp_obj_new_int_from_ll(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_L_obj, 0, f_L);

static mp_obj_t f_K(size_t n_args, const mp_obj_t *args) {
    unsigned long long v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "K:f_K", &v0);
    return mp_obj_new_int_from_ull(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_K_obj, 0, f_K);

static mp_obj_t f_n(size_t n_args, const mp_obj_t *args) {
    mp_int_t v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "n:f_n", &v0);
    return mp_obj_new_int(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_n_obj, 0, f_n);

static mp_obj_t f_f(size_t n_args, const mp_obj_t *args) {
    float v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "f:f_f", &v0);
    return mp_obj_new_float((mp_float_t)v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_f_obj, 0, f_f);

static mp_obj_t f_d(size_t n_args, const mp_obj_t *args) {
    double v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "d:f_d", &v0);
    return mp_obj_new_float((mp_float_t)v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_d_obj, 0, f_d);

static mp_obj_t f_p(size_t n_args, const mp_obj_t *args) {
    int v0 = 0;
    mp_pyarg_parse_tuple(n_args, args, "p:f_p", &v0);
    return mp_obj_new_bool(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_p_obj, 0, f_p);

static mp_obj_t f_s(size_t n_args, const mp_obj_t *args) {
    const char *v0 = NULL;
    mp_pyarg_parse_tuple(n_args, args, "s:f_s", &v0);
    return new_str_or_none(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_s_obj, 0, f_s);

static mp_obj_t f_s_len(size_t n_args, const mp_obj_t *args) {
    const char *v0 = NULL;
    size_t v0_len = 0;
    mp_pyarg_parse_tuple(n_args, args, "s#:f_s_len", &v0, &v0_len);
    return new_bytes_or_none(v0, v0_len);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_s_len_obj, 0, f_s_len);

static mp_obj_t f_z(size_t n_args, const mp_obj_t *args) {
    const char *v0 = NULL;
    mp_pyarg_parse_tuple(n_args, args, "z:f_z", &v0);
    return new_str_or_none(v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_z_obj, 0, f_z);

static mp_obj_t f_y(size_t n_args, const mp_obj_t *args) {
    const char *v0 = NULL;
    mp_pyarg_parse_tuple(n_args, args, "y:f_y", &v0);
    return mp_obj_new_bytes((const byte *)v0, strlen(v0));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_y_obj, 0, f_y);

static mp_obj_t f_y_len(size_t n_args, const mp_obj_t *args) {
    const char *v0 = NULL;
    size_t v0_len = 0;
    mp_pyarg_parse_tuple(n_args, args, "y#:f_y_len", &v0, &v0_len);
    return new_bytes_or_none(v0, v0_len);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_y_len_obj, 0, f_y_len);

static mp_obj_t f_y_buf(size_t n_args, const mp_obj_t *args) {
    mp_pyarg_buffer_t v0;
    mp_pyarg_parse_tuple(n_args, args, "y*:f_y_buf", &v0);
    return new_bytes_release(&v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_y_buf_obj, 0, f_y_buf);

static mp_obj_t f_s_buf(size_t n_args, const mp_obj_t *args) {
    mp_pyarg_buffer_t v0;
    mp_pyarg_parse_tuple(n_args, args, "s*:f_s_buf", &v0);
    return new_bytes_release(&v0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_s_buf_obj, 0, f_s_buf);

static mp_obj_t f_O(size_t n_args, const mp_obj_t *args) {
    mp_obj_t v0 = MP_OBJ_NULL;
    mp_pyarg_parse_tuple(n_args, args, "O:f_O", &v0);
    return v0;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_O_obj, 0, f_O);

static mp_obj_t f_O_int(size_t n_args, const mp_obj_t *args) {
    mp_obj_t v0 = MP_OBJ_NULL;
    mp_pyarg_parse_tuple(n_args, args, "O!:f_O_int", &mp_type_int, &v0);
    return v0;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_O_int_obj, 0, f_O_int);

static mp_obj_t f_ii(size_t n_args, const mp_obj_t *args) {
    int v0 = 0;
    int v1 = 0;
    mp_pyarg_parse_tuple(n_args, args, "ii:f_ii", &v0, &v1);
    mp_obj_t items[] = { mp_obj_new_int(v0), mp_obj_new_int(v1) };
    return mp_obj_new_tuple(MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_ii_obj, 0, f_ii);

static mp_obj_t f_opt(size_t n_args, const mp_obj_t *args) {
    int v0 = 0;
    int v1 = 0;
    const char *v2 = NULL;
    mp_pyarg_parse_tuple(n_args, args, "i|iz:f_opt", &v0, &v1, &v2);
    mp_obj_t items[] = { mp_obj_new_int(v0), mp_obj_new_int(v1), new_str_or_none(v2) };
    return mp_obj_new_tuple(MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_opt_obj, 0, f_opt);

static mp_obj_t f_none(size_t n_args, const mp_obj_t *args) {
    mp_pyarg_parse_tuple(n_args, args, ":f_none");
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR(f_none_obj, 0, f_none);

static mp_obj_t f_kw(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    static const char *const keywords[] = { "a", "b", "c", NULL };
    int v0 = 0;
    const char *v1 = NULL;
    int v2 = 0;
    mp_pyarg_parse_tuple_and_keywords(n_args, args, kw_args, "i|s$p:f_kw", keywords, &v0, &v1, &v2);
    mp_obj_t items[] = { mp_obj_new_int(v0), new_str_or_none(v1), mp_obj_new_bool(v2) };
    return mp_obj_new_tuple(MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(f_kw_obj, 0, f_kw);

static mp_obj_t f_kw_opt(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    static const char *const keywords[] = { "x", "y", NULL };
    int v0 = 0;
    double v1 = 0;
    mp_pyarg_parse_tuple_and_keywords(n_args, args, kw_args, "|id:f_kw_opt", keywords, &v0, &v1);
    mp_obj_t items[] = { mp_obj_new_int(v0), mp_obj_new_float((mp_float_t)v1) };
    return mp_obj_new_tuple(MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(f_kw_opt_obj, 0, f_kw_opt);

static mp_obj_t f_kw_only(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    static const char *const keywords[] = { "obj", "lo", "hi", NULL };
    mp_obj_t v0 = MP_OBJ_NULL;
    int v1 = 0;
    int v2 = 0;
    mp_pyarg_parse_tuple_and_keywords(n_args, args, kw_args, "O$ii:f_kw_only", keywords, &v0, &v1, &v2);
    mp_obj_t items[] = { v0, mp_obj_new_int(v1), mp_obj_new_int(v2) };
    return mp_obj_new_tuple(MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(f_kw_only_obj, 0, f_kw_only);

static const mp_rom_map_elem_t pyargtest_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_pyargtest) },
    { MP_ROM_QSTR(MP_QSTR_f_b), MP_ROM_PTR(&f_b_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_B), MP_ROM_PTR(&f_B_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_h), MP_ROM_PTR(&f_h_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_H), MP_ROM_PTR(&f_H_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_i), MP_ROM_PTR(&f_i_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_I), MP_ROM_PTR(&f_I_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_l), MP_ROM_PTR(&f_l_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_k), MP_ROM_PTR(&f_k_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_L), MP_ROM_PTR(&f_L_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_K), MP_ROM_PTR(&f_K_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_n), MP_ROM_PTR(&f_n_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_f), MP_ROM_PTR(&f_f_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_d), MP_ROM_PTR(&f_d_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_p), MP_ROM_PTR(&f_p_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_s), MP_ROM_PTR(&f_s_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_s_len), MP_ROM_PTR(&f_s_len_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_z), MP_ROM_PTR(&f_z_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_y), MP_ROM_PTR(&f_y_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_y_len), MP_ROM_PTR(&f_y_len_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_y_buf), MP_ROM_PTR(&f_y_buf_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_s_buf), MP_ROM_PTR(&f_s_buf_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_O), MP_ROM_PTR(&f_O_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_O_int), MP_ROM_PTR(&f_O_int_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_ii), MP_ROM_PTR(&f_ii_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_opt), MP_ROM_PTR(&f_opt_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_none), MP_ROM_PTR(&f_none_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_kw), MP_ROM_PTR(&f_kw_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_kw_opt), MP_ROM_PTR(&f_kw_opt_obj) },
    { MP_ROM_QSTR(MP_QSTR_f_kw_only), MP_ROM_PTR(&f_kw_only_obj) },
};
static MP_DEFINE_CONST_DICT(pyargtest_globals, pyargtest_globals_table);

MPRT_MODULE(pyargtest_module, pyargtest_globals);
