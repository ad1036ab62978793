/*
 * mprt boot ROM for the rp2040js emulator.
 *
 * Lays out the RP2040 B1 ROM interface that pico-sdk firmware uses (header at 0x10, function and
 * data tables with the same two-letter codes, the table lookup routine) in 16 KB. Most functions
 * are `bkpt #id` stubs: the emulator harness (cli/emulator/rom-services.ts) does their work on
 * the host and returns to LR, so they cost no emulated cycles. The harness finds every stub by
 * walking these tables, so the ids below are only required to be unique.
 */
    .syntax unified
    .cpu cortex-m0plus
    .thumb

    .equ SRAM_END, 0x20042000
    .equ BOOT2_RAM, 0x20041f00
    .equ XIP_BASE, 0x10000000
    .equ SIO_BASE, 0xd0000000
    .equ SIO_FIFO_ST, 0x50
    .equ SIO_FIFO_WR, 0x54
    .equ SIO_FIFO_RD, 0x58
    .equ PPB_VTOR, 0xe000ed08

/* core 1's FIFO helpers (r0 = SIO base; clobber r2): wait with WFE as the SDK's blocking calls do */
    .macro fifo_push_r1
1:  ldr r2, [r0, #SIO_FIFO_ST]
    lsrs r2, r2, #2                 /* C = RDY */
    bcs 2f
    wfe
    b 1b
2:  str r1, [r0, #SIO_FIFO_WR]
    sev
    .endm

    .macro fifo_pop_r1
1:  ldr r2, [r0, #SIO_FIFO_ST]
    lsrs r2, r2, #1                 /* C = VLD */
    bcs 2f
    wfe
    b 1b
2:  ldr r1, [r0, #SIO_FIFO_RD]
    .endm

/* a host-serviced ROM entry: the harness returns to LR itself; the `bx lr` is a safety net */
    .macro host_stub name, id
    .balign 2
\name:
    bkpt #\id
    bx lr
    .endm

/* one soft float/double table slot: a 2-byte trap, the harness maps it back to its table offset */
    .macro table_stubs first, count
    .set stub_id, \first
    .rept \count
    bkpt #stub_id
    .set stub_id, stub_id + 1
    .endr
    .endm

    .section .vectors, "ax"
    .word SRAM_END                  /* 0x00 initial stack pointer */
    .word rom_reset + 1             /* 0x04 reset */
    .word rom_fault + 1             /* 0x08 NMI */
    .word rom_fault + 1             /* 0x0c HardFault */

    /* 0x10: 'M', 'u', 1, then the ROM version (2 = RP2040 B1) */
    .byte 'M', 'u', 0x01, 0x02
    .hword func_table               /* 0x14 */
    .hword data_table               /* 0x16 */
    .hword rom_table_lookup + 1     /* 0x18 */
    .hword 0

    .text
/*
 * void *rom_table_lookup(const uint16_t *table, uint32_t code)
 * Entries are (code, pointer) halfword pairs ending with a zero code.
 */
    .balign 2
rom_table_lookup:
1:  ldrh r2, [r0]
    cmp r2, r1
    beq 2f
    adds r0, #4
    cmp r2, #0
    bne 1b
    movs r0, #0
    bx lr
2:  ldrh r0, [r0, #2]
    bx lr

/*
 * Reset: like the real ROM's flash boot, copy boot stage 2 (the first 256 bytes of flash) to the
 * top of SRAM and run it with LR = 0, which makes it enter the flash image's vector table.
 * (No CRC check of boot stage 2: a UF2 built by pico-sdk always has a valid one.)
 */
    .balign 2
rom_reset:
    ldr r0, =SIO_BASE               /* both cores start here: core 1 goes to its launch wait loop */
    ldr r0, [r0]                    /* SIO CPUID */
    cmp r0, #0
    bne rom_wait_for_vector
    ldr r0, =BOOT2_RAM              /* stack below boot stage 2, which occupies the top 256 bytes */
    mov sp, r0
    ldr r0, =XIP_BASE
    ldr r1, =BOOT2_RAM
    movs r2, #64
3:  ldm r0!, {r3}
    stm r1!, {r3}
    subs r2, #1
    bne 3b
    movs r0, #0
    mov lr, r0
    ldr r0, =BOOT2_RAM + 1
    bx r0

/* NMI / HardFault while the ROM vectors are active: report to the harness */
    .balign 2
rom_fault:
    bkpt #0xfe
    b rom_fault

/*
 * wait_for_vector: where core 1 waits to be launched (datasheet 2.8.2, pico-sdk multicore_launch_core1).
 * Drain this core's incoming FIFO, push a 0 to core 0 (multicore_reset_core1 waits for it), then echo
 * every word core 0 sends while following its launch sequence 0, 0, 1, VTOR, SP, entry: a word out of
 * sequence starts it over (a 0 counting as its first word). On the entry word, set VTOR and MSP and call
 * the entry; should it return, wait again. No stack is used: core 0 may be running boot stage 2 at the
 * top of SRAM meanwhile. r0 = SIO, r4 = position in the sequence, r5 = VTOR, r6 = SP.
 */
    .balign 2
rom_wait_for_vector:
    ldr r0, =SIO_BASE
4:  ldr r1, [r0, #SIO_FIFO_ST]
    lsrs r1, r1, #1                 /* C = VLD */
    bcc 5f
    ldr r1, [r0, #SIO_FIFO_RD]
    b 4b
5:  movs r1, #0
    fifo_push_r1
core1_restart:
    movs r4, #0
core1_next:
    fifo_pop_r1
    fifo_push_r1                    /* echo */
    cmp r4, #3
    bhs core1_value
    movs r2, #0                     /* positions 0 and 1 expect 0, position 2 expects 1 */
    cmp r4, #2
    bne 6f
    movs r2, #1
6:  cmp r1, r2
    beq core1_advance
    movs r4, #0
    cmp r1, #0
    bne core1_next
    movs r4, #1
    b core1_next
core1_advance:
    adds r4, #1
    b core1_next
core1_value:
    cmp r4, #3
    bne 7f
    mov r5, r1
    adds r4, #1
    b core1_next
7:  cmp r4, #4
    bne core1_launch
    mov r6, r1
    adds r4, #1
    b core1_next
core1_launch:
    ldr r2, =PPB_VTOR
    str r5, [r2]
    msr msp, r6
    blx r1
    ldr r0, =SIO_BASE
    b core1_restart

    .ltorg

    host_stub rom_popcount32, 0x01
    host_stub rom_reverse32, 0x02
    host_stub rom_clz32, 0x03
    host_stub rom_ctz32, 0x04
    host_stub rom_memset, 0x05
    host_stub rom_memset4, 0x06
    host_stub rom_memcpy, 0x07
    host_stub rom_memcpy44, 0x08
    host_stub rom_connect_internal_flash, 0x09
    host_stub rom_flash_exit_xip, 0x0a
    host_stub rom_flash_range_erase, 0x0b
    host_stub rom_flash_range_program, 0x0c
    host_stub rom_flash_flush_cache, 0x0d
    host_stub rom_flash_enter_cmd_xip, 0x0e
    host_stub rom_reset_to_usb_boot, 0x0f
    host_stub rom_debug_trampoline, 0x10

    .balign 2
sf_stubs:
    table_stubs 0x40, 32
sd_stubs:
    table_stubs 0x80, 32

/*
 * ROM v2 has no double sincos table entry: for v2 the SDK's sincos() calls three internal routines of
 * the real ROM at fixed addresses (and, in debug builds, checks their first instruction). These
 * stand-ins start with the same instruction, trap to the host, and return natively.
 */
    .section .rom_v2_dsincos, "ax"
v2_dsincos_internal:                /* 0x3854 */
    push {lr}
    bkpt #0xc0
    pop {pc}

    .section .rom_v2_dcos_finish, "ax"
v2_dcos_finish:                     /* 0x389c */
    mov r1, r11
    bkpt #0xc1
    bx lr

    .section .rom_v2_dsin_finish, "ax"
v2_dsin_finish:                     /* 0x38d8 */
    mov r1, r9
    bkpt #0xc2
    bx lr

    .section .rodata
    .balign 4
func_table:
    .hword 'P' | ('3' << 8), rom_popcount32 + 1
    .hword 'R' | ('3' << 8), rom_reverse32 + 1
    .hword 'L' | ('3' << 8), rom_clz32 + 1
    .hword 'T' | ('3' << 8), rom_ctz32 + 1
    .hword 'M' | ('S' << 8), rom_memset + 1
    .hword 'S' | ('4' << 8), rom_memset4 + 1
    .hword 'M' | ('C' << 8), rom_memcpy + 1
    .hword 'C' | ('4' << 8), rom_memcpy44 + 1
    .hword 'I' | ('F' << 8), rom_connect_internal_flash + 1
    .hword 'E' | ('X' << 8), rom_flash_exit_xip + 1
    .hword 'R' | ('E' << 8), rom_flash_range_erase + 1
    .hword 'R' | ('P' << 8), rom_flash_range_program + 1
    .hword 'F' | ('C' << 8), rom_flash_flush_cache + 1
    .hword 'C' | ('X' << 8), rom_flash_enter_cmd_xip + 1
    .hword 'U' | ('B' << 8), rom_reset_to_usb_boot + 1
    .hword 'D' | ('T' << 8), rom_debug_trampoline + 1
    .hword 'D' | ('E' << 8), rom_debug_trampoline + 3     /* its end: the bx lr */
    .hword 'W' | ('V' << 8), rom_wait_for_vector + 1
    .hword 0, 0

data_table:
    .hword 'C' | ('R' << 8), copyright
    .hword 'G' | ('R' << 8), git_revision
    .hword 'S' | ('F' << 8), sf_table
    .hword 'S' | ('D' << 8), sd_table
    .hword 0, 0

/* each table is preceded by its size in words, in the byte at table - 2 (pico-sdk asserts on it) */
    .balign 4
    .hword 0, 32
sf_table:
    .set slot, 0
    .rept 32
    .word sf_stubs + 2 * slot + 1
    .set slot, slot + 1
    .endr

    .hword 0, 32
sd_table:
    .set slot, 0
    .rept 32
    .word sd_stubs + 2 * slot + 1
    .set slot, slot + 1
    .endr

git_revision:
    .word 0x6d707274                /* "mprt" */

copyright:
    .asciz "mprt emulator boot ROM (host-serviced entries)"
