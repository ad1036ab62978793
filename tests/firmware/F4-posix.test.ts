/**
 * lib/posix in the firmware, driven from the host through the emulator (F4): a thread blocked in
 * os.read leaves the CPU idle (it is not scheduled while nothing happens), console bytes sent by the
 * harness at a known emulated time wake an os.read(0, n) on fds 0-2, and Ctrl-C ends a blocked
 * os.read with KeyboardInterrupt; select.select over a pipe, an eventfd and the console (fd 0) sleeps
 * with the CPU idle until the harness sends a console byte, and returns it. The .py tests of tests/firmware/F4-posix run with `mprt test`.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B, CTRL_C } from '../../cli/repl/raw-repl.js';
import { testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();
const skip = firmware ? false : 'no firmware to run';

/** Lets emulated time pass with nothing on the console. */
async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

describe('F4: fds in the firmware', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
        board.write(CTRL_B); // the friendly REPL: lines typed at it run at once
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        board.drain();
    });
    after(async () => board?.close());

    test('a main thread blocked in os.read on an empty pipe leaves the CPU idle; Ctrl-C ends the read', async () => {
        board.write('import os; r, w = os.pipe(); os.read(r, 1)\r');
        await idle(board, 100);
        const a = board.cycles();
        await idle(board, 1000);
        const b = board.cycles();
        const share = (b.waiting - a.waiting) / (b.total - a.total);
        console.log(`# idle share while blocked in os.read: ${(share * 100).toFixed(3)} % of ${b.total - a.total} cycles`);
        assert.ok(share >= 0.99, `idle share ${share}`);
        board.write(CTRL_C);
        const out = await board.readUntil(/KeyboardInterrupt[\s\S]*>>> /, { timeoutMs: 1000 });
        assert.match(out, /KeyboardInterrupt/);
        board.write('print(os.write(w, b"x"), os.read(r, 5)); os.close(r); os.close(w)\r');
        const r = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.match(r, /1 b'x'/);
    });

    test('os.read(0, n) returns the console bytes the harness sends, when it sends them', async () => {
        board.drain();
        board.write('import os, time; t0 = time.ticks_ms(); got = os.read(0, 5); dt = time.ticks_diff(time.ticks_ms(), t0)\r');
        await idle(board, 300);
        board.write('hello');
        await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        board.drain();
        board.write('print(got, 250 <= dt < 400)\r');
        const out = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.match(out, /b'hello' True/);
    });

    test('select over a pipe, an eventfd and the console: idle until the harness types, then fd 0 is ready', async () => {
        board.drain();
        board.write('import os, select, time; r, w = os.pipe(); e = os.eventfd(0); t0 = time.ticks_ms(); ready = select.select([r, e, 0], [], []); dt = time.ticks_diff(time.ticks_ms(), t0); ch = os.read(0, 1)\r');
        await idle(board, 100);
        const a = board.cycles();
        await idle(board, 1000);
        const b = board.cycles();
        const share = (b.waiting - a.waiting) / (b.total - a.total);
        console.log(`# idle share while blocked in select: ${(share * 100).toFixed(3)} % of ${b.total - a.total} cycles`);
        assert.ok(share >= 0.99, `idle share ${share}`);
        board.write('k');
        await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        board.drain();
        board.write('print(ready, 1000 <= dt < 1300, ch); os.close(r); os.close(w); os.close(e)\r');
        const out = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.match(out, /\(\[0\], \[\], \[\]\) True b'k'/);
    });
});
