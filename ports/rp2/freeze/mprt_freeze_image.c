// The freeze region at boot: which half holds the current image, whether it was made for this
// firmware, linking its qstr pool after the firmware's static pools, finding its modules for import,
// and the flash operations freeze writes through (docs/freeze.md).
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/objint.h"
#include "py/builtin.h"
#include "py/frozenmod.h"
#include "py/emitglue.h"
#include "py/mpthread.h"
#include "hardware/flash.h"
#include "hardware/sync.h"
#include "pico/multicore.h"
#include "rp2_flash.h"
#include "dynlink.h"
#include "dynlink/mprt_exports.h"
#include "dynlink/mprt_dynlink.h"
#include "mprt_freeze.h"
#include "mprt_freeze_image.h"
#include "mprt_freeze_snap.h"
#include "py/objfun.h"
#include "py/objtype.h"

// Per power-up selection (fz_sel_done) and the image linked at this session's mp_init().
static bool fz_sel_done;
static const fz_header_t *fz_sel;
static int fz_sel_half = -1;
static fz_status_t fz_sel_status;
static const fz_header_t *fz_link;
static int fz_link_half = -1;

uint32_t fz_half_addr(int half) {
    return XIP_BASE + MPRT_FLASH_FREEZE_OFFSET + (uint32_t)half * FZ_HALF_SIZE;
}

size_t fz_static_total(void) {
    return MICROPY_QSTR_EXTRA_POOL.total_prev_len + MICROPY_QSTR_EXTRA_POOL.len;
}

// The firmware addresses an image's objects and pool point to: a firmware with other addresses
// (even one with the same ABI identity) cannot use the image.
uint32_t fz_firmware_key(void) {
    const uintptr_t words[] = {
        (uintptr_t)&MICROPY_QSTR_EXTRA_POOL, fz_static_total(), (uintptr_t)&mp_type_str, (uintptr_t)&mp_type_bytes,
        (uintptr_t)&mp_type_tuple, (uintptr_t)&mp_type_int, (uintptr_t)&mp_type_float, (uintptr_t)mp_const_none,
        sizeof(mp_raw_code_t), sizeof(qstr_pool_t),
        // snapshots (mprt_freeze_snap.c): the types of the objects copied and the code their slots point
        // to (a class's slots are objtype.c's functions: its public ones stand for the file)
        (uintptr_t)&mp_type_module, (uintptr_t)&mp_type_dict, (uintptr_t)&mp_type_fun_bc, (uintptr_t)&mp_type_gen_wrap,
        (uintptr_t)&mp_type_type, (uintptr_t)&mp_type_staticmethod, (uintptr_t)&mp_type_classmethod,
        (uintptr_t)&mprt_type_frozendict, (uintptr_t)&mp_type_property, (uintptr_t)mp_obj_new_closure, (uintptr_t)mp_obj_new_cell, (uintptr_t)mp_obj_instance_call,
        (uintptr_t)mp_obj_instance_getiter, (uintptr_t)mp_obj_new_type,
        (uintptr_t)mp_const_true, (uintptr_t)mp_const_false,
        sizeof(mp_obj_fun_bc_t), sizeof(mp_module_context_t), sizeof(mp_obj_dict_t), sizeof(mp_map_elem_t),
        sizeof(mp_obj_full_type_t), sizeof(fz_module_t), (uintptr_t)mprt_freeze_globals_lookup, (uintptr_t)&mprt_type_freeze_modref, sizeof(fz_modref_t),
        // templates (mprt_freeze_template.c): the types copies are made of
        (uintptr_t)&mprt_type_freeze_template, sizeof(fz_template_t), sizeof(mp_map_t), (uintptr_t)&mp_type_list,
        (uintptr_t)mp_obj_exception_make_new, (uintptr_t)mprt_freeze_class_lookup,
    };
    return dl_crc32(0, (const uint8_t *)words, sizeof(words));
}

