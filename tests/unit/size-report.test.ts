import { stockBuildPaths } from '../../cli/testing/stock.js';
import { componentDir } from '../../cli/components/components.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatSizeReport, sizeReport, type SizeReport } from '../../cli/compile/size-report.js';
import { repoRoot } from '../../cli/util/paths.js';
import { FIXTURE_MAP } from './linkmap-fixture.js';
import { FLASH_BASE, hex32, SRAM_BASE } from '../../cli/chip/rp2040.js';

function comp(r: SizeReport, name: string): [number, number] {
    const c = r.components.find((x) => x.name === name);
    return c ? [c.flash, c.ram] : [0, 0];
}

test('sizeReport attributes every input section of the fixture map to the expected component', () => {
    const r = sizeReport(FIXTURE_MAP, { micropython: '/src/mp', 'pico-sdk': '/src/sdk', port: '/src/port' }, { relativeTo: '/src/port' });
    assert.deepEqual(r.flash, { total: 0x100 + 0x140 + 0x30 + 0x18, attributed: 648 - 64, unattributed: 64 });
    assert.deepEqual(r.ram, { total: 0x18 + 0x2c + 0x1000, attributed: 4164 - 32, unattributed: 32 });
    assert.deepEqual(comp(r, 'boot2'), [256, 0]);
    assert.deepEqual(comp(r, 'micropython core'), [0x6a, 8]); // COMMON from py/gc.c counts as core RAM
    assert.deepEqual(comp(r, 'linker fill/padding'), [2, 0]);
    assert.deepEqual(comp(r, 'libc (picolibc)'), [0x24, 0]);
    assert.deepEqual(comp(r, 'libgcc'), [0x40, 0]);
    assert.deepEqual(comp(r, 'port'), [0x30, 0]); // CMakeFiles/firmware.dir/main.c.o, relative to the port dir
    assert.deepEqual(comp(r, 'frozen modules'), [0x20, 0]);
    assert.deepEqual(comp(r, 'pico-sdk'), [0x10, 0]);
    assert.deepEqual(comp(r, 'micropython extmod'), [8, 8]); // .data: image in flash and copy in RAM
    assert.deepEqual(comp(r, 'tinyusb'), [0x10, 0x10]); // pico-sdk/lib/tinyusb is its own component
    assert.deepEqual(comp(r, 'littlefs'), [0, 4]);
    assert.deepEqual(comp(r, 'heap (reserved)'), [0, 0x800]);
    assert.deepEqual(comp(r, 'stacks'), [0, 0x800]);
    assert.equal(r.gcHeap, 0x3f000);
    assert.equal(r.discarded, 0x30);
    assert.deepEqual(r.unmatchedFiles, [{ file: '/some/where/else/unknown.o', flash: 0, ram: 32 }]);
    assert.deepEqual(r.regions.map((g) => [g.name, g.used]), [['FLASH', 648], ['RAM', 4164]]);
    const table = formatSizeReport(r);
    assert.match(table, /^micropython core\s+106\s+16\.4%\s+8\s+0\.2%$/m);
    assert.match(table, /^unattributed\s+64\s+9\.9%\s+32\s+0\.8%$/m);
    assert.match(table, /^total\s+648\s+4164/m);
});

test('an explicit root for a sub-directory beats the derived one', () => {
    const r = sizeReport(FIXTURE_MAP, { micropython: '/src/mp', 'my littlefs': '/src/mp/lib/littlefs' });
    assert.deepEqual(comp(r, 'my littlefs'), [0, 4]);
    assert.deepEqual(comp(r, 'littlefs'), [0, 0]);
});

