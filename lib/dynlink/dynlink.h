// The on-device module linker: validates a module file from untrusted bytes, resolves its imports
// and qstrs through callbacks, and emits the installed image (code + relocated data initialiser +
// tables) that the firmware programs into the module flash region. It allocates nothing and does no
// I/O: the same files build for the host tests and for the firmware. See docs/modules.md.
#ifndef MPRT_DYNLINK_H
#define MPRT_DYNLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dl_format.h"

typedef enum _dl_errcode_t {
    DL_OK = 0,
    DL_E_MAGIC,         // not a module file
    DL_E_VERSION,       // unknown format version or flags
    DL_E_CLASS,         // not 32-bit
    DL_E_ENDIAN,        // not little-endian
    DL_E_MACHINE,       // not ARM, or not ARMv6-M Thumb
    DL_E_TRUNCATED,     // file shorter than it says
    DL_E_CORRUPT,       // CRC mismatch
    DL_E_ABI,           // built for another firmware ABI
    DL_E_BOUNDS,        // a region or table lies outside the file or is too large
    DL_E_OVERLAP,       // two regions of the file overlap
    DL_E_ALIGN,         // bad alignment value
    DL_E_STRTAB,        // bad string table or string reference
    DL_E_NAME,          // bad module name
    DL_E_REF,           // entry, export or constructor points outside its segment
    DL_E_DUPLICATE,     // export defined twice
    DL_E_RELOC_TYPE,    // unsupported relocation type
    DL_E_RELOC,         // relocation site, target or instruction invalid
    DL_E_SYMBOL,        // import missing from the firmware and earlier modules
    DL_E_QSTR,          // a qstr could not be interned
    DL_E_RANGE,         // a resolved value cannot be encoded at its site
    DL_E_ARG,           // bad argument from the caller (address alignment, window)
} dl_errcode_t;

typedef struct _dl_error_t {
    dl_errcode_t code;
    char msg[112];
} dl_error_t;

// A validated module; points into the caller's buffer, which must outlive it.
typedef struct _dl_module_t {
    const uint8_t *buf;
    uint32_t len;
    const uint8_t *content_hash;
    const uint8_t *abi;
    const char *name;
    uint32_t init;
    uint32_t text_off, text_size, text_align;
    uint32_t data_off, data_size, data_align;
    uint32_t bss_size;
    uint32_t strtab_off, strtab_size;
    uint32_t imports_off, n_imports;
    uint32_t exports_off, n_exports;
    uint32_t ctors_off, n_ctors;
    uint32_t qstrs_off, n_qstrs;
    uint32_t relocs_off, n_relocs;
    uint32_t n_calls;   // DL_R_THM_CALL relocations (each may need a veneer)
} dl_module_t;

// Resolves names for the linker. `symbol`: the firmware export table, then earlier modules; a
// function's value has bit 0 set (Thumb). `qstr`: interns the string and gives its number
// (obj == false) or its object form (obj == true). Both return false if they cannot.
typedef struct _dl_symbol_resolver_t {
    bool (*symbol)(void *ctx, const char *name, uint32_t *value);
    bool(*qstr)(void *ctx, const char *str, size_t len, bool obj, uint32_t *value);
    void *ctx;
} dl_symbol_resolver_t;

// How the firmware programs flash (implemented by the port: other core parked, IRQs off, code in
// RAM). Addresses are XIP addresses; erase works on whole sectors, program on whole pages.
typedef struct _dl_flash_ops_t {
    int (*erase)(void *ctx, uint32_t addr, uint32_t len);
    int (*program)(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len);
    void *ctx;
    uint32_t sector_size;
    uint32_t page_size;
} dl_flash_ops_t;

