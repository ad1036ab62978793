/**
 * Loadable native modules on the emulated board (issue 6, docs/modules.md, docs/modules-glue.md):
 * the firmware is built, then the example modules are packed against it (no firmware rebuild), copied
 * to /lib in a persistent flash image, imported and called; then a power cycle, a changed module, a
 * rebuilt firmware with a changed option flashed into the same image (relinked from the .so), a
 * firmware with another ABI identity (refused, then repacked), every refused input with its message
 * while the REPL stays alive (their constructor prints, and must never print), os.dlsym addresses
 * against the bytes in flash, and the RAM a loaded module costs.
 *
 * Firmware: $MPRT_MODULES_BUILD (an output directory), else build/pico, with the kernel it was built
 * with ($MPRT_MODULES_KERNEL to choose); built here (incrementally) together with two variants next
 * to it: DIR-relink (frozen=rp2: other addresses, same ABI) and DIR-abi (the other rtos.kernel:
 * another ABI identity). Each is a full build the first time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { decodeModule, R_ABS32, R_QSTR, R_QSTR_OBJ, R_THM_CALL } from '../../cli/formats/module.js';
import { packModule, type PackResult } from '../../cli/modules/pack.js';
import { repoRoot } from '../../cli/util/paths.js';
import {
    buildPico, examplesDir, norm, packSource, refreshModule, run, sha256File, TICKER_CHECK, TICKER_EXPECT, u32le, writeLargeFile, type FirmwareBuild,
} from './modules-fixture.js';
import { componentsReady } from '../unit/firmware-artifacts.js';
import { FLASH_BASE, SRAM_END } from '../../cli/chip/rp2040.js';

const skip = componentsReady() ? false : 'components not set up (npx mprt setup)';
const baseDir = process.env.MPRT_MODULES_BUILD ?? join(repoRoot(), 'build', 'pico');
/** The base build keeps its kernel ($MPRT_MODULES_KERNEL, else what the directory was built with). */
function baseSet(): string[] {
    let kernel = process.env.MPRT_MODULES_KERNEL;
    try {
        kernel ??= (JSON.parse(readFileSync(join(baseDir, 'sdk', 'exports.json'), 'utf8')) as { kernel: string }).kernel;
    } catch {
        // not built yet: the default configuration
    }
    return kernel ? [`rtos.kernel=${kernel}`] : [];
}
const log = process.env.MPRT_TEST_VERBOSE ? (s: string) => process.stderr.write(`modules.test: ${s}\n`) : undefined;

