// lib/kvstore on the host, under ASan+UBSan, over a simulated NOR flash (erase sets 0xff, program ANDs).
// Unit tests print PASS/FAIL name; then the power-cut run: a random sequence of sets and deletes, and for
// every flash call of every change, every way of losing power at that call (before it, partway through
// it in several ways, right after it), after which the store is opened again and must hold exactly the
// state before the change or the one after, and must take further changes. Usage:
// kvstore_host_tests [CHANGES [SEED [SECTORS_PER_BANK]]]
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvstore.h"

#define SECTOR (4096)
#define PAGE (256)
#define MAX_REGION (4 * 2 * SECTOR)

static const char *failed;
static int failed_line;
#define CHECK(x) do { \
        if (!(x)) { \
            failed = #x; \
            failed_line = __LINE__; \
            return; \
        } \
} while (0)

// ---- simulated flash, with a power cut at a chosen call ----

enum cut_mode { CUT_BEFORE, CUT_PREFIX_1, CUT_PREFIX_HALF, CUT_PREFIX_LAST, CUT_RANDOM_BYTES, CUT_GARBAGE, CUT_AFTER, CUT_MODES };
static const char *const cut_names[] = { "before", "first byte", "half", "all but last byte", "random bytes", "garbage", "after" };

typedef struct {
    uint8_t mem[MAX_REGION];
    uint32_t size;
    long calls;     // erase/program calls so far
    long cut_at;    // the call that loses power (-1: none)
    int cut_mode;
    jmp_buf power_lost;
    long erases, programs;
} sim_t;

static sim_t sim;
static uint8_t scratch[PAGE];
static kv_flash_t flash;
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

// Applies the first part of an operation (new bytes `next` over `old`) as the cut mode says, then loses power.
static void partial(uint8_t *dst, const uint8_t *next, uint32_t len) {
    switch (sim.cut_mode) {
        case CUT_BEFORE:
            break;
        case CUT_PREFIX_1:
            memcpy(dst, next, 1);
            break;
        case CUT_PREFIX_HALF:
            memcpy(dst, next, len / 2);
            break;
        case CUT_PREFIX_LAST:
            memcpy(dst, next, len - 1);
            break;
        case CUT_RANDOM_BYTES:
            for (uint32_t i = 0; i < len; i++) {
                if (rnd() & 1) {
                    dst[i] = next[i];
                }
            }
            break;
        case CUT_GARBAGE:
            // an interrupted operation leaves bits undefined: anything between old and new, or worse
            for (uint32_t i = 0; i < len; i++) {
                dst[i] = rnd() & 3 ? (uint8_t)rnd() : next[i];
            }
            break;
        case CUT_AFTER:
            memcpy(dst, next, len);
            break;
    }
    longjmp(sim.power_lost, 1);
}

static void apply(uint32_t offset, const uint8_t *next, uint32_t len) {
    if (sim.calls++ == sim.cut_at) {
        partial(sim.mem + offset, next, len);
    }
    memcpy(sim.mem + offset, next, len);
}

static int sim_erase(void *ctx, uint32_t offset, uint32_t len) {
    (void)ctx;
    if (offset % SECTOR || len % SECTOR || offset + len > sim.size) {
        fprintf(stderr, "bad erase %u %u\n", offset, len);
        abort();
    }
    static uint8_t ones[MAX_REGION];
    memset(ones, 0xff, len);
    sim.erases++;
    apply(offset, ones, len);
    return 0;
}

static int sim_program(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
    (void)ctx;
    if (offset % PAGE || len % PAGE || offset + len > sim.size) {
        fprintf(stderr, "bad program %u %u\n", offset, len);
        abort();
    }
    static uint8_t next[MAX_REGION];
    for (uint32_t i = 0; i < len; i++) {
        next[i] = sim.mem[offset + i] & data[i];
    }
    sim.programs++;
    apply(offset, next, len);
    return 0;
}

