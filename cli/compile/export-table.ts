/**
 * `<out>/sdk/exports.json`: the firmware's export table as module builds see it (`mprt pack-module`
 * resolves a module's undefined symbols against it). Read back from the linked firmware, not from
 * the list it was generated from, so it states what the firmware really carries: the table
 * `mprt_exports` (templates/mprt_exports.c.hbs), its names and addresses, and `mprt_abi_id`.
 */
import type { RtosKernel } from '../config/load.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSymbol, parseElf, SHF_ALLOC, SHT_NOBITS, STB_LOCAL, STT_FUNC, STT_OBJECT, type ElfFile } from '../formats/elf.js';
import { FLASH_BASE } from '../chip/rp2040.js';
import { writeIfChanged } from '../generate/write.js';
import { MprtError } from '../util/errors.js';
import { abiHex, ABI_ID_LEN } from './abi.js';

export interface ExportedSymbol {
    name: string;
    address: number;
    kind: 'func' | 'data';
}

export interface ExportsJson {
    abi: string;
    board: string;
    kernel: RtosKernel;
    /** SHA-256 of firmware.bin. */
    firmware: string;
    symbols: ExportedSymbol[];
}

/** Reads `len` bytes of the firmware's memory image at `addr`; throws when they are not all there. */
export type MemoryReader = (addr: number, len: number) => Uint8Array;

/** The initialised memory of an ELF executable, by virtual address (allocated sections with data). */
export function elfMemory(elf: ElfFile): MemoryReader {
    const secs = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.type !== SHT_NOBITS && s.size > 0);
    return (addr, len) => {
        const s = secs.find((x) => addr >= x.addr && addr + len <= x.addr + x.size);
        if (!s) throw new MprtError(`firmware.elf has no initialised data at 0x${addr.toString(16)} (+${len})`);
        return elf.bytes.subarray(s.offset + addr - s.addr, s.offset + addr - s.addr + len);
    };
}

/** The contents of a flash image (firmware.bin) loaded at `base`. */
export function imageMemory(image: Uint8Array, base = FLASH_BASE): MemoryReader {
    return (addr, len) => {
        if (addr < base || addr + len > base + image.length) {
            throw new MprtError(`the flash image has no byte at 0x${addr.toString(16)} (+${len})`);
        }
        return image.subarray(addr - base, addr - base + len);
    };
}

function u32(b: Uint8Array, off = 0): number {
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function cString(read: MemoryReader, addr: number): string {
    let s = '';
    for (let i = 0; i < 256; i++) {
        const c = read(addr + i, 1)[0]!;
        if (c === 0) return s;
        s += String.fromCharCode(c);
    }
    throw new MprtError(`export name at 0x${addr.toString(16)} is not terminated within 256 bytes`);
}

export interface ExportTable {
    /** Address of `mprt_exports` (the table) in flash. */
    tableAddress: number;
    abi: Uint8Array;
    entries: { name: string; address: number }[];
}

/**
 * Decodes the table the firmware carries: where it is comes from the ELF's symbols, what it holds
 * from `read` (the ELF's sections, or the flash image, to check the two agree).
 */
export function readExportTable(elf: ElfFile, read: MemoryReader = elfMemory(elf)): ExportTable {
    const sym = (name: string) => {
        const s = findSymbol(elf, name);
        if (!s) throw new MprtError(`firmware.elf has no symbol ${name}: the export table (templates/mprt_exports.c.hbs) is not linked in`);
        return s;
    };
    const table = sym('mprt_exports');
    const count = u32(read(sym('mprt_exports_count').value, 4));
    if (count * 8 !== table.size) throw new MprtError(`mprt_exports_count (${count}) does not match the table size (${table.size} bytes)`);
    const abi = new Uint8Array(read(sym('mprt_abi_id').value, ABI_ID_LEN));
    const raw = read(table.value, count * 8);
    const entries = [];
    for (let i = 0; i < count; i++) {
        entries.push({ name: cString(read, u32(raw, i * 8)), address: u32(raw, i * 8 + 4) });
    }
    return { tableAddress: table.value, abi, entries };
}

/**
 * The kind of an exported address, from the ELF symbol it resolved to (the name itself, or the
 * `__wrap_` function a -Wl,--wrap redirected it to). Functions carry the Thumb bit.
 */
export function exportKind(elf: ElfFile, name: string, address: number): 'func' | 'data' {
    for (const n of [name, `__wrap_${name}`]) {
        const s = elf.symbols.find((x) => x.name === n && x.bind !== STB_LOCAL && x.value === address);
        if (s?.type === STT_FUNC) return 'func';
        if (s?.type === STT_OBJECT) return 'data';
    }
    return (address & 1) === 1 ? 'func' : 'data';
}

export function exportsJson(o: { elf: ElfFile; bin: Uint8Array; board: string; kernel: RtosKernel }): ExportsJson {
    const t = readExportTable(o.elf);
    return {
        abi: abiHex(t.abi),
        board: o.board,
        kernel: o.kernel,
        firmware: createHash('sha256').update(o.bin).digest('hex'),
        symbols: t.entries.map((e) => ({ name: e.name, address: e.address, kind: exportKind(o.elf, e.name, e.address) })),
    };
}

/**
 * Writes `<outDir>/sdk/exports.json` from `<outDir>/firmware.elf` and `.bin` (rewritten only when it
 * changes). `expectAbi` (the identity this configuration should have) guards against a stale table.
 */
export function writeExports(o: { outDir: string; board: string; kernel: RtosKernel; expectAbi?: Uint8Array }): ExportsJson {
    const elf = parseElf(new Uint8Array(readFileSync(join(o.outDir, 'firmware.elf'))));
    const bin = new Uint8Array(readFileSync(join(o.outDir, 'firmware.bin')));
    const json = exportsJson({ elf, bin, board: o.board, kernel: o.kernel });
    if (o.expectAbi && json.abi !== abiHex(o.expectAbi)) {
        throw new MprtError(`the firmware's ABI identity ${json.abi} is not this configuration's ${abiHex(o.expectAbi)}: the export table is stale`, {
            hint: 'rebuild (the generated mprt_exports.c did not reach the link)',
        });
    }
    writeIfChanged(join(o.outDir, 'sdk', 'exports.json'), JSON.stringify(json, null, 2) + '\n');
    return json;
}
