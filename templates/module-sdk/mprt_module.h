/*
 * mprt_module.h: what a loadable native module (a .so packed by `mprt pack-module`) compiles against,
 * on top of MicroPython's own headers. Copied into <firmware>/sdk/include/ by `mprt build`;
 * pack-module includes it in every source (-include), so a module needs no #include of its own.
 *
 * The module entry: the firmware calls `mp_obj_t dl_init(void)` once the module's data is in RAM and
 * its constructors have run, and stores what it returns in sys.modules. MPRT_MODULE() defines it.
 *
 * qstrs (docs/modules.md, "qstrs: interned at load"): a module cannot know the number of a string
 * that is not in MicroPython's fixed static pool, so pack-module scans the sources for MP_QSTR_name
 * (as MicroPython's qstr scan does) and generates mprt_qstrs.h, which makes
 *   MP_QSTR_name               the link-time constant ((qstr)(uintptr_t)__dl_qstr_name)
 *   MP_ROM_QSTR(MP_QSTR_name)  the address constant (mp_rom_obj_t)__dl_qobj_name
 * The firmware interns the strings at install and patches the numbers into flash, so const tables
 * (globals and locals dicts) stay in flash. The strings of MicroPython's static pool ("__name__",
 * "append", "ValueError", ...) keep their fixed numbers and need nothing.
 * Limits: MP_QSTR_name is not a `case` label and cannot initialise a 16-bit field statically (the
 * `qstr` field of a `static const mp_arg_t` table: make such a table a local `const`); the argument of
 * MP_ROM_QSTR must be written MP_QSTR_name literally; a type's name is a 16-bit field too, so define
 * types with MPRT_DEFINE_OBJ_TYPE (below), not MP_DEFINE_CONST_OBJ_TYPE.
 */
#ifndef MPRT_MODULE_H
#define MPRT_MODULE_H

#include <stdint.h>
#include "py/runtime.h"
#include "py/obj.h"

#ifndef NO_QSTR

#if MICROPY_OBJ_REPR == MICROPY_OBJ_REPR_D
#error "loadable modules do not support MICROPY_OBJ_REPR_D"
#endif

// A qstr of MicroPython's static pool: its number is fixed (the .mpy format relies on it).
#define MPRT_ROM_QSTR_STATIC(q) MP_OBJ_NEW_QSTR(q)
// A qstr interned when the module is installed: the loader adds the qstr object to the word.
// (`sym` is declared `extern const char sym[]`: no alignment the compiler could assume.)
#define MPRT_ROM_QSTR_LOADED(sym) ((mp_rom_obj_t)(uintptr_t)(sym))
#define MPRT_QSTR_LOADED(sym) ((qstr)(uintptr_t)(sym))

#undef MP_ROM_QSTR
#define MP_ROM_QSTR(q) MPRT_QOBJ_##q
#define MPRT_QOBJ_MP_QSTRnull MPRT_ROM_QSTR_STATIC(MP_QSTRnull)

// Generated per module by pack-module: for each MP_QSTR_name of the sources, MPRT_QOBJ_MP_QSTR_name,
// and for those outside the static pool MP_QSTR_name itself.
#if __has_include(<mprt_qstrs.h>)
#include <mprt_qstrs.h>
#endif

#endif // NO_QSTR

// Runs when the module is loaded (every boot it is loaded, and at first import), before dl_init.
#define MPRT_CONSTRUCTOR(fn) static void __attribute__((constructor, used)) fn(void)

// Defines the module object `mod_obj` (globals: a MP_DEFINE_CONST_DICT) and the entry dl_init(),
// which returns it. The module's name is the .so's name (pack-module --name).
#define MPRT_MODULE(mod_obj, globals_dict) \
    const mp_obj_module_t mod_obj = { .base = { &mp_type_module }, .globals = (mp_obj_dict_t *)&globals_dict }; \
    mp_obj_t dl_init(void); \
    mp_obj_t dl_init(void) { \
        return MP_OBJ_FROM_PTR(&mod_obj); \
    }

// As MPRT_MODULE, calling `void init_fn(void)` first (set up RAM state; it may raise).
#define MPRT_MODULE_WITH_INIT(mod_obj, globals_dict, init_fn) \
    const mp_obj_module_t mod_obj = { .base = { &mp_type_module }, .globals = (mp_obj_dict_t *)&globals_dict }; \
    mp_obj_t dl_init(void); \
    mp_obj_t dl_init(void) { \
        init_fn(); \
        return MP_OBJ_FROM_PTR(&mod_obj); \
    }

// MP_DEFINE_CONST_OBJ_TYPE for a module: same arguments (typename, MP_QSTR_name, flags, slot, value...,
// at most 12 slots), but the type lives in RAM (20 bytes + 4 per slot) because its 16-bit name is only known
// once the module is installed; a constructor sets the name. `&typename` is a `mp_obj_type_t *`.
// (The "typedef" swallows the `const` MicroPython's expansion starts with.)
#define MPRT_DEFINE_OBJ_TYPE(_typename, _name, ...) \
    MP_DEFINE_CONST_OBJ_TYPE_EXPAND(MP_DEFINE_CONST_OBJ_TYPE_NARGS(_typename, MP_QSTRnull, __VA_ARGS__, _INV, 12, _INV, 11, _INV, 10, _INV, 9, _INV, 8, _INV, 7, _INV, 6, _INV, 5, _INV, 4, _INV, 3, _INV, 2, _INV, 1, _INV, 0)( \
        typedef mp_obj_type_t _typename##_rom_t; mp_obj_type_t, _typename, MP_QSTRnull, __VA_ARGS__)); \
    MPRT_CONSTRUCTOR(_typename##_set_name) { \
        _typename.name = _name; \
    }

#endif // MPRT_MODULE_H
