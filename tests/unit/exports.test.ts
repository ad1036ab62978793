/**
 * The firmware's export table and ABI identity (docs/modules.md, "Exports and ABI identity").
 *
 * Without a build: the export list's format, which symbols a configuration exports, and which
 * configuration changes change the ABI identity (through the generated mprt_exports.c).
 * With builds (skipped without them): <out>/sdk/exports.json against the firmware it describes, the
 * table read back from firmware.bin, the ELF's symbols, and the compiler's view of the ABI options.
 * Builds: $MPRT_EXPORTS_BUILDS (comma-separated output directories), else those of build/pico,
 * build/pico-rtos (`mprt build --board pico --out build/pico-rtos --set rtos.kernel=builtin`) and
 * build/pico-abi (the other kernel, built by tests/firmware/modules.test.ts) that exist.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { abiHex, abiId, abiIdentity, abiOptions, abiText } from '../../cli/compile/abi.js';
import { exportKind, imageMemory, readExportTable, type ExportsJson } from '../../cli/compile/export-table.js';
import { loadBoard } from '../../cli/config/boards.js';
import { loadConfig } from '../../cli/config/load.js';
import { parseExportList, readExportList, selectExports, strcmpOrder } from '../../cli/generate/export-list.js';
import { generateTree } from '../../cli/generate/tree.js';
import { findSymbol, parseElf, STB_LOCAL } from '../../cli/formats/elf.js';
import { repoRoot } from '../../cli/util/paths.js';
import { FLASH_BASE } from '../../cli/chip/rp2040.js';

const work = mkdtempSync(join(tmpdir(), 'mprt-exports-'));
const paths = {
    micropython: '/src/micropython-1.25.0', picoSdk: '/src/pico-sdk-2.1.1', tinyusb: '/src/tinyusb-0.18.0',
    mbedtls: '/src/mbedtls-3.6', lwip: '/src/lwip-2.2.1', port: join(repoRoot(), 'ports', 'rp2'), repo: repoRoot(),
};

function effective(set: string[]) {
    const b = loadBoard('pico');
    return loadConfig({ cwd: work, boardName: b.name, boardDefaults: b.defaults, set });
}

/** A frozen module of our own: the frozen list may change without MicroPython's tree. */
const extraFrozen = join(work, 'extra.py');
writeFileSync(extraFrozen, 'x = 1\n');

function generate(set: string[]) {
    const b = loadBoard('pico');
    if (!set.some((s) => s.startsWith('frozen='))) set = ['frozen=', ...set];
    const eff = effective(set);
    const r = generateTree({
        board: b, effective: eff, abi: abiIdentity({ micropythonVersion: '1.25.0', config: eff.config }), paths, micropythonVersion: '1.25.0',
        genDir: join(work, 'gen'), outDir: work, mpyCross: '/tools/mpy-cross', sourceDateEpoch: 1744675200,
        command: 'mprt build --board pico',
    });
    const file = join(work, 'gen', 'mprt_exports.c');
    return { changed: r.changed.map((p) => basename(p)), source: readFileSync(file, 'utf8') };
}

/** The ABI bytes written into a generated mprt_exports.c. */
function abiOfSource(source: string): string {
    const m = /mprt_abi_id\[MPRT_ABI_ID_LEN\] = \{ ([^}]*) \};/.exec(source);
    assert.ok(m, 'mprt_abi_id initialiser in mprt_exports.c');
    return m[1]!.split(',').map((b) => Number(b.trim()).toString(16).padStart(2, '0')).join('');
}

describe('export list format', () => {
    test('groups, conditions, comments; names sorted in strcmp order', () => {
        const groups = parseExportList([
            '# a comment', '# group libc', 'strlen', 'memcpy', '', '# group rtos if rtos.kernel!=none', 'xTaskCreate',
            '# group mp', 'mp_obj_new_int', 'MP_UPPER', '__aeabi_idiv',
        ].join('\n'));
        assert.deepEqual(groups.map((g) => [g.name, g.when?.key, g.when?.value, g.symbols.length]),
            [['libc', undefined, undefined, 2], ['rtos', 'rtos.kernel', 'none', 1], ['mp', undefined, undefined, 3]]);
        assert.deepEqual(selectExports(groups, { 'rtos.kernel': 'none' }), ['MP_UPPER', '__aeabi_idiv', 'memcpy', 'mp_obj_new_int', 'strlen']);
        assert.deepEqual(selectExports(groups, { 'rtos.kernel': 'builtin' }),
            ['MP_UPPER', '__aeabi_idiv', 'memcpy', 'mp_obj_new_int', 'strlen', 'xTaskCreate']);
    });

    test('a duplicate, a bad name or a symbol before any group is refused with its line', () => {
        assert.throws(() => parseExportList('# group a\nfoo\nbar\nfoo\n', 'x.txt'), /x\.txt:4: foo is already listed on line 2/);
        assert.throws(() => parseExportList('# group a\nfoo bar\n', 'x.txt'), /x\.txt:2: not a symbol name: foo bar/);
        assert.throws(() => parseExportList('foo\n', 'x.txt'), /x\.txt:1: symbol foo before the first "# group" line/);
    });

    test('the real list parses, and the RTOS API is only in builds with the kernel', () => {
        const groups = readExportList();
        const none = selectExports(groups, effective(['rtos.kernel=none']).values);
        const builtin = selectExports(groups, effective(['rtos.kernel=builtin']).values);
        assert.ok(none.includes('mp_obj_new_int') && none.includes('qsort') && none.includes('__aeabi_idiv'));
        assert.ok(!none.includes('xTaskCreate'));
        assert.ok(builtin.includes('xTaskCreate') && builtin.includes('vTaskDelay'));
        assert.deepEqual(selectExports(groups, effective(['rtos.kernel=freertos']).values), builtin, 'the same FreeRTOS API on FreeRTOS-Kernel');
        assert.deepEqual([...none].sort(strcmpOrder), none);
    });
});

