/**
 * The ABI identity of a firmware: what a loadable module's compiled code depends on beyond the
 * names of the symbols it imports. Two firmwares with the same identity run the same module code
 * (after relinking its imports); a module packed for another identity is refused by the loader.
 *
 * It is the first 16 bytes of the SHA-256 of a canonical text (one `key value` line each, in a
 * fixed order): the format version, the MicroPython version, the target and the compiler flags that
 * fix the calling convention and type sizes, the kernel, and the MicroPython configuration options
 * that change the layout of objects and runtime state a module's code touches (directly or through
 * headers and macros). Nothing else: sizes of heaps, the flash map, frozen modules and drivers do not
 * change a module's code, so they must not change the identity. docs/modules.md lists the same.
 * tests/firmware/exports.test.ts checks the option values against what the compiler sees.
 */
import { createHash } from 'node:crypto';
import { kernelProfile } from '../config/kernel.js';
import type { Config } from '../config/load.js';

/** Bump when the meaning of the canonical text changes. */
export const ABI_FORMAT = 1;

/**
 * The firmware's CPython-style argument parser for modules (ports/rp2/mp_pyarg.h, F22): bump when its
 * format units, the C types they write or mp_pyarg_buffer_t change, so modules built against the old
 * one are refused.
 */
export const PYARG_API = 1;

/** How module code reaches per-thread firmware state: a fact of the RTOS port, kept with the kernel profiles. */
export { PORT_THREAD_STATE } from '../config/kernel.js';
export const ABI_ID_LEN = 16;

/** Target and compiler flags of every firmware (pico-sdk's cortex-m0plus GCC toolchain, -Os). */
export const ABI_TARGET = {
    arch: 'armv6m',
    cpu: 'cortex-m0plus',
    cflags: '-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft',
    // AAPCS as arm-none-eabi GCC applies it: enums as small as their values (-fshort-enums is the
    // default), 4-byte wchar_t, soft-float calls, little-endian.
    pcs: 'aapcs soft-float little-endian enum-min-1 wchar-4',
};

export interface AbiOption {
    name: string;
    value: number;
}

/**
 * The layout options and their values for a configuration. Values are the numbers the C
 * preprocessor gives (e.g. MICROPY_OBJ_REPR_A = 0, MICROPY_LONGINT_IMPL_MPZ = 2).
 */
export function abiOptions(config: Pick<Config, 'rtos'>): AbiOption[] {
    const rtos = kernelProfile(config.rtos.kernel).rtosPort;
    const o: [string, number][] = [
        // Object representation: how mp_obj_t encodes small ints, qstrs, floats and immediates.
        ['MICROPY_OBJ_REPR', 0],
        ['MICROPY_OBJ_IMMEDIATE_OBJS', 1],
        ['MICROPY_LONGINT_IMPL', 2],
        ['MICROPY_FLOAT_IMPL', 1],
        ['MICROPY_PY_BUILTINS_FLOAT', 1],
        ['MICROPY_PY_BUILTINS_COMPLEX', 1],
        ['MICROPY_PY_BUILTINS_STR_UNICODE', 1],
        ['MICROPY_QSTR_BYTES_IN_HASH', 1],
        ['MICROPY_QSTR_BYTES_IN_LEN', 1],
        // Memory: GC blocks and finalisers (m_malloc_with_finaliser, object alignment).
        ['MICROPY_ENABLE_GC', 1],
        ['MICROPY_ENABLE_FINALISER', 1],
        ['MICROPY_BYTES_PER_GC_BLOCK', 16],
        ['MICROPY_ENABLE_PYSTACK', 0],
        // Exceptions: nlr_buf_t layout, how mp_raise_* macros expand, error text encoding, errno values.
        ['MICROPY_NLR_SETJMP', 0],
        ['MICROPY_NLR_THUMB', 1],
        ['MICROPY_STACKLESS', 0],
        ['MICROPY_ERROR_REPORTING', 2],
        ['MICROPY_ROM_TEXT_COMPRESSION', 0],
        ['MICROPY_USE_INTERNAL_ERRNO', 1],
        ['MICROPY_KBD_EXCEPTION', 1],
        // Runtime state (mp_state_ctx: MP_STATE_VM/MP_STATE_THREAD in module code) and threads.
        ['MICROPY_PY_THREAD', 1],
        ['MICROPY_PY_THREAD_GIL', rtos ? 1 : 0],
        ['MICROPY_STACK_CHECK', 1],
        ['MICROPY_ENABLE_SCHEDULER', 1],
        ['MICROPY_SCHEDULER_DEPTH', 8],
        ['MICROPY_PY_SYS_SETTRACE', 0],
        ['MICROPY_ENABLE_SOURCE_LINE', 1],
        ['MICROPY_ENABLE_COMPILER', 1],
        ['MICROPY_MODULE_ATTR_DELEGATION', 1],
        // Types: slots of mp_obj_type_t a module's type definitions fill.
        ['MICROPY_CPYTHON_COMPAT', 1],
        ['MICROPY_PY_BUILTINS_PROPERTY', 1],
        ['MICROPY_PY_BUILTINS_SLICE', 1],
        ['MICROPY_PY_FUNCTION_ATTRS', 1],
    ];
    return o.map(([name, value]) => ({ name, value }));
}

export interface AbiInput {
    micropythonVersion: string;
    config: Pick<Config, 'rtos'>;
}

/** The canonical text the identity hashes, one line per item. */
export function abiText(input: AbiInput): string[] {
    return [
        `mprt-abi ${ABI_FORMAT}`,
        `micropython ${input.micropythonVersion}`,
        `arch ${ABI_TARGET.arch} ${ABI_TARGET.cpu}`,
        `cflags ${ABI_TARGET.cflags}`,
        `pcs ${ABI_TARGET.pcs}`,
        `kernel ${input.config.rtos.kernel}`,
        ...kernelProfile(input.config.rtos.kernel).abiLines,
        ...abiOptions(input.config).map((o) => `${o.name} ${o.value}`),
        `pyarg ${PYARG_API}`,
    ];
}

/** The 16-byte identity. */
export function abiId(input: AbiInput): Uint8Array {
    const text = abiText(input).join('\n') + '\n';
    return new Uint8Array(createHash('sha256').update(text).digest().subarray(0, ABI_ID_LEN));
}

export function abiHex(id: Uint8Array): string {
    return Buffer.from(id).toString('hex');
}

/** The canonical text and the identity, computed once per build and handed to what needs them. */
export function abiIdentity(input: AbiInput): { lines: string[]; id: Uint8Array } {
    return { lines: abiText(input), id: abiId(input) };
}
