/*
 * bytearray, array.array and memoryview subscripts beyond stock MicroPython (F20): `del x[i]`,
 * `del x[a:b:c]`, slice loads with a step, slice stores of another length from any source, stores to
 * slices with a step (same length), and sources that overlap the target (`x[1:] = x`).
 *
 * py/objarray.c calls mp_obj_array_subscr_full() first (vendor/patches/micropython/0001-*.patch);
 * what this returns false for (item loads and stores, step-1 loads, memoryview stores without a
 * step) goes on to MicroPython's own code. Behaviour and messages follow CPython's; the one
 * deliberate difference is that an array.array also takes bytes or an array of another typecode of
 * the same item size (as stock MicroPython does), where CPython wants the same typecode.
 */
#include <string.h>

#include "py/binary.h"
#include "py/objarray.h"
#include "py/runtime.h"

#if MICROPY_PY_ARRAY_SLICE_FULL

// The typecode without memoryview's read-write flag.
#define ARRAY_TYPECODE(o) ((o)->typecode & ~MP_OBJ_ARRAY_TYPECODE_FLAG_RW)

static bool is_memoryview(const mp_obj_array_t *o) {
    #if MICROPY_PY_BUILTINS_MEMORYVIEW
    return o->base.type == &mp_type_memoryview;
    #else
    (void)o;
    return false;
    #endif
}

// The first element of the object's storage (a memoryview starts at its offset).
static uint8_t *array_items(const mp_obj_array_t *o, size_t item_sz) {
    uint8_t *items = o->items;
    if (is_memoryview(o)) {
        items += o->free * item_sz;
    }
    return items;
}

// Number of elements a bound slice selects (CPython's PySlice_AdjustIndices result).
static size_t slice_len(const mp_bound_slice_t *s) {
    if (s->step > 0) {
        return s->stop > s->start ? (size_t)((s->stop - s->start - 1) / s->step + 1) : 0;
    }
    return s->start > s->stop ? (size_t)((s->start - s->stop - 1) / -s->step + 1) : 0;
}

// Removes `n` elements at `start`, `step` apart (step >= 1), keeping the order of the others.
static void array_remove(mp_obj_array_t *o, size_t item_sz, size_t start, size_t step, size_t n) {
    if (n == 0) {
        return;
    }
    uint8_t *items = o->items;
    if (step == 1) {
        memmove(items + start * item_sz, items + (start + n) * item_sz, (o->len - start - n) * item_sz);
    } else {
        size_t w = start;
        for (size_t r = start; r < o->len; ++r) {
            size_t k = (r - start) / step;
            if ((r - start) % step == 0 && k < n) {
                continue;
            }
            memmove(items + w * item_sz, items + r * item_sz, item_sz);
            ++w;
        }
    }
    o->len -= n;
    o->free += n;
    // Cleared so that an 'O' array does not keep the removed objects alive.
    memset(items + o->len * item_sz, 0, n * item_sz);
}

static mp_obj_t array_load_step(mp_obj_array_t *o, size_t item_sz, const mp_bound_slice_t *s) {
    size_t n = slice_len(s);
    mp_obj_array_t *res = mp_obj_malloc(mp_obj_array_t, o->base.type);
    res->typecode = o->typecode;
    res->free = 0;
    res->len = n;
    res->items = m_new(uint8_t, n * item_sz);
    uint8_t *items = o->items;
    for (size_t k = 0; k < n; ++k) {
        memcpy((uint8_t *)res->items + k * item_sz, items + (s->start + k * s->step) * item_sz, item_sz);
    }
    return MP_OBJ_FROM_PTR(res);
}

static bool is_array_like(mp_obj_t value) {
    return mp_obj_is_type(value, &mp_type_bytearray)
           #if MICROPY_PY_ARRAY
           || mp_obj_is_type(value, &mp_type_array)
           #endif
           #if MICROPY_PY_BUILTINS_MEMORYVIEW
           || mp_obj_is_type(value, &mp_type_memoryview)
           #endif
    ;
}

// The elements a store copies from `value` into `o` (src->len in elements), as CPython accepts them.
static void store_source(mp_obj_array_t *o, size_t item_sz, mp_obj_t value, mp_buffer_info_t *src) {
    if (o->base.type == &mp_type_bytearray) {
        // Any bytes-like object; else an iterable of ints in range(256), as bytearray(value) takes it.
        if (mp_obj_is_int(value) || mp_obj_is_str(value)) {
            mp_raise_TypeError(MP_ERROR_TEXT("can assign only bytes, buffers, or iterables of ints in range(0, 256)"));
        }
        if (!mp_get_buffer(value, src, MP_BUFFER_READ)) {
            // Each item checked, as CPython does (bytearray(iterable) would truncate).
            vstr_t bytes;
            vstr_init(&bytes, 16);
            mp_obj_t iter = mp_getiter(value, NULL);
            mp_obj_t item;
            while ((item = mp_iternext(iter)) != MP_OBJ_STOP_ITERATION) {
                mp_int_t v = mp_obj_get_int(item);
                if (v < 0 || v > 255) {
                    mp_raise_ValueError(MP_ERROR_TEXT("byte must be in range(0, 256)"));
                }
                vstr_add_byte(&bytes, (byte)v);
            }
            src->buf = bytes.buf;
            src->len = bytes.len;
            src->typecode = 'B';
        }
        src->len /= item_sz;
        return;
    }
    if (is_memoryview(o)) {
        mp_get_buffer_raise(value, src, MP_BUFFER_READ);
        if (item_sz != mp_binary_get_size('@', src->typecode, NULL)) {
            mp_raise_ValueError(MP_ERROR_TEXT("memoryview assignment: lvalue and rvalue have different structures"));
        }
        src->len /= item_sz;
        return;
    }
    // array.array: an array of the same item size, or bytes for a 1-byte typecode (as stock).
    if ((is_array_like(value) || (mp_obj_is_type(value, &mp_type_bytes) && item_sz == 1))
        && mp_get_buffer(value, src, MP_BUFFER_READ)
        && item_sz == mp_binary_get_size('@', src->typecode, NULL)) {
        src->len /= item_sz;
        return;
    }
    if (is_array_like(value)) {
        mp_raise_TypeError(MP_ERROR_TEXT("bad argument type for built-in operation"));
    }
    mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("can only assign array (not \"%s\") to array slice"),
        mp_obj_get_type_str(value));
}

