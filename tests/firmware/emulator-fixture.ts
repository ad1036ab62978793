/**
 * Which firmware the emulator tests run: $MPRT_TEST_FIRMWARE, else our last build (build/pico), else the
 * stock MicroPython reference build (cached by `npm run baseline`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B } from '../../cli/repl/raw-repl.js';
import { stockBuildPaths } from '../../cli/testing/stock.js';
import { repoRoot } from '../../cli/util/paths.js';

export function testFirmware(): string | undefined {
    const candidates: string[] = [];
    if (process.env.MPRT_TEST_FIRMWARE) candidates.push(process.env.MPRT_TEST_FIRMWARE);
    candidates.push(join(repoRoot(), 'build', 'pico', 'firmware.uf2'));
    try {
        candidates.push(stockBuildPaths().uf2);
    } catch {
        // no toolchain or components: only the explicit paths
    }
    return candidates.find((p) => existsSync(p));
}

/** The ELF built with the test firmware, when there is one. */
export function testFirmwareElf(uf2: string): string | undefined {
    const candidates = [uf2.replace(/\.uf2$/, '.elf')];
    try {
        const stock = stockBuildPaths();
        if (uf2 === stock.uf2) candidates.push(stock.elf);
    } catch {
        // no stock paths
    }
    return candidates.find((p) => p.endsWith('.elf') && existsSync(p));
}

export const mprtBin = join(repoRoot(), 'bin', 'mprt.js');

/** A booted board at the friendly REPL (lines typed at it run at once), its output so far drained. */
export async function openFriendlyBoard(firmware: string): Promise<Rp2040Board> {
    const board = await openBoard({ firmware });
    await board.boot();
    board.write(CTRL_B);
    await board.readUntil('>>> ', { timeoutMs: 2000 });
    board.drain();
    return board;
}
