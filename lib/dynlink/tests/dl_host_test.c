// Host driver for the linker's tests (tests/host/dynlink.test.ts builds it with ASan+UBSan):
//   dl_host_test selftest
//   dl_host_test parse FILE [ABI_HEX]                 -> "ok NAME" or "error CODE: MESSAGE"
//   dl_host_test link FILE SYMS FLASH RAM OUT [ABI_HEX] -> image in OUT, layout on stdout
// SYMS has lines "S name value" (imports) and "Q string number" (qstrs; object = number << 3 | 2).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../dynlink.h"

typedef struct _sym_t {
    char kind;
    char name[128];
    uint32_t value;
} sym_t;

typedef struct _syms_t {
    sym_t *v;
    size_t n;
} syms_t;

static int failures;

#define CHECK(c) do { \
        if (!(c)) { \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            ++failures; \
        } \
} while (0)

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    // Exactly `n` bytes, so that ASan flags any read past the end.
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static bool parse_hex(const char *s, uint8_t out[DL_HASH_LEN]) {
    if (strlen(s) != 2 * DL_HASH_LEN) {
        return false;
    }
    for (int i = 0; i < DL_HASH_LEN; ++i) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return false;
        }
        out[i] = (uint8_t)v;
    }
    return true;
}

static bool resolve_symbol(void *ctx, const char *name, uint32_t *value) {
    const syms_t *s = ctx;
    for (size_t i = 0; i < s->n; ++i) {
        if (s->v[i].kind == 'S' && strcmp(s->v[i].name, name) == 0) {
            *value = s->v[i].value;
            return true;
        }
    }
    return false;
}

static bool resolve_qstr(void *ctx, const char *str, size_t len, bool obj, uint32_t *value) {
    const syms_t *s = ctx;
    for (size_t i = 0; i < s->n; ++i) {
        if (s->v[i].kind == 'Q' && strlen(s->v[i].name) == len && memcmp(s->v[i].name, str, len) == 0) {
            *value = obj ? (s->v[i].value << 3) | 2 : s->v[i].value;
            return true;
        }
    }
    return false;
}

// NOR flash as the RP2040's: erase whole sectors to 0xff, program whole pages, bits only cleared.
typedef struct _fake_flash_t {
    uint32_t base;
    uint32_t size;
    uint8_t *mem;
    unsigned erases, programs;
} fake_flash_t;

static int fake_erase(void *ctx, uint32_t addr, uint32_t len) {
    fake_flash_t *f = ctx;
    CHECK(addr % 4096 == 0 && len % 4096 == 0 && addr >= f->base && addr - f->base + len <= f->size);
    memset(f->mem + (addr - f->base), 0xff, len);
    f->erases++;
    return 0;
}

static int fake_program(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len) {
    fake_flash_t *f = ctx;
    CHECK(addr % 256 == 0 && len == 256 && addr >= f->base && addr - f->base + len <= f->size);
    for (uint32_t i = 0; i < len; ++i) {
        CHECK(f->mem[addr - f->base + i] == 0xff);
        f->mem[addr - f->base + i] &= src[i];
    }
    f->programs++;
    return 0;
}

static void print_missing(void *ctx, const char *name) {
    (void)ctx;
    printf("missing %s\n", name);
}

static int cmd_parse(int argc, char **argv) {
    size_t len;
    uint8_t *buf = read_file(argv[2], &len);
    uint8_t abi[DL_HASH_LEN];
    if (argc > 3 && !parse_hex(argv[3], abi)) {
        return 2;
    }
    dl_module_t m;
    dl_error_t err;
    if (dl_parse(&m, buf, len, argc > 3 ? abi : NULL, &err) != DL_OK) {
        printf("error %s: %s\n", dl_errname(err.code), err.msg);
        free(buf);
        return 1;
    }
    printf("ok %s\n", m.name);
    free(buf);
    return 0;
}

static int link_fail(const dl_error_t *err) {
    printf("error %s: %s\n", dl_errname(err->code), err->msg);
    return 1;
}

