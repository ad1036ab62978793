// The freeze module (F7, docs/freeze.md): import_modules, isfrozen, get_modules, clear, load.
#include <string.h>
#include "py/runtime.h"
#include "py/builtin.h"
#include "py/stream.h"
#include "py/compile.h"
#include "py/persistentcode.h"
#include "py/objfun.h"
#include "py/objtype.h"
#include "shared/runtime/pyexec.h"
#include "mprt_freeze.h"
#include "mprt_freeze_build.h"
#include "mprt_freeze_snap.h"
#include "dynlink.h"
#include "posix/mp_posix.h"

// A module to freeze: its name, its path in the image, the file it is compiled from.
typedef struct _fz_src_t {
    mp_obj_t name;
    vstr_t path;
    vstr_t file;
    bool is_mpy;
    bool is_pkg;
} fz_src_t;

static bool fz_try(vstr_t *file, const char *ext) {
    size_t n = file->len;
    vstr_add_str(file, ext);
    if (mp_import_stat(vstr_null_terminated_str(file)) == MP_IMPORT_STAT_FILE) {
        return true;
    }
    vstr_cut_tail_bytes(file, file->len - n);
    return false;
}

// Finds the .py or .mpy of a module on the filesystem entries of sys.path (not the frozen ones).
static void fz_find_source(fz_src_t *s) {
    size_t nlen;
    const char *name = mp_obj_str_get_data(s->name, &nlen);
    vstr_t rel;
    vstr_init(&rel, nlen + 1);
    for (size_t k = 0; k < nlen; ++k) {
        vstr_add_char(&rel, name[k] == '.' ? '/' : name[k]);
    }
    size_t np;
    mp_obj_t *entries;
    mp_obj_list_get(mp_sys_path, &np, &entries);
    for (size_t i = 0; i < np; ++i) {
        size_t elen;
        const char *e = mp_obj_str_get_data(entries[i], &elen);
        if (strncmp(e, ".frozen", 7) == 0) {
            continue;
        }
        vstr_t *f = &s->file;
        vstr_reset(f);
        if (elen) {
            vstr_add_strn(f, e, elen);
            vstr_add_char(f, '/');
        }
        vstr_add_strn(f, rel.buf, rel.len);
        if (mp_import_stat(vstr_null_terminated_str(f)) == MP_IMPORT_STAT_DIR) {
            vstr_add_str(f, "/__init__");
            if (fz_try(f, ".py") || fz_try(f, ".mpy")) {
                s->is_pkg = true;
                s->is_mpy = f->buf[f->len - 1] == 'y' && f->buf[f->len - 2] == 'p' && f->buf[f->len - 3] == 'm';
                vstr_add_strn(&s->path, rel.buf, rel.len);
                vstr_add_str(&s->path, "/__init__.py");
                vstr_clear(&rel);
                return;
            }
            vstr_cut_tail_bytes(f, strlen("/__init__"));
        }
        if (fz_try(f, ".py") || fz_try(f, ".mpy")) {
            s->is_mpy = f->buf[f->len - 3] == 'm';
            vstr_add_strn(&s->path, rel.buf, rel.len);
            vstr_add_str(&s->path, ".py");
            vstr_clear(&rel);
            return;
        }
    }
    mp_raise_msg_varg(&mp_type_ImportError, MP_ERROR_TEXT("freeze: no .py or .mpy for module '%s' on the filesystem entries of sys.path"), name);
}

static void fz_compile(const fz_src_t *s, mp_compiled_module_t *cm) {
    cm->context = m_new_obj(mp_module_context_t);
    cm->context->module.globals = mp_globals_get();
    qstr file = qstr_from_strn(s->file.buf, s->file.len);
    if (s->is_mpy) {
        mp_raw_code_load_file(file, cm);
    } else {
        mp_lexer_t *lex = mp_lexer_new_from_file(file);
        qstr source = lex->source_name;
        mp_parse_tree_t pt = mp_parse(lex, MP_PARSE_FILE_INPUT);
        mp_compile_to_raw_code(&pt, source, false, cm);
    }
}

