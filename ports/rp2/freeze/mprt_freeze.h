// Modules frozen on the device into the freeze flash region (docs/freeze.md).
#ifndef MPRT_INCLUDED_FREEZE_H
#define MPRT_INCLUDED_FREEZE_H

#include <stdbool.h>
#include <stddef.h>
#include "py/builtin.h"

// sys.path entry of the modules frozen on the device (before "", ".frozen" and "/lib").
#define MPRT_FREEZE_PATH ".frozen/@flash"
// The same, as mp_find_frozen_module() sees it (without ".frozen/").
#define MPRT_FREEZE_FIND_PREFIX "@flash/"

// The first qstr number after the firmware's static pools and the frozen image's pool (the one
// linked at this session's mp_init(), or at power-up the one the next mp_init() links).
size_t mprt_freeze_first_dynamic(void);
// After mp_init(), before anything interns: links the image's qstr pool and puts MPRT_FREEZE_PATH
// first on sys.path when the image is valid for this firmware.
void mprt_freeze_init(void);
// Once the console runs: tells the user when an image was refused (made for another firmware).
void mprt_freeze_boot_report(void);
// MICROPY_PORT_FIND_FROZEN: an mp_import_stat_t for paths under MPRT_FREEZE_FIND_PREFIX, else -1.
int mprt_freeze_find(const char *str, int *frozen_type, void **data);
// MICROPY_PORT_FROZEN_LOADED: runs the module's __thaw__(module) when it came from the image.
void mprt_freeze_loaded(void *module, const char *path);

#endif
