/**
 * The loadable native module format ("MPDL" version 1), pure: encode, decode with the same checks as the
 * on-device linker (lib/dynlink/dl_parse.c), and build a module from the ELF that `ld -q` links with
 * MODULE_LINKER_SCRIPT. The reasons for the format are in docs/modules.md; the C side is
 * lib/dynlink/dl_format.h, whose constants these mirror.
 */
import { createHash } from 'node:crypto';
import {
    ET_EXEC, SHN_ABS, SHN_UNDEF, STB_LOCAL, STT_SECTION, parseElf, sectionData,
    type ElfFile, type ElfSection, type ElfSymbol,
} from './elf.js';

export const MODULE_MAGIC = 'MPDL';
export const MODULE_VERSION = 1;
export const MODULE_HEADER_SIZE = 140;
export const MODULE_HASH_LEN = 16;
export const ARCH_V6M = 1;
export const MACHINE_ARM = 40;

export const MAX_FILE = 1 << 24;
export const MAX_TEXT = 1 << 20;
export const MAX_RAM = 1 << 18;
export const MAX_ALIGN = 4096;
export const MAX_NAME = 32;
export const MAX_QSTR_LEN = 255;
export const MAX_INDEX = 0xffef;
export const MAX_EXPORTS = 1024;

/** Relocation types of the container (not ELF numbers): see dl_format.h. */
export const R_ABS32 = 1;
export const R_THM_CALL = 2;
export const R_QSTR = 3;
export const R_QSTR_OBJ = 4;

export const TARGET_TEXT = 0xfff0;
export const TARGET_DATA = 0xfff1;
export const TARGET_BSS = 0xfff2;

/** Undefined symbols with these prefixes are qstrs, not imports: their number, or their object form. */
export const QSTR_SYMBOL_PREFIX = '__dl_qstr_';
export const QSTR_OBJ_SYMBOL_PREFIX = '__dl_qobj_';

export type Segment = 'text' | 'data' | 'bss';
export type Place = 'text' | 'data';

export interface Ref {
    seg: Segment;
    /** Offset in the segment; a Thumb function's has bit 0 set. */
    offset: number;
}

export interface ModuleRelocation {
    /** Offset of the 4-byte site in its place. */
    offset: number;
    type: number;
    place: Place;
    /** Import index (R_ABS32, R_THM_CALL), qstr index (R_QSTR*), or TARGET_TEXT/DATA/BSS (R_ABS32). */
    target: number;
}

export interface ModuleSpec {
    name: string;
    abi: Uint8Array;
    text: Uint8Array;
    textAlign: number;
    data: Uint8Array;
    dataAlign: number;
    bssSize: number;
    init: Ref | null;
    imports: string[];
    exports: { name: string; ref: Ref }[];
    ctors: Ref[];
    qstrs: string[];
    relocs: ModuleRelocation[];
}

export interface ModuleFile extends ModuleSpec {
    contentHash: Uint8Array;
    fileSize: number;
}

/** `code` matches the C loader's error (lib/dynlink/dynlink.h, dl_errname) for the same input. */
export type ModuleErrorCode =
    | 'magic' | 'version' | 'class' | 'endian' | 'machine' | 'truncated' | 'corrupt' | 'abi' | 'bounds'
    | 'overlap' | 'align' | 'strtab' | 'name' | 'ref' | 'duplicate' | 'reloc-type' | 'reloc' | 'elf';

export class ModuleFormatError extends Error {
    constructor(readonly code: ModuleErrorCode, message: string) {
        super(message);
        this.name = 'ModuleFormatError';
    }
}

const SEGS: Segment[] = ['text', 'data', 'bss'];
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[i] = c >>> 0;
    }
    return t;
})();

/** CRC-32 (IEEE, as zlib), the same as dl_crc32(). */
export function crc32(bytes: Uint8Array, crc = 0): number {
    let c = ~crc >>> 0;
    for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return ~c >>> 0;
}

