// Building a freeze image in RAM (mprt_freeze_build.c).
#ifndef MPRT_INCLUDED_FREEZE_BUILD_H
#define MPRT_INCLUDED_FREEZE_BUILD_H

#include "py/bc.h"
#include "mprt_freeze_image.h"

typedef struct _fz_t {
    uint8_t *buf;           // the image, header first; addresses are base + offset
    size_t len, cap;
    uint32_t base;          // flash address the image is built for
    size_t static_total;
    size_t flash_bytes;
    mp_obj_t qmap;          // dict: qstr now -> qstr number in the image's pool
    mp_obj_t qlist;         // list: the image pool's strings (as qstrs now), in number order
} fz_t;

void fz_init(fz_t *f, uint32_t base);
qstr fz_qstr(fz_t *f, qstr q);
// n bytes of the image, aligned: their offset in buf (buf may move).
size_t fz_reserve(fz_t *f, size_t n, size_t align);
// A copy of data (NUL-terminated when nul): its flash address.
uint32_t fz_bytes(fz_t *f, const void *data, size_t n, size_t align, bool nul);
// A constant object (str, bytes, float, int, tuple of those, qstr, immediate): the word referring to its copy.
uint32_t fz_obj(fz_t *f, mp_obj_t o);
void fz_add_module(fz_t *f, const char *path, const mp_compiled_module_t *cm, fz_module_t *entry);
void fz_finish(fz_t *f, const fz_module_t *mods, size_t n_modules, uint32_t seq);

#endif
