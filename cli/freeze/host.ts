/**
 * `mprt freeze` (docs/freeze.md "On the host"): a freeze image for a firmware, made on the host without
 * a board. There is one implementation of the image format, the firmware's (ports/rp2/freeze/): this
 * boots that firmware in the emulator, copies the modules (compiled with the firmware's mpy-cross) onto
 * its filesystem, runs freeze.import_modules there, and cuts the freeze region out of the emulated flash.
 * It freezes twice (with a power cycle between), so that the image exists built for each half of the
 * region: the image file carries both, and freeze.load(path) on a board installs the one for the half it
 * writes next. The UF2 holds the first image and an erased other half (it replaces whatever is there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { flashAddress, UF2_FAMILY_ID } from '../chip/rp2040.js';
import { findComponent } from '../components/components.js';
import { mpyCrossPath } from '../compile/mpycross.js';
import { openBoard, type Rp2040Board } from '../emulator/board.js';
import { encodeUf2 } from '../formats/uf2.js';
import { MprtError } from '../util/errors.js';

/** The image header (ports/rp2/freeze/mprt_freeze_image.h fz_header_t). */
export const FZ_MAGIC = 0x5a46504d;
const FZ_HEADER = { magic: 0, crc: 4, version: 8, seq: 12, size: 16, abi: 20, flashBytes: 56 } as const;

export interface FreezeHostOptions {
    /** .py or .mpy files, or package directories (with an __init__.py). */
    inputs: string[];
    /** The firmware build directory (`mprt build --out DIR`): firmware.uf2 and size.json. */
    firmware: string;
    /** The UF2 to write (targets the freeze region). */
    output: string;
    /** The image file for freeze.load(path) (default: the UF2's name with .fz). */
    image?: string;
    log?: (line: string) => void;
}

export interface FreezeHostResult {
    firmware: string;
    region: { address: number; size: number };
    modules: { name: string; path: string; source: string; flashBytes: number }[];
    flashBytes: number;
    imageBytes: number;
    uf2: string;
    image: string;
    emulatedMs: number;
}

/** One file to put on the emulated filesystem: its path there (relative, as in the image) and where it comes from. */
interface SourceFile {
    rel: string;
    host: string;
    module: string;
}

function collect(inputs: string[]): SourceFile[] {
    const out: SourceFile[] = [];
    for (const input of inputs) {
        const abs = resolve(input);
        if (!existsSync(abs)) throw new MprtError(`${input}: no such file or directory`, { exitCode: 2 });
        if (statSync(abs).isDirectory()) {
            const pkg = basename(abs);
            if (!existsSync(join(abs, '__init__.py')) && !existsSync(join(abs, '__init__.mpy'))) {
                throw new MprtError(`${input}: a package directory needs an __init__.py`, { exitCode: 2 });
            }
            const walk = (dir: string) => {
                for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
                    const p = join(dir, e.name);
                    if (e.isDirectory() && e.name !== '__pycache__') walk(p);
                    else if (/\.m?py$/.test(e.name) && e.name !== 'manifest.py') {
                        const rel = join(pkg, relative(abs, p));
                        out.push({ rel, host: p, module: rel.replace(/\.m?py$/, '').replace(/\/__init__$/, '').split('/').join('.') });
                    }
                }
            };
            walk(abs);
        } else if (/\.m?py$/.test(abs)) {
            out.push({ rel: basename(abs), host: abs, module: basename(abs).replace(/\.m?py$/, '') });
        } else {
            throw new MprtError(`${input}: not a .py or .mpy file, nor a package directory`, { exitCode: 2 });
        }
    }
    if (out.length === 0) throw new MprtError('no modules to freeze', { exitCode: 2 });
    return out;
}

