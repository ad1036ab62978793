// MicroPythonRT rp2 port: the select module over lib/posix fds and MicroPython streams (it replaces
// extmod/modselect.c in builds with a kernel: MICROPY_PY_SELECT is 0 there, mpconfigport.h).
//
// select.poll() registers fds (ints), objects with fileno() (their fd) and stream objects (their ioctl
// MP_STREAM_POLL), as the stock module and CPython do; poll()/ipoll() return (registered object,
// events) as the stock module does (an fd registered as an int comes back as that int, as in CPython);
// modify() of an unregistered object raises OSError(ENOENT), unregister() of one KeyError (CPython).
// select.select(r, w, x[, timeout]) takes the same kinds of objects; timeout None (or absent) blocks.
//
// Waiting: fds through posix_poll_wake (the task is on each file's wait list and blocks on its task
// notification); stream objects are asked for their readiness before each wait, and their events wake
// the waiting thread through the same notification (as MicroPython's event waits), so neither kind is
// polled on a timer. The GIL is released while the thread waits.
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mphal.h"
#include "py/objlist.h"
#include "posix.h"
#include "mp_posix.h"
#include "mp_modselect.h"

typedef struct _poll_entry_t {
    mp_obj_t obj;      // as registered
    int fd;            // its fd, or -1 for a stream object without one
    uint16_t events;   // POLLIN | POLLPRI | POLLOUT as registered (0: disabled by a one-shot ipoll)
    uint16_t revents;
} poll_entry_t;

typedef struct _select_poll_obj_t {
    mp_obj_base_t base;
    mp_map_t entries; // key: the fd (small int) when there is one, else the object -> poll_entry_t
    // ipoll: iterating the entries in place, yielding one reused tuple (no allocation, so it works with
    // the heap locked, as asyncio's loop needs)
    mp_obj_tuple_t *ret_tuple;
    size_t iter_slot;
    bool iter_one_shot;
} select_poll_obj_t;

// Up to this many entries a wait keeps its arrays on the C stack (no GC allocation).
#define STACK_ENTRIES (8)

// The fd of obj (an int or an object with fileno()), or -1 for a stream object; TypeError otherwise.
static int fd_of(mp_obj_t obj) {
    if (mp_obj_is_int(obj)) {
        mp_int_t fd = mp_obj_get_int(obj);
        if (fd < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("file descriptor cannot be a negative integer"));
        }
        return (int)fd;
    }
    mp_obj_t dest[2];
    mp_load_method_maybe(obj, MP_QSTR_fileno, dest);
    if (dest[0] != MP_OBJ_NULL) {
        return fd_of(mp_call_method_n_kw(0, 0, dest));
    }
    mp_get_stream_raise(obj, MP_STREAM_OP_IOCTL);
    return -1;
}

static mp_obj_t key_of(mp_obj_t obj, int fd) {
    return fd >= 0 ? MP_OBJ_NEW_SMALL_INT(fd) : obj;
}

static mp_map_elem_t *lookup(select_poll_obj_t *self, mp_obj_t obj, mp_map_lookup_kind_t kind) {
    return mp_map_lookup(&self->entries, key_of(obj, fd_of(obj)), kind);
}

// ---- waiting: the part poll, ipoll and select share ----

// Asks each enabled stream entry for its readiness; returns how many have events.
static size_t poll_streams(poll_entry_t **e, size_t n) {
    size_t ready = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i]->fd >= 0 || e[i]->events == 0) {
            continue;
        }
        const mp_stream_p_t *stream = mp_get_stream(e[i]->obj);
        int err;
        mp_uint_t r = stream->ioctl(e[i]->obj, MP_STREAM_POLL, e[i]->events, &err);
        e[i]->revents = r == MP_STREAM_ERROR ? POLLERR : (uint16_t)(r & (e[i]->events | POLLERR | POLLHUP | POLLNVAL));
        ready += e[i]->revents != 0;
    }
    return ready;
}

