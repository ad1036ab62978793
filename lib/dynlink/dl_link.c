// Linking a validated module: resolve its imports and qstrs, lay out the installed image, and emit
// it window by window with every relocation applied (so a one-page buffer is enough).
#include <string.h>
#include "dl_internal.h"

// Scratch layout: import values, qstr numbers, qstr objects, veneer slot + 1 per import (0 = none).
#define SCR_QSTR(m) ((m)->n_imports)
#define SCR_QOBJ(m) ((m)->n_imports + (m)->n_qstrs)
#define SCR_VENEER(m) ((m)->n_imports + 2 * (m)->n_qstrs)

_Static_assert(sizeof(dl_image_t) % 4 == 0, "dl_image_t is a sequence of words");

size_t dl_scratch_words(const dl_module_t *m) {
    return 2 * (size_t)m->n_imports + 2 * (size_t)m->n_qstrs;
}

dl_errcode_t dl_resolve(const dl_module_t *m, const dl_symbol_resolver_t *r, uint32_t *scratch,
    void (*missing)(void *ctx, const char *name), void *missing_ctx, dl_error_t *err) {
    const char *first = NULL;
    uint32_t n_missing = 0;
    for (uint32_t i = 0; i < m->n_imports; ++i) {
        const char *name = dl_str(m, dl_rd32(m->buf + m->imports_off + i * DL_IMPORT_SIZE));
        scratch[i] = 0;
        if (!r->symbol(r->ctx, name, &scratch[i])) {
            if (first == NULL) {
                first = name;
            }
            ++n_missing;
            if (missing != NULL) {
                missing(missing_ctx, name);
            }
        }
    }
    if (n_missing != 0) {
        return dl_fail(err, DL_E_SYMBOL, "%u undefined symbol%s, first '%.60s'", (unsigned)n_missing,
            n_missing == 1 ? "" : "s", first);
    }
    for (uint32_t i = 0; i < m->n_qstrs; ++i) {
        const char *s = dl_str(m, dl_rd32(m->buf + m->qstrs_off + i * DL_QSTR_SIZE));
        size_t len = strlen(s);
        if (!r->qstr(r->ctx, s, len, false, &scratch[SCR_QSTR(m) + i])
            || !r->qstr(r->ctx, s, len, true, &scratch[SCR_QOBJ(m) + i])) {
            return dl_fail(err, DL_E_QSTR, "cannot intern qstr '%.60s'", s);
        }
    }
    for (uint32_t i = 0; i < m->n_imports; ++i) {
        scratch[SCR_VENEER(m) + i] = 0;
    }
    return DL_OK;
}

static const uint8_t *reloc_at(const dl_module_t *m, uint32_t i) {
    return m->buf + m->relocs_off + i * DL_RELOC_SIZE;
}

// The BL offset for a call site at `p` to `target` (even); false if out of reach.
static bool bl_imm(const uint8_t *site, uint32_t p, uint32_t target, uint16_t *hi, uint16_t *lo) {
    uint32_t a = dl_thumb_bl_decode((uint16_t)dl_rd16(site), (uint16_t)dl_rd16(site + 2));
    int64_t x = (int64_t)target + (int32_t)a - (int64_t)p;
    if (x < INT32_MIN || x > INT32_MAX) {
        return false;
    }
    return dl_thumb_bl_encode((int32_t)x, hi, lo);
}

