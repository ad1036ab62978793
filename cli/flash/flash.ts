/**
 * `mprt flash` as a library call: pick the file (UF2 or ELF), check it is an RP2040 image that fits the
 * flash, find the BOOTSEL drive, copy the UF2 to it with fsync, read it back where the drive still shows it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { elfToFlashImage, ElfFormatError, parseElf } from '../formats/elf.js';
import { FLASH_SIZE, UF2_FAMILY_ID } from '../chip/rp2040.js';
import { checkRp2040Uf2, decodeUf2, encodeUf2, Uf2FormatError } from '../formats/uf2.js';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';
import { findBootselDrives, readDrive, RP2040_BOARD_ID, type BootselDrive, type SearchOptions } from './drive.js';

export const BOOTSEL_HINT =
    'hold the BOOTSEL button while plugging the Pico into USB (or while pressing RESET, if your board has one): ' +
    `it shows up as a USB drive named ${RP2040_BOARD_ID}; mount it if your system does not, or pass --drive PATH`;

/** The firmware of the last `mprt build`: `firmware` in build/.last-build.json (under cwd, else the repo). */
export function lastBuiltFirmware(cwd = process.cwd()): string {
    for (const base of [cwd, repoRoot()]) {
        const f = join(base, 'build', '.last-build.json');
        if (!existsSync(f)) continue;
        const rec = JSON.parse(readFileSync(f, 'utf8')) as { firmware?: string };
        if (rec.firmware) return resolve(dirname(dirname(f)), rec.firmware);
    }
    throw new MprtError('no file given and no previous build found (build/.last-build.json)', {
        hint: 'run `npx mprt build --board pico` first, or give the file: `mprt flash path/to/firmware.uf2`',
        exitCode: 2,
    });
}

/** The UF2 bytes to write for `file`: a UF2 as is, an ELF converted from its flash-resident PT_LOAD segments. */
export function loadFlashFile(file: string, flashSize = FLASH_SIZE): { uf2: Uint8Array; blocks: number; bytes: number; converted: boolean } {
    if (!existsSync(file)) throw new MprtError(`file not found: ${file}`, { hint: 'give a firmware.uf2 (or .elf), or run `npx mprt build`', exitCode: 2 });
    const raw = new Uint8Array(readFileSync(file));
    let uf2 = raw;
    let converted = false;
    if (raw[0] === 0x7f && raw[1] === 0x45 && raw[2] === 0x4c && raw[3] === 0x46) {
        try {
            const img = elfToFlashImage(parseElf(raw), { flashSize });
            uf2 = encodeUf2(img.data, { baseAddress: img.baseAddress, familyId: UF2_FAMILY_ID });
            converted = true;
        } catch (e) {
            if (e instanceof ElfFormatError) throw new MprtError(`${file}: cannot flash this ELF: ${e.message}`, { exitCode: 2 });
            throw e;
        }
    }
    try {
        const dec = decodeUf2(uf2);
        checkRp2040Uf2(dec, { flashSize });
        return { uf2, blocks: dec.numBlocks, bytes: dec.payloadBytes, converted };
    } catch (e) {
        if (e instanceof Uf2FormatError) {
            throw new MprtError(`${file}: not a flashable RP2040 UF2: ${e.message}`, {
                hint: 'flash the firmware.uf2 (or firmware.elf) that `mprt build` wrote',
                exitCode: 2,
            });
        }
        throw e;
    }
}

