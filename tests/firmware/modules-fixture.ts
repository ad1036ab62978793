/**
 * Shared by tests/firmware/modules.test.ts and bench/modules.ts: firmware builds with their module
 * SDK, packing C sources into modules, moving large files onto an emulated board, and editing
 * module files at the byte level (for the refused-input cases).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildFirmware } from '../../cli/compile/firmware.js';
import { flashAddress } from '../../cli/chip/rp2040.js';
import type { EmulatedBoard } from '../../cli/emulator/types.js';
import { crc32 } from '../../cli/formats/module.js';
import { packModule, type PackResult } from '../../cli/modules/pack.js';
import { repoRoot } from '../../cli/util/paths.js';

export const examplesDir = join(repoRoot(), 'examples', 'modules');

export const norm = (s: string) => s.replace(/\r\n/g, '\n');

/** Runs code on the board and returns what it printed (LF line ends); it must end in time and raise nothing. */
export async function run(board: EmulatedBoard, code: string, timeoutMs = 20_000): Promise<string> {
    const r = await board.exec(code, { timeoutMs });
    assert.equal(r.timedOut, false, `timed out: ${code}`);
    assert.equal(r.stderr, '', `${code}\n→ ${r.stderr}`);
    return norm(r.stdout);
}

/** examples/modules/ticker: a kernel timer counts while Python sleeps, and stops when told (prints True x3). */
export const TICKER_CHECK = [
    'import ticker, time',
    'ticker.start(10)',
    'time.sleep_ms(105)',
    'n = ticker.count()',
    'print(9 <= n <= 11)',
    'time.sleep_ms(50)',
    'print(ticker.count() > n)',
    'm = ticker.stop()',
    'time.sleep_ms(30)',
    'print(ticker.count() == m)',
];
export const TICKER_EXPECT = 'True\nTrue\nTrue\n';

export interface FirmwareBuild {
    dir: string;
    uf2: string;
    kernel: 'none' | 'builtin';
    abi: string;
    /** Absolute XIP address and size of the module flash region. */
    region: { start: number; size: number };
}

/** Builds (incrementally) a pico firmware into `dir` with `set`, and describes it. */
export async function buildPico(dir: string, set: string[], log?: (s: string) => void): Promise<FirmwareBuild> {
    await buildFirmware({ board: 'pico', outDir: dir, set, jobs: 2, log });
    return describeBuild(dir);
}

export function describeBuild(dir: string): FirmwareBuild {
    const exports = JSON.parse(readFileSync(join(dir, 'sdk', 'exports.json'), 'utf8')) as { abi: string; kernel: 'none' | 'builtin' };
    const size = JSON.parse(readFileSync(join(dir, 'size.json'), 'utf8')) as { flashMap: { name: string; offset: number; size: number }[] };
    const m = size.flashMap.find((r) => r.name === 'modules');
    if (!m) throw new Error(`${dir}/size.json has no modules region`);
    return { dir, uf2: join(dir, 'firmware.uf2'), kernel: exports.kernel, abi: exports.abi, region: { start: flashAddress(m.offset), size: m.size } };
}

export function sha256File(path: string): string {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Packs one C source (written to `work/NAME/NAME.c`) into `work/NAME.so`. */
export async function packSource(work: string, name: string, source: string, firmware: string): Promise<PackResult & { bytes: number }> {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.c`), source);
    return packModule({ inputs: [dir], firmware, output: join(work, `${name}.so`), name });
}

/**
 * A module of about `codeBytes` of code: `count` distinct functions reachable from a const table,
 * and `NAME.run(i, x)` calling function i. Its code does integer arithmetic and calls the firmware
 * (mp_obj_get_int, mp_obj_new_int), like typical extension code.
 */
export function bulkModuleSource(name: string, codeBytes: number): string {
    // each function compiles to about 29 bytes at -Os, plus 4 in the table (arm-none-eabi-gcc 12)
    const count = Math.max(1, Math.round(codeBytes / 33));
    const lines: string[] = [`// generated: ${count} functions`];
    for (let i = 0; i < count; i++) {
        lines.push(`static mp_int_t f${i}(mp_int_t x) { mp_int_t a = x * ${i + 3} + ${i}; for (int k = 0; k < ${1 + (i % 5)}; k++) { a = (a ^ (a >> ${1 + (i % 7)})) + ${i * 17 + 1}; } return a; }`);
    }
    lines.push('typedef mp_int_t (*fn_t)(mp_int_t);');
    lines.push(`static const fn_t table[${count}] = { ${Array.from({ length: count }, (_, i) => `f${i}`).join(', ')} };`);
    lines.push(`static mp_obj_t ${name}_run(mp_obj_t i_in, mp_obj_t x_in) {`);
    lines.push('    mp_int_t i = mp_obj_get_int(i_in);');
    lines.push(`    if (i < 0 || i >= ${count}) { mp_raise_ValueError(MP_ERROR_TEXT("no such function")); }`);
    lines.push('    return mp_obj_new_int(table[i](mp_obj_get_int(x_in)));');
    lines.push('}');
    lines.push(`static MP_DEFINE_CONST_FUN_OBJ_2(${name}_run_obj, ${name}_run);`);
    lines.push(`static const mp_rom_map_elem_t ${name}_globals_table[] = {`);
    lines.push(`    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_${name}) },`);
    lines.push(`    { MP_ROM_QSTR(MP_QSTR_run), MP_ROM_PTR(&${name}_run_obj) },`);
    lines.push('};');
    lines.push(`static MP_DEFINE_CONST_DICT(${name}_globals, ${name}_globals_table);`);
    lines.push(`MPRT_MODULE(${name}_module, ${name}_globals);`);
    return lines.join('\n') + '\n';
}

/** What f_i(x) of bulkModuleSource returns, computed on the host (32-bit mp_int_t arithmetic). */
export function bulkExpected(i: number, x: number): number {
    let a = (Math.imul(x, i + 3) + i) | 0;
    for (let k = 0; k < 1 + (i % 5); k++) a = ((a ^ (a >> (1 + (i % 7)))) + i * 17 + 1) | 0;
    return a;
}

/** Writes a file of any size to the board, in pieces the raw REPL can take (8 KB per exec). */
export async function writeLargeFile(board: EmulatedBoard, path: string, data: Uint8Array): Promise<void> {
    const piece = 8192;
    for (let off = 0; off === 0 || off < data.length; off += piece) {
        let code = `f=open(${JSON.stringify(path)},'${off === 0 ? 'wb' : 'ab'}')\nw=f.write\n`;
        for (let i = off; i < Math.min(off + piece, data.length); i += 256) {
            code += `w(bytes.fromhex('${Buffer.from(data.subarray(i, Math.min(i + 256, off + piece, data.length))).toString('hex')}'))\n`;
        }
        code += 'f.close()\n';
        const r = await board.exec(code, { timeoutMs: 60_000 });
        if (r.stderr || r.timedOut) throw new Error(`writing ${path} at ${off}: ${r.stderr || 'timed out'}`);
    }
}

/** Recomputes a module file's content hash and CRC after its bytes were edited (docs/modules.md). */
export function refreshModule(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes);
    out.set(createHash('sha256').update(out.subarray(36)).digest().subarray(0, 16), 20);
    new DataView(out.buffer).setUint32(16, crc32(out.subarray(20)), true);
    return out;
}

export const u32le = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);
