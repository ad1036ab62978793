import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseSetArg } from '../../cli/config/load.js';
import { computeLayout } from '../../cli/config/layout.js';
import { FLASH_SIZE, SRAM_END } from '../../cli/chip/rp2040.js';
import { defaults, SCHEMA, validKeys } from '../../cli/config/schema.js';
import { parseSize } from '../../cli/config/values.js';
import { loadBoard, listBoards } from '../../cli/config/boards.js';
import { MprtError } from '../../cli/util/errors.js';
import { repoRoot } from '../../cli/util/paths.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'mprt-config-'));

test('sizes parse in bytes, K, M and hex', () => {
    assert.equal(parseSize('4096'), 4096);
    assert.equal(parseSize('4K'), 4096);
    assert.equal(parseSize('768k'), 768 * 1024);
    assert.equal(parseSize('1M'), 1024 * 1024);
    assert.equal(parseSize('0x1000'), 4096);
    assert.equal(parseSize(8192), 8192);
    assert.equal(parseSize('12.5K'), undefined);
    assert.equal(parseSize('lots'), undefined);
});

test('defaults give the documented flash map and RAM split', () => {
    const eff = loadConfig({ cwd: emptyDir() });
    assert.deepEqual(eff.values, defaults());
    const { flash, ram } = eff.layout;
    assert.deepEqual([flash.firmware.offset, flash.firmware.size], [0, 768 * 1024]);
    // the modules region (256K) is shared: native modules in its bottom 128K, frozen modules in its top 128K;
    // the filesystem starts where it does without freeze (a firmware upgrade keeps the user's files)
    assert.deepEqual([flash.modules.offset, flash.modules.size], [768 * 1024, 128 * 1024]);
    assert.deepEqual([flash.freeze.offset, flash.freeze.size], [896 * 1024, 128 * 1024]);
    assert.deepEqual([flash.filesystem.offset, flash.filesystem.size], [1024 * 1024, 1016 * 1024]);
    assert.deepEqual([flash.settings.offset, flash.settings.size], [FLASH_SIZE - 8192, 8192]);
    // the default kernel (builtin): a 32K C heap (lwIP, docs/network.md) and a 2K interrupt stack at the top of RAM
    assert.equal(eff.config.rtos.kernel, 'builtin');
    assert.deepEqual([ram.cHeapSize, ram.stackSize, ram.stackOrigin], [32 * 1024, 2048, SRAM_END - 2048]);
    // the C heap grows up to 128K in a RAM pool it shares with the GC heap (docs/memory.md)
    assert.equal(ram.cHeapMax, 128 * 1024);
    assert.equal(ram.gcHeapSize, 0);
    const bare = loadConfig({ cwd: emptyDir(), set: ['rtos.kernel=none'] }).layout.ram;
    assert.deepEqual([bare.cHeapSize, bare.stackSize, bare.stackOrigin], [4 * 1024, 8192, SRAM_END - 8192]);
    assert.equal(bare.cHeapMax, 4 * 1024, 'no pool without a kernel');
    // the C heap's region cannot be smaller than its own part
    assert.throws(() => loadConfig({ cwd: emptyDir(), set: ['rtos.c_heap_max=16K'] }), /rtos\.c_heap_max \(16K\) is below rtos\.c_heap_size \(32K\)/);
    // a C heap above the default region without rtos.c_heap_max: a fixed C heap, no pool
    const big = loadConfig({ cwd: emptyDir(), set: ['rtos.c_heap_size=160K'] }).layout.ram;
    assert.deepEqual([big.cHeapSize, big.cHeapMax], [160 * 1024, 160 * 1024]);
});

test('layers: board < config file < --set, with origins', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'mprt.config.json'), JSON.stringify({ ram: { c_heap_size: '16K' }, 'flash.modules_size': '128K', console: 'uart' }));
    const eff = loadConfig({
        cwd: dir,
        boardName: 'x',
        boardDefaults: { console_uart_baud: 9600, 'ram.c_heap_size': 8192 },
        set: ['flash.modules_size=64K', 'flash.freeze_size=32K', 'frozen=asyncio'],
    });
    assert.equal(eff.config.ram.c_heap_size, 16 * 1024);
    assert.equal(eff.origins['ram.c_heap_size'], join(dir, 'mprt.config.json'));
    assert.equal(eff.config.flash.modules_size, 64 * 1024);
    assert.equal(eff.origins['flash.modules_size'], '--set');
    assert.equal(eff.config.console_uart_baud, 9600);
    assert.equal(eff.origins['console_uart_baud'], 'board x');
    assert.equal(eff.config.console, 'uart');
    assert.deepEqual(eff.config.frozen, ['asyncio']);
    assert.equal(eff.origins['ram.stack_size'], 'default');
    // the modules region shrank, so the automatic filesystem grew
    assert.equal(eff.layout.flash.filesystem.size, FLASH_SIZE - 768 * 1024 - 64 * 1024 - 8192);
});

test('--config FILE replaces ./mprt.config.json', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'mprt.config.json'), JSON.stringify({ console: 'uart' }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ram: { stack_size: '16K' } }));
    const eff = loadConfig({ cwd: dir, configFile: 'other.json' });
    assert.equal(eff.config.console, 'usb');
    assert.equal(eff.config.ram.stack_size, 16 * 1024);
    assert.throws(() => loadConfig({ cwd: dir, configFile: 'missing.json' }), /missing\.json not found/);
});

