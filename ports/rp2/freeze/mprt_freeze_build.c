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

// The window ends at the next sector boundary, or sooner when it is smaller than a sector.
static void fz_window_at(fz_t *f, size_t off) {
    f->win_off = off;
    f->win_end = MIN(off + f->win_cap, (off / FZ_SECTOR + 1) * FZ_SECTOR);
}

void fz_init(fz_t *f, uint32_t base, bool write) {
    f->win = write ? m_new0(uint8_t, FZ_SECTOR) : NULL;
    f->win_cap = FZ_SECTOR;
    f->erased = 0;
    fz_window_at(f, 0);
    f->write = write;
    f->len = FZ_HEADER_SPAN;
    f->base = base;
    f->flash_bytes = 0;
    f->static_total = fz_static_total();
    f->qmap = mp_obj_new_dict(0);
    f->qlist = mp_obj_new_list(0, NULL);
    f->rcs = NULL;
    f->n_rcs = f->cap_rcs = 0;
    f->mods = NULL;
    f->n_mods = f->cap_mods = 0;
}

void fz_deinit(fz_t *f) {
    if (f->rcs != NULL) {
        m_del(fz_rcinfo_t, f->rcs, f->cap_rcs);
        f->rcs = NULL;
    }
    if (f->mods != NULL) {
        m_del(fz_modinfo_t, f->mods, f->cap_mods);
        f->mods = NULL;
    }
    if (f->win != NULL) {
        m_del(uint8_t, f->win, f->win_cap);
        f->win = NULL;
    }
}

void fz_program_sector(uint32_t addr, const uint8_t *data, size_t n) {
    // the first sector of a half starts with the header page
    size_t skip = (addr - fz_half_addr(0)) % FZ_HALF_SIZE == 0 ? FZ_HEADER_SPAN : 0;
    fz_flash_erase(addr, FZ_SECTOR);
    if (n > skip) {
        fz_flash_program(addr + skip, data + skip, n - skip);
        if (memcmp((const void *)(uintptr_t)(addr + skip), data + skip, n - skip) != 0) {
            mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("freeze: flash verify failed; the previous frozen modules are kept"));
        }
    }
}

void fz_commit(int half, uint8_t *page) {
    fz_header_t *h = (fz_header_t *)page;
    uint32_t base = fz_half_addr(half);
    uint32_t crc = dl_crc32(0, page + 8, FZ_HEADER_SPAN - 8);
    h->crc = dl_crc32(crc, (const uint8_t *)(uintptr_t)(base + FZ_HEADER_SPAN), h->size - FZ_HEADER_SPAN);
    fz_flash_program(base, page, FZ_HEADER_SPAN);
}

// Programs the first `n` bytes of the window: a chunk that starts a sector erases it first (with the
// header page skipped in a half's first sector), the others go after what that sector has already.
static void fz_program_window(fz_t *f, size_t n) {
    uint32_t addr = f->base + f->win_off;
    if (f->win_off >= f->erased) {
        fz_program_sector(addr, f->win, n);
        f->erased = f->win_off + FZ_SECTOR;
    } else if (n > 0) {
        fz_flash_program(addr, f->win, n);
        if (memcmp((const void *)(uintptr_t)addr, f->win, n) != 0) {
            mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("freeze: flash verify failed; the previous frozen modules are kept"));
        }
    }
}

// Programs the full window and starts the next one.
static void fz_flush(fz_t *f) {
    fz_program_window(f, f->win_end - f->win_off);
    memset(f->win, 0, f->win_cap);
    fz_window_at(f, f->win_end);
}

void fz_suspend(fz_t *f) {
    fz_put(f, NULL, (FZ_PAGE - f->len % FZ_PAGE) % FZ_PAGE, 1);
    if (f->win != NULL) {
        if (f->len > f->win_off) {
            fz_program_window(f, f->len - f->win_off);
        }
        m_del(uint8_t, f->win, f->win_cap);
        f->win = NULL;
    }
}