// Waits until an entry has events or timeout_ms passes (-1: forever); sets each entry's revents.
static size_t wait_entries(poll_entry_t **e, size_t n, mp_int_t timeout_ms) {
    size_t n_fds = 0;
    for (size_t i = 0; i < n; i++) {
        e[i]->revents = 0;
        n_fds += e[i]->fd >= 0 && e[i]->events != 0;
    }
    if (n_fds > POSIX_FD_MAX) {
        mp_raise_OSError(MP_EINVAL); // more fds than the table has, as poll() says
    }
    struct pollfd pfds_stack[STACK_ENTRIES];
    poll_entry_t *fd_entry_stack[STACK_ENTRIES];
    bool on_heap = n_fds > STACK_ENTRIES;
    struct pollfd *pfds = on_heap ? m_new(struct pollfd, n_fds) : pfds_stack;
    poll_entry_t **fd_entry = on_heap ? m_new(poll_entry_t *, n_fds) : fd_entry_stack;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i]->fd >= 0 && e[i]->events != 0) {
            pfds[k].fd = e[i]->fd;
            pfds[k].events = (short)e[i]->events;
            fd_entry[k++] = e[i];
        }
    }
    mp_uint_t start = mp_hal_ticks_ms();
    size_t ready;
    for (;;) {
        ready = poll_streams(e, n);
        int t = -1;
        if (ready > 0) {
            t = 0;
        } else if (timeout_ms >= 0) {
            mp_uint_t elapsed = mp_hal_ticks_ms() - start;
            t = elapsed >= (mp_uint_t)timeout_ms ? 0 : (int)(timeout_ms - elapsed);
        }
        int r;
        MP_POSIX_CALL(r, posix_poll_wake(pfds, (nfds_t)n_fds, t));
        if (r < 0) {
            mp_raise_OSError(errno);
        }
        for (size_t j = 0; j < n_fds; j++) {
            fd_entry[j]->revents = (uint16_t)pfds[j].revents;
        }
        ready += (size_t)r;
        if (ready > 0 || t == 0) {
            break;
        }
    }
    if (on_heap) {
        m_del(struct pollfd, pfds, n_fds);
        m_del(poll_entry_t *, fd_entry, n_fds);
    }
    return ready;
}