dl_errcode_t dl_link_begin(dl_link_t *l, const dl_module_t *m, uint32_t *scratch,
    uint32_t flash_base, uint32_t ram_base, uint32_t link_id, dl_error_t *err) {
    memset(l, 0, sizeof(*l));
    if ((flash_base & 3) != 0 || (ram_base & (m->data_align - 1)) != 0) {
        return dl_fail(err, DL_E_ARG, "flash base 0x%08x must be 4-aligned, RAM base 0x%08x %u-aligned",
            (unsigned)flash_base, (unsigned)ram_base, (unsigned)m->data_align);
    }
    l->m = m;
    l->values = scratch;
    l->flash_base = flash_base;
    l->ram_base = ram_base;
    l->link_id = link_id;
    // Files are at most DL_MAX_FILE bytes, so every offset below fits in 32 bits; the addresses are
    // checked against the top of the address space once the size is known.
    uint64_t text_addr64 = ((uint64_t)flash_base + sizeof(dl_image_t) + m->text_align - 1) & ~(uint64_t)(m->text_align - 1);
    l->text_off = (uint32_t)(text_addr64 - flash_base);
    l->veneers_off = l->text_off + m->text_size;
    for (uint32_t i = 0; i < m->n_imports; ++i) {
        scratch[SCR_VENEER(m) + i] = 0;
    }

    // Decide which imports need a veneer: any BL to them that cannot reach.
    uint32_t text_addr = flash_base + l->text_off;
    for (uint32_t i = 0; i < m->n_relocs; ++i) {
        const uint8_t *r = reloc_at(m, i);
        if (r[4] != DL_R_THM_CALL) {
            continue;
        }
        uint32_t off = dl_rd32(r);
        uint32_t target = dl_rd16(r + 6);
        uint32_t s = scratch[target];
        if ((s & 1) == 0) {
            return dl_fail(err, DL_E_RELOC, "call at text+0x%x to '%.50s', which is not a Thumb function", (unsigned)off,
                dl_str(m, dl_rd32(m->buf + m->imports_off + target * DL_IMPORT_SIZE)));
        }
        uint16_t hi, lo;
        if (!bl_imm(m->buf + m->text_off + off, text_addr + off, s & ~1u, &hi, &lo)) {
            scratch[SCR_VENEER(m) + target] = 1;
        }
    }
    for (uint32_t i = 0; i < m->n_imports; ++i) {
        if (scratch[SCR_VENEER(m) + i] != 0) {
            scratch[SCR_VENEER(m) + i] = ++l->n_veneers;
        }
    }
    l->data_init_off = l->veneers_off + l->n_veneers * DL_VENEER_SIZE;
    l->ctors_off = l->data_init_off + m->data_size;
    l->exports_off = l->ctors_off + m->n_ctors * 4;
    l->qstrs_off = l->exports_off + m->n_exports * 8;
    l->strings_off = l->qstrs_off + m->n_qstrs * 8;
    l->size = dl_align_up(l->strings_off + m->strtab_size, 4);
    if ((uint64_t)flash_base + l->size > 0x100000000ull || (uint64_t)ram_base + dl_ram_size(m) > 0x100000000ull) {
        return dl_fail(err, DL_E_ARG, "image of %u bytes at 0x%08x or %u bytes of RAM at 0x%08x past the address space",
            (unsigned)l->size, (unsigned)flash_base, (unsigned)dl_ram_size(m), (unsigned)ram_base);
    }

    // Every veneered call must now reach its veneer (text is at most 1 MiB, so it does).
    for (uint32_t i = 0; i < m->n_relocs; ++i) {
        const uint8_t *r = reloc_at(m, i);
        uint32_t target = dl_rd16(r + 6);
        if (r[4] != DL_R_THM_CALL || scratch[SCR_VENEER(m) + target] == 0) {
            continue;
        }
        uint32_t off = dl_rd32(r);
        uint32_t v = flash_base + l->veneers_off + (scratch[SCR_VENEER(m) + target] - 1) * DL_VENEER_SIZE;
        uint16_t hi, lo;
        if (!bl_imm(m->buf + m->text_off + off, text_addr + off, v, &hi, &lo)) {
            return dl_fail(err, DL_E_RANGE, "call at text+0x%x cannot reach its veneer", (unsigned)off);
        }
    }

    // The image CRC covers everything after the crc field: emit once to compute it.
    uint8_t chunk[64];
    uint32_t crc = 0;
    for (uint32_t off = 12; off < l->size; off += sizeof(chunk)) {
        uint32_t n = l->size - off < sizeof(chunk) ? l->size - off : (uint32_t)sizeof(chunk);
        dl_errcode_t e = dl_link_emit(l, off, chunk, n, err);
        if (e != DL_OK) {
            return e;
        }
        crc = dl_crc32(crc, chunk, n);
    }
    l->crc32 = crc;
    return DL_OK;
}

