// Programming a linked image into flash through the port's dl_flash_ops_t, one page at a time.
#include <string.h>
#include "dl_internal.h"

dl_errcode_t dl_install(const dl_link_t *l, const dl_flash_ops_t *ops, uint8_t *page, dl_error_t *err) {
    uint32_t sector = ops->sector_size, psize = ops->page_size;
    if (sector == 0 || psize == 0 || sector % psize != 0 || l->flash_base % sector != 0) {
        return dl_fail(err, DL_E_ARG, "flash base 0x%08x not on a %u-byte sector, or page size %u", (unsigned)l->flash_base,
            (unsigned)sector, (unsigned)psize);
    }
    uint32_t span = (l->size + sector - 1) / sector * sector;
    if (ops->erase(ops->ctx, l->flash_base, span) != 0) {
        return dl_fail(err, DL_E_ARG, "erasing %u bytes at 0x%08x failed", (unsigned)span, (unsigned)l->flash_base);
    }
    for (uint32_t off = 0; off < l->size; off += psize) {
        uint32_t n = l->size - off < psize ? l->size - off : psize;
        dl_errcode_t e = dl_link_emit(l, off, page, n, err);
        if (e != DL_OK) {
            return e;
        }
        memset(page + n, 0xff, psize - n);
        if (ops->program(ops->ctx, l->flash_base + off, page, psize) != 0) {
            return dl_fail(err, DL_E_ARG, "programming flash at 0x%08x failed", (unsigned)(l->flash_base + off));
        }
    }
    return DL_OK;
}
