// Templates of snapshotted modules at run time (docs/freeze.md "Templates"): a mutable object of a
// snapshot (a dict, a list, a set, a bytearray, an instance, an exception, an empty poll or task
// queue) is in flash as what it held when frozen; where the program first takes it (a global, a
// default argument, a class attribute, an item of another copy: vendor patches 0008 and 0010) a RAM
// copy is made, and the same copy is handed out from then on (a dict of copies by template, a GC
// root), so identity holds: two globals naming one list name one copy. Nothing is copied at import.
// The templates are made at freeze time by mprt_freeze_snap.c.
#include <string.h>
#include "py/runtime.h"
#include "py/objtype.h"
#include "py/objlist.h"
#include "mprt_freeze_image.h"
#include "mprt_freeze_snap.h"
#include "posix/mp_modselect.h"

// dict: template address (small int) -> its copy; during a copy of an exception, a placeholder
MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_freeze_copies);

void fz_template_reset(void) {
    MP_STATE_VM(mprt_freeze_copies) = MP_OBJ_NULL;
}

static mp_map_elem_t *fz_copy_slot(mp_obj_t tpl) {
    if (MP_STATE_VM(mprt_freeze_copies) == MP_OBJ_NULL) {
        MP_STATE_VM(mprt_freeze_copies) = mp_obj_new_dict(4);
    }
    return mp_map_lookup(mp_obj_dict_get_map(MP_STATE_VM(mprt_freeze_copies)),
        MP_OBJ_NEW_SMALL_INT((uintptr_t)MP_OBJ_TO_PTR(tpl)), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
}

// dst becomes a RAM copy of src's table (same slots, so the same order), values resolved. dst is
// reachable (its object is among the copies) before a value is copied: a copy may collect.
static void fz_copy_map(mp_map_t *dst, const mp_map_t *src) {
    mp_map_t m = *src;
    m.is_fixed = 0;
    m.table = src->alloc ? m_new0(mp_map_elem_t, src->alloc) : NULL;
    for (size_t i = 0; i < src->alloc; ++i) {
        m.table[i].key = src->table[i].key;
        m.table[i].value = mp_const_none;
    }
    *dst = m;
    for (size_t i = 0; i < src->alloc; ++i) {
        mp_obj_t k = src->table[i].key;
        if (k != MP_OBJ_NULL && k != MP_OBJ_SENTINEL) {
            dst->table[i].value = fz_resolve(src->table[i].value);
        } else {
            dst->table[i].value = src->table[i].value;
        }
    }
}

mp_obj_t mprt_freeze_template_get(mp_obj_t tpl) {
    mp_map_elem_t *slot = fz_copy_slot(tpl);
    if (slot->value != MP_OBJ_NULL) {
        if (mp_obj_is_small_int(slot->value)) {
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("freeze: a frozen exception's arguments refer to it"));
        }
        return slot->value;
    }
    const fz_template_t *t = MP_OBJ_TO_PTR(tpl);
    mp_obj_t copy;
    switch (t->kind) {
        case FZ_TPL_DICT: {
            mp_obj_dict_t *d = MP_OBJ_TO_PTR(mp_obj_new_dict(0));
            d->base.type = t->type;
            slot->value = copy = MP_OBJ_FROM_PTR(d);
            fz_copy_map(&d->map, &t->map);
            break;
        }
        case FZ_TPL_INSTANCE: {
            const mp_obj_type_t *native_base;
            mp_obj_instance_t *o = mp_obj_new_instance(t->type, &native_base);
            slot->value = copy = MP_OBJ_FROM_PTR(o);
            fz_copy_map(&o->members, &t->map);
            break;
        }
        case FZ_TPL_LIST: {
            mp_obj_list_t *l = MP_OBJ_TO_PTR(mp_obj_new_list(t->len, NULL));
            for (size_t k = 0; k < t->len; ++k) {
                l->items[k] = mp_const_none;
            }
            slot->value = copy = MP_OBJ_FROM_PTR(l);
            for (size_t k = 0; k < t->len; ++k) {
                l->items[k] = fz_resolve(t->items[k]);
            }
            break;
        }
            #if MICROPY_PY_BUILTINS_SET
        case FZ_TPL_SET:
            slot->value = copy = mp_obj_new_set(0, NULL);
            for (size_t k = 0; k < t->len; ++k) {
                mp_obj_set_store(copy, fz_resolve(t->items[k]));
            }
            break;
            #endif
            #if MICROPY_PY_BUILTINS_BYTEARRAY
        case FZ_TPL_BYTEARRAY:
            slot->value = copy = mp_obj_new_bytearray(t->len, t->items);
            break;
            #endif
        case FZ_TPL_EXCEPTION: {
            slot->value = MP_OBJ_NEW_SMALL_INT(0); // being made: a cycle through its arguments is refused
            mp_obj_t *args = m_new(mp_obj_t, t->len + 1);
            for (size_t k = 0; k < t->len; ++k) {
                args[k] = fz_resolve(t->items[k]);
            }
            copy = mp_obj_exception_make_new(t->type, t->len, 0, args);
            m_del(mp_obj_t, args, t->len + 1);
            fz_copy_slot(tpl)->value = copy;
            break;
        }
            #if MPRT_POSIX
        case FZ_TPL_POLL:
            slot->value = copy = mp_select_poll_new();
            break;
            #endif
        case FZ_TPL_NEW:
            copy = mp_call_function_0(MP_OBJ_FROM_PTR(t->type));
            fz_copy_slot(tpl)->value = copy;
            break;
        default:
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("freeze: unknown template"));
    }
    return copy;
}

// A template that escaped unresolved (e.g. a value of module.__dict__, which is the flash dict) acts as
// its copy.
static void fz_tpl_print(const mp_print_t *print, mp_obj_t self, mp_print_kind_t kind) {
    mp_obj_print_helper(print, mprt_freeze_template_get(self), kind);
}

static void fz_tpl_attr(mp_obj_t self, qstr attr, mp_obj_t *dest) {
    mp_obj_t c = mprt_freeze_template_get(self);
    if (dest[0] == MP_OBJ_NULL) {
        mp_load_method_maybe(c, attr, dest);
    } else {
        mp_store_attr(c, attr, dest[1]);
        dest[0] = MP_OBJ_NULL;
    }
}

static mp_obj_t fz_tpl_subscr(mp_obj_t self, mp_obj_t index, mp_obj_t value) {
    return mp_obj_subscr(mprt_freeze_template_get(self), index, value);
}

static mp_obj_t fz_tpl_getiter(mp_obj_t self, mp_obj_iter_buf_t *iter_buf) {
    return mp_getiter(mprt_freeze_template_get(self), iter_buf);
}

static mp_obj_t fz_tpl_unary_op(mp_unary_op_t op, mp_obj_t self) {
    return mp_unary_op(op, mprt_freeze_template_get(self));
}

static mp_obj_t fz_tpl_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    return mp_binary_op(op, mprt_freeze_template_get(lhs), rhs);
}

static mp_obj_t fz_tpl_call(mp_obj_t self, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    return mp_call_function_n_kw(mprt_freeze_template_get(self), n_args, n_kw, args);
}

MP_DEFINE_CONST_OBJ_TYPE(
    mprt_type_freeze_template,
    MP_QSTR_template,
    MP_TYPE_FLAG_ITER_IS_GETITER,
    print, fz_tpl_print,
    attr, fz_tpl_attr,
    subscr, fz_tpl_subscr,
    iter, fz_tpl_getiter,
    unary_op, fz_tpl_unary_op,
    binary_op, fz_tpl_binary_op,
    call, fz_tpl_call
    );
