// qstrs of installed modules. A module's code was linked with the qstr numbers its strings had when
// it was installed, so every boot must give those strings the same numbers. Strings of the
// firmware's static pools always have them. For the others, a qstr pool in the RAM reserved at boot
// is linked right after the static pools at every mp_init(), with each installed string placed at
// exactly the number its image assumes (the gaps are placeholders that never match a lookup), and
// room after them: strings interned later in the session (REPL names, new modules) append to this
// pool first, so a module installed now gets numbers that the next boot can place again. An image
// whose numbers cannot be placed (another string holds the number or the string has another
// number) is stale: it is never executed, and the next import relinks it.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "py/qstr.h"
#include "mprt_dynlink.h"
#include "freeze/mprt_freeze.h"

// Entries the pool keeps free after the installed strings (each costs sizeof(char *) + hash + len).
#define DL_QSTR_GROWTH (8)

extern const qstr_pool_t MICROPY_QSTR_EXTRA_POOL;

static qstr_pool_t *dl_pool;
static size_t dl_pool_cap;

#define ENTRY_BYTES (sizeof(const char *) + sizeof(qstr_len_t) + (MICROPY_QSTR_BYTES_IN_HASH ? sizeof(qstr_hash_t) : 0))

// After the firmware's static pools and the pool of the modules frozen on the device (freeze).
static size_t first_dynamic(void) {
    return mprt_freeze_first_dynamic();
}

typedef struct _dl_qstr_entry_t {
    uint32_t str;
    uint32_t number;
} dl_qstr_entry_t;

static const dl_qstr_entry_t *qstrs_of(const dl_image_t *img) {
    return (const dl_qstr_entry_t *)(uintptr_t)img->qstrs;
}

// The pool capacity the valid images need (0 if there is none).
static size_t needed_cap(void) {
    size_t s0 = first_dynamic(), top = 0;
    bool any = false;
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (!(mprt_dl_state(it.img) & MPRT_DL_IMG_VALID)) {
            continue;
        }
        any = true;
        const dl_qstr_entry_t *q = qstrs_of(it.img);
        for (uint32_t i = 0; i < it.img->n_qstrs; ++i) {
            if (q[i].number >= s0 && q[i].number - s0 + 1 > top) {
                top = q[i].number - s0 + 1;
            }
        }
    }
    return any ? top + DL_QSTR_GROWTH : 0;
}

static size_t pool_bytes(size_t cap) {
    return cap == 0 ? 0 : ((sizeof(qstr_pool_t) + cap * ENTRY_BYTES + 3) & ~(size_t)3);
}

// At power-up (before the GC heap): the bytes the pool needs; mprt_dl_qstr_reserve() places it.
size_t mprt_dl_qstr_pool_bytes(void) {
    dl_pool_cap = needed_cap();
    return pool_bytes(dl_pool_cap);
}

void mprt_dl_qstr_reserve(void *at, bool boot) {
    (void)boot;
    dl_pool = at;
    if (at == NULL) {
        dl_pool_cap = 0;
    }
}

// Where the pool lies in the reserved RAM (module RAM must not overlap it).
size_t mprt_dl_qstr_pool_span(uintptr_t *start) {
    *start = (uintptr_t)dl_pool;
    return dl_pool == NULL ? 0 : pool_bytes(dl_pool_cap);
}

// The pool with only placeholders, linked after the static pools.
static void pool_reset(void) {
    qstr_pool_t *p = dl_pool;
    p->prev = MP_STATE_VM(last_pool);
    p->total_prev_len = first_dynamic();
    p->is_sorted = 0;
    p->alloc = dl_pool_cap;
    p->len = 0;
    #if MICROPY_QSTR_BYTES_IN_HASH
    p->hashes = (qstr_hash_t *)(p->qstrs + dl_pool_cap);
    p->lengths = (qstr_len_t *)(p->hashes + dl_pool_cap);
    memset(p->hashes, 0, dl_pool_cap * sizeof(qstr_hash_t));
    #else
    p->lengths = (qstr_len_t *)(p->qstrs + dl_pool_cap);
    #endif
    memset(p->lengths, 0, dl_pool_cap * sizeof(qstr_len_t));
    for (size_t i = 0; i < dl_pool_cap; ++i) {
        p->qstrs[i] = "";
    }
    MP_STATE_VM(last_pool) = p;
}

