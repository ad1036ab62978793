/** The human-readable report `mprt build` prints. */
import { relative } from 'node:path';
import { flashAddress } from '../chip/rp2040.js';
import { isKernel, kernelProfile } from '../config/kernel.js';
import { describeRange, findKey, formatSize, SCHEMA } from '../config/schema.js';
import { formatSizeReport } from './size-report.js';
import type { BuildResult } from './firmware.js';

const kb = (n: number) => `${(n / 1024).toFixed(1)}K`;

function showValue(key: string, value: unknown): string {
    const spec = findKey(key);
    if (Array.isArray(value)) return value.join(', ') || '(none)';
    if (spec?.type === 'size') return value === 0 ? 'auto' : formatSize(value as number);
    if (spec?.type === 'path' && value === '') return '(not set)';
    return String(value);
}

/** "builtin (lib/rtos)", "FreeRTOS-Kernel at PATH", "none (MicroPython alone)": also used by `mprt doctor`. */
export function describeKernel(name: string, path: string | null, version?: string): string {
    return isKernel(name) ? kernelProfile(name).describe(path, version) : `${name} (unknown kernel)`;
}

export function formatBuildReport(r: BuildResult, opts: { cwd?: string; sizeTable?: boolean } = {}): string {
    const out: string[] = [];
    const rel = (p: string) => relative(opts.cwd ?? process.cwd(), p) || '.';
    out.push(`board:      ${r.board.name} (${r.board.description})`);
    out.push(`toolchain:  arm-none-eabi-gcc ${r.toolchain.version} from ${r.toolchain.origin} (${r.toolchain.binDir})`);
    out.push(`C library:  Picolibc (${r.toolchain.libc})`);
    out.push(`kernel:     ${describeKernel(r.kernel.name, r.kernel.path, r.kernel.version)}`);
    out.push('config:');
    for (const spec of SCHEMA) {
        const origin = r.effective.origins[spec.key];
        out.push(`  ${spec.key.padEnd(20)} ${showValue(spec.key, r.effective.values[spec.key]).padEnd(14)} ${origin === 'default' ? '' : `(${origin})`}`.trimEnd());
    }
    out.push('flash map:');
    for (const p of r.effective.layout.flashMap) {
        const used = p.name === 'firmware' && r.sizes ? `  used ${kb(r.sizes.imageBytes)} (${((100 * r.sizes.imageBytes) / p.size).toFixed(0)}%)` : '';
        // native modules and frozen modules share the modules region (flash.modules_size), split at a fixed boundary
        const shared = p.name === 'modules' ? '  native modules (bottom of flash.modules_size)' : p.name === 'freeze' ? '  frozen modules (top of flash.modules_size, 2 halves)' : '';
        out.push(`  ${p.name.padEnd(11)} 0x${flashAddress(p.offset).toString(16)}  ${formatSize(p.size).padStart(6)}${used}${shared}`);
    }
    if (r.sizes) {
        const s = r.sizes;
        if (s.cHeapMax > s.cHeap) {
            // the C heap and the GC heap share a pool at run time (docs/memory.md)
            out.push(`RAM:        static ${kb(s.staticRam)}, C heap ${kb(s.cHeap)} + pool ${kb(s.cHeapMax - s.cHeap)} shared with the GC heap, `
                + `GC heap ${kb(s.gcHeap)} + what it takes from the pool, stack ${kb(s.stack)}`);
        } else {
            out.push(`RAM:        static ${kb(s.staticRam)}, C heap ${kb(s.cHeap)}, GC heap ${kb(s.gcHeap)}, stack ${kb(s.stack)}`);
        }
        if (opts.sizeTable !== false && s.report) out.push('sizes by component (bytes):', ...formatSizeReport(s.report).split('\n').map((l) => '  ' + l));
    }
    out.push('outputs:');
    for (const o of r.outputs) out.push(`  ${rel(o.path).padEnd(36)} ${o.bytes.toLocaleString('en-US').padStart(11)} B`);
    for (const note of r.notes) out.push(`note: ${note}`);
    if (r.noop) out.push(`up to date: nothing to rebuild (no-op, ${r.seconds.toFixed(2)} s)`);
    else out.push(`built in ${r.seconds.toFixed(1)} s: ${r.compiled.length} objects compiled, ${r.steps.length} build steps${r.configured ? ', configured' : ''}${r.mpyCrossBuilt ? ', mpy-cross built' : ''}`);
    return out.join('\n');
}

/** For `--set` errors etc.: the valid keys with their ranges. */
export function describeKeys(): string {
    return SCHEMA.map((k) => `${k.key}: ${describeRange(k)}`).join('\n');
}
