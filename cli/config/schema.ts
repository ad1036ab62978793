/**
 * The build options of a firmware (template values), with their types, defaults and allowed ranges.
 * Pure: no fs. docs/configuration.md documents the same keys; tests check the two agree.
 */
import { FLASH_SECTOR_SIZE as FLASH_SECTOR } from '../chip/rp2040.js';
import { KERNEL_NAMES, KERNELS } from './kernel.js';

export const KB = 1024;

export type ConfigValue = number | string | string[];

interface KeyBase {
    key: string;
    description: string;
    /** true when only port files or the linker script use it: changing it never rebuilds the core. */
    portOnly: boolean;
}

export interface SizeKey extends KeyBase {
    type: 'size';
    default: number;
    min: number;
    max: number;
    /** Values must be a multiple of this. */
    multipleOf: number;
    /** 0 is allowed and means "automatic" (described in `autoMeaning`). */
    autoMeaning?: string;
}

export interface IntKey extends KeyBase {
    type: 'int';
    default: number;
    min: number;
    max: number;
}

export interface EnumKey extends KeyBase {
    type: 'enum';
    default: string;
    values: string[];
}

export interface ListKey extends KeyBase {
    type: 'list';
    default: string[];
    /** Named entries that need no path. Other entries are paths to .py files or directories. */
    named: Record<string, string>;
}

export interface PathKey extends KeyBase {
    type: 'path';
    /** '' = not set. */
    default: string;
}

export type KeySpec = SizeKey | IntKey | EnumKey | ListKey | PathKey;

export const FROZEN_SETS: Record<string, string> = {
    asyncio: 'MicroPython\'s asyncio package (extmod/asyncio)',
    rp2: 'the `rp2` module\'s Python part: PIO assembler helpers (ports/rp2/modules/rp2.py of MicroPython)',
};