/** Compiles a .py with the firmware's mpy-cross; a syntax error is reported as FILE:LINE. */
function compile(mpyCross: string, f: SourceFile, work: string): Uint8Array {
    if (f.rel.endsWith('.mpy')) return readFileSync(f.host);
    const out = join(work, f.rel.replace(/\.py$/, '.mpy'));
    mkdirSync(dirname(out), { recursive: true });
    try {
        execFileSync(mpyCross, ['-s', f.rel, '-o', out, f.host], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
        const text = String((err as { stderr?: Buffer }).stderr ?? err);
        const at = /File "[^"]*", line (\d+)/.exec(text);
        const last = text.trim().split('\n').pop() ?? text;
        throw new MprtError(`${relative(process.cwd(), f.host) || f.host}${at ? `:${at[1]}` : ''}: ${last}`, { exitCode: 1 });
    }
    return readFileSync(out);
}

/** A traceback from the board, its files named as on the host. */
function hostTraceback(text: string, files: SourceFile[]): string {
    const byRel = new Map(files.map((f) => [f.rel.replace(/\.mpy$/, '.py'), f.host]));
    const lines = text.trim().split('\n');
    let where = '';
    for (const l of lines) {
        const m = /File "([^"]+)", line (\d+)/.exec(l);
        if (m && byRel.has(m[1])) where = `${relative(process.cwd(), byRel.get(m[1])!) || byRel.get(m[1])!}:${m[2]}`;
    }
    const last = lines[lines.length - 1] ?? text;
    return where ? `${where}: ${last}` : last;
}

async function exec(board: Rp2040Board, code: string, files: SourceFile[], timeoutMs = 120_000): Promise<{ stdout: string; ms: number }> {
    const r = await board.exec(code, { timeoutMs });
    if (r.timedOut) throw new MprtError(`the emulated firmware did not finish: ${code.split('\n')[0]}`);
    if (r.stderr) throw new MprtError(hostTraceback(r.stderr.replace(/\r/g, ''), files), { exitCode: 1 });
    return { stdout: r.stdout.replace(/\r/g, ''), ms: r.emulatedMs ?? 0 };
}

const pyStr = (s: string) => JSON.stringify(s);

