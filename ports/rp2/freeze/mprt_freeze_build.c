// Building a freeze image in RAM: compiled modules (raw code trees, bytecode, constant objects, qstr
// tables) copied into one buffer with the absolute flash addresses they will have, and the strings
// not in the firmware's static pools gathered into a qstr pool numbered after them
// (docs/freeze.md "The image").
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/objint.h"
#include "py/objtuple.h"
#include "py/bc.h"
#include "py/emitglue.h"
#include "dynlink.h"
#include "dynlink/mprt_exports.h"
#include "mprt_freeze_build.h"

// objfloat.c keeps this struct private; the firmware key (fz_firmware_key) covers its layout.
typedef struct _fz_float_t {
    mp_obj_base_t base;
    mp_float_t value;
} fz_float_t;

void fz_init(fz_t *f, uint32_t base) {
    // the largest image at once, while the heap is least fragmented (before the modules are imported)
    f->cap = FZ_HALF_SIZE;
    f->buf = m_new0(uint8_t, f->cap);
    f->len = FZ_HEADER_SPAN;
    f->base = base;
    f->flash_bytes = 0;
    f->static_total = fz_static_total();
    f->qmap = mp_obj_new_dict(0);
    f->qlist = mp_obj_new_list(0, NULL);
}

size_t fz_reserve(fz_t *f, size_t n, size_t align) {
    size_t off = (f->len + align - 1) & ~(align - 1);
    if (off + n > FZ_HALF_SIZE) {
        mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("freeze: the image does not fit in a half of the freeze region (%u bytes): raise flash.freeze_size"),
            (unsigned)FZ_HALF_SIZE);
    }
    if (off + n > f->cap) {
        size_t cap = f->cap;
        while (cap < off + n) {
            cap *= 2;
        }
        f->buf = m_renew(uint8_t, f->buf, f->cap, cap);
        memset(f->buf + f->cap, 0, cap - f->cap);
        f->cap = cap;
    }
    f->len = off + n;
    return off;
}

static inline uint32_t fz_addr(fz_t *f, size_t off) {
    return f->base + off;
}

static inline void fz_word(fz_t *f, size_t off, uint32_t v) {
    memcpy(f->buf + off, &v, 4);
}

uint32_t fz_bytes(fz_t *f, const void *data, size_t n, size_t align, bool nul) {
    size_t off = fz_reserve(f, n + (nul ? 1 : 0), align);
    memcpy(f->buf + off, data, n);
    return fz_addr(f, off);
}

qstr fz_qstr(fz_t *f, qstr q) {
    if (q < f->static_total) {
        return q;
    }
    mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(f->qmap), MP_OBJ_NEW_SMALL_INT(q), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    if (e->value == MP_OBJ_NULL) {
        size_t len;
        mp_obj_t *items;
        mp_obj_list_get(f->qlist, &len, &items);
        e->value = MP_OBJ_NEW_SMALL_INT(f->static_total + len);
        mp_obj_list_append(f->qlist, MP_OBJ_NEW_SMALL_INT(q));
    }
    return MP_OBJ_SMALL_INT_VALUE(e->value);
}

