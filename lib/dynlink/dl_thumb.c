// Thumb instruction encodings the linker patches: BL (the only 32-bit branch on ARMv6-M) and the
// long-branch veneer used when a BL cannot reach its target.
#include "dynlink.h"

bool dl_thumb_is_bl(uint16_t hi, uint16_t lo) {
    return (hi & 0xf800) == 0xf000 && (lo & 0xd000) == 0xd000;
}

// The signed byte offset encoded by a BL (relative to the instruction address + 4).
uint32_t dl_thumb_bl_decode(uint16_t hi, uint16_t lo) {
    uint32_t s = (hi >> 10) & 1;
    uint32_t j1 = (lo >> 13) & 1;
    uint32_t j2 = (lo >> 11) & 1;
    uint32_t i1 = !(j1 ^ s);
    uint32_t i2 = !(j2 ^ s);
    uint32_t imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((uint32_t)(hi & 0x3ff) << 12) | ((uint32_t)(lo & 0x7ff) << 1);
    if (s) {
        imm |= 0xfe000000u;
    }
    return imm;
}

// Encodes offset `imm` (even, within +-16 MiB) into a BL; false if it does not fit.
bool dl_thumb_bl_encode(int32_t imm, uint16_t *hi, uint16_t *lo) {
    if (imm < -16777216 || imm > 16777214 || (imm & 1)) {
        return false;
    }
    uint32_t u = (uint32_t)imm;
    uint32_t s = (u >> 24) & 1;
    uint32_t i1 = (u >> 23) & 1;
    uint32_t i2 = (u >> 22) & 1;
    uint32_t j1 = (!i1) ^ s;
    uint32_t j2 = (!i2) ^ s;
    *hi = (uint16_t)(0xf000 | (s << 10) | ((u >> 12) & 0x3ff));
    *lo = (uint16_t)(0xd000 | (j1 << 13) | (j2 << 11) | ((u >> 1) & 0x7ff));
    return true;
}

// A 12-byte veneer at a 4-aligned address that jumps to `target` (Thumb bit set) and preserves
// every register but the flags:  push {r0, r1}; ldr r0, [pc, #4]; str r0, [sp, #4]; pop {r0, pc};
// .word target.  r1 is only pushed to make room for the target address.
void dl_thumb_veneer(uint8_t out[DL_VENEER_SIZE], uint32_t target) {
    static const uint16_t code[4] = {0xb403, 0x4801, 0x9001, 0xbd01};
    for (int i = 0; i < 4; ++i) {
        out[2 * i] = (uint8_t)code[i];
        out[2 * i + 1] = (uint8_t)(code[i] >> 8);
    }
    for (int i = 0; i < 4; ++i) {
        out[8 + i] = (uint8_t)(target >> (8 * i));
    }
}
