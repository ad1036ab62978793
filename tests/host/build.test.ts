/**
 * `mprt build` end to end: these tests build real firmware (a clean build takes a minute or two),
 * so they share two builds between all assertions. Skipped when the components are not set up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware, type BuildResult } from '../../cli/compile/firmware.js';
import { decodeUf2, uf2ToImage } from '../../cli/formats/uf2.js';
import { findKey } from '../../cli/config/schema.js';
import { MprtError } from '../../cli/util/errors.js';
import { repoRoot } from '../../cli/util/paths.js';
import { componentsReady } from '../unit/firmware-artifacts.js';
import { FLASH_BASE } from '../../cli/chip/rp2040.js';

const MPRT = join(repoRoot(), 'bin', 'mprt.js');

function runCli(args: string[], cwd: string, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void):
Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolveRun) => {
        const child = spawn(process.execPath, [MPRT, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => {
            stderr += d;
            onStderr?.(stderr, child);
        });
        child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    });
}

const OBJ = (r: BuildResult) => r.compiled.map((o) => o.replace(/^CMakeFiles\/firmware\.dir\//, ''));

describe('bad input to mprt build', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mprt-build-args-'));
    after(() => rmSync(cwd, { recursive: true, force: true }));

    test('an unknown board lists the boards (exit 2)', async () => {
        const r = await runCli(['build', '--board', 'pico3'], cwd);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown board 'pico3'/);
        assert.match(r.stderr, /boards: pico, pico_w/);
    });

    test('an unknown key lists the valid keys (exit 2)', async () => {
        const r = await runCli(['build', '--board', 'pico', '--set', 'gc_heap=64K'], cwd);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown configuration key 'gc_heap'/);
        assert.match(r.stderr, /valid keys: .*ram\.gc_heap_size.*flash\.fs_size/);
    });

    test('a bad value names the key and its range (exit 2)', async () => {
        writeFileSync(join(cwd, 'mprt.config.json'), JSON.stringify({ ram: { stack_size: 100 } }));
        const r = await runCli(['build', '--board', 'pico'], cwd);
        rmSync(join(cwd, 'mprt.config.json'));
        assert.equal(r.code, 2);
        assert.match(r.stderr, /bad value 100 for ram\.stack_size \(from .*mprt\.config\.json\): out of range/);
        assert.match(r.stderr, /4K\.\.64K/);
    });
});

describe('mprt build --board pico (real builds)', { skip: componentsReady() ? false : 'components not set up (run `mprt setup`)' }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-build-'));
    const dirA = join(work, 'a');
    const dirB = join(work, 'b with space');
    let first: BuildResult;
    let cleanUf2: Buffer;

    before(async () => {
        first = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        cleanUf2 = readFileSync(join(dirA, 'firmware.uf2'));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    test('a clean build writes every output; the UF2 holds firmware.bin; the C library is Picolibc', () => {
        assert.equal(first.noop, false);
        assert.ok(first.compiled.length > 300, `${first.compiled.length} objects compiled`);
        for (const f of ['firmware.elf', 'firmware.bin', 'firmware.uf2', 'firmware.map', 'size.json', 'compile_commands.json']) {
            assert.ok(existsSync(join(dirA, f)), f);
        }
        const bin = readFileSync(join(dirA, 'firmware.bin'));
        const image = uf2ToImage(decodeUf2(readFileSync(join(dirA, 'firmware.uf2'))));
        assert.equal(image.baseAddress, FLASH_BASE);
        assert.deepEqual(Buffer.from(image.data.subarray(0, bin.length)), bin);
        const map = readFileSync(join(dirA, 'firmware.map'), 'utf8');
        // Archive members pulled from a libc: all from Picolibc's, none from newlib's.
        const members = [...map.matchAll(/^(\S*\/libc\.a)\(/gm)].map((m) => m[1]);
        assert.ok(members.length > 0);
        assert.ok(members.every((p) => p.includes('/picolibc/')), 'only Picolibc libc.a members');
        // Nothing of newlib's is even offered to the linker (pico-sdk's --specs=nosys.specs is dropped).
        assert.doesNotMatch(map, /libnosys\.a|\/newlib\/|libstdc\+\+/);
        const size = JSON.parse(readFileSync(join(dirA, 'size.json'), 'utf8'));
        assert.ok(size.report.flash.unattributed <= 0.05 * size.report.flash.total);
        // MicroPython's stress/bytecode_limit.py (passes on stock) needs a GC heap of about 181K: the first area
        // plus what the GC heap can take from the RAM pool it shares with the C heap (docs/memory.md)
        assert.ok(size.gcHeap + size.cHeapMax - size.cHeap >= 181 * 1024, `GC heap ${size.gcHeap} + pool ${size.cHeapMax - size.cHeap}`);
        // "/lib" (on sys.path) is a port qstr that must keep its slash.
        assert.match(readFileSync(join(dirA, 'cmake', 'genhdr', 'qstrdefs.generated.h'), 'utf8'), /MP_QSTR__slash_lib, \d+, 4, "\/lib"/);
        const compdb = JSON.parse(readFileSync(join(dirA, 'compile_commands.json'), 'utf8')) as { file: string }[];
        assert.ok(compdb.some((e) => e.file.endsWith('/ports/rp2/main.c')));
        // No C++ translation unit: the firmware needs no C++ compiler or library headers.
        assert.deepEqual(compdb.filter((e) => /\.(cpp|cc|cxx)$/.test(e.file)).map((e) => e.file), []);
    });

    test('a second build with nothing changed is a no-op, in under 2 s', async () => {
        const r = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        assert.equal(r.noop, true);
        assert.deepEqual(r.compiled, []);
        assert.ok(r.seconds < 2, `no-op took ${r.seconds} s`);
    });

    test('port-only options rebuild only the port: heap size relinks, the flash map recompiles 11 port files', async () => {
        // The C heap's region of the default firmware (on the kernel) is rtos.c_heap_max; the GC heap's first
        // area takes the rest.
        const cHeapDefault = findKey('rtos.c_heap_max')!.default as number;
        const heap = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work, set: ['rtos.c_heap_max=112K'] });
        assert.deepEqual(heap.compiled, []);
        assert.deepEqual(heap.steps, ['Linking C executable firmware.elf']);
        assert.equal(heap.sizes!.gcHeap, first.sizes!.gcHeap - (112 * 1024 - cHeapDefault));

        const fs = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work, set: ['flash.fs_size=512K'] });
        // Object names embed the absolute source paths (checkout and cache live anywhere), so match by suffix:
        // the upstream flash driver, our main.c, the module region allocator, the environment's store (the
        // settings region), /dev/mtd* (the filesystem partition) and the freezer's six files (the freeze
        // region) read the flash map.
        const objs = OBJ(fs);
        assert.equal(objs.length, 11, objs.join(', '));
        assert.ok(objs.some((o) => o.endsWith('/micropython-1.25.0/ports/rp2/rp2_flash.c.o')), objs.join(', '));
        assert.ok(objs.some((o) => o.endsWith('/ports/rp2/main.c.o') && !o.includes('micropython-1.25.0')), objs.join(', '));
        assert.ok(objs.some((o) => o.endsWith('/ports/rp2/dynlink/mprt_dl_region.c.o')), objs.join(', '));
        assert.ok(objs.some((o) => o.endsWith('/ports/rp2/env/mprt_env.c.o')), objs.join(', '));
        assert.ok(objs.some((o) => o.endsWith('/ports/rp2/posix/mp_vfs_posix.c.o')), objs.join(', '));
        for (const f of ['mprt_freeze_image.c.o', 'mprt_freeze_build.c.o', 'modfreeze.c.o', 'mprt_freeze_snap.c.o', 'mprt_freeze_overlay.c.o', 'mprt_freeze_template.c.o']) {
            assert.ok(objs.some((o) => o.endsWith(`/ports/rp2/freeze/${f}`)), objs.join(', '));
        }
        assert.ok(!objs.some((o) => /\/(py|extmod)\//.test(o)), 'no MicroPython core object');

        // Back to the defaults: the same eleven files again, and the very same firmware as the clean build.
        const back = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        assert.equal(back.compiled.length, 11);
        assert.ok(readFileSync(join(dirA, 'firmware.uf2')).equals(cleanUf2), 'same firmware as the clean build');
    });

    test('frozen modules: adding one rebuilds only the frozen content, removing it restores the firmware; a broken one fails clearly', async () => {
        // Start from the default configuration whatever the tests before left behind.
        await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        const good = join(work, 'extra_mod.py');
        writeFileSync(good, 'VALUE = 42\n');
        const added = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work, set: [`frozen=asyncio,rp2,${good}`] });
        assert.deepEqual(OBJ(added), ['frozen_content.c.o']);
        assert.ok(!readFileSync(join(dirA, 'firmware.uf2')).equals(cleanUf2));
        await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        assert.ok(readFileSync(join(dirA, 'firmware.uf2')).equals(cleanUf2), 'the module is gone again');

        const bad = join(work, 'broken.py');
        writeFileSync(bad, 'def f(:\n    pass\n');
        await assert.rejects(
            buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work, set: [`frozen=asyncio,rp2,${bad}`] }),
            (err: unknown) => err instanceof MprtError && /build failed/.test(err.message) && /broken\.py/.test(err.message) && /SyntaxError/.test(err.message),
        );
        const fixed = await buildFirmware({ board: 'pico', outDir: dirA, jobs: 2, cwd: work });
        assert.equal(fixed.noop, false);
        assert.deepEqual(OBJ(fixed), ['frozen_content.c.o']);
        assert.ok(readFileSync(join(dirA, 'firmware.uf2')).equals(cleanUf2));
    });

    test('Ctrl-C mid-build, then building again in another directory gives a byte-identical firmware.uf2', async () => {
        let sent = false;
        const interrupted = await runCli(['build', '--board', 'pico', '--out', dirB, '--jobs', '2'], work, (stderr, child) => {
            if (!sent && /\] [1-9]\d%/.test(stderr)) {
                sent = true;
                child.kill('SIGINT');
            }
        });
        assert.ok(sent, 'the build showed progress');
        assert.equal(interrupted.code, 130, interrupted.stderr);
        assert.match(interrupted.stderr, /interrupted/);
        assert.ok(!existsSync(join(dirB, 'firmware.uf2')));

        const resumed = await buildFirmware({ board: 'pico', outDir: dirB, jobs: 2, cwd: work });
        assert.ok(resumed.compiled.length > 0 && resumed.compiled.length < first.compiled.length, `${resumed.compiled.length} compiled`);
        assert.ok(readFileSync(join(dirB, 'firmware.uf2')).equals(cleanUf2), 'same UF2 from both directories');
    });
});
