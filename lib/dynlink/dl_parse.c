// Validation of a module file from untrusted bytes. Every offset and count is checked against the
// file length before use; nothing is read outside [buf, buf + len).
#include <string.h>
#include "dl_internal.h"

#define DL_MAX_EXPORTS (1024)

typedef struct _dl_region_t {
    const char *what;
    uint32_t off, size;
} dl_region_t;

uint32_t dl_seg_size(const dl_module_t *m, uint32_t seg) {
    switch (seg) {
        case DL_SEG_TEXT:
            return m->text_size;
        case DL_SEG_DATA:
            return m->data_size;
        case DL_SEG_BSS:
            return m->bss_size;
        default:
            return 0;
    }
}

static bool is_pow2(uint32_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

// A region [off, off + count * entsize) must lie in the file, after the header.
static dl_errcode_t check_region(dl_region_t *r, const char *what, uint32_t off, uint32_t count, uint32_t entsize,
    uint32_t len, dl_error_t *err) {
    uint64_t size = (uint64_t)count * entsize;
    if (size > len || off > len || size > len - off) {
        return dl_fail(err, DL_E_BOUNDS, "%s at 0x%x (%u bytes) outside the file (%u bytes)",
            what, (unsigned)off, (unsigned)(size > 0xffffffffu ? 0xffffffffu : size), (unsigned)len);
    }
    if (size != 0 && off < DL_HEADER_SIZE) {
        return dl_fail(err, DL_E_OVERLAP, "%s at 0x%x overlaps the header", what, (unsigned)off);
    }
    if (entsize > 1 && (off & 3) != 0) {
        return dl_fail(err, DL_E_ALIGN, "%s at 0x%x not 4-byte aligned", what, (unsigned)off);
    }
    r->what = what;
    r->off = off;
    r->size = (uint32_t)size;
    return DL_OK;
}

// A strtab offset naming a string of at most `max` bytes (the strtab ends in NUL, checked first).
static dl_errcode_t check_str(const dl_module_t *m, uint32_t off, uint32_t max, bool empty_ok, const char *what,
    uint32_t index, dl_error_t *err) {
    if (off >= m->strtab_size) {
        return dl_fail(err, DL_E_STRTAB, "%s %u: name offset 0x%x outside the string table (%u bytes)",
            what, (unsigned)index, (unsigned)off, (unsigned)m->strtab_size);
    }
    size_t n = strlen(dl_str(m, off));
    if (n == 0 && !empty_ok) {
        return dl_fail(err, DL_E_STRTAB, "%s %u: empty name", what, (unsigned)index);
    }
    if (n > max) {
        return dl_fail(err, DL_E_STRTAB, "%s %u: name longer than %u bytes", what, (unsigned)index, (unsigned)max);
    }
    return DL_OK;
}

static dl_errcode_t check_ref(const dl_module_t *m, uint32_t ref, bool code, const char *what, uint32_t index,
    dl_error_t *err) {
    uint32_t seg = DL_REF_SEG(ref);
    uint32_t off = DL_REF_OFF(ref);
    if (seg > DL_SEG_BSS) {
        return dl_fail(err, DL_E_REF, "%s %u: bad segment %u", what, (unsigned)index, (unsigned)seg);
    }
    if (code && (seg != DL_SEG_TEXT || (off & 1) == 0)) {
        return dl_fail(err, DL_E_REF, "%s %u: 0x%08x is not a Thumb function in text", what, (unsigned)index,
            (unsigned)ref);
    }
    uint32_t at = seg == DL_SEG_TEXT ? off & ~1u : off;
    if (at > dl_seg_size(m, seg) || (code && at >= dl_seg_size(m, seg))) {
        return dl_fail(err, DL_E_REF, "%s %u: offset 0x%x outside its segment (%u bytes)", what, (unsigned)index,
            (unsigned)at, (unsigned)dl_seg_size(m, seg));
    }
    return DL_OK;
}

static bool is_ident(const char *s) {
    if (*s == '\0' || (*s >= '0' && *s <= '9')) {
        return false;
    }
    for (; *s; ++s) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

static dl_errcode_t check_header(dl_module_t *m, const uint8_t *b, size_t len, const uint8_t *abi, dl_error_t *err) {
    if (len < 4) {
        return dl_fail(err, DL_E_TRUNCATED, "truncated: %u bytes, not even a magic number", (unsigned)len);
    }
    if (b[0] != DL_MAGIC_0 || b[1] != DL_MAGIC_1 || b[2] != DL_MAGIC_2 || b[3] != DL_MAGIC_3) {
        if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
            return dl_fail(err, DL_E_MAGIC, "an ELF file, not a module: pack it with mprt pack-module");
        }
        return dl_fail(err, DL_E_MAGIC, "not a module (bad magic %02x %02x %02x %02x)", b[0], b[1], b[2], b[3]);
    }
    if (len < DL_HEADER_SIZE) {
        return dl_fail(err, DL_E_TRUNCATED, "truncated: %u bytes, the header needs %u", (unsigned)len,
            (unsigned)DL_HEADER_SIZE);
    }
    if (b[DL_H_VERSION] != DL_VERSION) {
        return dl_fail(err, DL_E_VERSION, "format version %u, this firmware reads version %u", b[DL_H_VERSION],
            DL_VERSION);
    }
    if (b[DL_H_CLASS] != DL_CLASS_32) {
        return dl_fail(err, DL_E_CLASS, "class %u: not a 32-bit module", b[DL_H_CLASS]);
    }
    if (b[DL_H_DATA] != DL_DATA_LSB) {
        return dl_fail(err, DL_E_ENDIAN, "data encoding %u: not little-endian", b[DL_H_DATA]);
    }
    uint32_t machine = dl_rd16(b + DL_H_MACHINE);
    uint32_t arch = dl_rd16(b + DL_H_ARCH);
    if (machine != DL_MACHINE_ARM) {
        return dl_fail(err, DL_E_MACHINE, "machine %u: not ARM (40)", (unsigned)machine);
    }
    if (arch != DL_ARCH_V6M) {
        return dl_fail(err, DL_E_MACHINE, "architecture %u: this firmware runs ARMv6-M Thumb (%u)", (unsigned)arch,
            DL_ARCH_V6M);
    }
    uint32_t file_size = dl_rd32(b + DL_H_FILE_SIZE);
    if (file_size > len) {
        return dl_fail(err, DL_E_TRUNCATED, "truncated: %u bytes, the header says %u", (unsigned)len,
            (unsigned)file_size);
    }
    if (file_size != len) {
        return dl_fail(err, DL_E_BOUNDS, "%u bytes after the end the header gives (%u)", (unsigned)(len - file_size),
            (unsigned)file_size);
    }
    uint32_t crc = dl_crc32(0, b + DL_H_CONTENT_HASH, len - DL_H_CONTENT_HASH);
    if (crc != dl_rd32(b + DL_H_CRC32)) {
        return dl_fail(err, DL_E_CORRUPT, "corrupt: CRC-32 is 0x%08x, the header says 0x%08x", (unsigned)crc,
            (unsigned)dl_rd32(b + DL_H_CRC32));
    }
    if (dl_rd32(b + DL_H_FLAGS) != 0 || b[DL_H_RESERVED] != 0) {
        return dl_fail(err, DL_E_VERSION, "unknown flags 0x%x", (unsigned)dl_rd32(b + DL_H_FLAGS));
    }
    if (abi != NULL && memcmp(abi, b + DL_H_ABI, DL_HASH_LEN) != 0) {
        const uint8_t *a = b + DL_H_ABI;
        return dl_fail(err, DL_E_ABI, "built for firmware ABI %02x%02x%02x%02x%02x%02x%02x%02x, "
            "this firmware is %02x%02x%02x%02x%02x%02x%02x%02x: rebuild it with mprt pack-module",
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], abi[0], abi[1], abi[2], abi[3], abi[4], abi[5], abi[6], abi[7]);
    }
    m->buf = b;
    m->len = (uint32_t)len;
    m->content_hash = b + DL_H_CONTENT_HASH;
    m->abi = b + DL_H_ABI;
    return DL_OK;
}