static void sim_init(uint32_t sectors_per_bank) {
    memset(&sim, 0, sizeof(sim));
    sim.size = 2 * sectors_per_bank * SECTOR;
    memset(sim.mem, 0xff, sim.size);
    sim.cut_at = -1;
    flash = (kv_flash_t) {
        .base = sim.mem, .size = sim.size, .sector_size = SECTOR, .page_size = PAGE,
        .erase = sim_erase, .program = sim_program, .scratch = scratch,
    };
}

// ---- a model of the store: up to 64 keys ----

#define MODEL_KEYS (64)
typedef struct {
    int n;
    char key[MODEL_KEYS][KV_KEY_MAX + 1];
    uint8_t val[MODEL_KEYS][KV_VALUE_MAX + 1];
    size_t len[MODEL_KEYS];
} model_t;

static int model_find(const model_t *m, const char *key) {
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->key[i], key) == 0) {
            return i;
        }
    }
    return -1;
}

static void model_set(model_t *m, const char *key, const uint8_t *v, size_t len) {
    int i = model_find(m, key);
    if (i < 0) {
        i = m->n++;
        strcpy(m->key[i], key);
    }
    memcpy(m->val[i], v, len);
    m->len[i] = len;
}

static void model_delete(model_t *m, const char *key) {
    int i = model_find(m, key);
    if (i >= 0) {
        m->n--;
        memmove(m->key[i], m->key[i + 1], sizeof(m->key[0]) * (m->n - i));
        memmove(m->val[i], m->val[i + 1], sizeof(m->val[0]) * (m->n - i));
        memmove(&m->len[i], &m->len[i + 1], sizeof(m->len[0]) * (m->n - i));
    }
}

// Whether the store holds exactly the model's keys and values.
static bool store_is(const kv_store_t *kv, const model_t *m) {
    int count = 0;
    kv_iter_t it = { 0 };
    const char *k;
    const uint8_t *v;
    size_t len;
    while (kv_next(kv, &it, &k, &v, &len)) {
        int i = model_find(m, k);
        if (i < 0 || m->len[i] != len || memcmp(m->val[i], v, len) != 0) {
            return false;
        }
        count++;
    }
    return count == m->n;
}

static bool reopened_is(const model_t *m) {
    kv_store_t kv;
    return kv_open(&kv, &flash) == 0 && store_is(&kv, m);
}

// ---- unit tests ----

static void test_empty(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    CHECK(kv.current == -1);
    const uint8_t *v;
    size_t len;
    CHECK(kv_get(&kv, "TZ", &v, &len) == -ENOENT);
    CHECK(kv_delete(&kv, "TZ") == -ENOENT);
    CHECK(kv_used(&kv) == 0);
    CHECK(kv_capacity(&kv) == SECTOR - KV_HEADER_SIZE);
    CHECK(kv_clear(&kv) == 0 && sim.erases == 0);
}

