// The freeze image: its header, where it lives in the region, and how it is chosen at boot
// (docs/freeze.md "The image").
#ifndef MPRT_INCLUDED_FREEZE_IMAGE_H
#define MPRT_INCLUDED_FREEZE_IMAGE_H

#include <stdint.h>
#include "py/obj.h"
#include "py/qstr.h"
#include "mprt_config.h"

#define FZ_MAGIC (0x5a46504du) // "MPFZ"
#define FZ_VERSION (1)
#define FZ_SECTOR (4096)
#define FZ_PAGE (256)
// The header has the first flash page to itself: it is programmed last, in one call (the commit).
#define FZ_HEADER_SPAN FZ_PAGE
#define FZ_HALF_SIZE (MPRT_FLASH_FREEZE_SIZE / 2)
#define FZ_N_HALVES (2)

typedef struct _fz_header_t {
    uint32_t magic;
    uint32_t crc;           // dl_crc32 of bytes [8, size) of the image
    uint32_t version;
    uint32_t seq;           // the valid half with the larger seq is the current image
    uint32_t size;          // bytes, header included
    uint8_t abi[16];        // the firmware's ABI identity (mprt_abi_id)
    uint32_t fw_key;        // the firmware objects the image points to (fz_firmware_key())
    uint32_t static_total;  // qstr numbers below this are the firmware's
    uint32_t pool;          // address of the image's qstr_pool_t
    uint32_t n_modules;
    uint32_t modules;       // address of fz_module_t[n_modules]
    uint32_t flash_bytes;   // bytes of module data (header and pool excluded)
} fz_header_t;

typedef struct _fz_module_t {
    uint32_t path;          // "pkg/__init__.py" or "name.py", NUL-terminated
    uint32_t frozen;        // mp_frozen_module_t
    uint32_t size;          // flash bytes of this module (its code, constants, path, snapshot)
    uint32_t module;        // its snapshot: an mp_module_context_t (the module object), or 0 (its code runs)
    uint32_t name;          // its full name (qstr, numbered as in the image), when snapshotted
} fz_module_t;

typedef enum {
    FZ_NONE,      // no image (blank or wiped region)
    FZ_OK,        // an image for this firmware
    FZ_FOREIGN,   // an image for another firmware: not used
} fz_status_t;

uint32_t fz_half_addr(int half);
uint32_t fz_firmware_key(void);
size_t fz_static_total(void);
extern const qstr_pool_t MICROPY_QSTR_EXTRA_POOL;
// The current image on flash (highest valid seq), or NULL; *half set when found.
const fz_header_t *fz_current(int *half);
// The image linked at this session's mp_init() (NULL: none).
const fz_header_t *fz_linked(void);
// Whether p points into the image linked this session.
bool fz_in_image(const void *p);
int fz_linked_half(void);
fz_status_t fz_boot_status(void);
// The image was made for this firmware (ABI identity, firmware key, static qstr count).
bool fz_made_here(const fz_header_t *h);
// Wipes the image cache: after a write, the next mp_init() selects again.
void fz_forget(void);
// Flash operations on the freeze region (kernel's exclusive flash path); -1 outside it.
int fz_flash_erase(uint32_t addr, uint32_t len);
int fz_flash_program(uint32_t addr, const uint8_t *src, uint32_t len);
// Removes the linked pool from the qstr chain (before its flash is erased).
void fz_unlink_pool(void);

#endif
