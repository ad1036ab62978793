import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';
import { repoRoot } from '../../cli/util/paths.js';
import { openBoard } from '../../cli/emulator/board.js';
import { buildProgram, runProgram } from './dualcore-fixture.js';
import { testFirmware } from './emulator-fixture.js';
import { FLASH_BASE, hex32, SIO_BASE, SRAM_BASE } from '../../cli/chip/rp2040.js';

// The second core (cli/emulator/dualcore.ts, docs/emulator-dualcore.md), checked by a bare-metal program
// of ours (tests/firmware/dualcore/dualcore.c) that launches core 1 through the boot ROM's FIFO handshake.
const RESULTS = SRAM_BASE;
const FIELDS = ['magic', 'phase', 'cpuid0', 'cpuid1', 'launched', 'vtor1', 'pingpong', 'counter', 'lockSt',
    'lockBusy', 'divBad', 'ticks0', 'ticks1', 'soft0', 'soft1', 'timer0', 'timer1', 'fifoIrq0', 'fifoIrq1',
    'fifoSum1', 'fifoBits', 'fifoOrder', 'wfeLoops', 'wfeWoke', 'resetZero', 'relaunched'] as const;
type Results = Record<(typeof FIELDS)[number], number>;

let cached: Promise<{ r: Results; report: string; run: Awaited<ReturnType<typeof runProgram>> }> | undefined;

function results(): Promise<{ r: Results; report: string; run: Awaited<ReturnType<typeof runProgram>> }> {
    cached ??= (async () => {
        const run = await runProgram(buildProgram('dualcore'));
        const r = Object.fromEntries(FIELDS.map((f, i) => [f, run.word(RESULTS + 4 * i)])) as Results;
        const report = JSON.stringify({ ...r, phase: r.phase.toString(16), breakpoint: run.breakpoint, breakCore: run.breakCore,
            ms: run.nanos / 1e6, wallMs: run.wallMs, stats: run.dual.stats });
        return { r, report, run };
    })();
    return cached;
}

test('core 1 is launched by the boot ROM handshake and the program completes', async (t) => {
    const { r, report, run } = await results();
    t.diagnostic(report);
    assert.equal(run.breakpoint, 0x42, report);
    assert.equal(run.breakCore, 0, report);
    assert.equal(r.magic, 0x44554f31, report);
    assert.equal(r.cpuid0, 0, report);
    assert.equal(r.cpuid1, 1, report);
    assert.equal(r.launched, 1, report);
    assert.equal(r.vtor1, FLASH_BASE, report); // the ROM set core 1's VTOR from the handshake
});

test('FIFO ping-pong between the cores', async () => {
    const { r, report } = await results();
    assert.equal(r.pingpong, 500, report);
});

test('spinlock contention: both cores increment a shared counter, total exact', async () => {
    const { r, report } = await results();
    assert.equal(r.counter, 10000, report);
    assert.equal(r.lockSt, 1 << 5, report);
    assert.equal(r.lockBusy, 0, report);
});

test('the divider is per core', async () => {
    const { r, report } = await results();
    assert.equal(r.divBad, 0, report);
});

test('SysTick is per core and ends a WFI', async () => {
    const { r, report } = await results();
    assert.equal(r.ticks0, 100, report);
    // core 1 ticks every 2500 cycles while core 0 counts 100 ticks of 1000 cycles
    assert.ok(r.ticks1 >= 39 && r.ticks1 <= 41, report);
});

test('NVIC is per core; peripheral interrupts reach the core that enabled them; FIFO IRQs are core-local', async () => {
    const { r, report } = await results();
    assert.equal(r.soft0, 1, report);
    assert.equal(r.soft1, 1, report);
    assert.equal(r.timer0, 0, report);
    assert.equal(r.timer1, 1, report);
    assert.equal(r.fifoIrq0, 0, report);
    assert.ok(r.fifoIrq1 >= 1, report);
    assert.equal(r.fifoSum1, 6, report);
});

test('FIFO status: VLD/RDY, WOF and ROE set and cleared, 8 words deep, in order', async () => {
    const { r, report } = await results();
    assert.equal(r.fifoBits, 63, report);
    assert.equal(r.fifoOrder, 1, report);
});

test('WFE sleeps until SEV from the other core', async () => {
    const { r, report } = await results();
    assert.equal(r.wfeWoke, 1, report);
    assert.ok(r.wfeLoops >= 1 && r.wfeLoops <= 3, report);
});