export function encodeRef(r: Ref): number {
    return ((SEGS.indexOf(r.seg) << 30) | r.offset) >>> 0;
}

function decodeRef(v: number): Ref | null {
    const seg = v >>> 30;
    return seg > 2 ? null : { seg: SEGS[seg], offset: v & 0x3fffffff };
}

const hex = (n: number) => '0x' + n.toString(16);
const align = (v: number, a: number) => Math.ceil(v / a) * a;

/** Writes a module file; the content hash and CRC are computed here. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
    if (spec.abi.length !== MODULE_HASH_LEN) throw new ModuleFormatError('abi', `ABI identity must be ${MODULE_HASH_LEN} bytes`);
    const strings = new Map<string, number>();
    const strParts: number[] = [];
    const str = (s: string) => {
        let o = strings.get(s);
        if (o === undefined) {
            o = strParts.length;
            strings.set(s, o);
            strParts.push(...enc.encode(s), 0);
        }
        return o;
    };
    const nameOff = str(spec.name);
    const importOffs = spec.imports.map(str);
    const exportOffs = spec.exports.map((e) => str(e.name));
    const qstrOffs = spec.qstrs.map(str);
    const strtab = Uint8Array.from(strParts);

    const textOff = MODULE_HEADER_SIZE;
    const text = padTo4(spec.text);
    const data = padTo4(spec.data);
    const dataOff = textOff + text.length;
    const strtabOff = dataOff + data.length;
    const importsOff = align(strtabOff + strtab.length, 4);
    const exportsOff = importsOff + 4 * spec.imports.length;
    const ctorsOff = exportsOff + 8 * spec.exports.length;
    const qstrsOff = ctorsOff + 4 * spec.ctors.length;
    const relocsOff = qstrsOff + 4 * spec.qstrs.length;
    const size = relocsOff + 8 * spec.relocs.length;

    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    out.set(enc.encode(MODULE_MAGIC), 0);
    out[4] = MODULE_VERSION;
    out[5] = 1;
    out[6] = 1;
    v.setUint16(8, MACHINE_ARM, true);
    v.setUint16(10, ARCH_V6M, true);
    v.setUint32(12, size, true);
    out.set(spec.abi, 36);
    const words: [number, number][] = [
        [56, nameOff], [60, spec.init ? encodeRef(spec.init) : 0xffffffff],
        [64, textOff], [68, text.length], [72, spec.textAlign],
        [76, dataOff], [80, data.length], [84, spec.dataAlign], [88, spec.bssSize],
        [92, strtabOff], [96, strtab.length],
        [100, importsOff], [104, spec.imports.length], [108, exportsOff], [112, spec.exports.length],
        [116, ctorsOff], [120, spec.ctors.length], [124, qstrsOff], [128, spec.qstrs.length],
        [132, relocsOff], [136, spec.relocs.length],
    ];
    for (const [o, w] of words) v.setUint32(o, w >>> 0, true);
    out.set(text, textOff);
    out.set(data, dataOff);
    out.set(strtab, strtabOff);
    importOffs.forEach((o, i) => v.setUint32(importsOff + 4 * i, o, true));
    spec.exports.forEach((e, i) => {
        v.setUint32(exportsOff + 8 * i, exportOffs[i], true);
        v.setUint32(exportsOff + 8 * i + 4, encodeRef(e.ref), true);
    });
    spec.ctors.forEach((c, i) => v.setUint32(ctorsOff + 4 * i, encodeRef(c), true));
    qstrOffs.forEach((o, i) => v.setUint32(qstrsOff + 4 * i, o, true));
    const sorted = [...spec.relocs].sort((a, b) => (a.place === b.place ? a.offset - b.offset : a.place === 'text' ? -1 : 1));
    sorted.forEach((r, i) => {
        const o = relocsOff + 8 * i;
        v.setUint32(o, r.offset, true);
        out[o + 4] = r.type;
        out[o + 5] = r.place === 'text' ? 0 : 1;
        v.setUint16(o + 6, r.target, true);
    });
    const hash = createHash('sha256').update(out.subarray(36)).digest();
    out.set(hash.subarray(0, MODULE_HASH_LEN), 20);
    v.setUint32(16, crc32(out.subarray(20)), true);
    return out;
}

function padTo4(b: Uint8Array): Uint8Array {
    if (b.length % 4 === 0) return b;
    const p = new Uint8Array(align(b.length, 4));
    p.set(b);
    return p;
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

function isBl(hi: number, lo: number): boolean {
    return (hi & 0xf800) === 0xf000 && (lo & 0xd000) === 0xd000;
}

/**
 * Reads and validates a module file with the checks dl_parse() makes, in the same order, so both sides
 * refuse the same files with the same code. `abi`, when given, must match.
 */
