// MicroPythonRT rp2 port: os.getenv, os.putenv, os.unsetenv and os.environ over the persistent
// environment (mprt_env.c, docs/environment.md). putenv persists in flash at once and getenv, environ and
// C's getenv() all see it at once. os.environ is a live view of the store (CPython's is a copy made at
// start-up that putenv does not change): reading it reads the store, `os.environ[k] = v` is putenv(k, v),
// `del os.environ[k]` is unsetenv(k).
#include <errno.h>
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "mprt_env.h"
#include "mp_modos_env.h"

// ---- the store as a dict (a snapshot) ----

typedef struct {
    byte *buf;
    size_t cap, n;
    bool overflow;
} env_copy_t;

// Copies each variable as key NUL, u16 length, value (what the store's records hold, and less).
static bool env_copy_visit(void *arg, const char *key, const uint8_t *value, size_t len) {
    env_copy_t *c = arg;
    size_t klen = strlen(key);
    if (c->n + klen + 3 + len > c->cap) {
        c->overflow = true;
        return false;
    }
    memcpy(c->buf + c->n, key, klen + 1);
    c->buf[c->n + klen + 1] = len;
    c->buf[c->n + klen + 2] = len >> 8;
    memcpy(c->buf + c->n + klen + 3, value, len);
    c->n += klen + 3 + len;
    return true;
}

// A new dict of every variable (copied with the store locked, converted with it unlocked: nothing that
// can raise runs under the lock).
static mp_obj_t env_dict(void) {
    for (;;) {
        env_copy_t c = { NULL, mprt_env_used() + 8, 0, false };
        c.buf = m_new(byte, c.cap);
        mprt_env_each(env_copy_visit, &c);
        if (!c.overflow) {
            mp_obj_t d = mp_obj_new_dict(0);
            for (size_t i = 0; i < c.n;) {
                size_t klen = strlen((const char *)c.buf + i);
                size_t vlen = c.buf[i + klen + 1] | c.buf[i + klen + 2] << 8;
                mp_obj_dict_store(d, mp_obj_new_str((const char *)c.buf + i, klen),
                    mp_obj_new_str((const char *)c.buf + i + klen + 3, vlen));
                i += klen + 3 + vlen;
            }
            m_del(byte, c.buf, c.cap);
            return d;
        }
        m_del(byte, c.buf, c.cap); // changed meanwhile: again
    }
}

// ---- conversions and checks, as CPython's ----

// A name or value: str (or bytes where CPython's os.putenv takes them); no NUL.
static const char *env_str(mp_obj_t o, size_t *len, bool bytes_ok) {
    if (!mp_obj_is_str(o) && !(bytes_ok && mp_obj_is_type(o, &mp_type_bytes))) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("str expected, not %s"), mp_obj_get_type_str(o));
    }
    const char *s = mp_obj_str_get_data(o, len);
    if (memchr(s, 0, *len) != NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("embedded null byte"));
    }
    return s;
}

static const char *env_name(mp_obj_t o, bool bytes_ok) {
    size_t len;
    const char *s = env_str(o, &len, bytes_ok);
    if (len == 0 || memchr(s, '=', len) != NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("illegal environment variable name"));
    }
    // a str's data is NUL-terminated (qstr or heap string)
    return s;
}

static void env_check(int r) {
    if (r < 0) {
        mp_raise_OSError(-r);
    }
}

// The value of a name as a str, or MP_OBJ_NULL when it is not set.
static mp_obj_t env_lookup(const char *name) {
    uint8_t small[64];
    int n = mprt_env_get(name, small, sizeof(small));
    if (n < 0) {
        return MP_OBJ_NULL;
    }
    if ((size_t)n <= sizeof(small)) {
        return mp_obj_new_str((const char *)small, n);
    }
    vstr_t v;
    vstr_init_len(&v, n);
    int again = mprt_env_get(name, (uint8_t *)v.buf, n);
    if (again != n) {
        vstr_clear(&v);
        return env_lookup(name); // changed meanwhile
    }
    return mp_obj_new_str_from_utf8_vstr(&v);
}

// ---- os functions ----

