/**
 * Which firmware the emulator tests run: $MPRT_TEST_FIRMWARE, else our last build (build/pico), else the
 * stock MicroPython reference build (cached by `npm run baseline`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B, CTRL_D } from '../../cli/repl/raw-repl.js';
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

/** The region `name` of the firmware's flash map (the size.json next to it), or why a test cannot use it. */
export function flashRegion(firmware: string | undefined, name: string): { offset: number; size: number } | string {
    if (!firmware) return 'no firmware to run';
    const sizeJson = join(dirname(firmware), 'size.json');
    if (!existsSync(sizeJson)) return `no size.json next to ${firmware}`;
    const map = (JSON.parse(readFileSync(sizeJson, 'utf8')) as { flashMap?: { name: string; offset: number; size: number }[] }).flashMap;
    return map?.find((r) => r.name === name) ?? `${sizeJson} has no ${name} region`;
}

export const mprtBin = join(repoRoot(), 'bin', 'mprt.js');

/** A booted board at the friendly REPL (lines typed at it run at once), its output so far drained. */
export async function openFriendlyBoard(firmware: string): Promise<Rp2040Board> {
    const board = await openBoard({ firmware });
    await board.boot();
    await friendlyPrompt(board);
    return board;
}

/** Ctrl-B: from the raw REPL to the friendly one, waited for until its prompt, the output drained. */
export async function friendlyPrompt(board: Rp2040Board): Promise<void> {
    board.write(CTRL_B);
    await board.readUntil('>>> ', { timeoutMs: 2000 });
    board.drain();
}

/**
 * A soft reset (Ctrl-D at the friendly REPL) waited for until the new VM's banner and prompt (for at most
 * `timeoutMs` of emulated time), the output drained.
 */
export async function softReset(board: Rp2040Board, timeoutMs = 3000): Promise<void> {
    await friendlyPrompt(board);
    board.write(CTRL_D);
    await board.readUntil(/MPY: soft reboot[\s\S]*MicroPython v[\s\S]*>>> /, { timeoutMs });
    board.drain();
}

/** Lets `ms` of emulated time pass with nothing on the console. */
export async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}
