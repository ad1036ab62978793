/**
 * node:test hooks shared by the emulator tests (kept apart from emulator-fixture.ts, which benches import
 * too): a board booted for the tests of a describe() (with its USB network link, too), and tests that must
 * fail on the stock firmware.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBoard, type OpenBoardOptions, type Rp2040Board } from '../../cli/emulator/board.js';
import { openLinkedBoard } from './net-host.js';

export type LinkedBoard = Awaited<ReturnType<typeof openLinkedBoard>>;

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

/**
 * In the describe() it is called in: a booted board whose USB network link is bridged to TAP device
 * `tapName` (openLinkedBoard), made before its tests and handed to `set`; closed after them (device,
 * namespace and board), then `cleanup`.
 */
export function linkedBoard(firmware: string, tapName: string, hostCidr: string, set: (linked: LinkedBoard) => void, cleanup?: () => void): void {
    let linked: LinkedBoard | undefined;
    before(async () => {
        linked = await openLinkedBoard(firmware, tapName, hostCidr);
        set(linked);
    });
    after(async () => {
        await linked?.close();
        cleanup?.();
    });
}