// timeout in ms for poll/ipoll: None or negative -> -1 (forever)
static mp_int_t timeout_ms_of(size_t n_args, const mp_obj_t *args, size_t i) {
    if (n_args <= i || args[i] == mp_const_none) {
        return -1;
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    if (mp_obj_is_float(args[i])) {
        mp_float_t ms = mp_obj_get_float(args[i]);
        return ms < 0 ? -1 : (mp_int_t)MICROPY_FLOAT_C_FUN(ceil)(ms);
    }
    #endif
    mp_int_t ms = mp_obj_get_int(args[i]);
    return ms < 0 ? -1 : ms;
}

// ---- select.poll ----

static const mp_obj_type_t select_poll_type;

static mp_obj_t poll_register(size_t n_args, const mp_obj_t *args) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_uint_t events = n_args > 2 ? mp_obj_get_int(args[2]) : (POLLIN | POLLPRI | POLLOUT);
    int fd = fd_of(args[1]);
    mp_map_elem_t *el = mp_map_lookup(&self->entries, key_of(args[1], fd), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    poll_entry_t *e;
    if (el->value == MP_OBJ_NULL) {
        e = m_new_obj(poll_entry_t);
        el->value = MP_OBJ_FROM_PTR(e);
    } else {
        e = MP_OBJ_TO_PTR(el->value);
    }
    e->obj = args[1];
    e->fd = fd;
    e->events = (uint16_t)events;
    e->revents = 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_register_obj, 2, 3, poll_register);

static mp_obj_t poll_unregister(mp_obj_t self_in, mp_obj_t obj) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (lookup(self, obj, MP_MAP_LOOKUP_REMOVE_IF_FOUND) == NULL) {
        mp_raise_type_arg(&mp_type_KeyError, obj);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(poll_unregister_obj, poll_unregister);

static mp_obj_t poll_modify(mp_obj_t self_in, mp_obj_t obj, mp_obj_t events_in) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_map_elem_t *el = lookup(self, obj, MP_MAP_LOOKUP);
    if (el == NULL) {
        mp_raise_OSError(MP_ENOENT);
    }
    poll_entry_t *e = MP_OBJ_TO_PTR(el->value);
    e->events = (uint16_t)mp_obj_get_int(events_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(poll_modify_obj, poll_modify);

// The entries of a poll object, in an array (the map may change while the GIL is released): `stack`
// when they fit, else a GC allocation (release it with entries_free).
static poll_entry_t **entries_of(select_poll_obj_t *self, size_t *n, poll_entry_t **stack) {
    poll_entry_t **e = self->entries.used <= STACK_ENTRIES ? stack : m_new(poll_entry_t *, self->entries.used);
    size_t k = 0;
    for (size_t i = 0; i < self->entries.alloc; i++) {
        if (mp_map_slot_is_filled(&self->entries, i)) {
            e[k++] = MP_OBJ_TO_PTR(self->entries.table[i].value);
        }
    }
    *n = k;
    return e;
}

static void entries_free(poll_entry_t **e, size_t n, poll_entry_t **stack) {
    if (e != stack) {
        m_del(poll_entry_t *, e, n);
    }
}

// poll(timeout=None) -> [(obj, events)]
static mp_obj_t poll_poll(size_t n_args, const mp_obj_t *args) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t timeout = timeout_ms_of(n_args, args, 1);
    poll_entry_t *stack[STACK_ENTRIES];
    size_t n;
    poll_entry_t **e = entries_of(self, &n, stack);
    size_t ready = wait_entries(e, n, timeout);
    mp_obj_list_t *list = MP_OBJ_TO_PTR(mp_obj_new_list(ready, NULL));
    size_t k = 0;
    for (size_t i = 0; i < n && k < ready; i++) {
        if (e[i]->revents != 0) {
            mp_obj_t t[2] = { e[i]->obj, MP_OBJ_NEW_SMALL_INT(e[i]->revents) };
            list->items[k++] = mp_obj_new_tuple(2, t);
            e[i]->revents = 0;
        }
    }
    list->len = k;
    entries_free(e, n, stack);
    return MP_OBJ_FROM_PTR(list);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_poll_obj, 1, 2, poll_poll);

// ipoll(timeout=None, flags=0) -> an iterator of (obj, events), as the stock module: one tuple reused,
// so keep what you need from it; with flags & 1 (one-shot) each reported entry is disabled until
// modify() or register() enables it again.
static mp_obj_t poll_ipoll(size_t n_args, const mp_obj_t *args) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t timeout = timeout_ms_of(n_args, args, 1);
    if (self->ret_tuple == NULL) {
        self->ret_tuple = MP_OBJ_TO_PTR(mp_obj_new_tuple(2, NULL));
    }
    poll_entry_t *stack[STACK_ENTRIES];
    size_t n;
    poll_entry_t **e = entries_of(self, &n, stack);
    wait_entries(e, n, timeout);
    entries_free(e, n, stack);
    self->iter_slot = 0;
    self->iter_one_shot = n_args > 2 && (mp_obj_get_int(args[2]) & 1);
    return args[0];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_ipoll_obj, 1, 3, poll_ipoll);

static mp_obj_t poll_iternext(mp_obj_t self_in) {
    select_poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    // Removing entries meanwhile (unregister) leaves the other slots where they are.
    while (self->iter_slot < self->entries.alloc) {
        size_t i = self->iter_slot++;
        if (!mp_map_slot_is_filled(&self->entries, i)) {
            continue;
        }
        poll_entry_t *e = MP_OBJ_TO_PTR(self->entries.table[i].value);
        if (e->revents == 0) {
            continue;
        }
        self->ret_tuple->items[0] = e->obj;
        self->ret_tuple->items[1] = MP_OBJ_NEW_SMALL_INT(e->revents);
        e->revents = 0;
        if (self->iter_one_shot) {
            e->events = 0;
        }
        return MP_OBJ_FROM_PTR(self->ret_tuple);
    }
    return MP_OBJ_STOP_ITERATION;
}

static const mp_rom_map_elem_t poll_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_register), MP_ROM_PTR(&poll_register_obj) },
    { MP_ROM_QSTR(MP_QSTR_unregister), MP_ROM_PTR(&poll_unregister_obj) },
    { MP_ROM_QSTR(MP_QSTR_modify), MP_ROM_PTR(&poll_modify_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&poll_poll_obj) },
    { MP_ROM_QSTR(MP_QSTR_ipoll), MP_ROM_PTR(&poll_ipoll_obj) },
};
static MP_DEFINE_CONST_DICT(poll_locals, poll_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    select_poll_type,
    MP_QSTR_poll,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, poll_iternext,
    locals_dict, &poll_locals
    );

