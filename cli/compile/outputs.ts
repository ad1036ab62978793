/**
 * The files `mprt build` leaves in the output directory, made from the linked ELF: firmware.elf,
 * .bin, .uf2, .map, compile_commands.json and size.json. Each is written atomically.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FLASH_BASE, UF2_FAMILY_ID } from '../chip/rp2040.js';
import { encodeUf2 } from '../formats/uf2.js';
import { writeAtomic } from '../generate/write.js';

export const OUTPUT_FILES = ['firmware.elf', 'firmware.bin', 'firmware.uf2', 'firmware.map', 'compile_commands.json', 'size.json'] as const;

function copyAtomic(from: string, to: string): void {
    const tmp = `${to}.tmp-${process.pid}`;
    copyFileSync(from, tmp);
    renameSync(tmp, to);
}

export async function writeImageOutputs(o: { cmakeDir: string; outDir: string; objcopy: string }): Promise<{ bin: Uint8Array }> {
    const elf = join(o.cmakeDir, 'firmware.elf');
    const tmpBin = join(o.outDir, `firmware.bin.tmp-${process.pid}`);
    try {
        const { execa } = await import('execa'); // loaded on use: a no-op build starts no process
        await execa(o.objcopy, ['-O', 'binary', elf, tmpBin]);
        renameSync(tmpBin, join(o.outDir, 'firmware.bin'));
    } finally {
        rmSync(tmpBin, { force: true });
    }
    const bin = new Uint8Array(readFileSync(join(o.outDir, 'firmware.bin')));
    writeAtomic(join(o.outDir, 'firmware.uf2'), encodeUf2(bin, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID }));
    copyAtomic(elf, join(o.outDir, 'firmware.elf'));
    copyAtomic(join(o.cmakeDir, 'firmware.map'), join(o.outDir, 'firmware.map'));
    if (existsSync(join(o.cmakeDir, 'compile_commands.json'))) {
        copyAtomic(join(o.cmakeDir, 'compile_commands.json'), join(o.outDir, 'compile_commands.json'));
    }
    return { bin };
}
