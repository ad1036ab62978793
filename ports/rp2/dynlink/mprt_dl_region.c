// The module flash region and the RAM reserved for installed modules: which images are installed
// (a walk at power-up, then kept in bitmaps), their state, first-fit allocation of flash sectors and
// of module RAM, and the RP2040 flash operations the linker programs through.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "py/mpthread.h"
#include "hardware/flash.h"
#include "hardware/sync.h"
#include "pico/multicore.h"
#include "rp2_flash.h"
#include "mprt_config.h"
#include "mprt_dynlink.h"
#include "mprt_exports.h"

// RAM the GC heap keeps, whatever is installed.
#define DL_GC_MIN (32 * 1024)

#define N_SECTORS (MPRT_FLASH_MODULES_SIZE / MPRT_DL_SECTOR)
#define N_WORDS ((N_SECTORS + 31) / 32 + 1)

// Per start sector of an image: present (passed dl_image_check) and the mprt_dl_img_state_t bits.
static uint32_t dl_present[N_WORDS], dl_valid[N_WORDS], dl_pending[N_WORDS], dl_loaded[N_WORDS];
static uint32_t dl_link_id_value;
static uintptr_t dl_ram_start, dl_ram_now_end, dl_ram_top, dl_ram_cap;

static inline bool bit_get(const uint32_t *b, size_t i) {
    return (b[i / 32] >> (i % 32)) & 1;
}

static inline void bit_put(uint32_t *b, size_t i, bool v) {
    if (v) {
        b[i / 32] |= 1u << (i % 32);
    } else {
        b[i / 32] &= ~(1u << (i % 32));
    }
}

uint32_t mprt_dl_region_start(void) {
    return XIP_BASE + MPRT_FLASH_MODULES_OFFSET;
}

uint32_t mprt_dl_region_size(void) {
    return N_SECTORS * MPRT_DL_SECTOR;
}

static size_t sector_of(const dl_image_t *img) {
    return ((uint32_t)(uintptr_t)img - mprt_dl_region_start()) / MPRT_DL_SECTOR;
}

static size_t span_of(const dl_image_t *img) {
    return (img->size + MPRT_DL_SECTOR - 1) / MPRT_DL_SECTOR;
}

bool mprt_dl_next(mprt_dl_iter_t *it) {
    size_t s = it->sector;
    if (it->img != NULL) {
        s += span_of(it->img);
    }
    for (; s < N_SECTORS; ++s) {
        if (bit_get(dl_present, s)) {
            it->sector = s;
            it->img = (const dl_image_t *)(uintptr_t)(mprt_dl_region_start() + s * MPRT_DL_SECTOR);
            return true;
        }
    }
    it->sector = N_SECTORS;
    it->img = NULL;
    return false;
}

// The bitmap of each mprt_dl_img_state_t bit, in bit order (VALID, PENDING, LOADED).
static uint32_t *const dl_state_bits[] = { dl_valid, dl_pending, dl_loaded };

unsigned mprt_dl_state(const dl_image_t *img) {
    size_t s = sector_of(img);
    unsigned st = 0;
    for (size_t i = 0; i < MP_ARRAY_SIZE(dl_state_bits); ++i) {
        st |= bit_get(dl_state_bits[i], s) ? 1u << i : 0;
    }
    return st;
}

static void set_state_at(size_t s, unsigned set, unsigned clear) {
    for (size_t i = 0; i < MP_ARRAY_SIZE(dl_state_bits); ++i) {
        if ((set | clear) & (1u << i)) {
            bit_put(dl_state_bits[i], s, (set >> i) & 1);
        }
    }
}

void mprt_dl_set_state(const dl_image_t *img, unsigned set, unsigned clear) {
    set_state_at(sector_of(img), set, clear);
}

const dl_image_t *mprt_dl_find(const char *name) {
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (strcmp((const char *)(uintptr_t)it.img->name, name) == 0) {
            return it.img;
        }
    }
    return NULL;
}

uint32_t mprt_dl_link_id(void) {
    return dl_link_id_value;
}

// The identity an image is linked against: the ABI, every export's name and address, and where
// module RAM starts. Anything else that moves (qstr numbers) is checked per image at boot.
static uint32_t compute_link_id(uintptr_t ram_start) {
    uint32_t crc = dl_crc32(0, mprt_abi_id, DL_HASH_LEN);
    uint32_t base = (uint32_t)ram_start;
    crc = dl_crc32(crc, (const uint8_t *)&base, 4);
    for (size_t i = 0; i < mprt_exports_count; ++i) {
        const char *name = mprt_exports[i].name;
        uint32_t addr = (uint32_t)(uintptr_t)mprt_exports[i].addr;
        crc = dl_crc32(crc, (const uint8_t *)name, strlen(name) + 1);
        crc = dl_crc32(crc, (const uint8_t *)&addr, 4);
    }
    return crc;
}

static uintptr_t ram_end_of(const dl_image_t *img) {
    return img->ram + img->data_size + img->bss_size;
}

