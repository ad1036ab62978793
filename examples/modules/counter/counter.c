// A module with a type: `c = counter.Counter(step=1, history=8)`; methods incr() and reset(),
// attributes c.count (read/write) and c.step (read-only), and a history buffer from C malloc()
// (freed by the finaliser when the object is collected).
#include <stdlib.h>
#include <string.h>

typedef struct {
    mp_obj_base_t base;
    mp_int_t count;
    mp_int_t step;
    size_t hist_len;
    size_t hist_used;
    mp_int_t *hist; // C heap: malloc/free
} counter_obj_t;

extern mp_obj_type_t counter_type;

static mp_obj_t counter_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    // Not `static const`: MP_QSTR_step is resolved at install, it cannot initialise the 16-bit field statically.
    const mp_arg_t allowed[] = {
        { MP_QSTR_step, MP_ARG_INT, {.u_int = 1} },
        { MP_QSTR_history, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 8} },
    };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed), allowed, vals);
    if (vals[1].u_int < 1 || vals[1].u_int > 1024) {
        mp_raise_ValueError(MP_ERROR_TEXT("history must be 1..1024"));
    }
    counter_obj_t *self = m_malloc_with_finaliser(sizeof(counter_obj_t));
    self->base.type = type;
    self->count = 0;
    self->step = vals[0].u_int;
    self->hist_len = vals[1].u_int;
    self->hist_used = 0;
    self->hist = malloc(self->hist_len * sizeof(mp_int_t));
    if (self->hist == NULL) {
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("no C heap for the history"));
    }
    return MP_OBJ_FROM_PTR(self);
}

static void counter_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "Counter(count=%d, step=%d)", (int)self->count, (int)self->step);
}

static mp_obj_t counter_incr(mp_obj_t self_in) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    self->count += self->step;
    if (self->hist_used == self->hist_len) {
        memmove(self->hist, self->hist + 1, (self->hist_len - 1) * sizeof(mp_int_t));
        self->hist_used--;
    }
    self->hist[self->hist_used++] = self->count;
    return mp_obj_new_int(self->count);
}
static MP_DEFINE_CONST_FUN_OBJ_1(counter_incr_obj, counter_incr);

static mp_obj_t counter_reset(mp_obj_t self_in) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    self->count = 0;
    self->hist_used = 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(counter_reset_obj, counter_reset);

static mp_obj_t counter_history(mp_obj_t self_in) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < self->hist_used; i++) {
        mp_obj_list_append(list, mp_obj_new_int(self->hist[i]));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_1(counter_history_obj, counter_history);

static mp_obj_t counter_del(mp_obj_t self_in) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    free(self->hist);
    self->hist = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(counter_del_obj, counter_del);

// Attributes: count (read/write) and step (read-only); anything else goes on to the locals dict.
static void counter_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    counter_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        if (attr == MP_QSTR_count) {
            dest[0] = mp_obj_new_int(self->count);
        } else if (attr == MP_QSTR_step) {
            dest[0] = mp_obj_new_int(self->step);
        } else {
            dest[1] = MP_OBJ_SENTINEL;
        }
    } else if (dest[1] != MP_OBJ_NULL && attr == MP_QSTR_count) {
        self->count = mp_obj_get_int(dest[1]);
        dest[0] = MP_OBJ_NULL;
    }
}

static const mp_rom_map_elem_t counter_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_incr), MP_ROM_PTR(&counter_incr_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&counter_reset_obj) },
    { MP_ROM_QSTR(MP_QSTR_history), MP_ROM_PTR(&counter_history_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&counter_del_obj) },
};
static MP_DEFINE_CONST_DICT(counter_locals, counter_locals_table);

// Like MP_DEFINE_CONST_OBJ_TYPE; the type sits in RAM so that its name can be set at load.
MPRT_DEFINE_OBJ_TYPE(counter_type, MP_QSTR_Counter, MP_TYPE_FLAG_NONE,
    make_new, counter_make_new,
    print, counter_print,
    attr, counter_attr,
    locals_dict, &counter_locals);

static const mp_rom_map_elem_t counter_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_counter) },
    { MP_ROM_QSTR(MP_QSTR_Counter), MP_ROM_PTR(&counter_type) },
};
static MP_DEFINE_CONST_DICT(counter_globals, counter_globals_table);

MPRT_MODULE(counter_module, counter_globals);