static void test_set_get_delete(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    CHECK(kv_set(&kv, "TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 26) == 0);
    CHECK(kv_set(&kv, "HOSTNAME", "pico", 4) == 0);
    CHECK(kv_set(&kv, "EMPTY", "", 0) == 0);
    const uint8_t *v;
    size_t len;
    CHECK(kv_get(&kv, "TZ", &v, &len) == 0 && len == 26 && strcmp((const char *)v, "CET-1CEST,M3.5.0,M10.5.0/3") == 0);
    CHECK(kv_get(&kv, "EMPTY", &v, &len) == 0 && len == 0 && v[0] == 0);
    CHECK(kv_set(&kv, "TZ", "UTC0", 4) == 0);
    CHECK(kv_get(&kv, "TZ", &v, &len) == 0 && len == 4 && memcmp(v, "UTC0", 4) == 0);
    CHECK(kv_delete(&kv, "HOSTNAME") == 0);
    CHECK(kv_get(&kv, "HOSTNAME", &v, &len) == -ENOENT);
    kv_store_t again;
    CHECK(kv_open(&again, &flash) == 0);
    CHECK(kv_get(&again, "TZ", &v, &len) == 0 && len == 4);
    CHECK(kv_get(&again, "HOSTNAME", &v, &len) == -ENOENT);
    CHECK(again.seq == kv.seq && again.current == kv.current);
    CHECK(kv_clear(&kv) == 0 && kv_used(&kv) == 0);
    CHECK(kv_open(&again, &flash) == 0 && again.current >= 0 && kv_used(&again) == 0);
    CHECK(kv_get(&again, "TZ", &v, &len) == -ENOENT);
}

static void test_binary_values(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    uint8_t data[300];
    for (int i = 0; i < 300; i++) {
        data[i] = i * 37;
    }
    CHECK(kv_set(&kv, "usb.config", data, sizeof(data)) == 0);
    const uint8_t *v;
    size_t len;
    CHECK(kv_get(&kv, "usb.config", &v, &len) == 0 && len == 300 && memcmp(v, data, 300) == 0);
}

static void test_iterate(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    const char *keys[] = { "A", "BB", "CCC" };
    for (int i = 0; i < 3; i++) {
        CHECK(kv_set(&kv, keys[i], keys[i], strlen(keys[i])) == 0);
    }
    kv_iter_t it = { 0 };
    const char *k;
    const uint8_t *v;
    size_t len;
    int n = 0;
    while (kv_next(&kv, &it, &k, &v, &len)) {
        CHECK(strcmp(k, keys[n]) == 0 && len == strlen(keys[n]) && memcmp(v, keys[n], len) == 0);
        n++;
    }
    CHECK(n == 3);
    CHECK(kv_used(&kv) == (3 + 2 + 1 + 1) + (3 + 3 + 2 + 1) + (3 + 4 + 3 + 1));
}

static void test_invalid(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    char long_key[KV_KEY_MAX + 2];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[KV_KEY_MAX + 1] = 0;
    CHECK(kv_set(&kv, "", "x", 1) == -EINVAL);
    CHECK(kv_set(&kv, long_key, "x", 1) == -EINVAL);
    long_key[KV_KEY_MAX] = 0;
    CHECK(kv_set(&kv, long_key, "x", 1) == 0);
    static uint8_t big[KV_VALUE_MAX + 1];
    CHECK(kv_set(&kv, "big", big, KV_VALUE_MAX + 1) == -EINVAL);
    CHECK(sim.erases == 1);
    kv_flash_t bad = flash;
    bad.size = 3 * SECTOR;
    CHECK(kv_open(&kv, &bad) == -EINVAL);
}

static void test_full(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    static uint8_t big[2100];
    memset(big, 'x', sizeof(big));
    CHECK(kv_set(&kv, "a", big, 2100) == 0);
    CHECK(kv_set(&kv, "b", big, 2100) == -ENOSPC);
    size_t room = kv_capacity(&kv) - kv_used(&kv) - (3 + 1 + 1 + 1);
    CHECK(kv_set(&kv, "b", big, room) == 0);
    CHECK(kv_used(&kv) == kv_capacity(&kv));
    CHECK(kv_set(&kv, "c", "", 0) == -ENOSPC);
    // replacing a value by a longer one counts the old one as freed
    CHECK(kv_set(&kv, "b", big, room - 1) == 0);
    CHECK(kv_set(&kv, "b", big, room) == 0);
    CHECK(kv_set(&kv, "b", big, room + 1) == -ENOSPC);
}

static void test_same_value_no_write(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    CHECK(kv_set(&kv, "k", "v", 1) == 0);
    long calls = sim.calls;
    CHECK(kv_set(&kv, "k", "v", 1) == 0);
    CHECK(sim.calls == calls);
    CHECK(kv_set(&kv, "k", "w", 1) == 0);
    CHECK(sim.calls > calls);
}

static void test_alternates_banks(void) {
    sim_init(2);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    for (int i = 0; i < 50; i++) {
        char v[16];
        int n = snprintf(v, sizeof(v), "%d", i);
        CHECK(kv_set(&kv, "count", v, n) == 0);
        CHECK(kv.current == i % 2);
        CHECK(kv.seq == (uint32_t)i + 1);
    }
    CHECK(sim.erases == 50);
    CHECK(kv_capacity(&kv) == 2 * SECTOR - KV_HEADER_SIZE);
}

static void test_sequence_wraps(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    CHECK(kv_set(&kv, "k", "1", 1) == 0);
    kv.seq = 0xfffffffeu; // as if billions of changes had been made
    CHECK(kv_set(&kv, "k", "2", 1) == 0 && kv.seq == 0xffffffffu);
    CHECK(kv_set(&kv, "k", "3", 1) == 0 && kv.seq == 0);
    kv_store_t again;
    CHECK(kv_open(&again, &flash) == 0 && again.seq == 0);
    const uint8_t *v;
    size_t len;
    CHECK(kv_get(&again, "k", &v, &len) == 0 && v[0] == '3');
}

static void test_corrupt_bank_ignored(void) {
    sim_init(1);
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    CHECK(kv_set(&kv, "k", "old", 3) == 0);
    CHECK(kv_set(&kv, "k", "new", 3) == 0);
    // a flipped bit in the newer bank's payload: the older bank is the state
    sim.mem[(uint32_t)kv.current * SECTOR + KV_HEADER_SIZE + 5] ^= 1;
    kv_store_t again;
    CHECK(kv_open(&again, &flash) == 0);
    const uint8_t *v;
    size_t len;
    CHECK(kv_get(&again, "k", &v, &len) == 0 && memcmp(v, "old", 3) == 0);
    // and the next change goes over the corrupt bank
    CHECK(kv_set(&again, "k", "newer", 5) == 0 && again.current == kv.current);
    CHECK(kv_crc32(0, "123456789", 9) == 0xcbf43926u);
}

// ---- power cuts ----

static long cut_runs, cut_old, cut_new, cut_changes;
static long mode_runs[CUT_MODES];

// One random change of the model (set or delete), applied to m; returns the key and value in *key etc.
static void random_change(const model_t *m, char *key, uint8_t *val, size_t *len, bool *del) {
    static const char *const names[] = { "TZ", "HOSTNAME", "TTY", "ROOT", "GC_HEAP", "MP_STACK", "usb", "telnet", "k8", "k9" };
    strcpy(key, names[rnd() % 10]);
    *del = m->n > 0 && rnd() % 4 == 0;
    if (*del) {
        strcpy(key, m->key[rnd() % m->n]);
        return;
    }
    *len = rnd() % 4 == 0 ? rnd() % 900 : rnd() % 40;
    for (size_t i = 0; i < *len; i++) {
        val[i] = (uint8_t)rnd();
    }
}

static int do_change(kv_store_t *kv, const char *key, const uint8_t *val, size_t len, bool del) {
    return del ? kv_delete(kv, key) : kv_set(kv, key, val, len);
}

// Makes the change with the power cut armed: whether the power was lost during it.
static bool change_loses_power(kv_store_t *kv, const char *key, const uint8_t *val, size_t len, bool del) {
    if (setjmp(sim.power_lost) == 0) {
        do_change(kv, key, val, len, del);
        return false;
    }
    return true;
}

static void test_power_cuts(long changes, uint32_t sectors) {
    sim_init(sectors);
    static model_t before, after;
    static uint8_t saved[MAX_REGION];
    memset(&before, 0, sizeof(before));
    kv_store_t kv;
    CHECK(kv_open(&kv, &flash) == 0);
    for (long c = 0; c < changes; c++) {
        char key[KV_KEY_MAX + 1];
        static uint8_t val[KV_VALUE_MAX + 1];
        size_t len = 0;
        bool del;
        random_change(&before, key, val, &len, &del);
        after = before;
        if (del) {
            model_delete(&after, key);
        } else {
            model_set(&after, key, val, len);
        }
        // the change without a cut: how many flash calls it makes
        memcpy(saved, sim.mem, sim.size);
        long start = sim.calls;
        int r = do_change(&kv, key, val, len, del);
        if (r == -ENOSPC) {
            CHECK(reopened_is(&before));
            continue;
        }
        CHECK(r == 0);
        CHECK(store_is(&kv, &after) && reopened_is(&after));
        long calls = sim.calls - start;
        static uint8_t done[MAX_REGION];
        memcpy(done, sim.mem, sim.size);
        cut_changes++;
        for (long at = 0; at < calls; at++) {
            for (int mode = 0; mode < CUT_MODES; mode++) {
                memcpy(sim.mem, saved, sim.size);
                kv_store_t cut;
                CHECK(kv_open(&cut, &flash) == 0 && store_is(&cut, &before));
                sim.cut_at = sim.calls + at;
                sim.cut_mode = mode;
                if (!change_loses_power(&cut, key, val, len, del)) {
                    fprintf(stderr, "no power cut at call %ld of %ld\n", at, calls);
                    CHECK(false);
                }
                sim.cut_at = -1;
                cut_runs++;
                mode_runs[mode]++;
                // power back: the state is the old one or the new one, nothing else
                kv_store_t back;
                CHECK(kv_open(&back, &flash) == 0);
                bool is_old = store_is(&back, &before), is_new = store_is(&back, &after);
                if (!is_old && !is_new) {
                    fprintf(stderr, "change %ld: cut at call %ld/%ld (%s): neither old nor new state\n", c, at, calls, cut_names[mode]);
                    CHECK(false);
                }
                // the new state only once the header page is programmed: the last call, completed
                if (is_new && !(at == calls - 1 && (mode == CUT_AFTER || mode == CUT_PREFIX_LAST || mode == CUT_RANDOM_BYTES || mode == CUT_GARBAGE || mode == CUT_PREFIX_HALF))) {
                    fprintf(stderr, "change %ld: new state before the commit (call %ld/%ld, %s)\n", c, at, calls, cut_names[mode]);
                    CHECK(false);
                }
                cut_old += is_old && !is_new;
                cut_new += is_new;
                // and the store takes the change again after the power cut
                CHECK(do_change(&back, key, val, len, del) == (is_new && del ? -ENOENT : 0));
                CHECK(store_is(&back, &after) && reopened_is(&after));
            }
        }
        memcpy(sim.mem, done, sim.size);
        CHECK(kv_open(&kv, &flash) == 0 && store_is(&kv, &after));
        before = after;
    }
}

// ---- main ----

static int passed, failures;

static void run(const char *name, void (*fn)(void)) {
    failed = NULL;
    fn();
    if (failed) {
        printf("FAIL %s: %s:%d: %s\n", name, __FILE__, failed_line, failed);
        failures++;
    } else {
        printf("PASS %s\n", name);
        passed++;
    }
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    { "empty", test_empty },
    { "set_get_delete", test_set_get_delete },
    { "binary_values", test_binary_values },
    { "iterate", test_iterate },
    { "invalid", test_invalid },
    { "full", test_full },
    { "same_value_no_write", test_same_value_no_write },
    { "alternates_banks", test_alternates_banks },
    { "sequence_wraps", test_sequence_wraps },
    { "corrupt_bank_ignored", test_corrupt_bank_ignored },
};

int main(int argc, char **argv) {
    long changes = argc > 1 ? atol(argv[1]) : 300;
    rng ^= argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    uint32_t sectors = argc > 3 ? (uint32_t)atol(argv[3]) : 1;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        run(tests[i].name, tests[i].fn);
    }
    failed = NULL;
    test_power_cuts(changes, sectors);
    if (failed) {
        printf("FAIL power_cuts: %s:%d: %s\n", __FILE__, failed_line, failed);
        failures++;
    } else {
        printf("PASS power_cuts\n");
        passed++;
    }
    printf("changes %ld\ncuts %ld\nold %ld\nnew %ld\n", cut_changes, cut_runs, cut_old, cut_new);
    for (int m = 0; m < CUT_MODES; m++) {
        printf("mode %s %ld\n", cut_names[m], mode_runs[m]);
    }
    printf("SUMMARY %d passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
