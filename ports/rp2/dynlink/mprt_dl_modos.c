// os.dlopen/dlsym/dlerror/dllist/dlremove. MicroPython's os module table is fixed (extmod/modos.c),
// so `import os` (the import handler, mprt_dl_loader.c) returns a module made at the first import of each VM:
// the built-in os's entries plus the dl* functions, in sys.modules, so dir(os) and `from os import *`
// see everything. Cost: its dict in the GC heap (about 0.5 KB), once per VM.
#include <string.h>
#include "py/runtime.h"
#include "mprt_dynlink.h"

extern const mp_obj_module_t mp_module_os;

NORETURN static void os_fail(const char *fmt, const char *arg) {
    vstr_t v;
    vstr_init(&v, 48);
    vstr_printf(&v, fmt, arg);
    mp_obj_t s = mp_obj_new_str_from_vstr(&v);
    MP_STATE_PORT(mprt_dl_last_error) = s;
    nlr_raise(mp_obj_new_exception_arg1(&mp_type_OSError, s));
}

// os.dlopen(path) -> handle (the flash address of the installed image); installs and loads.
static mp_obj_t os_dlopen(mp_obj_t path_in) {
    const dl_image_t *img;
    mprt_dl_open(mp_obj_str_get_str(path_in), NULL, &mp_type_OSError, &img);
    return mp_obj_new_int_from_uint((uintptr_t)img);
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_dlopen_obj, os_dlopen);

static const dl_image_t *image_of(mp_obj_t handle) {
    uint32_t addr = (uint32_t)mp_obj_get_int_truncated(handle);
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if ((uint32_t)(uintptr_t)it.img == addr) {
            return it.img;
        }
    }
    os_fail("%s", "bad handle: no installed module there");
}

// os.dlsym(handle, name) -> address of an exported symbol (a function's has bit 0 set).
static mp_obj_t os_dlsym(mp_obj_t handle, mp_obj_t name_in) {
    const dl_image_t *img = image_of(handle);
    const char *name = mp_obj_str_get_str(name_in);
    uint32_t value;
    if (!dl_image_export((const uint8_t *)img, (uint32_t)(uintptr_t)img, name, &value)) {
        os_fail("undefined symbol: %s", name);
    }
    return mp_obj_new_int_from_uint(value);
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_dlsym_obj, os_dlsym);

// os.dlerror() -> the last loader error (and forgets it), or None.
static mp_obj_t os_dlerror(void) {
    mp_obj_t e = MP_STATE_PORT(mprt_dl_last_error);
    MP_STATE_PORT(mprt_dl_last_error) = MP_OBJ_NULL;
    return e == MP_OBJ_NULL ? mp_const_none : e;
}
static MP_DEFINE_CONST_FUN_OBJ_0(os_dlerror_obj, os_dlerror);

// os.dllist() -> [(name, flash address, code size, data size, bss size), ...]
static mp_obj_t os_dllist(void) {
    mp_obj_t list = mp_obj_new_list(0, NULL);
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        mp_obj_t t[5] = {
            mp_obj_new_str_from_cstr((const char *)(uintptr_t)it.img->name),
            mp_obj_new_int_from_uint((uintptr_t)it.img),
            mp_obj_new_int_from_uint(it.img->text_size),
            mp_obj_new_int_from_uint(it.img->data_size),
            mp_obj_new_int_from_uint(it.img->bss_size),
        };
        mp_obj_list_append(list, mp_obj_new_tuple(5, t));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_0(os_dllist_obj, os_dllist);

// os.dlremove(name) / os.dlremove(): removes one or every installed module. A module loaded since
// the last reset may be in use: refused.
static mp_obj_t os_dlremove(size_t n_args, const mp_obj_t *args) {
    const char *name = n_args > 0 ? mp_obj_str_get_str(args[0]) : NULL;
    if (name != NULL && mprt_dl_find(name) == NULL) {
        os_fail("no installed module '%s'", name);
    }
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        const char *n = (const char *)(uintptr_t)it.img->name;
        if ((name == NULL || strcmp(n, name) == 0) && (mprt_dl_state(it.img) & MPRT_DL_IMG_LOADED)) {
            os_fail("module '%s' is loaded: reset before removing it", n);
        }
    }
    it.sector = 0;
    it.img = NULL;
    while (mprt_dl_next(&it)) {
        if (name == NULL || strcmp((const char *)(uintptr_t)it.img->name, name) == 0) {
            const dl_image_t *img = it.img;
            // mprt_dl_next steps over the image by its size: keep the iterator on a plain sector.
            it.img = NULL;
            mprt_dl_remove_image(img);
        }
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(os_dlremove_obj, 0, 1, os_dlremove);

static const mp_rom_map_elem_t mprt_os_dl_table[] = {
    { MP_ROM_QSTR(MP_QSTR_dlopen), MP_ROM_PTR(&os_dlopen_obj) },
    { MP_ROM_QSTR(MP_QSTR_dlsym), MP_ROM_PTR(&os_dlsym_obj) },
    { MP_ROM_QSTR(MP_QSTR_dlerror), MP_ROM_PTR(&os_dlerror_obj) },
    { MP_ROM_QSTR(MP_QSTR_dllist), MP_ROM_PTR(&os_dllist_obj) },
    { MP_ROM_QSTR(MP_QSTR_dlremove), MP_ROM_PTR(&os_dlremove_obj) },
};

// More os entries from other parts of the firmware (ports/rp2/posix: the fd functions); none by default.
MP_WEAK void mprt_os_extend(mp_obj_t globals) {
    (void)globals;
}

mp_obj_t mprt_os_module(void) {
    mp_map_elem_t *el = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map, MP_OBJ_NEW_QSTR(MP_QSTR_os), MP_MAP_LOOKUP);
    if (el != NULL) {
        return el->value;
    }
    mp_obj_t mod = mp_obj_new_module(MP_QSTR_os);
    mp_obj_t globals = MP_OBJ_FROM_PTR(((mp_obj_module_t *)MP_OBJ_TO_PTR(mod))->globals);
    const mp_map_t *builtin = &mp_module_os.globals->map;
    for (size_t i = 0; i < builtin->alloc; i++) {
        if (mp_map_slot_is_filled(builtin, i) && builtin->table[i].key != MP_OBJ_NEW_QSTR(MP_QSTR___name__)) {
            mp_obj_dict_store(globals, builtin->table[i].key, builtin->table[i].value);
        }
    }
    for (size_t i = 0; i < MP_ARRAY_SIZE(mprt_os_dl_table); i++) {
        mp_obj_dict_store(globals, (mp_obj_t)mprt_os_dl_table[i].key, (mp_obj_t)mprt_os_dl_table[i].value);
    }
    mprt_os_extend(globals);
    return mod;
}
