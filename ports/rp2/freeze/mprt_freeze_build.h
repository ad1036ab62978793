// Building a freeze image (mprt_freeze_build.c): streamed into flash a sector at a time, or sized only
// (a dry run that raises what the real build would raise, before anything is written).
#ifndef MPRT_INCLUDED_FREEZE_BUILD_H
#define MPRT_INCLUDED_FREEZE_BUILD_H

#include "py/bc.h"
#include "mprt_freeze_image.h"

// A raw code of the image, as the snapshots (mprt_freeze_snap.c) find it: recorded by fz_add_module
// from the RAM copy it is compiled from (the same addresses in a dry run and the write pass).
typedef struct _fz_rcinfo_t {
    uint32_t rc;            // flash mp_raw_code_t
    uint32_t fun_data;      // its bytecode in flash
    uint32_t children;      // its child table in flash, or 0
    uint32_t len;           // bytecode length
    uint32_t crc;           // CRC-32 of the bytecode
    uint16_t module;        // index of its module (order of fz_add_module)
    bool deref;             // it or a function nested in it stores into or deletes a closed-over variable
} fz_rcinfo_t;

// A module of the image, for the snapshots.
typedef struct _fz_modinfo_t {
    const char *path;       // its path in the image ("name.py"), the caller's string
    uint32_t qstr_table;    // its mp_module_constants_t in flash
    uint32_t obj_table;
    size_t rc_first;        // its raw codes: rcs[rc_first..], the top-level one last
    bool effect;            // its top-level code calls something for its effect (the result dropped)...
    qstr setup;             // ...other than this name without arguments (MP_QSTRnull: none), e.g. `new_event_loop()`
} fz_modinfo_t;

typedef struct _fz_t {
    uint8_t *win;           // the part of a sector being filled (win_cap bytes), NULL in a dry run
    size_t win_cap;         // FZ_SECTOR, or less after fz_resume in a fragmented heap
    size_t win_off;         // image offset of win[0]
    size_t win_end;         // image offset where the window ends (at most the end of its sector)
    size_t erased;          // image offset up to which the sectors are erased
    bool write;             // not a dry run
    size_t len;             // bytes of the image so far, header page included
    uint32_t base;          // flash address the image is built for (its half)
    size_t static_total;
    size_t flash_bytes;
    mp_obj_t qmap;          // dict: qstr now -> qstr number in the image's pool
    mp_obj_t qlist;         // list: the image pool's strings (as qstrs now), in number order
    fz_rcinfo_t *rcs;       // the raw codes added so far
    size_t n_rcs, cap_rcs;
    fz_modinfo_t *mods;     // the modules added so far
    size_t n_mods, cap_mods;
} fz_t;

// write: false for a dry run (nothing is erased or programmed).
void fz_init(fz_t *f, uint32_t base, bool write);
qstr fz_qstr(fz_t *f, qstr q);
// Appends `n` bytes (NULL: zeros) at the next multiple of `align`: their flash address. Nothing already
// appended changes afterwards (the image is written front to back).
uint32_t fz_put(fz_t *f, const void *data, size_t n, size_t align);
// A copy of data (NUL-terminated when nul): its flash address.
uint32_t fz_bytes(fz_t *f, const void *data, size_t n, size_t align, bool nul);
// Whether the bytecode (`len` bytes) calls something for its effect (FZ_SCAN_EFFECT) or stores into or
// deletes a closed-over variable (FZ_SCAN_DEREF), itself only (mprt_freeze_snap.c).
enum { FZ_SCAN_EFFECT, FZ_SCAN_DEREF };
bool fz_scan_code(const byte *code, size_t len, int what);
// Top-level code (mprt_freeze_snap.c): whether it calls something for its effect, other than one call of
// a name without arguments (`new_event_loop()` on a line of its own), whose name is set in *setup
// (MP_QSTRnull if none); the snapshot decides whether that call only set the module up.
bool fz_scan_effect(const byte *code, size_t len, const qstr_short_t *qstrs, qstr *setup);
// A constant object (str, bytes, float, int, tuple of those, qstr, immediate): the word referring to its copy.
uint32_t fz_obj(fz_t *f, mp_obj_t o);
void fz_add_module(fz_t *f, const char *path, const mp_compiled_module_t *cm, fz_module_t *entry);
// Appends the module table and the qstr pool; writing, programs the last sector. Fills `page`
// (FZ_HEADER_SPAN bytes) with the header page, for fz_commit. Returns the image size.
size_t fz_finish(fz_t *f, const fz_module_t *mods, size_t n_modules, uint32_t seq, uint8_t *page);
// Pads the image to a whole page and programs what the sector buffer holds, then frees the buffer
// (while the modules are imported: the heap is theirs); fz_resume takes a buffer again, the rest of that
// sector programmed after what is there. A dry run pads the same.
void fz_suspend(fz_t *f);
void fz_resume(fz_t *f);
// Releases the sector buffer (also after an exception: safe to call twice).
void fz_deinit(fz_t *f);
// Programs the header page (`page`, FZ_HEADER_SPAN bytes, the header first) of an image whose body
// (bytes FZ_HEADER_SPAN..size) is in the flash of `half` already, its CRC set from that flash copy.
void fz_commit(int half, uint8_t *page);
// Erases one sector of the region and programs `n` bytes (whole pages) at its start, skipping the
// header page (programmed last by fz_commit), then checks them.
void fz_program_sector(uint32_t addr, const uint8_t *data, size_t n);

#endif
