import { builtFirmwares } from './firmware-artifacts.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    ElfFormatError,
    elfToFlashImage,
    findSection,
    findSymbol,
    parseElf,
    PT_LOAD,
    SHN_COMMON,
    SHT_NOBITS,
    STB_GLOBAL,
    STB_LOCAL,
    STT_FUNC,
    STT_OBJECT,
    sectionData,
} from '../../cli/formats/elf.js';
import { buildFixtureElf } from './elf-fixture.js';
import { FLASH_BASE, SRAM_BASE } from '../../cli/chip/rp2040.js';

function setU32(b: Uint8Array, off: number, val: number): Uint8Array {
    const c = b.slice();
    new DataView(c.buffer).setUint32(off, val >>> 0, true);
    return c;
}

function setU16(b: Uint8Array, off: number, val: number): Uint8Array {
    const c = b.slice();
    new DataView(c.buffer).setUint16(off, val, true);
    return c;
}

test('parseElf reads header, segments, named sections, symbols and relocations', () => {
    const { bytes } = buildFixtureElf();
    const elf = parseElf(bytes);
    assert.equal(elf.header.machine, 40);
    assert.equal(elf.header.entry, 0x10000001);
    assert.deepEqual(elf.sections.map((s) => s.name), ['', '.text', '.data', '.bss', '.symtab', '.strtab', '.rel.text', '.rela.data', '.shstrtab']);
    assert.deepEqual(elf.segments.map((s) => [s.type, s.vaddr, s.paddr, s.filesz, s.memsz]), [
        [PT_LOAD, FLASH_BASE, FLASH_BASE, 24, 24],
        [PT_LOAD, SRAM_BASE, 0x10000100, 8, 24],
    ]);
    const bss = findSection(elf, '.bss');
    assert.equal(bss?.type, SHT_NOBITS);
    assert.equal(sectionData(elf, bss!).length, 0);
    assert.deepEqual([...sectionData(elf, findSection(elf, '.data')!)], [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    assert.deepEqual(
        elf.symbols.map((s) => [s.name, s.value, s.size, s.type, s.bind, s.section]),
        [
            ['', 0, 0, 0, 0, undefined],
            ['main', 0x10000001, 24, STT_FUNC, STB_GLOBAL, '.text'],
            ['counter', SRAM_BASE, 8, STT_OBJECT, STB_LOCAL, '.data'],
            ['helper', 0, 0, 0, STB_GLOBAL, undefined],
            ['big', 4, 64, STT_OBJECT, STB_GLOBAL, undefined],
        ],
    );
    assert.equal(elf.symbols[4].shndx, SHN_COMMON);
    assert.equal(findSymbol(elf, 'helper'), undefined, 'undefined symbols are not found');
    assert.equal(findSymbol(elf, 'main')?.value, 0x10000001);
    assert.deepEqual(elf.relocations, [
        { section: '.rel.text', target: '.text', symtab: '.symtab', rela: false, entries: [
            { offset: 4, type: 10, symbol: 3, addend: undefined },
            { offset: 12, type: 2, symbol: 2, addend: undefined },
        ] },
        { section: '.rela.data', target: '.data', symtab: '.symtab', rela: true, entries: [{ offset: 0, type: 2, symbol: 1, addend: -8 }] },
    ]);
});

test('elfToFlashImage places PT_LOAD segments at their load addresses, zero-filling gaps', () => {
    const elf = parseElf(buildFixtureElf().bytes);
    const img = elfToFlashImage(elf);
    assert.equal(img.baseAddress, FLASH_BASE);
    assert.equal(img.data.length, 0x108);
    assert.deepEqual([...img.data.subarray(0, 3)], [0x10, 0x11, 0x12]);
    assert.ok(img.data.subarray(24, 0x100).every((b) => b === 0));
    assert.deepEqual([...img.data.subarray(0x100)], [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    assert.throws(() => elfToFlashImage(elf, { flashSize: 0x100 }), /program header 1: PT_LOAD at physical 0x10000100..0x10000108 is outside flash/);
    const f = buildFixtureElf();
    const overlapping = setU32(f.bytes, f.phoff + 32 + 12, 0x10000010);
    assert.throws(() => elfToFlashImage(parseElf(overlapping)), /program headers 0 and 1 overlap/);
});

test('parseElf names what is wrong in malformed input', () => {
    const f = buildFixtureElf();
    const b = f.bytes;
    const cases: [string, Uint8Array, RegExp][] = [
        ['empty', new Uint8Array(0), /not an ELF file/],
        ['uf2', Uint8Array.from([0x55, 0x46, 0x32, 0x0a, 0, 0, 0, 0]), /not an ELF file/],
        ['short header', b.subarray(0, 40), /truncated ELF header: file is 40 bytes/],
        ['64-bit', (() => { const c = b.slice(); c[4] = 2; return c; })(), /wrong ELF class 2 \(EI_CLASS\).*64-bit/],
        ['big-endian', (() => { const c = b.slice(); c[5] = 2; return c; })(), /wrong data encoding 2 \(EI_DATA\).*big-endian/],
        ['x86', setU16(b, 18, 3), /wrong machine 3 \(e_machine\): expected 40 \(ARM\)/],
        ['truncated section table', b.subarray(0, b.length - 10), /section header table at 0x[0-9a-f]+ \(9 × 40 bytes\) runs past the end/],
        ['program headers out of bounds', setU32(b, 28, b.length - 8), /program header table .* runs past the end/],
        ['segment data out of bounds', setU32(b, f.phoff + 4, b.length), /program header 0: data at .* runs past the end/],
        ['filesz > memsz', setU32(b, f.phoff + 32 + 16, 100), /program header 1: PT_LOAD p_filesz 0x64 is larger than p_memsz 0x18/],
        ['section data out of bounds', setU32(b, f.shoff + 40 + 20, 0x100000), /section 1: data at .* runs past the end/],
        ['bad shstrndx', setU16(b, 50, 99), /e_shstrndx 99 is not a section index/],
        ['shstrndx not strtab', setU16(b, 50, 1), /section 1 \(e_shstrndx\) is not a string table/],
        ['section name offset', setU32(b, f.shoff + 40, 5000), /section 1: name offset 5000 is outside its string table/],
        ['symbol name offset', setU32(b, f.symtabOffset + 16, 999), /\.symtab symbol 1: name offset 999 is outside/],
        ['symbol section index', setU16(b, f.symtabOffset + 16 + 14, 77), /\.symtab symbol 1: section index 77 does not exist/],
        ['symtab link', setU32(b, f.shoff + 4 * 40 + 24, 1), /section 4 \(\.symtab\): sh_link 1 \(\.text\) is not a string table/],
        ['symtab entsize', setU32(b, f.shoff + 4 * 40 + 36, 12), /section 4 \(\.symtab\): symbol entry size 12, expected 16/],
        ['relocation symbol', setU32(b, f.relTextOffset + 4, (40 << 8) | 2), /\.rel\.text entry 0: symbol index 40 is outside \.symtab \(5 symbols\)/],
        ['relocation target', setU32(b, f.shoff + 6 * 40 + 28, 50), /section 6 \(\.rel\.text\): sh_info 50 is not a section index/],
        ['relocation entsize', setU32(b, f.shoff + 7 * 40 + 36, 8), /section 7 \(\.rela\.data\): relocation entry size 8, expected 12/],
    ];
    for (const [name, bytes, re] of cases) {
        assert.throws(() => parseElf(bytes), (e: unknown) => {
            assert.ok(e instanceof ElfFormatError, `${name}: expected ElfFormatError, got ${String(e)}`);
            assert.match(e.message, re, name);
            return true;
        });
    }
    assert.equal(parseElf(setU16(b, 18, 3), { machine: null }).header.machine, 3);
});

function haveTool(name: string): boolean {
    try {
        execFileSync(name, ['--version'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}
const haveReadelf = haveTool('arm-none-eabi-readelf');

for (const fw of builtFirmwares()) test(`${fw.name} firmware.elf: sections and symbols agree with readelf, flash image equals firmware.bin`, { skip: !haveReadelf && 'readelf missing' }, () => {
    const path = fw.elf;
    const elf = parseElf(readFileSync(path));
    const sections = execFileSync('arm-none-eabi-readelf', ['-SW', path], { encoding: 'utf8' });
    const rows = [...sections.matchAll(/^\s*\[\s*(\d+)\]\s+(\S*)\s+([A-Z_]+)\s+([0-9a-f]{8})\s+([0-9a-f]{6})\s+([0-9a-f]{6})/gm)];
    assert.equal(rows.length, elf.sections.length);
    for (const r of rows) {
        const s = elf.sections[Number(r[1])];
        assert.equal(s.name, r[2] === 'NULL' ? '' : r[2]);
        assert.equal(s.addr, parseInt(r[4], 16), s.name);
        assert.equal(s.offset, parseInt(r[5], 16), s.name);
        assert.equal(s.size, parseInt(r[6], 16), s.name);
    }
    const syms = execFileSync('arm-none-eabi-readelf', ['-sW', '--sym-base=16', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const symRows = [...syms.matchAll(/^\s*([0-9a-f]+): ([0-9a-f]{8})\s+(\S+)\s+(\w+)\s+(\w+)\s+\w+\s+(\S+)\s?(.*)$/gm)];
    // readelf prints .symtab only (no .dynsym here)
    assert.equal(symRows.length, elf.symbols.length);
    for (const r of symRows) {
        const s = elf.symbols[Number(r[1])];
        assert.equal(s.value, parseInt(r[2], 16));
        assert.equal(s.size, parseInt(r[3], 16));
        // readelf shows a section symbol by its section's name
        if (r[4] === 'SECTION') assert.equal(s.section, r[7].trim());
        else assert.equal(s.name, r[7].replace(/@.*$/, '').trim());
    }
    assert.ok(findSymbol(elf, 'mp_execute_bytecode'));
    const bin = readFileSync(fw.bin);
    const img = elfToFlashImage(elf);
    assert.equal(img.baseAddress, FLASH_BASE);
    assert.ok(Buffer.from(img.data).equals(bin), 'flash image differs from objcopy\'s firmware.bin');
});

test('an object from arm-none-eabi-gcc -c: REL relocations agree with readelf -r', { skip: !(haveTool('arm-none-eabi-gcc') && haveReadelf) && 'arm toolchain missing' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mprt-elf-'));
    try {
        writeFileSync(join(dir, 'm.c'), 'extern int ext(int);\nint table[3] = {1, 2, 3};\nint *ptr = &table[1];\nint f(int x) { return ext(x) + table[x]; }\n');
        execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m0plus', '-mthumb', '-Os', '-c', 'm.c', '-o', 'm.o'], { cwd: dir });
        const elf = parseElf(readFileSync(join(dir, 'm.o')));
        assert.equal(elf.header.type, 1);
        const out = execFileSync('arm-none-eabi-readelf', ['-rW', join(dir, 'm.o')], { encoding: 'utf8' });
        const expected = [...out.matchAll(/^([0-9a-f]{8})\s+([0-9a-f]{8})\s+(R_ARM_\w+)/gm)].map((m) => [parseInt(m[1], 16), parseInt(m[2], 16) & 0xff]);
        const ours = elf.relocations.flatMap((r) => r.entries.map((e) => [e.offset, e.type]));
        assert.ok(expected.length >= 3);
        assert.deepEqual(ours, expected);
        const calls = elf.relocations.find((r) => r.target === '.text')!;
        assert.ok(calls.entries.some((e) => e.type === 10 && elf.symbols[e.symbol].name === 'ext'), 'R_ARM_THM_CALL to ext');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
