// Deterministic mutation fuzzer of the linker's validation and link path, built with ASan+UBSan by
// tests/host/dynlink-fuzz.test.ts:
//   dl_fuzz ITERATIONS SEED [-o DIR EVERY] SEEDFILE...
// Mutates valid modules (bit flips, interesting values in header fields, tables and relocations,
// truncation, extension, chunk copies), mostly with the size field and CRC repaired so the checks past
// the CRC are reached. Every input sits in a buffer of exactly its size, so any read past it is caught.
// Accepted inputs are resolved (with some symbols missing, in RAM or data), linked at random bases and
// emitted whole and through random windows, which must agree; the image must pass dl_image_check().
// With -o, every EVERY-th input is written to DIR with the C verdict, for the TypeScript parity check.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../dynlink.h"

#define MAX_SEEDS (16)
#define REQUIRE(c) do { \
        if (!(c)) { \
            fprintf(stderr, "iteration %lu: invariant failed: %s (line %d)\n", iteration, #c, __LINE__); \
            abort(); \
        } \
} while (0)

static uint64_t rng_state;
static unsigned long iteration;

static uint32_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n) {
    return n == 0 ? 0 : rnd() % n;
}

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t interesting(uint32_t len) {
    static const uint32_t v[] = {
        0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff0, 0xfff1, 0xfff2, 0xffef, 0xffff, 0x10000,
        0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xc0000000, 0xfffffffc, 0xffffffff,
        DL_HEADER_SIZE, DL_MAX_TEXT, DL_MAX_RAM, 4096, 8192,
    };
    switch (below(4)) {
        case 0:
            return v[below(sizeof(v) / sizeof(v[0]))];
        case 1:
            return len + below(9) - 4;
        case 2:
            return below(len + 1);
        default:
            return rnd();
    }
}

// Resolver: the symbol's fate depends on a hash of its name and the iteration's mode.
typedef struct _fuzz_ctx_t {
    uint32_t mode;
} fuzz_ctx_t;

static uint32_t hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; ++i) {
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    }
    return h;
}

static bool fuzz_symbol(void *ctx, const char *name, uint32_t *value) {
    const fuzz_ctx_t *c = ctx;
    uint32_t h = hash(name, strlen(name)) ^ c->mode;
    switch (h % 16) {
        case 0:
            return c->mode % 4 != 0; // sometimes missing
        case 1:
            *value = 0x20000001 + (h & 0x3fffe); // a function in RAM: needs a veneer
            return true;
        case 2:
            *value = 0x20000000 + (h & 0x3fffc); // data
            return true;
        case 3:
            *value = h | 1; // anywhere
            return true;
        default:
            *value = 0x10000001 + (h & 0x1ffffe);
            return true;
    }
}

static bool fuzz_qstr(void *ctx, const char *str, size_t len, bool obj, uint32_t *value) {
    const fuzz_ctx_t *c = ctx;
    uint32_t h = hash(str, len);
    if (h % 64 == 0 && c->mode % 3 == 0) {
        return false;
    }
    *value = obj ? ((h & 0xffff) << 3) | 2 : h & 0xffff;
    return true;
}

