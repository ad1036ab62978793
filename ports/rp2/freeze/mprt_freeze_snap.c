// Snapshots of frozen modules (docs/freeze.md "Snapshots"), made at freeze time (the import hook and the
// RAM overlay are in mprt_freeze_overlay.c). After a module ran from
// its file, the objects its code built (the module object with its globals map, its functions,
// classes with their locals maps, frozendicts, tuples and the other constants) are copied into the
// image, pointing at the module's flash code; importing it then hands out that flash module without
// running its code (vendor patch 0008, MICROPY_PORT_IMPORT_SNAPSHOT), as a built-in module is found.
// Its globals map is fixed: stores into it (`global x` in a function, `module.x = v`, `del`) go to a
// RAM overlay dict made at the first store, which lookups consult first (MICROPY_PORT_FIXED_GLOBALS_*).
// A module is snapshotted only when every global value is one of those objects (a value that is not
// may be left out when the module has __thaw__, MicroPython RT's rule) and its top-level code makes no
// call whose result it drops (a call for its effect, e.g. print() or registering itself somewhere,
// which must happen at each import): else it runs its code at import as before.
// The snapshot is appended to the image after the modules' code, front to back like the rest of it
// (mprt_freeze_build.c): a pass that decides which modules can be snapshotted, a layout pass (on a dry
// copy of the builder) that gives every object its flash address, and the pass that appends the
// objects, each after what it points to, references back or forward taken from the layout.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "py/objfun.h"
#include "py/objtype.h"
#include "py/objmodule.h"
#include "py/objlist.h"
#include "py/objstr.h"
#include "py/bc.h"
#include "py/bc0.h"
#include "py/emitglue.h"
#include "dynlink.h"
#include "mprt_freeze_build.h"
#include "mprt_freeze_snap.h"
#include "posix/mp_modselect.h"

#define FZ_IS_RAM(p) ((uintptr_t)(p) >= 0x20000000u)

// ---- at freeze time ----

enum {
    FZ_CHECK,                   // whether the objects can be snapshotted (nothing appended)
    FZ_LAYOUT,                  // appended to a dry copy of the builder: every object's flash address
    FZ_WRITE,                   // appended to the image, with the addresses of the layout
};

typedef struct _fz_snap_t {
    fz_t *f;
    int mode;
    const mp_obj_t *mods;       // the modules as imported
    const mp_obj_t *names;      // their full names
    bool *ok;                   // module i is snapshotted
    uint32_t *ctx;              // flash context (module object) of module i (from the layout pass)
    size_t n;
    // dict: RAM address -> FZ_CHECK: True when visited, False when it failed; FZ_LAYOUT: 1 when
    // visited, then its flash address; FZ_WRITE: that address (kept from the layout), | 1 once visited
    mp_obj_t memo;
    const char *why;            // the first object that cannot be snapshotted: its type
    qstr why_name;
    bool tmpl;                  // the next object may be a template (fz_snap_val)
} fz_snap_t;

static bool fz_snap_obj(fz_snap_t *s, mp_obj_t o, uint32_t *out);

// A value where a mutable object may stand as a template (a global, a default argument, a class
// attribute, an item of another template): the places that copy it into RAM when the program takes it.
static bool fz_snap_val(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    s->tmpl = true;
    return fz_snap_obj(s, o, out);
}

static bool fz_fail(fz_snap_t *s, mp_obj_t o) {
    if (s->why == NULL) {
        s->why = qstr_str(mp_obj_get_type(o)->name);
    }
    return false;
}

static mp_map_elem_t *fz_memo(fz_snap_t *s, mp_obj_t o, mp_map_lookup_kind_t kind) {
    return mp_map_lookup(mp_obj_dict_get_map(s->memo), MP_OBJ_NEW_SMALL_INT((uintptr_t)o), kind);
}

static NORETURN void fz_changed(void) {
    mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("freeze: a module changed while it was snapshotted"));
}

