/**
 * The module SDK `mprt build` writes next to the firmware (<out>/sdk/): module-sdk.json (compiler
 * flags, defines, include directories) and include/ (self-contained copies of every header a module
 * can reach: MicroPython's py/ and extmod/, the port's configuration, the generated headers, the
 * pico-sdk and RTOS headers the firmware compiles with, and mprt_module.h). `mprt pack-module` compiles
 * against it alone: neither the firmware build tree nor a firmware rebuild is needed afterwards.
 *
 * The qstr numbers are the one part of the firmware's generated headers a module must not see (they
 * change with every build): the SDK's genhdr/qstrdefs.generated.h keeps only MicroPython's static pool,
 * whose numbers are fixed for a MicroPython version; every other MP_QSTR_ is made a link-time symbol by
 * the mprt_qstrs.h pack-module generates (docs/modules.md, "qstrs: interned at load").
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeAtomic } from '../generate/write.js';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';

export const MODULE_SDK_VERSION = 1;
export const MODULE_SDK_FILE = 'module-sdk.json';

/** Code generation flags every module gets, whatever the firmware's: see docs/modules.md. */
export const MODULE_CODEGEN_FLAGS = [
    '-Os', '-ffunction-sections', '-fdata-sections', '-fno-common',
    '-fno-unwind-tables', '-fno-asynchronous-unwind-tables', '-Wall',
];

/** Flags of the firmware's compile command that change the ABI or the headers, kept for modules. */
const ABI_FLAG = /^(-mcpu=|-march=|-mthumb$|-marm$|-mfloat-abi=|-mfpu=|-mabi=|-mtune=|--specs=|-fshort-enums$|-fno-short-enums$|-fshort-wchar$|-f(un)?signed-char$|-std=|-msingle-pic-base$|-mpic-register=|-mno-unaligned-access$|-munaligned-access$)/;

export interface ModuleSdk {
    version: number;
    board: string;
    kernel: string;
    micropython: string;
    /** The compiler the firmware was built with; pack-module resolves the toolchain the same way. */
    compiler: { name: string; version: string };
    /** Target/ABI flags of the firmware, then MODULE_CODEGEN_FLAGS. */
    cflags: string[];
    /** `NAME` or `NAME=VALUE`, as the firmware's MicroPython sources are compiled. */
    defines: string[];
    /** In search order, relative to the sdk/ directory; `system` ones are -isystem. */
    includeDirs: { path: string; system: boolean }[];
    /** MP_QSTR_ identifiers with a fixed number (the enum in the SDK's genhdr/qstrdefs.generated.h). */
    staticQstrs: string[];
    /** MP_QSTR_ identifiers of the firmware whose string is not the identifier itself ("_lt_module_gt_"). */
    qstrStrings: Record<string, string>;
}

export interface ModuleSdkOptions {
    outDir: string;
    cmakeDir: string;
    board: string;
    kernel: string;
    micropythonVersion: string;
    gcc: string;
    gccVersion: string;
    /** Source roots the firmware's headers come from, named: their headers are copied under include/<name>/. */
    roots: Record<string, string>;
}

export interface CompileCommand {
    directory: string;
    file: string;
    command?: string;
    arguments?: string[];
}

/** Splits a compile command as a POSIX shell would (quotes and backslashes; no expansions). */
export function shellSplit(cmd: string): string[] {
    const out: string[] = [];
    let cur = '';
    let has = false;
    let q: '"' | "'" | null = null;
    for (let i = 0; i < cmd.length; i++) {
        const c = cmd[i];
        if (q === "'") {
            if (c === "'") q = null;
            else cur += c;
        } else if (q === '"') {
            if (c === '"') q = null;
            else if (c === '\\' && i + 1 < cmd.length && '"\\$`\n'.includes(cmd[i + 1])) cur += cmd[++i];
            else cur += c;
        } else if (c === "'" || c === '"') {
            q = c;
            has = true;
        } else if (c === '\\' && i + 1 < cmd.length) {
            cur += cmd[++i];
            has = true;
        } else if (/\s/.test(c)) {
            if (has || cur) out.push(cur);
            cur = '';
            has = false;
        } else {
            cur += c;
        }
    }
    if (has || cur) out.push(cur);
    return out;
}

export interface FirmwareFlags {
    abiFlags: string[];
    defines: string[];
    includeDirs: { path: string; system: boolean }[];
}

