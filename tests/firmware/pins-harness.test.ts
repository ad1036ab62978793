/**
 * The emulator's pin harness (cli/emulator/pins.ts, docs/emulator.md "Pins") against the firmware's stock
 * `machine.Pin`, `machine.PWM` and `machine.time_pulse_us`: a pin the chip drives reads back its level;
 * pulls decide an undriven pin; the harness drives levels and pulse trains at emulated times that the
 * firmware measures; a wire connects two pins; recorded transitions carry the firmware's own timing; and
 * MicroPython's own extmod_hardware/machine_pwm.py (it needs GPIO0 wired to GPIO1) passes.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`), else the stock build.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { componentDir } from '../../cli/components/components.js';
import { repoRoot } from '../../cli/util/paths.js';
import { testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

/** Pin 25 is the "ready" marker: the script raises it when it starts waiting for the harness. */
const READY = 25;

describe('emulator pin harness', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware! }, (b) => (board = b));

    test('a pin the chip drives reads back its level, and its transitions are recorded', async () => {
        const rec = board.pins.record(2);
        const out = await run(board, [
            'from machine import Pin',
            'import time',
            'p = Pin(2, Pin.OUT)',
            'r = []',
            'for v in (1, 0, 1, 0):',
            '    p.value(v); r.append(p.value()); r.append(Pin(2).value()); time.sleep_us(1000)',
            'print(r)',
        ].join('\n'));
        rec.stop();
        assert.equal(out.trim(), '[1, 1, 0, 0, 1, 1, 0, 0]');
        assert.deepEqual(rec.transitions.map((t) => t.level), [1, 0, 1, 0]);
        for (let i = 1; i < rec.transitions.length; i++) {
            const us = (rec.transitions[i].ns - rec.transitions[i - 1].ns) / 1000;
            assert.ok(us >= 1000 && us < 1100, `sleep_us(1000) between edges took ${us} µs`);
        }
    });

    test('pulls decide an undriven pin; a harness drive overrides them', async () => {
        board.pins.drive(3, null);
        const out = await run(board, [
            'from machine import Pin',
            'print(Pin(3, Pin.IN, Pin.PULL_UP).value(), Pin(3, Pin.IN, Pin.PULL_DOWN).value())',
            'p = Pin(3, Pin.IN, Pin.PULL_UP)',
        ].join('\n'));
        assert.equal(out.trim(), '1 0');
        assert.equal(board.pins.level(3), 1);
        board.pins.drive(3, 0);
        assert.equal((await run(board, 'print(p.value())')).trim(), '0');
        board.pins.drive(3, null);
        assert.equal((await run(board, 'print(p.value())')).trim(), '1');
    });

    test('a wire carries one pin to another', async () => {
        const unwire = board.pins.wire(4, 5);
        const out = await run(board, [
            'from machine import Pin',
            'a = Pin(4, Pin.OUT); b = Pin(5, Pin.IN)',
            'r = []',
            'for v in (1, 0, 1):',
            '    a.value(v); r.append(b.value())',
            'print(r)',
        ].join('\n'));
        unwire();
        assert.equal(out.trim(), '[1, 0, 1]');
    });

    test('pulse trains at chosen widths are measured by the firmware to the microsecond', async () => {
        const widthsUs = [5, 37, 1234, 50_000];
        let started = 0;
        board.pins.drive(6, 0);
        const arm = (width: number) => {
            board.pins.when(READY, 1, () => {
                started = board.pins.now();
                // the first pulse lets time_pulse_us see a clean start; the second is measured
                board.pins.pulses(6, { startNs: started + 200_000, widthNs: width * 1000, periodNs: width * 1000 + 300_000, count: 1 });
            });
        };
        for (const w of widthsUs) {
            arm(w);
            const out = await run(board, [
                'from machine import Pin, time_pulse_us',
                'm = Pin(25, Pin.OUT); m.value(0)',
                'p = Pin(6, Pin.IN)',
                'm.value(1)',
                'print(time_pulse_us(p, 1, 2_000_000))',
                'm.value(0)',
            ].join('\n'));
            const measured = Number(out.trim());
            assert.ok(Math.abs(measured - w) <= 1, `a ${w} µs pulse measured as ${out.trim()} µs`);
        }
        assert.ok(started > 0);
    });

    test('edges at 1 kHz reach stock Pin IRQ handlers, none lost', async () => {
        board.pins.drive(7, 0);
        board.pins.when(READY, 1, () => {
            board.pins.pulses(7, { startNs: board.pins.now() + 100_000, widthNs: 100_000, periodNs: 1_000_000, count: 200 });
        });
        const out = await run(board, [
            'from machine import Pin',
            'import time',
            'n = 0',
            'def h(p):',
            '    global n',
            '    n += 1',
            'p = Pin(7, Pin.IN)',
            'p.irq(h, Pin.IRQ_RISING)',
            'm = Pin(25, Pin.OUT); m.value(0); m.value(1)',
            'time.sleep_ms(250)',
            'p.irq(None)',
            'm.value(0)',
            'print(n)',
        ].join('\n'));
        assert.equal(out.trim(), '200');
    });

    test('hard Pin.irq handlers run on any core, also where no Python thread runs (the idle task): 200 edges, none lost', async (t) => {
        board.pins.drive(10, 0);
        const answer = board.pins.record(11);
        const edges: number[] = [];
        board.pins.when(READY, 1, () => {
            const start = board.pins.now() + 100_000;
            for (let i = 0; i < 200; i++) edges.push(start + i * 1_000_000);
            board.pins.pulses(10, { startNs: start, widthNs: 100_000, periodNs: 1_000_000, count: 200 });
        });
        const out = await run(board, [
            'from machine import Pin',
            'import time',
            'o = Pin(11, Pin.OUT, value=0)',
            'n = [0]',
            'def h(p):',
            '    n[0] += 1',
            '    o.toggle()',
            'p = Pin(10, Pin.IN)',
            'p.irq(h, Pin.IRQ_RISING, hard=True)',
            'm = Pin(25, Pin.OUT); m.value(0); m.value(1)',
            'time.sleep_ms(250)',
            'p.irq(None)',
            'm.value(0)',
            'print(n[0])',
        ].join('\n'));
        answer.stop();
        assert.equal(out.trim(), '200');
        assert.equal(answer.transitions.length, edges.length, 'one toggle per edge');
        const lat = answer.transitions.map((tr, i) => (tr.ns - edges[i]) / 1000);
        assert.ok(lat.every((us) => us > 0 && us < 1000), `latencies ${lat.join(', ')} µs`);
        t.diagnostic(`hard Pin.irq edge-to-handler-output latency: min ${Math.min(...lat).toFixed(1)} µs, max ${Math.max(...lat).toFixed(1)} µs (emulated)`);
    });

    test('a stock Pin.irq handler answers an edge on another pin: latency from the recorded transitions', async (t) => {
        board.pins.drive(8, 0);
        const answer = board.pins.record(9);
        const edges: number[] = [];
        board.pins.when(READY, 1, () => {
            const start = board.pins.now() + 100_000;
            for (let i = 0; i < 10; i++) edges.push(start + i * 2_000_000);
            board.pins.pulses(8, { startNs: start, widthNs: 1_000_000, periodNs: 2_000_000, count: 10 });
        });
        await run(board, [
            'from machine import Pin',
            'import time',
            'o = Pin(9, Pin.OUT, value=0)',
            'def h(p):',
            '    o.value(1 - o.value())',
            'p = Pin(8, Pin.IN)',
            'p.irq(h, Pin.IRQ_RISING)',
            'm = Pin(25, Pin.OUT); m.value(0); m.value(1)',
            'time.sleep_ms(25)',
            'p.irq(None)',
            'm.value(0)',
        ].join('\n'));
        answer.stop();
        assert.equal(answer.transitions.length, edges.length, 'one toggle per edge');
        const lat = answer.transitions.map((tr, i) => (tr.ns - edges[i]) / 1000);
        assert.ok(lat.every((us) => us > 0 && us < 1000), `latencies ${lat.join(', ')} µs`);
        t.diagnostic(`stock Pin.irq (soft) edge-to-handler-output latency: min ${Math.min(...lat).toFixed(1)} µs, max ${Math.max(...lat).toFixed(1)} µs (emulated)`);
    });

    test("MicroPython's extmod_hardware/machine_pwm.py passes with GPIO0 wired to GPIO1", async () => {
        const script = join(componentDir('micropython'), 'tests', 'extmod_hardware', 'machine_pwm.py');
        if (!existsSync(script)) return;
        const unittest = readFileSync(join(repoRoot(), 'cli', 'testing', 'board', 'unittest.py'), 'utf8');
        await run(board, "import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass");
        await board.writeFile('/lib/unittest.py', unittest);
        const unwire = board.pins.wire(0, 1);
        const r = await board.exec(readFileSync(script, 'utf8'), { timeoutMs: 120_000 });
        unwire();
        assert.equal(r.stderr, '', r.stdout + r.stderr);
        assert.match(r.stdout, /\nOK\s*$/, r.stdout);
    });
});