static void array_store(mp_obj_array_t *o, size_t item_sz, const mp_bound_slice_t *s, mp_obj_t value) {
    mp_buffer_info_t src;
    store_source(o, item_sz, value, &src);
    size_t n = slice_len(s);

    // A source inside the target's storage (`x[1:] = x`, a memoryview of x) is copied first.
    uint8_t *tmp = NULL;
    const uint8_t *storage = o->items;
    size_t storage_len = (is_memoryview(o) ? o->free + o->len : o->len + o->free) * item_sz;
    const uint8_t *from = src.buf;
    if (src.len != 0 && from < storage + storage_len && storage < from + src.len * item_sz) {
        tmp = m_new(uint8_t, src.len * item_sz);
        memcpy(tmp, from, src.len * item_sz);
        from = tmp;
    }

    if (s->step != 1) {
        if (src.len != n) {
            if (is_memoryview(o)) {
                mp_raise_ValueError(MP_ERROR_TEXT("memoryview assignment: lvalue and rvalue have different structures"));
            }
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("attempt to assign %s of size %u to extended slice of size %u"),
                o->base.type == &mp_type_bytearray ? "bytes" : "array", (unsigned)src.len, (unsigned)n);
        }
        uint8_t *items = array_items(o, item_sz);
        for (size_t k = 0; k < n; ++k) {
            memcpy(items + (s->start + k * s->step) * item_sz, from + k * item_sz, item_sz);
        }
    } else {
        // Step 1: the slice [start, stop) becomes the source, whatever its length.
        size_t start = s->start;
        if (src.len > n) {
            size_t grow = src.len - n;
            if (grow > o->free) {
                o->items = m_renew(uint8_t, o->items, (o->len + o->free) * item_sz, (o->len + grow) * item_sz);
                o->free = grow;
            }
            uint8_t *items = o->items;
            memmove(items + (start + src.len) * item_sz, items + (start + n) * item_sz, (o->len - start - n) * item_sz);
            o->len += grow;
            o->free -= grow;
        } else {
            array_remove(o, item_sz, start + src.len, 1, n - src.len);
        }
        memcpy((uint8_t *)o->items + start * item_sz, from, src.len * item_sz);
    }
    if (tmp != NULL) {
        m_del(uint8_t, tmp, src.len * item_sz);
    }
}

bool mp_obj_array_subscr_full(mp_obj_t self_in, mp_obj_t index_in, mp_obj_t value, mp_obj_t *ret) {
    mp_obj_array_t *o = MP_OBJ_TO_PTR(self_in);
    size_t item_sz = mp_binary_get_size('@', ARRAY_TYPECODE(o), NULL);
    bool view = is_memoryview(o);
    *ret = mp_const_none;

    if (!mp_obj_is_type(index_in, &mp_type_slice)) {
        if (value != MP_OBJ_NULL || view) {
            return false; // item load and store: MicroPython's; `del view[i]`: unsupported
        }
        size_t i = mp_get_index(o->base.type, o->len, index_in, false);
        array_remove(o, item_sz, i, 1, 1);
        return true;
    }

    mp_bound_slice_t s;
    mp_obj_slice_indices(index_in, o->len, &s);
    if (value == MP_OBJ_SENTINEL) {
        if (s.step == 1 || view) {
            return false; // MicroPython's (a memoryview with a step stays unsupported)
        }
        *ret = array_load_step(o, item_sz, &s);
        return true;
    }
    if (value == MP_OBJ_NULL) {
        if (view) {
            return false;
        }
        size_t n = slice_len(&s);
        if (s.step > 0) {
            array_remove(o, item_sz, s.start, s.step, n);
        } else if (n > 0) {
            array_remove(o, item_sz, s.start + (n - 1) * s.step, -s.step, n);
        }
        return true;
    }
    if (view) {
        if (s.step == 1) {
            return false; // same-length stores: MicroPython's
        }
        if (!(o->typecode & MP_OBJ_ARRAY_TYPECODE_FLAG_RW)) {
            *ret = MP_OBJ_NULL; // read-only: "doesn't support item assignment"
            return true;
        }
    }
    if (s.step == 1 && s.stop < s.start) {
        s.stop = s.start; // x[5:2] = v inserts at 5
    }
    array_store(o, item_sz, &s, value);
    return true;
}

#endif // MICROPY_PY_ARRAY_SLICE_FULL
