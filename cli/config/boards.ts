/** Boards mprt can build, from ports/rp2/boards/<name>/board.json. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';

export interface Board {
    name: string;
    description: string;
    /** MICROPY_HW_BOARD_NAME (shown in the banner and os.uname()). */
    boardName: string;
    /** pico-sdk's PICO_BOARD (its board header). */
    picoBoard: string;
    flashBytes: number;
    /** Printed by `mprt build` (e.g. what the board lacks). */
    notes: string[];
    /** Option values that differ from the schema defaults for this board. */
    defaults?: Record<string, unknown>;
    dir: string;
}

export function boardsDir(): string {
    return join(repoRoot(), 'ports', 'rp2', 'boards');
}

export function listBoards(): string[] {
    return readdirSync(boardsDir()).filter((d) => existsSync(join(boardsDir(), d, 'board.json'))).sort();
}

export function loadBoard(name: string): Board {
    const dir = join(boardsDir(), name);
    const file = join(dir, 'board.json');
    if (!/^[a-z0-9_]+$/.test(name) || !existsSync(file)) {
        throw new MprtError(`unknown board '${name}'`, { hint: `boards: ${listBoards().join(', ')}`, exitCode: 2 });
    }
    return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Board, 'dir'>), dir };
}
