/**
 * `mprt pack-module`: C sources → a loadable module (.so, the MPDL format of docs/modules.md) for one
 * firmware build. Compiles with the firmware's SDK (<firmware>/sdk/), links with `ld -q` and
 * MODULE_LINKER_SCRIPT, checks every undefined symbol against the firmware's exports, converts with
 * moduleFromElf (which refuses relocations the on-device linker does not implement), embeds the
 * firmware's ABI identity and writes the file atomically.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { ET_REL, SHN_UNDEF, STB_LOCAL, STT_SECTION, parseElf } from '../formats/elf.js';
import { parseLinkMap, type LinkMap } from '../formats/linkmap.js';
import {
    MODULE_LINKER_SCRIPT, MODULE_TEXT_BASE, ModuleFormatError, QSTR_OBJ_SYMBOL_PREFIX, QSTR_SYMBOL_PREFIX,
    R_ABS32, R_QSTR, R_QSTR_OBJ, R_THM_CALL, decodeModule, encodeModule, moduleFromElf, type ModuleSpec,
} from '../formats/module.js';
import { writeAtomic } from '../generate/write.js';
import { resolveToolchain, type Toolchain } from '../toolchain/resolve.js';
import { MprtError } from '../util/errors.js';
import { qstrHeader, qstrString, scanQstrs } from './qstrs.js';
import { loadFirmwareSdk, sdkCompileArgs, type FirmwareSdk } from './sdk.js';
import { collectSources } from './sources.js';

export interface PackOptions {
    inputs: string[];
    firmware: string;
    output?: string;
    name?: string;
    toolchain?: string;
    cwd?: string;
    /** Keep the objects, the linked ELF and the map in this directory (else a temporary one, removed). */
    workDir?: string;
    log?: (line: string) => void;
}

export interface PackResult {
    name: string;
    output: string;
    bytes: number;
    abi: string;
    board: string;
    kernel: string;
    sources: string[];
    text: number;
    data: number;
    bss: number;
    imports: { name: string; kind: 'func' | 'data' }[];
    exports: string[];
    qstrs: string[];
    relocations: { abs32: number; call: number; qstr: number };
    constructors: number;
    init: boolean;
    seconds: number;
}

export interface MissingSymbol {
    name: string;
    /** The objects (source file names) that need it. */
    neededBy: string[];
}

const isQstrSymbol = (n: string) => n.startsWith(QSTR_SYMBOL_PREFIX) || n.startsWith(QSTR_OBJ_SYMBOL_PREFIX);
/** Defined by the linker itself; what needs it (a GOT) is judged by moduleFromElf. */
const LINKER_SYMBOLS = new Set(['_GLOBAL_OFFSET_TABLE_']);

