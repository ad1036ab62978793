// The firmware side of loadable native modules: the module flash region, the RAM reserved
// for installed modules, qstr interning, linking against the firmware's exports, `import NAME` of
// NAME.so and os.dlopen/dlsym/dlerror/dllist/dlremove. The linker core is lib/dynlink/; the design
// is in docs/modules.md, the Python API and behaviour in docs/modules-glue.md.
#ifndef MPRT_DYNLINK_GLUE_H
#define MPRT_DYNLINK_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "py/obj.h"
#include "dynlink.h"

// ---- hooks called by main.c (one call each) ----

// At power-up, before the GC heap starts: walks the module flash region, checks every installed
// image and reserves RAM at `ram_start` for their data+bss, the configured slack and the qstr pool.
// Returns the bytes reserved (a multiple of 16); the GC heap starts after them. `ram_end` bounds it.
size_t mprt_dl_reserve_ram(uintptr_t ram_start, uintptr_t ram_end);

// After every mp_init() (qstr_init): links the installed modules' qstrs at their numbers and
// forgets which modules were loaded (a soft reset dropped them).
void mprt_dl_init(void);

// From gc_collect(): the qstr pool in reserved RAM and the data+bss of loaded modules are roots.
void mprt_dl_gc_collect(void);

// ---- shared by the glue files ----

#define MPRT_DL_SECTOR (4096u)
#define MPRT_DL_PAGE (256u)

typedef enum {
    MPRT_DL_IMG_VALID = 1,      // checked, linked for this firmware and this RAM layout
    MPRT_DL_IMG_PENDING = 2,    // valid, but its RAM or qstrs lie outside what this boot reserved
    MPRT_DL_IMG_LOADED = 4,     // data copied, constructors and init run since the last soft reset
} mprt_dl_img_state_t;

// Installed images (present = passed dl_image_check), by start sector.
typedef struct _mprt_dl_iter_t {
    size_t sector;
    const dl_image_t *img;
} mprt_dl_iter_t;

uint32_t mprt_dl_region_start(void);
uint32_t mprt_dl_region_size(void);
bool mprt_dl_next(mprt_dl_iter_t *it); // it->sector = 0 to start
unsigned mprt_dl_state(const dl_image_t *img);
void mprt_dl_set_state(const dl_image_t *img, unsigned set, unsigned clear);
const dl_image_t *mprt_dl_find(const char *name);
uint32_t mprt_dl_link_id(void);

// Flash: first-fit allocation of `size` bytes (sector-aligned), erase of an image, the port's ops.
bool mprt_dl_flash_alloc(uint32_t size, uint32_t *addr);
void mprt_dl_remove_image(const dl_image_t *img);
const dl_flash_ops_t *mprt_dl_flash_ops(void);
#if !MPRT_RTOS
// without a kernel: one erase (src NULL) or program, the other core parked, interrupts off
void mprt_flash_op_exclusive(uint32_t addr, const uint8_t *src, uint32_t len);
#endif
void mprt_dl_installed(uint32_t addr); // registers a freshly programmed image

// RAM: first-fit address for `size` bytes aligned to `align`; *now is false if it lies beyond what
// this boot reserved (loadable after a reset); false if no room at all.
bool mprt_dl_ram_alloc(uint32_t size, uint32_t align, uint32_t *addr, bool *now);
// First fit for `size` bytes anywhere in the RAM reserved at this power-up (for the qstr pool).
bool mprt_dl_ram_find(uint32_t size, uint32_t align, uint32_t *addr);

// qstrs: the numbers a new module's strings get (stable across boots), and the check at boot.
bool mprt_dl_qstr_intern(const char *str, size_t len, uint32_t *number);

// The loader: install (if needed) and load the module in `path`; returns the module object.
// `want` (may be NULL) is the module name the caller expects. Raises ImportError or OSError.
mp_obj_t mprt_dl_open(const char *path, const char *want, const mp_obj_type_t *exc_type, const dl_image_t **out);

// The import handler (mpconfigport.h: mp_builtin___import__): NAME.so in sys.path, and the os module
// with the dl* functions.
mp_obj_t mprt_dl_builtin_import(size_t n_args, const mp_obj_t *args);

#endif // MPRT_DYNLINK_GLUE_H
