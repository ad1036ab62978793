// Installing and loading modules: read NAME.so, validate it, link it against the firmware's exports
// and earlier modules, program it into the module flash region (unless the same content is already
// installed for this firmware), then load it: copy data, zero bss, run constructors, call dl_init and
// put the module in sys.modules. Nothing of a module runs unless every check passed.
#include <stdarg.h>
#include <string.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/builtin.h"
#include "py/objstr.h"
#include "extmod/vfs.h"
#include "mprt_dynlink.h"
#include "mprt_exports.h"

// ---- errors: the message is also what os.dlerror() returns ----

NORETURN static void dl_raise(const mp_obj_type_t *type, vstr_t *msg) {
    mp_obj_t s = mp_obj_new_str_from_vstr(msg);
    MP_STATE_PORT(mprt_dl_last_error) = s;
    nlr_raise(mp_obj_new_exception_arg1(type, s));
}

NORETURN static void dl_raisef(const mp_obj_type_t *type, const char *fmt, ...) {
    vstr_t v;
    mp_print_t print;
    vstr_init_print(&v, 64, &print);
    va_list ap;
    va_start(ap, fmt);
    mp_vprintf(&print, fmt, ap);
    va_end(ap);
    dl_raise(type, &v);
}

// ---- the resolver: firmware exports (sorted by name), then earlier installed modules ----

typedef struct _resolve_ctx_t {
    const dl_image_t *skip;     // the image being replaced
    vstr_t *missing;
    unsigned n_missing;
} resolve_ctx_t;