async function run(cmd: string, args: string[], log?: (l: string) => void): Promise<{ ok: boolean; out: string; stdout: string; stderr: string }> {
    log?.(`$ ${basename(cmd)} ${args.join(' ')}`);
    const r = await execa(cmd, args, { reject: false, all: true, maxBuffer: 256 << 20 });
    return { ok: r.exitCode === 0, out: String(r.all ?? ''), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Hints for compiler errors that come from the module model rather than from the code. */
function compileHint(out: string): string | undefined {
    if (/initializer element is not (constant|computable at load time)|case label does not reduce to an integer constant/.test(out)) {
        return 'an MP_QSTR_ outside MicroPython\'s static pool is a link-time address: it cannot initialise a 16-bit field ' +
            '(mp_arg_t tables: make them a local const; types: use MPRT_DEFINE_OBJ_TYPE) nor be a case label (use if/else) - see mprt_module.h';
    }
    if (/(FreeRTOS|task|queue|semphr|timers|event_groups)\.h: No such file/.test(out)) {
        return 'the RTOS API needs a firmware with a kernel (rtos.kernel=builtin, the default, or freertos)';
    }
    if (/MPRT_QOBJ_\w+' undeclared/.test(out)) {
        return 'write MP_ROM_QSTR(MP_QSTR_name) with the MP_QSTR_ name spelled out (see mprt_module.h)';
    }
    return undefined;
}

/** Undefined symbols of the objects that neither another object nor the firmware defines. */
export function findMissingSymbols(objects: { path: string; label: string }[], exported: (name: string) => boolean): MissingSymbol[] {
    const defined = new Set<string>();
    const needs = new Map<string, string[]>();
    for (const o of objects) {
        const elf = parseElf(new Uint8Array(readFileSync(o.path)));
        if (elf.header.type !== ET_REL) throw new MprtError(`${o.path} is not an object file`);
        for (const s of elf.symbols) {
            if (!s.name || s.type === STT_SECTION || s.bind === STB_LOCAL) continue;
            if (s.shndx === SHN_UNDEF) {
                if (isQstrSymbol(s.name) || LINKER_SYMBOLS.has(s.name)) continue;
                const list = needs.get(s.name) ?? [];
                if (!list.includes(o.label)) list.push(o.label);
                needs.set(s.name, list);
            } else {
                defined.add(s.name);
            }
        }
    }
    return [...needs.entries()]
        .filter(([n]) => !defined.has(n) && !exported(n))
        .map(([name, neededBy]) => ({ name, neededBy }))
        .sort((a, b) => a.name.localeCompare(b.name));
}

/** Which object the text offset `off` of the linked module came from (for relocation errors). */
function objectAt(map: LinkMap | undefined, section: string, off: number, labels: Map<string, string>): string | undefined {
    const base = section === '.text' ? MODULE_TEXT_BASE : undefined;
    const out = map?.sections.find((s) => s.name === section);
    if (!out) return undefined;
    const addr = (base === undefined ? out.address : base) + off;
    const hit = out.inputs.find((i) => i.file && addr >= i.address && addr < i.address + i.size);
    return hit ? labels.get(resolve(hit.file)) ?? hit.file : undefined;
}

function summarise(spec: ModuleSpec, fw: FirmwareSdk): Pick<PackResult, 'text' | 'data' | 'bss' | 'imports' | 'exports' | 'qstrs' | 'relocations' | 'constructors' | 'init'> {
    return {
        text: spec.text.length,
        data: spec.data.length,
        bss: spec.bssSize,
        imports: spec.imports.map((n) => ({ name: n, kind: fw.exports.get(n)?.kind ?? 'func' })),
        exports: spec.exports.map((e) => e.name),
        qstrs: spec.qstrs,
        relocations: {
            abs32: spec.relocs.filter((r) => r.type === R_ABS32).length,
            call: spec.relocs.filter((r) => r.type === R_THM_CALL).length,
            qstr: spec.relocs.filter((r) => r.type === R_QSTR || r.type === R_QSTR_OBJ).length,
        },
        constructors: spec.ctors.length,
        init: spec.init !== null,
    };
}

export async function packModule(opts: PackOptions): Promise<PackResult> {
    const started = Date.now();
    const cwd = opts.cwd ?? process.cwd();
    const fw = loadFirmwareSdk(opts.firmware, cwd);
    const src = collectSources(opts.inputs, { name: opts.name, cwd });
    const tc: Toolchain = resolveToolchain({ toolchain: opts.toolchain, projectDir: cwd });
    const output = resolve(cwd, opts.output ?? `${src.name}.so`);
    const work = opts.workDir ? resolve(cwd, opts.workDir) : mkdtempSync(join(tmpdir(), 'mprt-pack-'));
    const label = (p: string) => relative(cwd, p) || p;
    try {
        const base = [
            ...sdkCompileArgs(fw), ...src.defines.map((d) => `-D${d}`),
            '-I', work, ...src.includeDirs.flatMap((d) => ['-I', d]),
            ...src.cflags,
        ];
        const isAsm = (s: string) => extname(s) === '.S' || extname(s) === '.s';
        const argsFor = (s: string) => (isAsm(s) ? base : [...base, '-include', 'mprt_module.h']);
        // 1. The qstr scan: preprocess with NO_QSTR (MicroPython's convention), collect MP_QSTR_ names.
        const idents = new Set<string>();
        for (const s of src.sources) {
            if (isAsm(s)) continue;
            const r = await run(tc.gcc, [...argsFor(s), '-DNO_QSTR', '-E', s], opts.log);
            if (!r.ok) throw new MprtError(`${label(s)}: does not compile:\n${r.stderr.trim()}`, { hint: compileHint(r.stderr) });
            for (const q of scanQstrs(r.stdout)) idents.add(q);
        }
        writeFileSync(join(work, 'mprt_qstrs.h'), qstrHeader(fw.sdk, idents));

        // 2. Compile.
        const objects: { path: string; label: string }[] = [];
        for (const s of src.sources) {
            const o = join(work, `${basename(s, extname(s))}.o`);
            const r = await run(tc.gcc, [...argsFor(s), '-c', s, '-o', o], opts.log);
            if (!r.ok) throw new MprtError(`${label(s)}: does not compile:\n${r.out.trim()}`, { hint: compileHint(r.out) });
            if (r.out.trim()) opts.log?.(r.out.trim());
            objects.push({ path: o, label: label(s) });
        }

        // 3. Every undefined symbol must be a firmware export (or a qstr).
        const missing = findMissingSymbols(objects, (n) => fw.exports.has(n));
        if (missing.length) {
            const lines = missing.map((m) => `  ${m.name}  (needed by ${m.neededBy.join(', ')})`);
            throw new MprtError(`${missing.length} symbol${missing.length > 1 ? 's' : ''} not exported by the firmware (${fw.firmwareDir}):\n${lines.join('\n')}`, {
                hint: 'a module can only call what the firmware exports (its sdk/exports.json; the list is ports/rp2/dynlink/exports.txt): ' +
                    'implement it in the module, or build a firmware that exports it',
            });
        }

        // 4. Link at placeholder addresses, keeping the relocations.
        const script = join(work, 'module.ld');
        writeFileSync(script, MODULE_LINKER_SCRIPT);
        const elfPath = join(work, `${src.name}.elf`);
        const mapPath = join(work, `${src.name}.map`);
        const l = await run(tc.ld, ['-q', '-T', script, '--unresolved-symbols=ignore-all', `-Map=${mapPath}`, '-o', elfPath, ...objects.map((o) => o.path)], opts.log);
        if (!l.ok) throw new MprtError(`linking ${src.name} failed:\n${l.out.trim()}`);

        // 5. To the module format: refuses what the on-device linker cannot place.
        let spec: ModuleSpec;
        try {
            spec = moduleFromElf(new Uint8Array(readFileSync(elfPath)), {
                name: src.name, abi: fw.abi, qstrName: (suffix) => qstrString(fw.sdk, suffix),
            });
        } catch (err) {
            if (!(err instanceof ModuleFormatError)) throw err;
            let where = '';
            const m = /^(\.text|\.data)\+0x([0-9a-f]+)/.exec(err.message);
            if (m) {
                let map: LinkMap | undefined;
                try {
                    map = parseLinkMap(readFileSync(mapPath, 'utf8'));
                } catch {
                    map = undefined;
                }
                const obj = objectAt(map, m[1], parseInt(m[2], 16), new Map(objects.map((o) => [resolve(o.path), o.label])));
                if (obj) where = ` in ${obj}`;
            }
            throw new MprtError(`${src.name}: cannot be loaded by the firmware's linker${where}: ${err.message}`, {
                hint: /\.got|\.plt|\.dyn/.test(err.message)
                    ? 'do not compile modules with -fPIC/-fpic (the module format relocates at install, see docs/modules.md)'
                    : 'the loader applies 32-bit words and BL calls only (docs/modules.md, "Relocations"); use the SDK\'s flags',
            });
        }
        if (!spec.init) {
            throw new MprtError(`${src.name}: no module entry dl_init()`, {
                hint: 'define the module with MPRT_MODULE(module_obj, globals_dict) (mprt_module.h)',
            });
        }
        const file = encodeModule(spec);
        decodeModule(file, { abi: fw.abi });
        writeAtomic(output, file);
        return {
            name: src.name, output, bytes: file.length, abi: fw.abiHex, board: fw.board, kernel: fw.kernel,
            sources: src.sources.map(label), ...summarise(spec, fw), seconds: (Date.now() - started) / 1000,
        };
    } finally {
        if (!opts.workDir) rmSync(work, { recursive: true, force: true });
    }
}

export function formatPackResult(r: PackResult): string {
    const out = [
        `${r.output}: module ${r.name}, ${r.bytes.toLocaleString('en-US')} B (for ${r.board}, kernel ${r.kernel}, ABI ${r.abi})`,
        `  flash  text+rodata ${r.text} B`,
        `  RAM    data ${r.data} B, bss ${r.bss} B`,
        `  imports ${r.imports.length}: ${r.imports.map((i) => i.name).join(', ') || '-'}`,
        `  exports ${r.exports.length}: ${r.exports.join(', ') || '-'}`,
        `  qstrs   ${r.qstrs.length}: ${r.qstrs.join(', ') || '-'}`,
        `  relocations: ${r.relocations.abs32} words, ${r.relocations.call} calls, ${r.relocations.qstr} qstrs; constructors ${r.constructors}`,
        `packed in ${r.seconds.toFixed(1)} s`,
    ];
    return out.join('\n');
}
