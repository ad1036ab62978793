/**
 * UF2 writer and strict reader (pure: no fs, no processes).
 *
 * A UF2 file is a sequence of independent 512-byte blocks. Each block is little-endian:
 *   0  magicStart0 (0x0A324655, "UF2\n")     16  payloadSize (bytes of data used, ≤ 476)
 *   4  magicStart1 (0x9E5D5157)               20  blockNo (0-based)
 *   8  flags                                  24  numBlocks (same in every block)
 *  12  targetAddr                             28  familyID (flag 0x2000) or fileSize (flag 0x1000) or 0
 *  32  data[476]  (payload, then zeros)      508  magicEnd (0x0AB16F30)
 * The RP2040 boot ROM accepts only 256-byte payloads at 256-byte aligned flash addresses with the RP2040
 * family ID; `checkRp2040Uf2` checks those rules on a decoded file (the chip's numbers: cli/chip/rp2040.ts).
 */
import { FLASH_BASE, FLASH_PAGE_SIZE, FLASH_SIZE, hex32, UF2_FAMILY_ID } from '../chip/rp2040.js';

export const UF2_BLOCK_SIZE = 512;
export const UF2_MAGIC_START0 = 0x0a324655;
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_MAX_PAYLOAD = 476;

export const UF2_FLAG_NOT_MAIN_FLASH = 0x00000001;
export const UF2_FLAG_FILE_CONTAINER = 0x00001000;
export const UF2_FLAG_FAMILY_ID_PRESENT = 0x00002000;
export const UF2_FLAG_MD5_PRESENT = 0x00004000;
export const UF2_FLAG_EXTENSION_TAGS = 0x00008000;
const KNOWN_FLAGS =
    UF2_FLAG_NOT_MAIN_FLASH | UF2_FLAG_FILE_CONTAINER | UF2_FLAG_FAMILY_ID_PRESENT | UF2_FLAG_MD5_PRESENT | UF2_FLAG_EXTENSION_TAGS;

/** A malformed or unacceptable UF2 file. `block` is the 0-based block index in the file, `field` the header field. */
export class Uf2FormatError extends Error {
    readonly block?: number;
    readonly field?: string;

    constructor(message: string, where: { block?: number; field?: string } = {}) {
        const prefix = where.block === undefined ? '' : `block ${where.block}${where.field ? ` (${where.field})` : ''}: `;
        super(prefix + message);
        this.name = 'Uf2FormatError';
        this.block = where.block;
        this.field = where.field;
    }
}

export interface Uf2Block {
    /** Position of the block in the file (0-based). */
    index: number;
    flags: number;
    targetAddr: number;
    payloadSize: number;
    blockNo: number;
    numBlocks: number;
    /** Present when flags has 0x2000. */
    familyId: number | undefined;
    /** The payload (a view into the input bytes). */
    data: Uint8Array;
}

export interface Uf2Range {
    /** First address (inclusive). */
    start: number;
    /** Last address + 1 (exclusive). */
    end: number;
}

export interface Uf2Decoded {
    familyId: number | undefined;
    numBlocks: number;
    blocks: Uf2Block[];
    /** Contiguous address ranges covered by main-flash blocks, sorted, merged where they touch. */
    ranges: Uf2Range[];
    /** Total payload bytes of main-flash blocks. */
    payloadBytes: number;
}

export interface FlatImage {
    baseAddress: number;
    data: Uint8Array;
}

