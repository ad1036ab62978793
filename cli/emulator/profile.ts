/**
 * A cycle profile of the emulated cores: every instruction's cycles are added to its address, then
 * summed per function of the firmware's ELF symbol table. Exact (not sampled); costs about a third more
 * emulation time. Used by `mprt emulate --profile FILE`; counts until a board reset (which makes a new chip).
 */
import { readFileSync } from 'node:fs';
import { SRAM_BASE, SRAM_END } from '../chip/rp2040.js';
import { parseElf, type ElfSymbol } from '../formats/elf.js';
import type { Rp2040Board } from './board.js';

interface ProfiledCore {
    PC: number;
    executeInstruction(): number;
}

const STT_FUNC = 2;

export interface CycleProfile {
    /** Stops counting; returns cycles per instruction address. */
    stop(): Map<number, number>;
}

export function startProfile(board: Rp2040Board): CycleProfile {
    const cycles = new Map<number, number>();
    const cores = (board.dual ? board.dual.cores : [board.mcu.core]) as unknown as ProfiledCore[];
    const originals = cores.map((core) => core.executeInstruction);
    for (const core of cores) {
        const run = core.executeInstruction.bind(core);
        core.executeInstruction = () => {
            const pc = core.PC;
            const n = run();
            cycles.set(pc, (cycles.get(pc) ?? 0) + n);
            return n;
        };
    }
    return {
        stop: () => {
            cores.forEach((core, i) => {
                core.executeInstruction = originals[i]!;
            });
            return cycles;
        },
    };
}

/** Function symbols by address, for lookup. */
function functions(elfBytes: Uint8Array): ElfSymbol[] {
    return parseElf(elfBytes).symbols.filter((s) => s.type === STT_FUNC && s.size > 0).sort((a, b) => a.value - b.value);
}

function owner(funcs: ElfSymbol[], pc: number): string {
    let lo = 0;
    let hi = funcs.length - 1;
    let best: ElfSymbol | undefined;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((funcs[mid]!.value & ~1) <= pc) {
            best = funcs[mid];
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (best && pc < (best.value & ~1) + best.size) return best.name;
    return pc >= SRAM_BASE && pc < SRAM_END ? '(RAM code)' : `(0x${pc.toString(16)})`;
}

/** The report: cycles per function, most first (`top` rows), with shares of the total. */
export function formatProfile(cycles: Map<number, number>, elfPath: string, top = 60): string {
    const funcs = functions(readFileSync(elfPath));
    const perFunction = new Map<string, number>();
    let total = 0;
    for (const [pc, n] of cycles) {
        const name = owner(funcs, pc);
        perFunction.set(name, (perFunction.get(name) ?? 0) + n);
        total += n;
    }
    const rows = [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
    const lines = [`# cycles per function (both cores), total ${total}`];
    for (const [name, n] of rows) lines.push(`${String(n).padStart(12)} ${((100 * n) / Math.max(total, 1)).toFixed(1).padStart(5)}%  ${name}`);
    return lines.join('\n') + '\n';
}
