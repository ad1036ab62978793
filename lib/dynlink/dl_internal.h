// Shared between the linker's files; not part of its interface.
#ifndef MPRT_DL_INTERNAL_H
#define MPRT_DL_INTERNAL_H

#include "dynlink.h"

#if defined(__GNUC__)
#define DL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DL_PRINTF(a, b)
#endif

dl_errcode_t dl_fail(dl_error_t *err, dl_errcode_t code, const char *fmt, ...) DL_PRINTF(3, 4);

static inline uint32_t dl_rd16(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static inline uint32_t dl_rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void dl_wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t dl_align_up(uint32_t v, uint32_t a) {
    return (v + a - 1) & ~(a - 1);
}

// The NUL-terminated string at strtab offset `off` (validated by dl_parse()).
static inline const char *dl_str(const dl_module_t *m, uint32_t off) {
    return (const char *)m->buf + m->strtab_off + off;
}

// Size of a segment for refs and relocation targets.
uint32_t dl_seg_size(const dl_module_t *m, uint32_t seg);

#endif // MPRT_DL_INTERNAL_H