describe('ABI identity', () => {
    test('16 bytes, the first half of the SHA-256 of the canonical text', () => {
        const input = { micropythonVersion: '1.25.0', config: effective(['rtos.kernel=none']).config };
        const text = abiText(input).join('\n') + '\n';
        const id = abiId(input);
        assert.equal(id.length, 16);
        assert.equal(abiHex(id), createHash('sha256').update(text).digest('hex').slice(0, 32));
        assert.match(text, /^micropython 1\.25\.0$/m);
        assert.match(text, /^kernel none$/m);
        assert.match(text, /^MICROPY_OBJ_REPR 0$/m);
        assert.match(text, /^pyarg 1$/m);
    });

    test('the kernel changes the identity (and the GIL option); the MicroPython version does too', () => {
        const none = { micropythonVersion: '1.25.0', config: effective(['rtos.kernel=none']).config };
        const builtin = { micropythonVersion: '1.25.0', config: effective(['rtos.kernel=builtin']).config };
        assert.notEqual(abiHex(abiId(none)), abiHex(abiId(builtin)));
        assert.equal(abiOptions(builtin.config).find((o) => o.name === 'MICROPY_PY_THREAD_GIL')?.value, 1);
        assert.notEqual(abiHex(abiId(none)), abiHex(abiId({ ...none, micropythonVersion: '1.26.0' })));
    });

    test('the generated table carries the identity; kernel none → builtin rewrites it', () => {
        const base = generate(['rtos.kernel=none']);
        assert.equal(abiOfSource(base.source), abiHex(abiId({ micropythonVersion: '1.25.0', config: effective(['rtos.kernel=none']).config })));
        const rtos = generate(['rtos.kernel=builtin']);
        assert.ok(rtos.changed.includes('mprt_exports.c'));
        assert.notEqual(abiOfSource(rtos.source), abiOfSource(base.source));
        assert.match(rtos.source, /__asm__\("xTaskCreate"\)/);
        assert.doesNotMatch(base.source, /xTaskCreate/);
    });

    for (const set of [['ram.gc_heap_size=64K'], [`frozen=${extraFrozen}`], ['flash.fs_size=512K'], ['flash.modules_size=128K'],
        ['console=uart'], ['ram.c_heap_size=16K'], ['modules.ram_slack=8K']]) {
        test(`an unrelated option (${set.join(' ')}) leaves the identity and the table unchanged`, () => {
            const base = generate([]);
            const other = generate(set);
            assert.ok(!other.changed.includes('mprt_exports.c'), `mprt_exports.c rewritten for ${set.join(' ')}`);
            assert.equal(abiOfSource(other.source), abiOfSource(base.source));
        });
    }
});

// ---- against real builds ----

function buildDirs(): string[] {
    const env = process.env.MPRT_EXPORTS_BUILDS;
    // build/pico-abi: the other kernel, built by tests/firmware/modules.test.ts
    const dirs = env ? env.split(',') : ['pico', 'pico-rtos', 'pico-abi'].map((d) => join(repoRoot(), 'build', d));
    return dirs.filter((d) => existsSync(join(d, 'sdk', 'exports.json')) && existsSync(join(d, 'firmware.elf')));
}

const builds = buildDirs();

