import { builtFirmwares } from './firmware-artifacts.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { LinkMapFormatError, parseLinkMap } from '../../cli/formats/linkmap.js';
import { FIXTURE_MAP } from './linkmap-fixture.js';
import { FLASH_BASE, SRAM_BASE } from '../../cli/chip/rp2040.js';

test('parseLinkMap reads regions, output sections (wrapped and load addresses), inputs, fill, COMMON, discarded', () => {
    const map = parseLinkMap(FIXTURE_MAP);
    assert.deepEqual(map.regions.map((r) => [r.name, r.origin, r.length, r.attributes]), [
        ['FLASH', FLASH_BASE, 0x200000, 'xr'],
        ['RAM', SRAM_BASE, 0x40000, 'xrw'],
        ['*default*', 0, 0xffffffff, ''],
    ]);
    assert.deepEqual(map.sections.map((s) => [s.name, s.address, s.size, s.loadAddress]), [
        ['.flash_begin', FLASH_BASE, 0, FLASH_BASE],
        ['.boot2', FLASH_BASE, 0x100, FLASH_BASE],
        ['.text', 0x10000100, 0x140, 0x10000100],
        ['.rodata', 0x10000240, 0x30, 0x10000240],
        ['.data', SRAM_BASE, 0x18, 0x10000270],
        ['.uninitialized_data', 0x20000018, 0, 0x20000018],
        ['.stack1_dummy', 0, 0, 0],
        ['.bss', 0x20000018, 0x2c, 0x20000018],
        ['.heap', 0x20000044, 0x800, 0x20000044],
        ['.stack_dummy', 0x20000844, 0x800, 0x20000844],
        ['.debug_info', 0, 0x1234, 0],
    ]);
    const text = map.sections.find((s) => s.name === '.text')!;
    assert.deepEqual(text.inputs.map((i) => [i.section, i.address, i.size, i.fill]), [
        ['.text.mp_call_function_n_kw', 0x10000100, 0x6a, false],
        ['*fill*', 0x1000016a, 2, true],
        ['.text.memcpy', 0x1000016c, 0x24, false],
        ['.text', 0x10000190, 0x40, false],
        ['.text.main', 0x100001d0, 0x30, false],
    ]);
    assert.equal(text.inputs[2].file, '/usr/lib/picolibc/arm-none-eabi/lib/thumb/v6-m/nofp/libc.a(libc_string_memcpy.c.o)');
    const data = map.sections.find((s) => s.name === '.data')!;
    assert.equal(data.inputs[1].section, '.time_critical.a_long_time_critical_function_name');
    assert.equal(data.inputs[1].size, 0x10);
    const bss = map.sections.find((s) => s.name === '.bss')!;
    assert.deepEqual(bss.inputs.map((i) => [i.section, i.size, i.file]), [
        ['.bss.y', 4, '/src/mp/lib/littlefs/lfs2.c.o'],
        ['COMMON', 8, '/src/mp/py/gc.c.o'],
        ['.bss.z', 0x20, '/some/where/else/unknown.o'],
    ]);
    assert.deepEqual(map.discarded.map((d) => [d.section, d.size]), [['.text', 0x10], ['.text.a_very_long_function_name_that_wraps', 0x20]]);
    assert.equal(map.loaded.length, 3);
    assert.equal(map.assignments.get('__GcHeapStart'), 0x20001000);
    assert.equal(map.assignments.get('__GcHeapEnd'), 0x20040000);
    assert.equal(map.assignments.get('__data_start__'), SRAM_BASE);
});

test('parseLinkMap rejects text that is not a link map', () => {
    assert.throws(() => parseLinkMap('hello\nworld\n'), LinkMapFormatError);
    assert.throws(() => parseLinkMap(''), /not a GNU ld link map/);
});

for (const fw of builtFirmwares()) test(`${fw.name} link map: every allocated output section matches the ELF\'s section sizes`, () => {
    const map = parseLinkMap(readFileSync(fw.map, 'utf8'));
    let readelf: string;
    try {
        readelf = execFileSync('arm-none-eabi-size', ['-A', fw.elf], { encoding: 'utf8' });
    } catch {
        return; // no binutils here: nothing to compare against
    }
    for (const m of readelf.matchAll(/^(\.\S+)\s+(\d+)\s+(\d+)$/gm)) {
        const s = map.sections.find((x) => x.name === m[1]);
        assert.ok(s, `section ${m[1]} in the map`);
        assert.equal(s.size, Number(m[2]), m[1]);
        assert.equal(s.address, Number(m[3]), m[1]);
    }
    // input sections of every allocated section stay inside it, in address order; only merged string
    // sections (.str1.1, whose map size is the size before merging) overlap what follows them
    let merged = 0;
    for (const s of map.sections.filter((x) => x.address >= FLASH_BASE)) {
        let end = s.address;
        let prev = '';
        for (const i of s.inputs.filter((x) => x.size > 0)) {
            assert.ok(i.address >= s.address, `${s.name}: ${i.section} starts before the section`);
            if (i.address < end) {
                assert.match(prev, /\.str\d/, `${s.name}: ${i.section} at 0x${i.address.toString(16)} overlaps ${prev}`);
                merged++;
            }
            if (i.address + i.size > end) {
                end = i.address + i.size;
                prev = i.section;
            }
        }
        assert.ok(end <= s.address + s.size, `${s.name}: inputs run past the end`);
    }
    assert.ok(merged > 0, 'the stock map has merged strings');
});
