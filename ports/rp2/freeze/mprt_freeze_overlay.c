// Snapshotted frozen modules at run time (docs/freeze.md "Snapshots"): the import hook that hands out
// a snapshot's flash module object, and the RAM overlay that takes the stores into its fixed globals
// map (vendor patch 0008 hooks, mpconfigport.h). The snapshots are made by mprt_freeze_snap.c.
#include <string.h>
#include "py/runtime.h"
#include "mprt_freeze_image.h"
#include "mprt_freeze_snap.h"

#define FZ_THAW_WORDS (8)
static uint32_t fz_thawed[FZ_THAW_WORDS];   // modules whose __thaw__ ran this session
static bool fz_snap_on = true;

MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_freeze_overlay);

void fz_snap_reset(void) {
    memset(fz_thawed, 0, sizeof(fz_thawed));
    fz_snap_on = true;
    MP_STATE_VM(mprt_freeze_overlay) = MP_OBJ_NULL;
}

void fz_snap_enable(bool on) {
    fz_snap_on = on;
}

// The snapshotted module whose globals are `g` (its index), or -1.
static int fz_snap_of(const mp_obj_dict_t *g) {
    const fz_header_t *h = fz_linked();
    if (h == NULL || (uintptr_t)g < (uintptr_t)h || (uintptr_t)g >= (uintptr_t)h + h->size) {
        return -1; // not in the image (a RAM module's, a built-in module's)
    }
    const fz_module_t *m = (const fz_module_t *)(uintptr_t)h->modules;
    for (uint32_t i = 0; i < h->n_modules; ++i) {
        if (m[i].module && ((const mp_obj_module_t *)(uintptr_t)m[i].module)->globals == g) {
            return (int)i;
        }
    }
    return -1;
}

// Module i's overlay dict, made when `make` (else NULL when it has none).
static mp_obj_dict_t *fz_overlay(int i, bool make) {
    mp_obj_t all = MP_STATE_VM(mprt_freeze_overlay);
    if (all == MP_OBJ_NULL) {
        if (!make) {
            return NULL;
        }
        all = MP_STATE_VM(mprt_freeze_overlay) = mp_obj_new_dict(1);
    }
    mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(all), MP_OBJ_NEW_SMALL_INT(i), make ? MP_MAP_LOOKUP_ADD_IF_NOT_FOUND : MP_MAP_LOOKUP);
    if (e == NULL) {
        return NULL;
    }
    if (e->value == MP_OBJ_NULL) {
        e->value = mp_obj_new_dict(1);
    }
    return MP_OBJ_TO_PTR(e->value);
}

mp_map_elem_t *mprt_freeze_globals_lookup(mp_obj_dict_t *g, qstr name) {
    if (MP_STATE_VM(mprt_freeze_overlay) != MP_OBJ_NULL) {
        int i = fz_snap_of(g);
        mp_obj_dict_t *o = i >= 0 ? fz_overlay(i, false) : NULL;
        if (o != NULL) {
            mp_map_elem_t *e = mp_map_lookup(&o->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
            if (e != NULL) {
                // a deleted name: MP_OBJ_SENTINEL
                return e->value == MP_OBJ_SENTINEL ? NULL : e;
            }
        }
    }
    mp_map_elem_t *e = mp_map_lookup(&g->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
    if (e != NULL && mp_obj_is_type(e->value, &mprt_type_freeze_modref)) {
        // a module of the image that runs at import: from sys.modules, else imported now
        static mp_map_elem_t resolved;
        qstr mod = ((const fz_modref_t *)MP_OBJ_TO_PTR(e->value))->name;
        mp_map_elem_t *m = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map, MP_OBJ_NEW_QSTR(mod), MP_MAP_LOOKUP);
        mp_obj_t from = MP_OBJ_NEW_QSTR(MP_QSTR___name__);
        resolved.key = e->key;
        resolved.value = m != NULL ? m->value : mp_import_name(mod, mp_obj_new_tuple(1, &from), MP_OBJ_NEW_SMALL_INT(0));
        return &resolved;
    }
    return e;
}

bool mprt_freeze_globals_store(mp_obj_dict_t *g, qstr name, mp_obj_t value) {
    int i = fz_snap_of(g);
    if (i < 0) {
        return false;
    }
    mp_map_elem_t *cur = mprt_freeze_globals_lookup(g, name);
    if (cur != NULL && cur->value == value) {
        return true; // the same object (e.g. a sub-module stored on its parent at import): nothing in RAM
    }
    if (value == MP_OBJ_NULL) {
        if (cur == NULL) {
            mp_raise_type_arg(&mp_type_KeyError, MP_OBJ_NEW_QSTR(name));
        }
        value = MP_OBJ_SENTINEL;
    }
    mp_obj_dict_t *o = fz_overlay(i, true);
    mp_map_lookup(&o->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = value;
    return true;
}

mp_obj_t mprt_freeze_import_snapshot(qstr full_name) {
    const fz_header_t *h = fz_linked();
    if (h == NULL || !fz_snap_on) {
        return MP_OBJ_NULL;
    }
    const fz_module_t *m = (const fz_module_t *)(uintptr_t)h->modules;
    for (uint32_t i = 0; i < h->n_modules; ++i) {
        if (m[i].module == 0 || m[i].name != full_name) {
            continue;
        }
        mp_obj_t module = MP_OBJ_FROM_PTR((void *)(uintptr_t)m[i].module);
        if (i < 32 * FZ_THAW_WORDS && !(fz_thawed[i / 32] & (1u << (i % 32)))) {
            // its __thaw__ runs at the first import of each session, as when its code ran
            fz_thawed[i / 32] |= 1u << (i % 32);
            mp_map_elem_t *e = mprt_freeze_globals_lookup(mp_obj_module_get_globals(module), MP_QSTR___thaw__);
            if (e != NULL) {
                mp_call_function_1(e->value, module);
            }
        }
        return module;
    }
    return MP_OBJ_NULL;
}
