/**
 * Reading a firmware file for the emulator: a UF2 (RP2040 family) or an ARM ELF executable, turned into
 * the pieces of flash it programs. Formats come from cli/formats; this module adds file I/O and
 * user-facing errors.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { elfToFlashImage, ElfFormatError, parseElf, EM_ARM } from '../formats/elf.js';
import { checkRp2040Uf2, decodeUf2, Uf2FormatError, UF2_FLAG_NOT_MAIN_FLASH } from '../formats/uf2.js';
import { FLASH_BASE, FLASH_SIZE, flashOffset } from '../chip/rp2040.js';
import { MprtError } from '../util/errors.js';

export interface FlashPiece {
    /** Offset from the start of flash (cli/chip/rp2040.ts flashOffset). */
    offset: number;
    data: Uint8Array;
}

export interface Firmware {
    path: string;
    kind: 'uf2' | 'elf';
    pieces: FlashPiece[];
    /** sha256 of the file, hex. */
    sha256: string;
}

/** Decodes firmware bytes; `name` is used in messages. Throws MprtError (exit code 2) on bad input. */
export function decodeFirmware(bytes: Uint8Array, name: string): Omit<Firmware, 'path'> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const isUf2 = bytes.length >= 8 && bytes[0] === 0x55 && bytes[1] === 0x46 && bytes[2] === 0x32 && bytes[3] === 0x0a;
    const isElf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    try {
        if (isUf2) {
            const decoded = decodeUf2(bytes);
            checkRp2040Uf2(decoded);
            const pieces = decoded.blocks
                .filter((b) => !(b.flags & UF2_FLAG_NOT_MAIN_FLASH))
                .map((b) => ({ offset: flashOffset(b.targetAddr), data: b.data }));
            return { kind: 'uf2', pieces, sha256 };
        }
        if (isElf) {
            const elf = parseElf(bytes, { machine: EM_ARM });
            const image = elfToFlashImage(elf, { flashBase: FLASH_BASE, flashSize: FLASH_SIZE });
            if (image.baseAddress !== FLASH_BASE) {
                throw new MprtError(`${name}: its image starts at 0x${image.baseAddress.toString(16)}, not at the start of flash where boot stage 2 must be`, { exitCode: 2 });
            }
            return { kind: 'elf', pieces: [{ offset: 0, data: image.data }], sha256 };
        }
    } catch (err) {
        if (err instanceof Uf2FormatError || err instanceof ElfFormatError) {
            throw new MprtError(`${name}: ${err.message}`, { exitCode: 2, hint: 'give an RP2040 firmware.uf2 or firmware.elf (e.g. from `mprt build`)' });
        }
        throw err;
    }
    throw new MprtError(`${name} is not a firmware file (neither UF2 nor ELF)`, {
        exitCode: 2,
        hint: 'give an RP2040 firmware.uf2 or firmware.elf (e.g. from `mprt build`)',
    });
}

export function loadFirmware(path: string): Firmware {
    if (!existsSync(path)) throw new MprtError(`firmware file ${path} not found`, { exitCode: 2, hint: 'build one with `mprt build`, or give the path of a .uf2/.elf' });
    if (statSync(path).isDirectory()) throw new MprtError(`${path} is a directory, not a firmware file`, { exitCode: 2 });
    return { path, ...decodeFirmware(readFileSync(path), path) };
}