static int do_link(int argc, char **argv, const uint8_t *buf, size_t len, syms_t *syms, uint32_t **scratch, uint8_t **img) {
    uint32_t flash = (uint32_t)strtoul(argv[4], NULL, 0);
    uint32_t ram = (uint32_t)strtoul(argv[5], NULL, 0);
    uint8_t abi[DL_HASH_LEN];
    if (argc > 7 && !parse_hex(argv[7], abi)) {
        return 2;
    }
    dl_module_t m;
    dl_error_t err;
    dl_symbol_resolver_t r = {resolve_symbol, resolve_qstr, syms};
    if (dl_parse(&m, buf, len, argc > 7 ? abi : NULL, &err) != DL_OK) {
        return link_fail(&err);
    }
    *scratch = malloc(sizeof(uint32_t) * (dl_scratch_words(&m) + 1));
    dl_link_t l;
    if (dl_resolve(&m, &r, *scratch, print_missing, NULL, &err) != DL_OK
        || dl_link_begin(&l, &m, *scratch, flash, ram, 0x1234, &err) != DL_OK) {
        return link_fail(&err);
    }
    *img = malloc(l.size);
    if (dl_link_emit(&l, 0, *img, l.size, &err) != DL_OK) {
        return link_fail(&err);
    }
    // The same image emitted through small windows of odd sizes, in reverse order.
    static const uint32_t windows[] = {1, 3, 7, 64, 256, 4096};
    for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); ++w) {
        uint8_t *page = malloc(windows[w]);
        uint32_t last = (l.size - 1) / windows[w] * windows[w];
        for (int64_t off = last; off >= 0; off -= windows[w]) {
            uint32_t n = l.size - (uint32_t)off < windows[w] ? l.size - (uint32_t)off : windows[w];
            CHECK(dl_link_emit(&l, (uint32_t)off, page, n, &err) == DL_OK);
            CHECK(memcmp(page, *img + off, n) == 0);
        }
        free(page);
    }
    CHECK(dl_image_check(*img, l.size, flash, &err) == DL_OK);
    // Installed through page-sized programming into a fake NOR flash (when the base is sector-aligned).
    if (flash % 4096 == 0) {
        fake_flash_t nor = {flash, (l.size + 4095) / 4096 * 4096 + 4096, NULL, 0, 0};
        nor.mem = malloc(nor.size);
        memset(nor.mem, 0x5a, nor.size);
        dl_flash_ops_t ops = {fake_erase, fake_program, &nor, 4096, 256};
        uint8_t page[256];
        CHECK(dl_install(&l, &ops, page, &err) == DL_OK);
        CHECK(memcmp(nor.mem, *img, l.size) == 0);
        CHECK(nor.erases == 1 && nor.programs == (l.size + 255) / 256);
        CHECK(nor.mem[nor.size - 1] == 0x5a);
        CHECK(dl_image_check(nor.mem, nor.size, flash, &err) == DL_OK);
        dl_flash_ops_t bad = ops;
        bad.sector_size = 1000;
        CHECK(dl_install(&l, &bad, page, &err) == DL_E_ARG);
        printf("installed %u pages\n", nor.programs);
        free(nor.mem);
    }
    FILE *o = fopen(argv[6], "wb");
    if (o == NULL) {
        perror(argv[6]);
        return 2;
    }
    fwrite(*img, 1, l.size, o);
    fclose(o);
    printf("size %u\ntext_off %u\nveneers_off %u\nn_veneers %u\ndata_init_off %u\nctors_off %u\nexports_off %u\n"
        "qstrs_off %u\nstrings_off %u\nram_size %u\n", (unsigned)l.size, (unsigned)l.text_off, (unsigned)l.veneers_off,
        (unsigned)l.n_veneers, (unsigned)l.data_init_off, (unsigned)l.ctors_off, (unsigned)l.exports_off,
        (unsigned)l.qstrs_off, (unsigned)l.strings_off, (unsigned)dl_ram_size(&m));
    for (uint32_t i = 0; i < m.n_exports; ++i) {
        const uint8_t *x = m.buf + m.exports_off + 8 * i;
        const char *name = (const char *)m.buf + m.strtab_off + (x[0] | x[1] << 8 | x[2] << 16);
        uint32_t v;
        CHECK(dl_image_export(*img, flash, name, &v));
        printf("export %s 0x%08x\n", name, (unsigned)v);
    }
    return failures ? 3 : 0;
}