const stock = (() => {
    try {
        return stockBuildPaths();
    } catch {
        return undefined;
    }
})();
const STOCK_MAP = stock && join(stock.buildDir, 'firmware.elf.map');
test('stock MicroPython map: over 95 % of flash and RAM attributed, flash total equals firmware.bin', { skip: !(STOCK_MAP && existsSync(STOCK_MAP)) && 'stock firmware not built here (npm run baseline builds it)' }, () => {
    const s = stock!;
    const r = sizeReport(
        readFileSync(STOCK_MAP!, 'utf8'),
        { micropython: s.mp, port: join(s.mp, 'ports', 'rp2'), 'pico-sdk': [componentDir('pico-sdk'), join(s.mp, 'lib', 'pico-sdk')] },
        { relativeTo: join(s.mp, 'ports', 'rp2') },
    );
    assert.equal(r.flash.total, statSync(join(s.buildDir, 'firmware.bin')).size);
    assert.ok(r.flash.unattributed / r.flash.total < 0.05, `flash unattributed ${r.flash.unattributed}`);
    assert.ok(r.ram.unattributed / r.ram.total < 0.05, `ram unattributed ${r.ram.unattributed}`);
    for (const c of r.components) assert.ok(c.flash + c.ram > 0);
    for (const name of ['micropython core', 'micropython extmod', 'pico-sdk', 'tinyusb', 'port', 'littlefs', 'oofatfs', 'boot2', 'frozen modules', 'libc (newlib)', 'libgcc', 'stacks']) {
        assert.ok(r.components.some((c) => c.name === name), `component ${name}`);
    }
    // MicroPython's core is the biggest part of the stock firmware
    assert.equal(r.components[0].name, 'micropython core');
    assert.ok(comp(r, 'micropython core')[0] > 100_000);
});

const OURS = join(repoRoot(), 'build', 'pico', 'firmware.map');
test('our build: the map links Picolibc, not newlib', { skip: !existsSync(OURS) && 'build/pico not built yet' }, () => {
    const r = sizeReport(readFileSync(OURS, 'utf8'), {});
    assert.ok(r.components.some((c) => c.name.startsWith('libc (picolibc)')), 'picolibc libc linked');
    assert.ok(!r.components.some((c) => c.name.includes('newlib')), 'no newlib');
});

test('heap and stack reservations made of *fill* count as what they reserve; relativeTo may list several dirs', () => {
    const map = `Memory Configuration

Name             Origin             Length             Attributes
FLASH            ${hex32(FLASH_BASE)}         0x000c0000         xr
RAM              ${hex32(SRAM_BASE)}         0x00040000         xrw
STACK            0x20040000         0x00002000         rw

Linker script and memory map

.text           ${hex32(FLASH_BASE)}       0x20
 .text.pins     ${hex32(FLASH_BASE)}       0x20 CMakeFiles/firmware.dir/pins_pico.c.o

.c_heap         ${hex32(SRAM_BASE)}     0x1000
                ${hex32(SRAM_BASE)}                        __heap_start = .
 *fill*         ${hex32(SRAM_BASE)}     0x1000 

.gc_heap        0x20001000    0x3f000
                0x20001000                        __GcHeapStart = .
 *fill*         0x20001000    0x3f000 
                0x20040000                        __GcHeapEnd = .

.stack_dummy    0x20040000      0x400
 .stack         0x20040000      0x400 /src/sdk/src/rp2_common/pico_crt0/crt0.S.o
`;
    const r = sizeReport(map, { 'pico-sdk': '/src/sdk', 'port (generated)': '/b/cmake' }, { relativeTo: ['/b/gen', '/b/cmake'] });
    assert.deepEqual(comp(r, 'port (generated)'), [0x20, 0]);
    assert.deepEqual(comp(r, 'heap (reserved)'), [0, 0x1000]);
    assert.deepEqual(comp(r, 'gc heap (reserved)'), [0, 0x3f000]);
    assert.deepEqual(comp(r, 'stacks'), [0, 0x400]);
    assert.deepEqual(comp(r, 'linker fill/padding'), [0, 0]);
    assert.equal(r.gcHeap, 0x3f000);
    assert.deepEqual(r.regions.map((g) => [g.name, g.used]), [['FLASH', 0x20], ['RAM', 0x40000], ['STACK', 0x400]]);
    assert.equal(r.ram.unattributed + r.flash.unattributed, 0);
});