// A constant object of a module, as the word its flash copy is referred to by.
uint32_t fz_obj(fz_t *f, mp_obj_t o) {
    if (mp_obj_is_qstr(o)) {
        return (uint32_t)(uintptr_t)MP_OBJ_NEW_QSTR(fz_qstr(f, MP_OBJ_QSTR_VALUE(o)));
    }
    if (!mp_obj_is_obj(o) || (uintptr_t)o < 0x20000000) {
        // small ints, immediates, and objects already in the firmware (None, Ellipsis...)
        return (uint32_t)(uintptr_t)o;
    }
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (t == &mp_type_str || t == &mp_type_bytes) {
        const mp_obj_str_t *s = MP_OBJ_TO_PTR(o);
        uint32_t data = fz_bytes(f, s->data, s->len, 1, true);
        size_t off = fz_reserve(f, sizeof(mp_obj_str_t), 4);
        mp_obj_str_t *c = (mp_obj_str_t *)(f->buf + off);
        c->base.type = t;
        c->hash = s->hash;
        c->len = s->len;
        c->data = (const byte *)(uintptr_t)data;
        return fz_addr(f, off);
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    if (t == &mp_type_float) {
        size_t off = fz_reserve(f, sizeof(fz_float_t), 4);
        fz_float_t *c = (fz_float_t *)(f->buf + off);
        c->base.type = t;
        c->value = mp_obj_float_get(o);
        return fz_addr(f, off);
    }
    #endif
    #if MICROPY_LONGINT_IMPL == MICROPY_LONGINT_IMPL_MPZ
    if (t == &mp_type_int) {
        const mp_obj_int_t *i = MP_OBJ_TO_PTR(o);
        uint32_t dig = fz_bytes(f, i->mpz.dig, i->mpz.len * sizeof(mpz_dig_t), 4, false);
        size_t off = fz_reserve(f, sizeof(mp_obj_int_t), 4);
        mp_obj_int_t *c = (mp_obj_int_t *)(f->buf + off);
        c->base.type = t;
        c->mpz.neg = i->mpz.neg;
        c->mpz.fixed_dig = 1;
        c->mpz.alloc = i->mpz.len;
        c->mpz.len = i->mpz.len;
        c->mpz.dig = (mpz_dig_t *)(uintptr_t)dig;
        return fz_addr(f, off);
    }
    #endif
    if (t == &mp_type_tuple) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(o, &n, &items);
        uint32_t *w = m_new(uint32_t, n + 1);
        for (size_t k = 0; k < n; ++k) {
            w[k] = fz_obj(f, items[k]);
        }
        size_t off = fz_reserve(f, sizeof(mp_obj_tuple_t) + n * sizeof(mp_obj_t), 4);
        mp_obj_tuple_t *c = (mp_obj_tuple_t *)(f->buf + off);
        c->base.type = t;
        c->len = n;
        memcpy(c->items, w, n * sizeof(mp_obj_t));
        m_del(uint32_t, w, n + 1);
        return fz_addr(f, off);
    }
    mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("freeze: can't freeze a constant of type '%q'"), (qstr)t->name);
}

// A raw code tree (bytecode only): children first, then the bytecode, then the struct.
static uint32_t fz_rc(fz_t *f, const mp_raw_code_t *rc) {
    if (rc->kind != MP_CODE_BYTECODE) {
        mp_raise_msg(&mp_type_TypeError, MP_ERROR_TEXT("freeze: can't freeze native, viper or asm code"));
    }
    size_t n = rc->n_children;
    size_t kids = n ? fz_reserve(f, n * sizeof(uint32_t), 4) : 0;
    for (size_t k = 0; k < n; ++k) {
        uint32_t a = fz_rc(f, rc->children[k]);
        fz_word(f, kids + 4 * k, a);
    }
    uint32_t code = fz_bytes(f, rc->fun_data, rc->fun_data_len, 1, false);
    size_t off = fz_reserve(f, sizeof(mp_raw_code_t), 4);
    mp_raw_code_t *c = (mp_raw_code_t *)(f->buf + off);
    memcpy(c, rc, sizeof(mp_raw_code_truncated_t));
    c->fun_data = (const void *)(uintptr_t)code;
    c->children = n ? (mp_raw_code_t **)(uintptr_t)fz_addr(f, kids) : NULL;
    return fz_addr(f, off);
}

void fz_add_module(fz_t *f, const char *path, const mp_compiled_module_t *cm, fz_module_t *entry) {
    size_t start = f->len;
    size_t nq = cm->n_qstr, no = cm->n_obj;
    size_t qt = fz_reserve(f, nq * sizeof(qstr_short_t), 2);
    for (size_t k = 0; k < nq; ++k) {
        qstr_short_t v = fz_qstr(f, cm->context->constants.qstr_table[k]);
        memcpy(f->buf + qt + k * sizeof(qstr_short_t), &v, sizeof(v));
    }
    uint32_t *w = m_new(uint32_t, no + 1);
    for (size_t k = 0; k < no; ++k) {
        w[k] = fz_obj(f, cm->context->constants.obj_table[k]);
    }
    size_t ot = fz_reserve(f, no * sizeof(uint32_t), 4);
    memcpy(f->buf + ot, w, no * sizeof(uint32_t));
    m_del(uint32_t, w, no + 1);
    uint32_t proto = fz_rc(f, cm->rc);
    size_t fm = fz_reserve(f, sizeof(mp_frozen_module_t), 4);
    fz_word(f, fm, fz_addr(f, qt));
    fz_word(f, fm + 4, fz_addr(f, ot));
    fz_word(f, fm + 8, proto);
    entry->path = fz_bytes(f, path, strlen(path), 1, true);
    entry->frozen = fz_addr(f, fm);
    entry->size = f->len - start;
    f->flash_bytes += entry->size;
}

