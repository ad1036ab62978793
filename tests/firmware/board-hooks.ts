/**
 * node:test hooks shared by the emulator tests (kept apart from emulator-fixture.ts, which benches import
 * too): a board booted for the tests of a describe(), and tests that must fail on the stock firmware.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBoard, type OpenBoardOptions, type Rp2040Board } from '../../cli/emulator/board.js';

/**
 * In the describe() it is called in: a board opened with `options` and booted before its tests (handed to
 * `set` once opened), closed after them, then `cleanup` (e.g. removing the folder of its flash image).
 */
export function bootedBoard(options: OpenBoardOptions, set: (board: Rp2040Board) => void, cleanup?: () => void): void {
    let board: Rp2040Board | undefined;
    before(async () => {
        board = await openBoard(options);
        set(board);
        await board.boot();
    });
    after(async () => {
        await board?.close();
        cleanup?.();
    });
}

/**
 * test(), except that with MPRT_TEST_STOCK=1 (the stock firmware) a test named in `mustFail` is checked to
 * fail there instead.
 */
export function stockCheckedTest(mustFail: ReadonlySet<string>): (name: string, fn: () => Promise<void>) => void {
    const onStock = process.env.MPRT_TEST_STOCK === '1';
    return (name, fn) => {
        test(name, async () => {
            if (onStock && mustFail.has(name)) {
                await assert.rejects(fn(), `"${name}" passed on the stock firmware`);
            } else {
                await fn();
            }
        });
    };
}
