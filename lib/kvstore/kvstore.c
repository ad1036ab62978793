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

// A change as the new payload: the current records but `skip`'s, then `add`'s record (if any). Records
// are copied byte for byte, so the payload is streamed page by page from the current bank: no buffer
// for a whole bank is needed.
typedef struct {
    const char *skip;
    const char *add;
    size_t add_klen;
    const uint8_t *add_value;
    size_t add_len;
    bool skip_all;
} change_t;

// The bytes [pos, pos + n) of the new payload into out (which may run past its end: 0xff there).
// Returns the payload's length.
static uint32_t payload_bytes(const kv_store_t *kv, const change_t *c, uint32_t pos, uint8_t *out, uint32_t n) {
    memset(out, 0xff, n);
    uint32_t at = 0;
    // copies the part of a segment [at, at + len) that falls in the window
#define SEGMENT(src, len) do { \
        uint32_t seg_len_ = (len); \
        if (at + seg_len_ > pos && at < pos + n) { \
            uint32_t from_ = at < pos ? pos - at : 0; \
            uint32_t to_ = at + seg_len_ < pos + n ? seg_len_ : pos + n - at; \
            memcpy(out + at + from_ - pos, (src) + from_, to_ - from_); \
        } \
        at += seg_len_; \
} while (0)
    if (kv->current >= 0 && !c->skip_all) {
        const uint8_t *p = payload(kv);
        for (uint32_t off = 0; off < kv->length;) {
            uint32_t size = REC_HEAD + p[off] + 1 + ((uint32_t)p[off + 1] | (uint32_t)p[off + 2] << 8) + 1;
            if (c->skip == NULL || strcmp((const char *)p + off + REC_HEAD, c->skip) != 0) {
                SEGMENT(p + off, size);
            }
            off += size;
        }
    }
    if (c->add != NULL) {
        uint8_t head[REC_HEAD] = { (uint8_t)c->add_klen, (uint8_t)c->add_len, (uint8_t)(c->add_len >> 8) };
        static const uint8_t nul = 0;
        SEGMENT(head, REC_HEAD);
        SEGMENT((const uint8_t *)c->add, c->add_klen);
        SEGMENT(&nul, 1);
        SEGMENT(c->add_value, c->add_len);
        SEGMENT(&nul, 1);
    }
#undef SEGMENT
    return at;
}

// Writes the changed state into the bank that is not current: erase it, program the pages after the
// first, then the first page (the header: the commit). It becomes current once it reads back valid.
static int commit(kv_store_t *kv, const change_t *c) {
    const kv_flash_t *fl = kv->flash;
    uint8_t *page = fl->scratch;
    uint32_t ps = fl->page_size;
    uint32_t bsize = bank_size(fl);
    int target = kv->current == 0 ? 1 : 0;
    uint32_t seq = kv->seq + 1;
    // the header: its length and CRC need the whole payload, streamed once through the page buffer
    uint32_t len = payload_bytes(kv, c, 0, page, 0);
    uint8_t head[KV_HEADER_SIZE];
    put32(head, KV_MAGIC);
    put32(head + 4, seq);
    put32(head + 8, len);
    uint32_t crc = kv_crc32(0, head, 12);
    for (uint32_t pos = 0; pos < len; pos += ps) {
        payload_bytes(kv, c, pos, page, ps);
        crc = kv_crc32(crc, page, len - pos < ps ? len - pos : ps);
    }
    put32(head + 12, crc);
    uint32_t off = (uint32_t)target * bsize;
    int r = fl->erase(fl->ctx, off, bsize);
    for (uint32_t pos = ps - KV_HEADER_SIZE; r == 0 && pos < len; pos += ps) {
        payload_bytes(kv, c, pos, page, ps);
        r = fl->program(fl->ctx, off + KV_HEADER_SIZE + pos, page, ps);
    }
    if (r == 0) {
        memcpy(page, head, KV_HEADER_SIZE);
        payload_bytes(kv, c, 0, page + KV_HEADER_SIZE, ps - KV_HEADER_SIZE);
        r = fl->program(fl->ctx, off, page, ps);
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
    change_t c = { had ? key : NULL, key, klen, value, len, false };
    return commit(kv, &c);
}

int kv_delete(kv_store_t *kv, const char *key) {
    const uint8_t *old;
    size_t old_len;
    if (kv_get(kv, key, &old, &old_len) != 0) {
        return -ENOENT;
    }
    change_t c = { key, NULL, 0, NULL, 0, false };
    return commit(kv, &c);
}

int kv_clear(kv_store_t *kv) {
    if (kv_used(kv) == 0) {
        return 0;
    }
    change_t c = { NULL, NULL, 0, NULL, 0, true };
    return commit(kv, &c);
}