// Adds a package's other modules (its directory's .py and .mpy files) to the list of names.
static void fz_add_package(const fz_src_t *s, mp_obj_t names) {
    vstr_t dir;
    vstr_init(&dir, s->file.len);
    vstr_add_strn(&dir, s->file.buf, s->file.len - (s->is_mpy ? strlen("/__init__.mpy") : strlen("/__init__.py")));
    mp_obj_t os = mp_import_name(MP_QSTR_os, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t listing = mp_call_function_1(mp_load_attr(os, MP_QSTR_listdir), mp_obj_new_str(dir.buf, dir.len));
    vstr_clear(&dir);
    mp_obj_t it = mp_getiter(listing, NULL), item;
    size_t nlen;
    const char *pkg = mp_obj_str_get_data(s->name, &nlen);
    while ((item = mp_iternext(it)) != MP_OBJ_STOP_ITERATION) {
        size_t len;
        const char *fn = mp_obj_str_get_data(item, &len);
        size_t stem = len;
        if (len > 3 && strcmp(fn + len - 3, ".py") == 0) {
            stem = len - 3;
        } else if (len > 4 && strcmp(fn + len - 4, ".mpy") == 0) {
            stem = len - 4;
        } else {
            continue;
        }
        if (stem == 8 && strncmp(fn, "__init__", 8) == 0) {
            continue;
        }
        vstr_t sub;
        vstr_init(&sub, nlen + 1 + stem);
        vstr_add_strn(&sub, pkg, nlen);
        vstr_add_char(&sub, '.');
        vstr_add_strn(&sub, fn, stem);
        mp_obj_t subname = mp_obj_new_str_from_vstr(&sub);
        if (!mp_obj_is_true(mp_binary_op(MP_BINARY_OP_CONTAINS, names, subname))) {
            mp_obj_list_append(names, subname);
        }
    }
}

static mp_obj_t fz_loaded_module(mp_obj_t name) {
    mp_map_elem_t *e = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map, name, MP_MAP_LOOKUP);
    return e ? e->value : mp_const_none;
}

// The half a new image goes to: never the one linked now (its pool is in use), else not the current one;
// *seq: the new image's sequence number.
static int fz_target_half(uint32_t *seq) {
    int cur_half = -1;
    const fz_header_t *cur = fz_current(&cur_half);
    *seq = cur ? cur->seq + 1 : 1;
    return fz_linked_half() >= 0 ? 1 - fz_linked_half() : (cur ? 1 - cur_half : 0);
}

// sys.path as it was before the imports (its list object kept: the same one everywhere).
static void fz_restore_path(mp_obj_t saved) {
    size_t np;
    mp_obj_t *items;
    mp_obj_tuple_get(saved, &np, &items);
    mp_obj_list_set_len(mp_sys_path, 0);
    for (size_t i = 0; i < np; ++i) {
        mp_obj_list_append(mp_sys_path, items[i]);
    }
}

