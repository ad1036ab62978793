// Building a freeze image (mprt_freeze_build.c): streamed into flash a sector at a time, or sized only
// (a dry run that raises what the real build would raise, before anything is written).
#ifndef MPRT_INCLUDED_FREEZE_BUILD_H
#define MPRT_INCLUDED_FREEZE_BUILD_H

#include "py/bc.h"
#include "mprt_freeze_image.h"

typedef struct _fz_t {
    uint8_t *win;           // the sector being filled (FZ_SECTOR bytes), NULL in a dry run
    size_t win_off;         // image offset of win[0]
    size_t len;             // bytes of the image so far, header page included
    uint32_t base;          // flash address the image is built for (its half)
    size_t static_total;
    size_t flash_bytes;
    mp_obj_t qmap;          // dict: qstr now -> qstr number in the image's pool
    mp_obj_t qlist;         // list: the image pool's strings (as qstrs now), in number order
} fz_t;

// write: false for a dry run (nothing is erased or programmed).
void fz_init(fz_t *f, uint32_t base, bool write);
qstr fz_qstr(fz_t *f, qstr q);
void fz_add_module(fz_t *f, const char *path, const mp_compiled_module_t *cm, fz_module_t *entry);
// Appends the module table and the qstr pool; writing, programs the last sector. Fills `page`
// (FZ_HEADER_SPAN bytes) with the header page, for fz_commit. Returns the image size.
size_t fz_finish(fz_t *f, const fz_module_t *mods, size_t n_modules, uint32_t seq, uint8_t *page);
// Releases the sector buffer (also after an exception: safe to call twice).
void fz_deinit(fz_t *f);
// Programs the header page (`page`, FZ_HEADER_SPAN bytes, the header first) of an image whose body
// (bytes FZ_HEADER_SPAN..size) is in the flash of `half` already, its CRC set from that flash copy.
void fz_commit(int half, uint8_t *page);
// Erases one sector of the region and programs `n` bytes (whole pages) at its start, skipping the
// header page (programmed last by fz_commit), then checks them.
void fz_program_sector(uint32_t addr, const uint8_t *data, size_t n);

#endif