size_t mprt_dl_qstr_pool_bytes(void);
void mprt_dl_qstr_reserve(void *at, bool boot);

size_t mprt_dl_reserve_ram(uintptr_t ram_start, uintptr_t ram_end) {
    dl_ram_start = ram_start;
    dl_ram_cap = ram_end > ram_start + DL_GC_MIN ? ram_end - DL_GC_MIN : ram_start;
    dl_link_id_value = compute_link_id(ram_start);
    memset(dl_present, 0, sizeof(dl_present));
    memset(dl_valid, 0, sizeof(dl_valid));
    memset(dl_pending, 0, sizeof(dl_pending));
    memset(dl_loaded, 0, sizeof(dl_loaded));

    uintptr_t hi = ram_start;
    uint32_t base = mprt_dl_region_start(), end = base + mprt_dl_region_size();
    for (size_t s = 0; s < N_SECTORS;) {
        uint32_t addr = base + s * MPRT_DL_SECTOR;
        const dl_image_t *img = (const dl_image_t *)(uintptr_t)addr;
        if (img->magic != DL_IMAGE_MAGIC || dl_image_check((const uint8_t *)img, end - addr, addr, NULL) != DL_OK) {
            ++s;
            continue;
        }
        bit_put(dl_present, s, true);
        if (img->link_id == dl_link_id_value && img->ram >= ram_start && ram_end_of(img) <= dl_ram_cap) {
            bit_put(dl_valid, s, true);
            if (ram_end_of(img) > hi) {
                hi = ram_end_of(img);
            }
        }
        s += span_of(img);
    }
    // [ram_start, hi) installed modules, then the slack for modules installed before the next
    // reset, then the qstr pool (see mprt_dl_qstr.c).
    uintptr_t now_end = ((hi + 15) & ~(uintptr_t)15) + MPRT_MODULES_RAM_SLACK;
    if (now_end > dl_ram_cap) {
        now_end = hi > dl_ram_cap ? hi : dl_ram_cap;
    }
    dl_ram_now_end = now_end;
    uintptr_t pool = (now_end + 3) & ~(uintptr_t)3;
    size_t pool_bytes = mprt_dl_qstr_pool_bytes();
    if (pool + pool_bytes > dl_ram_cap) {
        pool_bytes = 0;
    }
    mprt_dl_qstr_reserve(pool_bytes != 0 ? (void *)pool : NULL, true);
    dl_ram_top = (pool + pool_bytes + 15) & ~(uintptr_t)15;
    return dl_ram_top - ram_start;
}

// ---- flash ----

bool mprt_dl_flash_alloc(uint32_t size, uint32_t *addr) {
    size_t need = (size + MPRT_DL_SECTOR - 1) / MPRT_DL_SECTOR;
    size_t run = 0;
    for (size_t s = 0; s < N_SECTORS;) {
        if (bit_get(dl_present, s)) {
            const dl_image_t *img = (const dl_image_t *)(uintptr_t)(mprt_dl_region_start() + s * MPRT_DL_SECTOR);
            s += span_of(img);
            run = 0;
            continue;
        }
        ++s;
        if (++run == need) {
            *addr = mprt_dl_region_start() + (s - need) * MPRT_DL_SECTOR;
            return true;
        }
    }
    return false;
}

void mprt_dl_installed(uint32_t addr) {
    size_t s = (addr - mprt_dl_region_start()) / MPRT_DL_SECTOR;
    bit_put(dl_present, s, true);
    set_state_at(s, MPRT_DL_IMG_VALID, MPRT_DL_IMG_PENDING | MPRT_DL_IMG_LOADED);
}

void mprt_dl_remove_image(const dl_image_t *img) {
    size_t s = sector_of(img);
    // Erasing the first sector removes the header: the walk no longer sees an image there.
    mprt_dl_flash_ops()->erase(NULL, (uint32_t)(uintptr_t)img, MPRT_DL_SECTOR);
    bit_put(dl_present, s, false);
    set_state_at(s, 0, MPRT_DL_IMG_VALID | MPRT_DL_IMG_PENDING | MPRT_DL_IMG_LOADED);
}

static bool in_region(uint32_t addr, uint32_t len) {
    return addr >= mprt_dl_region_start() && len <= mprt_dl_region_size()
           && addr - mprt_dl_region_start() <= mprt_dl_region_size() - len;
}

#if MPRT_RTOS
// The firmware links flash_range_erase/program wrapped (rtos_main.c): the other core is parked and
// interrupts are off while they run.
static int flash_erase(void *ctx, uint32_t addr, uint32_t len) {
    (void)ctx;
    if (!in_region(addr, len)) {
        return -1;
    }
    flash_range_erase(addr - XIP_BASE, len);
    return 0;
}