static bool slot_free(size_t at) {
    #if MICROPY_QSTR_BYTES_IN_HASH
    if (dl_pool->hashes[at] != 0) {
        return false;
    }
    #endif
    return dl_pool->lengths[at] == 0 && dl_pool->qstrs[at][0] == '\0';
}

typedef enum { FIT_OK, FIT_LATER, FIT_STALE } fit_t;

// Can every qstr of `img` have the number the image assumes?
static fit_t qstrs_fit(const dl_image_t *img) {
    size_t s0 = first_dynamic();
    const dl_qstr_entry_t *q = qstrs_of(img);
    fit_t r = FIT_OK;
    for (uint32_t i = 0; i < img->n_qstrs; ++i) {
        const char *s = (const char *)(uintptr_t)q[i].str;
        size_t len = strlen(s);
        qstr found = qstr_find_strn(s, len);
        if (found != MP_QSTRnull) {
            if (found != q[i].number) {
                return FIT_STALE;
            }
        } else if (q[i].number < s0) {
            return FIT_STALE;
        } else if (dl_pool == NULL || q[i].number - s0 >= dl_pool_cap) {
            r = FIT_LATER;
        } else if (q[i].number - s0 < dl_pool->len && !slot_free(q[i].number - s0)) {
            return FIT_STALE;
        }
    }
    return r;
}

static void qstrs_place(const dl_image_t *img) {
    size_t s0 = first_dynamic();
    const dl_qstr_entry_t *q = qstrs_of(img);
    for (uint32_t i = 0; i < img->n_qstrs; ++i) {
        if (q[i].number < s0) {
            continue;
        }
        size_t at = q[i].number - s0;
        const char *s = (const char *)(uintptr_t)q[i].str;
        size_t len = strlen(s);
        #if MICROPY_QSTR_BYTES_IN_HASH
        dl_pool->hashes[at] = (qstr_hash_t)qstr_compute_hash((const byte *)s, len);
        #endif
        dl_pool->lengths[at] = (qstr_len_t)len;
        dl_pool->qstrs[at] = s;
        if (at + 1 > dl_pool->len) {
            dl_pool->len = at + 1;
        }
    }
}

bool mprt_dl_ram_reserved(const dl_image_t *img);
void mprt_dl_clear_loaded(void);

void mprt_dl_init(void) {
    mprt_dl_clear_loaded();
    MP_STATE_PORT(mprt_dl_last_error) = MP_OBJ_NULL;
    // Modules installed since power-up may need a larger pool than the one reserved then: move it to
    // free reserved RAM (the slack) when there is room; otherwise they load after the next power-up.
    size_t need = needed_cap();
    if (need > dl_pool_cap) {
        size_t old_cap = dl_pool_cap;
        qstr_pool_t *old = dl_pool;
        dl_pool = NULL;
        dl_pool_cap = 0;
        uint32_t at;
        if (mprt_dl_ram_find(pool_bytes(need), 4, &at)) {
            dl_pool = (qstr_pool_t *)(uintptr_t)at;
            dl_pool_cap = need;
        } else {
            dl_pool = old;
            dl_pool_cap = old_cap;
        }
    }
    if (dl_pool != NULL) {
        pool_reset();
    }
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (!(mprt_dl_state(it.img) & MPRT_DL_IMG_VALID)) {
            continue;
        }
        fit_t f = qstrs_fit(it.img);
        if (f == FIT_STALE) {
            mprt_dl_set_state(it.img, 0, MPRT_DL_IMG_VALID | MPRT_DL_IMG_PENDING);
            continue;
        }
        if (f == FIT_OK) {
            qstrs_place(it.img);
        }
        if (f == FIT_LATER || !mprt_dl_ram_reserved(it.img)) {
            mprt_dl_set_state(it.img, MPRT_DL_IMG_PENDING, 0);
        } else {
            mprt_dl_set_state(it.img, 0, MPRT_DL_IMG_PENDING);
        }
    }
}

bool mprt_dl_qstr_intern(const char *str, size_t len, uint32_t *number) {
    *number = qstr_from_strn(str, len);
    return true;
}

void mprt_dl_qstr_gc_collect(void) {
    // Strings interned in this session into the pool live in the GC heap; the pool itself does not.
    if (dl_pool != NULL && MP_STATE_VM(last_pool) != NULL) {
        gc_collect_root((void **)dl_pool->qstrs, dl_pool->len);
    }
}

MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_dl_last_error);
