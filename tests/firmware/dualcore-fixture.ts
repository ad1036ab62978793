/**
 * Bare-metal two-core test programs (tests/firmware/dualcore/*.c): built with the cross toolchain (cached
 * by the hash of their sources) and run on a bare emulated chip — our boot ROM, core 1 attached, core 0
 * entered at the program's vector table — until core 0 executes a BKPT.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, LogLevel, RP2040 } from 'rp2040js';
import { attachSecondCore, type DualCore } from '../../cli/emulator/dualcore.js';
import { loadRomFile, ourRomPath } from '../../cli/emulator/rom.js';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';
import { cacheDir, repoRoot } from '../../cli/util/paths.js';

const SRC = join(repoRoot(), 'tests', 'firmware', 'dualcore');
const CFLAGS = ['-mcpu=cortex-m0plus', '-mthumb', '-O2', '-ffreestanding', '-nostdlib', '-nostartfiles', '-Wall', '-Wextra', '-Werror'];

/** Builds tests/firmware/dualcore/<name>.c (once per source version); returns the flat binary. */
export function buildProgram(name: string): Buffer {
    const c = readFileSync(join(SRC, `${name}.c`));
    const ld = readFileSync(join(SRC, 'dualcore.ld'));
    const hash = createHash('sha256').update(c).update(ld).update(CFLAGS.join(' ')).digest('hex').slice(0, 16);
    const dir = join(cacheDir(), 'test-builds', 'dualcore');
    const bin = join(dir, `${name}-${hash}.bin`);
    if (!existsSync(bin)) {
        mkdirSync(dir, { recursive: true });
        const tc = resolveToolchain();
        const elf = `${bin}.${process.pid}.elf`;
        execFileSync(tc.gcc, [...CFLAGS, '-T', join(SRC, 'dualcore.ld'), join(SRC, `${name}.c`), '-o', elf], { stdio: 'pipe' });
        execFileSync(tc.objcopy, ['-O', 'binary', elf, `${bin}.${process.pid}`], { stdio: 'pipe' });
        renameSync(`${bin}.${process.pid}`, bin);
    }
    return readFileSync(bin);
}

export interface ProgramRun {
    mcu: RP2040;
    dual: DualCore;
    /** The BKPT immediate that stopped core 0, if any. */
    breakpoint: number | undefined;
    /** Which core executed it. */
    breakCore: number | undefined;
    /** Emulated nanoseconds until then. */
    nanos: number;
    /** Wall milliseconds the run took. */
    wallMs: number;
    word(address: number): number;
}

/** Runs a program until a BKPT or `maxNanos` of emulated time. */
export async function runProgram(bin: Buffer, opts: { maxNanos?: number; sliceNanos?: number } = {}): Promise<ProgramRun> {
    const mcu = new RP2040();
    mcu.logger = new ConsoleLogger(LogLevel.Error);
    const rom = loadRomFile(await ourRomPath());
    mcu.loadBootrom(new Uint32Array(rom.buffer.slice(rom.byteOffset, rom.byteOffset + rom.length)));
    mcu.flash.set(bin, 0);
    let breakpoint: number | undefined;
    let breakCore: number | undefined;
    const dual = attachSecondCore(mcu);
    if (opts.sliceNanos) dual.sliceNanos = opts.sliceNanos;
    mcu.onBreak = (imm) => {
        breakpoint ??= imm;
        breakCore ??= mcu.core === (dual.cores[1] as unknown) ? 1 : 0;
    };
    const core0 = dual.cores[0];
    core0.SP = bin.readUInt32LE(0);
    core0.PC = bin.readUInt32LE(4) & ~1;
    const maxNanos = opts.maxNanos ?? 2e9;
    const start = Date.now();
    while (breakpoint === undefined && mcu.clock.nanos < maxNanos) {
        dual.run(Math.min(maxNanos, mcu.clock.nanos + 2e6), 250_000, () => breakpoint !== undefined);
    }
    return {
        mcu,
        dual,
        breakpoint,
        breakCore,
        nanos: mcu.clock.nanos,
        wallMs: Date.now() - start,
        word: (address) => mcu.readUint32(address) >>> 0,
    };
}
