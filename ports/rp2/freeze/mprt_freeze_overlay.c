// Snapshotted frozen modules at run time (docs/freeze.md "Snapshots"): the import hook that hands out
// a snapshot's flash module object, and the RAM overlay that takes the stores into its fixed globals
// map (vendor patch 0008 hooks, mpconfigport.h); a global whose flash value is a template gets its RAM
// copy there when first taken (mprt_freeze_template.c). `globals()` in a snapshotted module makes the
// overlay complete (every name, copies made) and hands it out: from then on it is the module's
// globals, a real dict (C code such as _asyncio reads it directly). A snapshotted class's attributes
// have an overlay too (vendor patch 0010). The snapshots are made by mprt_freeze_snap.c.
#include <string.h>
#include "py/runtime.h"
#include "py/bc.h"
#include "py/objfun.h"
#include "mprt_freeze_image.h"
#include "mprt_freeze_snap.h"

#define FZ_THAW_WORDS (8)
static uint32_t fz_thawed[FZ_THAW_WORDS];   // modules whose __thaw__ ran this session
static uint32_t fz_complete[FZ_THAW_WORDS]; // modules whose overlay holds every name (globals())
static bool fz_snap_on = true;

MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_freeze_overlay);
// dict: class address (small int) -> dict of its attributes stored (deleted: MP_OBJ_SENTINEL) or copied
MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_freeze_class_overlay);

void fz_snap_reset(void) {
    memset(fz_thawed, 0, sizeof(fz_thawed));
    memset(fz_complete, 0, sizeof(fz_complete));
    fz_snap_on = true;
    MP_STATE_VM(mprt_freeze_overlay) = MP_OBJ_NULL;
    MP_STATE_VM(mprt_freeze_class_overlay) = MP_OBJ_NULL;
    fz_template_reset();
}

static bool fz_is_complete(int i) {
    return i < 32 * FZ_THAW_WORDS && (fz_complete[i / 32] & (1u << (i % 32)));
}

void fz_snap_enable(bool on) {
    fz_snap_on = on;
}

// The snapshotted module whose globals are `g` (its index), or -1.
static int fz_snap_of(const mp_obj_dict_t *g) {
    if (!fz_in_image(g)) {
        return -1; // not in the image (a RAM module's, a built-in module's)
    }
    const fz_header_t *h = fz_linked();
    const fz_module_t *m = (const fz_module_t *)(uintptr_t)h->modules;
    for (uint32_t i = 0; i < h->n_modules; ++i) {
        if (m[i].module && ((const mp_obj_module_t *)(uintptr_t)m[i].module)->globals == g) {
            return (int)i;
        }
    }
    return -1;
}

// The overlay dict of `key` in *all (a dict of them, made too), made when `make` (else NULL when it has
// none).
static mp_obj_dict_t *fz_overlay_in(mp_obj_t *all, mp_obj_t key, bool make) {
    if (*all == MP_OBJ_NULL) {
        if (!make) {
            return NULL;
        }
        *all = mp_obj_new_dict(1);
    }
    mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(*all), key, make ? MP_MAP_LOOKUP_ADD_IF_NOT_FOUND : MP_MAP_LOOKUP);
    if (e == NULL) {
        return NULL;
    }
    if (e->value == MP_OBJ_NULL) {
        e->value = mp_obj_new_dict(1);
    }
    return MP_OBJ_TO_PTR(e->value);
}

// Module i's overlay dict, made when `make` (else NULL when it has none).
static mp_obj_dict_t *fz_overlay(int i, bool make) {
    return fz_overlay_in(&MP_STATE_VM(mprt_freeze_overlay), MP_OBJ_NEW_SMALL_INT(i), make);
}

// A module reference (fz_modref_t) as the module: from sys.modules, else imported now.
static mp_obj_t fz_modref_resolve(mp_obj_t v) {
    qstr mod = ((const fz_modref_t *)MP_OBJ_TO_PTR(v))->name;
    mp_map_elem_t *m = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map, MP_OBJ_NEW_QSTR(mod), MP_MAP_LOOKUP);
    mp_obj_t from = MP_OBJ_NEW_QSTR(MP_QSTR___name__);
    return m != NULL ? m->value : mp_import_name(mod, mp_obj_new_tuple(1, &from), MP_OBJ_NEW_SMALL_INT(0));
}

