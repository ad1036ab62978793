/**
 * Real firmware builds the format tests check themselves against: ours (build/pico, made by
 * `npm test` before the tests run) and, when `npm run baseline` has built it, MicroPython's stock one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths } from '../../cli/components/source-trees.js';
import { stockBuildPaths } from '../../cli/testing/stock.js';
import { repoRoot } from '../../cli/util/paths.js';

export interface BuiltFirmware {
    name: string;
    elf: string;
    map: string;
    bin: string;
}

export function builtFirmwares(): BuiltFirmware[] {
    const out: BuiltFirmware[] = [];
    const ours = join(repoRoot(), 'build', 'pico');
    out.push({ name: 'ours (build/pico)', elf: join(ours, 'firmware.elf'), map: join(ours, 'firmware.map'), bin: join(ours, 'firmware.bin') });
    try {
        const s = stockBuildPaths();
        out.push({ name: 'stock', elf: s.elf, map: join(s.buildDir, 'firmware.elf.map'), bin: join(s.buildDir, 'firmware.bin') });
    } catch {
        // no toolchain: only ours
    }
    return out.filter((f) => existsSync(f.elf) && existsSync(f.map) && existsSync(f.bin));
}

/** Whether `mprt setup` has fetched the components a real firmware build needs. */
export function componentsReady(): boolean {
    try {
        componentPaths();
        return true;
    } catch {
        return false;
    }
}