void fz_resume(fz_t *f) {
    if (f->write && f->win == NULL) {
        // a sector's worth when the heap has it in one block, else less (more program calls): after
        // the imports the heap may be fragmented
        size_t cap = FZ_SECTOR;
        while ((f->win = m_new_maybe(uint8_t, cap)) == NULL && cap > FZ_PAGE) {
            cap /= 2;
        }
        if (f->win == NULL) {
            f->win = m_new(uint8_t, cap);
        }
        memset(f->win, 0, cap);
        f->win_cap = cap;
        fz_window_at(f, f->len);
    }
}

uint32_t fz_put(fz_t *f, const void *data, size_t n, size_t align) {
    size_t off = (f->len + align - 1) & ~(align - 1);
    if (off + n > FZ_HALF_SIZE) {
        mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("freeze: the image does not fit in a half of the freeze region (%u bytes): raise flash.freeze_size"),
            (unsigned)FZ_HALF_SIZE);
    }
    if (f->win == NULL) {
        f->len = off + n;
        return f->base + off;
    }
    // padding: the window is zeroed
    while (off >= f->win_end) {
        fz_flush(f);
    }
    const uint8_t *src = data;
    for (size_t done = 0; done < n;) {
        size_t at = off + done - f->win_off;
        size_t k = MIN(n - done, f->win_end - (off + done));
        if (src != NULL) {
            memcpy(f->win + at, src + done, k);
        }
        done += k;
        if (off + done == f->win_end) {
            fz_flush(f);
        }
    }
    f->len = off + n;
    return f->base + off;
}

// Bytes, NUL-terminated when `nul`.
uint32_t fz_bytes(fz_t *f, const void *data, size_t n, size_t align, bool nul) {
    uint32_t a = fz_put(f, data, n, align);
    if (nul) {
        fz_put(f, NULL, 1, 1);
    }
    return a;
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

// A constant object of a module, as the word its flash copy is referred to by. Each object is appended
// after what it points to, so the image is written in one pass, front to back.
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
        mp_obj_str_t c = { { t }, s->hash, s->len, (const byte *)(uintptr_t)fz_bytes(f, s->data, s->len, 1, true) };
        return fz_put(f, &c, sizeof(c), 4);
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    if (t == &mp_type_float) {
        fz_float_t c = { { t }, mp_obj_float_get(o) };
        return fz_put(f, &c, sizeof(c), 4);
    }
    #endif
    #if MICROPY_LONGINT_IMPL == MICROPY_LONGINT_IMPL_MPZ
    if (t == &mp_type_int) {
        const mp_obj_int_t *i = MP_OBJ_TO_PTR(o);
        mp_obj_int_t c;
        memset(&c, 0, sizeof(c));
        c.base.type = t;
        c.mpz.neg = i->mpz.neg;
        c.mpz.fixed_dig = 1;
        c.mpz.alloc = i->mpz.len;
        c.mpz.len = i->mpz.len;
        c.mpz.dig = (mpz_dig_t *)(uintptr_t)fz_bytes(f, i->mpz.dig, i->mpz.len * sizeof(mpz_dig_t), 4, false);
        return fz_put(f, &c, sizeof(c), 4);
    }
    #endif
    if (t == &mp_type_tuple) {
        size_t n;
        mp_obj_t *items;
        mp_obj_tuple_get(o, &n, &items);
        size_t bytes = sizeof(mp_obj_tuple_t) + n * sizeof(mp_obj_t);
        mp_obj_tuple_t *c = m_malloc0(bytes);
        c->base.type = t;
        c->len = n;
        for (size_t k = 0; k < n; ++k) {
            c->items[k] = (mp_obj_t)(uintptr_t)fz_obj(f, items[k]);
        }
        uint32_t a = fz_put(f, c, bytes, 4);
        m_free(c);
        return a;
    }
    mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("freeze: can't freeze a constant of type '%q'"), (qstr)t->name);
}