/** Example module → a script exercising it and what it must print. Every example needs one. */
/** `elsewhere`: the example is tested by the named test instead (it cannot install beside the others). */
const EXAMPLES: Record<string, { kernel?: 'builtin'; script: string; expect: string; elsewhere?: string }> = {
    fib: {
        script: [
            'import fib',
            'print(fib.fib(30), fib.add(2, 3), fib.fib(0))',
            'try:',
            '    fib.fib(-1)',
            'except ValueError as e:',
            "    print('ValueError', e)",
        ].join('\n'),
        expect: '832040 5 0\nValueError n must be >= 0\n',
    },
    counter: {
        script: [
            'import counter, gc, micropython',
            'c = counter.Counter(2, history=3)',
            'print([c.incr() for _ in range(4)], c.history(), c.count, c.step)',
            'c.count = 100',
            'print(c.incr(), c)',
            'try:',
            '    c.step = 1',
            'except AttributeError:',
            "    print('step is read-only')",
            'c.reset()',
            'print(c.count, c.history())',
            'try:',
            '    counter.Counter(history=0)',
            'except ValueError as e:',
            "    print('ValueError', e)",
            // the C heap runs out (malloc returns NULL: MemoryError, no panic) ...
            'gc.collect()',
            "stats = getattr(micropython, 'malloc_stats', None)",
            'used = stats and stats()[1]',
            'try:',
            '    keep = [counter.Counter(1, history=1024) for _ in range(100)]',
            'except MemoryError as e:',
            "    print('MemoryError', e)",
            // ... and the finaliser gives the history back to it: the counters made before the
            // MemoryError are garbage only once collected (what is left over until then is what the
            // 4 KB histories left of the heap, which depends on the heap's use at boot), then the C heap
            // is back at its level (with a kernel: micropython.malloc_stats) and takes 200 more
            'gc.collect()',
            'print(used == (stats and stats()[1]))',
            'for _ in range(200):',
            '    gc.collect()',
            '    counter.Counter(1, history=256).incr()',
            'print(type(c).__name__, isinstance(c, counter.Counter))',
        ].join('\n'),
        expect: '[2, 4, 6, 8] [4, 6, 8] 8 2\n102 Counter(count=102, step=2)\nstep is read-only\n0 []\n'
            + 'ValueError history must be 1..1024\nMemoryError no C heap for the history\nTrue\nCounter True\n',
    },
    textutil: {
        script: [
            'import textutil',
            'print(textutil.sort_ints([3, -1, 2, 10, 0]), textutil.sort_ints([]))',
            'print(textutil.fmt(1 / 3, 4), textutil.fmt(2.5, 1), textutil.fmt(0.5), textutil.fmt(x=2, digits=2))',
            'try:',
            "    textutil.fmt('1')",
            'except TypeError as e:',
            "    print('TypeError', e)",
            "print(textutil.parse('2.5e3 rest'), textutil.parse('-0.125'))",
            'try:',
            "    textutil.parse('abc')",
            'except ValueError as e:',
            "    print('ValueError', e)",
        ].join('\n'),
        expect: "[-1, 0, 2, 3, 10] []\n0.3333 2.5 0.500000 2.00\nTypeError must be real number, not str\n(2500.0, ' rest') (-0.125, '')\nValueError no number\n",
    },
    ticker: {
        kernel: 'builtin',
        script: TICKER_CHECK.join('\n'),
        expect: TICKER_EXPECT,
    },
    pipeio: {
        kernel: 'builtin',
        script: [
            'import os, pipeio',
            'r, w = os.pipe()',
            "print(pipeio.write(w, b'C'), os.read(r, 5), os.write(w, b'Py'), pipeio.read(r, 5))",
            'os.close(r)',
            'os.close(w)',
        ].join('\n'),
        expect: "1 b'C' 2 b'Py'\n",
    },
    vfsio: {
        kernel: 'builtin',
        script: '',
        expect: '',
        elsewhere: 'tests/firmware/F4-vfs-module.test.ts: its 8K RAM disk exceeds the RAM reserved at boot for modules installed later (modules.ram_slack), so it is installed and reset alone',
    },
};

/** Runs code that must raise; returns the exception text (and checks the REPL is alive after it). */
async function refused(board: Rp2040Board, code: string): Promise<string> {
    const r = await board.exec(code, { timeoutMs: 20_000 });
    assert.equal(r.timedOut, false, `timed out: ${code}`);
    assert.notEqual(r.stderr, '', `expected an exception from: ${code}`);
    assert.equal(await run(board, "print('alive')"), 'alive\n', 'the REPL answers after the refusal');
    return norm(r.stdout + r.stderr);
}

type DlEntry = [string, number, number, number, number];