// Imports the modules (from their files: the filesystem entries of sys.path first meanwhile): what
// import_modules returns.
static void fz_import_all(const fz_src_t *src, size_t n, mp_obj_t *mods, bool *printed) {
    // sys.path is given back as it was even if a module changed it:
    // the saved items are put back through the list (a module that appends to sys.path reallocates its
    // items, so no pointer to them is kept across the imports).
    size_t np;
    mp_obj_t *path;
    mp_obj_list_get(mp_sys_path, &np, &path);
    mp_obj_t saved = mp_obj_new_tuple(np, path);
    mp_obj_t *items = ((mp_obj_tuple_t *)MP_OBJ_TO_PTR(saved))->items;
    for (size_t i = 0, k = 0; i < 2; ++i) {
        for (size_t j = 0; j < np; ++j) {
            bool frozen = strncmp(mp_obj_str_get_str(items[j]), ".frozen", 7) == 0;
            if (frozen == (i == 1)) {
                path[k++] = items[j];
            }
        }
    }
    nlr_buf_t nlr;
    // from their files, not from the snapshots of the image in use
    fz_snap_enable(false);
    if (nlr_push(&nlr) == 0) {
        for (size_t i = 0; i < n; ++i) {
            #if MPRT_POSIX
            uint32_t written = mp_stdio_py_written;
            mp_import_name(mp_obj_str_get_qstr(src[i].name), mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
            printed[i] = mp_stdio_py_written != written;
            #else
            // no fd layer (rtos.kernel=none): what a module prints is not counted, so each module is taken
            // as printing and runs its code at import (never snapshotted)
            mp_import_name(mp_obj_str_get_qstr(src[i].name), mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
            printed[i] = true;
            #endif
            mods[i] = fz_loaded_module(src[i].name);
        }
        nlr_pop();
    } else {
        fz_snap_enable(true);
        fz_restore_path(saved);
        nlr_jump(nlr.ret_val);
    }
    fz_snap_enable(true);
    fz_restore_path(saved);
}

// Builds the image of the modules: a dry run first (every error of the build raised before anything is
// written), then again, streamed into the flash of `half` but for the header page, which `page` receives
// (fz_commit writes it). Each module is compiled again for each pass, one at a time, so only one module's
// compiled code is in RAM at once. The snapshots (mprt_freeze_snap.c) follow the modules' code; they
// need the modules imported (`mods`): when `imported` is false, they are imported after the code is
// written (the dry run then covers the code, and the snapshot's layout pass its part). Returns the image
// size; *flash_bytes: the module data in it.
static size_t fz_build(const fz_src_t *src, size_t n, int half, uint32_t seq, uint8_t *page, size_t *flash_bytes,
    mp_obj_t *mods, bool *printed, bool imported) {
    fz_module_t *entries = m_new(fz_module_t, n);
    mp_obj_t *names = m_new(mp_obj_t, n);
    for (size_t i = 0; i < n; ++i) {
        names[i] = src[i].name;
    }
    size_t len = 0;
    for (int pass = 0; pass < 2; ++pass) {
        fz_t f;
        fz_init(&f, fz_half_addr(half), pass == 1);
        memset(entries, 0, n * sizeof(fz_module_t));
        for (size_t i = 0; i < n; ++i) {
            if (pass == 0) {
                mp_printf(&mp_plat_print, "freezing module '%s'\n", mp_obj_str_get_str(src[i].name));
            }
            mp_compiled_module_t cm;
            fz_compile(&src[i], &cm);
            fz_add_module(&f, src[i].path.buf, &cm, &entries[i]);
        }
        // the sector buffer is given back while the modules are imported (both passes pad alike)
        fz_suspend(&f);
        if (pass == 1 && !imported) {
            fz_import_all(src, n, mods, printed);
            imported = true;
        }
        fz_resume(&f);
        if (imported) {
            fz_snap_modules(&f, names, mods, printed, entries, n);
        }
        len = fz_finish(&f, entries, n, seq, page);
        *flash_bytes = f.flash_bytes;
        fz_deinit(&f);
    }
    m_del(mp_obj_t, names, n);
    m_del(fz_module_t, entries, n);
    return len;
}

static mp_obj_t freeze_import_modules(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    static const mp_arg_t allowed[] = { { MP_QSTR_flash, MP_ARG_KW_ONLY | MP_ARG_OBJ, { .u_rom_obj = MP_ROM_NONE } } };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(0, NULL, kw_args, MP_ARRAY_SIZE(allowed), allowed, vals);
    if (vals[0].u_obj != mp_const_none && !mp_obj_is_true(vals[0].u_obj)) {
        mp_raise_ValueError(MP_ERROR_TEXT("freeze: only flash exists on this chip: flash=None or True"));
    }
    if (MPRT_FLASH_FREEZE_SIZE == 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("freeze: no freeze region (flash.freeze_size=0)"));
    }
    mp_obj_t names = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < n_args; ++i) {
        mp_obj_str_get_str(args[i]);
        mp_obj_list_append(names, args[i]);
    }
    // sources, packages expanded to their modules
    size_t cap = 8, n = 0;
    fz_src_t *src = m_new0(fz_src_t, cap);
    for (size_t i = 0;; ++i) {
        size_t nn;
        mp_obj_t *items;
        mp_obj_list_get(names, &nn, &items);
        if (i >= nn) {
            break;
        }
        if (n == cap) {
            src = m_renew(fz_src_t, src, cap, cap * 2);
            memset(src + cap, 0, cap * sizeof(fz_src_t));
            cap *= 2;
        }
        fz_src_t *s = &src[n++];
        s->name = items[i];
        vstr_init(&s->path, 16);
        vstr_init(&s->file, 16);
        fz_find_source(s);
        if (s->is_pkg) {
            fz_add_package(s, names);
        }
    }
    for (size_t i = 0; i < n; ++i) {
        vstr_null_terminated_str(&src[i].path);
    }
    uint32_t seq;
    int half = fz_target_half(&seq);
    int cur_half = -1;
    fz_current(&cur_half);
    // The modules are imported after the modules' code is written (only one of them, the imported modules
    // or a module being compiled, takes the heap at a time), before their snapshots (made from them) and
    // the header page (an import error leaves no valid image in that half: the current one stays). But
    // when the half written holds the newest image (a second freeze in one session), nothing may be
    // written before they import.
    bool import_first = half == cur_half;
    mp_obj_t *mods = m_new(mp_obj_t, n);
    bool *printed = m_new0(bool, n);
    if (import_first) {
        fz_import_all(src, n, mods, printed);
    }
    uint8_t *page = m_new(uint8_t, FZ_HEADER_SPAN);
    size_t flash_bytes;
    size_t len = fz_build(src, n, half, seq, page, &flash_bytes, mods, printed, import_first);
    m_del(bool, printed, n);
    fz_commit(half, page);
    m_del(uint8_t, page, FZ_HEADER_SPAN);
    fz_forget();
    mp_printf(&mp_plat_print, "loaded %u flash bytes (%u modules, %u-byte image); frozen copies are used from the next soft reset\n",
        (unsigned)flash_bytes, (unsigned)n, (unsigned)len);
    return mp_obj_new_tuple(n, mods);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(freeze_import_modules_obj, 0, freeze_import_modules);

static bool fz_fun_frozen(mp_obj_t o) {
    if (!mp_obj_is_obj(o)) {
        return false;
    }
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (t == &mp_type_fun_bc || t == &mp_type_gen_wrap) {
        return fz_in_image(((mp_obj_fun_bc_t *)MP_OBJ_TO_PTR(o))->bytecode);
    }
    if (t == &mp_type_staticmethod || t == &mp_type_classmethod) {
        return fz_fun_frozen(((mp_obj_static_class_method_t *)MP_OBJ_TO_PTR(o))->fun);
    }
    return false;
}

static mp_obj_t freeze_isfrozen(mp_obj_t o) {
    if (!mp_obj_is_obj(o)) {
        return mp_const_false;
    }
    if (fz_in_image(MP_OBJ_TO_PTR(o))) {
        // a snapshotted object: module, function, class, frozendict, constant
        return mp_const_true;
    }
    const mp_obj_type_t *t = mp_obj_get_type(o);
    if (t == &mp_type_module) {
        mp_map_elem_t *e = mp_map_lookup(&mp_obj_module_get_globals(o)->map, MP_OBJ_NEW_QSTR(MP_QSTR___file__), MP_MAP_LOOKUP);
        if (e == NULL || !mp_obj_is_str(e->value)) {
            return mp_const_false;
        }
        const char *file = mp_obj_str_get_str(e->value);
        return mp_obj_new_bool(fz_linked() != NULL && strncmp(file, MPRT_FREEZE_FIND_PREFIX, strlen(MPRT_FREEZE_FIND_PREFIX)) == 0);
    }
    if (t == &mp_type_type) {
        const mp_obj_type_t *cls = MP_OBJ_TO_PTR(o);
        if (!MP_OBJ_TYPE_HAS_SLOT(cls, locals_dict)) {
            return mp_const_false;
        }
        mp_map_t *map = &MP_OBJ_TYPE_GET_SLOT(cls, locals_dict)->map;
        for (size_t i = 0; i < map->alloc; ++i) {
            if (mp_map_slot_is_filled(map, i) && fz_fun_frozen(map->table[i].value)) {
                return mp_const_true;
            }
        }
        return mp_const_false;
    }
    if (t == &mp_type_bound_meth) {
        mp_obj_t dest[2];
        mp_load_method_maybe(o, MP_QSTR___func__, dest);
        return mp_obj_new_bool(dest[0] != MP_OBJ_NULL && fz_fun_frozen(dest[0]));
    }
    return mp_obj_new_bool(fz_fun_frozen(o));
}
static MP_DEFINE_CONST_FUN_OBJ_1(freeze_isfrozen_obj, freeze_isfrozen);

static mp_obj_t freeze_get_modules(void) {
    const fz_header_t *h = fz_linked();
    if (h == NULL) {
        mp_printf(&mp_plat_print, fz_boot_status() == FZ_FOREIGN ? "no frozen modules in use (the image was made for another firmware: freeze again)\n"
            : "no frozen modules\n");
        return mp_const_none;
    }
    mp_printf(&mp_plat_print, "%-32s %8s\n", "module", "flash");
    const fz_module_t *m = (const fz_module_t *)(uintptr_t)h->modules;
    for (uint32_t i = 0; i < h->n_modules; ++i) {
        mp_printf(&mp_plat_print, "%-32s %8u\n", (const char *)(uintptr_t)m[i].path, (unsigned)m[i].size);
    }
    const qstr_pool_t *p = (const qstr_pool_t *)(uintptr_t)h->pool;
    mp_printf(&mp_plat_print, "%u modules, %u qstrs, %u bytes of flash (image)\n", (unsigned)h->n_modules, (unsigned)p->len, (unsigned)h->size);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(freeze_get_modules_obj, freeze_get_modules);

static mp_obj_t freeze_clear(void) {
    // the image not in use first, then the one in use (unlinked from the qstr chain before)
    int linked = fz_linked_half();
    for (int pass = 0; pass < 2; ++pass) {
        for (int half = 0; half < FZ_N_HALVES; ++half) {
            if ((half == linked) != (pass == 1)) {
                continue;
            }
            if (half == linked) {
                fz_unlink_pool();
            }
            const fz_header_t *h = (const fz_header_t *)(uintptr_t)fz_half_addr(half);
            if (h->magic != 0xffffffffu) {
                fz_flash_erase(fz_half_addr(half), FZ_SECTOR);
            }
        }
    }
    fz_forget();
    // a soft reset, as machine.soft_reset()
    mp_raise_type(&mp_type_SystemExit);
}
static MP_DEFINE_CONST_FUN_OBJ_0(freeze_clear_obj, freeze_clear);

// freeze.load(path): installs an image file made by `mprt freeze` (docs/freeze.md "On the host"): the
// file holds the same image built for each half; the one for the half a freeze would write now is
// checked (whole, made for this firmware), given the next sequence number and written as import_modules
// writes. Used from the next soft reset, as after import_modules.
// Up to n bytes of a file: how many were read.
static size_t fz_file_read(mp_obj_t file, uint8_t *buf, size_t n) {
    int err = 0;
    mp_uint_t got = mp_stream_rw(file, buf, n, &err, MP_STREAM_RW_READ);
    if (err != 0) {
        mp_raise_OSError(err);
    }
    return got;
}

// Reads the file a sector at a time (an image file is larger than the heap's largest block may be): each
// image's header is checked, the one built for the half to write is programmed as import_modules writes
// (power-safe: its CRC, checked as it streams, must match before the header page is committed).
static mp_obj_t freeze_load(mp_obj_t path_in) {
    if (MPRT_FLASH_FREEZE_SIZE == 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("freeze: no freeze region (flash.freeze_size=0)"));
    }
    const char *path = mp_obj_str_get_str(path_in);
    mp_obj_t open_args[2] = { path_in, mp_obj_new_str("rb", 2) };
    mp_obj_t file = mp_builtin_open(2, open_args, (mp_map_t *)&mp_const_empty_map);
    uint32_t seq;
    int half = fz_target_half(&seq);
    uint8_t *buf = m_new(uint8_t, FZ_SECTOR);
    for (size_t at = 0;;) {
        fz_header_t h;
        if (fz_file_read(file, buf, sizeof(h)) < sizeof(h)) {
            break;
        }
        memcpy(&h, buf, sizeof(h));
        if (h.magic != FZ_MAGIC || h.size < FZ_HEADER_SPAN) {
            break;
        }
        if (h.version != FZ_VERSION) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freeze: %s: damaged image at byte %u"), path, (unsigned)at);
        }
        if (!fz_made_here(&h)) {
            mp_raise_msg_varg(&mp_type_ValueError,
                MP_ERROR_TEXT("freeze: %s was made for another firmware: freeze again (mprt freeze --firmware DIR for this firmware)"), path);
        }
        if (h.size > FZ_HALF_SIZE) {
            mp_raise_msg_varg(&mp_type_OSError, MP_ERROR_TEXT("freeze: %s does not fit in a half of the freeze region (%u bytes)"), path, (unsigned)FZ_HALF_SIZE);
        }
        uint32_t base = fz_half_addr(half);
        bool mine = h.modules >= base && h.modules < base + h.size;
        uint8_t *page = mine ? m_new(uint8_t, FZ_HEADER_SPAN) : NULL;
        uint32_t crc = 0;
        for (size_t off = 0, have = sizeof(h); off < h.size; off += FZ_SECTOR, have = 0) {
            size_t n = MIN(FZ_SECTOR, h.size - off);
            if (fz_file_read(file, buf + have, n - have) < n - have) {
                mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freeze: %s: damaged image at byte %u"), path, (unsigned)at);
            }
            crc = off == 0 ? dl_crc32(0, buf + 8, n - 8) : dl_crc32(crc, buf, n);
            if (mine) {
                if (off == 0) {
                    // the header page with the next sequence number (fz_commit sets the CRC)
                    memcpy(page, buf, FZ_HEADER_SPAN);
                    ((fz_header_t *)page)->seq = seq;
                }
                fz_program_sector(base + off, buf, n);
            }
        }
        if (crc != h.crc) {
            // nothing committed: the frozen set in use stays
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freeze: %s: damaged image at byte %u"), path, (unsigned)at);
        }
        if (mine) {
            mp_call_function_0(mp_load_attr(file, MP_QSTR_close));
            fz_commit(half, page);
            m_del(uint8_t, page, FZ_HEADER_SPAN);
            m_del(uint8_t, buf, FZ_SECTOR);
            fz_forget();
            mp_printf(&mp_plat_print, "loaded %u flash bytes (%u modules, %u-byte image); frozen copies are used from the next soft reset\n",
                (unsigned)h.flash_bytes, (unsigned)h.n_modules, (unsigned)h.size);
            return mp_const_none;
        }
        at += h.size;
    }
    mp_call_function_0(mp_load_attr(file, MP_QSTR_close));
    m_del(uint8_t, buf, FZ_SECTOR);
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freeze: %s is not a freeze image for this firmware's freeze region (make it with mprt freeze)"), path);
}
static MP_DEFINE_CONST_FUN_OBJ_1(freeze_load_obj, freeze_load);

static const mp_rom_map_elem_t freeze_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_freeze) },
    { MP_ROM_QSTR(MP_QSTR_import_modules), MP_ROM_PTR(&freeze_import_modules_obj) },
    { MP_ROM_QSTR(MP_QSTR_isfrozen), MP_ROM_PTR(&freeze_isfrozen_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_modules), MP_ROM_PTR(&freeze_get_modules_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&freeze_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_load), MP_ROM_PTR(&freeze_load_obj) },
    { MP_ROM_QSTR(MP_QSTR_frozendict), MP_ROM_PTR(&mprt_type_frozendict) },
};
static MP_DEFINE_CONST_DICT(freeze_module_globals, freeze_module_globals_table);

const mp_obj_module_t mprt_freeze_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&freeze_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_freeze, mprt_freeze_module);