// A global's element: from the overlay, else the flash map; a template's copy made when `copy`.
static mp_map_elem_t *fz_globals_find(mp_obj_dict_t *g, qstr name, bool copy) {
    int i = -2; // not looked for yet
    if (MP_STATE_VM(mprt_freeze_overlay) != MP_OBJ_NULL) {
        i = fz_snap_of(g);
        mp_obj_dict_t *o = i >= 0 ? fz_overlay(i, false) : NULL;
        if (o != NULL) {
            mp_map_elem_t *e = mp_map_lookup(&o->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
            if (e != NULL || fz_is_complete(i)) {
                // a deleted name: MP_OBJ_SENTINEL
                return e == NULL || e->value == MP_OBJ_SENTINEL ? NULL : e;
            }
        }
    }
    mp_map_elem_t *e = mp_map_lookup(&g->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
    if (e != NULL && copy && fz_is_template(e->value)) {
        // a mutable object: its RAM copy, kept in the overlay from now on
        if (i == -2) {
            i = fz_snap_of(g);
        }
        if (i >= 0) {
            mp_obj_t c = mprt_freeze_template_get(e->value);
            mp_map_elem_t *oe = mp_map_lookup(&fz_overlay(i, true)->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
            oe->value = c;
            return oe;
        }
    }
    if (e != NULL && mp_obj_is_type(e->value, &mprt_type_freeze_modref)) {
        // a module of the image that runs at import: from sys.modules, else imported now
        static mp_map_elem_t resolved;
        resolved.key = e->key;
        resolved.value = fz_modref_resolve(e->value);
        return &resolved;
    }
    return e;
}

mp_map_elem_t *mprt_freeze_globals_lookup(mp_obj_dict_t *g, qstr name) {
    mp_map_elem_t *e = fz_globals_find(g, name, true);
    if (e == NULL && name == MP_QSTR___dict__ && fz_snap_of(g) >= 0) {
        // module.__dict__: the writable globals (as globals() in the module gives), not the flash map
        static mp_map_elem_t dict;
        dict.key = MP_OBJ_NEW_QSTR(name);
        dict.value = MP_OBJ_FROM_PTR(mprt_freeze_globals_dict(g));
        return &dict;
    }
    return e;
}

bool mprt_freeze_globals_store(mp_obj_dict_t *g, qstr name, mp_obj_t value) {
    int i = fz_snap_of(g);
    if (i < 0) {
        return false;
    }
    mp_map_elem_t *cur = fz_globals_find(g, name, false);
    if (cur != NULL && cur->value == value) {
        return true; // the same object (e.g. a sub-module stored on its parent at import): nothing in RAM
    }
    if (value == MP_OBJ_NULL) {
        if (cur == NULL) {
            mp_raise_type_arg(&mp_type_KeyError, MP_OBJ_NEW_QSTR(name));
        }
        if (fz_is_complete(i)) {
            // the overlay is the module's globals (and what globals() gave): the name goes
            mp_map_lookup(&fz_overlay(i, true)->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
            return true;
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

// The templates a function of the image takes as default arguments: copied now.
static void fz_copy_defaults(mp_obj_t f) {
    if (mp_obj_is_type(f, &mp_type_staticmethod) || mp_obj_is_type(f, &mp_type_classmethod)) {
        f = ((mp_obj_static_class_method_t *)MP_OBJ_TO_PTR(f))->fun;
    }
    if (!(mp_obj_is_type(f, &mp_type_fun_bc) || mp_obj_is_type(f, &mp_type_gen_wrap)) || !fz_in_image(MP_OBJ_TO_PTR(f))) {
        return;
    }
    const mp_obj_fun_bc_t *fn = MP_OBJ_TO_PTR(f);
    const byte *ip = fn->bytecode;
    MP_BC_PRELUDE_SIG_DECODE(ip);
    for (size_t k = 0; k < n_def_pos_args; ++k) {
        fz_resolve(fn->extra_args[k]);
    }
    if (scope_flags & MP_SCOPE_FLAG_DEFKWARGS) {
        const mp_map_t *kw = &((mp_obj_dict_t *)MP_OBJ_TO_PTR(fn->extra_args[n_def_pos_args]))->map;
        for (size_t k = 0; k < kw->alloc; ++k) {
            if (mp_map_slot_is_filled(kw, k)) {
                fz_resolve(kw->table[k].value);
            }
        }
    }
}

// Every template a snapshotted module's objects take — its globals', its functions' default arguments,
// its classes' attributes and their methods' defaults — copied now (globals() thaws the whole module: a
// program that then locks the heap, as asyncio's loop may run, finds them made).
static void fz_copy_module_templates(const mp_map_t *flash) {
    for (size_t k = 0; k < flash->alloc; ++k) {
        if (!mp_map_slot_is_filled(flash, k)) {
            continue;
        }
        mp_obj_t v = flash->table[k].value;
        fz_copy_defaults(v);
        if (mp_obj_is_type(v, &mp_type_type) && fz_in_image(MP_OBJ_TO_PTR(v)) && MP_OBJ_TYPE_HAS_SLOT((mp_obj_type_t *)MP_OBJ_TO_PTR(v), locals_dict)) {
            const mp_obj_type_t *type = MP_OBJ_TO_PTR(v);
            mp_map_t *locals = &MP_OBJ_TYPE_GET_SLOT(type, locals_dict)->map;
            for (size_t j = 0; j < locals->alloc; ++j) {
                if (!mp_map_slot_is_filled(locals, j)) {
                    continue;
                }
                mp_obj_t a = locals->table[j].value;
                if (fz_is_template(a) && mp_obj_is_qstr(locals->table[j].key)) {
                    mprt_freeze_class_lookup(type, locals, MP_OBJ_QSTR_VALUE(locals->table[j].key));
                } else {
                    fz_copy_defaults(a);
                }
            }
        }
    }
}

mp_obj_dict_t *mprt_freeze_globals_dict(mp_obj_dict_t *g) {
    int i = fz_snap_of(g);
    if (i < 0 || i >= 32 * FZ_THAW_WORDS) {
        return g; // not a snapshot's (a built-in module's): as MicroPython gives it
    }
    mp_obj_dict_t *o = fz_overlay(i, true);
    if (fz_is_complete(i)) {
        return o;
    }
    // every flash name not stored over, as its program sees it (copies made, modules resolved)
    for (size_t k = 0; k < g->map.alloc; ++k) {
        if (!mp_map_slot_is_filled(&g->map, k)) {
            continue;
        }
        mp_obj_t key = g->map.table[k].key;
        if (mp_map_lookup(&o->map, key, MP_MAP_LOOKUP) != NULL) {
            continue;
        }
        mp_obj_t v = g->map.table[k].value;
        if (mp_obj_is_type(v, &mprt_type_freeze_modref)) {
            v = fz_modref_resolve(v);
        }
        mp_map_lookup(&o->map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = fz_resolve(v);
    }
    // names deleted go
    for (size_t k = 0; k < o->map.alloc; ++k) {
        if (mp_map_slot_is_filled(&o->map, k) && o->map.table[k].value == MP_OBJ_SENTINEL) {
            mp_map_lookup(&o->map, o->map.table[k].key, MP_MAP_LOOKUP_REMOVE_IF_FOUND);
        }
    }
    fz_complete[i / 32] |= 1u << (i % 32);
    fz_copy_module_templates(&g->map);
    return o;
}

// A snapshotted class's overlay (a dict), made when `make`, else NULL when it has none.
static mp_obj_dict_t *fz_class_overlay(const mp_obj_type_t *type, bool make) {
    return fz_overlay_in(&MP_STATE_VM(mprt_freeze_class_overlay), MP_OBJ_NEW_SMALL_INT((uintptr_t)type), make);
}

mp_map_elem_t *mprt_freeze_class_lookup(const mp_obj_type_t *type, mp_map_t *locals, qstr name) {
    if (!fz_in_image(type)) {
        return mp_map_lookup(locals, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP); // a built-in type's
    }
    mp_obj_dict_t *o = fz_class_overlay(type, false);
    if (o != NULL) {
        mp_map_elem_t *e = mp_map_lookup(&o->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
        if (e != NULL) {
            return e->value == MP_OBJ_SENTINEL ? NULL : e;
        }
    }
    mp_map_elem_t *e = mp_map_lookup(locals, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
    if (e != NULL && fz_is_template(e->value)) {
        mp_obj_t copy = mprt_freeze_template_get(e->value);
        e = mp_map_lookup(&fz_class_overlay(type, true)->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
        e->value = copy;
    }
    return e;
}

bool mprt_freeze_class_store(const mp_obj_type_t *type, qstr name, mp_obj_t value) {
    if (!fz_in_image(type)) {
        return false;
    }
    if (value == MP_OBJ_NULL) {
        if (mprt_freeze_class_lookup(type, &MP_OBJ_TYPE_GET_SLOT(type, locals_dict)->map, name) == NULL) {
            return false; // AttributeError
        }
        value = MP_OBJ_SENTINEL;
    }
    mp_map_lookup(&fz_class_overlay(type, true)->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = value;
    return true;
}