// A raw code tree (bytecode only): children first, then their table, the bytecode, and the struct.
static uint32_t fz_rc(fz_t *f, const mp_raw_code_t *rc, bool *deref_out) {
    if (rc->kind != MP_CODE_BYTECODE) {
        mp_raise_msg(&mp_type_TypeError, MP_ERROR_TEXT("freeze: can't freeze native, viper or asm code"));
    }
    size_t n = rc->n_children;
    uint32_t kids = 0;
    bool deref = fz_scan_code(rc->fun_data, rc->fun_data_len, FZ_SCAN_DEREF);
    if (n) {
        uint32_t *a = m_new(uint32_t, n);
        for (size_t k = 0; k < n; ++k) {
            bool d;
            a[k] = fz_rc(f, rc->children[k], &d);
            deref |= d;
        }
        kids = fz_put(f, a, n * sizeof(uint32_t), 4);
        m_del(uint32_t, a, n);
    }
    mp_raw_code_t c;
    memset(&c, 0, sizeof(c));
    memcpy(&c, rc, sizeof(mp_raw_code_truncated_t));
    c.fun_data = (const void *)(uintptr_t)fz_bytes(f, rc->fun_data, rc->fun_data_len, 1, false);
    c.children = (mp_raw_code_t **)(uintptr_t)kids;
    uint32_t addr = fz_put(f, &c, sizeof(c), 4);
    // for the snapshots: this raw code (after its children, so a module's top-level one is its last)
    if (f->n_rcs == f->cap_rcs) {
        size_t cap = f->cap_rcs ? 2 * f->cap_rcs : 16;
        f->rcs = m_renew(fz_rcinfo_t, f->rcs, f->cap_rcs, cap);
        f->cap_rcs = cap;
    }
    fz_rcinfo_t *ri = &f->rcs[f->n_rcs++];
    ri->rc = addr;
    ri->fun_data = (uint32_t)(uintptr_t)c.fun_data;
    ri->children = kids;
    ri->len = rc->fun_data_len;
    ri->crc = dl_crc32(0, rc->fun_data, rc->fun_data_len);
    ri->module = f->n_mods;
    ri->deref = deref;
    *deref_out = deref;
    return addr;
}

void fz_add_module(fz_t *f, const char *path, const mp_compiled_module_t *cm, fz_module_t *entry) {
    size_t start = f->len;
    size_t nq = cm->n_qstr, no = cm->n_obj;
    qstr_short_t *qt = m_new(qstr_short_t, nq + 1);
    for (size_t k = 0; k < nq; ++k) {
        qt[k] = fz_qstr(f, cm->context->constants.qstr_table[k]);
    }
    uint32_t qt_addr = fz_put(f, qt, nq * sizeof(qstr_short_t), 2);
    m_del(qstr_short_t, qt, nq + 1);
    uint32_t *w = m_new(uint32_t, no + 1);
    for (size_t k = 0; k < no; ++k) {
        w[k] = fz_obj(f, cm->context->constants.obj_table[k]);
    }
    uint32_t ot_addr = fz_put(f, w, no * sizeof(uint32_t), 4);
    m_del(uint32_t, w, no + 1);
    // mp_frozen_module_t: its qstr table, its constant table, its raw code
    size_t rc_first = f->n_rcs;
    bool deref;
    uint32_t fm[3] = { qt_addr, ot_addr, fz_rc(f, cm->rc, &deref) };
    entry->frozen = fz_put(f, fm, sizeof(fm), 4);
    entry->path = fz_bytes(f, path, strlen(path), 1, true);
    entry->size = f->len - start;
    entry->module = 0;
    entry->name = 0;
    f->flash_bytes += entry->size;
    if (f->n_mods == f->cap_mods) {
        size_t cap = f->cap_mods ? 2 * f->cap_mods : 4;
        f->mods = m_renew(fz_modinfo_t, f->mods, f->cap_mods, cap);
        f->cap_mods = cap;
    }
    fz_modinfo_t *mi = &f->mods[f->n_mods++];
    mi->path = path;
    mi->qstr_table = qt_addr;
    mi->obj_table = ot_addr;
    mi->rc_first = rc_first;
    mi->effect = fz_scan_effect(cm->rc->fun_data, cm->rc->fun_data_len, cm->context->constants.qstr_table, &mi->setup);
}

