// A small power-safe key-value store on two flash banks: see kvstore.h and docs/environment.md.
#include <errno.h>
#include <string.h>
#include "kvstore.h"

#define REC_HEAD (3) // u8 key length, u16 value length (little-endian)

uint32_t kv_crc32(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = data;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static uint32_t bank_size(const kv_flash_t *fl) {
    return fl->size / 2;
}

static const uint8_t *bank_at(const kv_flash_t *fl, int bank) {
    return fl->base + (uint32_t)bank * bank_size(fl);
}

// The record at `pos` of a payload of `len` bytes: its size, or 0 if it is malformed.
static uint32_t record_size(const uint8_t *payload, uint32_t len, uint32_t pos) {
    if (len - pos < REC_HEAD) {
        return 0;
    }
    const uint8_t *r = payload + pos;
    uint32_t klen = r[0];
    uint32_t vlen = (uint32_t)r[1] | (uint32_t)r[2] << 8;
    uint32_t size = REC_HEAD + klen + 1 + vlen + 1;
    if (klen == 0 || vlen > KV_VALUE_MAX || size > len - pos) {
        return 0;
    }
    const char *key = (const char *)r + REC_HEAD;
    if (memchr(key, 0, klen) != NULL || key[klen] != 0 || key[klen + 1 + vlen] != 0) {
        return 0;
    }
    return size;
}

// Whether a bank holds a committed state; its sequence number and payload length if so.
static bool bank_valid(const kv_flash_t *fl, int bank, uint32_t *seq, uint32_t *len) {
    const uint8_t *b = bank_at(fl, bank);
    if (get32(b) != KV_MAGIC) {
        return false;
    }
    uint32_t n = get32(b + 8);
    if (n > bank_size(fl) - KV_HEADER_SIZE) {
        return false;
    }
    uint32_t crc = kv_crc32(kv_crc32(0, b, 12), b + KV_HEADER_SIZE, n);
    if (crc != get32(b + 12)) {
        return false;
    }
    for (uint32_t pos = 0; pos < n;) {
        uint32_t size = record_size(b + KV_HEADER_SIZE, n, pos);
        if (size == 0) {
            return false;
        }
        pos += size;
    }
    *seq = get32(b + 4);
    *len = n;
    return true;
}

int kv_open(kv_store_t *kv, const kv_flash_t *fl) {
    kv->flash = fl;
    kv->current = -1;
    kv->seq = 0;
    kv->length = 0;
    kv->writes = 0;
    if (fl->sector_size == 0 || fl->page_size == 0 || fl->sector_size % fl->page_size != 0
        || fl->size == 0 || fl->size % (2 * fl->sector_size) != 0 || fl->page_size < KV_HEADER_SIZE) {
        return -EINVAL;
    }
    for (int bank = 0; bank < 2; bank++) {
        uint32_t seq, len;
        if (bank_valid(fl, bank, &seq, &len) && (kv->current < 0 || (int32_t)(seq - kv->seq) > 0)) {
            kv->current = bank;
            kv->seq = seq;
            kv->length = len;
        }
    }
    return 0;
}

static const uint8_t *payload(const kv_store_t *kv) {
    return bank_at(kv->flash, kv->current) + KV_HEADER_SIZE;
}

bool kv_next(const kv_store_t *kv, kv_iter_t *it, const char **key, const uint8_t **value, size_t *len) {
    if (kv->current < 0 || it->pos >= kv->length) {
        return false;
    }
    const uint8_t *r = payload(kv) + it->pos;
    uint32_t klen = r[0];
    uint32_t vlen = (uint32_t)r[1] | (uint32_t)r[2] << 8;
    *key = (const char *)r + REC_HEAD;
    *value = r + REC_HEAD + klen + 1;
    *len = vlen;
    it->pos += REC_HEAD + klen + 1 + vlen + 1;
    return true;
}

int kv_get(const kv_store_t *kv, const char *key, const uint8_t **value, size_t *len) {
    kv_iter_t it = { 0 };
    const char *k;
    while (kv_next(kv, &it, &k, value, len)) {
        if (strcmp(k, key) == 0) {
            return 0;
        }
    }
    return -ENOENT;
}

size_t kv_capacity(const kv_store_t *kv) {
    return bank_size(kv->flash) - KV_HEADER_SIZE;
}

size_t kv_used(const kv_store_t *kv) {
    return kv->current < 0 ? 0 : kv->length;
}

static uint32_t put_record(uint8_t *dst, const char *key, size_t klen, const uint8_t *value, size_t vlen) {
    dst[0] = klen;
    dst[1] = vlen;
    dst[2] = vlen >> 8;
    memcpy(dst + REC_HEAD, key, klen);
    dst[REC_HEAD + klen] = 0;
    memcpy(dst + REC_HEAD + klen + 1, value, vlen);
    dst[REC_HEAD + klen + 1 + vlen] = 0;
    return REC_HEAD + klen + 1 + vlen + 1;
}

// Writes the state built in the scratch buffer (payload of `len` bytes after the header) into the
// bank that is not current, header page last, and makes it current once it reads back valid.
static int commit(kv_store_t *kv, uint32_t len) {
    const kv_flash_t *fl = kv->flash;
    uint8_t *s = fl->scratch;
    uint32_t bsize = bank_size(fl);
    int target = kv->current == 0 ? 1 : 0;
    uint32_t seq = kv->seq + 1;
    put32(s, KV_MAGIC);
    put32(s + 4, seq);
    put32(s + 8, len);
    put32(s + 12, kv_crc32(kv_crc32(0, s, 12), s + KV_HEADER_SIZE, len));
    uint32_t total = (KV_HEADER_SIZE + len + fl->page_size - 1) / fl->page_size * fl->page_size;
    memset(s + KV_HEADER_SIZE + len, 0xff, total - KV_HEADER_SIZE - len);
    uint32_t off = (uint32_t)target * bsize;
    int r = fl->erase(fl->ctx, off, bsize);
    if (r == 0 && total > fl->page_size) {
        r = fl->program(fl->ctx, off + fl->page_size, s + fl->page_size, total - fl->page_size);
    }
    if (r == 0) {
        r = fl->program(fl->ctx, off, s, fl->page_size);
    }
    if (r != 0) {
        return r;
    }
    uint32_t got_seq, got_len;
    if (!bank_valid(fl, target, &got_seq, &got_len) || got_seq != seq || got_len != len) {
        return -EIO;
    }
    kv->current = target;
    kv->seq = seq;
    kv->length = len;
    kv->writes++;
    return 0;
}

// Copies every record but `key`'s into the scratch payload; its length.
static uint32_t copy_except(const kv_store_t *kv, const char *key) {
    uint8_t *dst = kv->flash->scratch + KV_HEADER_SIZE;
    uint32_t n = 0;
    kv_iter_t it = { 0 };
    const char *k;
    const uint8_t *v;
    size_t vlen;
    while (kv_next(kv, &it, &k, &v, &vlen)) {
        if (key == NULL || strcmp(k, key) != 0) {
            n += put_record(dst + n, k, strlen(k), v, vlen);
        }
    }
    return n;
}

int kv_set(kv_store_t *kv, const char *key, const void *value, size_t len) {
    size_t klen = strlen(key);
    if (klen == 0 || klen > KV_KEY_MAX || len > KV_VALUE_MAX || (len > 0 && value == NULL)) {
        return -EINVAL;
    }
    const uint8_t *old;
    size_t old_len;
    bool had = kv_get(kv, key, &old, &old_len) == 0;
    if (had && old_len == len && memcmp(old, value, len) == 0) {
        return 0;
    }
    size_t rec = REC_HEAD + klen + 1 + len + 1;
    size_t rest = kv_used(kv) - (had ? REC_HEAD + klen + 1 + old_len + 1 : 0);
    if (rest + rec > kv_capacity(kv)) {
        return -ENOSPC;
    }
    uint32_t n = copy_except(kv, key);
    n += put_record(kv->flash->scratch + KV_HEADER_SIZE + n, key, klen, value, len);
    return commit(kv, n);
}

int kv_delete(kv_store_t *kv, const char *key) {
    const uint8_t *old;
    size_t old_len;
    if (kv_get(kv, key, &old, &old_len) != 0) {
        return -ENOENT;
    }
    return commit(kv, copy_except(kv, key));
}

int kv_clear(kv_store_t *kv) {
    if (kv_used(kv) == 0) {
        return 0;
    }
    return commit(kv, 0);
}