// The installed image, as it lies in flash: this header, text (+ veneers), the relocated data
// initialiser, constructor addresses, export table, qstr table and strings. Addresses are absolute.
#define DL_IMAGE_MAGIC (0x4d494c44u) // "DLIM"
typedef struct _dl_image_t {
    uint32_t magic;
    uint32_t size;              // bytes of the whole image
    uint32_t crc32;             // of the image bytes after this field
    uint8_t content_hash[DL_HASH_LEN];
    uint8_t abi[DL_HASH_LEN];
    uint32_t link_id;           // the firmware's link identity at install (given by the caller)
    uint32_t name;              // address of the NUL-terminated name
    uint32_t text, text_size;   // text_size includes veneers
    uint32_t data_init, ram, ram_align, data_size, bss_size;
    uint32_t init;              // address of the init entry (Thumb), 0 if none
    uint32_t ctors, n_ctors;    // u32 addresses
    uint32_t exports, n_exports;// { u32 name address, u32 value }
    uint32_t qstrs, n_qstrs;    // { u32 string address, u32 qstr number assumed at link }
    uint32_t strings, strings_size;
} dl_image_t;

#define DL_VENEER_SIZE (12)

// What dl_link_begin() computes: where everything goes. Offsets are from the image start.
typedef struct _dl_link_t {
    const dl_module_t *m;
    const uint32_t *values;     // from dl_resolve()
    uint32_t flash_base, ram_base, link_id;
    uint32_t text_off;          // text, then veneers
    uint32_t veneers_off, n_veneers;
    uint32_t data_init_off, ctors_off, exports_off, qstrs_off, strings_off;
    uint32_t size;
    uint32_t crc32;
} dl_link_t;

// Validates `len` bytes at `buf`. `abi` (DL_HASH_LEN bytes) is required of the module unless NULL.
// Never reads outside [buf, buf + len).
dl_errcode_t dl_parse(dl_module_t *m, const uint8_t *buf, size_t len, const uint8_t *abi, dl_error_t *err);

// Words of scratch dl_resolve() needs: resolved values and veneer assignments.
size_t dl_scratch_words(const dl_module_t *m);

// Resolves every import and qstr into `scratch` (dl_scratch_words() words). Reports the first
// missing symbol; `missing` (may be NULL) is called for every one, so the caller can list them.
dl_errcode_t dl_resolve(const dl_module_t *m, const dl_symbol_resolver_t *r, uint32_t *scratch,
    void (*missing)(void *ctx, const char *name), void *missing_ctx, dl_error_t *err);

// Lays out the image for `flash_base` (4-byte aligned) and data+bss at `ram_base` (aligned to
// m->data_align); decides veneers. After it, l->size is the flash needed.
dl_errcode_t dl_link_begin(dl_link_t *l, const dl_module_t *m, uint32_t *scratch,
    uint32_t flash_base, uint32_t ram_base, uint32_t link_id, dl_error_t *err);

// Writes image bytes [off, off + n) into `out`; any window, in any order (e.g. one flash page).
dl_errcode_t dl_link_emit(const dl_link_t *l, uint32_t off, uint8_t *out, uint32_t n, dl_error_t *err);

// Erases the sectors the image needs at l->flash_base (sector-aligned) and programs it through
// `page` (ops->page_size bytes of RAM): the whole install, without the image ever in RAM at once.
dl_errcode_t dl_install(const dl_link_t *l, const dl_flash_ops_t *ops, uint8_t *page, dl_error_t *err);

// RAM the module needs for data+bss.
static inline uint32_t dl_ram_size(const dl_module_t *m) {
    return m->data_size + m->bss_size;
}

// Helpers for an installed image (in flash, or a copy): check it, start it, find its exports.
// `img` holds `len` bytes of flash starting at XIP address `addr`.
dl_errcode_t dl_image_check(const uint8_t *img, size_t len, uint32_t addr, dl_error_t *err);
bool dl_image_export(const uint8_t *img, uint32_t addr, const char *name, uint32_t *value);

// Thumb-2 BL encoding (exposed for tests).
uint32_t dl_thumb_bl_decode(uint16_t hi, uint16_t lo);
bool dl_thumb_bl_encode(int32_t imm, uint16_t *hi, uint16_t *lo);
bool dl_thumb_is_bl(uint16_t hi, uint16_t lo);
void dl_thumb_veneer(uint8_t out[DL_VENEER_SIZE], uint32_t target);

uint32_t dl_crc32(uint32_t crc, const uint8_t *p, size_t n);
const char *dl_errname(dl_errcode_t code);

#endif // MPRT_DYNLINK_H
