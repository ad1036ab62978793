/**
 * Where the runner gets emulated boards from: the emulator's openBoard (cli/emulator/board.ts).
 */
import { openBoard } from '../emulator/board.js';
import type { BoardOptions, EmulatedBoard } from '../emulator/types.js';

export type CreateBoard = (opts: BoardOptions) => Promise<EmulatedBoard>;

export async function loadCreateBoard(): Promise<CreateBoard> {
    return openBoard;
}