/** The flags MicroPython's core (py/runtime.c) is compiled with, from compile_commands.json. */
export function firmwareFlags(commands: CompileCommand[]): FirmwareFlags {
    const entry = commands.find((c) => c.file.endsWith('/py/runtime.c'));
    if (!entry) {
        throw new MprtError('compile_commands.json has no entry for py/runtime.c: the module SDK takes its flags from there', {
            hint: 'rebuild the firmware (`mprt build`); the compile commands of an incomplete build lack it',
        });
    }
    const args = entry.arguments ?? shellSplit(entry.command ?? '');
    const abiFlags: string[] = [];
    const defines: string[] = [];
    const includeDirs: { path: string; system: boolean }[] = [];
    for (let i = 1; i < args.length; i++) {
        const a = args[i];
        const next = () => args[++i];
        if (a === '-o' || a === '-c' || a === '-MF' || a === '-MT' || a === '-MQ') {
            i++;
        } else if (a.startsWith('-D')) {
            const d = a.length > 2 ? a.slice(2) : next();
            // Paths into the source tree (FFCONF_H, MBEDTLS_CONFIG_FILE) only concern those libraries.
            if (!/=.*"\//.test(d)) defines.push(d);
        } else if (a.startsWith('-I')) {
            includeDirs.push({ path: resolve(entry.directory, a.length > 2 ? a.slice(2) : next()), system: false });
        } else if (a === '-isystem') {
            includeDirs.push({ path: resolve(entry.directory, next()), system: true });
        } else if (ABI_FLAG.test(a)) {
            abiFlags.push(a);
        }
    }
    return { abiFlags, defines, includeDirs };
}

/** Headers a module may include: a module's reach into the firmware, copied with what they include. */
function candidateHeaders(includeDirs: string[], roots: Record<string, string>): string[] {
    const out: string[] = ['py/runtime.h', 'py/mphal.h'];
    const mp = roots.micropython;
    for (const sub of ['py', 'extmod']) {
        const d = join(mp, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d).sort()) {
            // dynruntime.h is MicroPython's own (.mpy) native module API: not ours.
            if (f.endsWith('.h') && f !== 'dynruntime.h') out.push(`${sub}/${f}`);
        }
    }
    // The pico-sdk's, the port's and the RTOS kernel's (the repository's lib/rtos, or the FreeRTOS-Kernel tree)
    // include directories.
    const reach = [roots['pico-sdk'], roots.mprt, roots['freertos-kernel'], join(mp, 'ports')].filter(Boolean).map((r) => r + sep);
    for (const dir of includeDirs) {
        if (!reach.some((r) => (dir + sep).startsWith(r))) continue;
        for (const sub of ['', 'pico', 'hardware']) {
            const d = join(dir, sub);
            if (!existsSync(d) || !statSync(d).isDirectory()) continue;
            for (const f of readdirSync(d).sort()) {
                if (f.endsWith('.h')) out.push(sub ? `${sub}/${f}` : f);
            }
        }
    }
    return [...new Set(out)];
}

/**
 * The prerequisites of a make rule as `gcc -M` writes it (`target: a.h b\\ c.h \\` newline `d.h`):
 * continuation lines joined, `\\ ` an escaped space inside a name, `$$` a dollar; the target left out.
 */
export function parseMakeDeps(text: string): string[] {
    const names: string[] = [];
    let cur = '';
    let seenTarget = false;
    const flush = (): void => {
        if (!cur) return;
        if (!seenTarget) {
            if (cur.endsWith(':')) seenTarget = true;
        } else {
            names.push(cur);
        }
        cur = '';
    };
    const t = text.replace(/\\\r?\n/g, ' ');
    for (let i = 0; i < t.length; i++) {
        const c = t[i]!;
        if (c === '\\' && (t[i + 1] === ' ' || t[i + 1] === '#')) {
            cur += t[++i];
        } else if (c === '$' && t[i + 1] === '$') {
            cur += '$';
            i++;
        } else if (/\s/.test(c)) {
            flush();
        } else {
            cur += c;
        }
    }
    flush();
    return names;
}

