import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator, ConsoleLogger, LogLevel } from 'rp2040js';
import { repoRoot } from '../../cli/util/paths.js';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';
import { SRAM_BASE } from '../../cli/chip/rp2040.js';

// Runs the kernel's RP2040 port on the emulated chip: a bare-metal program (lib/rtos/tests/rp2040/smoke)
// with producer/consumer tasks, round robin, a software timer, priority inheritance, the exclusive-run
// primitive, per-task Picolibc TLS (errno) and a context-switch measurement. rp2040js has one core and no SIO FIFO, so this also exercises the "core 1 absent" fallback.
const rtos = join(repoRoot(), 'lib', 'rtos');
const RESULT = SRAM_BASE;
const FIELDS = ['magic', 'status', 'cores', 'ticksFor100', 'received', 'busyC', 'busyD', 'timerFires',
    'idleHookCalls', 'inheritedPriority', 'restoredPriority', 'exclusiveRan', 'phase', 'roundtripCycles',
    'tlsChecks'] as const;

test('kernel runs on the emulated RP2040 (single core): switching, tick, timers, inheritance, WFI idle', (t) => {
    const tc = resolveToolchain();
    const out = mkdtempSync(join(tmpdir(), 'mprt-rtos-smoke-'));
    let bin: Buffer;
    try {
        execFileSync('sh', [join(rtos, 'tests', 'rp2040', 'smoke', 'build.sh'), out], {
            stdio: 'pipe',
            env: { ...process.env, ARM_CC: tc.gcc, ARM_OBJCOPY: tc.objcopy },
        });
        bin = readFileSync(join(out, 'smoke.bin'));
    } finally {
        rmSync(out, { recursive: true, force: true });
    }

    const sim = new Simulator();
    const mcu = sim.rp2040;
    mcu.logger = new ConsoleLogger(LogLevel.Error);
    mcu.flash.set(bin, 0);
    mcu.core.SP = bin.readUInt32LE(0);
    mcu.core.PC = bin.readUInt32LE(4) & ~1;
    let stopped = false;
    mcu.onBreak = () => {
        stopped = true;
    };
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    const cycleNanos = 8; // 125 MHz
    let cycles = 0;
    let idlePhaseCycles = 0;
    let idlePhaseWaiting = 0;
    try {
        const phaseAddr = RESULT + 4 * FIELDS.indexOf('phase');
        let inIdlePhase = false;
        for (let n = 0; !stopped && cycles < 100_000_000; n++) {
            if ((n & 1023) === 0 || mcu.core.waiting) inIdlePhase = mcu.readUint32(phaseAddr) === 1;
            let spent: number;
            if (mcu.core.waiting) {
                const nanos = sim.clock.nanosToNextAlarm;
                sim.clock.tick(nanos);
                spent = nanos / cycleNanos;
                if (inIdlePhase) idlePhaseWaiting += spent;
                // rp2040js 1.4.1 raises SysTick without ending a WFI (only NVIC interrupts do): end it here
                if (mcu.core.interruptsUpdated && mcu.core.checkForInterrupts()) mcu.core.waiting = false;
            } else {
                spent = mcu.core.executeInstruction();
                sim.clock.tick(spent * cycleNanos);
            }
            if (inIdlePhase) idlePhaseCycles += spent;
            cycles += spent;
        }
    } finally {
        console.warn = warn;
    }
    const r = Object.fromEntries(FIELDS.map((f, i) => [f, mcu.readUint32(RESULT + 4 * i) >>> 0]));
    const report = JSON.stringify({ ...r, status: r.status.toString(16), cycles, pc: mcu.core.PC.toString(16),
        lr: mcu.core.registers[14].toString(16), warnings: warnings.slice(0, 5) });
    t.diagnostic(`${report} idle share ${(idlePhaseWaiting / Math.max(idlePhaseCycles, 1)).toFixed(4)}`);
    assert.ok(stopped, `no BKPT within ${cycles} cycles: ${report}`);
    assert.equal(r.magic, 0x534d4f4b, report);
    assert.equal(r.status, 1, `a check failed on the target (0xbad00000 | line): ${report}`);
    assert.equal(r.cores, 1, report); // core 1 absent: runs alone
    assert.equal(r.ticksFor100, 100, report);
    assert.ok(r.received >= 95, report);
    assert.ok(r.busyC > 0 && r.busyD > 0, report);
    assert.equal(r.inheritedPriority, 4, report);
    assert.equal(r.restoredPriority, 1, report);
    assert.equal(r.tlsChecks, 2, report); // errno and __thread variables are per task
    assert.ok(r.roundtripCycles > 50 && r.roundtripCycles < 5000, report);
    assert.equal(r.exclusiveRan, 1, report);
    assert.ok(r.timerFires >= 20, report);
    // 100 ms of idle time: the core sleeps in WFI nearly all of it
    assert.ok(idlePhaseCycles > 100 * 125_000 * 0.9, report);
    assert.ok(idlePhaseWaiting / idlePhaseCycles > 0.95, `idle share ${idlePhaseWaiting / idlePhaseCycles}: ${report}`);
    // the core-1 probe reads the FIFO status once and gives up
    assert.deepEqual(warnings.filter((w) => /SIO/.test(w)), ['Read from invalid SIO address: 50'], report);
});
