/**
 * signal in the firmware (F10), driven from the host: Ctrl-C sent by the harness at a known emulated
 * time runs the SIGINT handler instead of raising KeyboardInterrupt (in a busy loop, in time.sleep,
 * which then sleeps its full time, and in a blocked os.read, which is retried after the handler);
 * SIG_IGN ignores Ctrl-C; a soft reset (Ctrl-D) restores the default handler and cancels the alarm.
 * The .py tests of tests/firmware/F10-signal and tests/firmware/F2-threads run with `mprt test` (two
 * cores); here they run again on a single-core board (core 1 does not come up), every thread on core 0.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`). With MPRT_TEST_STOCK=1
 * (the stock firmware, which has no signal module) every test here is checked to fail.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B, CTRL_C, CTRL_D } from '../../cli/repl/raw-repl.js';
import { repoRoot } from '../../cli/util/paths.js';
import { openFriendlyBoard, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();
const skip = firmware ? false : 'no firmware to run';
const onStock = process.env.MPRT_TEST_STOCK === '1';

/** rtos.kernel of the firmware's build, from the size.json beside it ('unknown' without one). */
function kernelOf(uf2: string): string {
    const sizeJson = join(dirname(uf2), 'size.json');
    if (!existsSync(sizeJson)) return 'unknown';
    const json = JSON.parse(readFileSync(sizeJson, 'utf8')) as { kernel?: { name?: string } };
    return json.kernel?.name ?? 'unknown';
}

/** The .py tests of a folder of tests/firmware with their expected output. */
function scripts(folder: string): { name: string; source: string; expected: string }[] {
    const dir = join(repoRoot(), 'tests', 'firmware', folder);
    return readdirSync(dir).filter((f) => f.endsWith('.py')).sort().map((name) => ({
        name: `${folder}/${name}`,
        source: readFileSync(join(dir, name), 'utf8'),
        expected: readFileSync(join(dir, name + '.exp'), 'utf8'),
    }));
}

/** Lets emulated time pass with nothing on the console. */
async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

/** Runs one line at the friendly REPL; returns what it printed up to the next prompt (no traceback). */
async function run(board: Rp2040Board, line: string, timeoutMs = 2000): Promise<string> {
    board.drain();
    board.write(line + '\r');
    const out = await board.readUntil(/>>> $/, { timeoutMs });
    assert.doesNotMatch(out, /Traceback/, `${line}\n${out}`);
    return out;
}

/** Every test must fail on the stock firmware: it has no signal module. */
function signalTest(name: string, fn: () => Promise<void>): void {
    test(name, async () => {
        if (onStock) {
            await assert.rejects(fn(), `"${name}" passed on the stock firmware`);
        } else {
            await fn();
        }
    });
}