export function decodeModule(bytes: Uint8Array, opts: { abi?: Uint8Array } = {}): ModuleFile {
    const fail = (code: ModuleErrorCode, msg: string): never => {
        throw new ModuleFormatError(code, msg);
    };
    const len = bytes.length;
    if (len > MAX_FILE) fail('bounds', `file of ${len} bytes: at most ${MAX_FILE}`);
    if (len < 4) fail('truncated', `truncated: ${len} bytes, not even a magic number`);
    if (dec.decode(bytes.subarray(0, 4)) !== MODULE_MAGIC) {
        if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
            fail('magic', 'an ELF file, not a module: pack it with mprt pack-module');
        }
        fail('magic', 'not a module (bad magic)');
    }
    if (len < MODULE_HEADER_SIZE) fail('truncated', `truncated: ${len} bytes, the header needs ${MODULE_HEADER_SIZE}`);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u16 = (o: number) => v.getUint16(o, true);
    const u32 = (o: number) => v.getUint32(o, true);
    if (bytes[4] !== MODULE_VERSION) fail('version', `format version ${bytes[4]}, this reads version ${MODULE_VERSION}`);
    if (bytes[5] !== 1) fail('class', `class ${bytes[5]}: not a 32-bit module`);
    if (bytes[6] !== 1) fail('endian', `data encoding ${bytes[6]}: not little-endian`);
    if (u16(8) !== MACHINE_ARM) fail('machine', `machine ${u16(8)}: not ARM (40)`);
    if (u16(10) !== ARCH_V6M) fail('machine', `architecture ${u16(10)}: not ARMv6-M Thumb (${ARCH_V6M})`);
    const fileSize = u32(12);
    if (fileSize > len) fail('truncated', `truncated: ${len} bytes, the header says ${fileSize}`);
    if (fileSize !== len) fail('bounds', `${len - fileSize} bytes after the end the header gives (${fileSize})`);
    const crc = crc32(bytes.subarray(20));
    if (crc !== u32(16)) fail('corrupt', `corrupt: CRC-32 is ${hex(crc)}, the header says ${hex(u32(16))}`);
    if (u32(52) !== 0 || bytes[7] !== 0) fail('version', `unknown flags ${hex(u32(52))}`);
    const abi = bytes.slice(36, 52);
    if (opts.abi && !opts.abi.every((b, i) => b === abi[i])) {
        fail('abi', `built for firmware ABI ${Buffer.from(abi.subarray(0, 8)).toString('hex')}, this firmware is ${Buffer.from(opts.abi.subarray(0, 8)).toString('hex')}: rebuild it with mprt pack-module`);
    }

    const h = {
        init: u32(60), textOff: u32(64), textSize: u32(68), textAlign: u32(72), dataOff: u32(76), dataSize: u32(80),
        dataAlign: u32(84), bssSize: u32(88), strtabOff: u32(92), strtabSize: u32(96),
        importsOff: u32(100), nImports: u32(104), exportsOff: u32(108), nExports: u32(112),
        ctorsOff: u32(116), nCtors: u32(120), qstrsOff: u32(124), nQstrs: u32(128), relocsOff: u32(132), nRelocs: u32(136),
    };
    if (h.textSize > MAX_TEXT || h.textSize % 4) fail('bounds', `text size ${h.textSize}: must be a multiple of 4, at most ${MAX_TEXT}`);
    if (h.dataSize > MAX_RAM || h.bssSize > MAX_RAM - h.dataSize || h.dataSize % 4) {
        fail('bounds', `data ${h.dataSize} + bss ${h.bssSize} bytes: data must be a multiple of 4, both at most ${MAX_RAM}`);
    }
    for (const [what, a] of [['text', h.textAlign], ['data', h.dataAlign]] as const) {
        if (!isPow2(a) || a < 4 || a > MAX_ALIGN) fail('align', `${what} alignment ${a}: must be a power of two from 4 to ${MAX_ALIGN}`);
    }
    if (h.nImports > MAX_INDEX + 1 || h.nQstrs > MAX_INDEX + 1) fail('bounds', `too many imports (${h.nImports}) or qstrs (${h.nQstrs})`);
    if (h.nExports > MAX_EXPORTS) fail('bounds', `too many exports (${h.nExports}, at most ${MAX_EXPORTS})`);

    const regions: { what: string; off: number; size: number }[] = [{ what: 'header', off: 0, size: MODULE_HEADER_SIZE }];
    const region = (what: string, off: number, count: number, entsize: number) => {
        const size = count * entsize;
        if (size > len || off > len || size > len - off) fail('bounds', `${what} at ${hex(off)} (${size} bytes) outside the file (${len} bytes)`);
        if (size !== 0 && off < MODULE_HEADER_SIZE) fail('overlap', `${what} at ${hex(off)} overlaps the header`);
        if (entsize > 1 && off % 4) fail('align', `${what} at ${hex(off)} not 4-byte aligned`);
        regions.push({ what, off, size });
    };
    region('text', h.textOff, h.textSize, 1);
    region('data', h.dataOff, h.dataSize, 1);
    region('string table', h.strtabOff, h.strtabSize, 1);
    region('import table', h.importsOff, h.nImports, 4);
    region('export table', h.exportsOff, h.nExports, 8);
    region('constructor table', h.ctorsOff, h.nCtors, 4);
    region('qstr table', h.qstrsOff, h.nQstrs, 4);
    region('relocation table', h.relocsOff, h.nRelocs, 8);
    for (let i = 0; i < regions.length; i++) {
        for (let j = i + 1; j < regions.length; j++) {
            const a = regions[i];
            const b = regions[j];
            if (a.size && b.size && a.off < b.off + b.size && b.off < a.off + a.size) {
                fail('overlap', `${a.what} [${hex(a.off)}, +${a.size}) overlaps ${b.what} [${hex(b.off)}, +${b.size})`);
            }
        }
    }

    if (h.strtabSize === 0 || bytes[h.strtabOff + h.strtabSize - 1] !== 0) fail('strtab', 'string table is empty or does not end in NUL');
    const strAt = (off: number, max: number, emptyOk: boolean, what: string, i: number): string => {
        if (off >= h.strtabSize) fail('strtab', `${what} ${i}: name offset ${hex(off)} outside the string table (${h.strtabSize} bytes)`);
        const start = h.strtabOff + off;
        const end = bytes.indexOf(0, start);
        if (end === start && !emptyOk) fail('strtab', `${what} ${i}: empty name`);
        if (end - start > max) fail('strtab', `${what} ${i}: name longer than ${max} bytes`);
        return dec.decode(bytes.subarray(start, end));
    };
    const segSize = (s: Segment) => (s === 'text' ? h.textSize : s === 'data' ? h.dataSize : h.bssSize);
    const refAt = (raw: number, code: boolean, what: string, i: number): Ref => {
        const r = decodeRef(raw) ?? fail('ref', `${what} ${i}: bad segment ${raw >>> 30}`);
        if (code && (r.seg !== 'text' || !(r.offset & 1))) fail('ref', `${what} ${i}: ${hex(raw)} is not a Thumb function in text`);
        const at = r.seg === 'text' ? r.offset & ~1 : r.offset;
        if (at > segSize(r.seg) || (code && at >= segSize(r.seg))) fail('ref', `${what} ${i}: offset ${hex(at)} outside its segment (${segSize(r.seg)} bytes)`);
        return r;
    };

    const name = strAt(u32(56), MAX_NAME, false, 'module name', 0);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('name', 'module name is not an identifier');
    const imports = Array.from({ length: h.nImports }, (_, i) => strAt(u32(h.importsOff + 4 * i), h.strtabSize, false, 'import', i));
    const exports: { name: string; ref: Ref }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < h.nExports; i++) {
        const n = strAt(u32(h.exportsOff + 8 * i), h.strtabSize, false, 'export', i);
        const ref = refAt(u32(h.exportsOff + 8 * i + 4), false, 'export', i);
        if (seen.has(n)) fail('duplicate', `export ${i}: '${n}' exported twice`);
        seen.add(n);
        exports.push({ name: n, ref });
    }
    const ctors = Array.from({ length: h.nCtors }, (_, i) => refAt(u32(h.ctorsOff + 4 * i), true, 'constructor', i));
    const init = h.init === 0xffffffff ? null : refAt(h.init, true, 'init entry', 0);
    const qstrs = Array.from({ length: h.nQstrs }, (_, i) => strAt(u32(h.qstrsOff + 4 * i), MAX_QSTR_LEN, true, 'qstr', i));

    const relocs: ModuleRelocation[] = [];
    let prevPlace = 0;
    let nextFree = 0;
    for (let i = 0; i < h.nRelocs; i++) {
        const o = h.relocsOff + 8 * i;
        const off = u32(o);
        const type = bytes[o + 4];
        const place = bytes[o + 5];
        const target = u16(o + 6);
        if (type < R_ABS32 || type > R_QSTR_OBJ) fail('reloc-type', `relocation ${i}: unsupported type ${type}`);
        if (place > 1) fail('reloc', `relocation ${i}: bad place ${place}`);
        const size = place === 0 ? h.textSize : h.dataSize;
        if (off > size || size - off < 4) fail('reloc', `relocation ${i}: offset ${hex(off)} outside ${place ? 'data' : 'text'} (${size} bytes)`);
        if (place < prevPlace || (place === prevPlace && off < nextFree)) fail('reloc', `relocation ${i}: not sorted, or overlaps the one before`);
        prevPlace = place;
        nextFree = off + 4;
        if (type === R_ABS32) {
            if (target >= h.nImports && target !== TARGET_TEXT && target !== TARGET_DATA && target !== TARGET_BSS) {
                fail('reloc', `relocation ${i}: target ${target} is neither an import (${h.nImports}) nor a segment`);
            }
        } else if (type === R_THM_CALL) {
            if (place !== 0 || off & 1) fail('reloc', `relocation ${i}: BL site ${hex(off)} not a halfword in text`);
            if (target >= h.nImports) fail('reloc', `relocation ${i}: BL target ${target} is not an import (${h.nImports})`);
            const p = h.textOff + off;
            if (!isBl(u16(p), u16(p + 2))) fail('reloc', `relocation ${i}: no BL instruction at text+${hex(off)}`);
        } else if (target >= h.nQstrs) {
            fail('reloc', `relocation ${i}: qstr ${target} out of range (${h.nQstrs})`);
        }
        relocs.push({ offset: off, type, place: place ? 'data' : 'text', target });
    }

    return {
        name, abi, contentHash: bytes.slice(20, 36), fileSize,
        text: bytes.slice(h.textOff, h.textOff + h.textSize), textAlign: h.textAlign,
        data: bytes.slice(h.dataOff, h.dataOff + h.dataSize), dataAlign: h.dataAlign, bssSize: h.bssSize,
        init, imports, exports, ctors, qstrs, relocs,
    };
}