function isU32(n: number): boolean {
    return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

const hex = hex32;

/** Encodes a flat image at `baseAddress` as UF2: one block per `payloadSize` (256) bytes, last one zero-padded. */
export function encodeUf2(data: Uint8Array, opts: { baseAddress: number; familyId?: number; payloadSize?: 256 }): Uint8Array {
    const payloadSize = opts.payloadSize ?? 256;
    if (payloadSize !== 256) throw new RangeError(`UF2 payload size must be 256, not ${String(payloadSize)}`);
    if (!isU32(opts.baseAddress)) throw new RangeError(`UF2 base address ${String(opts.baseAddress)} is not a 32-bit address`);
    if (opts.familyId !== undefined && !isU32(opts.familyId)) throw new RangeError(`UF2 family ID ${String(opts.familyId)} is not 32-bit`);
    if (data.length === 0) throw new RangeError('cannot encode an empty image as UF2');
    if (opts.baseAddress + data.length > 0x100000000) throw new RangeError('UF2 image runs past the end of the 32-bit address space');

    const numBlocks = Math.ceil(data.length / payloadSize);
    const out = new Uint8Array(numBlocks * UF2_BLOCK_SIZE);
    const view = new DataView(out.buffer);
    const flags = opts.familyId === undefined ? 0 : UF2_FLAG_FAMILY_ID_PRESENT;
    for (let i = 0; i < numBlocks; i++) {
        const at = i * UF2_BLOCK_SIZE;
        view.setUint32(at + 0, UF2_MAGIC_START0, true);
        view.setUint32(at + 4, UF2_MAGIC_START1, true);
        view.setUint32(at + 8, flags, true);
        view.setUint32(at + 12, opts.baseAddress + i * payloadSize, true);
        view.setUint32(at + 16, payloadSize, true);
        view.setUint32(at + 20, i, true);
        view.setUint32(at + 24, numBlocks, true);
        view.setUint32(at + 28, opts.familyId ?? 0, true);
        out.set(data.subarray(i * payloadSize, (i + 1) * payloadSize), at + 32);
        view.setUint32(at + 508, UF2_MAGIC_END, true);
    }
    return out;
}

/**
 * Decodes and validates a UF2 file. Strict: the length is a multiple of 512, every block has the three magic
 * numbers, known flags, a payload ≤ 476 bytes (≤ 452 with an MD5), block numbers 0..numBlocks-1 in file order,
 * the same numBlocks and family everywhere, no overlapping target ranges. With `familyId` given, every block
 * must carry that family. File-container UF2s (files, not flash) are rejected.
 */
export function decodeUf2(bytes: Uint8Array, opts: { familyId?: number } = {}): Uf2Decoded {
    if (bytes.length === 0) throw new Uf2FormatError('empty file: not a UF2 file');
    if (bytes.length < UF2_BLOCK_SIZE) {
        throw new Uf2FormatError(`file is ${bytes.length} bytes, shorter than one 512-byte UF2 block: not a UF2 file (or truncated)`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== UF2_MAGIC_START0 || view.getUint32(4, true) !== UF2_MAGIC_START1) {
        throw new Uf2FormatError('bad magic numbers: not a UF2 file', { block: 0, field: 'magicStart' });
    }
    if (bytes.length % UF2_BLOCK_SIZE !== 0) {
        throw new Uf2FormatError(
            `file is ${bytes.length} bytes, not a multiple of 512: truncated after block ${Math.floor(bytes.length / UF2_BLOCK_SIZE) - 1}`,
        );
    }

    const count = bytes.length / UF2_BLOCK_SIZE;
    const blocks: Uf2Block[] = [];
    let numBlocks = -1;
    let familyId: number | undefined;
    for (let index = 0; index < count; index++) {
        const at = index * UF2_BLOCK_SIZE;
        const where = (field: string) => ({ block: index, field });
        const m0 = view.getUint32(at, true);
        const m1 = view.getUint32(at + 4, true);
        if (m0 !== UF2_MAGIC_START0) throw new Uf2FormatError(`bad magic ${hex(m0)}, expected ${hex(UF2_MAGIC_START0)}`, where('magicStart0'));
        if (m1 !== UF2_MAGIC_START1) throw new Uf2FormatError(`bad magic ${hex(m1)}, expected ${hex(UF2_MAGIC_START1)}`, where('magicStart1'));
        const me = view.getUint32(at + 508, true);
        if (me !== UF2_MAGIC_END) throw new Uf2FormatError(`bad magic ${hex(me)}, expected ${hex(UF2_MAGIC_END)}`, where('magicEnd'));

        const flags = view.getUint32(at + 8, true);
        if ((flags & ~KNOWN_FLAGS) !== 0) throw new Uf2FormatError(`unknown flag bits ${hex(flags & ~KNOWN_FLAGS)}`, where('flags'));
        if (flags & UF2_FLAG_FILE_CONTAINER) {
            throw new Uf2FormatError('file-container block (holds a file, not a flash image): not supported', where('flags'));
        }
        const targetAddr = view.getUint32(at + 12, true);
        const payloadSize = view.getUint32(at + 16, true);
        const maxPayload = flags & UF2_FLAG_MD5_PRESENT ? UF2_MAX_PAYLOAD - 24 : UF2_MAX_PAYLOAD;
        if (payloadSize === 0 || payloadSize > maxPayload) {
            throw new Uf2FormatError(`payload size ${payloadSize} is outside 1..${maxPayload}`, where('payloadSize'));
        }
        if (targetAddr + payloadSize > 0x100000000) {
            throw new Uf2FormatError(`payload at ${hex(targetAddr)} runs past the 32-bit address space`, where('targetAddr'));
        }
        const blockNo = view.getUint32(at + 20, true);
        const nb = view.getUint32(at + 24, true);
        if (numBlocks === -1) {
            if (nb === 0) throw new Uf2FormatError('numBlocks is 0', where('numBlocks'));
            if (nb !== count) {
                throw new Uf2FormatError(
                    `numBlocks says ${nb} but the file holds ${count} blocks (${nb > count ? 'truncated' : 'trailing blocks'})`,
                    where('numBlocks'),
                );
            }
            numBlocks = nb;
        } else if (nb !== numBlocks) {
            throw new Uf2FormatError(`numBlocks ${nb} differs from block 0's ${numBlocks}`, where('numBlocks'));
        }
        if (blockNo !== index) {
            throw new Uf2FormatError(
                blockNo < index ? `blockNo ${blockNo} repeats an earlier block` : `blockNo ${blockNo} is out of order (expected ${index})`,
                where('blockNo'),
            );
        }
        const fam = flags & UF2_FLAG_FAMILY_ID_PRESENT ? view.getUint32(at + 28, true) : undefined;
        if (index === 0) {
            familyId = fam;
        } else if (fam !== familyId) {
            throw new Uf2FormatError(
                `family ${fam === undefined ? 'absent' : hex(fam)} differs from block 0's ${familyId === undefined ? 'absent' : hex(familyId)}`,
                where('familyID'),
            );
        }
        if (opts.familyId !== undefined && fam !== opts.familyId) {
            throw new Uf2FormatError(
                `family ${fam === undefined ? 'absent' : hex(fam)}, expected ${hex(opts.familyId)}${familyName(opts.familyId)}`,
                where('familyID'),
            );
        }
        blocks.push({
            index,
            flags,
            targetAddr,
            payloadSize,
            blockNo,
            numBlocks: nb,
            familyId: fam,
            data: bytes.subarray(at + 32, at + 32 + payloadSize),
        });
    }

    const flash = blocks.filter((b) => (b.flags & UF2_FLAG_NOT_MAIN_FLASH) === 0).sort((a, b) => a.targetAddr - b.targetAddr);
    const ranges: Uf2Range[] = [];
    let payloadBytes = 0;
    for (let i = 0; i < flash.length; i++) {
        const b = flash[i];
        if (i > 0) {
            const prev = flash[i - 1];
            if (prev.targetAddr + prev.payloadSize > b.targetAddr) {
                throw new Uf2FormatError(
                    `payload ${hex(b.targetAddr)}..${hex(b.targetAddr + b.payloadSize)} overlaps block ${prev.index}'s ${hex(prev.targetAddr)}..${hex(prev.targetAddr + prev.payloadSize)}`,
                    { block: Math.max(b.index, prev.index), field: 'targetAddr' },
                );
            }
        }
        payloadBytes += b.payloadSize;
        const last = ranges[ranges.length - 1];
        if (last && last.end === b.targetAddr) last.end += b.payloadSize;
        else ranges.push({ start: b.targetAddr, end: b.targetAddr + b.payloadSize });
    }
    return { familyId, numBlocks, blocks, ranges, payloadBytes };
}

function familyName(id: number): string {
    return id === UF2_FAMILY_ID ? ' (RP2040)' : '';
}

/**
 * The flat image spanned by the main-flash blocks of a decoded UF2: from the lowest to the highest address,
 * gaps filled with `fill` (default 0, as objcopy -O binary does).
 */
export function uf2ToImage(decoded: Uf2Decoded, opts: { fill?: number } = {}): FlatImage {
    if (decoded.ranges.length === 0) throw new Uf2FormatError('no main-flash blocks: nothing to write to flash');
    const baseAddress = decoded.ranges[0].start;
    const end = decoded.ranges[decoded.ranges.length - 1].end;
    const data = new Uint8Array(end - baseAddress);
    if (opts.fill) data.fill(opts.fill);
    for (const b of decoded.blocks) {
        if (b.flags & UF2_FLAG_NOT_MAIN_FLASH) continue;
        data.set(b.data, b.targetAddr - baseAddress);
    }
    return { baseAddress, data };
}

/** decodeUf2 + uf2ToImage. */
export function uf2ToFlatImage(bytes: Uint8Array, opts: { familyId?: number; fill?: number } = {}): FlatImage {
    return uf2ToImage(decodeUf2(bytes, { familyId: opts.familyId }), { fill: opts.fill });
}

/**
 * Checks what the RP2040 boot ROM requires of a UF2 to be flashed: the RP2040 family, 256-byte payloads at
 * 256-byte aligned addresses, everything inside the flash (default: the Pico's 2 MB), and (unless
 * `allowPartial`, for a file that only updates a region) a first block at the start of flash, where boot
 * stage 2 must be. Throws Uf2FormatError naming the offending block.
 */
export function checkRp2040Uf2(decoded: Uf2Decoded, opts: { flashSize?: number; allowPartial?: boolean } = {}): void {
    const flashSize = opts.flashSize ?? FLASH_SIZE;
    const flashEnd = FLASH_BASE + flashSize;
    if (decoded.familyId !== UF2_FAMILY_ID) {
        throw new Uf2FormatError(
            `family ${decoded.familyId === undefined ? 'absent' : hex(decoded.familyId)} is not RP2040 (${hex(UF2_FAMILY_ID)}): the board would ignore this file`,
            { block: 0, field: 'familyID' },
        );
    }
    for (const b of decoded.blocks) {
        if (b.flags & UF2_FLAG_NOT_MAIN_FLASH) continue;
        if (b.payloadSize !== FLASH_PAGE_SIZE) throw new Uf2FormatError(`payload size ${b.payloadSize}: the RP2040 accepts only ${FLASH_PAGE_SIZE}`, { block: b.index, field: 'payloadSize' });
        if (b.targetAddr % FLASH_PAGE_SIZE !== 0) throw new Uf2FormatError(`address ${hex(b.targetAddr)} is not ${FLASH_PAGE_SIZE}-byte aligned`, { block: b.index, field: 'targetAddr' });
        if (b.targetAddr < FLASH_BASE || b.targetAddr + b.payloadSize > flashEnd) {
            throw new Uf2FormatError(
                `address ${hex(b.targetAddr)} is outside the ${flashSize / 1024} KB flash ${hex(FLASH_BASE)}..${hex(flashEnd)}`,
                { block: b.index, field: 'targetAddr' },
            );
        }
    }
    if (decoded.ranges.length === 0) throw new Uf2FormatError('no main-flash blocks: nothing to write to flash');
    if (!opts.allowPartial && decoded.ranges[0].start !== FLASH_BASE) {
        throw new Uf2FormatError(`image does not start at the beginning of flash (${hex(FLASH_BASE)}), where boot stage 2 must be`);
    }
}