// os.getenv(key, default=None)
static mp_obj_t os_getenv(size_t n_args, const mp_obj_t *args) {
    size_t len;
    mp_obj_t v = env_lookup(env_str(args[0], &len, false));
    return v != MP_OBJ_NULL ? v : n_args > 1 ? args[1] : mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(os_getenv_obj, 1, 2, os_getenv);

// os.putenv(key, value): persisted in flash before it returns
static mp_obj_t os_putenv(mp_obj_t key_in, mp_obj_t value_in) {
    const char *key = env_name(key_in, true);
    size_t len;
    const char *value = env_str(value_in, &len, true);
    env_check(mprt_env_set(key, (const uint8_t *)value, len));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_putenv_obj, os_putenv);

// os.unsetenv(key): no error when it is not set (as CPython)
static mp_obj_t os_unsetenv(mp_obj_t key_in) {
    int r = mprt_env_set(env_name(key_in, true), NULL, 0);
    if (r != -ENOENT) {
        env_check(r);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_unsetenv_obj, os_unsetenv);

// ---- os.environ ----

typedef struct {
    mp_obj_base_t base;
} env_obj_t;

static const mp_obj_type_t env_type;
static const env_obj_t env_environ = { { &env_type } };

static mp_obj_t env_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    (void)self_in;
    if (value == MP_OBJ_SENTINEL) {
        size_t len;
        mp_obj_t v = env_lookup(env_str(index, &len, false));
        if (v == MP_OBJ_NULL) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        return v;
    }
    const char *key = env_name(index, false);
    if (value == MP_OBJ_NULL) {
        int r = mprt_env_set(key, NULL, 0);
        if (r == -ENOENT) {
            mp_raise_type_arg(&mp_type_KeyError, index);
        }
        env_check(r);
    } else {
        size_t len;
        const char *v = env_str(value, &len, false);
        env_check(mprt_env_set(key, (const uint8_t *)v, len));
    }
    return mp_const_none;
}

static mp_obj_t env_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    (void)self_in;
    switch (op) {
        case MP_UNARY_OP_LEN:
        case MP_UNARY_OP_BOOL: {
            size_t n = mp_obj_dict_len(env_dict());
            return op == MP_UNARY_OP_LEN ? MP_OBJ_NEW_SMALL_INT(n) : mp_obj_new_bool(n != 0);
        }
        default:
            return MP_OBJ_NULL;
    }
}

static mp_obj_t env_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    (void)lhs;
    switch (op) {
        case MP_BINARY_OP_CONTAINS:
            return mp_obj_new_bool(mp_obj_is_str(rhs) && env_lookup(mp_obj_str_get_str(rhs)) != MP_OBJ_NULL);
        case MP_BINARY_OP_EQUAL:
            return mp_obj_equal(env_dict(), rhs) ? mp_const_true : mp_const_false;
        default:
            return MP_OBJ_NULL;
    }
}

static mp_obj_t env_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    (void)self_in;
    return mp_getiter(env_dict(), iter_buf);
}

static void env_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)self_in;
    (void)kind;
    mp_print_str(print, "environ(");
    mp_obj_print_helper(print, env_dict(), PRINT_REPR);
    mp_print_str(print, ")");
}

// keys() values() items() copy(): those of a snapshot dict
static mp_obj_t env_dict_method(qstr name, size_t n_args, const mp_obj_t *args) {
    mp_obj_t call[4];
    mp_load_method(env_dict(), name, call);
    for (size_t i = 0; i < n_args; i++) {
        call[2 + i] = args[i];
    }
    return mp_call_method_n_kw(n_args, 0, call);
}

