/**
 * A small strict reader for 32-bit little-endian ELF files (pure: no fs, no processes): header, program
 * headers, section headers with names, symbols, REL/RELA relocations; and `elfToFlashImage`, which lays the
 * flash-resident PT_LOAD segments out as one flat image (what `objcopy -O binary` gives for our firmware).
 *
 * Why our own rather than npm `elf-tools` (1.1.2, evaluated): it is CommonJS without types, reads only the
 * header, program and section headers (no symbol table, no relocations, which dynamic loading needs later),
 * and does no validation: offsets and sizes out of bounds are silently cut short by Buffer.slice, a bad
 * endianness byte falls through to an undefined reader, and errors are plain `Error('Invalid ELF signature
 * bytes')` without saying which field is wrong. A 300-line reader with every offset checked is less risk.
 */

import { FLASH_BASE, FLASH_SIZE } from '../chip/rp2040.js';

export const EM_ARM = 40;

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;

export const PT_LOAD = 1;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export class ElfFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ElfFormatError';
    }
}

export interface ElfHeader {
    type: number;
    machine: number;
    version: number;
    entry: number;
    phoff: number;
    shoff: number;
    flags: number;
    phnum: number;
    shnum: number;
    shstrndx: number;
}

export interface ElfSegment {
    index: number;
    type: number;
    offset: number;
    vaddr: number;
    paddr: number;
    filesz: number;
    memsz: number;
    flags: number;
    align: number;
}

export interface ElfSection {
    index: number;
    name: string;
    type: number;
    flags: number;
    addr: number;
    offset: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
}

export interface ElfSymbol {
    /** Index in its symbol table. */
    index: number;
    name: string;
    value: number;
    size: number;
    /** STT_* */
    type: number;
    /** STB_* */
    bind: number;
    /** STV_* (low 2 bits of st_other). */
    visibility: number;
    /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
    shndx: number;
    /** Name of that section, when shndx is a real section. */
    section: string | undefined;
}

export interface ElfRelocation {
    offset: number;
    type: number;
    /** Index into the symbol table named by the relocation section's sh_link. */
    symbol: number;
    /** RELA only; for REL the addend is in the relocated field. */
    addend: number | undefined;
}

export interface ElfRelocationSection {
    /** The REL/RELA section itself (e.g. `.rel.text`). */
    section: string;
    /** The section the relocations apply to (sh_info), e.g. `.text`. */
    target: string;
    /** The symbol table they refer to (sh_link), e.g. `.symtab`. */
    symtab: string;
    rela: boolean;
    entries: ElfRelocation[];
}

export interface ElfFile {
    header: ElfHeader;
    segments: ElfSegment[];
    sections: ElfSection[];
    /** The contents of `.symtab` (empty when stripped); index 0 is the null symbol. */
    symbols: ElfSymbol[];
    /** The contents of `.dynsym`, if any. */
    dynamicSymbols: ElfSymbol[];
    relocations: ElfRelocationSection[];
    /** The input, for sectionData(). */
    bytes: Uint8Array;
}

function hex(n: number): string {
    return '0x' + n.toString(16);
}

