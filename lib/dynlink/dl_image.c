// Checks of an installed image (e.g. at boot, before trusting what is in the module flash region)
// and lookups in it. The image may be read in place from XIP flash or from a copy.
#include <string.h>
#include "dl_internal.h"

// [p, p + count * entsize) must lie inside the image body.
static bool in_image(uint32_t p, uint32_t count, uint32_t entsize, uint32_t addr, uint32_t size) {
    uint64_t len = (uint64_t)count * entsize;
    return p >= addr + sizeof(dl_image_t) && (uint64_t)p + len <= (uint64_t)addr + size;
}

dl_errcode_t dl_image_check(const uint8_t *img, size_t len, uint32_t addr, dl_error_t *err) {
    if (len < sizeof(dl_image_t)) {
        return dl_fail(err, DL_E_TRUNCATED, "image truncated");
    }
    dl_image_t h;
    memcpy(&h, img, sizeof(h));
    if (h.magic != DL_IMAGE_MAGIC) {
        return dl_fail(err, DL_E_MAGIC, "no installed image at 0x%08x", (unsigned)addr);
    }
    if (h.size < sizeof(dl_image_t) || h.size > len || addr > 0xffffffffu - h.size) {
        return dl_fail(err, DL_E_BOUNDS, "image size %u out of bounds", (unsigned)h.size);
    }
    if (dl_crc32(0, img + 12, h.size - 12) != h.crc32) {
        return dl_fail(err, DL_E_CORRUPT, "installed image at 0x%08x is corrupt", (unsigned)addr);
    }
    if (!in_image(h.text, h.text_size, 1, addr, h.size) || !in_image(h.data_init, h.data_size, 1, addr, h.size)
        || !in_image(h.ctors, h.n_ctors, 4, addr, h.size) || !in_image(h.exports, h.n_exports, 8, addr, h.size)
        || !in_image(h.qstrs, h.n_qstrs, 8, addr, h.size) || !in_image(h.strings, h.strings_size, 1, addr, h.size)
        || h.strings_size == 0 || img[h.strings - addr + h.strings_size - 1] != '\0'
        || h.name < h.strings || h.name >= h.strings + h.strings_size) {
        return dl_fail(err, DL_E_BOUNDS, "installed image at 0x%08x has tables out of bounds", (unsigned)addr);
    }
    for (uint32_t i = 0; i < h.n_exports; ++i) {
        uint32_t name = dl_rd32(img + h.exports - addr + 8 * i);
        if (name < h.strings || name >= h.strings + h.strings_size) {
            return dl_fail(err, DL_E_BOUNDS, "export %u of the image at 0x%08x has a bad name", (unsigned)i,
                (unsigned)addr);
        }
    }
    return DL_OK;
}

// Looks `name` up in a checked image's exports.
bool dl_image_export(const uint8_t *img, uint32_t addr, const char *name, uint32_t *value) {
    dl_image_t h;
    memcpy(&h, img, sizeof(h));
    for (uint32_t i = 0; i < h.n_exports; ++i) {
        const uint8_t *x = img + h.exports - addr + 8 * i;
        if (strcmp((const char *)img + (dl_rd32(x) - addr), name) == 0) {
            *value = dl_rd32(x + 4);
            return true;
        }
    }
    return false;
}