void fz_finish(fz_t *f, const fz_module_t *mods, size_t n_modules, uint32_t seq) {
    // module table: path, frozen, size
    size_t mt = fz_reserve(f, n_modules * sizeof(fz_module_t), 4);
    memcpy(f->buf + mt, mods, n_modules * sizeof(fz_module_t));
    // the qstr pool: strings, hashes, lengths, then the pool struct with its string pointers
    size_t nq;
    mp_obj_t *qs;
    mp_obj_list_get(f->qlist, &nq, &qs);
    uint32_t *str = m_new(uint32_t, nq + 1);
    for (size_t k = 0; k < nq; ++k) {
        size_t len;
        const byte *d = qstr_data(MP_OBJ_SMALL_INT_VALUE(qs[k]), &len);
        str[k] = fz_bytes(f, d, len, 1, true);
    }
    #if MICROPY_QSTR_BYTES_IN_HASH
    size_t hashes = fz_reserve(f, nq * sizeof(qstr_hash_t), sizeof(qstr_hash_t));
    for (size_t k = 0; k < nq; ++k) {
        qstr_hash_t h = qstr_hash(MP_OBJ_SMALL_INT_VALUE(qs[k]));
        memcpy(f->buf + hashes + k * sizeof(h), &h, sizeof(h));
    }
    #endif
    size_t lengths = fz_reserve(f, nq * sizeof(qstr_len_t), sizeof(qstr_len_t));
    for (size_t k = 0; k < nq; ++k) {
        qstr_len_t l = qstr_len(MP_OBJ_SMALL_INT_VALUE(qs[k]));
        memcpy(f->buf + lengths + k * sizeof(l), &l, sizeof(l));
    }
    size_t po = fz_reserve(f, sizeof(qstr_pool_t) + nq * sizeof(const char *), 4);
    qstr_pool_t *p = (qstr_pool_t *)(f->buf + po);
    p->prev = &MICROPY_QSTR_EXTRA_POOL;
    p->total_prev_len = f->static_total;
    p->is_sorted = 0;
    // Full (len >= alloc), so qstr_add() never appends to this pool in flash but starts a RAM pool, whose
    // size is twice this alloc: as the firmware's static pool, 10 (MICROPY_ALLOC_QSTR_ENTRIES_INIT), or
    // fewer for a small image (a pool of fewer than 10 strings with alloc 10 would be written to).
    p->alloc = MIN(10, nq);
    p->len = nq;
    #if MICROPY_QSTR_BYTES_IN_HASH
    p->hashes = (qstr_hash_t *)(uintptr_t)fz_addr(f, hashes);
    #endif
    p->lengths = (qstr_len_t *)(uintptr_t)fz_addr(f, lengths);
    memcpy((void *)p->qstrs, str, nq * sizeof(uint32_t));
    m_del(uint32_t, str, nq + 1);
    // whole pages
    fz_reserve(f, (FZ_PAGE - f->len % FZ_PAGE) % FZ_PAGE, 1);
    fz_header_t *h = (fz_header_t *)f->buf;
    memset(h, 0, sizeof(*h));
    h->magic = FZ_MAGIC;
    h->version = FZ_VERSION;
    h->seq = seq;
    h->size = f->len;
    memcpy(h->abi, mprt_abi_id, sizeof(h->abi));
    h->fw_key = fz_firmware_key();
    h->static_total = f->static_total;
    h->pool = fz_addr(f, po);
    h->n_modules = n_modules;
    h->modules = fz_addr(f, mt);
    h->flash_bytes = f->flash_bytes;
    h->crc = dl_crc32(0, f->buf + 8, f->len - 8);
}