describe('F10: signal in the firmware', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openFriendlyBoard(firmware!);
    });
    after(async () => board?.close());

    signalTest('Ctrl-C with a SIGINT handler calls it in a busy loop, not KeyboardInterrupt', async () => {
        await run(board, 'import signal, time, os; got = []; old = signal.signal(signal.SIGINT, lambda s, f: got.append((s, f, time.ticks_ms())))');
        board.drain();
        board.write('t0 = time.ticks_ms(); exec("while not got: pass"); print("busy", got[0][:2], time.ticks_diff(got[0][2], t0))\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.doesNotMatch(out, /KeyboardInterrupt/);
        const m = /busy \(2, None\) (\d+)/.exec(out);
        assert.ok(m, out);
        const dt = Number(m[1]);
        assert.ok(dt >= 250 && dt < 450, `handler ran ${dt} ms after the loop started (Ctrl-C sent at 300)`);
    });

    signalTest('Ctrl-C with a SIGINT handler during time.sleep: the handler runs, the sleep lasts its full time', async () => {
        board.drain();
        board.write('got.clear(); t0 = time.ticks_ms(); time.sleep(1.5); dt = time.ticks_diff(time.ticks_ms(), t0)\r');
        await idle(board, 400);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 3000 });
        assert.doesNotMatch(out, /KeyboardInterrupt/);
        const r = await run(board, 'print("sleep", len(got), time.ticks_diff(got[0][2], t0), dt)');
        const m = /sleep 1 (\d+) (\d+)/.exec(r);
        assert.ok(m, r);
        const [at, dt] = [Number(m[1]), Number(m[2])];
        assert.ok(at >= 350 && at < 550, `handler ran at ${at} ms (Ctrl-C sent at 400)`);
        assert.ok(dt >= 1500 && dt < 1700, `the sleep lasted ${dt} ms (1500 asked)`);
    });

    signalTest('Ctrl-C with a SIGINT handler ends a wait in os.read with EINTR; the handler runs, the read is retried', async () => {
        await run(board, 'r, w = os.pipe(); signal.signal(signal.SIGINT, lambda s, f: os.write(w, b"h"))');
        board.drain();
        board.write('data = os.read(r, 10)\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.doesNotMatch(out, /KeyboardInterrupt|Error/);
        assert.match(await run(board, 'print("read", data); os.close(r); os.close(w)'), /read b'h'/);
    });

    signalTest('Ctrl-C with a SIGINT handler during a lock wait: the handler runs (and releases the lock), the acquire returns', async () => {
        await run(board, 'import _thread; lk = _thread.allocate_lock(); lk.acquire(); got.clear(); signal.signal(signal.SIGINT, lambda s, f: (got.append(s), lk.release()))');
        board.drain();
        board.write('t0 = time.ticks_ms(); ok = lk.acquire(); dt = time.ticks_diff(time.ticks_ms(), t0)\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 1000 });
        assert.doesNotMatch(out, /KeyboardInterrupt|Error/);
        const r = await run(board, 'print("lock", ok, got, dt)');
        const m = /lock True \[2\] (\d+)/.exec(r);
        assert.ok(m, r);
        assert.ok(Number(m[1]) >= 250 && Number(m[1]) < 450, r);
    });

    signalTest('SIG_IGN: Ctrl-C is ignored; the default handler raises KeyboardInterrupt again', async () => {
        await run(board, 'signal.signal(signal.SIGINT, signal.SIG_IGN)');
        board.drain();
        board.write('t0 = time.ticks_ms(); exec("while time.ticks_diff(time.ticks_ms(), t0) < 600: pass"); print("loop ended")\r');
        await idle(board, 300);
        board.write(CTRL_C);
        const out = await board.readUntil(/>>> $/, { timeoutMs: 2000 });
        assert.doesNotMatch(out, /KeyboardInterrupt/);
        assert.match(out, /loop ended/);
        await run(board, 'signal.signal(signal.SIGINT, signal.default_int_handler)');
        board.drain();
        board.write('exec("while True: pass")\r');
        await idle(board, 200);
        board.write(CTRL_C);
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 1000 }), /KeyboardInterrupt/);
    });

    signalTest('a soft reset restores the default SIGINT handler and cancels the alarm', async () => {
        await run(board, 'import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); signal.signal(signal.SIGALRM, lambda s, f: print("ALARM")); signal.alarm(1)');
        board.drain();
        board.write(CTRL_D);
        await board.readUntil(/>>> $/, { timeoutMs: 2000 });
        await idle(board, 1500);
        const out = await run(board, 'import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, signal.getsignal(signal.SIGALRM), signal.alarm(0))');
        assert.doesNotMatch(out, /ALARM|SystemExit/);
        assert.match(out, /True 0 0/);
        board.drain();
        board.write('exec("while True: pass")\r');
        await idle(board, 200);
        board.write(CTRL_C);
        assert.match(await board.readUntil(/>>> $/, { timeoutMs: 1000 }), /KeyboardInterrupt/);
    });
});

describe('F10/F2 on a single-core board', { skip: skip || (firmware && kernelOf(firmware) === 'freertos' ? 'the FreeRTOS-Kernel SMP port needs core 1' : false) }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware!, cores: 1 });
        await board.boot();
    });
    after(async () => board?.close());

    signalTest('on one core: the tests of tests/firmware/F10-signal and F2-threads pass, threads on core 0', async () => {
        for (const t of [...scripts('F10-signal'), ...scripts('F2-threads')]) {
            // a fresh VM per script, as `mprt test` gives
            board.write(CTRL_B);
            await board.readUntil('>>> ', { timeoutMs: 2000 });
            board.write(CTRL_D);
            await board.readUntil(/MPY: soft reboot[\s\S]*>>> /, { timeoutMs: 3000 });
            board.drain();
            const r = await board.exec(t.source, { timeoutMs: 30_000 });
            // thread_local_cores.py names the cores its threads used: only core 0 here
            const expected = t.name.endsWith('thread_local_cores.py') ? t.expected.replace('[] [0, 1]', '[] [0]') : t.expected;
            assert.equal(r.stdout.replace(/\r\n/g, '\n'), expected, `${t.name}: ${r.stderr}`);
        }
    });
});
