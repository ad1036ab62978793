/**
 * Which firmware the RTOS benches run: $MPRT_RTOS_FIRMWARE, else the first of build/pico, build/pico-rtos
 * whose size.json says it was built with a kernel (rtos.kernel other than none). The kernel is read
 * from the size.json next to the image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sizeReport, type SizeReport } from '../cli/compile/size-report.js';
import { realRomPath } from '../cli/emulator/rom.js';
import { repoRoot } from '../cli/util/paths.js';

export interface BenchFirmware {
    uf2: string;
    /** rtos.kernel of the build ('none', 'builtin', 'freertos'), or 'unknown' without a size.json. */
    kernel: string;
}

export function firmwareKernel(uf2: string): string {
    const sizeJson = join(dirname(uf2), 'size.json');
    if (!existsSync(sizeJson)) return 'unknown';
    try {
        const config = (JSON.parse(readFileSync(sizeJson, 'utf8')) as { config?: Record<string, unknown> }).config ?? {};
        return typeof config['rtos.kernel'] === 'string' ? config['rtos.kernel'] : 'none';
    } catch {
        return 'unknown';
    }
}

/**
 * The firmwares the RTOS benches compare, one per kernel: ours ($MPRT_RTOS_FIRMWARE, else build/pico or
 * build/pico-rtos) and the FreeRTOS-Kernel's ($MPRT_FREERTOS_FIRMWARE, else build/pico-freertos), those built.
 */
export function kernelFirmwares(): BenchFirmware[] {
    const out: BenchFirmware[] = [];
    const ours = rtosFirmware();
    if (ours) out.push(ours);
    const freertos = process.env.MPRT_FREERTOS_FIRMWARE ?? join(repoRoot(), 'build', 'pico-freertos', 'firmware.uf2');
    if (existsSync(freertos) && firmwareKernel(freertos) === 'freertos' && !out.some((f) => f.kernel === 'freertos')) {
        out.push({ uf2: freertos, kernel: 'freertos' });
    }
    return out;
}

/** The build's size.json next to a firmware image: flash image bytes, static RAM, heaps. */
export function buildSizes(uf2: string): { imageBytes: number; staticRam: number; cHeap: number; gcHeap: number } | undefined {
    const sizeJson = join(dirname(uf2), 'size.json');
    if (!existsSync(sizeJson)) return undefined;
    return JSON.parse(readFileSync(sizeJson, 'utf8')) as { imageBytes: number; staticRam: number; cHeap: number; gcHeap: number };
}

export function rtosFirmware(): BenchFirmware | undefined {
    const explicit = process.env.MPRT_RTOS_FIRMWARE;
    if (explicit) return existsSync(explicit) ? { uf2: explicit, kernel: firmwareKernel(explicit) } : undefined;
    for (const dir of ['pico', 'pico-rtos']) {
        const uf2 = join(repoRoot(), 'build', dir, 'firmware.uf2');
        if (!existsSync(uf2)) continue;
        const kernel = firmwareKernel(uf2);
        if (kernel !== 'none') return { uf2, kernel };
    }
    return undefined;
}

export interface BenchRom {
    /** The ROM image for openBoard's `bootrom` (undefined: ours). */
    bootrom?: string;
    /** Which ROM, for the figures' notes. */
    label: string;
}

/**
 * The boot ROM the emulated-time benches run on: the real B1 ROM when it is at hand (the figures then
 * hold on a board), else ours, whose host-side float routines make float code cheaper in emulated time
 * than on the chip. MPRT_BENCH_ROM=ours forces ours (to compare the two).
 */
export function benchRom(): BenchRom {
    const real = process.env.MPRT_BENCH_ROM === 'ours' ? undefined : realRomPath();
    return real
        ? { bootrom: real, label: `real RP2040 B1 boot ROM (${real})` }
        : { label: "mprt's emulator ROM (float routines run on the host: float code is cheaper than on the chip)" };
}

/**
 * Flash and static RAM of named source trees in the firmware next to `uf2`, from its link map
 * (cli/compile/size-report.ts): a "flash: NAME" and a "RAM: NAME (static)" figure per root, and the
 * whole report for more; nothing when the map is missing.
 */
export function sourceSizes(uf2: string, roots: Record<string, string>): { figures: { name: string; value: number; unit: string }[]; report?: SizeReport } {
    const dir = dirname(uf2);
    const map = join(dir, 'firmware.map');
    if (!existsSync(map)) return { figures: [] };
    const report = sizeReport(readFileSync(map, 'utf8'), roots, { relativeTo: join(dir, 'cmake') });
    const figures: { name: string; value: number; unit: string }[] = [];
    for (const name of Object.keys(roots)) {
        const c = report.components.find((x) => x.name === name);
        figures.push({ name: `flash: ${name}`, value: c?.flash ?? 0, unit: 'B' });
        figures.push({ name: `RAM: ${name} (static)`, value: c?.ram ?? 0, unit: 'B' });
    }
    return { figures, report };
}
