/**
 * The RP2040 as mprt sees it: the address map (boot ROM, XIP flash, SRAM, register blocks), the flash
 * geometry of the Pico's 2 MB QSPI chip and the UF2 family. The one place these numbers are written:
 * every other file imports them (tests/unit/one-fact.test.ts keeps it so). Pure constants, no I/O.
 * Source: the RP2040 datasheet, 2.2 "Address map", and the UF2 family list (uf2families.json).
 */

const KB = 1024;

/** The boot ROM: 16 KB from address 0. */
export const ROM_BASE = 0x0000_0000;
export const ROM_SIZE = 16 * KB;

/** Flash through the XIP cache (the firmware runs in place from here). */
export const FLASH_BASE = 0x1000_0000;
/** The Pico's (and Pico W's) W25Q16 QSPI flash. */
export const FLASH_SIZE = 2048 * KB;
/** The smallest erasable unit. */
export const FLASH_SECTOR_SIZE = 4 * KB;
/** The largest programmable unit (and what a UF2 block for the RP2040 carries). */
export const FLASH_PAGE_SIZE = 256;
export const FLASH_END = FLASH_BASE + FLASH_SIZE;

/** SRAM0-3 (striped, 256 KB) and SRAM4/5 (4 KB each), contiguous: one 264 KB block. */
export const SRAM_BASE = 0x2000_0000;
export const SRAM_SIZE = 264 * KB;
export const SRAM_END = SRAM_BASE + SRAM_SIZE;

/** Register blocks. rp2040js keys its peripherals by address >>> 12 (`page`). */
export const XIP_SSI_BASE = 0x1800_0000;
export const PSM_BASE = 0x4001_0000;
export const IO_QSPI_BASE = 0x4001_8000;
export const WATCHDOG_BASE = 0x4005_8000;
export const ROSC_BASE = 0x4006_0000;
export const VREG_AND_CHIP_RESET_BASE = 0x4006_4000;
/** Single-cycle IO: each core sees its own (CPUID, FIFOs, spinlocks, interpolators). */
export const SIO_BASE = 0xd000_0000;
/** Cortex-M0+ private peripherals (SysTick, NVIC, SCB, MPU): each core sees its own. */
export const PPB_BASE = 0xe000_0000;
export const PPB_SCS_BASE = 0xe000_e000;

/** The 4 KB page of a register block, as rp2040js's `peripherals` table is keyed. */
export const page = (address: number): number => address >>> 12;

/** The UF2 family ID the boot ROM accepts ("RP2040"). */
export const UF2_FAMILY_ID = 0xe48b_ff56;

/** An address in flash from an offset into it, and back. */
export const flashAddress = (offset: number): number => FLASH_BASE + offset;
export const flashOffset = (address: number): number => address - FLASH_BASE;

/** "0x10000000": how linker scripts and reports spell an address. */
export const hex32 = (n: number): string => '0x' + n.toString(16).padStart(8, '0');