mp_obj_t mp_select_poll_new(void) {
    select_poll_obj_t *self = mp_obj_malloc(select_poll_obj_t, &select_poll_type);
    mp_map_init(&self->entries, 0);
    self->ret_tuple = NULL;
    self->iter_slot = 0;
    self->iter_one_shot = false;
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_FUN_OBJ_0(select_poll_obj, mp_select_poll_new);

bool mp_select_poll_is_empty(mp_obj_t obj) {
    return mp_obj_is_type(obj, &select_poll_type) && ((select_poll_obj_t *)MP_OBJ_TO_PTR(obj))->entries.used == 0;
}

// ---- select.select ----

// select(rlist, wlist, xlist[, timeout]) -> (r, w, x): the objects given that are ready. timeout in
// seconds; None or absent blocks.
static mp_obj_t select_select(size_t n_args, const mp_obj_t *args) {
    mp_int_t timeout = -1;
    if (n_args > 3 && args[3] != mp_const_none) {
        #if MICROPY_PY_BUILTINS_FLOAT
        mp_float_t s = mp_obj_get_float(args[3]);
        if (s < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout must be non-negative"));
        }
        timeout = (mp_int_t)MICROPY_FLOAT_C_FUN(ceil)(s * 1000);
        #else
        timeout = mp_obj_get_int(args[3]) * 1000;
        #endif
    }
    // One entry per distinct object; each list adds its event.
    select_poll_obj_t *set = MP_OBJ_TO_PTR(mp_select_poll_new());
    static const uint16_t list_events[3] = { POLLIN, POLLOUT, POLLPRI };
    for (size_t l = 0; l < 3; l++) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(args[l], &len, &items);
        for (size_t i = 0; i < len; i++) {
            int fd = fd_of(items[i]);
            mp_map_elem_t *el = mp_map_lookup(&set->entries, key_of(items[i], fd), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
            if (el->value == MP_OBJ_NULL) {
                poll_entry_t *e = m_new_obj(poll_entry_t);
                e->obj = items[i];
                e->fd = fd;
                e->events = 0;
                el->value = MP_OBJ_FROM_PTR(e);
            }
            ((poll_entry_t *)MP_OBJ_TO_PTR(el->value))->events |= list_events[l];
        }
    }
    poll_entry_t *stack[STACK_ENTRIES];
    size_t n;
    poll_entry_t **e = entries_of(set, &n, stack);
    wait_entries(e, n, timeout);
    for (size_t i = 0; i < n; i++) {
        if (e[i]->revents & POLLNVAL) {
            mp_raise_OSError(MP_EBADF);
        }
    }
    mp_obj_t lists[3] = { mp_obj_new_list(0, NULL), mp_obj_new_list(0, NULL), mp_obj_new_list(0, NULL) };
    for (size_t l = 0; l < 3; l++) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(args[l], &len, &items);
        for (size_t i = 0; i < len; i++) {
            poll_entry_t *pe = MP_OBJ_TO_PTR(mp_map_lookup(&set->entries, key_of(items[i], fd_of(items[i])), MP_MAP_LOOKUP)->value);
            uint16_t rev = pe->revents;
            bool ready = l == 0 ? (rev & (POLLIN | POLLHUP | POLLERR)) : l == 1 ? (rev & (POLLOUT | POLLERR)) : (rev & POLLPRI);
            if (ready) {
                mp_obj_list_append(lists[l], items[i]);
            }
        }
    }
    entries_free(e, n, stack);
    return mp_obj_new_tuple(3, lists);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(select_select_obj, 3, 4, select_select);

// ---- select.Selector ----

// select.Selector is CPython's selectors.EpollSelector (the feature list's epoll-like object: register
// unregister modify select(timeout) get_key get_map close, over any fd or object with fileno()). It is
// the frozen selectors module's class, looked up when first asked for (module __getattr__), so select
// stays small and the import costs nothing until Selector is used.
static mp_obj_t select_getattr(mp_obj_t attr) {
    if (MP_OBJ_QSTR_VALUE(attr) == MP_QSTR_Selector) {
        mp_obj_t selectors = mp_import_name(MP_QSTR_selectors, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        return mp_load_attr(selectors, MP_QSTR_EpollSelector);
    }
    return MP_OBJ_NULL;
}
static MP_DEFINE_CONST_FUN_OBJ_1(select_getattr_obj, select_getattr);

static const mp_rom_map_elem_t select_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_select) },
    { MP_ROM_QSTR(MP_QSTR_select), MP_ROM_PTR(&select_select_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&select_poll_obj) },
    { MP_ROM_QSTR(MP_QSTR___getattr__), MP_ROM_PTR(&select_getattr_obj) },
    { MP_ROM_QSTR(MP_QSTR_POLLIN), MP_ROM_INT(POLLIN) },
    { MP_ROM_QSTR(MP_QSTR_POLLPRI), MP_ROM_INT(POLLPRI) },
    { MP_ROM_QSTR(MP_QSTR_POLLOUT), MP_ROM_INT(POLLOUT) },
    { MP_ROM_QSTR(MP_QSTR_POLLERR), MP_ROM_INT(POLLERR) },
    { MP_ROM_QSTR(MP_QSTR_POLLHUP), MP_ROM_INT(POLLHUP) },
    { MP_ROM_QSTR(MP_QSTR_POLLNVAL), MP_ROM_INT(POLLNVAL) },
};
static MP_DEFINE_CONST_DICT(select_globals, select_globals_table);

const mp_obj_module_t mp_module_select_posix = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&select_globals,
};

MP_REGISTER_MODULE(MP_QSTR_select, mp_module_select_posix);