// ---- Building a module from the ELF that `ld -q -T <MODULE_LINKER_SCRIPT>` produced ----

export const MODULE_TEXT_BASE = 0x00010000;
export const MODULE_DATA_BASE = 0x00800000;

/**
 * The linker script pack-module links with (`ld -q --unresolved-symbols=ignore-all`): text and rodata
 * together (flash), constructors apart, data and bss (RAM). Text sits low so that calls to the still
 * undefined imports (value 0) stay within BL range and keep their addends.
 */
export const MODULE_LINKER_SCRIPT = `/* mprt module link: see docs/modules.md */
SECTIONS {
  .text ${hex(MODULE_TEXT_BASE)} : { *(.text .text.*) *(.rodata .rodata.*) . = ALIGN(4); }
  .init_array : { KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*))) KEEP(*(.init_array)) }
  .data ${hex(MODULE_DATA_BASE)} : { *(.data .data.*) . = ALIGN(4); }
  .bss : { *(.bss .bss.* COMMON) }
  /DISCARD/ : { *(.ARM.exidx* .ARM.extab* .ARM.attributes .comment .note.* .fini_array* .preinit_array*) }
}
`;

const R_ARM_NONE = 0;
const R_ARM_ABS32 = 2;
const R_ARM_REL32 = 3;
const R_ARM_THM_CALL = 10;
const R_ARM_THM_PC8 = 11;
const R_ARM_THM_JUMP24 = 30;
const R_ARM_TARGET1 = 38;
const R_ARM_V4BX = 40;
const R_ARM_PREL31 = 42;
const R_ARM_THM_JUMP11 = 102;
const R_ARM_THM_JUMP8 = 103;
/** Relocations between two places of the same segment, which move together: nothing to do at install. */
const PC_RELATIVE = new Set([R_ARM_REL32, R_ARM_THM_CALL, R_ARM_THM_PC8, R_ARM_THM_JUMP24, R_ARM_PREL31, R_ARM_THM_JUMP11, R_ARM_THM_JUMP8]);

