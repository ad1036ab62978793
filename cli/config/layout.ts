/**
 * The flash layout and RAM split of a build, from its configuration (pure): the one place they are
 * computed. The linker script and mprt_config.h (cli/generate), the size report, `mprt build`'s report
 * and size.json (and through it the emulator's and the tests' module installers) all read this.
 * Flash, in order from its start: firmware | modules region (flash.modules_size) | filesystem | settings
 * (the last sectors). The modules region is shared, with a fixed boundary: native modules (the installer)
 * in its bottom part (`modules`), modules frozen on the device in its top flash.freeze_size bytes
 * (`freeze`, two halves: docs/freeze.md); so the filesystem's place does not depend on freeze_size.
 * RAM: static data, C heap, GC heap, then the main stack ending at the top of SRAM.
 */
import { FLASH_SIZE, SRAM_BASE, SRAM_SIZE } from '../chip/rp2040.js';
import { MprtError } from '../util/errors.js';
import { formatSize } from './schema.js';

export interface Partition {
    name: 'firmware' | 'modules' | 'freeze' | 'filesystem' | 'settings';
    /** Offset from the start of flash (its address: cli/chip/rp2040.ts flashAddress(offset)). */
    offset: number;
    size: number;
    end: number;
}

export interface Layout {
    flash: Record<Partition['name'], Partition>;
    /** In address order. */
    flashMap: Partition[];
    ram: {
        /** RAM available for static data, C heap and GC heap (the stack takes the rest). */
        ramLength: number;
        stackOrigin: number;
        stackSize: number;
        cHeapSize: number;
        /**
         * The C heap's region: it grows from cHeapSize up to this, in a RAM pool the GC heap also draws from
         * (docs/memory.md); equal to cHeapSize without a kernel or with a fixed GC heap (no pool).
         */
        cHeapMax: number;
        /** 0 = automatic (everything left). */
        gcHeapSize: number;
    };
}

interface LayoutInput {
    ram: { gc_heap_size: number; c_heap_size: number; stack_size: number; c_heap_max?: number };
    flash: { firmware_size: number; modules_size: number; freeze_size: number; settings_size: number; fs_size: number };
}

export function computeLayout(c: LayoutInput): Layout {
    const { firmware_size, modules_size, freeze_size, settings_size } = c.flash;
    if (freeze_size > modules_size) {
        throw new MprtError(
            `flash.freeze_size (${formatSize(freeze_size)}) is larger than the modules region it is part of (flash.modules_size ${formatSize(modules_size)})`,
            { hint: 'the frozen-module area is the top of the modules region: lower flash.freeze_size or raise flash.modules_size', exitCode: 2 },
        );
    }
    const fixed = firmware_size + modules_size + settings_size;
    const room = FLASH_SIZE - fixed;
    const fsSize = c.flash.fs_size === 0 ? room : c.flash.fs_size;
    if (fsSize > room || fsSize < 64 * 1024) {
        throw new MprtError(
            `flash map does not fit in ${formatSize(FLASH_SIZE)}: firmware ${formatSize(firmware_size)} + modules ${formatSize(modules_size)} + ` +
                `filesystem ${formatSize(fsSize)} + settings ${formatSize(settings_size)} ` +
                (fsSize < 64 * 1024 ? '(the filesystem needs at least 64K)' : `= ${formatSize(fixed + fsSize)}`),
            { hint: 'lower flash.firmware_size, flash.modules_size or flash.fs_size (0 = the rest)', exitCode: 2 },
        );
    }
    const part = (name: Partition['name'], offset: number, size: number): Partition => ({ name, offset, size, end: offset + size });
    const firmware = part('firmware', 0, firmware_size);
    // The modules region: native modules from its bottom, the frozen-module area at its top.
    const modules = part('modules', firmware.end, modules_size - freeze_size);
    const freeze = part('freeze', modules.end, freeze_size);
    const filesystem = part('filesystem', firmware.end + modules_size, fsSize);
    // Any flash left over (fs_size given explicitly) sits between the filesystem and the settings.
    const settings = part('settings', FLASH_SIZE - settings_size, settings_size);

    const stackSize = c.ram.stack_size;
    const ramLength = SRAM_SIZE - stackSize;
    if (c.ram.gc_heap_size !== 0 && c.ram.c_heap_size + c.ram.gc_heap_size > ramLength - 8 * 1024) {
        throw new MprtError(
            `RAM split does not fit in ${formatSize(SRAM_SIZE)}: C heap ${formatSize(c.ram.c_heap_size)} + GC heap ${formatSize(c.ram.gc_heap_size)} + ` +
                `stack ${formatSize(stackSize)} leaves no room for static data`,
            { hint: 'set ram.gc_heap_size=0 (everything left) or lower it', exitCode: 2 },
        );
    }
    const cHeapMax = c.ram.c_heap_max === undefined || c.ram.gc_heap_size !== 0 ? c.ram.c_heap_size : c.ram.c_heap_max;
    if (cHeapMax < c.ram.c_heap_size) {
        throw new MprtError(
            `rtos.c_heap_max (${formatSize(cHeapMax)}) is below rtos.c_heap_size (${formatSize(c.ram.c_heap_size)})`,
            { hint: 'the C heap grows from rtos.c_heap_size up to rtos.c_heap_max: raise rtos.c_heap_max or lower rtos.c_heap_size', exitCode: 2 },
        );
    }
    return {
        flash: { firmware, modules, freeze, filesystem, settings },
        flashMap: [firmware, modules, freeze, filesystem, settings],
        ram: { ramLength, stackOrigin: SRAM_BASE + ramLength, stackSize, cHeapSize: c.ram.c_heap_size, cHeapMax, gcHeapSize: c.ram.gc_heap_size },
    };
}
