/**
 * asyncio on the fd layer, driven from the host through the emulator (F9, F10's asyncio part): Ctrl-C
 * into asyncio.run with three tasks each with a `finally` (all three cleanups run, then
 * KeyboardInterrupt), also when the Ctrl-C lands in a task's code; the loop waiting on a pipe leaves the
 * CPU idle; a task reading the console (fd 0) through asyncio.StreamReader wakes when the harness types
 * (wake latency in emulated µs); top-level `await` at the friendly REPL (asyncio.repl_runner), refused
 * by the raw REPL, over the emulator's link and through the pty of `mprt emulate --pty` (as a terminal
 * program or mpremote sees the board). The .py tests of tests/firmware/F9-asyncio run with `mprt test`.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`). With MPRT_TEST_STOCK=1
 * (the stock firmware), the tests in STOCK_MUST_FAIL are checked to fail there.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B, CTRL_C, CTRL_D, CTRL_E, patternEnd } from '../../cli/repl/raw-repl.js';
import { SerialTransport } from '../../cli/repl/serial.js';
import { idle, mprtBin, testFirmware } from './emulator-fixture.js';
import { stockCheckedTest } from './board-hooks.js';

const firmware = testFirmware();
const skip = firmware ? false : 'no firmware to run';

/** Tests that must fail on the stock firmware: it has no Runner, no fds, no top-level await. */
export const STOCK_MUST_FAIL = new Set([
    'Ctrl-C into asyncio.run with three tasks: every finally runs, then KeyboardInterrupt',
    'Ctrl-C landing in a busy task: every cleanup still runs',
    'a task awaiting a pipe or sleeping leaves the CPU idle; a console byte wakes a task reading fd 0',
    'top-level await at the friendly REPL runs on asyncio.repl_runner; the raw REPL refuses it',
    'top-level await through the pty (mprt emulate --pty), Ctrl-C included',
]);

const f9test = stockCheckedTest(STOCK_MUST_FAIL);

/** Runs a block through the friendly REPL's paste mode (Ctrl-E ... Ctrl-D) without waiting for its end. */
function paste(board: Rp2040Board, code: string): void {
    board.write(CTRL_E + code.replace(/\n/g, '\r') + CTRL_D);
}

/** Three workers (main awaits one itself), each cleaning up in a finally that awaits; with busy, main spins
 * after its first sleep, so the Ctrl-C lands in its code. */
const THREE_TASKS = `import asyncio
done = []
async def worker(name, ms, busy=False):
    try:
        while True:
            await asyncio.sleep_ms(ms)
            while busy:
                pass
    finally:
        await asyncio.sleep_ms(5)
        done.append(name)
async def main(busy):
    asyncio.create_task(worker('a', 50))
    asyncio.create_task(worker('b', 70))
    await worker('main', 30, busy)
def go(busy):
    try:
        asyncio.run(main(busy))
    except KeyboardInterrupt:
        print('KeyboardInterrupt', sorted(done), len(asyncio.all_tasks()))
`;