export interface FromElfOptions {
    name: string;
    abi: Uint8Array;
    /** The init entry symbol (a Thumb function); default `dl_init` when it exists. */
    init?: string;
    /** Which global symbols to export; default all global symbols of default visibility. */
    exports?: (name: string) => boolean;
    /** The qstr string for a `__dl_qstr_SUFFIX` symbol (undoing the SDK header's name mangling); default SUFFIX. */
    qstrName?: (suffix: string) => string;
}

function blDecode(hi: number, lo: number): number {
    const s = (hi >> 10) & 1;
    const i1 = ~((lo >> 13) ^ s) & 1;
    const i2 = ~((lo >> 11) ^ s) & 1;
    const imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((hi & 0x3ff) << 12) | ((lo & 0x7ff) << 1);
    return s ? imm - (1 << 25) : imm;
}

function blEncode(imm: number): [number, number] {
    const u = imm >>> 0;
    const s = (u >>> 24) & 1;
    const j1 = (~(u >>> 23) & 1) ^ s;
    const j2 = (~(u >>> 22) & 1) ^ s;
    return [0xf000 | (s << 10) | ((u >>> 12) & 0x3ff), 0xd000 | (j1 << 13) | (j2 << 11) | ((u >>> 1) & 0x7ff)];
}

/** Converts the `ld -q` output into a module; refuses what the on-device linker could not place. */
export function moduleFromElf(elfBytes: Uint8Array, opts: FromElfOptions): ModuleSpec {
    const fail = (msg: string): never => {
        throw new ModuleFormatError('elf', msg);
    };
    let elf: ElfFile;
    try {
        elf = parseElf(elfBytes);
    } catch (e) {
        return fail(`not a linked module: ${(e as Error).message}`);
    }
    if (elf.header.type !== ET_EXEC) fail('not linked with -q into an executable (expected ET_EXEC)');
    const byName = (n: string) => elf.sections.find((s) => s.name === n);
    const textSec = byName('.text');
    const dataSec = byName('.data');
    const bssSec = byName('.bss');
    const initSec = byName('.init_array');
    for (const s of elf.sections) {
        if (s.flags & 2 /* SHF_ALLOC */ && s.size > 0 && !['.text', '.data', '.bss', '.init_array'].includes(s.name)) {
            fail(`section ${s.name} is not supported in a module (only .text/.rodata, .data, .bss, .init_array)`);
        }
    }
    const textBase = textSec?.addr ?? MODULE_TEXT_BASE;
    const text = textSec ? Uint8Array.from(sectionData(elf, textSec)) : new Uint8Array(0);
    const dataBase = dataSec?.size ? dataSec.addr : bssSec?.addr ?? MODULE_DATA_BASE;
    const bssBase = bssSec?.size ? bssSec.addr : dataBase + align(dataSec?.size ?? 0, 4);
    const dataSize = align(bssBase - dataBase, 4);
    const data = new Uint8Array(dataSize);
    if (dataSec?.size) data.set(sectionData(elf, dataSec));
    const bssSize = bssSec?.size ?? 0;
    const dataAlign = Math.max(4, dataSec?.size ? dataSec.addralign : 1, bssSec?.size ? bssSec.addralign : 1);
    if (bssBase - dataBase < (dataSec?.size ?? 0) || (bssBase - dataBase) % 4) fail('.bss does not follow .data');

    const segOf = (sec: ElfSection | undefined): Segment | null =>
        sec === textSec ? 'text' : sec === dataSec ? 'data' : sec === bssSec ? 'bss' : null;
    const segBase = (s: Segment) => (s === 'text' ? textBase : s === 'data' ? dataBase : bssBase);
    const symSeg = (sym: ElfSymbol): Segment | null =>
        sym.shndx === SHN_UNDEF || sym.shndx >= 0xff00 ? null : segOf(elf.sections[sym.shndx]);

    const imports: string[] = [];
    const qstrs: string[] = [];
    const index = (list: string[], n: string) => {
        let i = list.indexOf(n);
        if (i < 0) i = list.push(n) - 1;
        if (i > MAX_INDEX) fail('too many imports or qstrs');
        return i;
    };
    const relocs: ModuleRelocation[] = [];
    for (const rs of elf.relocations) {
        const place: Place | null = rs.target === '.text' ? 'text' : rs.target === '.data' ? 'data' : null;
        if (rs.target === '.init_array' || !place) {
            const t = byName(rs.target);
            if (t && t.flags & 2 && rs.target !== '.init_array') fail(`relocations for ${rs.target} are not supported`);
            continue;
        }
        const sec = place === 'text' ? textSec! : dataSec!;
        const buf = place === 'text' ? text : data;
        const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        for (const r of rs.entries) {
            if (r.type === R_ARM_NONE || r.type === R_ARM_V4BX) continue;
            const site = r.offset - sec.addr;
            if (site < 0 || site + 4 > sec.size) fail(`relocation in ${rs.target} at ${hex(r.offset)} outside the section`);
            const sym = elf.symbols[r.symbol];
            const undefinedSym = sym.shndx === SHN_UNDEF && sym.index !== 0;
            const where = `${rs.target}+${hex(site)}${sym.name ? ` (${sym.name})` : ''}`;
            if (r.type === R_ARM_ABS32 || r.type === R_ARM_TARGET1) {
                const w = v.getUint32(site, true);
                if (undefinedSym) {
                    if (sym.name.startsWith(QSTR_SYMBOL_PREFIX) || sym.name.startsWith(QSTR_OBJ_SYMBOL_PREFIX)) {
                        const obj = sym.name.startsWith(QSTR_OBJ_SYMBOL_PREFIX);
                        const q = (opts.qstrName ?? ((x: string) => x))(sym.name.slice(obj ? QSTR_OBJ_SYMBOL_PREFIX.length : QSTR_SYMBOL_PREFIX.length));
                        relocs.push({ offset: site, type: obj ? R_QSTR_OBJ : R_QSTR, place, target: index(qstrs, q) });
                    } else {
                        relocs.push({ offset: site, type: R_ABS32, place, target: index(imports, sym.name) });
                    }
                    v.setUint32(site, (w - sym.value) >>> 0, true);
                    continue;
                }
                if (sym.shndx === SHN_ABS) continue;
                const seg = symSeg(sym) ?? fail(`${where}: refers to a section outside the module`);
                v.setUint32(site, (w - segBase(seg)) >>> 0, true);
                relocs.push({ offset: site, type: R_ABS32, place, target: seg === 'text' ? TARGET_TEXT : seg === 'data' ? TARGET_DATA : TARGET_BSS });
            } else if (PC_RELATIVE.has(r.type)) {
                if (undefinedSym) {
                    if (r.type !== R_ARM_THM_CALL) fail(`${where}: relocation type ${r.type} to an import is not supported (only BL calls and 32-bit words)`);
                    if (sym.name.startsWith(QSTR_SYMBOL_PREFIX) || sym.name.startsWith(QSTR_OBJ_SYMBOL_PREFIX)) fail(`${where}: call to a qstr symbol`);
                    const hi = v.getUint16(site, true);
                    const lo = v.getUint16(site + 2, true);
                    if (!isBl(hi, lo)) fail(`${where}: R_ARM_THM_CALL on an instruction that is not BL`);
                    const addend = blDecode(hi, lo) + (textBase + site) - sym.value;
                    const [nh, nl] = blEncode(addend);
                    v.setUint16(site, nh, true);
                    v.setUint16(site + 2, nl, true);
                    relocs.push({ offset: site, type: R_THM_CALL, place, target: index(imports, sym.name) });
                    continue;
                }
                if (r.type === R_ARM_THM_JUMP24) fail(`${where}: R_ARM_THM_JUMP24 (B.W) does not exist on ARMv6-M`);
                if (sym.shndx === SHN_ABS) fail(`${where}: PC-relative reference to an absolute symbol`);
                const seg = symSeg(sym);
                if (seg !== place) fail(`${where}: PC-relative reference from ${place} to ${seg ?? 'outside the module'} (type ${r.type})`);
            } else {
                fail(`${where}: unsupported relocation type ${r.type}`);
            }
        }
    }

    const ctors: Ref[] = [];
    if (initSec?.size) {
        const iv = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + initSec.offset, initSec.size);
        for (let o = 0; o + 4 <= initSec.size; o += 4) {
            const a = iv.getUint32(o, true);
            if (!(a & 1) || a - 1 < textBase || a - 1 >= textBase + text.length) fail(`.init_array entry ${o / 4} (${hex(a)}) is not a Thumb function in text`);
            ctors.push({ seg: 'text', offset: a - textBase });
        }
    }

    const refOf = (sym: ElfSymbol): Ref | null => {
        const seg = symSeg(sym);
        return seg ? { seg, offset: sym.value - segBase(seg) } : null;
    };
    const globals = elf.symbols.filter((s) => s.bind !== STB_LOCAL && s.type !== STT_SECTION && s.shndx !== SHN_UNDEF && s.visibility === 0 && s.name);
    const wanted = opts.exports ?? (() => true);
    const exports: { name: string; ref: Ref }[] = [];
    for (const s of globals) {
        const ref = refOf(s);
        if (ref && wanted(s.name) && !exports.some((e) => e.name === s.name)) exports.push({ name: s.name, ref });
    }
    const initName = opts.init ?? 'dl_init';
    const initSym = globals.find((s) => s.name === initName);
    if (opts.init && !initSym) fail(`init entry '${opts.init}' is not defined`);
    let init: Ref | null = null;
    if (initSym) {
        init = refOf(initSym);
        if (!init || init.seg !== 'text' || !(init.offset & 1)) fail(`init entry '${initName}' is not a Thumb function`);
    }
    return {
        name: opts.name, abi: opts.abi, text, textAlign: Math.max(4, textSec?.addralign ?? 4), data, dataAlign, bssSize,
        init, imports, exports, ctors, qstrs, relocs,
    };
}
