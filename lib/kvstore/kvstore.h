// A small power-safe key-value store on two flash banks (docs/environment.md).
//
// The store is a region of flash split into two equal banks, A and B, each one or more erase sectors.
// A bank holds a whole state: a 16-byte header (magic, sequence number, payload length, CRC-32 over
// header and payload) and the records. A change writes the complete new state into the bank that does
// not hold the current one (erase it, program the pages after the first, then the first page with the
// header: the commit), streamed page by page from the current bank through a page buffer, and never
// touches the current bank, so a write cut at any erase or program call leaves either the old state
// (the new bank fails its CRC or was never committed) or the new one. Opening the store takes the
// valid bank with the higher sequence number.
//
// Keys are non-empty strings of at most KV_KEY_MAX bytes without NUL; values are bytes of at most
// KV_VALUE_MAX. Both are stored NUL-terminated, so key and value pointers handed out are C strings
// too. Pointers into the store stay valid until the second change after they were handed out (the
// bank they point into is then erased): copy what must outlive a change.
//
// Not thread-safe: the caller serializes calls (the firmware's glue holds a mutex).
#ifndef MPRT_KVSTORE_H
#define MPRT_KVSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_KEY_MAX (255)
#define KV_VALUE_MAX (4095)
#define KV_HEADER_SIZE (16)
#define KV_MAGIC (0x3153564bu) // "KVS1" little-endian

// The flash under the store. Offsets are relative to the region's start; `base` maps the region for
// reading (XIP on the chip). erase and program return 0 or a negative errno; program is given whole
// pages (offset and length multiples of page_size), erase whole sectors.
typedef struct _kv_flash_t {
    const uint8_t *base;
    uint32_t size;         // region size: two banks
    uint32_t sector_size;
    uint32_t page_size;
    int (*erase)(void *ctx, uint32_t offset, uint32_t len);
    int (*program)(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len);
    void *ctx;
    // A page buffer (page_size bytes, owned by the caller): new states are streamed through it.
    uint8_t *scratch;
} kv_flash_t;

typedef struct _kv_store_t {
    const kv_flash_t *flash;
    int current;           // bank holding the current state, -1 = none (empty store)
    uint32_t seq;          // its sequence number
    uint32_t length;       // its payload length
    uint32_t writes;       // changes committed since kv_open
} kv_store_t;

typedef struct _kv_iter_t {
    uint32_t pos;
} kv_iter_t;

// Reads the region and picks the current bank. Never writes flash. 0, or -EINVAL on a bad geometry.
int kv_open(kv_store_t *kv, const kv_flash_t *flash);

// The value of `key`: 0 with *value/*len set, or -ENOENT.
int kv_get(const kv_store_t *kv, const char *key, const uint8_t **value, size_t *len);

// Sets `key` to `value` (a no-op if it already has it). 0, -EINVAL (bad key/length), -ENOSPC (the
// new state does not fit a bank), or the flash's error.
int kv_set(kv_store_t *kv, const char *key, const void *value, size_t len);

// Removes `key`: 0, -ENOENT, or the flash's error.
int kv_delete(kv_store_t *kv, const char *key);

// Removes every key (a write only when the store is not empty already).
int kv_clear(kv_store_t *kv);

// Iteration in storage order: start with it->pos = 0; true while there is a record.
bool kv_next(const kv_store_t *kv, kv_iter_t *it, const char **key, const uint8_t **value, size_t *len);

// Bytes one bank offers for records, and bytes the current records use (each record costs
// 3 + strlen(key) + 1 + len + 1).
size_t kv_capacity(const kv_store_t *kv);
size_t kv_used(const kv_store_t *kv);

// CRC-32 (IEEE 802.3, reflected), chainable: crc = kv_crc32(crc, data, len) starting from 0.
uint32_t kv_crc32(uint32_t crc, const void *data, size_t len);

#endif // MPRT_KVSTORE_H