describe('F9: asyncio on the fd layer', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        await idle(board, 50);
        board.drain();
        paste(board, THREE_TASKS);
        await board.readUntil(/>>> $/, { timeoutMs: 3000 });
        board.drain();
    });
    after(async () => board?.close());

    f9test('Ctrl-C into asyncio.run with three tasks: every finally runs, then KeyboardInterrupt', async () => {
        board.write('done.clear(); go(False)\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 3000 });
        assert.match(out, /KeyboardInterrupt \['a', 'b', 'main'\] 0/);
    });

    f9test('Ctrl-C landing in a busy task: every cleanup still runs', async () => {
        board.drain();
        board.write('done.clear(); go(True)\r');
        await idle(board, 250);
        // as in CPython: with the Runner's SIGINT handler the first Ctrl-C asks for the main task's
        // cancellation, which a task that never awaits does not see; the second raises KeyboardInterrupt
        // in it (without a signal module the first one does)
        board.write(CTRL_C);
        await idle(board, 100);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 5000 });
        assert.match(out, /KeyboardInterrupt \['a', 'b', 'main'\] 0/);
    });

    f9test('a task awaiting a pipe or sleeping leaves the CPU idle; a console byte wakes a task reading fd 0', async () => {
        board.drain();
        board.write('import os; r, w = os.pipe(); asyncio.run(asyncio.StreamReader(r).read(1))\r');
        await idle(board, 100);
        const a = board.cycles();
        await idle(board, 1000);
        const b = board.cycles();
        const share = (b.waiting - a.waiting) / (b.total - a.total);
        console.log(`# idle share while asyncio waits on a pipe: ${(share * 100).toFixed(3)} % of ${b.total - a.total} cycles`);
        assert.ok(share >= 0.99, `idle share ${share}`);
        board.write(CTRL_C);
        await board.readUntil(/KeyboardInterrupt[\s\S]*>>> $/, { timeoutMs: 2000 });
        board.write('os.close(r); os.close(w)\r');
        await board.readUntil(/>>> $/, { timeoutMs: 2000 });
        board.drain();

        // a loop whose only task sleeps: idle until its time comes
        paste(board, 'async def nap(ms):\n    await asyncio.sleep_ms(ms)\n    print("woke")\nasyncio.run(nap(1500))\n');
        await idle(board, 100);
        const c = board.cycles();
        await idle(board, 1000);
        const d = board.cycles();
        const sleepShare = (d.waiting - c.waiting) / (d.total - c.total);
        console.log(`# idle share while asyncio sleeps: ${(sleepShare * 100).toFixed(3)} %`);
        assert.ok(sleepShare >= 0.99, `idle share ${sleepShare}`);
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /\r\nwoke\r\n/);
        board.drain();

        paste(board, `import time
async def console():
    s = asyncio.StreamReader(asyncio.FdIO(0, closefd=False))
    data = await s.read(1)
    t = time.ticks_us()
    s.s.close()
    return data, t
got = asyncio.run(console())
`);
        await idle(board, 200);
        const sentUs = Math.round(board.nowMs() * 1000);
        board.write('k');
        await board.readUntil(/>>> $/, { timeoutMs: 2000 });
        board.drain();
        board.write('print("GOT", got[0], got[1], os.get_blocking(0))\r');
        const out = await board.readUntil(/GOT .*\r\n>>> $/, { timeoutMs: 2000 });
        const m = /GOT b'k' (\d+) True/.exec(out);
        assert.ok(m, out);
        const latency = Number(m[1]) - (sentUs % 2 ** 30);
        console.log(`# console byte to the woken asyncio task: ${latency} emulated µs`);
        assert.ok(latency > 0 && latency < 5000, `latency ${latency} µs`);
    });

    f9test('top-level await at the friendly REPL runs on asyncio.repl_runner; the raw REPL refuses it', async () => {
        board.drain();
        paste(board, `async def twice(x):
    await asyncio.sleep_ms(20)
    return 2 * x
`);
        await board.readUntil(/>>> $/, { timeoutMs: 2000 });
        board.drain();
        board.write('await twice(21)\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /\r\n42\r\n/);
        board.write('y = await twice(5); print("y", y, isinstance(asyncio.repl_runner, asyncio.Runner))\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /y 10 True/);
        board.write('t = asyncio.create_task(twice(4)); print(await t, t.done())\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /8 True/);
        board.write('exec("await twice(1)")\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /SyntaxError/);
        board.write('await asyncio.sleep(10)\r');
        await idle(board, 200);
        board.write(CTRL_C);
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /KeyboardInterrupt/);
        board.write('print(await twice(3))\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /\r\n6\r\n/);
        // a loop ended by Ctrl-C outside a Runner (run_forever) leaves nothing in the way of the next run
        paste(board, 'async def forever():\n    try:\n        await asyncio.sleep(60)\n    finally:\n        print("forever cleaned")\nasyncio.create_task(forever())\nasyncio.get_event_loop().run_forever()\n');
        await idle(board, 200);
        board.write(CTRL_C);
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /KeyboardInterrupt/);
        board.write('print(asyncio.run(twice(8)), len(asyncio.all_tasks()))\r');
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 2000 }), /forever cleaned\r\n16 0\r\n/);
        const raw = await board.exec('import asyncio\nasync def f(): return 1\nprint(await f())');
        assert.match(raw.stderr, /SyntaxError/);
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
    });
});

describe('F9: REPL await through the pty', {
    skip: !firmware ? 'no firmware to run' : spawnSync('socat', ['-V']).status !== 0 ? 'socat is not installed (mprt setup installs it)' : false,
}, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-f9-pty-'));
    after(() => rmSync(work, { recursive: true, force: true }));

    f9test('top-level await through the pty (mprt emulate --pty), Ctrl-C included', async () => {
        const link = join(work, 'ttyACM0');
        const emu = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--pty', '--pty-link', link], { stdio: ['ignore', 'pipe', 'pipe'] });
        let port: SerialTransport | undefined;
        try {
            await new Promise<void>((resolve, reject) => {
                emu.stdout.on('data', () => existsSync(link) && resolve());
                emu.on('exit', (code) => reject(new Error(`mprt emulate --pty exited with ${code}`)));
            });
            port = await SerialTransport.open({ port: link });
            const p = port;
            let text = '';
            const until = async (pattern: string | RegExp, ms = 10_000): Promise<string> => {
                const found = () => {
                    text += new TextDecoder().decode(p.read());
                    return patternEnd(text, pattern) >= 0;
                };
                assert.ok(await p.wait(found, ms), `waiting for ${String(pattern)}; got ${JSON.stringify(text.slice(-300))}`);
                const end = patternEnd(text, pattern);
                const out = text.slice(0, end);
                text = text.slice(end);
                return out;
            };
            const send = (s: string) => p.write(new TextEncoder().encode(s));
            send(CTRL_C + CTRL_B);
            // the banner's prompt, not the one Ctrl-C may print first (one prompt early shifts every answer)
            await until(/help\(\)[^\n]*\r\n>>> $/);
            send('import asyncio\r');
            await until(/>>> $/);
            send(CTRL_E + 'async def twice(x):\r    await asyncio.sleep_ms(20)\r    return 2 * x\r' + CTRL_D);
            await until(/>>> $/);
            send('await twice(21)\r');
            assert.match(await until(/>>> $/), /\r\n42\r\n/);
            send('await asyncio.sleep(30)\r');
            await new Promise((r) => setTimeout(r, 300));
            send(CTRL_C);
            assert.match(await until(/>>> $/), /KeyboardInterrupt/);
            send('v = await twice(50); print("v", v)\r');
            assert.match(await until(/>>> $/), /v 100/);
        } finally {
            port?.close();
            emu.kill('SIGINT');
            await new Promise((r) => emu.once('exit', r));
        }
    });
});
