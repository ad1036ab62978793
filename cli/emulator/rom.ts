/**
 * Our boot ROM for the emulator (rom/bootrom.S): built with the arm-none-eabi toolchain on first use and
 * cached in toolsDir()/rom-<hash>.bin, where the hash covers the sources, so an edit rebuilds it.
 * Also the pure helpers that read a ROM image's header and lookup tables.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { resolveToolchain } from '../toolchain/resolve.js';
import { MprtError } from '../util/errors.js';
import { repoRoot, toolsDir } from '../util/paths.js';

/** rp2040js maps 16 KB of ROM at address 0. */
export const ROM_SIZE = 16 * 1024;
const SOURCES = ['bootrom.S', 'bootrom.ld'];

function romSourceDir(): string {
    return join(repoRoot(), 'rom');
}

/** The cache key of the ROM: a hash of its sources. */
export function romSourceHash(dir = romSourceDir()): string {
    const h = createHash('sha256');
    for (const name of SOURCES) {
        h.update(name + '\0');
        h.update(readFileSync(join(dir, name)));
    }
    return h.digest('hex').slice(0, 16);
}

/** Path of our ROM binary, building it first when the cache has none for the current sources. */
export async function ourRomPath(opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    const env = opts.env ?? process.env;
    const dir = romSourceDir();
    const out = join(toolsDir(env), `rom-${romSourceHash(dir)}.bin`);
    if (existsSync(out)) return out;
    const tc = resolveToolchain({ env });
    mkdirSync(toolsDir(env), { recursive: true });
    const work = mkdtempSync(join(toolsDir(env), 'rom-build-'));
    try {
        const elf = join(work, 'bootrom.elf');
        const bin = join(work, 'bootrom.bin');
        await execa(tc.gcc, [
            '-mcpu=cortex-m0plus', '-mthumb', '-nostdlib', '-nostartfiles',
            '-T', join(dir, 'bootrom.ld'), join(dir, 'bootrom.S'), '-o', elf,
        ]);
        await execa(tc.objcopy, ['-O', 'binary', elf, bin]);
        const size = statSync(bin).size;
        if (size > ROM_SIZE) throw new MprtError(`boot ROM is ${size} bytes, more than the ${ROM_SIZE} the emulator maps`);
        renameSync(bin, out);
    } catch (err) {
        if (err instanceof MprtError) throw err;
        throw new MprtError('building the emulator boot ROM failed', {
            hint: `check rom/ and the toolchain; ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`,
            cause: err,
        });
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
    return out;
}

/** Reads a ROM image file (ours or a real RP2040 ROM dump) and pads it to the 16 KB ROM. */
export function loadRomFile(path: string): Uint8Array {
    if (!existsSync(path)) throw new MprtError(`boot ROM ${path} not found`, { exitCode: 2 });
    const data = readFileSync(path);
    if (data.length > ROM_SIZE) {
        throw new MprtError(`boot ROM ${path} is ${data.length} bytes; an RP2040 ROM is at most ${ROM_SIZE}`, { exitCode: 2 });
    }
    const rom = new Uint8Array(ROM_SIZE);
    rom.set(data);
    checkRomHeader(rom, path);
    return rom;
}

/** The two-letter table code as the ROM stores it: first letter in the low byte. */
export function romCode(code: string): number {
    return code.charCodeAt(0) | (code.charCodeAt(1) << 8);
}

export function romCodeName(value: number): string {
    return String.fromCharCode(value & 0xff, value >> 8);
}

export interface RomTables {
    version: number;
    /** Function code ('MC', 'RE'...) → entry address (with the Thumb bit, as the table holds it). */
    functions: Map<string, number>;
    /** Data code ('SF', 'SD', ...) → address. */
    data: Map<string, number>;
}

function u16(rom: Uint8Array, at: number): number {
    return rom[at] | (rom[at + 1] << 8);
}

export function checkRomHeader(rom: Uint8Array, what = 'boot ROM'): void {
    if (rom[0x10] !== 0x4d || rom[0x11] !== 0x75 || rom[0x12] !== 0x01) {
        throw new MprtError(`${what} has no RP2040 ROM header ('M','u',1 at 0x10)`, { exitCode: 2 });
    }
}

function readTable(rom: Uint8Array, at: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let p = at; p + 4 <= rom.length; p += 4) {
        const code = u16(rom, p);
        if (code === 0) break;
        out.set(romCodeName(code), u16(rom, p + 2));
    }
    return out;
}

/** Reads the header (0x10..0x19) and both lookup tables of a ROM image. */
export function readRomTables(rom: Uint8Array): RomTables {
    checkRomHeader(rom);
    return { version: rom[0x13], functions: readTable(rom, u16(rom, 0x14)), data: readTable(rom, u16(rom, 0x16)) };
}

/** The imm8 of a `bkpt #imm` at `addr` (Thumb bit ignored), or undefined when there is none. */
export function bkptAt(rom: Uint8Array, addr: number): number | undefined {
    const a = addr & ~1;
    if (a + 1 >= rom.length) return undefined;
    return rom[a + 1] === 0xbe ? rom[a] : undefined;
}

/** The file name of the real RP2040 B1 boot ROM (BSD-3, Raspberry Pi): never committed here, looked up. */
export const REAL_ROM_FILE = 'rp2040-bootrom-B1.bin';

/**
 * Where the real B1 ROM is looked for: `$MPRT_BOOTROM`, else `<repo>/../shared/third-party/`. Emulated
 * figures on it hold on a board: our ROM services float calls on the host, which makes float code
 * cheaper in emulated time than on the chip.
 */
export function realRomCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
    return env.MPRT_BOOTROM ? [resolve(env.MPRT_BOOTROM)] : [join(repoRoot(), '..', 'shared', 'third-party', REAL_ROM_FILE)];
}

/** The real B1 ROM when it is at hand (see realRomCandidates). */
export function realRomPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    return realRomCandidates(env).find((p) => existsSync(p));
}
