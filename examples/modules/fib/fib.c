// A function module: `import fib; fib.fib(30); fib.add(2, 3)`.
// mprt pack-module includes mprt_module.h (MicroPython's API + MPRT_MODULE) in every source.

static mp_obj_t fib_fib(mp_obj_t n_in) {
    mp_int_t n = mp_obj_get_int(n_in);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("n must be >= 0"));
    }
    mp_int_t a = 0, b = 1;
    while (n-- > 0) {
        mp_int_t t = a + b;
        a = b;
        b = t;
    }
    return mp_obj_new_int(a);
}
static MP_DEFINE_CONST_FUN_OBJ_1(fib_fib_obj, fib_fib);

static mp_obj_t fib_add(mp_obj_t a, mp_obj_t b) {
    return mp_obj_new_int(mp_obj_get_int(a) + mp_obj_get_int(b));
}
static MP_DEFINE_CONST_FUN_OBJ_2(fib_add_obj, fib_add);

static const mp_rom_map_elem_t fib_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_fib) },
    { MP_ROM_QSTR(MP_QSTR_fib), MP_ROM_PTR(&fib_fib_obj) },
    { MP_ROM_QSTR(MP_QSTR_add), MP_ROM_PTR(&fib_add_obj) },
};
static MP_DEFINE_CONST_DICT(fib_globals, fib_globals_table);

MPRT_MODULE(fib_module, fib_globals);