test('PSM reset of core 1: the ROM reports with a 0, and core 1 can be launched again', async () => {
    const { r, report, run } = await results();
    assert.equal(r.resetZero, 1, report);
    assert.equal(r.relaunched, 2, report);
    assert.equal(run.dual.stats.core1Resets, 1, report);
});

// The kernel's RP2040 smoke program (lib/rtos/tests/rp2040/smoke, also run single-core by
// tests/host/rtos-rp2040-emu.test.ts) with both cores: SMP scheduling, spinlocks 14/15, the FIFO yield
// and park messages, run_exclusive parking core 1, per-core TLS.
test('the kernel smoke program runs on two cores', async (t) => {
    const tc = resolveToolchain();
    const out = mkdtempSync(join(tmpdir(), 'mprt-rtos-smoke2-'));
    let bin: Buffer;
    try {
        execFileSync('sh', [join(repoRoot(), 'lib', 'rtos', 'tests', 'rp2040', 'smoke', 'build.sh'), out], {
            stdio: 'pipe',
            env: { ...process.env, ARM_CC: tc.gcc, ARM_OBJCOPY: tc.objcopy },
        });
        bin = readFileSync(join(out, 'smoke.bin'));
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
    const run = await runProgram(bin, { maxNanos: 2e9 });
    const fields = ['magic', 'status', 'cores', 'ticksFor100', 'received', 'busyC', 'busyD', 'timerFires',
        'idleHookCalls', 'inheritedPriority', 'restoredPriority', 'exclusiveRan', 'phase', 'roundtripCycles', 'tlsChecks'];
    const r = Object.fromEntries(fields.map((f, i) => [f, run.word(RESULTS + 4 * i)]));
    const report = JSON.stringify({ ...r, status: r.status.toString(16), breakpoint: run.breakpoint, ms: run.nanos / 1e6, stats: run.dual.stats });
    t.diagnostic(report);
    assert.equal(run.breakpoint, 0, report); // finish() ends with BKPT #0
    assert.equal(r.magic, 0x534d4f4b, report);
    assert.equal(r.status, 1, `a check failed on the target (0xbad00000 | line): ${report}`);
    assert.equal(r.cores, 2, report); // core 1 answered the launch handshake
    assert.equal(r.ticksFor100, 100, report);
    assert.equal(r.exclusiveRan, 1, report);
    assert.equal(r.tlsChecks, 2, report);
    assert.ok(run.dual.stats.instructions[1] > 1_000_000, report); // core 1 ran tasks
});

// MicroPython's _thread on the stock port runs on core 1 (on ours, threads run on either core): a thread
// that reads CPUID and shares a counter, and core 1 runs instructions.
test('a MicroPython _thread runs on core 1 of the emulated board', async (t) => {
    const firmware = ['/tmp/stock/firmware.uf2', testFirmware()].find((p) => p && existsSync(p));
    if (!firmware) {
        t.skip('no MicroPython firmware to run');
        return;
    }
    const board = await openBoard({ firmware, cores: 2 });
    try {
        await board.boot();
        const r = await board.exec(
            'import _thread, time, machine\n' +
            'lock = _thread.allocate_lock()\nres = []\nn = [0]\n' +
            'def work(count):\n    for _ in range(count):\n        with lock:\n            n[0] += 1\n' +
            `def thread():\n    res.append(machine.mem32[${hex32(SIO_BASE)}])\n    work(500)\n    res.append("done")\n` +
            '_thread.start_new_thread(thread, ())\nwork(500)\n' +
            'while len(res) < 2:\n    time.sleep_ms(1)\n' +
            `print(machine.mem32[${hex32(SIO_BASE)}], res, n[0])\n`,
            { timeoutMs: 20_000 },
        );
        assert.equal(r.stderr, '', JSON.stringify(r));
        if (firmware === '/tmp/stock/firmware.uf2') {
            // the stock port: the main thread on core 0, the _thread on core 1
            assert.equal(r.stdout.trim(), "0 [1, 'done'] 1000", JSON.stringify(r));
        } else {
            // ours: the kernel runs MicroPython's threads on either core (docs/rtos-firmware.md), so which
            // core each read is timing; the shared counter and core 1's instruction count below are not
            assert.match(r.stdout.trim(), /^[01] \[[01], 'done'\] 1000$/, JSON.stringify(r));
        }
        assert.ok(board.dual && board.dual.stats.instructions[1] > 10_000, JSON.stringify(board.dual?.stats));
    } finally {
        await board.close();
    }
});
