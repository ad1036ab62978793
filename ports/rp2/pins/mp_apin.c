// machine.APin, the Python type (docs/apin.md): a GPIO whose edges the interrupt queues in C
// (apin_file.c); `await pin.wait(event)` is the frozen _apin.wait, which takes from the queue and otherwise
// waits in asyncio's poll on the pin's fd.
#include <errno.h>
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/mperrno.h"
#include "apin_file.h"


typedef struct _mp_apin_obj_t {
    mp_obj_base_t base;
    mprt_apin_t *pin; // one reference of the file, held until close(): NULL after it
    mp_obj_t wait_fn; // _apin.wait, looked up once
    int fd;         // -1 after close()
    uint32_t debounce_us;
    int8_t value;   // -1 input, else the level driven
} mp_apin_obj_t;

extern const mp_obj_type_t mprt_apin_type;

// The object holds a reference of its file, so the file stays while the object is open, even if its
// fd was closed by os.close (the pin then still waits, but select on that fd number no longer does).
static mprt_apin_t *apin_get(mp_apin_obj_t *self) {
    if (self->pin == NULL) {
        mp_raise_OSError(MP_EBADF);
    }
    return self->pin;
}


static void apin_check(int r) {
    if (r < 0) {
        mp_raise_OSError(-r);
    }
}

static mp_obj_t apin_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    unsigned gpio = mp_obj_is_int(args[0]) ? (unsigned)mp_obj_get_int(args[0]) : mp_hal_get_pin_obj(args[0]);
    int fd = mprt_apin_open(gpio);
    apin_check(fd);
    mp_apin_obj_t *self = mp_obj_malloc_with_finaliser(mp_apin_obj_t, type);
    self->fd = fd;
    self->pin = mprt_apin_get(fd);
    self->wait_fn = MP_OBJ_NULL;
    self->debounce_us = 0;
    self->value = -1;
    return MP_OBJ_FROM_PTR(self);
}

static void apin_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->pin == NULL) {
        mp_printf(print, "<APin closed>");
        return;
    }
    mp_printf(print, "<APin %u fd=%d>", self->pin->gpio, self->fd);
}

static mp_obj_t apin_fileno(mp_obj_t self_in) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(self->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(apin_fileno_obj, apin_fileno);

static mp_obj_t apin_close(mp_obj_t self_in) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mprt_apin_t *a = self->pin;
    if (a != NULL) {
        self->pin = NULL;
        // the fd, if it still names this pin (os.close may have closed it, and the number been reused)
        mprt_apin_t *b = mprt_apin_get(self->fd);
        if (b != NULL) {
            mprt_apin_put(b);
            if (b == a) {
                posix_close(self->fd);
            }
        }
        self->fd = -1;
        mprt_apin_put(a); // the last reference: the pin is released
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(apin_close_obj, apin_close);

static mp_obj_t apin_set_pulls(size_t n_args, const mp_obj_t *args) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    bool up = n_args > 1 && mp_obj_is_true(args[1]);
    bool down = n_args > 2 && mp_obj_is_true(args[2]);
    mprt_apin_t *a = apin_get(self);
    gpio_set_pulls(a->gpio, up, down);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(apin_set_pulls_obj, 1, 3, apin_set_pulls);

static mp_obj_t apin_set_edges(size_t n_args, const mp_obj_t *args) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    bool rise = n_args > 1 && mp_obj_is_true(args[1]);
    bool fall = n_args > 2 && mp_obj_is_true(args[2]);
    mprt_apin_t *a = apin_get(self);
    int r = mprt_apin_set_edges(a, rise, fall);
    apin_check(r);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(apin_set_edges_obj, 1, 3, apin_set_edges);

// _take(event): what wait(event) returns if it has happened, else None (the frozen wait then waits on the
// fd); event None or 0: the next edge set_edges selects.
static mp_obj_t apin_take(mp_obj_t self_in, mp_obj_t event_in) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    int event = event_in == mp_const_none ? 0 : mp_obj_get_int(event_in);
    mprt_apin_t *a = apin_get(self);
    uint64_t v = 0;
    int r = mprt_apin_take(a, event, &v);
    if (r == -EAGAIN) {
        return mp_const_none;
    }
    apin_check(r);
    return mp_obj_new_int_from_ull(v);
}
static MP_DEFINE_CONST_FUN_OBJ_2(apin_take_obj, apin_take);

// dropped: edges lost to a full queue since the pin was made.
static mp_obj_t apin_dropped(mp_obj_t self_in) {
    mprt_apin_t *a = apin_get(MP_OBJ_TO_PTR(self_in));
    mp_obj_t n = mp_obj_new_int_from_uint(a->dropped);
    return n;
}
static MP_DEFINE_CONST_FUN_OBJ_1(apin_dropped_obj, apin_dropped);

static mp_obj_t apin_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (op == MP_UNARY_OP_INT_MAYBE) {
        mprt_apin_t *a = apin_get(self);
        unsigned gpio = a->gpio;
        return MP_OBJ_NEW_SMALL_INT(gpio);
    }
    return MP_OBJ_NULL;
}