/** Runs `gcc -M` on `#include` of each header (in groups; a failing group is split) and returns every file reached. */
async function headerClosure(gcc: string, flags: string[], headers: string[], tmp: string): Promise<{ files: Set<string>; failed: string[] }> {
    const files = new Set<string>();
    const failed: string[] = [];
    let n = 0;
    const probe = async (group: string[]): Promise<void> => {
        const src = join(tmp, `probe-${n++}.c`);
        writeAtomic(src, group.map((h) => `#include "${h}"\n`).join(''));
        const { execa } = await import('execa'); // loaded on use: a no-op build starts no process
        const r = await execa(gcc, [...flags, '-M', src], { reject: false });
        if (r.exitCode !== 0) {
            if (group.length === 1) {
                failed.push(group[0]);
                return;
            }
            const half = Math.ceil(group.length / 2);
            await probe(group.slice(0, half));
            await probe(group.slice(half));
            return;
        }
        for (const f of parseMakeDeps(r.stdout)) {
            if (!f.endsWith('.c')) files.add(resolve(f));
        }
    };
    const groups: string[][] = [];
    for (let i = 0; i < headers.length; i += 24) groups.push(headers.slice(i, i + 24));
    // Two at a time: the machine may be busy.
    for (let i = 0; i < groups.length; i += 2) await Promise.all(groups.slice(i, i + 2).map(probe));
    return { files, failed };
}

/** Where a file under one of the roots goes in include/, or null (toolchain headers stay where they are). */
function placeOf(file: string, roots: [string, string][]): string | null {
    for (const [name, root] of roots) {
        const rel = relative(root, file);
        if (!rel.startsWith('..') && !isAbsolute(rel)) return join(name, rel);
    }
    return null;
}