static int flash_program(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len) {
    (void)ctx;
    if (!in_region(addr, len)) {
        return -1;
    }
    flash_range_program(addr - XIP_BASE, src, len);
    return 0;
}
#else
// As the upstream flash driver does: park core 1 (when a thread runs there), interrupts off, then
// restore the flash clock divisor the ROM routines reset.
static bool other_core_running(void) {
    #if MICROPY_PY_THREAD
    return multicore_lockout_victim_is_initialized(1 - get_core_num()) && core1_entry != NULL;
    #else
    return false;
    #endif
}

// One erase (src NULL) or program of flash at XIP address addr, the other core parked: also the freeze
// region's writer without a kernel (ports/rp2/freeze/mprt_freeze_image.c).
void mprt_flash_op_exclusive(uint32_t addr, const uint8_t *src, uint32_t len) {
    bool lockout = other_core_running();
    if (lockout) {
        multicore_lockout_start_blocking();
    }
    uint32_t state = save_and_disable_interrupts();
    if (src == NULL) {
        flash_range_erase(addr - XIP_BASE, len);
    } else {
        flash_range_program(addr - XIP_BASE, src, len);
    }
    restore_interrupts(state);
    if (lockout) {
        multicore_lockout_end_blocking();
    }
    rp2_flash_set_timing();
}

static int flash_op(uint32_t addr, const uint8_t *src, uint32_t len) {
    if (!in_region(addr, len)) {
        return -1;
    }
    mprt_flash_op_exclusive(addr, src, len);
    return 0;
}

static int flash_erase(void *ctx, uint32_t addr, uint32_t len) {
    (void)ctx;
    return flash_op(addr, NULL, len);
}

static int flash_program(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len) {
    (void)ctx;
    return flash_op(addr, src, len);
}
#endif

static const dl_flash_ops_t dl_flash_ops = {
    .erase = flash_erase,
    .program = flash_program,
    .ctx = NULL,
    .sector_size = MPRT_DL_SECTOR,
    .page_size = MPRT_DL_PAGE,
};

const dl_flash_ops_t *mprt_dl_flash_ops(void) {
    return &dl_flash_ops;
}

// ---- RAM ----

size_t mprt_dl_qstr_pool_span(uintptr_t *start);

// [a, a + size) overlaps neither a valid image's data+bss nor the qstr pool.
static bool ram_free(uintptr_t a, uint32_t size) {
    uintptr_t pool;
    size_t pool_size = mprt_dl_qstr_pool_span(&pool);
    if (pool_size != 0 && a < pool + pool_size && pool < a + size) {
        return false;
    }
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if ((mprt_dl_state(it.img) & MPRT_DL_IMG_VALID) && a < ram_end_of(it.img) && it.img->ram < a + size) {
            return false;
        }
    }
    return true;
}

// One candidate of the first fit: the lowest fitting address so far.
static void ram_try(uintptr_t cand, uint32_t size, uint32_t align, uintptr_t limit, uintptr_t *best) {
    uintptr_t a = (cand + align - 1) & ~(uintptr_t)(align - 1);
    if (a < *best && a + size <= limit && ram_free(a, size)) {
        *best = a;
    }
}

// First fit below `limit`: candidates are the start of module RAM, the end of the qstr pool and the
// end of every valid image.
static bool ram_first_fit(uint32_t size, uint32_t align, uintptr_t limit, uint32_t *addr) {
    uintptr_t best = UINTPTR_MAX;
    ram_try(dl_ram_start, size, align, limit, &best);
    uintptr_t pool;
    size_t pool_size = mprt_dl_qstr_pool_span(&pool);
    if (pool_size != 0) {
        ram_try(pool + pool_size, size, align, limit, &best);
    }
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (mprt_dl_state(it.img) & MPRT_DL_IMG_VALID) {
            ram_try(ram_end_of(it.img), size, align, limit, &best);
        }
    }
    if (best == UINTPTR_MAX) {
        return false;
    }
    *addr = (uint32_t)best;
    return true;
}

bool mprt_dl_ram_alloc(uint32_t size, uint32_t align, uint32_t *addr, bool *now) {
    if (ram_first_fit(size, align, dl_ram_now_end, addr)) {
        *now = true;
        return true;
    }
    *now = false;
    return ram_first_fit(size, align, dl_ram_cap, addr);
}

bool mprt_dl_ram_find(uint32_t size, uint32_t align, uint32_t *addr) {
    return ram_first_fit(size, align, dl_ram_top, addr);
}

// Whether an image's RAM lies inside what this boot reserved before the GC heap.
bool mprt_dl_ram_reserved(const dl_image_t *img) {
    return img->ram >= dl_ram_start && ram_end_of(img) <= dl_ram_now_end;
}

void mprt_dl_clear_loaded(void) {
    memset(dl_loaded, 0, sizeof(dl_loaded));
}

void mprt_dl_gc_collect(void) {
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (mprt_dl_state(it.img) & MPRT_DL_IMG_LOADED) {
            gc_collect_root((void **)(uintptr_t)it.img->ram, (it.img->data_size + it.img->bss_size) / sizeof(void *));
        }
    }
    void mprt_dl_qstr_gc_collect(void);
    mprt_dl_qstr_gc_collect();
}
