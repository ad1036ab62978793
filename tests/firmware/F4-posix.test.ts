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
import { CTRL_B, CTRL_C, CTRL_D } from '../../cli/repl/raw-repl.js';
import { openFriendlyBoard, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();
const skip = firmware ? false : 'no firmware to run';

/** Lets emulated time pass with nothing on the console. */
async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

describe('F4: fds in the firmware', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openFriendlyBoard(firmware!);
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

/**
 * stdout and stderr are fds 1 and 2 (ports/rp2/posix/mp_stdio.c): the REPL's tracebacks go to fd 2 and its
 * results to fd 1, so os.dup2 captures them; the REPL's own prompt stays on the console, so it stays
 * usable with fd 1 on a full pipe (Ctrl-C ends a blocked print) and with fd 2 on a full pipe (the
 * traceback is dropped after 500 ms); a soft reset puts fds 0-2 back on the console before its message;
 * the raw REPL's framing (mpremote, `mprt test`) is unchanged while fd 2 is redirected, and its tracebacks
 * name OSError's subclasses OSError (mpremote recognises filesystem errors by that text).
 * With MPRT_TEST_STOCK=1 (the stock firmware, no fds) each of these is checked to fail.
 */
describe('F4: stdout and stderr are fds 1 and 2', { skip }, () => {
    const onStock = process.env.MPRT_TEST_STOCK === '1';
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
        board.write(CTRL_B);
        await board.readUntil(/for more information\.\r\n>>> $/, { timeoutMs: 2000 });
        board.drain();
    });
    after(async () => board?.close());

    /** Types a line at the friendly REPL; returns what the console shows after its echo, until the next prompt. */
    async function line(text: string, timeoutMs = 2000): Promise<string> {
        board.write(text + '\r');
        const out = (await board.readUntil(/>>> $/, { timeoutMs })).replace(/\r\n/g, '\n');
        const lines = text.split('\r').length;
        return out.split('\n').slice(lines).join('\n');
    }

    function stdioTest(name: string, fn: () => Promise<void>): void {
        test(name, async () => {
            if (onStock) {
                await assert.rejects(fn(), `"${name}" passed on the stock firmware`);
            } else {
                await fn();
            }
        });
    }

    stdioTest('the REPL writes a traceback to fd 2 and a result to fd 1: both captured by os.dup2', async () => {
        await line('import os; r, w = os.pipe(); so = os.dup(1); se = os.dup(2); _ = os.dup2(w, 2)');
        const raised = await line('1/0');
        assert.doesNotMatch(raised, /Traceback|ZeroDivisionError/);
        assert.match(await line('_ = os.dup2(se, 2); print(os.read(r, 200))'),
            /b'Traceback \(most recent call last\):\\n {2}File "<stdin>", line 1, in <module>\\nZeroDivisionError: divide by zero\\n'/);
        await line('_ = os.dup2(w, 1)');
        const quiet = await line('6 * 7; print("printed")');
        assert.doesNotMatch(quiet, /42|printed/);
        assert.match(await line('_ = os.dup2(so, 1); print(os.read(r, 200))'), /b'42\\nprinted\\n'/);
        assert.match(await line('print("console again")'), /console again\n/);
        assert.match(await line('open("/no-such-file")'), /\nFileNotFoundError: \[Errno 2\] ENOENT\n>>> $/);
    });

    stdioTest('fd 1 on a full pipe: print blocks, Ctrl-C ends it, the prompt and the traceback stay on the console', async () => {
        await line('os.set_blocking(w, False)');
        await line('n = 0\rwhile True:\r    try:\r        n += os.write(w, b"x" * 64)\r    except OSError:\r        break\r\r', 5000);
        await line('os.set_blocking(w, True); _ = os.dup2(w, 1)');
        board.write('print("blocked")\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = (await board.readUntil(/>>> $/, { timeoutMs: 2000 })).replace(/\r\n/g, '\n');
        assert.match(out, /KeyboardInterrupt/);
        assert.doesNotMatch(out, /blocked\n/);
        assert.match(await line('_ = os.dup2(so, 1); print("n", n)'), /n 1024\n/);
        assert.match(await line('print(len(os.read(r, 2000)))'), /1024\n/);
    });

    stdioTest('fd 2 on a full pipe: the REPL drops the traceback after 500 ms and goes on', async () => {
        await line('os.write(w, b"y" * 1024); _ = os.dup2(w, 2)');
        const t0 = board.nowMs();
        const out = await line('raise ValueError("lost")', 3000);
        const ms = board.nowMs() - t0;
        console.log(`# prompt back after ${ms.toFixed(0)} emulated ms with fd 2 on a full pipe`);
        assert.doesNotMatch(out, /ValueError/);
        assert.ok(ms >= 450 && ms < 2500, `${ms} ms`);
        assert.match(await line('_ = os.dup2(se, 2); print(len(os.read(r, 2000)))'), /1024\n/);
    });

    stdioTest('a 4,000-byte console write arrives whole (it stopped the firmware before); select for writing on fd 1 answers at once', async () => {
        const out = await line('import os, select, time; n = os.write(1, b"0123456789" * 400); t0 = time.ticks_ms(); ready = select.select([], [1], [], 2.0); dt = time.ticks_diff(time.ticks_ms(), t0)', 5000);
        assert.equal(out.replace(/\n?>>> $/, ''), '0123456789'.repeat(400));
        const r = await line('print(n, ready, dt)');
        const m = /^4000 \(\[\], \[1\], \[\]\) (\d+)\n/.exec(r);
        assert.ok(m, r);
        console.log(`# select for fd 1 writable after a 4,000-byte write: ${m[1]} emulated ms`);
        assert.ok(Number(m[1]) < 200, `${m[1]} ms`);
    });

    stdioTest('a soft reset puts fds 0-2 back on the console: its message and the next prompt are seen', async () => {
        await line('_ = os.dup2(w, 1); _ = os.dup2(w, 2)');
        board.write(CTRL_D);
        const out = await board.readUntil(/MPY: soft reboot[\s\S]*>>> $/, { timeoutMs: 3000 });
        assert.match(out, /MicroPython v/);
        assert.match(await line('import os; print(os.isatty(1), os.isatty(2), os.dup(0))'), /True True 3\n/);
        await line('os.close(3)');
    });

    stdioTest('the raw REPL: an exception with fd 2 on a pipe leaves the framing intact; the traceback is in the pipe', async () => {
        const a = await board.exec('import os\nr, w = os.pipe()\nse = os.dup(2)\nos.dup2(w, 2)\nprint("out")\nraise OSError(2, "x")');
        assert.equal(a.stdout.replace(/\r\n/g, '\n'), 'out\n');
        assert.equal(a.stderr, '');
        const b = await board.exec('os.dup2(se, 2)\nprint(os.read(r, 300))');
        // in the raw REPL a traceback names OSError's subclasses OSError (mpremote looks for that text)
        assert.match(b.stdout, /Traceback \(most recent call last\):\\n {2}File "<stdin>", line 6, in <module>\\nOSError: \[Errno 2\] ENOENT: x\\n/);
        const c = await board.exec('import os\nos.stat("/no-such-file")');
        assert.match(c.stderr, /^Traceback[\s\S]*\nOSError: \[Errno 2\] ENOENT\r?\n$/);
        const d = await board.exec('try:\n    os.stat("/no-such-file")\nexcept OSError as e:\n    print(type(e).__name__, repr(e))');
        assert.equal(d.stdout.trim(), 'FileNotFoundError FileNotFoundError(2,)');
    });
});