/** The SDK's genhdr/qstrdefs.generated.h: MP_QSTRnull and MicroPython's static pool, as the firmware's. */
function staticQstrDefs(generated: string, staticIdents: string[]): { text: string; idents: string[] } {
    const lines = generated.split('\n').filter((l) => l.startsWith('QDEF'));
    const idents: string[] = [];
    const keep: string[] = [];
    for (const l of lines) {
        const m = /^QDEF0\((MP_QSTR\w*),/.exec(l);
        if (!m) break;
        const id = m[1] === 'MP_QSTRnull' ? null : m[1].slice('MP_QSTR_'.length);
        if (id !== null && !staticIdents.includes(id)) break;
        keep.push(l);
        if (id !== null) idents.push(id);
    }
    if (idents.length !== staticIdents.length || idents.some((id, i) => id !== staticIdents[i])) {
        throw new MprtError('the firmware\'s qstrdefs.generated.h does not start with MicroPython\'s static qstr pool: modules could not use its qstr numbers', {
            hint: 'rebuild the firmware from a clean output directory (`rm -r build/<board>` then `mprt build`); check vendor/patches for a change to py/makeqstrdata.py',
        });
    }
    return {
        text: '// mprt module SDK: only the qstrs with a fixed number (MicroPython\'s static pool).\n' +
            '// Every other MP_QSTR_ of a module is resolved when it is installed (mprt_qstrs.h).\n' + keep.join('\n') + '\n',
        idents,
    };
}

/** MicroPython's static pool (makeqstrdata.static_qstr_list), as MP_QSTR_ identifiers. */
async function micropythonStaticQstrs(micropythonDir: string): Promise<string[]> {
    const script = [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(join(micropythonDir, 'py'))})`,
        'import makeqstrdata as m',
        'print(json.dumps({"static": [m.qstr_escape(q) for q in m.static_qstr_list]}))',
    ].join('\n');
    const { execa } = await import('execa'); // loaded on use: a no-op build starts no process
    const r = await execa('python3', ['-c', script]);
    return (JSON.parse(r.stdout) as { static: string[] }).static;
}

/** Identifier → string for the firmware's qstrs whose string differs from the identifier. */
function escapedQstrs(generated: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const l of generated.split('\n')) {
        const m = /^QDEF[01]\(MP_QSTR_(\w*), \d+, (\d+), "(.*)"\)$/.exec(l);
        if (!m) continue;
        const [, id, len, raw] = m;
        const str = raw.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
        if (str !== id && Buffer.byteLength(str, 'latin1') === Number(len)) out[id] = str;
    }
    return out;
}

/**
 * Generated headers (pico-sdk's config_autogen.h) include others by absolute path: point those into
 * the copy, relative to the including file, so that the SDK can move with the build directory.
 */
function relativiseIncludes(dest: string, at: string, roots: [string, string][]): void {
    const text = readFileSync(dest, 'utf8');
    if (!/#\s*include\s*"\//.test(text)) return;
    const fixed = text.replace(/(#\s*include\s*")(\/[^"]+)(")/g, (all, pre: string, abs: string, post: string) => {
        const target = placeOf(resolve(abs), roots);
        return target ? `${pre}${relative(dirname(at), target)}${post}` : all;
    });
    if (fixed !== text) writeAtomic(dest, fixed);
}

export const MODULE_HEADER_SOURCE = () => join(repoRoot(), 'templates', 'module-sdk', 'mprt_module.h');

/** The SDK exists, in this version, with the current mprt_module.h (else the build rewrites it). */
export function moduleSdkCurrent(outDir: string): boolean {
    try {
        const sdk = JSON.parse(readFileSync(join(outDir, 'sdk', MODULE_SDK_FILE), 'utf8')) as ModuleSdk;
        return sdk.version === MODULE_SDK_VERSION &&
            readFileSync(join(outDir, 'sdk', 'include', 'mprt_module.h'), 'utf8') === readFileSync(MODULE_HEADER_SOURCE(), 'utf8');
    } catch {
        return false;
    }
}

/** Writes <outDir>/sdk/module-sdk.json and <outDir>/sdk/include/ (replacing what was there). */
export async function writeModuleSdk(opts: ModuleSdkOptions): Promise<ModuleSdk> {
    const sdkDir = join(opts.outDir, 'sdk');
    const includeDir = join(sdkDir, 'include');
    const commands = JSON.parse(readFileSync(join(opts.outDir, 'compile_commands.json'), 'utf8')) as CompileCommand[];
    const fw = firmwareFlags(commands);
    const roots: [string, string][] = [['build', opts.outDir], ...Object.entries(opts.roots)]
        .map(([n, p]) => [n, resolve(p)] as [string, string])
        .sort((a, b) => b[1].length - a[1].length);
    const tmp = join(opts.outDir, '.mprt', 'module-sdk');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });

    const flags = [...fw.abiFlags, ...fw.defines.map((d) => `-D${d}`),
        ...fw.includeDirs.flatMap((d) => (d.system ? ['-isystem', d.path] : ['-I', d.path]))];
    const { files } = await headerClosure(opts.gcc, flags, candidateHeaders(fw.includeDirs.map((d) => d.path), opts.roots), tmp);

    const generatedPath = join(opts.cmakeDir, 'genhdr', 'qstrdefs.generated.h');
    const generated = readFileSync(generatedPath, 'utf8');
    const qdefs = staticQstrDefs(generated, await micropythonStaticQstrs(opts.roots.micropython));

    rmSync(includeDir, { recursive: true, force: true });
    mkdirSync(includeDir, { recursive: true });
    const placed = new Set<string>();
    for (const f of [...files].sort()) {
        const at = placeOf(f, roots);
        if (!at) continue;
        const dest = join(includeDir, at);
        mkdirSync(dirname(dest), { recursive: true });
        if (resolve(f) === resolve(generatedPath)) {
            writeAtomic(dest, qdefs.text);
        } else if (f.endsWith(`${sep}genhdr${sep}compressed.data.h`)) {
            // A module's messages stay uncompressed: the firmware prints both kinds.
            writeAtomic(dest, '// mprt module SDK: module error messages are not compressed.\n');
        } else {
            copyFileSync(f, dest);
            relativiseIncludes(dest, at, roots);
        }
        placed.add(at);
    }
    copyFileSync(MODULE_HEADER_SOURCE(), join(includeDir, 'mprt_module.h'));

    const includeDirs: { path: string; system: boolean }[] = [{ path: 'include', system: false }];
    for (const d of fw.includeDirs) {
        const at = placeOf(d.path, roots);
        if (!at) continue;
        const inSdk = join('include', at);
        // Only directories some copied header came from (the others would be empty).
        if (![...placed].some((p) => p.startsWith(at + sep))) continue;
        mkdirSync(join(sdkDir, inSdk), { recursive: true });
        includeDirs.push({ path: inSdk, system: d.system });
    }

    const sdk: ModuleSdk = {
        version: MODULE_SDK_VERSION,
        board: opts.board,
        kernel: opts.kernel,
        micropython: opts.micropythonVersion,
        compiler: { name: 'arm-none-eabi-gcc', version: opts.gccVersion },
        cflags: [...fw.abiFlags, ...MODULE_CODEGEN_FLAGS],
        defines: fw.defines,
        includeDirs,
        staticQstrs: qdefs.idents,
        qstrStrings: escapedQstrs(generated),
    };
    writeAtomic(join(sdkDir, MODULE_SDK_FILE), JSON.stringify(sdk, null, 2) + '\n');
    rmSync(tmp, { recursive: true, force: true });
    return sdk;
}