export async function freezeOnHost(opts: FreezeHostOptions): Promise<FreezeHostResult> {
    const log = opts.log ?? (() => undefined);
    const fwDir = resolve(opts.firmware);
    const uf2Path = join(fwDir, 'firmware.uf2');
    const sizeJson = join(fwDir, 'size.json');
    if (!existsSync(uf2Path) || !existsSync(sizeJson)) {
        throw new MprtError(`${opts.firmware} is not a firmware build directory (no firmware.uf2 or size.json)`, {
            hint: 'build one with `mprt build --board pico` (build/pico) or `mprt build --out DIR`', exitCode: 2,
        });
    }
    const map = (JSON.parse(readFileSync(sizeJson, 'utf8')) as { flashMap: { name: string; offset: number; size: number }[] }).flashMap;
    const region = map.find((p) => p.name === 'freeze');
    if (!region || region.size === 0) {
        throw new MprtError(`${opts.firmware} has no freeze region`, { hint: 'build it with flash.freeze_size > 0 (docs/configuration.md)', exitCode: 2 });
    }
    const mpyCross = mpyCrossPath(findComponent('micropython').version);
    if (!existsSync(mpyCross)) throw new MprtError(`no mpy-cross at ${mpyCross}`, { hint: 'run `mprt build` once (it builds mpy-cross)', exitCode: 2 });
    const files = collect(opts.inputs);
    const work = mkdtempSync(join(tmpdir(), 'mprt-freeze-host-'));
    try {
        const compiled = files.map((f) => ({ f, bytes: compile(mpyCross, f, work) }));
        const flashImage = join(work, 'flash.img');
        log(`booting ${uf2Path} in the emulator`);
        const board = await openBoard({ firmware: uf2Path, flashImage });
        let ms = 0;
        try {
            await board.boot();
            // the modules as .mpy files in /freeze-src (MicroPython's mpy-cross output, as the firmware's own)
            const dirs = new Set<string>(['/freeze-src']);
            for (const { f } of compiled) {
                const parts = f.rel.split('/').slice(0, -1);
                for (let i = 1; i <= parts.length; i++) dirs.add(`/freeze-src/${parts.slice(0, i).join('/')}`);
            }
            await exec(board, `import os\nfor d in ${pyStr([...dirs].join('\n'))}.split():\n    try:\n        os.mkdir(d)\n    except OSError:\n        pass`, files);
            for (const { f, bytes } of compiled) {
                const dest = `/freeze-src/${f.rel.replace(/\.py$/, '.mpy')}`;
                await exec(board, `f = open(${pyStr(dest)}, 'wb')`, files);
                for (let at = 0; at < bytes.length; at += 4096) {
                    await exec(board, `f.write(bytes.fromhex(${pyStr(Buffer.from(bytes.subarray(at, at + 4096)).toString('hex'))}))`, files);
                }
                await exec(board, 'f.close()', files);
            }
            const top = [...new Set(files.map((f) => f.module.split('.')[0]))];
            const freeze = `import sys, freeze\nsys.path.insert(0, '/freeze-src')\nfreeze.import_modules(${top.map(pyStr).join(', ')})`;
            log(`freezing ${top.join(', ')}`);
            ms += (await exec(board, freeze, files)).ms;
            await board.powerCycle();
            const table = (await exec(board, 'import freeze\nfreeze.get_modules()', files)).stdout;
            // the same modules again, into the other half (the first image is linked now)
            ms += (await exec(board, freeze, files)).ms;
            const modules = files.map((f) => {
                const path = f.rel.replace(/\.mpy$/, '.py');
                const m = new RegExp(`^${path.replace(/[.]/g, '\\.')} +(\\d+)$`, 'm').exec(table);
                return { name: f.module, path, source: f.host, flashBytes: m ? Number(m[1]) : 0 };
            });
            await board.close();
            const flash = readFileSync(flashImage);
            const half = region.size / 2;
            const images = [0, 1]
                .map((h) => flash.subarray(region.offset + h * half, region.offset + (h + 1) * half))
                .filter((b) => b.readUInt32LE(FZ_HEADER.magic) === FZ_MAGIC)
                .map((b) => ({ seq: b.readUInt32LE(FZ_HEADER.seq), half: b, bytes: b.subarray(0, b.readUInt32LE(FZ_HEADER.size)) }))
                .sort((a, b) => a.seq - b.seq);
            if (images.length !== 2) throw new MprtError(`the emulated freeze left ${images.length} images in the region, expected 2`);
            // the UF2: the first image in its half, the other half erased
            const regionBytes = Buffer.alloc(region.size, 0xff);
            const firstHalf = images[0].half.byteOffset - flash.byteOffset - region.offset;
            images[0].bytes.copy(regionBytes, firstHalf);
            const imagePath = resolve(opts.image ?? opts.output.replace(/\.uf2$/i, '') + '.fz');
            mkdirSync(dirname(resolve(opts.output)), { recursive: true });
            writeFileSync(resolve(opts.output), encodeUf2(regionBytes, { baseAddress: flashAddress(region.offset), familyId: UF2_FAMILY_ID }));
            writeFileSync(imagePath, Buffer.concat(images.map((i) => i.bytes)));
            return {
                firmware: fwDir,
                region: { address: flashAddress(region.offset), size: region.size },
                modules,
                flashBytes: images[0].bytes.readUInt32LE(FZ_HEADER.flashBytes),
                imageBytes: images[0].bytes.length,
                uf2: resolve(opts.output),
                image: imagePath,
                emulatedMs: ms,
            };
        } finally {
            await board.close();
        }
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

export function formatFreezeResult(r: FreezeHostResult): string {
    const out = [`froze ${r.modules.length} module(s) for ${r.firmware}:`];
    for (const m of r.modules) out.push(`  ${m.path.padEnd(32)} ${String(m.flashBytes).padStart(7)} B  (${relative(process.cwd(), m.source) || m.source})`);
    out.push(`${r.flashBytes} bytes of module data, ${r.imageBytes}-byte image; freeze region 0x${r.region.address.toString(16)} (${r.region.size / 1024}K)`);
    out.push(`${relative(process.cwd(), r.uf2) || r.uf2}: drop on the BOOTSEL drive (or \`mprt flash\`) after the firmware`);
    out.push(`${relative(process.cwd(), r.image) || r.image}: copy to the board and run freeze.load(PATH) (then soft-reset)`);
    return out.join('\n');
}