static void mutate(uint8_t *b, size_t *len, size_t cap) {
    uint32_t n = *len;
    switch (below(10)) {
        case 0: // bit flip
            if (n) {
                b[below(n)] ^= (uint8_t)(1u << below(8));
            }
            break;
        case 1: // random byte
            if (n) {
                b[below(n)] = (uint8_t)rnd();
            }
            break;
        case 2: // header field
        case 3:
            if (n >= DL_HEADER_SIZE) {
                wr32(b + 4 * below(DL_HEADER_SIZE / 4), interesting(n));
            }
            break;
        case 4: // a word anywhere (tables, strings, code)
            if (n >= 4) {
                wr32(b + (below(n - 3) & ~3u), interesting(n));
            }
            break;
        case 5: { // a relocation record field
            if (n < DL_HEADER_SIZE) {
                break;
            }
            uint32_t off = rd32(b + DL_H_RELOCS_OFF), cnt = rd32(b + DL_H_N_RELOCS);
            if (cnt == 0 || off >= n || cnt > (n - off) / DL_RELOC_SIZE) {
                break;
            }
            uint8_t *r = b + off + DL_RELOC_SIZE * below(cnt);
            switch (below(4)) {
                case 0:
                    r[4] = (uint8_t)below(6);
                    break;
                case 1:
                    r[5] = (uint8_t)below(3);
                    break;
                case 2: {
                    uint32_t t = below(2) ? 0xffee + below(6) : below(rd32(b + DL_H_N_IMPORTS) + 2);
                    r[6] = (uint8_t)t;
                    r[7] = (uint8_t)(t >> 8);
                    break;
                }
                default:
                    wr32(r, below(2) ? rd32(r) + below(9) - 4 : interesting(n));
                    break;
            }
            break;
        }
        case 6: // truncate
            *len = below(n + 1);
            break;
        case 7: { // extend
            uint32_t add = below(64);
            if (n + add <= cap) {
                for (uint32_t i = 0; i < add; ++i) {
                    b[n + i] = (uint8_t)rnd();
                }
                *len = n + add;
            }
            break;
        }
        case 8: { // copy a chunk
            if (n < 8) {
                break;
            }
            uint32_t k = 1 + below(n < 16 ? n : 16), from = below(n - k + 1), to = below(n - k + 1);
            memmove(b + to, b + from, k);
            break;
        }
        default: // u16 header fields / bytes
            if (n >= DL_HEADER_SIZE) {
                b[below(12)] = (uint8_t)interesting(n);
            }
            break;
    }
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

// Resolves, links at random bases and checks the emitted image. Returns the error code.
static dl_errcode_t link_one(const dl_module_t *m) {
    fuzz_ctx_t ctx = {rnd()};
    dl_symbol_resolver_t r = {fuzz_symbol, fuzz_qstr, &ctx};
    dl_error_t err;
    uint32_t *scratch = malloc(sizeof(uint32_t) * (dl_scratch_words(m) + 1));
    dl_errcode_t e = dl_resolve(m, &r, scratch, NULL, NULL, &err);
    if (e == DL_OK) {
        uint32_t flash, ram;
        switch (below(8)) {
            case 0:
                flash = 0xffffffffu - below(0x800000);
                ram = rnd();
                break;
            case 1:
                flash = rnd();
                ram = 0x20000000 + below(0x40000);
                break;
            default:
                flash = 0x10000000 + below(0x200000);
                ram = 0x20000000 + below(0x40000);
                break;
        }
        if (below(8) != 0) {
            flash &= ~3u;
            ram &= ~(m->data_align - 1);
        }
        dl_link_t l;
        e = dl_link_begin(&l, m, scratch, flash, ram, 7, &err);
        if (e == DL_OK) {
            REQUIRE(l.size >= sizeof(dl_image_t) && l.size <= 4 * 1024 * 1024);
            uint8_t *img = malloc(l.size);
            REQUIRE(dl_link_emit(&l, 0, img, l.size, &err) == DL_OK);
            REQUIRE(dl_image_check(img, l.size, flash, &err) == DL_OK);
            for (int k = 0; k < 3; ++k) {
                uint32_t off = below(l.size), n = 1 + below(l.size - off < 300 ? l.size - off : 300);
                uint8_t *w = malloc(n);
                REQUIRE(dl_link_emit(&l, off, w, n, &err) == DL_OK);
                REQUIRE(memcmp(w, img + off, n) == 0);
                free(w);
            }
            uint32_t v;
            (void)dl_image_export(img, flash, "apply", &v);
            // A window past the end is refused.
            uint8_t one;
            REQUIRE(dl_link_emit(&l, l.size, &one, 1, &err) == DL_E_ARG);
            // The image with one byte changed must fail its check, without reading outside it.
            img[below(l.size)] ^= (uint8_t)(1u << below(8));
            (void)dl_image_check(img, l.size, flash, &err);
            free(img);
        }
    }
    free(scratch);
    return e;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: dl_fuzz ITERATIONS SEED [-o DIR EVERY] SEEDFILE...\n");
        return 2;
    }
    unsigned long iterations = strtoul(argv[1], NULL, 0);
    rng_state = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    int a = 3;
    const char *outdir = NULL;
    unsigned long every = 0;
    if (strcmp(argv[a], "-o") == 0 && argc > a + 3) {
        outdir = argv[a + 1];
        every = strtoul(argv[a + 2], NULL, 0);
        a += 3;
    }
    uint8_t *seeds[MAX_SEEDS];
    size_t seed_len[MAX_SEEDS], n_seeds = 0, max_len = 0;
    for (; a < argc && n_seeds < MAX_SEEDS; ++a) {
        seeds[n_seeds] = read_file(argv[a], &seed_len[n_seeds]);
        dl_module_t m;
        dl_error_t err;
        if (dl_parse(&m, seeds[n_seeds], seed_len[n_seeds], NULL, &err) != DL_OK) {
            fprintf(stderr, "seed %s is not valid: %s\n", argv[a], err.msg);
            return 2;
        }
        if (seed_len[n_seeds] > max_len) {
            max_len = seed_len[n_seeds];
        }
        ++n_seeds;
    }
    FILE *verdicts = NULL;
    if (outdir != NULL) {
        char path[512];
        snprintf(path, sizeof(path), "%s/verdicts.txt", outdir);
        verdicts = fopen(path, "w");
    }
    size_t cap = max_len + 64;
    uint8_t *work = malloc(cap);
    unsigned long counts[32] = {0}, linked[32] = {0};
    for (iteration = 0; iteration < iterations; ++iteration) {
        uint32_t s = below((uint32_t)n_seeds);
        size_t len = seed_len[s];
        memcpy(work, seeds[s], len);
        uint32_t k = 1 + below(below(4) == 0 ? 12 : 3);
        for (uint32_t i = 0; i < k; ++i) {
            mutate(work, &len, cap);
        }
        if (len >= DL_HEADER_SIZE) {
            if (below(8) != 0) {
                wr32(work + DL_H_FILE_SIZE, (uint32_t)len);
            }
            if (below(16) != 0) {
                wr32(work + DL_H_CRC32, dl_crc32(0, work + DL_H_CONTENT_HASH, len - DL_H_CONTENT_HASH));
            }
        }
        uint8_t *in = malloc(len ? len : 1);
        memcpy(in, work, len);
        uint8_t abi[DL_HASH_LEN];
        const uint8_t *want = NULL;
        if (len >= DL_H_ABI + DL_HASH_LEN && below(8) != 0) {
            memcpy(abi, in + DL_H_ABI, DL_HASH_LEN);
            if (below(16) == 0) {
                abi[below(DL_HASH_LEN)] ^= 1;
            }
            want = abi;
        }
        dl_module_t m;
        dl_error_t err;
        dl_errcode_t e = dl_parse(&m, in, len, want, &err);
        REQUIRE(e == err.code);
        REQUIRE(e < 32);
        REQUIRE(e == DL_OK || (err.msg[0] != '\0' && strlen(err.msg) < sizeof(err.msg)));
        counts[e]++;
        if (verdicts != NULL && iteration % every == 0) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%07lu.bin", outdir, iteration);
            FILE *f = fopen(path, "wb");
            fwrite(in, 1, len, f);
            fclose(f);
            fprintf(verdicts, "%07lu ", iteration);
            if (want == NULL) {
                fputc('-', verdicts);
            }
            for (int i = 0; want != NULL && i < DL_HASH_LEN; ++i) {
                fprintf(verdicts, "%02x", want[i]);
            }
            fprintf(verdicts, " %s\n", dl_errname(e));
        }
        if (e == DL_OK) {
            linked[link_one(&m)]++;
        }
        free(in);
    }
    if (verdicts != NULL) {
        fclose(verdicts);
    }
    printf("iterations %lu\n", iterations);
    for (int i = 0; i < 32; ++i) {
        if (counts[i]) {
            printf("parse %s %lu\n", dl_errname((dl_errcode_t)i), counts[i]);
        }
    }
    for (int i = 0; i < 32; ++i) {
        if (linked[i]) {
            printf("link %s %lu\n", dl_errname((dl_errcode_t)i), linked[i]);
        }
    }
    free(work);
    for (size_t i = 0; i < n_seeds; ++i) {
        free(seeds[i]);
    }
    return 0;
}