// Copies the part of [at, at + len) that falls in the window [off, off + n).
static void put(uint8_t *out, uint32_t off, uint32_t n, uint32_t at, const uint8_t *src, uint32_t len) {
    uint32_t lo = at > off ? at : off;
    uint32_t hi = at + len < off + n ? at + len : off + n;
    if (lo < hi) {
        memcpy(out + (lo - off), src + (lo - at), hi - lo);
    }
}

static void put32(uint8_t *out, uint32_t off, uint32_t n, uint32_t at, uint32_t v) {
    uint8_t w[4];
    dl_wr32(w, v);
    put(out, off, n, at, w, 4);
}

// Absolute address of a ref.
static uint32_t ref_addr(const dl_link_t *l, uint32_t ref) {
    uint32_t off = DL_REF_OFF(ref);
    switch (DL_REF_SEG(ref)) {
        case DL_SEG_TEXT:
            return l->flash_base + l->text_off + off;
        case DL_SEG_DATA:
            return l->ram_base + off;
        default:
            return l->ram_base + l->m->data_size + off;
    }
}

// Index of the first relocation in `place` whose site ends after segment offset `seg_off`.
static uint32_t first_reloc(const dl_module_t *m, uint32_t place, uint32_t seg_off) {
    uint32_t lo = 0, hi = m->n_relocs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint8_t *r = reloc_at(m, mid);
        if (r[5] < place || (r[5] == place && dl_rd32(r) + 4 <= seg_off)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Emits segment `place` (its file bytes at `src`, `size` bytes, at image offset `at`) with its
// relocations applied, clipped to the window.
static dl_errcode_t emit_segment(const dl_link_t *l, uint32_t place, uint32_t at, const uint8_t *src, uint32_t size,
    uint32_t off, uint8_t *out, uint32_t n, dl_error_t *err) {
    const dl_module_t *m = l->m;
    if (at >= off + n || at + size <= off) {
        return DL_OK;
    }
    put(out, off, n, at, src, size);
    uint32_t seg_lo = off > at ? off - at : 0;
    uint32_t seg_hi = off + n - at;
    for (uint32_t i = first_reloc(m, place, seg_lo); i < m->n_relocs; ++i) {
        const uint8_t *r = reloc_at(m, i);
        uint32_t site = dl_rd32(r);
        if (r[5] != place || site >= seg_hi) {
            break;
        }
        uint32_t target = dl_rd16(r + 6);
        uint8_t w[4];
        memcpy(w, src + site, 4);
        switch (r[4]) {
            case DL_R_ABS32: {
                uint32_t s;
                if (target == DL_TARGET_TEXT) {
                    s = l->flash_base + l->text_off;
                } else if (target == DL_TARGET_DATA) {
                    s = l->ram_base;
                } else if (target == DL_TARGET_BSS) {
                    s = l->ram_base + m->data_size;
                } else {
                    s = l->values[target];
                }
                dl_wr32(w, dl_rd32(w) + s);
                break;
            }
            case DL_R_THM_CALL: {
                uint32_t v = l->values[SCR_VENEER(m) + target];
                uint32_t dest = v != 0 ? l->flash_base + l->veneers_off + (v - 1) * DL_VENEER_SIZE : l->values[target] & ~1u;
                uint16_t hi, lo;
                if (!bl_imm(w, l->flash_base + at + site, dest, &hi, &lo)) {
                    return dl_fail(err, DL_E_RANGE, "call at text+0x%x out of range", (unsigned)site);
                }
                w[0] = (uint8_t)hi;
                w[1] = (uint8_t)(hi >> 8);
                w[2] = (uint8_t)lo;
                w[3] = (uint8_t)(lo >> 8);
                break;
            }
            case DL_R_QSTR:
                dl_wr32(w, dl_rd32(w) + l->values[SCR_QSTR(m) + target]);
                break;
            default: // DL_R_QSTR_OBJ
                dl_wr32(w, dl_rd32(w) + l->values[SCR_QOBJ(m) + target]);
                break;
        }
        put(out, off, n, at + site, w, 4);
    }
    return DL_OK;
}

static void emit_header(const dl_link_t *l, uint32_t off, uint8_t *out, uint32_t n) {
    const dl_module_t *m = l->m;
    dl_image_t h;
    uint32_t strings = l->flash_base + l->strings_off;
    h.magic = DL_IMAGE_MAGIC;
    h.size = l->size;
    h.crc32 = l->crc32;
    memcpy(h.content_hash, m->content_hash, DL_HASH_LEN);
    memcpy(h.abi, m->abi, DL_HASH_LEN);
    h.link_id = l->link_id;
    h.name = strings + (uint32_t)(m->name - (const char *)m->buf - m->strtab_off);
    h.text = l->flash_base + l->text_off;
    h.text_size = m->text_size + l->n_veneers * DL_VENEER_SIZE;
    h.data_init = l->flash_base + l->data_init_off;
    h.ram = l->ram_base;
    h.ram_align = m->data_align;
    h.data_size = m->data_size;
    h.bss_size = m->bss_size;
    h.init = m->init == DL_REF_NONE ? 0 : ref_addr(l, m->init);
    h.ctors = l->flash_base + l->ctors_off;
    h.n_ctors = m->n_ctors;
    h.exports = l->flash_base + l->exports_off;
    h.n_exports = m->n_exports;
    h.qstrs = l->flash_base + l->qstrs_off;
    h.n_qstrs = m->n_qstrs;
    h.strings = strings;
    h.strings_size = m->strtab_size;
    // Both the host and the RP2040 are little-endian, so the struct's bytes are the image's.
    put(out, off, n, 0, (const uint8_t *)&h, sizeof(h));
}

dl_errcode_t dl_link_emit(const dl_link_t *l, uint32_t off, uint8_t *out, uint32_t n, dl_error_t *err) {
    const dl_module_t *m = l->m;
    if (off > l->size || n > l->size - off) {
        return dl_fail(err, DL_E_ARG, "window [0x%x, +%u) outside the image (%u bytes)", (unsigned)off, (unsigned)n,
            (unsigned)l->size);
    }
    memset(out, 0xff, n);
    if (off < sizeof(dl_image_t)) {
        emit_header(l, off, out, n);
    }
    dl_errcode_t e = emit_segment(l, DL_PLACE_TEXT, l->text_off, m->buf + m->text_off, m->text_size, off, out, n, err);
    if (e != DL_OK) {
        return e;
    }
    if (l->veneers_off < off + n && l->data_init_off > off) {
        for (uint32_t i = 0; i < m->n_imports; ++i) {
            uint32_t v = l->values[SCR_VENEER(m) + i];
            if (v != 0) {
                uint8_t code[DL_VENEER_SIZE];
                dl_thumb_veneer(code, l->values[i]);
                put(out, off, n, l->veneers_off + (v - 1) * DL_VENEER_SIZE, code, DL_VENEER_SIZE);
            }
        }
    }
    e = emit_segment(l, DL_PLACE_DATA, l->data_init_off, m->buf + m->data_off, m->data_size, off, out, n, err);
    if (e != DL_OK) {
        return e;
    }
    if (l->ctors_off < off + n && l->strings_off > off) {
        for (uint32_t i = 0; i < m->n_ctors; ++i) {
            put32(out, off, n, l->ctors_off + 4 * i, ref_addr(l, dl_rd32(m->buf + m->ctors_off + i * DL_CTOR_SIZE)));
        }
        for (uint32_t i = 0; i < m->n_exports; ++i) {
            const uint8_t *x = m->buf + m->exports_off + i * DL_EXPORT_SIZE;
            put32(out, off, n, l->exports_off + 8 * i, l->flash_base + l->strings_off + dl_rd32(x));
            put32(out, off, n, l->exports_off + 8 * i + 4, ref_addr(l, dl_rd32(x + 4)));
        }
        for (uint32_t i = 0; i < m->n_qstrs; ++i) {
            put32(out, off, n, l->qstrs_off + 8 * i,
                l->flash_base + l->strings_off + dl_rd32(m->buf + m->qstrs_off + i * DL_QSTR_SIZE));
            put32(out, off, n, l->qstrs_off + 8 * i + 4, l->values[SCR_QSTR(m) + i]);
        }
    }
    put(out, off, n, l->strings_off, m->buf + m->strtab_off, m->strtab_size);
    return DL_OK;
}