static dl_errcode_t check_layout(dl_module_t *m, dl_error_t *err) {
    const uint8_t *b = m->buf;
    m->init = dl_rd32(b + DL_H_INIT);
    m->text_off = dl_rd32(b + DL_H_TEXT_OFF);
    m->text_size = dl_rd32(b + DL_H_TEXT_SIZE);
    m->text_align = dl_rd32(b + DL_H_TEXT_ALIGN);
    m->data_off = dl_rd32(b + DL_H_DATA_OFF);
    m->data_size = dl_rd32(b + DL_H_DATA_SIZE);
    m->data_align = dl_rd32(b + DL_H_DATA_ALIGN);
    m->bss_size = dl_rd32(b + DL_H_BSS_SIZE);
    m->strtab_off = dl_rd32(b + DL_H_STRTAB_OFF);
    m->strtab_size = dl_rd32(b + DL_H_STRTAB_SIZE);
    m->imports_off = dl_rd32(b + DL_H_IMPORTS_OFF);
    m->n_imports = dl_rd32(b + DL_H_N_IMPORTS);
    m->exports_off = dl_rd32(b + DL_H_EXPORTS_OFF);
    m->n_exports = dl_rd32(b + DL_H_N_EXPORTS);
    m->ctors_off = dl_rd32(b + DL_H_CTORS_OFF);
    m->n_ctors = dl_rd32(b + DL_H_N_CTORS);
    m->qstrs_off = dl_rd32(b + DL_H_QSTRS_OFF);
    m->n_qstrs = dl_rd32(b + DL_H_N_QSTRS);
    m->relocs_off = dl_rd32(b + DL_H_RELOCS_OFF);
    m->n_relocs = dl_rd32(b + DL_H_N_RELOCS);
    m->n_calls = 0;

    if (m->text_size > DL_MAX_TEXT || (m->text_size & 3) != 0) {
        return dl_fail(err, DL_E_BOUNDS, "text size %u: must be a multiple of 4, at most %u", (unsigned)m->text_size,
            (unsigned)DL_MAX_TEXT);
    }
    if (m->data_size > DL_MAX_RAM || m->bss_size > DL_MAX_RAM - m->data_size || (m->data_size & 3) != 0) {
        return dl_fail(err, DL_E_BOUNDS, "data %u + bss %u bytes: data must be a multiple of 4, both at most %u",
            (unsigned)m->data_size, (unsigned)m->bss_size, (unsigned)DL_MAX_RAM);
    }
    if (!is_pow2(m->text_align) || m->text_align < 4 || m->text_align > DL_MAX_ALIGN) {
        return dl_fail(err, DL_E_ALIGN, "text alignment %u: must be a power of two from 4 to %u",
            (unsigned)m->text_align, DL_MAX_ALIGN);
    }
    if (!is_pow2(m->data_align) || m->data_align < 4 || m->data_align > DL_MAX_ALIGN) {
        return dl_fail(err, DL_E_ALIGN, "data alignment %u: must be a power of two from 4 to %u",
            (unsigned)m->data_align, DL_MAX_ALIGN);
    }
    if (m->n_imports > DL_MAX_INDEX + 1 || m->n_qstrs > DL_MAX_INDEX + 1) {
        return dl_fail(err, DL_E_BOUNDS, "too many imports (%u) or qstrs (%u)", (unsigned)m->n_imports,
            (unsigned)m->n_qstrs);
    }
    if (m->n_exports > DL_MAX_EXPORTS) {
        return dl_fail(err, DL_E_BOUNDS, "too many exports (%u, at most %u)", (unsigned)m->n_exports, DL_MAX_EXPORTS);
    }

    dl_region_t r[9];
    r[0].what = "header";
    r[0].off = 0;
    r[0].size = DL_HEADER_SIZE;
    dl_errcode_t e;
    if ((e = check_region(&r[1], "text", m->text_off, m->text_size, 1, m->len, err))
        || (e = check_region(&r[2], "data", m->data_off, m->data_size, 1, m->len, err))
        || (e = check_region(&r[3], "string table", m->strtab_off, m->strtab_size, 1, m->len, err))
        || (e = check_region(&r[4], "import table", m->imports_off, m->n_imports, DL_IMPORT_SIZE, m->len, err))
        || (e = check_region(&r[5], "export table", m->exports_off, m->n_exports, DL_EXPORT_SIZE, m->len, err))
        || (e = check_region(&r[6], "constructor table", m->ctors_off, m->n_ctors, DL_CTOR_SIZE, m->len, err))
        || (e = check_region(&r[7], "qstr table", m->qstrs_off, m->n_qstrs, DL_QSTR_SIZE, m->len, err))
        || (e = check_region(&r[8], "relocation table", m->relocs_off, m->n_relocs, DL_RELOC_SIZE, m->len, err))) {
        return e;
    }
    for (int i = 0; i < 9; ++i) {
        for (int j = i + 1; j < 9; ++j) {
            if (r[i].size != 0 && r[j].size != 0 && r[i].off < r[j].off + r[j].size && r[j].off < r[i].off + r[i].size) {
                return dl_fail(err, DL_E_OVERLAP, "%s [0x%x, +%u) overlaps %s [0x%x, +%u)", r[i].what,
                    (unsigned)r[i].off, (unsigned)r[i].size, r[j].what, (unsigned)r[j].off, (unsigned)r[j].size);
            }
        }
    }
    return DL_OK;
}

