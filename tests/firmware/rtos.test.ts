/**
 * The RTOS firmware (rtos.kernel=builtin, the default) driven from the host through the emulator API:
 * Ctrl-C into busy loops (in the main thread, and with a second thread computing), a busy thread not
 * starving the REPL, soft resets with the USB link held open (threads of the old VM gone, C heap back
 * to its level after boot), the idle share of a waiting REPL measured by the harness (cycles in WFI /
 * all cycles), threads on both emulated cores (each reports its core), and the tests of
 * tests/firmware/rtos/ on a single-core board (the same UF2 runs when core 1 does not come up).
 *
 * Firmware: $MPRT_RTOS_FIRMWARE, else the default test firmware (build/pico: `mprt build --board pico`).
 * A build on the FreeRTOS-Kernel (size.json beside it says rtos.kernel=freertos) needs both cores: its SMP
 * port starts core 1 at boot and waits for it; on one core the check is that the emulator says so.
 * With MPRT_TEST_STOCK=1 (the stock firmware), the tests in STOCK_MUST_FAIL are checked to fail: they
 * prove the RTOS.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hex32, SIO_BASE } from '../../cli/chip/rp2040.js';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_C, CTRL_D } from '../../cli/repl/raw-repl.js';
import { repoRoot } from '../../cli/util/paths.js';
import { friendlyPrompt, idle, softReset, testFirmware } from './emulator-fixture.js';
import { stockCheckedTest } from './board-hooks.js';

const firmware = process.env.MPRT_RTOS_FIRMWARE ?? testFirmware();
const skip = firmware ? false : 'no firmware to run';

/** rtos.kernel of the firmware's build, from the size.json beside it ('unknown' without one). */
function kernelOf(uf2: string): string {
    const sizeJson = join(dirname(uf2), 'size.json');
    if (!existsSync(sizeJson)) return 'unknown';
    const json = JSON.parse(readFileSync(sizeJson, 'utf8')) as { kernel?: { name?: string }; config?: Record<string, unknown> };
    return json.kernel?.name ?? String(json.config?.['rtos.kernel'] ?? 'unknown');
}
const kernel = firmware ? kernelOf(firmware) : 'unknown';

/** Tests that must fail on the stock firmware (no kernel, threads only on the missing core 1). */
export const STOCK_MUST_FAIL = new Set([
    // (a busy main thread with a spinning second thread passes on stock too, now that the emulator runs its
    // core 1: that test is not here)
    '20 soft resets keep the USB link, end the old threads and return the C heap',
    'Ctrl-C reaches the main thread while a second thread runs a busy loop',
    'threads run on both cores and each reports its core',
    'on one core: the tests of tests/firmware/rtos pass and threads run on core 0',
]);

const RTOS_TESTS = join(repoRoot(), 'tests', 'firmware', 'rtos');
const SIO_CPUID = hex32(SIO_BASE);

/**
 * Four threads compute for 200 ms, sleeping now and then, each noting the cores it ran on: read from
 * SIO CPUID, and as micropython.tasks() lists the running thread tasks (the caller among them). Prints
 * how many finished, both unions, and each thread's cores.
 */
const CORE_REPORT = `import _thread, machine, micropython, time
lock = _thread.allocate_lock()
cores = {}
listed = set()
def worker(i):
    seen = set()
    t0 = time.ticks_ms()
    j = 0
    while time.ticks_diff(time.ticks_ms(), t0) < 200:
        seen.add(machine.mem32[${SIO_CPUID}])
        sum(range(10))
        j += 1
        if j % 50 == 0:
            for t in micropython.tasks():
                if t[0] == "mp_thread" and t[1] == "running":
                    listed.add(t[3])
            time.sleep_ms(1)
    with lock:
        cores[i] = seen
for i in range(4):
    _thread.start_new_thread(worker, (i,))
t0 = time.ticks_ms()
while len(cores) < 4 and time.ticks_diff(time.ticks_ms(), t0) < 5000:
    time.sleep_ms(5)
union = set()
for v in cores.values():
    union |= v
print(len(cores), sorted(union), sorted(listed))
print([sorted(cores[i]) for i in sorted(cores)])`;

/** The .py tests of tests/firmware/rtos with their expected output. */
function rtosScripts(): { name: string; source: string; expected: string }[] {
    return readdirSync(RTOS_TESTS).filter((f) => f.endsWith('.py')).sort().map((name) => ({
        name,
        source: readFileSync(join(RTOS_TESTS, name), 'utf8'),
        expected: readFileSync(join(RTOS_TESTS, name + '.exp'), 'utf8'),
    }));
}

