// freeze.frozendict (F7, docs/freeze.md "frozendict"): a dict that cannot change, so that a module's
// constant tables can be snapshotted into flash. It is a dict object (mp_obj_dict_t) whose map is
// fixed: reading goes through dict's own code, every mutation raises TypeError (dict's methods check
// the fixed flag; item assignment and deletion are refused here).
#include "py/runtime.h"
#include "py/objtype.h"
#include "py/smallint.h"
#include "mprt_freeze_snap.h"

static mp_obj_t fd_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_obj_t d = MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, make_new)(&mp_type_dict, n_args, n_kw, args);
    mp_obj_dict_t *self = MP_OBJ_TO_PTR(d);
    self->base.type = type;
    self->map.is_fixed = 1;
    return d;
}

static void fd_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    // dict's print writes "frozendict({...})" for a type other than dict
    MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, print)(print, self_in, kind);
}

static mp_obj_t fd_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    if (op == MP_UNARY_OP_HASH) {
        // hashable as a frozenset is: from its items, whatever their order
        mp_obj_dict_t *self = MP_OBJ_TO_PTR(self_in);
        mp_int_t h = 0;
        for (size_t i = 0; i < self->map.alloc; ++i) {
            if (mp_map_slot_is_filled(&self->map, i)) {
                mp_obj_t kv[2] = { self->map.table[i].key, self->map.table[i].value };
                h ^= mp_obj_get_int(mp_unary_op(MP_UNARY_OP_HASH, mp_obj_new_tuple(2, kv)));
            }
        }
        return MP_OBJ_NEW_SMALL_INT(h & (MP_SMALL_INT_MAX >> 1));
    }
    return MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, unary_op)(op, self_in);
}

static mp_obj_t fd_binary_op(mp_binary_op_t op, mp_obj_t lhs_in, mp_obj_t rhs_in) {
    if (op == MP_BINARY_OP_EQUAL) {
        // equal to a dict or frozendict with the same items
        if (!mp_obj_is_dict_or_ordereddict(rhs_in) && !mp_obj_is_type(rhs_in, &mprt_type_frozendict)) {
            return mp_const_false;
        }
        mp_obj_dict_t *a = MP_OBJ_TO_PTR(lhs_in), *b = MP_OBJ_TO_PTR(rhs_in);
        if (a->map.used != b->map.used) {
            return mp_const_false;
        }
        for (size_t i = 0; i < a->map.alloc; ++i) {
            if (mp_map_slot_is_filled(&a->map, i)) {
                mp_map_elem_t *e = mp_map_lookup(&b->map, a->map.table[i].key, MP_MAP_LOOKUP);
                if (e == NULL || !mp_obj_equal(e->value, a->map.table[i].value)) {
                    return mp_const_false;
                }
            }
        }
        return mp_const_true;
    }
    if (op == MP_BINARY_OP_INPLACE_OR) {
        mp_raise_msg(&mp_type_TypeError, MP_ERROR_TEXT("'frozendict' object is immutable"));
    }
    if (op == MP_BINARY_OP_OR) {
        // a new frozendict with the items of both
        if (!mp_obj_is_dict_or_ordereddict(rhs_in) && !mp_obj_is_type(rhs_in, &mprt_type_frozendict)) {
            return MP_OBJ_NULL; // op not supported
        }
        mp_obj_t d = mp_obj_dict_copy(lhs_in);
        mp_obj_dict_t *self = MP_OBJ_TO_PTR(d), *rhs = MP_OBJ_TO_PTR(rhs_in);
        self->map.is_fixed = 0;
        for (size_t i = 0; i < rhs->map.alloc; ++i) {
            if (mp_map_slot_is_filled(&rhs->map, i)) {
                mp_map_lookup(&self->map, rhs->map.table[i].key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND)->value = rhs->map.table[i].value;
            }
        }
        self->map.is_fixed = 1;
        return d;
    }
    return MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, binary_op)(op, lhs_in, rhs_in);
}

static mp_obj_t fd_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    if (value != MP_OBJ_SENTINEL) {
        mp_raise_msg(&mp_type_TypeError, MP_ERROR_TEXT("'frozendict' object is immutable"));
    }
    return MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, subscr)(self_in, index, value);
}

static mp_obj_t fd_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    return ((mp_getiter_fun_t)MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, iter))(self_in, iter_buf);
}

// immutable: a copy is the object itself (as frozenset.copy)
static mp_obj_t fd_copy(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(fd_copy_obj, fd_copy);

// dict's methods (a native type's parent is not searched for them): get, keys, values, items read;
// clear, pop, popitem, setdefault, update raise TypeError on the fixed map
static void fd_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return; // no attribute can be stored or deleted
    }
    if (attr == MP_QSTR_copy) {
        dest[0] = MP_OBJ_FROM_PTR(&fd_copy_obj);
        dest[1] = self_in;
        return;
    }
    mp_map_t *methods = &MP_OBJ_TYPE_GET_SLOT(&mp_type_dict, locals_dict)->map;
    mp_map_elem_t *e = mp_map_lookup(methods, MP_OBJ_NEW_QSTR(attr), MP_MAP_LOOKUP);
    if (e != NULL) {
        mp_convert_member_lookup(self_in, &mp_type_dict, e->value, dest);
    }
}

MP_DEFINE_CONST_OBJ_TYPE(
    mprt_type_frozendict,
    MP_QSTR_frozendict,
    MP_TYPE_FLAG_ITER_IS_GETITER | MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE,
    make_new, fd_make_new,
    print, fd_print,
    unary_op, fd_unary_op,
    binary_op, fd_binary_op,
    subscr, fd_subscr,
    iter, fd_getiter,
    attr, fd_attr,
    parent, &mp_type_dict
    );
