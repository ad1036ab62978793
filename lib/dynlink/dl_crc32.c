// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bitwise: small code, no table in RAM or flash.
#include "dynlink.h"

uint32_t dl_crc32(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; ++k) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
        }
    }
    return ~crc;
}