const rtosTest = stockCheckedTest(STOCK_MUST_FAIL);

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
        board.write(CTRL_C);
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
        board.write(CTRL_C);
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
            board.write(CTRL_D);
            await board.readUntil(/MPY: soft reboot[\s\S]*MicroPython v[\s\S]*>>> /, { timeoutMs: 3000 });
            const after = await board.exec(probe, { timeoutMs: 2000 });
            assert.equal(after.stdout.trim(), `0 ${heap0}`, `round ${i}: ${after.stdout} ${after.stderr}`);
        }
        assert.ok(board.usbLinkStable(), 'the host serial link was re-opened');
    });

    rtosTest('Ctrl-C reaches the main thread while a second thread runs a busy loop', async () => {
        const r = await board.exec('import _thread, time\nspin = True\nspun = [0]\ndone = _thread.allocate_lock()\ndone.acquire()\ndef spinner():\n    while spin:\n        spun[0] += 1\n    done.release()\n_thread.start_new_thread(spinner, ())\nprint("started")', { timeoutMs: 2000 });
        assert.equal(r.stdout, 'started\r\n', r.stderr);
        await friendlyPrompt(board);
        // the main thread waits while the other one computes: a long sleep, a polling loop, and an untimed
        // lock wait for the spinner's end (a kernel semaphore wait, as threading's join())
        for (const wait of ['time.sleep(30)\r', 'while spin: time.sleep_ms(100)\r\r', 'done.acquire()\r']) {
            board.write(wait);
            await idle(board, 100);
            const t0 = board.nowMs();
            board.write(CTRL_C);
            const out = await board.readUntil(/KeyboardInterrupt[\s\S]*>>> /, { timeoutMs: 1000 });
            assert.match(out, /KeyboardInterrupt/);
            assert.ok(board.nowMs() - t0 < 200, `KeyboardInterrupt after ${board.nowMs() - t0} ms`);
        }
        const s = await board.exec('n = spun[0]\ntime.sleep_ms(20)\nprint(spun[0] > n)\nspin = False\nprint(done.acquire())', { timeoutMs: 1000 });
        assert.equal(s.stdout, 'True\r\nTrue\r\n', s.stderr);
    });

    rtosTest('threads run on both cores and each reports its core', async () => {
        const r = await board.exec(CORE_REPORT, { timeoutMs: 10_000 });
        const [summary, perThread] = r.stdout.trim().split('\r\n');
        console.log(`# cores per thread: ${perThread}`);
        // four threads finished; together on cores 0 and 1, and tasks() saw thread tasks on both
        assert.equal(summary, '4 [0, 1] [0, 1]', r.stdout + r.stderr);
    });
});

describe('FreeRTOS-Kernel firmware on a single-core board', { skip: skip || (kernel === 'freertos' ? false : 'not a FreeRTOS-Kernel build') }, () => {
    test('boot stops waiting for core 1, and the emulator says so instead of timing out on the console', async () => {
        const board = await openBoard({ firmware: firmware!, cores: 1 });
        try {
            await assert.rejects(board.boot({ timeoutMs: 3000 }), /waits for core 1, which this board does not have \(--cores 1\)/);
        } finally {
            await board.close();
        }
    });
});

describe('RTOS firmware on a single-core board (core 1 does not come up)', { skip: skip || (kernel === 'freertos' ? 'the FreeRTOS-Kernel SMP port needs core 1' : false) }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware!, cores: 1 });
        await board.boot();
    });
    after(async () => board?.close());

    rtosTest('on one core: the tests of tests/firmware/rtos pass and threads run on core 0', async () => {
        for (const t of rtosScripts()) {
            await softReset(board); // a fresh VM per script, as `mprt test` gives
            const r = await board.exec(t.source, { timeoutMs: 30_000 });
            // smp_stress.py names the cores its threads used: only core 0 here
            const expected = t.expected.replace('cores used: [0, 1]', 'cores used: [0]');
            assert.equal(r.stdout.replace(/\r\n/g, '\n'), expected, `${t.name}: ${r.stderr}`);
        }
        const c = await board.exec(CORE_REPORT, { timeoutMs: 10_000 });
        assert.equal(c.stdout.trim().split('\r\n')[0], '4 [0] [0]', c.stdout + c.stderr);
    });
});
