/*
 * Single-precision addition (__aeabi_fadd): the boot ROM's fadd for finite operands, IEEE 754 for
 * infinities and NaNs. It takes the place of MicroPython's ports/rp2/libm_extra.c, which fixes the
 * same thing in C around pico-sdk's __wrap___aeabi_fadd at the cost of a call frame per addition.
 *
 * The RP2040 B1 ROM reads a NaN operand as the infinity of its sign and gives +inf for inf + -inf.
 * pico-sdk's wrapper passes NaN operands on but leaves inf + -inf to the ROM, and MicroPython's
 * libm needs that sum to be a NaN: sqrtf(-inf) is -inf * -inf + -inf, so with --wrap=__aeabi_fadd
 * math.sqrt(-math.inf) gave inf instead of raising ValueError (and so did tgamma(-inf) and
 * inf + -inf itself).
 *
 * Finite operands, the common case, go straight to the ROM through pico_float's RAM copy of its
 * table (sf_table). With an infinite or NaN operand the result needs no arithmetic, and is what the
 * stock firmware gives: a NaN operand (x's first, unchanged), the default NaN for opposite
 * infinities, otherwise the infinite operand.
 */
#include "pico/bootrom/sf_table.h"

    .syntax unified
    .cpu cortex-m0plus
    .thumb

    .section .text.__aeabi_fadd, "ax", %progbits
    .global __aeabi_fadd
    .type __aeabi_fadd, %function
    .thumb_func
__aeabi_fadd:
    // 2 * v + 2^24 carries out when v's exponent bits are all ones, and is then zero for an
    // infinity, non-zero for a NaN
    movs r3, #1
    lsls r3, r3, #24
    lsls r2, r0, #1
    adds r2, r2, r3
    bcs .Lx_special
    lsls r2, r1, #1
    adds r2, r2, r3
    bcs .Ly_result
    ldr r3, =sf_table
    ldr r3, [r3, #SF_TABLE_FADD]
    bx r3

.Lx_special:
    // x is a NaN (the result) or an infinity (Z set)
    bne .Ldone
    lsls r2, r1, #1
    adds r2, r2, r3
    bcc .Ldone
    bne .Ly_result
    // two infinities: the same one, or opposite ones for the default NaN
    cmp r0, r1
    beq .Ldone
    ldr r0, =0x7fc00000
.Ldone:
    bx lr

.Ly_result:
    mov r0, r1
    bx lr

    .ltorg
    .size __aeabi_fadd, . - __aeabi_fadd
