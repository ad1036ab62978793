/**
 * The RTOS firmware (rtos.kernel=builtin) driven from the host through the emulator API: Ctrl-C into
 * busy loops, a busy thread not starving the REPL, soft resets with the USB link held open (threads of
 * the old VM gone, C heap back to its level after boot), and the idle share of a waiting REPL measured
 * by the harness (cycles in WFI / all cycles).
 *
 * Firmware: $MPRT_RTOS_FIRMWARE, else build/pico-rtos (`mprt build --board pico --out build/pico-rtos
 * --set rtos.kernel=builtin`), else the default test firmware. With MPRT_TEST_STOCK=1 (the stock
 * firmware), the tests in STOCK_MUST_FAIL are checked to fail: they prove the RTOS.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { repoRoot } from '../../cli/util/paths.js';
import { testFirmware } from './emulator-fixture.js';

const rtosBuild = join(repoRoot(), 'build', 'pico-rtos', 'firmware.uf2');
const firmware = process.env.MPRT_RTOS_FIRMWARE ?? (existsSync(rtosBuild) ? rtosBuild : testFirmware());
const onStock = process.env.MPRT_TEST_STOCK === '1';
const skip = firmware ? false : 'no firmware to run';

/** Tests that must fail on the stock firmware (no kernel, threads only on the missing core 1). */
export const STOCK_MUST_FAIL = new Set([
    'Ctrl-C interrupts a busy main thread while a second thread spins; the REPL is not starved',
    '20 soft resets keep the USB link, end the old threads and return the C heap',
]);

function rtosTest(name: string, fn: () => Promise<void>): void {
    test(name, async () => {
        if (onStock && STOCK_MUST_FAIL.has(name)) {
            await assert.rejects(fn(), `"${name}" passed on the stock firmware`);
        } else {
            await fn();
        }
    });
}

/** Lets emulated time pass with nothing on the console. */
async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

async function friendlyPrompt(board: Rp2040Board): Promise<void> {
    board.write('\x02');
    await board.readUntil('>>> ', { timeoutMs: 2000 });
    board.drain();
}

describe('RTOS firmware on the emulated board', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
    });
    after(async () => board?.close());

    rtosTest('an idle REPL leaves the CPU waiting in WFI at least 99% of the time', async () => {
        await idle(board, 50);
        const a = board.cycles();
        await idle(board, 1000);
        const b = board.cycles();
        const share = (b.waiting - a.waiting) / (b.total - a.total);
        console.log(`# idle share of a waiting REPL: ${(share * 100).toFixed(3)} % over ${b.total - a.total} cycles`);
        assert.ok(share >= 0.99, `idle share ${share}`);
    });

    rtosTest('Ctrl-C interrupts a busy loop in the main thread', async () => {
        board.write('while True: pass\r\r');
        await idle(board, 100);
        board.write('\x03');
        const out = await board.readUntil(/KeyboardInterrupt[\s\S]*>>> /, { timeoutMs: 1000 });
        assert.match(out, /KeyboardInterrupt/);
        const r = await board.exec('print(6*7)');
        assert.equal(r.stdout, '42\r\n');
    });

    rtosTest('Ctrl-C interrupts a busy main thread while a second thread spins; the REPL is not starved', async () => {
        const r = await board.exec('import _thread\nspin = True\ndef spinner():\n    while spin:\n        pass\n_thread.start_new_thread(spinner, ())\nprint("started")', { timeoutMs: 2000 });
        assert.equal(r.stdout, 'started\r\n', r.stderr);
        // the REPL answers while the other thread computes
        const q = await board.exec('print(sum(range(100)))', { timeoutMs: 1000 });
        assert.equal(q.stdout, '4950\r\n', q.stderr);
        await friendlyPrompt(board);
        board.write('while True: pass\r\r');
        await idle(board, 100);
        board.write('\x03');
        await board.readUntil(/KeyboardInterrupt[\s\S]*>>> /, { timeoutMs: 1000 });
        const s = await board.exec('spin = False\nimport time\ntime.sleep_ms(20)\nprint("stopped")', { timeoutMs: 1000 });
        assert.equal(s.stdout, 'stopped\r\n', s.stderr);
    });

    rtosTest('20 soft resets keep the USB link, end the old threads and return the C heap', async () => {
        const probe = 'import micropython, time\ntime.sleep_ms(5)\nprint(sum(1 for t in micropython.tasks() if t[0] == "mp_thread"), micropython.malloc_stats()[1])';
        const first = await board.exec(probe, { timeoutMs: 2000 });
        const [threads0, heap0] = first.stdout.trim().split(' ').map(Number);
        assert.equal(threads0, 0, first.stdout + first.stderr);
        for (let i = 0; i < 20; i++) {
            const r = await board.exec('import _thread, time\nfor i in range(3):\n    _thread.start_new_thread(time.sleep, (1000,))\ntime.sleep_ms(5)\nimport micropython\nprint(sum(1 for t in micropython.tasks() if t[0] == "mp_thread"))', { timeoutMs: 2000 });
            assert.equal(r.stdout, '3\r\n', `round ${i}: ${r.stderr}`);
            await friendlyPrompt(board);
            board.write('\x04');
            await board.readUntil(/MPY: soft reboot[\s\S]*MicroPython v[\s\S]*>>> /, { timeoutMs: 3000 });
            const after = await board.exec(probe, { timeoutMs: 2000 });
            assert.equal(after.stdout.trim(), `0 ${heap0}`, `round ${i}: ${after.stdout} ${after.stderr}`);
        }
        assert.ok(board.usbLinkStable(), 'the host serial link was re-opened');
    });
});