async function dllist(board: Rp2040Board): Promise<DlEntry[]> {
    const out = await run(board, 'import os\nprint(repr(os.dllist()))');
    return JSON.parse(out.trim().replace(/\(/g, '[').replace(/\)/g, ']').replace(/'/g, '"')) as DlEntry[];
}

const mkLib = "import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass\n";

function regionBytes(board: Rp2040Board, fw: FirmwareBuild): Uint8Array {
    const off = fw.region.start - FLASH_BASE;
    return new Uint8Array(board.mcu.flash.subarray(off, off + fw.region.size));
}

function examplesFor(kernel: 'none' | 'builtin'): string[] {
    const names = readdirSync(examplesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const n of names) assert.ok(EXAMPLES[n], `examples/modules/${n} has no script in modules.test.ts`);
    return names.filter((n) => !EXAMPLES[n]!.elsewhere && (!EXAMPLES[n]!.kernel || EXAMPLES[n]!.kernel === kernel));
}

async function packExamples(fw: FirmwareBuild, out: string): Promise<Map<string, PackResult>> {
    const packed = new Map<string, PackResult>();
    for (const name of examplesFor(fw.kernel)) {
        packed.set(name, await packModule({ inputs: [join(examplesDir, name)], firmware: fw.dir, output: join(out, `${name}.so`) }));
    }
    return packed;
}

const versSource = (v: number) => `
static mp_obj_t vers_version(void) { return MP_OBJ_NEW_SMALL_INT(${v}); }
static MP_DEFINE_CONST_FUN_OBJ_0(vers_version_obj, vers_version);
static const mp_rom_map_elem_t vers_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_vers) },
    { MP_ROM_QSTR(MP_QSTR_version), MP_ROM_PTR(&vers_version_obj) },
};
static MP_DEFINE_CONST_DICT(vers_globals, vers_globals_table);
MPRT_MODULE(vers_module, vers_globals);
`;

describe('native modules on the emulated board', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-modules-'));
    const image = join(work, 'flash.img');
    let base: FirmwareBuild;
    let packed: Map<string, PackResult>;
    let board: Rp2040Board;

    before(async () => {
        base = await buildPico(baseDir, baseSet(), log);
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('the examples pack against the built firmware without rebuilding it', async () => {
        const before = sha256File(join(base.dir, 'firmware.bin'));
        const elfBefore = sha256File(join(base.dir, 'firmware.elf'));
        packed = await packExamples(base, work);
        assert.ok(packed.size >= 3, 'fib, counter, textutil at least');
        assert.equal(sha256File(join(base.dir, 'firmware.bin')), before);
        assert.equal(sha256File(join(base.dir, 'firmware.elf')), elfBefore);
        for (const [name, r] of packed) {
            assert.equal(r.abi, base.abi, `${name}: packed for this firmware's ABI`);
            assert.equal(decodeModule(new Uint8Array(readFileSync(r.output))).name, name);
        }
    });

    test('copied to /lib, each example installs on first import and runs', async () => {
        board = await openBoard({ firmware: base.uf2, flashImage: image });
        await board.boot();
        await run(board, mkLib);
        for (const name of packed.keys()) await board.writeFile(`/lib/${name}.so`, readFileSync(join(work, `${name}.so`)));
        assert.deepEqual(await dllist(board), [], 'nothing installed before the first import');
        for (const [name, ex] of Object.entries(EXAMPLES)) {
            if (!packed.has(name)) continue;
            assert.equal(await run(board, ex.script), ex.expect, name);
        }
        const list = await dllist(board);
        assert.deepEqual(list.map((e) => e[0]).sort(), [...packed.keys()].sort());
        for (const [name, addr, text, data, bss] of list) {
            const r = packed.get(name)!;
            assert.ok(addr >= base.region.start && addr < base.region.start + base.region.size, `${name} at 0x${addr.toString(16)} in the module region`);
            assert.ok(text >= r.text, `${name}: code ${text} >= packed ${r.text}`);
            assert.equal(data, r.data, `${name}: data`);
            assert.equal(bss, r.bss, `${name}: bss`);
        }
    });

    test('os is the built-in os plus the dl* functions: dir(os), from os import *, sys.modules', async () => {
        const out = await run(board, [
            'import os, sys',
            "print(all(n in dir(os) for n in ('dlopen', 'dlsym', 'dlerror', 'dllist', 'dlremove', 'listdir', 'stat', 'uname', 'urandom')))",
            'from os import *',
            "print(callable(dllist), callable(listdir), sys.modules['os'] is os, os.__name__)",
        ].join('\n'));
        assert.equal(out, 'True\nTrue True True os\n');
    });

    test('os.dlsym: addresses in the module flash region, the bytes there are the packed code', async () => {
        const r = packed.get('fib')!;
        const mod = decodeModule(new Uint8Array(readFileSync(r.output)));
        const out = await run(board, "import os\nh = os.dlopen('/lib/fib.so')\nprint(h, os.dlsym(h, 'dl_init'), os.dlsym(h, 'fib_module'))");
        const [handle, init, modObj] = out.trim().split(' ').map(Number) as [number, number, number];
        const inRegion = (a: number) => a >= base.region.start && a < base.region.start + base.region.size;
        assert.ok(inRegion(handle), 'handle is the image address');
        assert.ok(inRegion(init) && (init & 1) === 1, `dl_init at 0x${init.toString(16)}: Thumb code in the region`);
        assert.ok(inRegion(modObj), 'the const module object stays in flash');
        const initRef = mod.exports.find((e) => e.name === 'dl_init')!.ref;
        assert.equal(initRef.seg, 'text');
        const textAt = (init & ~1) - (initRef.offset & ~1);
        const flash = board.mcu.flash;
        const off = textAt - FLASH_BASE;
        const installed = flash.subarray(off, off + mod.text.length);
        // Equal except where the loader wrote relocated values (words, BL pairs).
        const patched = new Set<number>();
        for (const rel of mod.relocs) {
            if (rel.place !== 'text') continue;
            assert.ok([R_ABS32, R_THM_CALL, R_QSTR, R_QSTR_OBJ].includes(rel.type));
            for (let i = 0; i < 4; i++) patched.add(rel.offset + i);
        }
        let compared = 0;
        for (let i = 0; i < mod.text.length; i++) {
            if (patched.has(i)) continue;
            assert.equal(installed[i], mod.text[i], `text byte ${i}`);
            compared++;
        }
        assert.ok(compared >= 32 && compared > mod.text.length / 3, `${compared} of ${mod.text.length} bytes compared`);
        // a relocated word holds an absolute address (a firmware export or a place in the image)
        const abs = mod.relocs.find((x) => x.place === 'text' && x.type === R_ABS32)!;
        const word = u32le(installed, abs.offset);
        assert.ok(word >= FLASH_BASE && word < SRAM_END, `relocated word 0x${word.toString(16)}`);

        const err = await refused(board, "import os\nos.dlsym(os.dlopen('/lib/fib.so'), 'no_such_symbol')");
        assert.match(err, /OSError: undefined symbol: no_such_symbol/);
        assert.equal(await run(board, 'import os\nprint(os.dlerror())\nprint(os.dlerror())'), 'undefined symbol: no_such_symbol\nNone\n');
    });

    test('power cycle: still installed, imports again without writing flash', async () => {
        const listed = await dllist(board);
        const region = regionBytes(board, base);
        await board.powerCycle();
        assert.deepEqual(await dllist(board), listed);
        for (const [name, ex] of Object.entries(EXAMPLES)) {
            if (!packed.has(name)) continue;
            assert.equal(await run(board, ex.script), ex.expect, `${name} after a power cycle`);
        }
        assert.deepEqual(regionBytes(board, base), region, 'the module region is unchanged: nothing relinked');
    });

    test('a changed module reinstalls; a loaded one is not replaced under the running program', async () => {
        await packSource(join(work, 'v1'), 'vers', versSource(1), base.dir);
        await packSource(join(work, 'v2'), 'vers', versSource(2), base.dir);
        await board.writeFile('/lib/vers.so', readFileSync(join(work, 'v1', 'vers.so')));
        assert.equal(await run(board, 'import vers\nprint(vers.version())'), '1\n');
        const first = (await dllist(board)).find((e) => e[0] === 'vers')!;
        await board.writeFile('/lib/vers.so', readFileSync(join(work, 'v2', 'vers.so')));
        assert.match(await refused(board, "import os\nos.dlopen('/lib/vers.so')"), /module 'vers' changed but the old one is loaded: reset/);
        await board.powerCycle();
        assert.equal(await run(board, 'import vers\nprint(vers.version())'), '2\n');
        const now = (await dllist(board)).filter((e) => e[0] === 'vers');
        assert.equal(now.length, 1, 'one vers installed');
        assert.ok(first, 'vers was listed before');
        await board.powerCycle();
        assert.equal(await run(board, 'import vers\nprint(vers.version())'), '2\n');
        assert.deepEqual((await dllist(board)).filter((e) => e[0] === 'vers'), now, 'not reinstalled again');
    });

    test('a rebuilt firmware with other addresses (same ABI) relinks the modules from their .so', async () => {
        await board.close();
        // Only the rp2 frozen set (its _boot.py mounts the filesystem): the firmware's read-only data
        // (type objects, ...) and the qstr numbering move.
        const relink = await buildPico(`${baseDir}-relink`, [...baseSet(), 'frozen=rp2'], log);
        assert.equal(relink.abi, base.abi, 'the frozen list is not part of the ABI identity');
        const exportsOf = (fw: FirmwareBuild) => new Map((JSON.parse(readFileSync(join(fw.dir, 'sdk', 'exports.json'), 'utf8')) as
            { symbols: { name: string; address: number }[] }).symbols.map((s) => [s.name, s.address]));
        const a = exportsOf(base);
        const b = exportsOf(relink);
        const moved = [...packed.get('fib')!.imports].filter((i) => a.get(i.name) !== b.get(i.name));
        assert.ok(moved.length > 0, 'some symbol fib imports moved: the old link is wrong for this firmware');
        board = await openBoard({ firmware: relink.uf2, flashImage: image });
        await board.boot();
        const stale = regionBytes(board, relink);
        for (const [name, ex] of Object.entries(EXAMPLES)) {
            if (!packed.has(name)) continue;
            assert.equal(await run(board, ex.script), ex.expect, `${name} on the rebuilt firmware`);
        }
        assert.equal(await run(board, 'import vers\nprint(vers.version())'), '2\n');
        const region = regionBytes(board, relink);
        assert.notDeepEqual(region, stale, 'relinked: the module region was rewritten');
        // relinked once: a power cycle changes nothing more
        await board.powerCycle();
        assert.equal(await run(board, EXAMPLES.fib!.script), EXAMPLES.fib!.expect);
        assert.deepEqual(regionBytes(board, relink), region);
        await board.close();
    });

    test('a firmware with another ABI identity refuses the installed modules, then takes repacked ones', async () => {
        const other = base.kernel === 'none' ? 'builtin' : 'none';
        const abiFw = await buildPico(`${baseDir}-abi`, [`rtos.kernel=${other}`], log);
        assert.notEqual(abiFw.abi, base.abi);
        board = await openBoard({ firmware: abiFw.uf2, flashImage: image });
        await board.boot();
        const err = await refused(board, 'import fib');
        assert.match(err, /ImportError: .*fib\.so: built for firmware ABI [0-9a-f]{16}, this firmware is [0-9a-f]{16}: rebuild it with mprt pack-module/);
        assert.match(err, new RegExp(base.abi.slice(0, 16)));
        const repacked = await packExamples(abiFw, join(work, 'abi'));
        for (const name of repacked.keys()) await board.writeFile(`/lib/${name}.so`, readFileSync(join(work, 'abi', `${name}.so`)));
        for (const [name, ex] of Object.entries(EXAMPLES)) {
            if (!repacked.has(name)) continue;
            assert.equal(await run(board, ex.script), ex.expect, `${name} repacked for the ${other} firmware`);
        }
        await board.close();
    });
});

describe('refused module files', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-modules-bad-'));
    let base: FirmwareBuild;
    let board: Rp2040Board;
    let good: Uint8Array;
    const outputs: string[] = [];

    const badSource = (name: string) => `
static void ${name}_ctor(void) __attribute__((constructor));
static void ${name}_ctor(void) { mp_printf(&mp_plat_print, "CTOR-RAN-${name}\\n"); }
static mp_obj_t ${name}_hello(void) { return MP_OBJ_NEW_SMALL_INT(42); }
static MP_DEFINE_CONST_FUN_OBJ_0(${name}_hello_obj, ${name}_hello);
static const mp_rom_map_elem_t ${name}_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_${name}) },
    { MP_ROM_QSTR(MP_QSTR_hello), MP_ROM_PTR(&${name}_hello_obj) },
};
static MP_DEFINE_CONST_DICT(${name}_globals, ${name}_globals_table);
MPRT_MODULE(${name}_module, ${name}_globals);
`;

    /** The good module under another name (name in the string table: same length keeps offsets). */
    const renamed = (name: string) => {
        assert.equal(name.length, 'badmod'.length);
        const b = new Uint8Array(good);
        const strtab = u32le(b, 92);
        const at = strtab + u32le(b, 56);
        b.set(new TextEncoder().encode(name), at);
        return refreshModule(b);
    };

    before(async () => {
        base = await buildPico(baseDir, baseSet(), log);
        await packSource(work, 'badmod', badSource('badmod'), base.dir);
        good = new Uint8Array(readFileSync(join(work, 'badmod.so')));
        board = await openBoard({ firmware: base.uf2, flashImage: join(work, 'flash.img') });
        await board.boot();
        await run(board, mkLib);
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    const cases: { name: string; make: () => Uint8Array; message: RegExp }[] = [
        { name: 'badmch', message: /machine 3: not ARM \(40\)/, make: () => { const b = renamed('badmch'); b[8] = 3; return b; } },
        { name: 'badcls', message: /class 2: not a 32-bit module/, make: () => { const b = renamed('badcls'); b[5] = 2; return b; } },
        { name: 'badend', message: /data encoding 2: not little-endian/, make: () => { const b = renamed('badend'); b[6] = 2; return b; } },
        { name: 'badtrn', message: /truncated: \d+ bytes, the header says \d+/, make: () => renamed('badtrn').subarray(0, good.length - 40) },
        {
            name: 'badcrc', message: /corrupt: CRC-32 is 0x[0-9a-f]{8}, the header says 0x[0-9a-f]{8}/, make: () => {
                const b = renamed('badcrc');
                b[u32le(b, 64) + 2] ^= 0x40; // a bit of code
                return b;
            },
        },
        {
            name: 'badabi', message: /built for firmware ABI [0-9a-f]{16}, this firmware is [0-9a-f]{16}: rebuild it with mprt pack-module/, make: () => {
                const b = renamed('badabi');
                b[36] ^= 0xff;
                return refreshModule(b);
            },
        },
        {
            name: 'badrel', message: /relocation 0: unsupported type 9/, make: () => {
                const b = renamed('badrel');
                assert.ok(u32le(b, 136) > 0, 'the module has relocations');
                b[u32le(b, 132) + 4] = 9;
                return refreshModule(b);
            },
        },
        { name: 'badelf', message: /an ELF file, not a module: pack it with mprt pack-module/, make: () => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Uint8Array(200)]) },
    ];

    for (const c of cases) {
        test(`${c.name}: refused with its message, the constructor never runs, the REPL lives`, async () => {
            const bytes = c.make();
            await board.writeFile(`/lib/${c.name}.so`, bytes);
            const err = await refused(board, `import ${c.name}`);
            assert.match(err, /ImportError/);
            assert.match(err, c.message);
            assert.doesNotMatch(err, /CTOR-RAN/);
            assert.equal(await run(board, 'import os\nprint(os.dlerror() is not None)'), 'True\n');
            const viaDlopen = await refused(board, `import os\nos.dlopen('/lib/${c.name}.so')`);
            assert.match(viaDlopen, /OSError/);
            assert.match(viaDlopen, c.message);
            assert.doesNotMatch(viaDlopen, /CTOR-RAN/);
            assert.ok(!(await dllist(board)).some((e) => e[0] === c.name), 'not installed');
            outputs.push(err, viaDlopen);
        });
    }

    test('missing symbols: refused naming each one, nothing installed', async () => {
        // The same code, importing two names this firmware does not export.
        const mod = decodeModule(good);
        const { encodeModule } = await import('../../cli/formats/module.js');
        const bytes = encodeModule({ ...mod, name: 'badsym', imports: [...mod.imports, 'mprt_no_such_function', 'mprt_no_such_object'] });
        await board.writeFile('/lib/badsym.so', bytes);
        const err = await refused(board, 'import badsym');
        assert.match(err, /ImportError: .*badsym\.so: 2 undefined symbols: mprt_no_such_function, mprt_no_such_object/);
        assert.doesNotMatch(err, /CTOR-RAN/);
        assert.ok(!(await dllist(board)).some((e) => e[0] === 'badsym'));
        outputs.push(err);
    });

    test('no room in the module flash region: refused, what is installed keeps working', async () => {
        // ~28 KB modules until the region is full: each file is one module under its own name,
        // made on the board from one packed file (name patched, hash and CRC recomputed there).
        // (The loader reads a module file whole into the GC heap: 28 KB also fits the RTOS firmware's.)
        const size = 28 * 1024;
        const src = [
            `static const uint8_t fill_data[${size}] = { ${Array.from({ length: 64 }, (_, i) => i + 1).join(', ')} };`,
            'static mp_obj_t fill0_get(mp_obj_t i) { return MP_OBJ_NEW_SMALL_INT(fill_data[mp_obj_get_int(i)]); }',
            'static MP_DEFINE_CONST_FUN_OBJ_1(fill0_get_obj, fill0_get);',
            'static const mp_rom_map_elem_t fill0_globals_table[] = {',
            '    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_fill0) },',
            '    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&fill0_get_obj) },',
            '};',
            'static MP_DEFINE_CONST_DICT(fill0_globals, fill0_globals_table);',
            'MPRT_MODULE(fill0_module, fill0_globals);',
        ].join('\n') + '\n';
        await packSource(work, 'fill0', src, base.dir);
        const fill = new Uint8Array(readFileSync(join(work, 'fill0.so')));
        await writeLargeFile(board, '/lib/fill0.so', fill);
        const nameAt = u32le(fill, 92) + u32le(fill, 56);
        // a copy per digit: same bytes but the name, then hash (bytes 36..) and CRC (bytes 20..) again
        await run(board, [
            'import hashlib, binascii, struct',
            'def chunks(d):',
            "    f = open('/lib/fill0.so', 'rb')",
            '    pos = 0',
            '    while True:',
            '        b = f.read(4096)',
            '        if not b:',
            '            break',
            `        if pos <= ${nameAt + 4} < pos + len(b):`,
            '            b = bytearray(b)',
            `            b[${nameAt + 4} - pos] = ord(str(d))`,
            '        yield pos, b',
            '        pos += len(b)',
            '    f.close()',
            'def head(b, digest, crc):',
            '    b = bytearray(b)',
            '    b[20:36] = digest',
            '    if crc is not None:',
            "        struct.pack_into('<I', b, 16, crc)",
            '    return b',
            'def copy(d):',
            '    h = hashlib.sha256()',
            '    for pos, b in chunks(d):',
            '        h.update(b[36:] if pos == 0 else b)',
            '    digest = h.digest()[:16]',
            '    crc = 0',
            '    for pos, b in chunks(d):',
            '        crc = binascii.crc32(head(b, digest, None)[20:]) if pos == 0 else binascii.crc32(b, crc)',
            "    out = open('/lib/fill%d.so' % d, 'wb')",
            '    for pos, b in chunks(d):',
            '        out.write(head(b, digest, crc) if pos == 0 else b)',
            '    out.close()',
            'for d in range(1, 10):',
            '    copy(d)',
        ].join('\n'), 60_000);
        const regionKb = base.region.size / 1024;
        let installed = 0;
        let err = '';
        for (let d = 0; d <= 9; d++) {
            const r = await board.exec(`import gc\ngc.collect()\nimport fill${d}\nprint(fill${d}.get(3))`, { timeoutMs: 60_000 });
            if (r.stderr) {
                err = norm(r.stderr);
                break;
            }
            assert.equal(norm(r.stdout), '4\n');
            installed++;
        }
        assert.ok(installed >= 1 && installed < 10, `${installed} fill modules fit in ${regionKb} KB: ${err}`);
        assert.match(err, new RegExp(`ImportError: .*fill${installed}\\.so: no room in the module flash region for \\d+ bytes \\(${regionKb} KB region; os\\.dlremove\\(\\) frees it\\)`));
        assert.equal(await run(board, "print('alive')"), 'alive\n');
        assert.equal(await run(board, 'import fill0\nprint(fill0.get(63), fill0.get(64))'), '64 0\n');
        await board.powerCycle();
        assert.equal(await run(board, `import fill${installed - 1}\nprint(fill${installed - 1}.get(0))`), '1\n');
        // os.dlremove frees the room
        assert.equal(await run(board, `import os\nos.dlremove('fill0')\nimport fill${installed}\nprint(fill${installed}.get(1))`, 60_000), '2\n');
        // a loaded module is not removed under the running program; after a reset, all go
        assert.match(await refused(board, 'import os\nos.dlremove()'), /module 'fill\d' is loaded: reset before removing it/);
        await board.powerCycle();
        assert.equal(await run(board, 'import os\nos.dlremove()\nprint(os.dllist())'), '[]\n');
    });

    test('control: the same module, unmodified, loads and its constructor prints once', async () => {
        for (const o of outputs) assert.doesNotMatch(o, /CTOR-RAN/);
        await board.writeFile('/lib/badmod.so', good);
        assert.equal(await run(board, 'import badmod\nprint(badmod.hello())'), 'CTOR-RAN-badmod\n42\n');
        assert.equal(await run(board, 'import badmod\nprint(badmod.hello())'), '42\n', 'imported once: constructors run once');
    });
});

describe('RAM a loaded module costs', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-modules-ram-'));
    after(() => rmSync(work, { recursive: true, force: true }));

    test('RAM before/after: the module data+bss plus under 256 bytes of bookkeeping', async () => {
        const base = await buildPico(baseDir, baseSet(), log);
        const src = `
static uint32_t table[64] = { ${Array.from({ length: 64 }, (_, i) => i * 3 + 1).join(', ')} };
static uint8_t scratch[1000];
static mp_obj_t ramuse_sum(void) {
    uint32_t s = 0;
    for (int i = 0; i < 64; i++) { s += table[i]; }
    for (int i = 0; i < 1000; i++) { s += scratch[i]; }
    return mp_obj_new_int_from_uint(s);
}
static MP_DEFINE_CONST_FUN_OBJ_0(ramuse_sum_obj, ramuse_sum);
static mp_obj_t ramuse_fill(mp_obj_t v) {
    memset(scratch, mp_obj_get_int(v), sizeof(scratch));
    table[0] = 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ramuse_fill_obj, ramuse_fill);
static const mp_rom_map_elem_t ramuse_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_ramuse) },
    { MP_ROM_QSTR(MP_QSTR_sum), MP_ROM_PTR(&ramuse_sum_obj) },
    { MP_ROM_QSTR(MP_QSTR_fill), MP_ROM_PTR(&ramuse_fill_obj) },
};
static MP_DEFINE_CONST_DICT(ramuse_globals, ramuse_globals_table);
MPRT_MODULE(ramuse_module, ramuse_globals);
`;
        const r = await packSource(work, 'ramuse', `#include <string.h>\n${src}`, base.dir);
        assert.equal(r.data, 256);
        assert.equal(r.bss, 1000);
        const heap = 'import gc\ngc.collect()\nprint(gc.mem_free() + gc.mem_alloc(), gc.mem_alloc())';
        const board = await openBoard({ firmware: base.uf2, flashImage: join(work, 'flash.img') });
        try {
            await board.boot();
            await run(board, mkLib);
            await board.writeFile('/lib/ramuse.so', readFileSync(r.output));
            await board.powerCycle();
            const [total0, used0] = (await run(board, heap)).trim().split(' ').map(Number) as [number, number];
            // install, then boot with it installed: its RAM is reserved before the GC heap
            await run(board, 'import ramuse');
            await board.powerCycle();
            const [total1, used1a] = (await run(board, heap)).trim().split(' ').map(Number) as [number, number];
            assert.equal(await run(board, 'import ramuse\nprint(ramuse.sum())\nramuse.fill(2)\nprint(ramuse.sum())'),
                `${Array.from({ length: 64 }, (_, i) => i * 3 + 1).reduce((a, b) => a + b, 0)}\n${Array.from({ length: 63 }, (_, i) => (i + 1) * 3 + 1).reduce((a, b) => a + b, 0) + 2000}\n`);
            const [, used1] = (await run(board, heap)).trim().split(' ').map(Number) as [number, number];
            const reserved = total0 - total1;
            const atImport = used1 - used1a;
            const cost = reserved + atImport;
            const bookkeeping = cost - (r.data + r.bss);
            process.stderr.write(`modules.test: ramuse data ${r.data} + bss ${r.bss}: reserved at boot ${reserved}, heap at import ${atImport} → bookkeeping ${bookkeeping} B\n`);
            assert.ok(bookkeeping >= 0, `cost ${cost} < data+bss ${r.data + r.bss}`);
            assert.ok(bookkeeping < 256, `bookkeeping ${bookkeeping} bytes`);
            assert.ok(used0 >= 0);
        } finally {
            await board.close();
        }
    });
});