export const SCHEMA: KeySpec[] = [
    {
        key: 'ram.gc_heap_size', type: 'size', default: 0, min: 32 * KB, max: 240 * KB, multipleOf: 16,
        autoMeaning: 'all RAM left after static data, the C heap and the stack',
        description: 'MicroPython GC heap (bytes)', portOnly: true,
    },
    {
        key: 'ram.c_heap_size', type: 'size', default: 4 * KB, min: 0, max: 128 * KB, multipleOf: 8,
        description: 'C heap for malloc() (Picolibc), separate from the GC heap (bytes)', portOnly: true,
    },
    {
        key: 'ram.stack_size', type: 'size', default: 8 * KB, min: 4 * KB, max: 64 * KB, multipleOf: 8,
        description: 'main (core 0) stack (bytes); it ends at the top of RAM', portOnly: true,
    },
    {
        key: 'flash.firmware_size', type: 'size', default: 768 * KB, min: 256 * KB, max: 1536 * KB, multipleOf: FLASH_SECTOR,
        description: 'flash reserved for the firmware image, from the start of flash (bytes)', portOnly: true,
    },
    {
        key: 'flash.modules_size', type: 'size', default: 256 * KB, min: 0, max: 1024 * KB, multipleOf: FLASH_SECTOR,
        description: 'flash region after the firmware for installed native modules (its bottom) and modules frozen on the device (its top flash.freeze_size bytes) (bytes)',
        portOnly: true,
    },
    {
        key: 'flash.freeze_size', type: 'size', default: 128 * KB, min: 0, max: 1024 * KB, multipleOf: 2 * FLASH_SECTOR,
        description: 'the top part of the modules region for modules frozen on the device (freeze.import_modules, mprt freeze); two halves, one image each; at most flash.modules_size (bytes)',
        portOnly: true,
    },
    {
        key: 'modules.ram_slack', type: 'size', default: 4 * KB, min: 0, max: 64 * KB, multipleOf: 16,
        description: 'RAM reserved at boot, before the GC heap, for the data+bss of native modules installed before the next reset (bytes)',
        portOnly: true,
    },
    {
        key: 'flash.settings_size', type: 'size', default: 8 * KB, min: 8 * KB, max: 64 * KB, multipleOf: 2 * FLASH_SECTOR,
        description: 'the persistent environment (two equal banks of sectors, docs/environment.md) at the very end of flash (bytes)', portOnly: true,
    },
    {
        key: 'flash.fs_size', type: 'size', default: 0, min: 64 * KB, max: 1792 * KB, multipleOf: FLASH_SECTOR,
        autoMeaning: 'all flash between the modules region and the settings sectors',
        description: 'littlefs filesystem partition, mounted at / (bytes)', portOnly: true,
    },
    {
        key: 'console', type: 'enum', default: 'usb', values: ['usb', 'uart'],
        description: 'where the REPL is: usb = USB CDC; uart = UART0 (GP0 TX, GP1 RX), USB CDC mirrors it',
        portOnly: true,
    },
    {
        key: 'console_uart_baud', type: 'int', default: 115200, min: 1200, max: 3000000,
        description: 'UART0 console baud rate (console=uart)', portOnly: true,
    },
    {
        key: 'rtos.kernel', type: 'enum', default: 'builtin', values: KERNEL_NAMES,
        description: KERNEL_NAMES.map((k) => `${k} = ${KERNELS[k].summary}`).join('; '),
        portOnly: false,
    },
    {
        key: 'rtos.freertos_path', type: 'path', default: '',
        description: 'FreeRTOS-Kernel source tree for rtos.kernel=freertos (--freertos-path; unset: $MPRT_FREERTOS_PATH)',
        portOnly: false,
    },
    {
        key: 'rtos.c_heap_size', type: 'size', default: 32 * KB, min: 6 * KB, max: 192 * KB, multipleOf: 8,
        description: 'C heap with a kernel (kernel objects, the stacks of the USB, service, tcpip and idle tasks, lwIP\'s memory, malloc): '
            + 'its own part, which the GC heap never takes; it grows up to rtos.c_heap_max in the RAM pool it shares with the GC heap '
            + '(docs/memory.md); replaces ram.c_heap_size',
        portOnly: true,
    },
    {
        key: 'rtos.c_heap_max', type: 'size', default: 128 * KB, min: 6 * KB, max: 224 * KB, multipleOf: 8,
        description: 'with a kernel: the most the C heap grows to (at least rtos.c_heap_size); the RAM between the two is a pool the GC heap '
            + 'also draws from while the C heap does not use it, and the GC heap\'s first area is the RAM above (docs/memory.md)',
        portOnly: true,
    },
    {
        key: 'rtos.mp_stack_size', type: 'size', default: 8 * KB, min: 4 * KB, max: 64 * KB, multipleOf: 8,
        description: 'stack of the MicroPython task with a kernel (static RAM)', portOnly: true,
    },
    {
        key: 'rtos.thread_stack_size', type: 'size', default: 4 * KB, min: 2 * KB, max: 64 * KB, multipleOf: 8,
        description: 'default stack of a _thread / threading thread with a kernel (from the GC heap)',
        portOnly: true,
    },
    {
        key: 'rtos.isr_stack_size', type: 'size', default: 2 * KB, min: 1 * KB, max: 16 * KB, multipleOf: 8,
        description: 'interrupt stack of core 0 with a kernel (start-up code before the scheduler, then interrupts), at the '
            + 'top of RAM; replaces ram.stack_size',
        portOnly: true,
    },
    {
        key: 'frozen', type: 'list', default: ['asyncio', 'rp2'], named: FROZEN_SETS,
        description: 'Python modules frozen into the firmware: named sets (asyncio, rp2) or paths to .py files/directories',
        portOnly: false,
    },
];

export function findKey(key: string): KeySpec | undefined {
    return SCHEMA.find((k) => k.key === key);
}

export function validKeys(): string[] {
    return SCHEMA.map((k) => k.key);
}

export function defaults(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    for (const k of SCHEMA) out[k.key] = Array.isArray(k.default) ? [...k.default] : k.default;
    return out;
}

/** Human form of a byte count: 4096 → "4K", 786432 → "768K", 2097152 → "2M". */
export function formatSize(n: number): string {
    if (n !== 0 && n % (1024 * KB) === 0) return `${n / (1024 * KB)}M`;
    if (n !== 0 && n % KB === 0) return `${n / KB}K`;
    return String(n);
}

/** The allowed values of a key, in words (used in error messages and docs). */
export function describeRange(spec: KeySpec): string {
    switch (spec.type) {
        case 'size': {
            const range = `${formatSize(spec.min)}..${formatSize(spec.max)}, a multiple of ${spec.multipleOf}`;
            return spec.autoMeaning ? `0 (auto: ${spec.autoMeaning}) or ${range}` : range;
        }
        case 'int':
            return `an integer ${spec.min}..${spec.max}`;
        case 'enum':
            return `one of ${spec.values.join(', ')}`;
        case 'list':
            return `a list (comma-separated with --set) of ${Object.keys(spec.named).join(', ')} or paths to .py files/directories`;
        case 'path':
            return 'a directory path (empty: not set)';
    }
}