static mp_obj_t env_keys(mp_obj_t self_in) {
    (void)self_in;
    return env_dict_method(MP_QSTR_keys, 0, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_1(env_keys_obj, env_keys);

static mp_obj_t env_values(mp_obj_t self_in) {
    (void)self_in;
    return env_dict_method(MP_QSTR_values, 0, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_1(env_values_obj, env_values);

static mp_obj_t env_items(mp_obj_t self_in) {
    (void)self_in;
    return env_dict_method(MP_QSTR_items, 0, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_1(env_items_obj, env_items);

static mp_obj_t env_copy(mp_obj_t self_in) {
    (void)self_in;
    return env_dict();
}
static MP_DEFINE_CONST_FUN_OBJ_1(env_copy_obj, env_copy);

// get(key, default=None)
static mp_obj_t env_get(size_t n_args, const mp_obj_t *args) {
    return os_getenv(n_args - 1, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(env_get_obj, 2, 3, env_get);

// pop(key[, default])
static mp_obj_t env_pop(size_t n_args, const mp_obj_t *args) {
    size_t len;
    mp_obj_t v = env_lookup(env_str(args[1], &len, false));
    if (v == MP_OBJ_NULL) {
        if (n_args > 2) {
            return args[2];
        }
        mp_raise_type_arg(&mp_type_KeyError, args[1]);
    }
    env_subscr(args[0], args[1], MP_OBJ_NULL);
    return v;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(env_pop_obj, 2, 3, env_pop);

// setdefault(key, default): CPython's os.environ needs a str default
static mp_obj_t env_setdefault(mp_obj_t self_in, mp_obj_t key, mp_obj_t dflt) {
    size_t len;
    mp_obj_t v = env_lookup(env_str(key, &len, false));
    if (v != MP_OBJ_NULL) {
        return v;
    }
    env_subscr(self_in, key, dflt);
    return dflt;
}
static MP_DEFINE_CONST_FUN_OBJ_3(env_setdefault_obj, env_setdefault);

// update(mapping or pairs, **kw)
static mp_obj_t env_update(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_obj_t d = mp_obj_new_dict(0);
    mp_obj_t call[4];
    mp_load_method(d, MP_QSTR_update, call);
    if (n_args > 1) {
        call[2] = args[1];
    }
    mp_call_method_n_kw(n_args > 1 ? 1 : 0, 0, call);
    for (size_t i = 0; i < kw->alloc; i++) {
        if (mp_map_slot_is_filled(kw, i)) {
            mp_obj_dict_store(d, kw->table[i].key, kw->table[i].value);
        }
    }
    mp_map_t *m = mp_obj_dict_get_map(d);
    for (size_t i = 0; i < m->alloc; i++) {
        if (mp_map_slot_is_filled(m, i)) {
            env_subscr(args[0], m->table[i].key, m->table[i].value);
        }
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(env_update_obj, 1, env_update);

static mp_obj_t env_clear(mp_obj_t self_in) {
    mp_map_t *m = mp_obj_dict_get_map(env_dict());
    for (size_t i = 0; i < m->alloc; i++) {
        if (mp_map_slot_is_filled(m, i)) {
            env_subscr(self_in, m->table[i].key, MP_OBJ_NULL);
        }
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(env_clear_obj, env_clear);

static const mp_rom_map_elem_t env_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&env_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_keys), MP_ROM_PTR(&env_keys_obj) },
    { MP_ROM_QSTR(MP_QSTR_values), MP_ROM_PTR(&env_values_obj) },
    { MP_ROM_QSTR(MP_QSTR_items), MP_ROM_PTR(&env_items_obj) },
    { MP_ROM_QSTR(MP_QSTR_copy), MP_ROM_PTR(&env_copy_obj) },
    { MP_ROM_QSTR(MP_QSTR_pop), MP_ROM_PTR(&env_pop_obj) },
    { MP_ROM_QSTR(MP_QSTR_setdefault), MP_ROM_PTR(&env_setdefault_obj) },
    { MP_ROM_QSTR(MP_QSTR_update), MP_ROM_PTR(&env_update_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&env_clear_obj) },
};
static MP_DEFINE_CONST_DICT(env_locals_dict, env_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    env_type,
    MP_QSTR__Environ,
    MP_TYPE_FLAG_ITER_IS_GETITER | MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE,
    print, env_print,
    unary_op, env_unary_op,
    binary_op, env_binary_op,
    subscr, env_subscr,
    iter, env_getiter,
    locals_dict, &env_locals_dict
    );

void mprt_os_env_extend(mp_obj_t globals) {
    mp_obj_dict_store(globals, MP_OBJ_NEW_QSTR(MP_QSTR_getenv), MP_OBJ_FROM_PTR(&os_getenv_obj));
    mp_obj_dict_store(globals, MP_OBJ_NEW_QSTR(MP_QSTR_putenv), MP_OBJ_FROM_PTR(&os_putenv_obj));
    mp_obj_dict_store(globals, MP_OBJ_NEW_QSTR(MP_QSTR_unsetenv), MP_OBJ_FROM_PTR(&os_unsetenv_obj));
    mp_obj_dict_store(globals, MP_OBJ_NEW_QSTR(MP_QSTR_environ), MP_OBJ_FROM_PTR(&env_environ));
}