static dl_errcode_t check_tables(dl_module_t *m, dl_error_t *err) {
    const uint8_t *b = m->buf;
    dl_errcode_t e;
    if (m->strtab_size == 0 || b[m->strtab_off + m->strtab_size - 1] != '\0') {
        return dl_fail(err, DL_E_STRTAB, "string table is empty or does not end in NUL");
    }
    uint32_t name = dl_rd32(b + DL_H_NAME);
    if ((e = check_str(m, name, DL_MAX_NAME, false, "module name", 0, err))) {
        return e;
    }
    if (!is_ident(dl_str(m, name))) {
        return dl_fail(err, DL_E_NAME, "module name is not an identifier");
    }
    m->name = dl_str(m, name);
    for (uint32_t i = 0; i < m->n_imports; ++i) {
        if ((e = check_str(m, dl_rd32(b + m->imports_off + i * DL_IMPORT_SIZE), m->strtab_size, false, "import", i, err))) {
            return e;
        }
    }
    for (uint32_t i = 0; i < m->n_exports; ++i) {
        const uint8_t *x = b + m->exports_off + i * DL_EXPORT_SIZE;
        if ((e = check_str(m, dl_rd32(x), m->strtab_size, false, "export", i, err))
            || (e = check_ref(m, dl_rd32(x + 4), false, "export", i, err))) {
            return e;
        }
        for (uint32_t j = 0; j < i; ++j) {
            if (strcmp(dl_str(m, dl_rd32(x)), dl_str(m, dl_rd32(b + m->exports_off + j * DL_EXPORT_SIZE))) == 0) {
                return dl_fail(err, DL_E_DUPLICATE, "export %u: '%.40s' exported twice", (unsigned)i, dl_str(m, dl_rd32(x)));
            }
        }
    }
    for (uint32_t i = 0; i < m->n_ctors; ++i) {
        if ((e = check_ref(m, dl_rd32(b + m->ctors_off + i * DL_CTOR_SIZE), true, "constructor", i, err))) {
            return e;
        }
    }
    if (m->init != DL_REF_NONE && (e = check_ref(m, m->init, true, "init entry", 0, err))) {
        return e;
    }
    for (uint32_t i = 0; i < m->n_qstrs; ++i) {
        if ((e = check_str(m, dl_rd32(b + m->qstrs_off + i * DL_QSTR_SIZE), DL_MAX_QSTR_LEN, true, "qstr", i, err))) {
            return e;
        }
    }
    return DL_OK;
}

