/**
 * Fuzz test of the on-device linker's validation and link path (lib/dynlink/tests/dl_fuzz.c), built for
 * the host with ASan and UBSan: a seeded, deterministic mutation run over real modules (at least 100,000
 * iterations; MPRT_FUZZ_ITERATIONS to change it, MPRT_FUZZ_SEED for another sequence). Any out-of-bounds
 * access, undefined behaviour or broken invariant aborts it. A sample of the mutated inputs is then read
 * by the TypeScript reader, which must reach the same verdict as the C loader.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModule, ModuleFormatError } from '../../cli/formats/module.js';
import { componentDir } from '../../cli/components/components.js';
import { MOD_A, MOD_B, MODULE_CFLAGS, armToolchain, buildHost, buildModule, buildModuleFromObjects, run, scratchDir } from './dynlink-support.js';

const skip = armToolchain() === null ? 'arm-none-eabi toolchain not found' : false;
const ITERATIONS = Number(process.env.MPRT_FUZZ_ITERATIONS ?? 500_000);
const SEED = process.env.MPRT_FUZZ_SEED ?? '20261126';
const dir = scratchDir('mprt-dlfuzz-');
after(() => rmSync(dir, { recursive: true, force: true }));

const C_NAMES: Record<string, string> = {
    magic: 'bad magic', version: 'bad version', class: 'bad class', endian: 'bad endianness', machine: 'bad machine',
    truncated: 'truncated', corrupt: 'corrupt', abi: 'ABI mismatch', bounds: 'out of bounds', overlap: 'overlap',
    align: 'bad alignment', strtab: 'bad string table', name: 'bad name', ref: 'bad reference',
    duplicate: 'duplicate export', 'reloc-type': 'unsupported relocation', reloc: 'bad relocation',
};

function seeds(): string[] {
    const out = [
        buildModule(dir, 'demo', { 'a.c': MOD_A, 'b.c': MOD_B }).path,
        buildModule(dir, 'far', { 'far.c': 'extern int ramfn(int); extern int near(int);\nint f(int x) { return ramfn(x) + near(x); }\n' }).path,
        buildModule(dir, 'q', {
            'q.c': 'extern const char __dl_qobj_a[], __dl_qstr_b[], __dl_qstr_[];\nconst void *const t[] = {__dl_qobj_a, __dl_qstr_b, __dl_qstr_};\n' +
                'static int n; int dl_init(void) { return ++n; }\n',
        }).path,
    ];
    // A few files of MicroPython's libm: many calls to imported float helpers.
    try {
        const libm = join(componentDir('micropython'), 'lib', 'libm');
        const mdir = join(dir, 'libm');
        mkdirSync(mdir, { recursive: true });
        const objects = ['sf_sin.c', 'kf_sin.c', 'kf_cos.c', 'sf_frexp.c'].map((f) => {
            const o = join(mdir, f.replace(/\.c$/, '.o'));
            run(armToolchain()!.gcc, [...MODULE_CFLAGS, '-w', '-I', libm, '-c', join(libm, f), '-o', o]);
            return o;
        });
        out.push(buildModuleFromObjects(mdir, 'libm', objects).path);
    } catch {
        // the micropython component is not set up: the other seeds still cover every relocation type
    }
    return out;
}

test(`fuzz: ${ITERATIONS} mutated modules through parse, resolve, link and emit under ASan+UBSan`, { skip, timeout: 300_000 }, (t) => {
    const fuzz = buildHost(dir, 'dl_fuzz.c');
    const samples = join(dir, 'samples');
    mkdirSync(samples);
    const every = Math.max(1, Math.floor(ITERATIONS / 400));
    const started = Date.now();
    const r = run(fuzz, [String(ITERATIONS), SEED, '-o', samples, String(every), ...seeds()], { allowFail: true });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, r.out);
    const count = (re: RegExp) => Number(re.exec(r.out)?.[1] ?? 0);
    assert.equal(count(/^iterations (\d+)$/m), ITERATIONS);
    // The run must get past validation often enough to exercise the linker, and be refused in many ways.
    assert.ok(count(/^parse ok (\d+)$/m) > ITERATIONS / 50, r.out);
    assert.ok(count(/^link ok (\d+)$/m) > ITERATIONS / 100, r.out);
    assert.ok(r.out.match(/^parse /gm)!.length >= 15, `too few distinct verdicts:\n${r.out}`);
    t.diagnostic(`dl_fuzz: ${ITERATIONS} iterations in ${seconds.toFixed(1)} s; ${r.out.trim().replace(/\n/g, ', ')}`);

    // The TypeScript reader agrees with the C loader on the sampled inputs.
    const verdicts = readFileSync(join(samples, 'verdicts.txt'), 'utf8').trim().split('\n');
    assert.ok(verdicts.length >= 100);
    let agreed = 0;
    for (const line of verdicts) {
        const [id, abiHex, ...rest] = line.split(' ');
        const want = rest.join(' ');
        const bytes = new Uint8Array(readFileSync(join(samples, `${id}.bin`)));
        const abi = abiHex === '-' ? undefined : Uint8Array.from(Buffer.from(abiHex, 'hex'));
        let got = 'ok';
        try {
            decodeModule(bytes, { abi });
        } catch (e) {
            if (!(e instanceof ModuleFormatError)) throw e;
            got = C_NAMES[e.code] ?? e.code;
        }
        assert.equal(got, want, `sample ${id}: TypeScript says ${got}, C says ${want}`);
        agreed++;
    }
    assert.equal(agreed, verdicts.length);
    assert.ok(readdirSync(samples).length > 100);
});
