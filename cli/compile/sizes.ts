/**
 * size.json: flash and RAM by component from the link map, using cli/compile/size-report.ts (the roots:
 * cli/components/source-trees.ts sizeRoots), plus the flash map and RAM split of the configuration.
 */
import { SRAM_BASE } from '../chip/rp2040.js';
import type { EffectiveConfig } from '../config/load.js';
import { sizeReport, type SizeReport } from './size-report.js';

export interface SizeSummary {
    /** Bytes of flash the firmware image occupies (firmware.bin). */
    imageBytes: number;
    firmwareRegion: number;
    /** Static RAM (data + bss), without the heaps and the stack. */
    staticRam: number;
    cHeap: number;
    /** The C heap's region: above cHeap, a RAM pool shared with the GC heap (docs/memory.md); = cHeap without one. */
    cHeapMax: number;
    /** The GC heap's first (fixed) area; with a pool it also adds areas from it. */
    gcHeap: number;
    stack: number;
    report: SizeReport;
}

export function summariseSizes(o: {
    mapText: string;
    roots: Record<string, string | string[]>;
    cmakeDir: string;
    imageBytes: number;
    effective: EffectiveConfig;
}): SizeSummary {
    const report = sizeReport(o.mapText, o.roots, { relativeTo: o.cmakeDir });
    const sym = (name: string) => {
        const m = new RegExp(`^\\s+0x([0-9a-f]+)\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s=`, 'm').exec(o.mapText);
        return m ? parseInt(m[1], 16) : undefined;
    };
    const gcStart = sym('__GcHeapStart');
    const gcEnd = sym('__GcHeapEnd');
    const heapStart = sym('__heap_start');
    const gcHeap = gcStart !== undefined && gcEnd !== undefined ? gcEnd - gcStart : 0;
    const { layout } = o.effective;
    return {
        imageBytes: o.imageBytes,
        firmwareRegion: layout.flash.firmware.size,
        staticRam: heapStart !== undefined ? heapStart - SRAM_BASE : report.ram.total,
        cHeap: layout.ram.cHeapSize,
        cHeapMax: layout.ram.cHeapMax,
        gcHeap,
        stack: layout.ram.stackSize,
        report,
    };
}