size_t fz_finish(fz_t *f, const fz_module_t *mods, size_t n_modules, uint32_t seq, uint8_t *page) {
    uint32_t mt = fz_put(f, mods, n_modules * sizeof(fz_module_t), 4);
    // the qstr pool: strings, hashes, lengths, then the pool struct with its string pointers
    size_t nq;
    mp_obj_t *qs;
    mp_obj_list_get(f->qlist, &nq, &qs);
    size_t pool_bytes = sizeof(qstr_pool_t) + nq * sizeof(const char *);
    qstr_pool_t *p = m_malloc0(pool_bytes);
    for (size_t k = 0; k < nq; ++k) {
        size_t len;
        const byte *d = qstr_data(MP_OBJ_SMALL_INT_VALUE(qs[k]), &len);
        p->qstrs[k] = (const char *)(uintptr_t)fz_bytes(f, d, len, 1, true);
    }
    // one entry at a time (fz_put aligns each to its size: the arrays are contiguous)
    #if MICROPY_QSTR_BYTES_IN_HASH
    uint32_t hashes = f->base + f->len;
    for (size_t k = 0; k < nq; ++k) {
        qstr_hash_t h = qstr_hash(MP_OBJ_SMALL_INT_VALUE(qs[k]));
        uint32_t a = fz_put(f, &h, sizeof(h), sizeof(qstr_hash_t));
        hashes = k == 0 ? a : hashes;
    }
    #endif
    uint32_t lengths = f->base + f->len;
    for (size_t k = 0; k < nq; ++k) {
        qstr_len_t l = qstr_len(MP_OBJ_SMALL_INT_VALUE(qs[k]));
        uint32_t a = fz_put(f, &l, sizeof(l), sizeof(qstr_len_t));
        lengths = k == 0 ? a : lengths;
    }
    p->prev = &MICROPY_QSTR_EXTRA_POOL;
    p->total_prev_len = f->static_total;
    p->is_sorted = 0;
    // Full (len >= alloc), so qstr_add() never appends to this pool in flash but starts a RAM pool, whose
    // size is twice this alloc: as the firmware's static pool, 10 (MICROPY_ALLOC_QSTR_ENTRIES_INIT), or
    // fewer for a small image (a pool of fewer than 10 strings with alloc 10 would be written to).
    p->alloc = MIN(10, nq);
    p->len = nq;
    #if MICROPY_QSTR_BYTES_IN_HASH
    p->hashes = (qstr_hash_t *)(uintptr_t)hashes;
    #endif
    p->lengths = (qstr_len_t *)(uintptr_t)lengths;
    uint32_t po = fz_put(f, p, pool_bytes, 4);
    m_free(p);
    // whole pages; then the last sector (the header page is the caller's to commit, with fz_commit)
    fz_put(f, NULL, (FZ_PAGE - f->len % FZ_PAGE) % FZ_PAGE, 1);
    if (f->win != NULL && f->len > f->win_off) {
        fz_program_window(f, f->len - f->win_off);
    }
    memset(page, 0, FZ_HEADER_SPAN);
    fz_header_t *h = (fz_header_t *)page;
    h->magic = FZ_MAGIC;
    h->version = FZ_VERSION;
    h->seq = seq;
    h->size = f->len;
    memcpy(h->abi, mprt_abi_id, sizeof(h->abi));
    h->fw_key = fz_firmware_key();
    h->static_total = f->static_total;
    h->pool = po;
    h->n_modules = n_modules;
    h->modules = mt;
    h->flash_bytes = f->flash_bytes;
    return f->len;
}