static dl_errcode_t check_relocs(dl_module_t *m, dl_error_t *err) {
    const uint8_t *b = m->buf;
    uint32_t prev_place = 0, next_free = 0;
    for (uint32_t i = 0; i < m->n_relocs; ++i) {
        const uint8_t *r = b + m->relocs_off + i * DL_RELOC_SIZE;
        uint32_t off = dl_rd32(r);
        uint32_t type = r[4];
        uint32_t place = r[5];
        uint32_t target = dl_rd16(r + 6);
        if (type < DL_R_ABS32 || type > DL_R_QSTR_OBJ) {
            return dl_fail(err, DL_E_RELOC_TYPE, "relocation %u: unsupported type %u", (unsigned)i, (unsigned)type);
        }
        if (place > DL_PLACE_DATA) {
            return dl_fail(err, DL_E_RELOC, "relocation %u: bad place %u", (unsigned)i, (unsigned)place);
        }
        uint32_t size = place == DL_PLACE_TEXT ? m->text_size : m->data_size;
        if (off > size || size - off < 4) {
            return dl_fail(err, DL_E_RELOC, "relocation %u: offset 0x%x outside %s (%u bytes)", (unsigned)i,
                (unsigned)off, place == DL_PLACE_TEXT ? "text" : "data", (unsigned)size);
        }
        if (place < prev_place || (place == prev_place && off < next_free)) {
            return dl_fail(err, DL_E_RELOC, "relocation %u: not sorted, or overlaps the one before", (unsigned)i);
        }
        prev_place = place;
        next_free = off + 4;
        switch (type) {
            case DL_R_ABS32:
                if (target >= m->n_imports && target != DL_TARGET_TEXT && target != DL_TARGET_DATA
                    && target != DL_TARGET_BSS) {
                    return dl_fail(err, DL_E_RELOC, "relocation %u: target %u is neither an import (%u) nor a segment",
                        (unsigned)i, (unsigned)target, (unsigned)m->n_imports);
                }
                break;
            case DL_R_THM_CALL: {
                if (place != DL_PLACE_TEXT || (off & 1) != 0) {
                    return dl_fail(err, DL_E_RELOC, "relocation %u: BL site 0x%x not a halfword in text", (unsigned)i,
                        (unsigned)off);
                }
                if (target >= m->n_imports) {
                    return dl_fail(err, DL_E_RELOC, "relocation %u: BL target %u is not an import (%u)", (unsigned)i,
                        (unsigned)target, (unsigned)m->n_imports);
                }
                const uint8_t *p = b + m->text_off + off;
                if (!dl_thumb_is_bl((uint16_t)dl_rd16(p), (uint16_t)dl_rd16(p + 2))) {
                    return dl_fail(err, DL_E_RELOC, "relocation %u: no BL instruction at text+0x%x", (unsigned)i,
                        (unsigned)off);
                }
                m->n_calls++;
                break;
            }
            default: // DL_R_QSTR, DL_R_QSTR_OBJ
                if (target >= m->n_qstrs) {
                    return dl_fail(err, DL_E_RELOC, "relocation %u: qstr %u out of range (%u)", (unsigned)i,
                        (unsigned)target, (unsigned)m->n_qstrs);
                }
                break;
        }
    }
    return DL_OK;
}

dl_errcode_t dl_parse(dl_module_t *m, const uint8_t *buf, size_t len, const uint8_t *abi, dl_error_t *err) {
    dl_errcode_t e;
    memset(m, 0, sizeof(*m));
    if (err != NULL) {
        err->code = DL_OK;
        err->msg[0] = '\0';
    }
    if (len > DL_MAX_FILE) {
        return dl_fail(err, DL_E_BOUNDS, "file of %lu bytes: at most %u", (unsigned long)len, (unsigned)DL_MAX_FILE);
    }
    if ((e = check_header(m, buf, len, abi, err)) || (e = check_layout(m, err)) || (e = check_tables(m, err))
        || (e = check_relocs(m, err))) {
        memset(m, 0, sizeof(*m));
        return e;
    }
    return DL_OK;
}
