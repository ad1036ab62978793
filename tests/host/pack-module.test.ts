/**
 * `mprt pack-module` against a real firmware build and its SDK (<firmware>/sdk/): the examples pack and
 * carry the firmware's ABI identity; missing symbols are listed with the sources that need them;
 * relocations the on-device linker does not implement are refused naming the site and symbol; a
 * syntax error names the file; --name/-o; and the SDK's headers are faithful copies of the firmware's.
 *
 * Firmware: $MPRT_TEST_MODULE_FIRMWARE (a build directory with the kernel, the default), else build/pico,
 * else one built into the cache; the RTOS example is also packed against a kernel=none firmware:
 * $MPRT_TEST_MODULE_FIRMWARE_NONE, else build/pico-abi when it is one, else one built into the cache.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFirmware } from '../../cli/compile/firmware.js';
import { parseMakeDeps, type ModuleSdk } from '../../cli/compile/module-sdk.js';
import { decodeModule } from '../../cli/formats/module.js';
import { packModule } from '../../cli/modules/pack.js';
import { qstrHeader, qstrString, scanQstrs } from '../../cli/modules/qstrs.js';
import { cacheDir, repoRoot, sourcesDir } from '../../cli/util/paths.js';
import { armToolchain, scratchDir } from './dynlink-support.js';

const skip = armToolchain() === null ? 'arm-none-eabi toolchain not found' : false;
const mprt = join(repoRoot(), 'bin', 'mprt.js');
const examples = join(repoRoot(), 'examples', 'modules');
const dir = scratchDir('mprt-pack-');
let fw = '';

const hasSdk = (d: string) => existsSync(join(d, 'sdk', 'module-sdk.json')) && existsSync(join(d, 'sdk', 'exports.json'));

const kernelOf = (d: string) => (JSON.parse(readFileSync(join(d, 'sdk', 'exports.json'), 'utf8')) as { kernel: string }).kernel;

/**
 * A firmware build with the given kernel: $envName, else a build of this checkout that has one (build/pico is
 * the default kernel; tests/firmware/modules.test.ts leaves build/pico-abi with the other), else one built
 * into the cache.
 */
async function firmwareDir(envName: string, kernel: 'builtin' | 'none'): Promise<string> {
    const env = process.env[envName];
    if (env) return env;
    for (const d of ['pico', 'pico-abi'].map((n) => join(repoRoot(), 'build', n))) {
        if (hasSdk(d) && kernelOf(d) === kernel) return d;
    }
    const out = join(cacheDir(), 'test-builds', `modules-pico-${kernel}`);
    await buildFirmware({ board: 'pico', outDir: out, set: [`rtos.kernel=${kernel}`], jobs: 2, cwd: repoRoot() });
    return out;
}

before(async () => {
    if (skip) return;
    fw = await firmwareDir('MPRT_TEST_MODULE_FIRMWARE', 'builtin');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function exportsOf(d: string): { abi: string; symbols: { name: string }[] } {
    return JSON.parse(readFileSync(join(d, 'sdk', 'exports.json'), 'utf8')) as { abi: string; symbols: { name: string }[] };
}

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [mprt, ...args], { encoding: 'utf8', cwd: dir });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function writeSources(name: string, files: Record<string, string>): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
    return d;
}

const MINIMAL = (name: string, body = '') => `${body}
static const mp_rom_map_elem_t g_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_${name}) },
};
static MP_DEFINE_CONST_DICT(g, g_table);
MPRT_MODULE(m_${name}, g);
`;