/** Parses and validates an ELF32 little-endian file. `machine` (default EM_ARM, null for any) is required of e_machine. */
export function parseElf(bytes: Uint8Array, opts: { machine?: number | null } = {}): ElfFile {
    const machineWanted = opts.machine === undefined ? EM_ARM : opts.machine;
    if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
        throw new ElfFormatError('not an ELF file (no \\x7fELF magic at offset 0)');
    }
    if (bytes.length < 52) throw new ElfFormatError(`truncated ELF header: file is ${bytes.length} bytes, the ELF32 header needs 52`);
    if (bytes[4] !== 1) throw new ElfFormatError(`wrong ELF class ${bytes[4]} (EI_CLASS): expected 1 (32-bit)${bytes[4] === 2 ? ', this is a 64-bit ELF' : ''}`);
    if (bytes[5] !== 1) throw new ElfFormatError(`wrong data encoding ${bytes[5]} (EI_DATA): expected 1 (little-endian)${bytes[5] === 2 ? ', this is big-endian' : ''}`);
    if (bytes[6] !== 1) throw new ElfFormatError(`unsupported ELF version ${bytes[6]} (EI_VERSION): expected 1`);

    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u16 = (o: number) => v.getUint16(o, true);
    const u32 = (o: number) => v.getUint32(o, true);
    const header: ElfHeader = {
        type: u16(16),
        machine: u16(18),
        version: u32(20),
        entry: u32(24),
        phoff: u32(28),
        shoff: u32(32),
        flags: u32(36),
        phnum: u16(44),
        shnum: u16(48),
        shstrndx: u16(50),
    };
    if (machineWanted !== null && header.machine !== machineWanted) {
        throw new ElfFormatError(`wrong machine ${header.machine} (e_machine): expected ${machineWanted}${machineWanted === EM_ARM ? ' (ARM)' : ''}`);
    }
    if (header.version !== 1) throw new ElfFormatError(`unsupported e_version ${header.version}: expected 1`);
    const ehsize = u16(40);
    if (ehsize < 52) throw new ElfFormatError(`e_ehsize ${ehsize} is smaller than the 52-byte ELF32 header`);

    const table = (what: string, off: number, num: number, entsize: number, minEnt: number) => {
        if (num === 0) return;
        if (entsize < minEnt) throw new ElfFormatError(`${what} entry size ${entsize} is smaller than ${minEnt}`);
        if (off + num * entsize > bytes.length) {
            throw new ElfFormatError(`${what} table at ${hex(off)} (${num} × ${entsize} bytes) runs past the end of the ${bytes.length}-byte file (truncated?)`);
        }
    };
    const phentsize = u16(42);
    const shentsize = u16(46);
    table('program header', header.phoff, header.phnum, phentsize, 32);
    if (header.shoff !== 0 && header.shnum === 0) {
        throw new ElfFormatError('e_shnum is 0 with a section header table: extended section numbering is not supported');
    }
    table('section header', header.shoff, header.shnum, shentsize, 40);

    const segments: ElfSegment[] = [];
    for (let i = 0; i < header.phnum; i++) {
        const o = header.phoff + i * phentsize;
        const s: ElfSegment = {
            index: i,
            type: u32(o),
            offset: u32(o + 4),
            vaddr: u32(o + 8),
            paddr: u32(o + 12),
            filesz: u32(o + 16),
            memsz: u32(o + 20),
            flags: u32(o + 24),
            align: u32(o + 28),
        };
        if (s.offset + s.filesz > bytes.length) {
            throw new ElfFormatError(`program header ${i}: data at ${hex(s.offset)}+${hex(s.filesz)} runs past the end of the ${bytes.length}-byte file`);
        }
        if (s.type === PT_LOAD && s.filesz > s.memsz) {
            throw new ElfFormatError(`program header ${i}: PT_LOAD p_filesz ${hex(s.filesz)} is larger than p_memsz ${hex(s.memsz)}`);
        }
        segments.push(s);
    }

    const raw: Omit<ElfSection, 'name'>[] = [];
    const nameOffs: number[] = [];
    for (let i = 0; i < header.shnum; i++) {
        const o = header.shoff + i * shentsize;
        const s = {
            index: i,
            type: u32(o + 4),
            flags: u32(o + 8),
            addr: u32(o + 12),
            offset: u32(o + 16),
            size: u32(o + 20),
            link: u32(o + 24),
            info: u32(o + 28),
            addralign: u32(o + 32),
            entsize: u32(o + 36),
        };
        nameOffs.push(u32(o));
        if (s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.offset + s.size > bytes.length) {
            throw new ElfFormatError(`section ${i}: data at ${hex(s.offset)}+${hex(s.size)} runs past the end of the ${bytes.length}-byte file (truncated?)`);
        }
        raw.push(s);
    }

    const stringAt = (strtab: Omit<ElfSection, 'name'>, off: number, what: string): string => {
        if (off >= strtab.size) throw new ElfFormatError(`${what}: name offset ${off} is outside its string table (${strtab.size} bytes)`);
        const start = strtab.offset + off;
        const limit = strtab.offset + strtab.size;
        let end = start;
        while (end < limit && bytes[end] !== 0) end++;
        if (end === limit) throw new ElfFormatError(`${what}: name at offset ${off} is not NUL-terminated within its string table`);
        return decoder.decode(bytes.subarray(start, end));
    };

    let sections: ElfSection[];
    if (header.shnum === 0) {
        sections = [];
    } else {
        if (header.shstrndx === 0 || header.shstrndx >= header.shnum) {
            throw new ElfFormatError(`e_shstrndx ${header.shstrndx} is not a section index (0 < i < ${header.shnum})`);
        }
        const shstr = raw[header.shstrndx];
        if (shstr.type !== SHT_STRTAB) throw new ElfFormatError(`section ${header.shstrndx} (e_shstrndx) is not a string table (type ${shstr.type})`);
        sections = raw.map((s, i) => ({ ...s, name: stringAt(shstr, nameOffs[i], `section ${i}`) }));
    }

    const checkLink = (s: ElfSection, want: number[], what: string): ElfSection => {
        if (s.link === 0 || s.link >= sections.length) throw new ElfFormatError(`section ${s.index} (${s.name}): sh_link ${s.link} is not a section index`);
        const target = sections[s.link];
        if (!want.includes(target.type)) throw new ElfFormatError(`section ${s.index} (${s.name}): sh_link ${s.link} (${target.name}) is not ${what}`);
        return target;
    };

    const readSymbols = (symtab: ElfSection): ElfSymbol[] => {
        if (symtab.entsize !== 16) throw new ElfFormatError(`section ${symtab.index} (${symtab.name}): symbol entry size ${symtab.entsize}, expected 16`);
        if (symtab.size % 16 !== 0) throw new ElfFormatError(`section ${symtab.index} (${symtab.name}): size ${symtab.size} is not a multiple of 16`);
        const strtab = checkLink(symtab, [SHT_STRTAB], 'a string table');
        const out: ElfSymbol[] = [];
        for (let i = 0; i < symtab.size / 16; i++) {
            const o = symtab.offset + i * 16;
            const info = bytes[o + 12];
            const shndx = u16(o + 14);
            if (shndx === SHN_XINDEX) throw new ElfFormatError(`${symtab.name} symbol ${i}: extended section index (SHN_XINDEX) is not supported`);
            if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.length) {
                throw new ElfFormatError(`${symtab.name} symbol ${i}: section index ${shndx} does not exist (${sections.length} sections)`);
            }
            out.push({
                index: i,
                name: stringAt(strtab, u32(o), `${symtab.name} symbol ${i}`),
                value: u32(o + 4),
                size: u32(o + 8),
                type: info & 0xf,
                bind: info >> 4,
                visibility: bytes[o + 13] & 3,
                shndx,
                section: shndx !== SHN_UNDEF && shndx < SHN_LORESERVE ? sections[shndx].name : undefined,
            });
        }
        return out;
    };

    const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
    if (symtabs.length > 1) throw new ElfFormatError(`${symtabs.length} SHT_SYMTAB sections: at most one is allowed`);
    const symbols = symtabs.length ? readSymbols(symtabs[0]) : [];
    const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
    const dynamicSymbols = dynsym ? readSymbols(dynsym) : [];

    const relocations: ElfRelocationSection[] = [];
    for (const s of sections) {
        if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
        const rela = s.type === SHT_RELA;
        const entsize = rela ? 12 : 8;
        if (s.entsize !== entsize) throw new ElfFormatError(`section ${s.index} (${s.name}): relocation entry size ${s.entsize}, expected ${entsize}`);
        if (s.size % entsize !== 0) throw new ElfFormatError(`section ${s.index} (${s.name}): size ${s.size} is not a multiple of ${entsize}`);
        const symtab = checkLink(s, [SHT_SYMTAB, SHT_DYNSYM], 'a symbol table');
        const nsyms = symtab.size / 16;
        // sh_info is the target section; 0 for dynamic relocations that apply to the whole image
        if (s.info >= sections.length) throw new ElfFormatError(`section ${s.index} (${s.name}): sh_info ${s.info} is not a section index`);
        const entries: ElfRelocation[] = [];
        for (let i = 0; i < s.size / entsize; i++) {
            const o = s.offset + i * entsize;
            const info = u32(o + 4);
            const symbol = info >>> 8;
            if (symbol >= nsyms) throw new ElfFormatError(`${s.name} entry ${i}: symbol index ${symbol} is outside ${symtab.name} (${nsyms} symbols)`);
            entries.push({ offset: u32(o), type: info & 0xff, symbol, addend: rela ? v.getInt32(o + 8, true) : undefined });
        }
        relocations.push({ section: s.name, target: s.info ? sections[s.info].name : '', symtab: symtab.name, rela, entries });
    }

    return { header, segments, sections, symbols, dynamicSymbols, relocations, bytes };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The file bytes of a section (empty for SHT_NOBITS). */