static int cmd_link(int argc, char **argv) {
    size_t len;
    uint8_t *buf = read_file(argv[2], &len);
    syms_t syms = {malloc(sizeof(sym_t) * 4096), 0};
    FILE *f = fopen(argv[3], "r");
    if (f == NULL) {
        perror(argv[3]);
        return 2;
    }
    while (syms.n < 4096 && fscanf(f, " %c %127s %x", &syms.v[syms.n].kind, syms.v[syms.n].name, &syms.v[syms.n].value) == 3) {
        ++syms.n;
    }
    fclose(f);
    uint32_t *scratch = NULL;
    uint8_t *img = NULL;
    int rc = do_link(argc, argv, buf, len, &syms, &scratch, &img);
    free(img);
    free(scratch);
    free(syms.v);
    free(buf);
    return rc;
}

static void selftest(void) {
    // CRC-32 check value.
    CHECK(dl_crc32(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u);
    CHECK(dl_crc32(dl_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) == 0xcbf43926u);
    // BL round trip over the whole range, and the limits.
    for (int32_t imm = -16777216; imm <= 16777214; imm += 2 * 4099) {
        uint16_t hi, lo;
        CHECK(dl_thumb_bl_encode(imm, &hi, &lo));
        CHECK(dl_thumb_is_bl(hi, lo));
        CHECK((int32_t)dl_thumb_bl_decode(hi, lo) == imm);
    }
    uint16_t hi, lo;
    CHECK(dl_thumb_bl_encode(16777214, &hi, &lo) && (int32_t)dl_thumb_bl_decode(hi, lo) == 16777214);
    CHECK(dl_thumb_bl_encode(-16777216, &hi, &lo) && (int32_t)dl_thumb_bl_decode(hi, lo) == -16777216);
    CHECK(!dl_thumb_bl_encode(16777216, &hi, &lo));
    CHECK(!dl_thumb_bl_encode(-16777218, &hi, &lo));
    CHECK(!dl_thumb_bl_encode(3, &hi, &lo));
    // "bl .-4+4" as GCC writes it for an external call: f7ff fffe (addend -4).
    CHECK(dl_thumb_bl_decode(0xf7ff, 0xfffe) == (uint32_t)-4);
    CHECK(!dl_thumb_is_bl(0x4770, 0x4770));
    CHECK(!dl_thumb_is_bl(0xf000, 0x8000)); // B<c>.W (T3), not BL
    uint8_t v[DL_VENEER_SIZE];
    dl_thumb_veneer(v, 0x20000101);
    static const uint8_t want[DL_VENEER_SIZE] = {0x03, 0xb4, 0x01, 0x48, 0x01, 0x90, 0x01, 0xbd, 0x01, 0x01, 0x00, 0x20};
    CHECK(memcmp(v, want, sizeof(want)) == 0);
    CHECK(strcmp(dl_errname(DL_E_ABI), "ABI mismatch") == 0);
    CHECK(strcmp(dl_errname((dl_errcode_t)999), "unknown error") == 0);
    // Tiny inputs are refused without reading past them.
    for (size_t n = 0; n < DL_HEADER_SIZE; ++n) {
        uint8_t *b = malloc(n ? n : 1);
        memset(b, 0, n);
        if (n >= 4) {
            memcpy(b, "MPDL", 4);
        }
        dl_module_t m;
        dl_error_t err;
        CHECK(dl_parse(&m, b, n, NULL, &err) == (n < 4 ? DL_E_TRUNCATED : DL_E_TRUNCATED));
        free(b);
    }
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
        selftest();
        printf("%s\n", failures ? "FAIL" : "ok");
        return failures ? 1 : 0;
    }
    if (argc >= 3 && strcmp(argv[1], "parse") == 0) {
        return cmd_parse(argc, argv);
    }
    if (argc >= 7 && strcmp(argv[1], "link") == 0) {
        return cmd_link(argc, argv);
    }
    fprintf(stderr, "usage: dl_host_test selftest | parse FILE [ABI] | link FILE SYMS FLASH RAM OUT [ABI]\n");
    return 2;
}
