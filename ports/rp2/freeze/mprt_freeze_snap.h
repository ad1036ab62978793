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

// A mutable object of a snapshot (docs/freeze.md "Templates"): in flash, what it holds; its RAM copy is
// made where the program first takes it (a global, a default argument, a class attribute, an item of
// another copy), one copy per template and session (mprt_freeze_template.c).
enum {
    FZ_TPL_DICT,            // type: dict or OrderedDict; map: its table as it was
    FZ_TPL_LIST,            // items
    FZ_TPL_SET,             // items
    FZ_TPL_BYTEARRAY,       // items: the bytes
    FZ_TPL_INSTANCE,        // type: its class (snapshotted); map: its members
    FZ_TPL_EXCEPTION,       // type: a built-in exception type; items: its arguments
    FZ_TPL_POLL,            // an empty select.poll
    FZ_TPL_NEW,             // an empty object made again by calling its type (_asyncio.TaskQueue)
};
typedef struct _fz_template_t {
    mp_obj_base_t base;     // &mprt_type_freeze_template
    const mp_obj_type_t *type;
    uint32_t kind;
    size_t len;
    const mp_obj_t *items;
    mp_map_t map;
} fz_template_t;
extern const mp_obj_type_t mprt_type_freeze_template;

// The RAM copy of a template (made at the first call of the session).
mp_obj_t mprt_freeze_template_get(mp_obj_t tpl);
static inline bool fz_is_template(mp_obj_t o) {
    return mp_obj_is_obj(o) && o != MP_OBJ_NULL && ((const mp_obj_base_t *)MP_OBJ_TO_PTR(o))->type == &mprt_type_freeze_template;
}
// o, or its copy when it is a template.
static inline mp_obj_t fz_resolve(mp_obj_t o) {
    return fz_is_template(o) ? mprt_freeze_template_get(o) : o;
}

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
// globals() in a snapshotted module: a RAM dict that becomes its globals from then on (vendor patch 0010).
mp_obj_dict_t *mprt_freeze_globals_dict(mp_obj_dict_t *globals);
// A snapshotted class's attributes: a RAM overlay per class (vendor patch 0010).
mp_map_elem_t *mprt_freeze_class_lookup(const mp_obj_type_t *type, mp_map_t *locals, qstr name);
bool mprt_freeze_class_store(const mp_obj_type_t *type, qstr name, mp_obj_t value);
// Templates at run time: their copies are forgotten (a soft reset).
void fz_template_reset(void);

#endif
