/**
 * Shared by the dynamic linker's host tests: compiles example modules with the real arm-none-eabi
 * toolchain the way pack-module will (ld -q with MODULE_LINKER_SCRIPT, then moduleFromElf), builds the C
 * linker for the host under ASan+UBSan, and links the same objects with the real linker at final
 * addresses (the oracle).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveToolchain, type Toolchain } from '../../cli/toolchain/resolve.js';
import { repoRoot } from '../../cli/util/paths.js';
import { MODULE_DATA_BASE, MODULE_LINKER_SCRIPT, MODULE_TEXT_BASE, encodeModule, moduleFromElf, type FromElfOptions, type ModuleSpec } from '../../cli/formats/module.js';

export const MODULE_CFLAGS = [
    '-mcpu=cortex-m0plus', '-mthumb', '-Os', '-ffunction-sections', '-fdata-sections', '-fno-common',
    '-fno-exceptions', '-fno-unwind-tables', '-fno-asynchronous-unwind-tables', '-ffreestanding', '-Wall',
];

export const ABI = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

let toolchain: Toolchain | null | undefined;
export function armToolchain(): Toolchain | null {
    if (toolchain === undefined) {
        try {
            toolchain = resolveToolchain();
        } catch {
            toolchain = null;
        }
    }
    return toolchain;
}

export function scratchDir(prefix: string): string {
    return mkdtempSync(join(tmpdir(), prefix));
}

export function run(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): { code: number; out: string } {
    try {
        const out = execFileSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
        return { code: 0, out };
    } catch (e) {
        const err = e as { status?: number; stdout?: string; stderr?: string };
        if (!opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} failed (${err.status}):\n${err.stdout ?? ''}${err.stderr ?? ''}`);
        return { code: err.status ?? -1, out: (err.stdout ?? '') + (err.stderr ?? '') };
    }
}

export const DYNLINK_DIR = join(repoRoot(), 'lib', 'dynlink');
const CORE = ['dl_parse.c', 'dl_link.c', 'dl_install.c', 'dl_thumb.c', 'dl_crc32.c', 'dl_error.c', 'dl_image.c'];

/** Builds a host program from lib/dynlink/tests/<main> and the linker core, with ASan and UBSan. */
export function buildHost(dir: string, main: string, extra: string[] = []): string {
    const out = join(dir, main.replace(/\.c$/, ''));
    run('gcc', [
        '-std=c11', '-g', '-O1', '-Wall', '-Wextra', '-Werror', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
        '-fno-omit-frame-pointer', ...extra, '-o', out, join(DYNLINK_DIR, 'tests', main), ...CORE.map((f) => join(DYNLINK_DIR, f)),
    ]);
    return out;
}

export interface BuiltModule {
    dir: string;
    objects: string[];
    elf: Uint8Array;
    spec: ModuleSpec;
    file: Uint8Array;
    path: string;
}

/** Compiles C sources into objects and a module, the way pack-module does. */
export function buildModule(dir: string, name: string, sources: Record<string, string>, cflags: string[] = [], opts: Partial<FromElfOptions> = {}): BuiltModule {
    const tc = armToolchain()!;
    const mdir = join(dir, name);
    mkdirSync(mdir, { recursive: true });
    const objects: string[] = [];
    for (const [file, src] of Object.entries(sources)) {
        const c = join(mdir, file);
        writeFileSync(c, src);
        const o = c.replace(/\.c$/, '.o');
        run(tc.gcc, [...MODULE_CFLAGS, ...cflags, '-c', c, '-o', o]);
        objects.push(o);
    }
    return buildModuleFromObjects(mdir, name, objects, opts);
}

export function buildModuleFromObjects(mdir: string, name: string, objects: string[], opts: Partial<FromElfOptions> = {}): BuiltModule {
    const tc = armToolchain()!;
    writeFileSync(join(mdir, 'module.ld'), MODULE_LINKER_SCRIPT);
    const elfPath = join(mdir, `${name}.elf`);
    run(tc.ld, ['-q', '-T', join(mdir, 'module.ld'), '--unresolved-symbols=ignore-all', '-o', elfPath, ...objects]);
    const elf = new Uint8Array(readFileSync(elfPath));
    const spec = moduleFromElf(elf, { name, abi: ABI, ...opts });
    const file = encodeModule(spec);
    const path = join(mdir, `${name}.so`);
    writeFileSync(path, file);
    return { dir: mdir, objects, elf, spec, file, path };
}

/** Links `objects` with the real linker: text at `text`, data at `ram`, symbols defined as given. */
export function oracleLink(mdir: string, objects: string[], text: number, ram: number, defs: Record<string, number>): string {
    const tc = armToolchain()!;
    const script = MODULE_LINKER_SCRIPT
        .replace(`0x${MODULE_TEXT_BASE.toString(16)} :`, `0x${text.toString(16)} :`)
        .replace(`0x${MODULE_DATA_BASE.toString(16)} :`, `0x${ram.toString(16)} :`);
    writeFileSync(join(mdir, 'oracle.ld'), script);
    const out = join(mdir, 'oracle.elf');
    run(tc.ld, ['-T', join(mdir, 'oracle.ld'), ...Object.entries(defs).map(([k, v]) => `--defsym=${k}=0x${v.toString(16)}`), '-o', out, ...objects]);
    return out;
}

/** Example modules: two files with calls, data, bss, pointers between them, imports, qstrs, constructors. */
export const MOD_A = `
#include <stddef.h>
#include <stdint.h>
extern int snprintf(char *, size_t, const char *, ...);
extern void *malloc(size_t);
extern void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
extern int fw_counter;
extern void mp_raise_msg(void *t, const char *m);
extern const char __dl_qstr_hello[], __dl_qobj_hello[], __dl_qobj_world[];
static int counter = 5;
static char buf[64];
int table[8] = {1, 2, 3, 4};
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
typedef int (*fn_t)(int);
int twice(int x) { return 2 * x + counter; }
static int thrice(int x) { return 3 * x; }
const fn_t ops[] = {twice, thrice};
int *const ptr_table = &table[2];
fn_t hook = thrice;
int *pp = &table[3];
char *bp = buf + 3;
void *(*alloc)(size_t) = malloc;
int *fwp = &fw_counter;
const uintptr_t qtable[] = {(uintptr_t)__dl_qobj_hello, (uintptr_t)__dl_qobj_world};
uintptr_t qdata[] = {(uintptr_t)__dl_qobj_world, 7};
uintptr_t get_q(void) { return (uintptr_t)__dl_qstr_hello; }
int apply(int i, int x) { return ops[i & 1](x); }
int sort_and_format(void) {
    qsort(table, 8, sizeof(int), cmp);
    counter++;
    fw_counter += table[0];
    return snprintf(buf, sizeof buf, "%d %d", table[0], counter);
}
void *grab(size_t n) { void *p = malloc(n); if (!p) mp_raise_msg(0, "no mem"); return p; }
__attribute__((constructor)) static void init_a(void) { counter = 7; }
`;

export const MOD_B = `
#include <stddef.h>
extern int apply(int, int);
extern int table[8];
extern void *memcpy(void *, const void *, size_t);
static double big[2] = {1.5, 2.5};
static long long zeros[4];
long long *zp = &zeros[1];
int dl_init(void) { memcpy(zeros, big, sizeof big); return apply(1, table[1]) + (int)big[1]; }
__attribute__((constructor(200))) static void init_b(void) { table[7] = 9; }
__attribute__((visibility("hidden"))) int hidden_fn(void) { return 1; }
`;
