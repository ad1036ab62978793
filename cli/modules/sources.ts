/**
 * What pack-module compiles: the C (and assembler) files and directories on its command line, and the
 * optional manifest `module.json` of a source directory:
 *   { "name": "mymod", "sources": ["a.c", "b.c"], "cflags": ["-O2"], "defines": ["N=4"], "include": ["inc"] }
 * (every key optional; paths relative to the manifest; without "sources", every *.c/*.S of the directory).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { MAX_NAME } from '../formats/module.js';
import { MprtError } from '../util/errors.js';

export const MANIFEST_FILE = 'module.json';
const SOURCE_EXT = new Set(['.c', '.S', '.s']);

export interface ModuleManifest {
    name?: string;
    sources?: string[];
    cflags?: string[];
    defines?: string[];
    include?: string[];
}

export interface ModuleSources {
    name: string;
    sources: string[];
    cflags: string[];
    defines: string[];
    includeDirs: string[];
    manifest?: string;
}

const KEYS: Record<keyof ModuleManifest, 'string' | 'string[]'> = {
    name: 'string', sources: 'string[]', cflags: 'string[]', defines: 'string[]', include: 'string[]',
};

export function readManifest(path: string): ModuleManifest {
    let raw: unknown;
    try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
        throw new MprtError(`${path}: ${(err as Error).message}`, { hint: 'module.json must be a JSON object', cause: err });
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MprtError(`${path}: not a JSON object`);
    for (const [k, v] of Object.entries(raw)) {
        const want = KEYS[k as keyof ModuleManifest];
        if (!want) throw new MprtError(`${path}: unknown key "${k}"`, { hint: `known keys: ${Object.keys(KEYS).join(', ')}` });
        const ok = want === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string');
        if (!ok) throw new MprtError(`${path}: "${k}" must be ${want === 'string' ? 'a string' : 'an array of strings'}`);
    }
    return raw as ModuleManifest;
}

export function validModuleName(name: string): boolean {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= MAX_NAME;
}

/** Expands the command line's files and directories into what to compile. */
export function collectSources(inputs: string[], opts: { name?: string; cwd?: string } = {}): ModuleSources {
    const cwd = opts.cwd ?? process.cwd();
    if (!inputs.length) throw new MprtError('no sources given', { hint: 'mprt pack-module SRC.c... | DIR --firmware build/pico', exitCode: 2 });
    const sources: string[] = [];
    const cflags: string[] = [];
    const defines: string[] = [];
    const includeDirs: string[] = [];
    let manifestName: string | undefined;
    let manifest: string | undefined;
    let dirName: string | undefined;
    for (const input of inputs) {
        const p = resolve(cwd, input);
        if (!existsSync(p)) throw new MprtError(`${input}: no such file or directory`, { exitCode: 2 });
        if (statSync(p).isDirectory()) {
            dirName ??= basename(p);
            const mf = join(p, MANIFEST_FILE);
            const m = existsSync(mf) ? readManifest(mf) : {};
            if (existsSync(mf)) manifest = mf;
            manifestName ??= m.name;
            const listed = m.sources?.map((s) => resolve(p, s)) ??
                readdirSync(p).filter((f) => SOURCE_EXT.has(extname(f))).sort().map((f) => join(p, f));
            if (!listed.length) throw new MprtError(`${input}: no C sources (*.c) in the directory`, { exitCode: 2 });
            for (const s of listed) {
                if (!existsSync(s)) throw new MprtError(`${mf}: source ${s} does not exist`);
                sources.push(s);
            }
            cflags.push(...(m.cflags ?? []));
            defines.push(...(m.defines ?? []));
            includeDirs.push(...(m.include ?? []).map((d) => resolve(p, d)));
            includeDirs.push(p);
        } else {
            if (!SOURCE_EXT.has(extname(p))) {
                throw new MprtError(`${input}: not a C source (.c) or assembler file (.S)`, { hint: 'pass .c files or a directory of them', exitCode: 2 });
            }
            sources.push(p);
            if (!includeDirs.includes(dirname(p))) includeDirs.push(dirname(p));
        }
    }
    const uniq = [...new Set(sources)];
    const stems = new Map<string, string>();
    for (const s of uniq) {
        const stem = basename(s, extname(s));
        if (stems.has(stem)) throw new MprtError(`two sources named ${stem}: ${stems.get(stem)} and ${s}`, { hint: 'rename one of them', exitCode: 2 });
        stems.set(stem, s);
    }
    const name = opts.name ?? manifestName ?? dirName ?? basename(uniq[0], extname(uniq[0]));
    if (!validModuleName(name)) {
        throw new MprtError(`module name "${name}" is not a Python identifier of at most ${MAX_NAME} characters`, {
            hint: 'pass --name NAME (the name `import NAME` will use)', exitCode: 2,
        });
    }
    return { name, sources: uniq, cflags, defines, includeDirs, manifest };
}