/** The BOOTSEL drive to write to: `--drive` if given (checked), else the only one mounted. */
export function chooseDrive(drivePath: string | undefined, search: SearchOptions = {}): BootselDrive {
    if (drivePath) {
        if (!existsSync(drivePath)) throw new MprtError(`--drive ${drivePath} does not exist`, { hint: BOOTSEL_HINT, exitCode: 2 });
        const d = readDrive(drivePath);
        if (!d) throw new MprtError(`${drivePath} is not a UF2 bootloader drive (no INFO_UF2.TXT)`, { hint: BOOTSEL_HINT, exitCode: 2 });
        if (d.boardId !== RP2040_BOARD_ID) {
            throw new MprtError(`${drivePath} is a UF2 drive for another board (Board-ID: ${d.boardId || 'none'}), not an RP2040 (${RP2040_BOARD_ID})`, { exitCode: 2 });
        }
        return d;
    }
    const { drives, others, searched } = findBootselDrives(search);
    if (drives.length === 1) return drives[0];
    if (drives.length > 1) {
        throw new MprtError(`${drives.length} RP2040 BOOTSEL drives are mounted: ${drives.map((d) => d.path).join(', ')}`, {
            hint: 'choose one with --drive PATH',
            exitCode: 2,
        });
    }
    const other = others.length ? ` (found UF2 drives of other boards: ${others.map((d) => `${d.path} Board-ID ${d.boardId}`).join(', ')})` : '';
    throw new MprtError(`no RP2040 BOOTSEL drive found${other}; looked in: ${searched.join('; ')}`, { hint: BOOTSEL_HINT, exitCode: 3 });
}

export interface FlashResult {
    file: string;
    drive: string;
    target: string;
    blocks: number;
    bytes: number;
    uf2Bytes: number;
    convertedFromElf: boolean;
    /** 'read back' when the drive still showed the file and its bytes matched; 'board rebooted' when it was gone. */
    verified: 'read back' | 'board rebooted';
    seconds: number;
}

/** Writes `uf2` as NEW.UF2 on the drive with fsync, then reads it back if the drive still shows it. */
export function writeUf2ToDrive(uf2: Uint8Array, drive: string): { target: string; verified: FlashResult['verified'] } {
    const target = join(drive, 'NEW.UF2');
    let fd: number;
    try {
        fd = openSync(target, 'w');
    } catch (e) {
        throw new MprtError(`cannot create ${target}: ${(e as Error).message}`, { hint: 'is the drive mounted writable? ' + BOOTSEL_HINT });
    }
    try {
        let off = 0;
        // whole blocks at a time; the board starts flashing as blocks arrive
        while (off < uf2.length) off += writeSync(fd, uf2, off, Math.min(64 * 1024, uf2.length - off));
        fsyncSync(fd);
    } catch (e) {
        throw new MprtError(`writing ${target} failed after a partial copy: ${(e as Error).message}`, {
            hint: 'the board keeps its old firmware until a complete UF2 arrives: put it in BOOTSEL mode again and retry',
        });
    } finally {
        try {
            closeSync(fd);
        } catch {
            // the board may already have rebooted and the drive gone away
        }
    }
    let back: Buffer;
    try {
        back = readFileSync(target);
    } catch {
        return { target, verified: 'board rebooted' };
    }
    if (back.length !== uf2.length || !back.equals(Buffer.from(uf2.buffer, uf2.byteOffset, uf2.byteLength))) {
        throw new MprtError(`read-back of ${target} differs from what was written (${back.length} of ${uf2.length} bytes)`, {
            hint: 'the copy is damaged: put the board in BOOTSEL mode again and retry',
        });
    }
    return { target, verified: 'read back' };
}

export function flash(file: string, opts: { drive?: string; search?: SearchOptions; flashSize?: number } = {}): FlashResult {
    const start = process.hrtime.bigint();
    const img = loadFlashFile(file, opts.flashSize);
    const drive = chooseDrive(opts.drive, opts.search);
    const w = writeUf2ToDrive(img.uf2, drive.path);
    return {
        file,
        drive: drive.path,
        target: w.target,
        blocks: img.blocks,
        bytes: img.bytes,
        uf2Bytes: img.uf2.length,
        convertedFromElf: img.converted,
        verified: w.verified,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
    };
}

export function formatFlashResult(r: FlashResult): string {
    return (
        `flashed ${r.file}${r.convertedFromElf ? ' (converted from ELF)' : ''} to ${r.drive}: ` +
        `${r.blocks} blocks, ${r.bytes} bytes of flash, ${r.seconds.toFixed(2)} s; ` +
        (r.verified === 'read back' ? 'read back and verified' : 'the board rebooted into the new firmware')
    );
}