// Marks `o` visited in this pass (so a cycle comes back to it as met).
static void fz_memo_set(fz_snap_t *s, mp_obj_t o) {
    if (s->mode == FZ_WRITE) {
        mp_map_elem_t *e = fz_memo(s, o, MP_MAP_LOOKUP);
        if (e == NULL) {
            fz_changed();
        }
        e->value = MP_OBJ_NEW_SMALL_INT(MP_OBJ_SMALL_INT_VALUE(e->value) | 1);
    } else {
        fz_memo(s, o, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = s->mode == FZ_CHECK ? mp_const_true : MP_OBJ_NEW_SMALL_INT(1);
    }
}

// Whether `o` was visited in this pass: its memo entry then, else NULL.
static mp_map_elem_t *fz_visited(fz_snap_t *s, mp_obj_t o) {
    mp_map_elem_t *e = fz_memo(s, o, MP_MAP_LOOKUP);
    if (e != NULL && s->mode == FZ_WRITE && !(MP_OBJ_SMALL_INT_VALUE(e->value) & 1)) {
        return NULL;
    }
    return e;
}

// The flash address of an object met before (FZ_WRITE: from the layout; else 0, nothing is written).
static uint32_t fz_addr_of(fz_snap_t *s, mp_obj_t o) {
    if (s->mode != FZ_WRITE) {
        return 0;
    }
    mp_map_elem_t *e = fz_memo(s, o, MP_MAP_LOOKUP);
    if (e == NULL) {
        fz_changed();
    }
    return (uint32_t)MP_OBJ_SMALL_INT_VALUE(e->value) & ~1u;
}

// Appends the flash copy of `o` (or of a part of one, o == MP_OBJ_NULL): its address. The layout pass
// records it; the write pass must meet the same address.
static uint32_t fz_emit(fz_snap_t *s, mp_obj_t o, const void *data, size_t n) {
    if (s->mode == FZ_CHECK) {
        return 0;
    }
    uint32_t a = fz_put(s->f, data, n, 4);
    if (o != MP_OBJ_NULL) {
        if (s->mode == FZ_LAYOUT) {
            fz_memo(s, o, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = MP_OBJ_NEW_SMALL_INT(a);
        } else if (a != fz_addr_of(s, o)) {
            fz_changed();
        }
    }
    return a;
}

static uint32_t fz_snap_qstr(fz_snap_t *s, qstr q) {
    return s->mode == FZ_CHECK ? 0 : fz_qstr(s->f, q);
}

// Keys whose hash depends on their value only (not on an address), so a table keeps its layout.
static bool fz_key_ok(mp_obj_t k) {
    if (!mp_obj_is_obj(k) || !FZ_IS_RAM(k)) {
        return mp_obj_is_qstr(k) || mp_obj_is_small_int(k) || k == mp_const_none || k == mp_const_true || k == mp_const_false
               || mp_obj_is_str_or_bytes(k);
    }
    const mp_obj_type_t *t = mp_obj_get_type(k);
    if (t == &mp_type_tuple) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(k, &n, &items);
        for (size_t i = 0; i < n; ++i) {
            if (!fz_key_ok(items[i])) {
                return false;
            }
        }
        return true;
    }
    return t == &mp_type_str || t == &mp_type_bytes || t == &mp_type_int || t == &mp_type_float;
}

// A global naming a module of this freeze that runs its code at import (`from . import core`): in
// flash, a reference by name (fz_modref_t), which the globals lookup resolves (mprt_freeze_overlay.c).
MP_DEFINE_CONST_OBJ_TYPE(mprt_type_freeze_modref, MP_QSTR_module, MP_TYPE_FLAG_NONE);

// The index of a module of this freeze (whether snapshotted or not), or -1.
static int fz_own_module(fz_snap_t *s, mp_obj_t o) {
    if (mp_obj_is_type(o, &mp_type_module) && FZ_IS_RAM(MP_OBJ_TO_PTR(o))) {
        for (size_t i = 0; i < s->n; ++i) {
            if (s->mods[i] == o) {
                return (int)i;
            }
        }
    }
    return -1;
}

// A global's value: a module of this freeze that runs at import becomes a reference by name.
static bool fz_snap_global(fz_snap_t *s, mp_obj_t v, uint32_t *out) {
    int j = fz_own_module(s, v);
    if (j < 0 || s->ok[j]) {
        return fz_snap_val(s, v, out);
    }
    fz_modref_t r = { { &mprt_type_freeze_modref }, fz_snap_qstr(s, mp_obj_str_get_qstr(s->names[j])) };
    uint32_t a = fz_emit(s, MP_OBJ_NULL, &r, sizeof(r));
    if (out != NULL) {
        *out = a;
    }
    return true;
}

// A fixed flash copy of a map: the table rebuilt in RAM from the entries kept (so it has free slots),
// each key and value snapshotted, then the table appended; *hdr: the map pointing at it. `file`
// replaces the value of __file__; `rebuilt` (a dict, or MP_OBJ_NULL): names whose value, when it cannot
// be snapshotted, is left out instead of failing.
static bool fz_snap_map(fz_snap_t *s, const mp_map_t *src, mp_obj_t file, mp_obj_t rebuilt, bool tmpl, mp_map_t *hdr) {
    mp_map_t tmp;
    mp_map_init(&tmp, src->used + src->used / 3 + 1);
    tmp.is_ordered = src->is_ordered;
    for (size_t i = 0; i < src->alloc; ++i) {
        if (!mp_map_slot_is_filled(src, i)) {
            continue;
        }
        mp_obj_t k = src->table[i].key, v = src->table[i].value;
        if (file != MP_OBJ_NULL && k == MP_OBJ_NEW_QSTR(MP_QSTR___file__)) {
            v = file;
        }
        if (!fz_key_ok(k)) {
            mp_map_deinit(&tmp);
            return fz_fail(s, k);
        }
        bool skip_bad = rebuilt != MP_OBJ_NULL && mp_map_lookup(mp_obj_dict_get_map(rebuilt), k, MP_MAP_LOOKUP) != NULL;
        if (s->mode == FZ_CHECK) {
            // values are checked here, once (the later passes take the same decisions)
            const char *why = s->why;
            if (!(file != MP_OBJ_NULL ? fz_snap_global(s, v, NULL) : tmpl ? fz_snap_val(s, v, NULL) : fz_snap_obj(s, v, NULL))) {
                if (!skip_bad) {
                    if (mp_obj_is_qstr(k) && s->why_name == MP_QSTRnull) {
                        s->why_name = MP_OBJ_QSTR_VALUE(k);
                    }
                    mp_map_deinit(&tmp);
                    return false;
                }
                s->why = why;
                continue;
            }
        } else if (skip_bad) {
            // the same check as the first pass, appending nothing
            fz_snap_t probe = *s;
            probe.mode = FZ_CHECK;
            probe.memo = mp_obj_new_dict(0);
            if (!(file != MP_OBJ_NULL ? fz_snap_global(&probe, v, NULL) : tmpl ? fz_snap_val(&probe, v, NULL) : fz_snap_obj(&probe, v, NULL))) {
                continue;
            }
        }
        mp_map_lookup(&tmp, k, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = v;
    }
    *hdr = tmp;
    hdr->is_fixed = 1;
    hdr->table = NULL;
    if (s->mode != FZ_CHECK) {
        // each slot becomes its flash words in place (the table is not used as a map any more)
        for (size_t i = 0; i < tmp.alloc; ++i) {
            mp_obj_t k = tmp.table[i].key;
            if (k != MP_OBJ_SENTINEL && k != MP_OBJ_NULL) {
                mp_obj_t v = tmp.table[i].value;
                uint32_t kw, vw;
                if (!fz_snap_obj(s, k, &kw) || !(file != MP_OBJ_NULL ? fz_snap_global(s, v, &vw) : tmpl ? fz_snap_val(s, v, &vw) : fz_snap_obj(s, v, &vw))) {
                    fz_changed();
                }
                tmp.table[i].key = (mp_obj_t)(uintptr_t)kw;
                tmp.table[i].value = (mp_obj_t)(uintptr_t)vw;
            } else {
                tmp.table[i].value = MP_OBJ_NULL;
            }
        }
        hdr->table = (mp_map_elem_t *)(uintptr_t)fz_emit(s, MP_OBJ_NULL, tmp.table, tmp.alloc * sizeof(mp_map_elem_t));
    }
    mp_map_deinit(&tmp);
    return true;
}

// A dict as a fixed flash dict of type `type` (frozendict, or dict for a class's locals).
static bool fz_snap_dict(fz_snap_t *s, mp_obj_t o, const mp_obj_type_t *type, mp_obj_t file, mp_obj_t rebuilt, bool tmpl, uint32_t *out) {
    mp_obj_dict_t *d = MP_OBJ_TO_PTR(o);
    fz_memo_set(s, o);
    mp_obj_dict_t c;
    memset(&c, 0, sizeof(c));
    c.base.type = type;
    if (!fz_snap_map(s, &d->map, file, rebuilt, tmpl, &c.map)) {
        return false;
    }
    uint32_t a = fz_emit(s, o, &c, sizeof(c));
    if (out != NULL) {
        *out = a;
    }
    return true;
}

// The raw code of module j in the image whose bytecode is `code` (the same compile), or NULL.
static const fz_rcinfo_t *fz_find_rc(fz_snap_t *s, size_t j, const byte *code) {
    fz_t *f = s->f;
    size_t end = j + 1 < f->n_mods ? f->mods[j + 1].rc_first : f->n_rcs;
    // a function's bytecode is a heap block of its own: no more bytes than that are read
    size_t cap = gc_nbytes(code);
    for (size_t k = f->mods[j].rc_first; k < end; ++k) {
        const fz_rcinfo_t *r = &f->rcs[k];
        if ((cap == 0 || r->len <= cap) && dl_crc32(0, code, r->len) == r->crc) {
            return r;
        }
    }
    return NULL;
}

// The snapshotted module whose globals a function of module code uses, or -1.
static int fz_fun_module(fz_snap_t *s, const mp_obj_fun_bc_t *fn) {
    int j = -1;
    for (size_t i = 0; i < s->n; ++i) {
        if (s->ok[i] && MP_OBJ_FROM_PTR(mp_obj_module_get_globals(s->mods[i])) == MP_OBJ_FROM_PTR(fn->context->module.globals)) {
            j = (int)i;
        }
    }
    return j;
}

static int fz_module_index(fz_snap_t *s, mp_obj_t m) {
    for (size_t i = 0; i < s->n; ++i) {
        if (s->mods[i] == m) {
            return s->ok[i] ? (int)i : -1;
        }
    }
    return -1;
}

static bool fz_snap_fun(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    const mp_obj_fun_bc_t *fn = MP_OBJ_TO_PTR(o);
    // its module: a module compiled from .py has a context of its own, with the module's globals
    int j = fz_fun_module(s, fn);
    if (j < 0) {
        return fz_fail(s, o);
    }
    const fz_rcinfo_t *r = fz_find_rc(s, j, fn->bytecode);
    if (r == NULL) {
        return fz_fail(s, o);
    }
    const byte *ip = fn->bytecode;
    MP_BC_PRELUDE_SIG_DECODE(ip);
    size_t n_extra = n_def_pos_args + ((scope_flags & MP_SCOPE_FLAG_DEFKWARGS) ? 1 : 0);
    size_t size = sizeof(mp_obj_fun_bc_t) + n_extra * sizeof(mp_obj_t);
    fz_memo_set(s, o);
    uint32_t *w = m_new0(uint32_t, size / 4);
    bool good = true;
    for (size_t k = 0; k < n_extra && good; ++k) {
        mp_obj_t a = fn->extra_args[k];
        if (k == n_def_pos_args && mp_obj_is_type(a, &mp_type_dict)) {
            // the keyword defaults: only looked up
            good = fz_snap_dict(s, a, &mp_type_dict, MP_OBJ_NULL, MP_OBJ_NULL, true, &w[size / 4 - n_extra + k]);
        } else {
            good = fz_snap_val(s, a, &w[size / 4 - n_extra + k]);
        }
    }
    if (good) {
        mp_obj_fun_bc_t *c = (mp_obj_fun_bc_t *)w;
        c->base.type = fn->base.type;
        c->context = (const mp_module_context_t *)(uintptr_t)(s->mode == FZ_WRITE ? s->ctx[j] : 0);
        c->child_table = (mp_raw_code_t **)(uintptr_t)r->children;
        c->bytecode = (const byte *)(uintptr_t)r->fun_data;
        #if MICROPY_PY_SYS_SETTRACE
        c->rc = (const mp_raw_code_t *)(uintptr_t)r->rc;
        #endif
        uint32_t a = fz_emit(s, o, w, size);
        if (out != NULL) {
            *out = a;
        }
    }
    m_del(uint32_t, w, size / 4);
    return good;
}

// A class made by a class statement: its type (slots), its locals map and its bases.
static bool fz_snap_type(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    const mp_obj_type_t *t = MP_OBJ_TO_PTR(o);
    if (t->base.type != &mp_type_type || !(t->flags & MP_TYPE_FLAG_INSTANCE_TYPE)) {
        return fz_fail(s, o);
    }
    const uint8_t *idx = &t->slot_index_make_new;
    size_t n_idx = &t->slot_index_locals_dict - &t->slot_index_make_new + 1, n_slots = 0;
    for (size_t k = 0; k < n_idx; ++k) {
        n_slots = MAX(n_slots, idx[k]);
    }
    size_t size = offsetof(mp_obj_type_t, slots) + n_slots * sizeof(void *);
    fz_memo_set(s, o);
    mp_obj_type_t *c = (mp_obj_type_t *)m_new(uint8_t, size);
    memcpy(c, t, size);
    bool good = true;
    for (size_t k = 0; k < n_slots && good; ++k) {
        const void *v = t->slots[k];
        uint32_t w = (uint32_t)(uintptr_t)v;
        if (k + 1 == t->slot_index_locals_dict) {
            good = fz_snap_dict(s, MP_OBJ_FROM_PTR(v), &mp_type_dict, MP_OBJ_NULL, MP_OBJ_NULL, true, &w);
        } else if (k + 1 == t->slot_index_parent) {
            good = fz_snap_obj(s, MP_OBJ_FROM_PTR(v), &w);
        } else if (FZ_IS_RAM(v)) {
            good = fz_fail(s, o);
        }
        c->slots[k] = (const void *)(uintptr_t)w;
    }
    if (good) {
        c->name = fz_snap_qstr(s, t->name);
        // subclassing a class sets this flag in it: set already, so nothing writes to flash
        c->flags |= MP_TYPE_FLAG_IS_SUBCLASSED;
        uint32_t a = fz_emit(s, o, c, size);
        if (out != NULL) {
            *out = a;
        }
    }
    m_del(uint8_t, c, size);
    return good;
}

static bool fz_class_immutable(const mp_obj_type_t *t) {
    mp_obj_t dest[2];
    mp_load_method_maybe(MP_OBJ_FROM_PTR(t), MP_QSTR___immutable__, dest);
    return dest[0] != MP_OBJ_NULL && mp_obj_is_true(dest[0]);
}

// Whether a class made by a class statement has only such classes as bases (one at each level): its
// instances are an mp_obj_instance_t and nothing else.
static bool fz_class_pure(const mp_obj_type_t *t) {
    for (const mp_obj_type_t *p = t; p != &mp_type_object;) {
        if (!mp_obj_is_instance_type(p)) {
            return false; // a built-in base: its part of the object is another object
        }
        if (!MP_OBJ_TYPE_HAS_SLOT(p, parent)) {
            break;
        }
        const mp_obj_base_t *parent = MP_OBJ_TYPE_GET_SLOT(p, parent);
        if (parent->type == &mp_type_tuple) {
            return false; // several bases: not handled
        }
        p = (const mp_obj_type_t *)parent;
    }
    return true;
}

// An instance of a class that sets __immutable__ = True (MicroPython RT's rule), with no built-in type
// among its bases: a flash instance with a fixed member map (vendor patch 0008 refuses stores to it).
static bool fz_snap_instance(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (!fz_class_immutable(t)) {
        return fz_fail(s, o);
    }
    for (const mp_obj_type_t *p = t; p != &mp_type_object;) {
        if (!mp_obj_is_instance_type(p)) {
            return fz_fail(s, o); // a built-in base: its part of the object is another object
        }
        if (!MP_OBJ_TYPE_HAS_SLOT(p, parent)) {
            break;
        }
        const mp_obj_base_t *parent = MP_OBJ_TYPE_GET_SLOT(p, parent);
        if (parent->type == &mp_type_tuple) {
            return fz_fail(s, o); // several bases: not handled
        }
        p = (const mp_obj_type_t *)parent;
    }
    mp_obj_instance_t *inst = MP_OBJ_TO_PTR(o);
    fz_memo_set(s, o);
    mp_obj_instance_t c;
    memset(&c, 0, sizeof(c));
    uint32_t type;
    if (!fz_snap_obj(s, MP_OBJ_FROM_PTR(t), &type) || !fz_snap_map(s, &inst->members, MP_OBJ_NULL, MP_OBJ_NULL, false, &c.members)) {
        return false;
    }
    c.base.type = (const mp_obj_type_t *)(uintptr_t)type;
    *out = fz_emit(s, o, &c, sizeof(c));
    return true;
}

// objclosure.c keeps its struct and type private (firmware key: mp_obj_new_closure, mp_obj_new_cell)
typedef struct _fz_closure_t {
    mp_obj_base_t base;
    mp_obj_t fun;
    size_t n_closed;
    mp_obj_t closed[];
} fz_closure_t;

// A closure made at import (a method using super() closes over __class__, a decorator's wrapper...):
// its cells go to flash too, when no code stores into them (no `nonlocal` assignment in the function
// or the functions nested in it).
static bool fz_snap_closure(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    const fz_closure_t *c = MP_OBJ_TO_PTR(o);
    if (!mp_obj_is_type(c->fun, &mp_type_fun_bc) && !mp_obj_is_type(c->fun, &mp_type_gen_wrap)) {
        return fz_fail(s, o);
    }
    const mp_obj_fun_bc_t *fn = MP_OBJ_TO_PTR(c->fun);
    for (size_t i = 0; i < s->n; ++i) {
        if (s->ok[i] && MP_OBJ_FROM_PTR(mp_obj_module_get_globals(s->mods[i])) == MP_OBJ_FROM_PTR(fn->context->module.globals)) {
            const fz_rcinfo_t *r = fz_find_rc(s, i, fn->bytecode);
            if (r == NULL || r->deref) {
                return fz_fail(s, o);
            }
        }
    }
    size_t n = c->n_closed, size = sizeof(fz_closure_t) + n * sizeof(mp_obj_t);
    fz_memo_set(s, o);
    uint32_t *w = m_new0(uint32_t, size / 4);
    w[0] = (uint32_t)(uintptr_t)c->base.type;
    w[2] = n;
    bool good = fz_snap_obj(s, c->fun, &w[1]);
    for (size_t k = 0; k < n && good; ++k) {
        // objcell.c's type is private: the cell's own
        mp_obj_t cell = c->closed[k];
        uint32_t cw[2] = { (uint32_t)(uintptr_t)((mp_obj_base_t *)MP_OBJ_TO_PTR(cell))->type, 0 };
        good = fz_snap_obj(s, mp_obj_cell_get(cell), &cw[1]);
        w[3 + k] = fz_emit(s, MP_OBJ_NULL, cw, sizeof(cw));
    }
    if (good) {
        *out = fz_emit(s, o, w, size);
    }
    m_del(uint32_t, w, size / 4);
    return good;
}


// ---- templates (docs/freeze.md "Templates") ----

// What kind of template a mutable object becomes, or -1 (not one: a flash object, or not copyable).
static int fz_tpl_kind(mp_obj_t o) {
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (t == &mp_type_dict
        #if MICROPY_PY_COLLECTIONS_ORDEREDDICT
        || t == &mp_type_ordereddict
        #endif
        ) {
        return FZ_TPL_DICT;
    }
    if (t == &mp_type_list) {
        return FZ_TPL_LIST;
    }
    #if MICROPY_PY_BUILTINS_SET
    if (t == &mp_type_set) {
        return FZ_TPL_SET;
    }
    #endif
    #if MICROPY_PY_BUILTINS_BYTEARRAY
    if (t == &mp_type_bytearray) {
        return FZ_TPL_BYTEARRAY;
    }
    #endif
    if (mp_obj_is_instance_type(t)) {
        return fz_class_immutable(t) || !fz_class_pure(t) ? -1 : FZ_TPL_INSTANCE;
    }
    if (mp_obj_is_native_exception_instance(o)) {
        return FZ_TPL_EXCEPTION;
    }
    if (mp_select_poll_is_empty(o)) {
        return FZ_TPL_POLL;
    }
    // an empty task queue of _asyncio (asyncio's loop): made again by calling its type
    mp_obj_t mod = mp_module_get_builtin(MP_QSTR__asyncio, false);
    if (mod != MP_OBJ_NULL) {
        mp_obj_t dest[2];
        mp_load_method_maybe(mod, MP_QSTR_TaskQueue, dest);
        if (dest[0] == MP_OBJ_FROM_PTR(t)) {
            mp_load_method(o, MP_QSTR_peek, dest);
            return mp_call_method_n_kw(0, 0, dest) == mp_const_none ? FZ_TPL_NEW : -1;
        }
    }
    return -1;
}

// A map's table as it is (the same slots, so a copy iterates in the same order), keys and values
// snapshotted (the values may be templates); *hdr: the map pointing at it (not fixed: a copy's).
static bool fz_snap_table(fz_snap_t *s, const mp_map_t *src, mp_map_t *hdr) {
    *hdr = *src;
    hdr->is_fixed = 0;
    hdr->table = NULL;
    size_t n = src->alloc;
    mp_map_elem_t *tab = s->mode == FZ_CHECK ? NULL : m_new0(mp_map_elem_t, n);
    bool good = true;
    for (size_t i = 0; i < n && good; ++i) {
        mp_obj_t k = src->table[i].key;
        if (k == MP_OBJ_NULL || k == MP_OBJ_SENTINEL) {
            if (tab != NULL) {
                tab[i].key = k;
            }
            continue;
        }
        if (!fz_key_ok(k)) {
            good = fz_fail(s, k);
            break;
        }
        uint32_t kw = 0, vw = 0;
        good = fz_snap_obj(s, k, &kw) && fz_snap_val(s, src->table[i].value, &vw);
        if (tab != NULL) {
            tab[i].key = (mp_obj_t)(uintptr_t)kw;
            tab[i].value = (mp_obj_t)(uintptr_t)vw;
        }
    }
    if (tab != NULL) {
        if (good && n) {
            hdr->table = (mp_map_elem_t *)(uintptr_t)fz_emit(s, MP_OBJ_NULL, tab, n * sizeof(mp_map_elem_t));
        }
        m_del(mp_map_elem_t, tab, n);
    }
    return good;
}

// A sequence of values (a list's, a set's items, an exception's arguments), each may be a template.
static bool fz_snap_items(fz_snap_t *s, size_t n, const mp_obj_t *items, uint32_t *addr) {
    uint32_t *w = s->mode == FZ_CHECK ? NULL : m_new0(uint32_t, n + 1);
    bool good = true;
    for (size_t k = 0; k < n && good; ++k) {
        uint32_t v = 0;
        good = fz_snap_val(s, items[k], &v);
        if (w != NULL) {
            w[k] = v;
        }
    }
    if (w != NULL) {
        *addr = good && n ? fz_emit(s, MP_OBJ_NULL, w, n * sizeof(uint32_t)) : 0;
        m_del(uint32_t, w, n + 1);
    }
    return good;
}

// A mutable object as a template: what it holds, then an fz_template_t naming its kind and type. Its
// RAM copy is made where the program first takes it (mprt_freeze_template.c), one per template.
static bool fz_snap_template(fz_snap_t *s, mp_obj_t o, int kind, uint32_t *out) {
    fz_memo_set(s, o);
    fz_template_t c;
    memset(&c, 0, sizeof(c));
    c.base.type = &mprt_type_freeze_template;
    c.kind = kind;
    const mp_obj_type_t *t = mp_obj_get_type(o);
    c.type = t;
    bool good = true;
    uint32_t items = 0;
    switch (kind) {
        case FZ_TPL_DICT:
            good = fz_snap_table(s, mp_obj_dict_get_map(o), &c.map);
            break;
        case FZ_TPL_INSTANCE: {
            uint32_t type = 0;
            good = fz_snap_obj(s, MP_OBJ_FROM_PTR(t), &type)
                && fz_snap_table(s, &((mp_obj_instance_t *)MP_OBJ_TO_PTR(o))->members, &c.map);
            c.type = (const mp_obj_type_t *)(uintptr_t)type;
            break;
        }
        case FZ_TPL_LIST: {
            size_t n;
            mp_obj_t *it;
            mp_obj_list_get(o, &n, &it);
            c.len = n;
            good = fz_snap_items(s, n, it, &items);
            break;
        }
            #if MICROPY_PY_BUILTINS_SET
        case FZ_TPL_SET: {
            // its items in iteration order (the copy hashes them again)
            mp_obj_t list = mp_obj_new_list(0, NULL);
            mp_obj_t iter = mp_getiter(o, NULL), item;
            while ((item = mp_iternext(iter)) != MP_OBJ_STOP_ITERATION) {
                if (!fz_key_ok(item)) {
                    return fz_fail(s, item);
                }
                mp_obj_list_append(list, item);
            }
            size_t n;
            mp_obj_t *it;
            mp_obj_list_get(list, &n, &it);
            c.len = n;
            good = fz_snap_items(s, n, it, &items);
            break;
        }
            #endif
            #if MICROPY_PY_BUILTINS_BYTEARRAY
        case FZ_TPL_BYTEARRAY: {
            mp_buffer_info_t bi;
            mp_get_buffer_raise(o, &bi, MP_BUFFER_READ);
            c.len = bi.len;
            if (s->mode != FZ_CHECK && bi.len) {
                items = fz_emit(s, MP_OBJ_NULL, bi.buf, bi.len);
            }
            break;
        }
            #endif
        case FZ_TPL_EXCEPTION: {
            // its arguments (its traceback is not kept: a copy is a new exception)
            size_t n;
            mp_obj_t *it;
            mp_obj_tuple_get(mp_load_attr(o, MP_QSTR_args), &n, &it);
            c.len = n;
            good = fz_snap_items(s, n, it, &items);
            break;
        }
        default:
            break; // an empty native object: made again
    }
    if (!good) {
        return false;
    }
    c.items = (const mp_obj_t *)(uintptr_t)items;
    *out = fz_emit(s, o, &c, sizeof(c));
    return true;
}

static bool fz_snap_obj_(fz_snap_t *s, mp_obj_t o, bool tmpl, uint32_t *out);

// A failed object is remembered as such (the first pass takes an object met again as good, for
// cycles): every other reference to it fails too, so the later passes meet no object that cannot be
// written.
static bool fz_snap_obj(fz_snap_t *s, mp_obj_t o, uint32_t *out) {
    uint32_t dummy;
    bool tmpl = s->tmpl;
    s->tmpl = false;
    bool good = fz_snap_obj_(s, o, tmpl, out != NULL ? out : &dummy);
    if (!good && s->mode == FZ_CHECK && mp_obj_is_obj(o) && FZ_IS_RAM(o)) {
        fz_memo(s, o, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = mp_const_false;
    }
    return good;
}

static bool fz_snap_obj_(fz_snap_t *s, mp_obj_t o, bool tmpl, uint32_t *out) {
    if (mp_obj_is_qstr(o)) {
        *out = (uint32_t)(uintptr_t)MP_OBJ_NEW_QSTR(fz_snap_qstr(s, MP_OBJ_QSTR_VALUE(o)));
        return true;
    }
    if (!mp_obj_is_obj(o) || !FZ_IS_RAM(o)) {
        // small ints, immediates, the firmware's objects; not the image in use (the new one replaces it)
        if (mp_obj_is_obj(o) && fz_in_image(MP_OBJ_TO_PTR(o))) {
            return fz_fail(s, o);
        }
        *out = (uint32_t)(uintptr_t)o;
        return true;
    }
    mp_map_elem_t *e = fz_visited(s, o);
    if (e != NULL) {
        if (e->value == mp_const_false || (!tmpl && fz_tpl_kind(o) >= 0)) {
            // a template met again where it would not be copied (in a tuple...)
            return fz_fail(s, o);
        }
        *out = fz_addr_of(s, o);
        return true;
    }
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (t == &mp_type_str || t == &mp_type_bytes || t == &mp_type_int
        #if MICROPY_PY_BUILTINS_FLOAT
        || t == &mp_type_float
        #endif
        ) {
        // a copy for each reference (fz_obj): not in the memo
        *out = s->mode == FZ_CHECK ? 0 : fz_obj(s->f, o);
        return true;
    }
    if (t == &mp_type_tuple) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(o, &n, &items);
        size_t size = sizeof(mp_obj_tuple_t) + n * sizeof(mp_obj_t);
        fz_memo_set(s, o);
        uint32_t *w = m_new(uint32_t, size / 4);
        w[0] = (uint32_t)(uintptr_t)&mp_type_tuple;
        w[1] = n;
        bool good = true;
        for (size_t k = 0; k < n && good; ++k) {
            good = fz_snap_obj(s, items[k], &w[2 + k]);
        }
        if (good) {
            *out = fz_emit(s, o, w, size);
        }
        m_del(uint32_t, w, size / 4);
        return good;
    }
    if (t == &mprt_type_frozendict) {
        return fz_snap_dict(s, o, t, MP_OBJ_NULL, MP_OBJ_NULL, false, out);
    }
    if (t == &mp_type_fun_bc || t == &mp_type_gen_wrap) {
        return fz_snap_fun(s, o, out);
    }
    if (t->name == MP_QSTR_closure && !FZ_IS_RAM(t)) {
        // objclosure.c's type is private
        return fz_snap_closure(s, o, out);
    }
    if (t == &mp_type_staticmethod || t == &mp_type_classmethod) {
        fz_memo_set(s, o);
        uint32_t w[2] = { (uint32_t)(uintptr_t)t, 0 };
        if (!fz_snap_obj(s, ((mp_obj_static_class_method_t *)MP_OBJ_TO_PTR(o))->fun, &w[1])) {
            return false;
        }
        *out = fz_emit(s, o, w, sizeof(w));
        return true;
    }
    #if MICROPY_PY_BUILTINS_PROPERTY
    if (t == &mp_type_property) {
        // objproperty.c keeps its struct private: base, then getter, setter, deleter (firmware key)
        fz_memo_set(s, o);
        const mp_obj_t *proxy = mp_obj_property_get(o);
        uint32_t w[4] = { (uint32_t)(uintptr_t)t, 0, 0, 0 };
        for (size_t k = 0; k < 3; ++k) {
            if (!fz_snap_obj(s, proxy[k], &w[1 + k])) {
                return false;
            }
        }
        *out = fz_emit(s, o, w, sizeof(w));
        return true;
    }
    #endif
    if (t == &mp_type_module) {
        int j = fz_module_index(s, o);
        if (j < 0) {
            return fz_fail(s, o);
        }
        *out = s->mode == FZ_WRITE ? s->ctx[j] : 0;
        return true;
    }
    if (t == &mp_type_type) {
        return fz_snap_type(s, o, out);
    }
    int kind = fz_tpl_kind(o);
    if (kind >= 0) {
        // a mutable object: a template where a copy is made when taken, else it cannot be in flash
        return tmpl ? fz_snap_template(s, o, kind, out) : fz_fail(s, o);
    }
    if (mp_obj_is_instance_type(t)) {
        return fz_snap_instance(s, o, out);
    }
    return fz_fail(s, o);
}

// Scans a raw code's bytecode: FZ_SCAN_EFFECT finds a call whose result is dropped (top-level code
// calling something for its effect: print(), a registration..., which must happen at each import);
// FZ_SCAN_DEREF a store into or delete of a closed-over variable (the builder combines a function's
// result with its nested functions'; mprt_freeze_build.c, from the code compiled for the image).
// One bytecode instruction: its opcode and its argument (a qstr table index, a number or an offset);
// the next instruction.
static const byte *fz_next_op(const byte *ip, byte *op, size_t *arg) {
    *op = *ip++;
    *arg = 0;
    int format = MP_BC_FORMAT(*op);
    if (format == MP_BC_FORMAT_QSTR || format == MP_BC_FORMAT_VAR_UINT) {
        do {
            *arg = (*arg << 7) | (*ip & 0x7f);
        } while (*ip++ & 0x80);
    } else if (format == MP_BC_FORMAT_OFFSET) {
        ip += (*ip & 0x80) ? 2 : 1;
    }
    if ((*op & MP_BC_MASK_EXTRA_BYTE) == 0) {
        ++ip;
    }
    return ip;
}

// The first instruction of a function's bytecode (after its prelude).
static const byte *fz_code_start(const byte *ip) {
    MP_BC_PRELUDE_SIG_DECODE(ip);
    MP_BC_PRELUDE_SIZE_DECODE(ip);
    return ip + n_info + n_cell;
}

bool fz_scan_code(const byte *code, size_t len, int what) {
    const byte *top = code + len;
    bool after_call = false;
    for (const byte *ip = fz_code_start(code); ip < top;) {
        byte op;
        size_t arg;
        ip = fz_next_op(ip, &op, &arg);
        if (what == FZ_SCAN_EFFECT && op == MP_BC_POP_TOP && after_call) {
            return true;
        }
        if (what == FZ_SCAN_DEREF && (op == MP_BC_STORE_DEREF || op == MP_BC_DELETE_DEREF)) {
            return true;
        }
        after_call = op == MP_BC_CALL_FUNCTION || op == MP_BC_CALL_FUNCTION_VAR_KW || op == MP_BC_CALL_METHOD
            || op == MP_BC_CALL_METHOD_VAR_KW;
    }
    return false;
}

bool fz_scan_effect(const byte *code, size_t len, const qstr_short_t *qstrs, qstr *setup) {
    const byte *top = code + len;
    *setup = MP_QSTRnull;
    // the last three instructions: a name loaded, then called without arguments, the result dropped
    byte op1 = 0, op2 = 0;
    size_t arg1 = 0, arg2 = 0;
    for (const byte *ip = fz_code_start(code); ip < top;) {
        byte op;
        size_t arg;
        ip = fz_next_op(ip, &op, &arg);
        if (op == MP_BC_POP_TOP && (op1 == MP_BC_CALL_FUNCTION || op1 == MP_BC_CALL_FUNCTION_VAR_KW
                                    || op1 == MP_BC_CALL_METHOD || op1 == MP_BC_CALL_METHOD_VAR_KW)) {
            if (op1 != MP_BC_CALL_FUNCTION || arg1 != 0 || (op2 != MP_BC_LOAD_NAME && op2 != MP_BC_LOAD_GLOBAL)
                || *setup != MP_QSTRnull) {
                return true;
            }
            *setup = qstrs[arg2];
        }
        op2 = op1;
        arg2 = arg1;
        op1 = op;
        arg1 = arg;
    }
    return false;
}

// Whether module i's top-level call of `name` (fz_scan_effect) sets the module up: `name` is a function
// of the module whose own code calls nothing for its effect (it stores what it makes: the snapshot has
// that). E.g. asyncio.core's `new_event_loop()`, which makes the loop's queues.
static bool fz_setup_call_ok(fz_snap_t *s, size_t i, qstr name) {
    mp_map_elem_t *e = mp_map_lookup(&mp_obj_module_get_globals(s->mods[i])->map, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
    if (e == NULL || !mp_obj_is_type(e->value, &mp_type_fun_bc)) {
        return false;
    }
    const mp_obj_fun_bc_t *fn = MP_OBJ_TO_PTR(e->value);
    if (fn->context->module.globals != mp_obj_module_get_globals(s->mods[i])) {
        return false;
    }
    const fz_rcinfo_t *r = fz_find_rc(s, i, fn->bytecode);
    return r != NULL && !fz_scan_code(fn->bytecode, r->len, FZ_SCAN_EFFECT);
}

// The globals module i's __thaw__ stores (`global x; x = ...` in it), as a dict's keys: the globals
// that may be left out of its snapshot when their value cannot be in flash (MicroPython RT's rule:
// __thaw__ rebuilds mutable state). MP_OBJ_NULL: no __thaw__.
static mp_obj_t fz_thaw_names(fz_snap_t *s, size_t i) {
    mp_map_elem_t *e = mp_map_lookup(&mp_obj_module_get_globals(s->mods[i])->map, MP_OBJ_NEW_QSTR(MP_QSTR___thaw__), MP_MAP_LOOKUP);
    if (e == NULL || !mp_obj_is_type(e->value, &mp_type_fun_bc)) {
        return MP_OBJ_NULL;
    }
    const mp_obj_fun_bc_t *fn = MP_OBJ_TO_PTR(e->value);
    const fz_rcinfo_t *r = fz_find_rc(s, i, fn->bytecode);
    if (r == NULL) {
        return MP_OBJ_NULL;
    }
    const byte *top = fn->bytecode + r->len;
    mp_obj_t names = mp_obj_new_dict(0);
    for (const byte *ip = fz_code_start(fn->bytecode); ip < top;) {
        byte op;
        size_t arg;
        ip = fz_next_op(ip, &op, &arg);
        if (op == MP_BC_STORE_GLOBAL) {
            mp_obj_dict_store(names, MP_OBJ_NEW_QSTR(fn->context->constants.qstr_table[arg]), mp_const_true);
        }
    }
    return names;
}

static mp_obj_t fz_file(const fz_modinfo_t *m) {
    vstr_t v;
    vstr_init(&v, 16);
    vstr_add_str(&v, "@flash/");
    vstr_add_str(&v, m->path);
    return mp_obj_new_str_from_vstr(&v);
}

// Module i's snapshot: its globals (and all they reach), then its module object (context).
static uint32_t fz_snap_module(fz_snap_t *s, size_t i, mp_obj_t rebuilt) {
    const fz_modinfo_t *m = &s->f->mods[i];
    uint32_t globals;
    mp_obj_t g = MP_OBJ_FROM_PTR(mp_obj_module_get_globals(s->mods[i]));
    if (!fz_snap_dict(s, g, &mp_type_dict, fz_file(m), rebuilt, false, &globals)) {
        fz_changed();
    }
    mp_module_context_t c;
    memset(&c, 0, sizeof(c));
    c.module.base.type = &mp_type_module;
    c.module.globals = (mp_obj_dict_t *)(uintptr_t)globals;
    c.constants.qstr_table = (qstr_short_t *)(uintptr_t)m->qstr_table;
    c.constants.obj_table = (mp_obj_t *)(uintptr_t)m->obj_table;
    return fz_emit(s, MP_OBJ_NULL, &c, sizeof(c));
}

void fz_snap_modules(fz_t *f, const mp_obj_t *names, const mp_obj_t *mods, const bool *printed, fz_module_t *entries, size_t n) {
    fz_snap_t s = { .f = f, .mods = mods, .names = names, .n = n, .mode = FZ_CHECK };
    s.ok = m_new0(bool, n);
    s.ctx = m_new0(uint32_t, n);
    const char **why = m_new0(const char *, n);
    qstr *why_name = m_new0(qstr, n);
    mp_obj_t *rebuilt = m_new0(mp_obj_t, n);
    for (size_t i = 0; i < n; ++i) {
        s.ok[i] = mp_obj_is_type(mods[i], &mp_type_module) && FZ_IS_RAM(MP_OBJ_TO_PTR(mods[i]));
        rebuilt[i] = s.ok[i] ? fz_thaw_names(&s, i) : MP_OBJ_NULL;
        if (s.ok[i] && (f->mods[i].effect || (f->mods[i].setup != MP_QSTRnull && !fz_setup_call_ok(&s, i, f->mods[i].setup)))) {
            s.ok[i] = false;
            why[i] = "its top-level code calls a function for its effect";
        } else if (s.ok[i] && printed[i]) {
            s.ok[i] = false;
            why[i] = "its import printed";
        }
    }
    fz_t dry;
    for (;;) {
        // which modules can be snapshotted, when those that cannot are not (a reference to one of their
        // objects makes another one fail)
        s.f = f;
        s.mode = FZ_CHECK;
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t i = 0; i < n; ++i) {
                if (!s.ok[i]) {
                    continue;
                }
                s.memo = mp_obj_new_dict(0);
                s.why = NULL;
                s.why_name = MP_QSTRnull;
                mp_obj_t g = MP_OBJ_FROM_PTR(mp_obj_module_get_globals(mods[i]));
                if (!fz_snap_dict(&s, g, &mp_type_dict, fz_file(&f->mods[i]), rebuilt[i], false, NULL)) {
                    s.ok[i] = false;
                    why[i] = s.why;
                    why_name[i] = s.why_name;
                    changed = true;
                }
            }
        }
        // the layout, on a copy of the builder that appends nothing (the qstrs are numbered as they will
        // be written); "does not fit" comes here, before the snapshot's first byte: the module whose
        // snapshot overflows the half runs its code at import instead, and the others are tried again
        dry = *f;
        dry.win = NULL;
        s.f = &dry;
        s.mode = FZ_LAYOUT;
        s.memo = mp_obj_new_dict(0);
        volatile size_t cur = 0;
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            for (cur = 0; cur < n; ++cur) {
                if (s.ok[cur]) {
                    s.ctx[cur] = fz_snap_module(&s, cur, rebuilt[cur]);
                }
            }
            nlr_pop();
            break;
        }
        if (cur >= n || !mp_obj_exception_match(MP_OBJ_FROM_PTR(nlr.ret_val), MP_OBJ_FROM_PTR(&mp_type_OSError))) {
            nlr_jump(nlr.ret_val);
        }
        s.ok[cur] = false;
        why[cur] = "its snapshot does not fit in a half of the freeze region: raise flash.freeze_size";
        why_name[cur] = MP_QSTRnull;
    }
    // the snapshot appended, front to back
    s.f = f;
    s.mode = FZ_WRITE;
    for (size_t i = 0; i < n; ++i) {
        if (!s.ok[i]) {
            if (f->win == NULL) {
                // said once, by the pass that writes
            } else if (why_name[i] != MP_QSTRnull) {
                mp_printf(&mp_plat_print, "module '%s' runs its code at import (global '%s': a '%s' cannot be snapshotted)\n",
                    mp_obj_str_get_str(names[i]), qstr_str(why_name[i]), why[i]);
            } else if (why[i] != NULL) {
                mp_printf(&mp_plat_print, "module '%s' runs its code at import (%s)\n", mp_obj_str_get_str(names[i]), why[i]);
            }
            continue;
        }
        size_t start = f->len;
        if (fz_snap_module(&s, i, rebuilt[i]) != s.ctx[i]) {
            fz_changed();
        }
        entries[i].module = s.ctx[i];
        entries[i].name = fz_qstr(f, mp_obj_str_get_qstr(names[i]));
        entries[i].size += f->len - start;
        f->flash_bytes += f->len - start;
    }
    m_del(bool, s.ok, n);
    m_del(uint32_t, s.ctx, n);
    m_del(const char *, why, n);
    m_del(qstr, why_name, n);
    m_del(mp_obj_t, rebuilt, n);
}