export function sectionData(elf: ElfFile, section: ElfSection): Uint8Array {
    if (section.type === SHT_NOBITS || section.type === SHT_NULL) return new Uint8Array(0);
    return elf.bytes.subarray(section.offset, section.offset + section.size);
}

export function findSection(elf: ElfFile, name: string): ElfSection | undefined {
    return elf.sections.find((s) => s.name === name);
}

/** The first defined (non-local preferred) symbol with this name in .symtab. */
export function findSymbol(elf: ElfFile, name: string): ElfSymbol | undefined {
    const all = elf.symbols.filter((s) => s.name === name && s.shndx !== SHN_UNDEF);
    return all.find((s) => s.bind !== STB_LOCAL) ?? all[0];
}

/**
 * The flash image of an executable: every PT_LOAD segment with file data, placed at its physical (load)
 * address, which must lie in flash [flashBase, flashBase+flashSize); gaps are filled with `fill` (default 0,
 * like objcopy -O binary). A loadable segment with data outside flash is an error: it could not be flashed.
 */
export function elfToFlashImage(
    elf: ElfFile,
    opts: { flashBase?: number; flashSize?: number; fill?: number } = {},
): { baseAddress: number; data: Uint8Array } {
    const flashBase = opts.flashBase ?? FLASH_BASE;
    const flashSize = opts.flashSize ?? FLASH_SIZE;
    const flashEnd = flashBase + flashSize;
    const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0).sort((a, b) => a.paddr - b.paddr);
    if (loads.length === 0) throw new ElfFormatError('no PT_LOAD segment with file data: nothing to put in flash');
    for (const s of loads) {
        if (s.paddr < flashBase || s.paddr + s.filesz > flashEnd) {
            throw new ElfFormatError(
                `program header ${s.index}: PT_LOAD at physical ${hex(s.paddr)}..${hex(s.paddr + s.filesz)} is outside flash ${hex(flashBase)}..${hex(flashEnd)}`,
            );
        }
    }
    for (let i = 1; i < loads.length; i++) {
        const a = loads[i - 1];
        const b = loads[i];
        if (a.paddr + a.filesz > b.paddr) {
            throw new ElfFormatError(`program headers ${a.index} and ${b.index} overlap in flash at ${hex(b.paddr)}`);
        }
    }
    const baseAddress = loads[0].paddr;
    const end = Math.max(...loads.map((s) => s.paddr + s.filesz));
    const data = new Uint8Array(end - baseAddress);
    if (opts.fill) data.fill(opts.fill);
    for (const s of loads) data.set(elf.bytes.subarray(s.offset, s.offset + s.filesz), s.paddr - baseAddress);
    return { baseAddress, data };
}