// A complete image (header and CRC), whatever firmware made it.
static bool fz_whole(const fz_header_t *h) {
    if (h->magic != FZ_MAGIC || h->version != FZ_VERSION || h->size < sizeof(fz_header_t) || h->size > FZ_HALF_SIZE) {
        return false;
    }
    return dl_crc32(0, (const uint8_t *)h + 8, h->size - 8) == h->crc;
}

bool fz_made_here(const fz_header_t *h) {
    return memcmp(h->abi, mprt_abi_id, sizeof(h->abi)) == 0 && h->fw_key == fz_firmware_key()
           && h->static_total == fz_static_total();
}

const fz_header_t *fz_current(int *half) {
    const fz_header_t *best = NULL;
    for (int i = 0; i < FZ_N_HALVES; ++i) {
        const fz_header_t *h = (const fz_header_t *)(uintptr_t)fz_half_addr(i);
        if (fz_whole(h) && (best == NULL || h->seq > best->seq)) {
            best = h;
            *half = i;
        }
    }
    return best;
}

static void fz_select(void) {
    if (fz_sel_done) {
        return;
    }
    fz_sel_done = true;
    int half = -1;
    const fz_header_t *h = MPRT_FLASH_FREEZE_SIZE ? fz_current(&half) : NULL;
    fz_sel = NULL;
    fz_sel_half = -1;
    fz_sel_status = FZ_NONE;
    if (h != NULL) {
        fz_sel_status = fz_made_here(h) ? FZ_OK : FZ_FOREIGN;
        if (fz_sel_status == FZ_OK) {
            fz_sel = h;
            fz_sel_half = half;
        }
    }
}

void fz_forget(void) {
    fz_sel_done = false;
}

size_t mprt_freeze_first_dynamic(void) {
    const fz_header_t *h = fz_link;
    if (h == NULL && !fz_sel_done) {
        fz_select();
        h = fz_sel;
    }
    if (h == NULL) {
        return fz_static_total();
    }
    const qstr_pool_t *p = (const qstr_pool_t *)(uintptr_t)h->pool;
    return p->total_prev_len + p->len;
}

void mprt_freeze_init(void) {
    fz_snap_reset();
    fz_link = NULL;
    fz_link_half = -1;
    fz_select();
    if (fz_sel == NULL || MP_STATE_VM(last_pool) != &MICROPY_QSTR_EXTRA_POOL) {
        return;
    }
    fz_link = fz_sel;
    fz_link_half = fz_sel_half;
    MP_STATE_VM(last_pool) = (qstr_pool_t *)(uintptr_t)fz_link->pool;
    // first on sys.path
    mp_obj_list_append(mp_sys_path, MP_OBJ_NULL);
    size_t len;
    mp_obj_t *items;
    mp_obj_list_get(mp_sys_path, &len, &items);
    memmove(items + 1, items, (len - 1) * sizeof(mp_obj_t));
    items[0] = mp_obj_new_str(MPRT_FREEZE_PATH, strlen(MPRT_FREEZE_PATH));
}

void mprt_freeze_boot_report(void) {
    if (fz_sel_status == FZ_FOREIGN) {
        mp_printf(&mp_plat_print, "freeze: the frozen modules in flash were made for another firmware and are not used; "
            "freeze them again (freeze.import_modules or mprt freeze)\n");
    }
}

const fz_header_t *fz_linked(void) {
    return fz_link;
}

bool fz_in_image(const void *p) {
    return fz_link != NULL && (uintptr_t)p >= (uintptr_t)fz_link && (uintptr_t)p < (uintptr_t)fz_link + fz_link->size;
}

int fz_linked_half(void) {
    return fz_link_half;
}

fz_status_t fz_boot_status(void) {
    return fz_sel_status;
}

