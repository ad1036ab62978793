// Snapshots of frozen modules (docs/freeze.md "Snapshots"): the objects a module's code built, in
// flash, handed out at import without running the code; stores into their globals go to a RAM overlay.
#ifndef MPRT_INCLUDED_FREEZE_SNAP_H
#define MPRT_INCLUDED_FREEZE_SNAP_H

#include "py/obj.h"

extern const mp_obj_type_t mprt_type_frozendict;

// A global of a snapshot naming a module of the image that runs its code at import: resolved by name.
typedef struct _fz_modref_t {
    mp_obj_base_t base;
    qstr name;
} fz_modref_t;
extern const mp_obj_type_t mprt_type_freeze_modref;

struct _fz_t;
struct _fz_module_t;
// After fz_add_module() for every module: snapshots the modules that allow it (their entry's
// `module` set); mods are the modules as imported from their files, names their full names.
// printed[i]: module i's import wrote to stdout/stderr (its output must come at each import). Prints a
// line for each module that runs its code at import instead, and why.
void fz_snap_modules(struct _fz_t *f, const mp_obj_t *names, const mp_obj_t *mods, const bool *printed, struct _fz_module_t *entries, size_t n);

// At run time (mprt_freeze_overlay.c; vendor patch 0008 hooks, mpconfigport.h).
void fz_snap_reset(void);
// Off while freeze.import_modules imports modules from their files.
void fz_snap_enable(bool on);
mp_obj_t mprt_freeze_import_snapshot(qstr full_name);
mp_map_elem_t *mprt_freeze_globals_lookup(mp_obj_dict_t *globals, qstr name);
bool mprt_freeze_globals_store(mp_obj_dict_t *globals, qstr name, mp_obj_t value);

#endif
