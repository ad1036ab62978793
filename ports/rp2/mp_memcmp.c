// MicroPythonRT rp2 port: memcmp, a word at a time when both sides are word-aligned. Picolibc's (built for
// size) compares byte by byte; littlefs checks every program by reading the flash back and comparing it
// 8 bytes at a time (lfs2_bd_cmp), where that loop cost a file write about 15 % of its time (the stock
// firmware's newlib memcmp compares words). Linked in place of the libc's, in RAM as the libc's was.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t __attribute__((may_alias)) mp_memcmp_word_t;

// no-tree-loop-distribute-patterns: the byte loop must not become a call to memcmp
__attribute__((section(".time_critical.mp_memcmp"), optimize("no-tree-loop-distribute-patterns")))
int memcmp(const void *s1, const void *s2, size_t n) {
    const uint8_t *a = s1;
    const uint8_t *b = s2;
    if ((((uintptr_t)a | (uintptr_t)b) & 3u) == 0) {
        const mp_memcmp_word_t *wa = (const mp_memcmp_word_t *)a;
        const mp_memcmp_word_t *wb = (const mp_memcmp_word_t *)b;
        // two words a turn: littlefs's 8-byte pieces take one
        for (; n >= 8 && wa[0] == wb[0] && wa[1] == wb[1]; n -= 8) {
            wa += 2;
            wb += 2;
        }
        for (; n >= 4 && wa[0] == wb[0]; n -= 4) {
            wa++;
            wb++;
        }
        if (n == 0) {
            return 0;
        }
        a = (const uint8_t *)wa;
        b = (const uint8_t *)wb;
    }
    for (; n > 0; a++, b++, n--) {
        if (*a != *b) {
            return *a - *b;
        }
    }
    return 0;
}
