import { FLASH_BASE, hex32, SRAM_BASE } from '../../cli/chip/rp2040.js';
/** A small GNU ld map in ld's layout (wrapped names, *fill*, COMMON, load address, discarded, assignments). */
export const FIXTURE_MAP = `Archive member included to satisfy reference by file (symbol)

/usr/lib/picolibc/arm-none-eabi/lib/thumb/v6-m/nofp/libc.a(libc_string_memcpy.c.o)
                              /src/mp/py/runtime.c.o (memcpy)

Discarded input sections

 .text          0x00000000       0x10 /src/mp/py/unused.c.o
 .text.a_very_long_function_name_that_wraps
                0x00000000       0x20 /src/mp/py/unused.c.o

Memory Configuration

Name             Origin             Length             Attributes
FLASH            ${hex32(FLASH_BASE)}         0x00200000         xr
RAM              ${hex32(SRAM_BASE)}         0x00040000         xrw
*default*        0x00000000         0xffffffff

Linker script and memory map

LOAD /src/mp/py/runtime.c.o
LOAD /usr/lib/picolibc/arm-none-eabi/lib/thumb/v6-m/nofp/libc.a
START GROUP
LOAD /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v6-m/nofp/libgcc.a
END GROUP

.flash_begin    ${hex32(FLASH_BASE)}        0x0
                ${hex32(FLASH_BASE)}                        __flash_binary_start = .

.boot2          ${hex32(FLASH_BASE)}      0x100
                ${hex32(FLASH_BASE)}                        __boot2_start__ = .
 *(.boot2)
 .boot2         ${hex32(FLASH_BASE)}      0x100 sdk-build/bs2_default_padded_checksummed.S.o

.text           0x10000100      0x140
 *(.text*)
 .text.mp_call_function_n_kw
                0x10000100       0x6a /src/mp/py/runtime.c.o
                0x10000100                mp_call_function_n_kw
 *fill*         0x1000016a        0x2 
 .text.memcpy   0x1000016c       0x24 /usr/lib/picolibc/arm-none-eabi/lib/thumb/v6-m/nofp/libc.a(libc_string_memcpy.c.o)
                0x1000016c                memcpy
 .text          0x10000190       0x40 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v6-m/nofp/libgcc.a(_udivsi3.o)
 .text.main     0x100001d0       0x30 CMakeFiles/firmware.dir/main.c.o
                0x100001d0                main
                0x10000240                        . = ALIGN (0x40)

.rodata         0x10000240       0x30
 .rodata.frozen
                0x10000240       0x20 CMakeFiles/firmware.dir/frozen_content.c.o
 .rodata.str1.4
                0x10000260       0x10 CMakeFiles/firmware.dir/src/sdk/src/rp2_common/pico_stdlib/stdlib.c.o

.data           ${hex32(SRAM_BASE)}       0x18 load address 0x10000270
                ${hex32(SRAM_BASE)}                        __data_start__ = .
 .data.x        ${hex32(SRAM_BASE)}        0x8 /src/mp/extmod/modx.c.o
 .time_critical.a_long_time_critical_function_name
                0x20000008       0x10 CMakeFiles/firmware.dir/src/sdk/lib/tinyusb/src/device/usbd.c.o

.uninitialized_data
                0x20000018        0x0
 *(.uninitialized_data*)

.stack1_dummy
 *(.stack1*)

.bss            0x20000018       0x2c
 .bss.y         0x20000018        0x4 /src/mp/lib/littlefs/lfs2.c.o
 *(COMMON)
 COMMON         0x2000001c        0x8 /src/mp/py/gc.c.o
                0x2000001c                gc_state
 .bss.z         0x20000024       0x20 /some/where/else/unknown.o

.heap           0x20000044      0x800
 *(.heap*)
 .heap          0x20000044      0x800 CMakeFiles/firmware.dir/src/sdk/src/rp2_common/pico_crt0/crt0.S.o

.stack_dummy    0x20000844      0x800
 .stack         0x20000844      0x800 CMakeFiles/firmware.dir/src/sdk/src/rp2_common/pico_crt0/crt0.S.o
                0x20001000                        __GcHeapStart = .
                0x20040000                        PROVIDE (__GcHeapEnd = .)

.debug_info     0x00000000     0x1234
 .debug_info    0x00000000     0x1234 /src/mp/py/runtime.c.o
OUTPUT(firmware.elf elf32-littlearm)
`;