describe('exports.json against the firmware', { skip: builds.length ? false : 'no build with sdk/exports.json' }, () => {
    const kernels = new Set<string>();
    const exported = new Set<string>();
    for (const dir of builds) {
        const json = JSON.parse(readFileSync(join(dir, 'sdk', 'exports.json'), 'utf8')) as ExportsJson;
        const elf = parseElf(new Uint8Array(readFileSync(join(dir, 'firmware.elf'))));
        const bin = new Uint8Array(readFileSync(join(dir, 'firmware.bin')));
        kernels.add(json.kernel);
        for (const s of json.symbols) exported.add(s.name);

        test(`${dir}: names and addresses equal the table in firmware.bin, in strcmp order`, () => {
            const table = readExportTable(elf, imageMemory(bin));
            assert.equal(table.entries.length, json.symbols.length);
            assert.deepEqual(table.entries, json.symbols.map((s) => ({ name: s.name, address: s.address })));
            assert.equal(abiHex(table.abi), json.abi);
            assert.deepEqual(json.symbols.map((s) => s.name), [...json.symbols.map((s) => s.name)].sort(strcmpOrder));
            // the table lies in flash, where the loader reads it
            assert.ok(table.tableAddress >= FLASH_BASE && table.tableAddress < FLASH_BASE + bin.length);
        });

        test(`${dir}: every address is the ELF symbol's (or its -Wl,--wrap replacement's), kinds from the symbol type`, () => {
            // The link's -Wl,--wrap=NAME options: a reference to NAME resolves to __wrap_NAME.
            const ninja = readFileSync(join(dir, 'cmake', 'build.ninja'), 'utf8');
            const wrapped = new Set([...ninja.matchAll(/--wrap=([A-Za-z0-9_]+)/g)].map((m) => m[1]!));
            assert.ok(wrapped.has('memcpy') && wrapped.has('__aeabi_idiv'), 'pico-sdk wraps memcpy and division');
            for (const s of json.symbols) {
                const sym = findSymbol(elf, wrapped.has(s.name) ? `__wrap_${s.name}` : s.name);
                assert.ok(!sym || sym.bind !== STB_LOCAL, `${s.name}: a global symbol`);
                assert.ok(sym, `${s.name} not in firmware.elf`);
                assert.equal(s.address, sym.value, s.name);
                assert.equal(s.kind, exportKind(elf, s.name, s.address));
                if (s.kind === 'func') assert.equal(s.address & 1, 1, `${s.name}: Thumb bit`);
            }
            const kinds = new Map(json.symbols.map((s) => [s.name, s.kind]));
            assert.equal(kinds.get('mp_obj_new_int'), 'func');
            assert.equal(kinds.get('mp_type_int'), 'data');
            assert.equal(kinds.get('mp_plat_print'), 'data');
        });

        test(`${dir}: exactly the configuration's list, its ABI identity and firmware hash`, () => {
            const eff = effective([`rtos.kernel=${json.kernel}`]);
            assert.deepEqual(json.symbols.map((s) => s.name), selectExports(readExportList(), eff.values));
            assert.equal(json.abi, abiHex(abiId({ micropythonVersion: '1.25.0', config: eff.config })));
            assert.equal(json.firmware, createHash('sha256').update(bin).digest('hex'));
            assert.equal(json.board, 'pico');
        });

        test(`${dir}: the ABI options are what the compiler sees building the firmware`, () => {
            const commands = JSON.parse(readFileSync(join(dir, 'compile_commands.json'), 'utf8')) as { directory: string; command: string; file: string }[];
            const obj = commands.find((c) => c.file.endsWith('/py/obj.c'));
            assert.ok(obj, 'py/obj.c in compile_commands.json');
            const compile = obj.command.replace(/ -o \S+ -c \S+$/, '');
            const opts = abiOptions(effective([`rtos.kernel=${json.kernel}`]).config);
            const probe = join(work, `abi-probe-${json.kernel}.c`);
            writeFileSync(probe, [
                '#include "py/mpconfig.h"',
                '#include "py/mpstate.h"',
                '#include "py/nlr.h"',
                // as in MicroPython's own `#if NAME`: an option nobody defines is 0
                ...opts.map((o) => `#ifndef ${o.name}\n#define ${o.name} 0\n#endif\nint abi_${o.name} = (int)(${o.name});`),
                'int abi_min_enum = __ARM_SIZEOF_MINIMAL_ENUM;',
                'int abi_wchar = __SIZEOF_WCHAR_T__;',
                '#if !defined(__SOFTFP__) || !defined(__ARMEL__) || !defined(__thumb__) || __ARM_ARCH != 6',
                '#error target',
                '#endif',
            ].join('\n') + '\n');
            // the command line is shell-quoted (-DNAME=\\"...\\")
            const asm = execFileSync('/bin/sh', ['-c', `${compile} -S -o - ${probe}`], { cwd: obj.directory, encoding: 'utf8' });
            const value = (name: string) => {
                const m = new RegExp(`^abi_${name}:\\s*\\n\\s*\\.word\\s+(-?\\d+)`, 'm').exec(asm);
                return m ? Number(m[1]) : 0; // zero-initialised ints go to .bss without a .word
            };
            for (const o of opts) assert.equal(value(o.name), o.value, o.name);
            assert.equal(value('min_enum'), 1);
            assert.equal(value('wchar'), 4);
        });
    }

    test('every listed symbol is exported by some build (with builds of both kernels)', { skip: kernels.size < 2 ? 'needs builds with both kernels' : false }, () => {
        const listed = readExportList().flatMap((g) => g.symbols);
        assert.deepEqual(listed.filter((n) => !exported.has(n)), []);
    });
});