test('unknown keys are errors that list every valid key', () => {
    const dir = emptyDir();
    for (const attempt of [
        () => loadConfig({ cwd: dir, set: ['ram.gc_heap=1'] }),
        () => {
            writeFileSync(join(dir, 'c.json'), JSON.stringify({ ram: { heap: 1 } }));
            return loadConfig({ cwd: dir, configFile: 'c.json' });
        },
    ]) {
        assert.throws(attempt, (err: unknown) => {
            assert.ok(err instanceof MprtError);
            assert.match(err.message, /unknown configuration key 'ram\.(gc_heap|heap)'/);
            for (const key of validKeys()) assert.ok(err.hint?.includes(key), `hint lists ${key}`);
            assert.equal(err.exitCode, 2);
            return true;
        });
    }
});

test('bad values name the key and the allowed range', () => {
    const cases: [string, RegExp, RegExp][] = [
        ['ram.c_heap_size=3', /ram\.c_heap_size.*not a multiple of 8/, /0\.\.128K/],
        ['ram.stack_size=1M', /ram\.stack_size.*out of range/, /4K\.\.64K/],
        ['flash.firmware_size=100K', /flash\.firmware_size.*out of range/, /256K\.\.1536K/],
        ['flash.fs_size=10000', /flash\.fs_size/, /0 \(auto/],
        ['console=wifi', /console/, /one of usb, uart/],
        ['console_uart_baud=fast', /console_uart_baud.*not an integer/, /1200\.\.3000000/],
    ];
    for (const [set, message, hint] of cases) {
        assert.throws(() => loadConfig({ cwd: emptyDir(), set: [set] }), (err: unknown) => {
            assert.ok(err instanceof MprtError, set);
            assert.match(err.message, message);
            assert.match(err.hint ?? '', hint);
            return true;
        });
    }
    assert.throws(() => parseSetArg('console'), /not key=value/);
});

test('a flash map that does not fit in 2M is refused', () => {
    assert.throws(
        () => loadConfig({ cwd: emptyDir(), set: ['flash.firmware_size=1536K', 'flash.modules_size=1024K'] }),
        /flash map does not fit in 2M/,
    );
    assert.throws(
        () => computeLayout({
            ram: { gc_heap_size: 0, c_heap_size: 0, stack_size: 8192 },
            flash: { firmware_size: 768 * 1024, modules_size: 0, freeze_size: 0, settings_size: 8192, fs_size: 1792 * 1024 },
        }),
        /does not fit/,
    );
    assert.throws(() => loadConfig({ cwd: emptyDir(), set: ['flash.modules_size=64K'] }), /flash.freeze_size \(128K\) is larger than the modules region/);
    // the filesystem does not move with flash.freeze_size, only the boundary inside the modules region does
    const fs = (set: string[]) => loadConfig({ cwd: emptyDir(), set }).layout.flash.filesystem.offset;
    assert.equal(fs(['flash.freeze_size=0']), fs(['flash.freeze_size=256K']));
    assert.throws(() => loadConfig({ cwd: emptyDir(), set: ['rtos.kernel=none', 'ram.gc_heap_size=240K', 'ram.c_heap_size=128K'] }), /RAM split does not fit/);
    assert.throws(() => loadConfig({ cwd: emptyDir(), set: ['ram.gc_heap_size=240K', 'rtos.c_heap_size=128K'] }), /RAM split does not fit/);
});

test('docs/configuration.md documents every key with its default', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'configuration.md'), 'utf8');
    for (const spec of SCHEMA) {
        const row = doc.split('\n').find((l) => l.startsWith(`| \`${spec.key}\` |`));
        assert.ok(row, `${spec.key} has a row`);
        const shown = Array.isArray(spec.default)
            ? spec.default.join(', ')
            : spec.type === 'size' && spec.default !== 0 ? `${spec.default / 1024}K` : String(spec.default);
        assert.ok(row.includes(`\`${shown}\``), `${spec.key} default ${shown} in: ${row}`);
    }
});

test('boards: pico and pico_w; an unknown board lists them', () => {
    assert.deepEqual(listBoards(), ['pico', 'pico_w']);
    assert.equal(loadBoard('pico_w').picoBoard, 'pico_w');
    assert.ok(loadBoard('pico_w').notes.some((n) => /Wi-Fi.*loadable module/.test(n)));
    assert.throws(() => loadBoard('pico2'), (err: unknown) => {
        assert.ok(err instanceof MprtError);
        assert.match(err.message, /unknown board 'pico2'/);
        assert.match(err.hint ?? '', /pico, pico_w/);
        return true;
    });
});

test('typed options come after --set; config is the values nested, for every key of the schema', () => {
    const eff = loadConfig({
        cwd: mkdtempSync(join(tmpdir(), 'mprt-cfg-')), set: ['rtos.kernel=freertos', 'ram.c_heap_size=8K'],
        options: [{ key: 'rtos.kernel', value: 'none', origin: '--set' }, { key: 'console', value: undefined, origin: '--set' }],
    });
    assert.equal(eff.config.rtos.kernel, 'none');
    assert.equal(eff.origins['console'], 'default');
    assert.throws(() => loadConfig({ options: [{ key: 'rtos.kernel', value: 'zephyr', origin: '--rtos' }] }), /bad value 'zephyr' for rtos\.kernel \(from --rtos\)/);
    for (const { key } of SCHEMA) {
        const nested = key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], eff.config);
        assert.deepEqual(nested, eff.values[key], key);
    }
});
