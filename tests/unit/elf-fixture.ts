import { FLASH_BASE, SRAM_BASE } from '../../cli/chip/rp2040.js';
/**
 * Builds small ELF32 little-endian ARM files for the ELF reader's tests: a PT_LOAD segment in flash, .text,
 * .data (loaded at a flash address, runs in RAM), .bss, .symtab/.strtab, .rel.text and .rela.data, .shstrtab.
 */
export interface FixtureLayout {
    bytes: Uint8Array;
    /** Offsets of interesting fields, for tests that corrupt them. */
    shoff: number;
    phoff: number;
    symtabOffset: number;
    relTextOffset: number;
}

function strtab(names: string[]): { data: Uint8Array; offsets: number[] } {
    const enc = new TextEncoder();
    const parts: number[] = [0];
    const offsets: number[] = [];
    for (const n of names) {
        offsets.push(parts.length);
        parts.push(...enc.encode(n), 0);
    }
    return { data: Uint8Array.from(parts), offsets };
}

export function buildFixtureElf(): FixtureLayout {
    const text = Uint8Array.from({ length: 24 }, (_, i) => 0x10 + i);
    const data = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    const strs = strtab(['main', 'counter', 'helper', 'big']);
    // symbols: null, main (FUNC GLOBAL .text), counter (OBJECT LOCAL .data), helper (UNDEF GLOBAL), big (COMMON)
    const sym = new Uint8Array(5 * 16);
    const sv = new DataView(sym.buffer);
    const putSym = (i: number, name: number, value: number, size: number, info: number, shndx: number) => {
        sv.setUint32(i * 16, name, true);
        sv.setUint32(i * 16 + 4, value, true);
        sv.setUint32(i * 16 + 8, size, true);
        sym[i * 16 + 12] = info;
        sv.setUint16(i * 16 + 14, shndx, true);
    };
    putSym(1, strs.offsets[0], 0x10000001, 24, (1 << 4) | 2, 1);
    putSym(2, strs.offsets[1], SRAM_BASE, 8, (0 << 4) | 1, 2);
    putSym(3, strs.offsets[2], 0, 0, (1 << 4) | 0, 0);
    putSym(4, strs.offsets[3], 4, 64, (1 << 4) | 1, 0xfff2);
    const rel = new Uint8Array(16);
    const rv = new DataView(rel.buffer);
    rv.setUint32(0, 4, true);
    rv.setUint32(4, (3 << 8) | 10, true); // R_ARM_THM_CALL helper
    rv.setUint32(8, 12, true);
    rv.setUint32(12, (2 << 8) | 2, true); // R_ARM_ABS32 counter
    const rela = new Uint8Array(12);
    const av = new DataView(rela.buffer);
    av.setUint32(0, 0, true);
    av.setUint32(4, (1 << 8) | 2, true);
    av.setInt32(8, -8, true);

    const secNames = ['.text', '.data', '.bss', '.symtab', '.strtab', '.rel.text', '.rela.data', '.shstrtab'];
    const shstr = strtab(secNames);
    // [type, flags, addr, data, link, info, entsize, addralign]
    const secs: [number, number, number, Uint8Array, number, number, number, number][] = [
        [1, 6, FLASH_BASE, text, 0, 0, 0, 4],
        [1, 3, SRAM_BASE, data, 0, 0, 0, 4],
        [8, 3, 0x20000008, new Uint8Array(0), 0, 0, 0, 4],
        [2, 0, 0, sym, 5, 3, 16, 4],
        [3, 0, 0, strs.data, 0, 0, 0, 1],
        [9, 0x40, 0, rel, 4, 1, 8, 4],
        [4, 0x40, 0, rela, 4, 2, 12, 4],
        [3, 0, 0, shstr.data, 0, 0, 0, 1],
    ];
    const phoff = 52;
    const phnum = 2;
    let off = phoff + phnum * 32;
    const offsets: number[] = [];
    for (const s of secs) {
        off = (off + 3) & ~3;
        offsets.push(off);
        if (s[0] !== 8) off += s[3].length;
    }
    const shoff = (off + 3) & ~3;
    const shnum = secs.length + 1;
    const out = new Uint8Array(shoff + shnum * 40);
    const v = new DataView(out.buffer);
    out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
    v.setUint16(16, 2, true); // ET_EXEC
    v.setUint16(18, 40, true); // EM_ARM
    v.setUint32(20, 1, true);
    v.setUint32(24, 0x10000001, true);
    v.setUint32(28, phoff, true);
    v.setUint32(32, shoff, true);
    v.setUint32(36, 0x05000200, true);
    v.setUint16(40, 52, true);
    v.setUint16(42, 32, true);
    v.setUint16(44, phnum, true);
    v.setUint16(46, 40, true);
    v.setUint16(48, shnum, true);
    v.setUint16(50, shnum - 1, true);
    // PT_LOAD .text at the start of flash; PT_LOAD .data runs at the start of SRAM, loaded 0x100 into flash (gap of zeros before it)
    const ph = (i: number, offset: number, vaddr: number, paddr: number, filesz: number, memsz: number, flags: number) => {
        const o = phoff + i * 32;
        v.setUint32(o, 1, true);
        v.setUint32(o + 4, offset, true);
        v.setUint32(o + 8, vaddr, true);
        v.setUint32(o + 12, paddr, true);
        v.setUint32(o + 16, filesz, true);
        v.setUint32(o + 20, memsz, true);
        v.setUint32(o + 24, flags, true);
        v.setUint32(o + 28, 4, true);
    };
    ph(0, offsets[0], FLASH_BASE, FLASH_BASE, text.length, text.length, 5);
    ph(1, offsets[1], SRAM_BASE, 0x10000100, data.length, data.length + 16, 6);
    secs.forEach((s, i) => {
        if (s[0] !== 8) out.set(s[3], offsets[i]);
        const o = shoff + (i + 1) * 40;
        v.setUint32(o, shstr.offsets[i], true);
        v.setUint32(o + 4, s[0], true);
        v.setUint32(o + 8, s[1], true);
        v.setUint32(o + 12, s[2], true);
        v.setUint32(o + 16, offsets[i], true);
        v.setUint32(o + 20, s[0] === 8 ? 16 : s[3].length, true);
        v.setUint32(o + 24, s[4], true);
        v.setUint32(o + 28, s[5], true);
        v.setUint32(o + 32, s[7], true);
        v.setUint32(o + 36, s[6], true);
    });
    return { bytes: out, shoff, phoff, symtabOffset: offsets[3], relTextOffset: offsets[5] };
}