static void apin_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    mp_apin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        // load
        if (attr == MP_QSTR_value) {
            mprt_apin_t *a = apin_get(self);
            unsigned level = mprt_apin_level(a);
            dest[0] = mp_obj_new_bool(level);
            return;
        } else if (attr == MP_QSTR_debounce_time_us) {
            dest[0] = mp_obj_new_int_from_uint(self->debounce_us);
            return;
        } else if (attr == MP_QSTR_wait) {
            // the frozen _apin.wait as a bound method
            if (self->wait_fn == MP_OBJ_NULL) {
                mp_obj_t mod = mp_import_name(MP_QSTR__apin, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
                self->wait_fn = mp_load_attr(mod, MP_QSTR_wait);
            }
            dest[0] = self->wait_fn;
            dest[1] = self_in;
            return;
        }
        dest[1] = MP_OBJ_SENTINEL; // the rest: locals_dict
    } else if (dest[0] == MP_OBJ_SENTINEL && dest[1] != MP_OBJ_NULL) {
        // store
        if (attr == MP_QSTR_value) {
            mprt_apin_t *a = apin_get(self);
            int v = dest[1] == mp_const_none ? -1 : mp_obj_is_true(dest[1]);
            mprt_apin_set_output(a, v);
            self->value = v;
            dest[0] = MP_OBJ_NULL;
        } else if (attr == MP_QSTR_debounce_time_us) {
            mp_int_t us = mp_obj_get_int(dest[1]);
            if (us < 0) {
                mp_raise_ValueError(NULL);
            }
            mprt_apin_t *a = apin_get(self);
            mprt_apin_set_debounce(a, us);
            self->debounce_us = us;
            dest[0] = MP_OBJ_NULL;
        }
    }
}

static const mp_rom_map_elem_t apin_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&apin_fileno_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&apin_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&apin_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_pulls), MP_ROM_PTR(&apin_set_pulls_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_edges), MP_ROM_PTR(&apin_set_edges_obj) },
    { MP_ROM_QSTR(MP_QSTR__take), MP_ROM_PTR(&apin_take_obj) },
    { MP_ROM_QSTR(MP_QSTR_dropped), MP_ROM_PTR(&apin_dropped_obj) },
    { MP_ROM_QSTR(MP_QSTR_LEVEL_LOW), MP_ROM_INT(MPRT_APIN_LEVEL_LOW) },
    { MP_ROM_QSTR(MP_QSTR_LEVEL_HIGH), MP_ROM_INT(MPRT_APIN_LEVEL_HIGH) },
    { MP_ROM_QSTR(MP_QSTR_EDGE_FALL), MP_ROM_INT(MPRT_APIN_EDGE_FALL) },
    { MP_ROM_QSTR(MP_QSTR_EDGE_RISE), MP_ROM_INT(MPRT_APIN_EDGE_RISE) },
    { MP_ROM_QSTR(MP_QSTR_PULSE_DOWN), MP_ROM_INT(MPRT_APIN_PULSE_DOWN) },
    { MP_ROM_QSTR(MP_QSTR_PULSE_UP), MP_ROM_INT(MPRT_APIN_PULSE_UP) },
    { MP_ROM_QSTR(MP_QSTR_QUEUE_DEPTH), MP_ROM_INT(MPRT_APIN_QUEUE_DEPTH) },
};
static MP_DEFINE_CONST_DICT(apin_locals_dict, apin_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    mprt_apin_type,
    MP_QSTR_APin,
    MP_TYPE_FLAG_NONE,
    make_new, apin_make_new,
    print, apin_print,
    unary_op, apin_unary_op,
    attr, apin_attr,
    locals_dict, &apin_locals_dict
    );