static const void *find_export(const char *name) {
    size_t lo = 0, hi = mprt_exports_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(mprt_exports[mid].name, name);
        if (c == 0) {
            return mprt_exports[mid].addr;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static bool resolve_symbol(void *ctx_in, const char *name, uint32_t *value) {
    resolve_ctx_t *ctx = ctx_in;
    const void *a = find_export(name);
    if (a != NULL) {
        *value = (uint32_t)(uintptr_t)a;
        return true;
    }
    mprt_dl_iter_t it = { 0, NULL };
    while (mprt_dl_next(&it)) {
        if (it.img != ctx->skip && (mprt_dl_state(it.img) & MPRT_DL_IMG_VALID)
            && dl_image_export((const uint8_t *)it.img, (uint32_t)(uintptr_t)it.img, name, value)) {
            return true;
        }
    }
    return false;
}

static bool resolve_qstr(void *ctx_in, const char *str, size_t len, bool obj, uint32_t *value) {
    (void)ctx_in;
    uint32_t q;
    if (!mprt_dl_qstr_intern(str, len, &q)) {
        return false;
    }
    *value = obj ? (uint32_t)(uintptr_t)MP_OBJ_NEW_QSTR(q) : q;
    return true;
}

static void note_missing(void *ctx_in, const char *name) {
    resolve_ctx_t *ctx = ctx_in;
    vstr_add_str(ctx->missing, ctx->n_missing++ == 0 ? " " : ", ");
    vstr_add_str(ctx->missing, name);
}

// ---- reading the file ----

static mp_obj_t open_rb(const char *path) {
    mp_obj_t args[2] = { mp_obj_new_str_from_cstr(path), MP_OBJ_NEW_QSTR(MP_QSTR_rb) };
    return mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
}

static uint8_t *read_file(const char *path, size_t *len, const mp_obj_type_t *exc) {
    mp_obj_t st = mp_vfs_stat(mp_obj_new_str_from_cstr(path));
    mp_int_t size = mp_obj_get_int(mp_obj_subscr(st, MP_OBJ_NEW_SMALL_INT(6), MP_OBJ_SENTINEL));
    if (size < 0 || (mp_uint_t)size > DL_MAX_FILE) {
        dl_raisef(exc, "%s: %d bytes is too large for a module", path, (int)size);
    }
    mp_obj_t f = open_rb(path);
    uint8_t *buf = m_new(uint8_t, size > 0 ? size : 1);
    int err = 0;
    mp_uint_t got = mp_stream_rw(f, buf, size, &err, MP_STREAM_RW_READ);
    mp_stream_close(f);
    if (err != 0 || got != (mp_uint_t)size) {
        m_del(uint8_t, buf, size > 0 ? size : 1);
        dl_raisef(exc, "%s: read error", path);
    }
    *len = size;
    return buf;
}

// ---- loading an installed image ----

typedef void (*dl_ctor_t)(void);
typedef mp_obj_t (*dl_init_t)(void);

static mp_obj_t load_image(const dl_image_t *img, const mp_obj_type_t *exc) {
    const char *name = (const char *)(uintptr_t)img->name;
    if (img->init == 0) {
        dl_raisef(exc, "module '%s' has no dl_init entry", name);
    }
    if (!(mprt_dl_state(img) & MPRT_DL_IMG_LOADED)) {
        memcpy((void *)(uintptr_t)img->ram, (const void *)(uintptr_t)img->data_init, img->data_size);
        memset((void *)(uintptr_t)(img->ram + img->data_size), 0, img->bss_size);
        // From here its data holds live pointers: the collector scans it.
        mprt_dl_set_state(img, MPRT_DL_IMG_LOADED, 0);
        const uint32_t *ctors = (const uint32_t *)(uintptr_t)img->ctors;
        for (uint32_t i = 0; i < img->n_ctors; ++i) {
            ((dl_ctor_t)(uintptr_t)ctors[i])();
        }
    }
    mp_obj_t mod = ((dl_init_t)(uintptr_t)img->init)();
    if (mod == MP_OBJ_NULL || !mp_obj_is_obj(mod)) {
        dl_raisef(exc, "dl_init of '%s' returned no module", name);
    }
    mp_obj_dict_store(MP_OBJ_FROM_PTR(&MP_STATE_VM(mp_loaded_modules_dict)), MP_OBJ_NEW_QSTR(qstr_from_str(name)), mod);
    return mod;
}

// ---- installing ----

NORETURN static void dl_raise_err(const mp_obj_type_t *exc, const char *path, const dl_error_t *err) {
    dl_raisef(exc, "%s: %s", path, err->msg);
}

static const dl_image_t *install(const dl_module_t *m, const char *path, const dl_image_t *old, const mp_obj_type_t *exc) {
    dl_error_t err;
    vstr_t missing;
    vstr_init(&missing, 32);
    resolve_ctx_t rctx = { old, &missing, 0 };
    dl_symbol_resolver_t resolver = { resolve_symbol, resolve_qstr, &rctx };
    size_t n_scratch = dl_scratch_words(m);
    uint32_t *scratch = m_new(uint32_t, n_scratch ? n_scratch : 1);
    dl_errcode_t e = dl_resolve(m, &resolver, scratch, note_missing, &rctx, &err);
    if (e == DL_E_SYMBOL) {
        dl_raisef(exc, "%s: %u undefined symbol%s:%s", path, rctx.n_missing, rctx.n_missing == 1 ? "" : "s",
            vstr_null_terminated_str(&missing));
    }
    if (e != DL_OK) {
        dl_raise_err(exc, path, &err);
    }

    // The old image (stale or another content) goes: its RAM and flash are free for the new one.
    if (old != NULL) {
        mprt_dl_remove_image(old);
    }

    uint32_t ram = 0;
    bool now = true;
    uint32_t ram_size = dl_ram_size(m);
    if (!mprt_dl_ram_alloc(ram_size, m->data_align, &ram, &now)) {
        dl_raisef(exc, "%s: no room in RAM for %u bytes of module data", path, (unsigned)ram_size);
    }

    // The image size depends on the veneers, hence on the address: lay out until it fits.
    dl_link_t link;
    uint32_t flash = mprt_dl_region_start(), need = 0;
    for (int tries = 0;; ++tries) {
        e = dl_link_begin(&link, m, scratch, flash, ram, mprt_dl_link_id(), &err);
        if (e != DL_OK) {
            dl_raise_err(exc, path, &err);
        }
        if (tries > 0 && link.size <= need) {
            break;
        }
        need = (link.size + MPRT_DL_SECTOR - 1) / MPRT_DL_SECTOR * MPRT_DL_SECTOR;
        if (tries > 2 || !mprt_dl_flash_alloc(need, &flash)) {
            dl_raisef(exc, "%s: no room in the module flash region for %u bytes (%u KB region; os.dlremove() frees it)",
                path, (unsigned)link.size, (unsigned)(mprt_dl_region_size() / 1024));
        }
    }
    uint8_t page[MPRT_DL_PAGE];
    e = dl_install(&link, mprt_dl_flash_ops(), page, &err);
    if (e != DL_OK) {
        dl_raise_err(exc, path, &err);
    }
    const dl_image_t *img = (const dl_image_t *)(uintptr_t)flash;
    if (dl_image_check((const uint8_t *)img, link.size, flash, &err) != DL_OK) {
        dl_raise_err(exc, path, &err);
    }
    mprt_dl_installed(flash);
    m_del(uint32_t, scratch, n_scratch ? n_scratch : 1);
    if (!now) {
        mprt_dl_set_state(img, MPRT_DL_IMG_PENDING, 0);
        dl_raisef(exc, "%s: installed '%s', but its %u bytes of RAM exceed what was reserved at boot "
            "(modules.ram_slack): reset to load it", path, m->name, (unsigned)ram_size);
    }
    return img;
}

// Whether the first bytes of the file at `path` name the content `img` was installed from.
static bool same_content(const char *path, const dl_image_t *img) {
    uint8_t head[DL_H_ABI];
    mp_obj_t f = open_rb(path);
    int err = 0;
    mp_uint_t got = mp_stream_rw(f, head, sizeof(head), &err, MP_STREAM_RW_READ);
    mp_stream_close(f);
    return err == 0 && got == sizeof(head) && memcmp(head, "MPDL", 4) == 0
           && memcmp(head + DL_H_CONTENT_HASH, img->content_hash, DL_HASH_LEN) == 0;
}

mp_obj_t mprt_dl_open(const char *path, const char *want, const mp_obj_type_t *exc, const dl_image_t **out) {
    // Already installed for this firmware from the same content: load it without reading the file.
    const dl_image_t *have = want != NULL ? mprt_dl_find(want) : NULL;
    if (have != NULL && (mprt_dl_state(have) & (MPRT_DL_IMG_VALID | MPRT_DL_IMG_PENDING)) == MPRT_DL_IMG_VALID
        && same_content(path, have)) {
        if (out != NULL) {
            *out = have;
        }
        return load_image(have, exc);
    }
    size_t len;
    uint8_t *buf = read_file(path, &len, exc);
    dl_module_t m;
    dl_error_t err;
    if (dl_parse(&m, buf, len, mprt_abi_id, &err) != DL_OK) {
        dl_raise_err(exc, path, &err);
    }
    if (want != NULL && strcmp(m.name, want) != 0) {
        dl_raisef(exc, "%s holds module '%s', not '%s'", path, m.name, want);
    }
    const dl_image_t *img = mprt_dl_find(m.name);
    if (img != NULL) {
        unsigned st = mprt_dl_state(img);
        bool same = memcmp(img->content_hash, m.content_hash, DL_HASH_LEN) == 0;
        if (!same || !(st & MPRT_DL_IMG_VALID)) {
            if (st & MPRT_DL_IMG_LOADED) {
                dl_raisef(exc, "%s: module '%s' changed but the old one is loaded: reset, then import it again", path, m.name);
            }
            img = install(&m, path, img, exc);
        } else if (st & MPRT_DL_IMG_PENDING) {
            dl_raisef(exc, "%s: '%s' is installed but can only be loaded after a reset", path, m.name);
        }
    } else {
        img = install(&m, path, NULL, exc);
    }
    m_del(uint8_t, buf, len > 0 ? len : 1);
    if (out != NULL) {
        *out = img;
    }
    return load_image(img, exc);
}

// ---- import NAME: NAME.so in sys.path ----

static bool find_so(qstr name, vstr_t *path) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(mp_sys_path, &n, &items);
    for (size_t i = 0; i < n; ++i) {
        vstr_reset(path);
        size_t plen;
        const char *p = mp_obj_str_get_data(items[i], &plen);
        if (plen > 0) {
            vstr_add_strn(path, p, plen);
            vstr_add_char(path, '/');
        }
        vstr_add_str(path, qstr_str(name));
        vstr_add_str(path, ".so");
        if (mp_import_stat(vstr_null_terminated_str(path)) == MP_IMPORT_STAT_FILE) {
            return true;
        }
    }
    return false;
}

mp_obj_t mprt_os_module(void);

mp_obj_t mprt_dl_builtin_import(size_t n_args, const mp_obj_t *args) {
    mp_int_t level = n_args >= 5 ? MP_OBJ_SMALL_INT_VALUE(args[4]) : 0;
    if (level == 0 && mp_obj_is_qstr(args[0]) && MP_OBJ_QSTR_VALUE(args[0]) == MP_QSTR_os) {
        return mprt_os_module();
    }
    if (level == 0 && mp_obj_is_str(args[0]) && strcmp(mp_obj_str_get_str(args[0]), "os.path") == 0) {
        // os is a module, not a package: os.path is its attribute (ports/rp2/posix, the frozen posixpath)
        mp_obj_t path = mp_load_attr(mprt_os_module(), MP_QSTR_path);
        return n_args >= 4 && args[3] != mp_const_none && mp_obj_is_true(args[3]) ? path : mprt_os_module();
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t mod = mp_builtin___import___default(n_args, args);
        nlr_pop();
        return mod;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (level != 0 || !mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_ImportError))) {
        nlr_jump(nlr.ret_val);
    }
    qstr name = mp_obj_str_get_qstr(args[0]);
    if (strchr(qstr_str(name), '.') != NULL) {
        nlr_jump(nlr.ret_val);
    }
    vstr_t path;
    vstr_init(&path, 32);
    if (!find_so(name, &path)) {
        nlr_jump(nlr.ret_val);
    }
    mprt_dl_open(vstr_null_terminated_str(&path), qstr_str(name), &mp_type_ImportError, NULL);
    // As the default import does: the top-level module.
    return mp_builtin___import___default(n_args, args);
}