for (const [name, expectQstrs] of [['fib', ['add', 'fib']], ['counter', ['Counter', '__del__', 'counter', 'history', 'incr', 'reset']], ['textutil', ['fmt', 'parse', 'sort_ints', 'textutil']]] as const) {
    test(`example ${name} packs; the module carries the firmware's ABI identity and imports only exports`, { skip }, async () => {
        const out = join(dir, `${name}.so`);
        const r = await packModule({ inputs: [join(examples, name)], firmware: fw, output: out });
        const ex = exportsOf(fw);
        const m = decodeModule(new Uint8Array(readFileSync(out)), { abi: Uint8Array.from(Buffer.from(ex.abi, 'hex')) });
        assert.equal(m.name, name);
        assert.equal(Buffer.from(m.abi).toString('hex'), ex.abi);
        assert.equal(r.abi, ex.abi);
        assert.ok(m.init, 'dl_init is the init entry');
        const names = new Set(ex.symbols.map((s) => s.name));
        for (const i of m.imports) assert.ok(names.has(i), `${i} is exported`);
        assert.deepEqual([...m.qstrs].sort(), [...expectQstrs].sort(), 'qstrs outside the static pool only');
        assert.equal(r.bytes, readFileSync(out).length);
    });
}

test('example ticker (an RTOS task) packs against a kernel=builtin firmware and not against kernel=none', { skip }, async () => {
    const fwRtos = fw;
    const fwNone = await firmwareDir('MPRT_TEST_MODULE_FIRMWARE_NONE', 'none');
    const out = join(dir, 'ticker.so');
    const r = await packModule({ inputs: [join(examples, 'ticker')], firmware: fwRtos, output: out });
    assert.ok(r.imports.some((i) => i.name === 'xTaskCreate'));
    assert.equal(r.kernel, 'builtin');
    assert.equal(Buffer.from(decodeModule(new Uint8Array(readFileSync(out))).abi).toString('hex'), exportsOf(fwRtos).abi);
    const bad = cli(['pack-module', join(examples, 'ticker'), '--firmware', fwNone, '-o', join(dir, 'ticker-none.so')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /FreeRTOS\.h: No such file/);
    assert.match(bad.stderr, /rtos\.kernel=builtin/);
});

test('missing symbols: each is listed with the sources that need it, exit code 1, no file written', { skip }, () => {
    const d = writeSources('missing', {
        'a.c': MINIMAL('missing', 'extern int not_exported_fn(int);\nextern int not_exported_data;\nint use_a(int x) { return not_exported_fn(x) + not_exported_data; }\n'),
        'b.c': 'extern int not_exported_fn(int);\nint helper_b(int x) { return not_exported_fn(x + 1) + use_a(x); }\nint use_a(int);\n',
    });
    const out = join(dir, 'missing.so');
    const r = cli(['pack-module', d, '--firmware', fw, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /2 symbols not exported by the firmware/);
    assert.match(r.stderr, /not_exported_data {2}\(needed by missing\/a\.c\)/);
    assert.match(r.stderr, /not_exported_fn {2}\(needed by missing\/a\.c, missing\/b\.c\)/);
    assert.doesNotMatch(r.stderr, /use_a/, 'a symbol another source defines is not missing');
    assert.match(r.stderr, /hint: /);
    assert.equal(existsSync(out), false);
});

test('relocations: -fPIC code (a .got) is refused with the reason', { skip }, () => {
    const d = writeSources('pic', {
        'module.json': JSON.stringify({ cflags: ['-fPIC'] }),
        'pic.c': MINIMAL('pic', 'extern const mp_obj_type_t mp_type_int;\nconst void *get_type(void) { return &mp_type_int; }\n'),
    });
    const r = cli(['pack-module', d, '--firmware', fw, '-o', join(dir, 'pic.so')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /section \.got is not supported/);
    assert.match(r.stderr, /-fPIC/);
});

test('relocations: a B.W (R_ARM_THM_JUMP24) to an import is refused naming the site, symbol and source', { skip }, () => {
    const d = writeSources('jump24', {
        'jump.S': '.syntax unified\n.arch armv7-m\n.thumb\n.section .text.tail,"ax"\n.global tail_call\n.thumb_func\ntail_call:\n    nop\n    b.w mp_obj_new_int\n',
        'mod.c': MINIMAL('jump24'),
    });
    const r = cli(['pack-module', d, '--firmware', fw, '-o', join(dir, 'jump24.so')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot be loaded by the firmware's linker in jump24\/jump\.S/);
    assert.match(r.stderr, /\.text\+0x[0-9a-f]+ \(mp_obj_new_int\): relocation type 30 to an import is not supported/);
});

test('a syntax error names the file and line', { skip }, () => {
    const d = writeSources('syntax', { 'good.c': MINIMAL('syntax'), 'broken.c': 'int broken(void) {\n    return 1 +;\n}\n' });
    const r = cli(['pack-module', join(d, 'good.c'), join(d, 'broken.c'), '--name', 'syntax', '--firmware', fw, '-o', join(dir, 'syntax.so')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: syntax\/broken\.c: does not compile/);
    assert.match(r.stderr, /broken\.c:2:\d+: error: expected expression/);
});

test('--name and -o: the module is named and written as asked; --json reports it', { skip }, () => {
    const out = join(dir, 'sub', 'renamed.so');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const r = cli(['pack-module', join(examples, 'fib', 'fib.c'), '--name', 'renamed', '-o', out, '--firmware', fw, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { name: string; output: string; text: number; qstrs: string[] };
    assert.equal(j.name, 'renamed');
    assert.equal(j.output, out);
    assert.ok(j.text > 0);
    assert.equal(decodeModule(new Uint8Array(readFileSync(out))).name, 'renamed');
    // Default: ./NAME.so in the working directory, the name from the file.
    const r2 = cli(['pack-module', join(examples, 'fib', 'fib.c'), '--firmware', fw]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /fib\.so: module fib, [\d,]+ B/);
    assert.ok(existsSync(join(dir, 'fib.so')));
    const bad = cli(['pack-module', join(examples, 'fib', 'fib.c'), '--name', '3d', '--firmware', fw]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a Python identifier/);
});

test('a directory with module.json: its name, sources, defines and include directories', { skip }, async () => {
    const d = writeSources('manifested', {
        'module.json': JSON.stringify({ name: 'answer', sources: ['main.c'], defines: ['ANSWER=42'], include: ['inc'] }),
        'main.c': MINIMAL('answer', '#include "answer.h"\nint the_answer(void) { return ANSWER + OFFSET; }\n'),
        'unlisted.c': 'this is not C\n',
    });
    mkdirSync(join(d, 'inc'));
    writeFileSync(join(d, 'inc', 'answer.h'), '#define OFFSET 0\n');
    const r = await packModule({ inputs: [d], firmware: fw, output: join(dir, 'answer.so'), cwd: dir });
    assert.equal(r.name, 'answer');
    assert.deepEqual(r.sources, ['manifested/main.c']);
    assert.ok(r.exports.includes('the_answer'));
    const bad = writeSources('badmanifest', { 'module.json': JSON.stringify({ name: 'x', flags: [] }), 'x.c': MINIMAL('x') });
    await assert.rejects(packModule({ inputs: [bad], firmware: fw, output: join(dir, 'x.so') }), /unknown key "flags"/);
});

test('the SDK: headers equal the firmware\'s (preprocessed), qstrdefs keeps only the static pool, flags carry the target', { skip }, () => {
    const sdk = JSON.parse(readFileSync(join(fw, 'sdk', 'module-sdk.json'), 'utf8')) as ModuleSdk;
    for (const f of ['-mcpu=cortex-m0plus', '-mthumb', '-Os', '-ffunction-sections', '-fdata-sections', '-fno-common']) assert.ok(sdk.cflags.includes(f), f);
    const tc = armToolchain()!;
    const probe = join(dir, 'probe.c');
    writeFileSync(probe, '#include "py/runtime.h"\n#include "py/objstr.h"\n#include "py/mphal.h"\n#include "hardware/gpio.h"\n#include "pico/time.h"\n');
    const sdkArgs = [...sdk.cflags, ...sdk.defines.map((x) => `-D${x}`), ...sdk.includeDirs.flatMap((x) => [x.system ? '-isystem' : '-I', join(fw, 'sdk', x.path)])];
    const viaSdk = execFileSync(tc.gcc, [...sdkArgs, '-DNO_QSTR', '-E', '-P', probe], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const cc = (JSON.parse(readFileSync(join(fw, 'compile_commands.json'), 'utf8')) as { file: string; command: string }[]).find((e) => e.file.endsWith('/py/runtime.c'))!;
    const fwArgs = execFileSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))', cc.command], { encoding: 'utf8' });
    const args = (JSON.parse(fwArgs) as string[]).slice(1);
    const o = args.indexOf('-o');
    args.splice(o, 2);
    const viaFirmware = execFileSync(tc.gcc, [...args.filter((a) => a !== '-c' && !a.endsWith('/py/runtime.c')), '-DNO_QSTR', '-E', '-P', probe], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.ok(viaSdk.length > 10000);
    assert.equal(viaSdk, viaFirmware);
    const qdefs = readFileSync(join(fw, 'sdk', 'include', 'build', 'cmake', 'genhdr', 'qstrdefs.generated.h'), 'utf8');
    const n = qdefs.split('\n').filter((l) => l.startsWith('QDEF')).length;
    assert.equal(n, sdk.staticQstrs.length + 1);
    assert.ok(sdk.staticQstrs.includes('__name__') && !sdk.staticQstrs.includes('history'));
    assert.ok(existsSync(join(fw, 'sdk', 'include', 'mprt_module.h')));
});

test('the SDK is self-contained: a copy elsewhere packs the same bytes, and a module compile reads no firmware or component tree file', { skip }, async () => {
    const copy = join(dir, 'copied-firmware');
    cpSync(join(fw, 'sdk'), join(copy, 'sdk'), { recursive: true });
    const a = await packModule({ inputs: [join(examples, 'counter')], firmware: fw, output: join(dir, 'c1.so') });
    const b = await packModule({ inputs: [join(examples, 'counter')], firmware: copy, output: join(dir, 'c2.so') });
    assert.equal(a.bytes, b.bytes);
    assert.deepEqual(readFileSync(join(dir, 'c1.so')), readFileSync(join(dir, 'c2.so')));
    const sdk = JSON.parse(readFileSync(join(copy, 'sdk', 'module-sdk.json'), 'utf8')) as ModuleSdk;
    const probe = join(dir, 'deps.c');
    writeFileSync(probe, '#include "py/runtime.h"\n#include "py/objstr.h"\n#include "py/mphal.h"\n#include "hardware/gpio.h"\n#include "pico/time.h"\n');
    const depsText = execFileSync(armToolchain()!.gcc, [...sdk.cflags, ...sdk.defines.map((x) => `-D${x}`),
        ...sdk.includeDirs.flatMap((x) => [x.system ? '-isystem' : '-I', join(copy, 'sdk', x.path)]), '-include', 'mprt_module.h', '-M', probe], { encoding: 'utf8' });
    const deps = parseMakeDeps(depsText).filter((f) => f !== probe);
    assert.ok(deps.length > 100);
    const outside = deps.filter((f) => !f.startsWith(join(copy, 'sdk') + '/') && (f.startsWith(sourcesDir()) || f.startsWith(repoRoot()) || f.startsWith(fw)));
    assert.deepEqual(outside, []);
});

test('qstr scan and header: static qstrs keep their enum, the others become link-time symbols', () => {
    const ids = scanQstrs('# 1 "x.c"\nfoo(MP_QSTR_hello, MP_QSTR___name__); x = MP_QSTR__lt_module_gt_;\n# 3 "MP_QSTR_not_me"\n');
    assert.deepEqual([...ids].sort(), ['__name__', '_lt_module_gt_', 'hello']);
    const h = qstrHeader({ staticQstrs: ['__name__', '_lt_module_gt_'] }, ids);
    assert.match(h, /#define MPRT_QOBJ_MP_QSTR___name__ MPRT_ROM_QSTR_STATIC\(MP_QSTR___name__\)/);
    assert.match(h, /extern const char __dl_qstr_hello\[\], __dl_qobj_hello\[\];/);
    assert.match(h, /#define MP_QSTR_hello MPRT_QSTR_LOADED\(__dl_qstr_hello\)/);
    assert.doesNotMatch(h, /#define MP_QSTR___name__/);
    assert.equal(qstrString({ qstrStrings: { _lt_module_gt_: '<module>' } }, '_lt_module_gt_'), '<module>');
    assert.equal(qstrString({ qstrStrings: {} }, 'hello'), 'hello');
});
