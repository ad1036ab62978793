/**
 * The kernel a firmware runs on (rtos.kernel), as one profile per kernel: everything that differs between
 * `none`, `builtin` and `freertos` outside C is here, and the build, the generator, the ABI identity, the
 * report and `mprt doctor` ask the profile instead of comparing names. In the templates, each kernel has its
 * parts: templates/kernel/<name>.cmake.hbs (included once by the CMake project) and
 * templates/kernel/<name>.FreeRTOSConfig.h.hbs (the kernel's own block of FreeRTOSConfig.h).
 *
 * A fourth kernel is a new entry of KERNELS plus its two template parts (and, in C, its port files).
 */
import { join } from 'node:path';
import { repoRoot } from '../util/paths.js';
import { checkFreertosTree, resolveFreertosKernel } from '../components/freertos.js';
import type { EffectiveConfig } from './load.js';

/** rtos.kernel: none = no kernel; builtin = lib/rtos; freertos = the real FreeRTOS-Kernel. */
export type RtosKernel = 'none' | 'builtin' | 'freertos';

/**
 * How module code reaches per-thread firmware state through the RTOS port's inline headers: with a kernel,
 * `mp_thread_get_state()` (ports/rp2/rtos/mpthreadport.h) is inlined into module code as a read of the
 * core's thread register (SIO interpolator 1 BASE2). Bump when such an inline access path changes.
 */
export const PORT_THREAD_STATE = 'interp1-base2';

/** Where a kernel's sources are, found when a build is planned. */
export interface KernelTree {
    /** The kernel's source tree (lib/rtos for builtin), null without a kernel. */
    path: string | null;
    /** The kernel's release, when its tree says (e.g. "V11.3.0"). */
    version?: string;
    /** Component trees the CMake project needs besides the usual ones (cli/components/source-trees.ts keys). */
    paths?: { freertos?: string };
}

export interface KernelProfile {
    name: RtosKernel;
    /** For rtos.kernel's description and `--rtos` help. */
    summary: string;
    /**
     * The firmware's RTOS port (ports/rp2/rtos) is built: USB and MicroPython are tasks, `_thread` threads are
     * tasks (with the GIL), kernel objects and system stacks come from the C heap.
     */
    rtosPort: boolean;
    /** The configuration keys that size the C heap and the main (interrupt) stack at the top of RAM. */
    ramKeys: { cHeap: string; stack: string; cHeapMax?: string };
    /** The keys to lower when the GC heap would fall below its minimum (the linker script's message). */
    gcHeapHint: string;
    /** Finds the kernel's tree before anything slow; throws (exit code 2) with the fix when it is unusable. */
    resolve(effective: EffectiveConfig, cwd: string): KernelTree;
    /** Lines of the ABI identity's text after `kernel <name>` (cli/compile/abi.ts). */
    abiLines: readonly string[];
    /** "builtin (lib/rtos)", "FreeRTOS-Kernel V11.3.0 at PATH", ...: the build report and `mprt doctor`. */
    describe(path: string | null, version?: string): string;
    /** Why a finished build's kernel tree is no longer usable (`mprt doctor`); undefined when it is. */
    treeGone?(path: string | null): string | undefined;
    /** What the templates read of the kernel (`kernel.*`), besides the parts named after it. */
    template: {
        /** pico-sdk's multicore_launch_core1 starts core 1 on its own main stack (.stack1, PICO_CORE1_STACK_SIZE). */
        core1MainStack: boolean;
    };
}

const RTOS_RAM = {
    ramKeys: { cHeap: 'rtos.c_heap_size', stack: 'rtos.isr_stack_size', cHeapMax: 'rtos.c_heap_max' },
    gcHeapHint: 'lower rtos.c_heap_max, rtos.mp_stack_size or rtos.isr_stack_size',
};

export const KERNELS: Record<RtosKernel, KernelProfile> = {
    none: {
        name: 'none',
        summary: 'MicroPython alone (threads on core 1, as stock)',
        rtosPort: false,
        ramKeys: { cHeap: 'ram.c_heap_size', stack: 'ram.stack_size' },
        gcHeapHint: 'lower ram.c_heap_size or ram.stack_size',
        resolve: () => ({ path: null }),
        abiLines: [],
        describe: () => 'none (MicroPython alone)',
        template: { core1MainStack: false },
    },
    builtin: {
        name: 'builtin',
        summary: 'our FreeRTOS-API kernel (lib/rtos): USB and MicroPython run as separate tasks, _thread threads are tasks',
        rtosPort: true,
        ...RTOS_RAM,
        resolve: () => ({ path: join(repoRoot(), 'lib', 'rtos') }),
        abiLines: [`thread-state ${PORT_THREAD_STATE}`],
        describe: () => 'builtin (lib/rtos)',
        template: { core1MainStack: false },
    },
    freertos: {
        name: 'freertos',
        summary: 'the same firmware on the real FreeRTOS-Kernel (SMP RP2040 port) from rtos.freertos_path / MPRT_FREERTOS_PATH',
        rtosPort: true,
        ...RTOS_RAM,
        resolve: (effective, cwd) => {
            const k = resolveFreertosKernel(effective, cwd);
            return { path: k.path, version: k.version, paths: { freertos: k.path } };
        },
        abiLines: [`thread-state ${PORT_THREAD_STATE}`],
        describe: (path, version) => `FreeRTOS-Kernel ${version ? `${version} ` : ''}at ${path ?? '?'}`,
        treeGone: (path) => (!path || checkFreertosTree(path).length
            ? `the FreeRTOS-Kernel tree it was built from is gone (${path ?? 'unknown'}): rebuild with --freertos-path DIR or --rtos builtin`
            : undefined),
        // the kernel's RP2040 port starts core 1 with multicore_launch_core1
        template: { core1MainStack: true },
    },
};

export const KERNEL_NAMES = Object.keys(KERNELS) as RtosKernel[];

export function isKernel(name: string): name is RtosKernel {
    return Object.hasOwn(KERNELS, name);
}

export function kernelProfile(name: string): KernelProfile {
    if (!isKernel(name)) throw new Error(`unknown kernel ${name} (${KERNEL_NAMES.join(', ')})`);
    return KERNELS[name];
}

/** What the templates see as `kernel`: the profile's facts and the names of its parts. */
export function kernelTemplateContext(k: KernelProfile): KernelProfile['template'] & {
    name: RtosKernel; rtosPort: boolean; gcHeapHint: string; cmakePart: string; configPart: string;
} {
    return {
        name: k.name,
        rtosPort: k.rtosPort,
        gcHeapHint: k.gcHeapHint,
        ...k.template,
        cmakePart: `kernel/${k.name}.cmake.hbs`,
        configPart: `kernel/${k.name}.FreeRTOSConfig.h.hbs`,
    };
}