void fz_unlink_pool(void) {
    if (fz_link == NULL) {
        return;
    }
    const qstr_pool_t *mine = (const qstr_pool_t *)(uintptr_t)fz_link->pool;
    if (MP_STATE_VM(last_pool) == mine) {
        MP_STATE_VM(last_pool) = (qstr_pool_t *)mine->prev;
    } else {
        for (qstr_pool_t *p = MP_STATE_VM(last_pool); p != NULL; p = (qstr_pool_t *)p->prev) {
            if (p->prev == mine) {
                p->prev = mine->prev;
                break;
            }
        }
    }
    fz_link = NULL;
}

int mprt_freeze_find(const char *str, int *frozen_type, void **data) {
    size_t plen = strlen(MPRT_FREEZE_FIND_PREFIX);
    if (strncmp(str, MPRT_FREEZE_FIND_PREFIX, plen) != 0) {
        return -1;
    }
    if (frozen_type != NULL) {
        *frozen_type = MP_FROZEN_NONE;
    }
    mp_import_stat_t stat = MP_IMPORT_STAT_NO_EXIST;
    const fz_header_t *h = fz_link;
    if (h == NULL) {
        return stat;
    }
    str += plen;
    size_t len = strlen(str);
    const fz_module_t *m = (const fz_module_t *)(uintptr_t)h->modules;
    for (uint32_t i = 0; i < h->n_modules; ++i) {
        const char *name = (const char *)(uintptr_t)m[i].path;
        if (strncmp(name, str, len) != 0) {
            continue;
        }
        if (name[len] == '\0') {
            if (frozen_type != NULL) {
                *frozen_type = MP_FROZEN_MPY;
                *data = (void *)(uintptr_t)m[i].frozen;
            }
            return MP_IMPORT_STAT_FILE;
        }
        if (name[len] == '/') {
            stat = MP_IMPORT_STAT_DIR;
        }
    }
    return stat;
}

void mprt_freeze_loaded(void *module_ptr, const char *path) {
    mp_obj_t module = MP_OBJ_FROM_PTR(module_ptr);
    if (strncmp(path, MPRT_FREEZE_FIND_PREFIX, strlen(MPRT_FREEZE_FIND_PREFIX)) != 0) {
        return;
    }
    // from the globals (a module __getattr__ must not answer for it)
    mp_map_elem_t *e = mp_map_lookup(&mp_obj_module_get_globals(module)->map, MP_OBJ_NEW_QSTR(MP_QSTR___thaw__), MP_MAP_LOOKUP);
    if (e != NULL) {
        mp_call_function_1(e->value, module);
    }
}

// ---- flash ----

static bool fz_in_region(uint32_t addr, uint32_t len) {
    uint32_t start = XIP_BASE + MPRT_FLASH_FREEZE_OFFSET;
    return addr >= start && len <= MPRT_FLASH_FREEZE_SIZE && addr - start <= MPRT_FLASH_FREEZE_SIZE - len;
}

#if MPRT_RTOS
// flash_range_erase/program are wrapped by the kernel (rtos_main.c): the other core is parked and
// interrupts are off while each call runs; the other threads run between calls.
static void fz_flash_op(uint32_t addr, const uint8_t *src, uint32_t len) {
    if (src == NULL) {
        flash_range_erase(addr - XIP_BASE, len);
    } else {
        flash_range_program(addr - XIP_BASE, src, len);
    }
}
#else
static void fz_flash_op(uint32_t addr, const uint8_t *src, uint32_t len) {
    mprt_flash_op_exclusive(addr, src, len); // dynlink/mprt_dl_region.c
}
#endif

int fz_flash_erase(uint32_t addr, uint32_t len) {
    if (!fz_in_region(addr, len) || addr % FZ_SECTOR || len % FZ_SECTOR) {
        return -1;
    }
    fz_flash_op(addr, NULL, len);
    return 0;
}

int fz_flash_program(uint32_t addr, const uint8_t *src, uint32_t len) {
    if (!fz_in_region(addr, len) || addr % FZ_PAGE || len % FZ_PAGE) {
        return -1;
    }
    fz_flash_op(addr, src, len);
    return 0;
}
