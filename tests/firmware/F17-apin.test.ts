/**
 * machine.APin (docs/apin.md) against waveforms the emulator's pin harness drives (cli/emulator/pins.ts):
 * every event kind of `await pin.wait(event)` at known emulated times, pulse widths from 5 µs to 1 s
 * measured to the microsecond, 1,000 edges at 20 kHz with none lost, select over three pins, asyncio
 * tasks waiting on pins, and the figures of the issue: the edge-to-Python latency (emulated µs from an
 * edge to the awaiting task running, seen as the pin it then sets) and the highest edge rate queued
 * without loss.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`); the stock build has no
 * APin, so the tests are skipped on it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

/** The script raises pin 25 when it starts waiting; the harness schedules the waveform from then. */
const READY = 25;
const US = 1000;

/** Runs `body` (indented, inside `async def main():`) with pins set up by `setup`, under asyncio. */
function script(setup: string[], body: string[]): string {
    return [
        'import asyncio, os, select, struct, time',
        'from machine import APin, Pin',
        ...setup,
        'm = Pin(25, Pin.OUT, value=0)',
        'async def main():',
        ...body.map((l) => '    ' + l),
        'asyncio.run(main())',
        'm.value(0)',
    ].join('\n');
}

describe('machine.APin in the emulator', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
        const probe = await board.exec('import machine\nprint(hasattr(machine, "APin"))');
        if (probe.stdout.trim() !== 'True') throw new Error('this firmware has no machine.APin');
    });
    after(async () => {
        await board?.close();
    });

    test("the harness's edges() and pulseWidths() make exactly the transitions asked for", async () => {
        const rec = board.pins.record(23);
        board.pins.drive(23, 0);
        const t0 = board.pins.now() + 100 * US;
        const times = [t0, t0 + 3 * US, t0 + 1000 * US]; // the line ends high
        board.pins.edges(23, times, 1);
        const pulses = board.pins.pulseWidths(23, [5 * US, 17 * US], { startNs: t0 + 2000 * US, gapNs: 40 * US, level: 0 });
        await run(board, 'import time\ntime.sleep_ms(5)');
        rec.stop();
        board.pins.drive(23, null);
        const want = [...times.map((ns, i) => ({ ns, level: i % 2 === 0 ? 1 : 0 })), ...pulses.flatMap((p) => [{ ns: p.start, level: 0 }, { ns: p.end, level: 1 }])];
        assert.deepEqual(rec.transitions.filter((t) => t.ns >= t0), want);
    });

    test('every event kind: wait(), EDGE_RISE/FALL, LEVEL_HIGH/LOW, PULSE_UP/DOWN at the harness times', async (t) => {
        const pin = 6;
        board.pins.drive(pin, 0);
        // edges (µs after the start), from low: R F R F R F R F R F R F
        const rel = [100, 200, 300, 400, 600, 650, 800, 837, 1000, 1100, 1223, 1400];
        let times: number[] = [];
        board.pins.when(READY, 1, () => {
            const start = board.pins.now() + 50 * US;
            times = rel.map((us) => start + us * US);
            board.pins.edges(pin, times, 1);
        });
        const out = await run(board, script([`p = APin(${pin})`], [
            'm.value(1)',
            'r = [await p.wait(), await p.wait(APin.EDGE_FALL), await p.wait(APin.EDGE_RISE)]',
            'r += [await p.wait(APin.LEVEL_LOW), await p.wait(APin.LEVEL_HIGH)]',
            'r += [await p.wait(APin.PULSE_UP), await p.wait(APin.PULSE_DOWN), await p.wait(APin.EDGE_FALL)]',
            'print(r)',
            // at the level now with nothing queued: LEVEL_LOW answers at once with the time now
            't0 = time.monotonic_ns(); v = await p.wait(APin.LEVEL_LOW); print(0 <= v - t0 < 1_000_000, p.value)',
            'p.close()',
        ]));
        const r = JSON.parse(out.trim().split('\n')[0]) as number[];
        const stamps = [r[0], r[1], r[2], r[3], r[4], r[7]];
        const expected = [times[0], times[1], times[2], times[3], times[4], times[11]];
        const lat = stamps.map((ns, i) => (ns - expected[i]) / US);
        // the timer counts whole µs: a stamp may read up to 1 µs before the edge's ns
        assert.ok(lat.every((us) => us >= -1 && us <= 5), `timestamps minus edge times: ${lat.join(', ')} µs`);
        assert.ok(Math.abs(r[5] - 37) <= 1, `PULSE_UP of 37 µs measured as ${r[5]}`);
        assert.ok(Math.abs(r[6] - 123) <= 1, `PULSE_DOWN of 123 µs measured as ${r[6]}`);
        assert.equal(out.trim().split('\n')[1], 'True False');
        t.diagnostic(`edge timestamp minus harness edge time: ${lat.join(', ')} µs`);
    });

    test('pulse widths from 5 µs to 1 s are measured within 1 µs (PULSE_UP and PULSE_DOWN)', async (t) => {
        const widthsUs = [5, 7, 12, 37, 100, 1234, 50_000, 1_000_000];
        for (const [pin, level] of [[7, 1], [8, 0]] as const) {
            board.pins.drive(pin, level === 1 ? 0 : 1);
            board.pins.when(READY, 1, () => {
                board.pins.pulseWidths(pin, widthsUs.map((w) => w * US), { startNs: board.pins.now() + 2000 * US, gapNs: 1000 * US, level });
            });
            const ev = level === 1 ? 'PULSE_UP' : 'PULSE_DOWN';
            const out = await run(board, script([`p = APin(${pin})`], [
                'm.value(1)',
                'r = []',
                `for _ in range(${widthsUs.length}):`,
                `    r.append(await p.wait(APin.${ev}))`,
                'print(r, p.dropped())',
                'p.close()',
            ]), 30_000);
            const [list, dropped] = out.trim().split('] ');
            const measured = JSON.parse(list + ']') as number[];
            const err = measured.map((m, i) => m - widthsUs[i]);
            assert.ok(err.every((e) => Math.abs(e) <= 1), `${ev}: widths ${widthsUs.join(', ')} µs measured as ${measured.join(', ')}`);
            assert.equal(dropped, '0');
            t.diagnostic(`${ev}: measured minus true width: ${err.join(', ')} µs`);
        }
    });

    test('1,000 edges at 20 kHz reach an awaiting task, none lost, stamped within 3 µs of their spacing', async (t) => {
        const pin = 9;
        board.pins.drive(pin, 0);
        board.pins.when(READY, 1, () => {
            board.pins.pulses(pin, { startNs: board.pins.now() + 200 * US, widthNs: 50 * US, periodNs: 100 * US, count: 500 });
        });
        const out = await run(board, script([`p = APin(${pin})`], [
            'm.value(1)',
            'ts = []',
            'async def collect():',
            '    while len(ts) < 1000:',
            '        ts.append(await p.wait())',
            'try:',
            '    await asyncio.wait_for_ms(collect(), 200)',
            'except asyncio.TimeoutError:',
            '    pass',
            'd = [ts[i + 1] - ts[i] for i in range(len(ts) - 1)] or [0]',
            'print(len(ts), p.dropped(), min(d), max(d))',
            'p.close()',
        ]));
        const [n, dropped, min, max] = out.trim().split(' ').map(Number);
        assert.equal(n, 1000, out);
        assert.equal(dropped, 0);
        // while the consumer runs, an edge can come in a kernel critical section and be stamped late
        assert.ok(min >= 47_000 && max <= 53_000, `edge spacing ${min}..${max} ns (50 µs)`);
        t.diagnostic(`1,000 edges 50 µs apart: stamped spacing ${min / 1000}..${max / 1000} µs, none dropped`);
    });

    test('a wire from a PWM output: APin measures the duty cycle the chip makes (10 kHz, 25 % and 70 %)', async () => {
        const unwire = board.pins.wire(21, 22);
        const out = await run(board, script(['p = APin(22)', 'from machine import PWM', 'pwm = PWM(Pin(21), freq=10_000, duty_u16=16384)'], [
            'r = []',
            'for duty in (16384, 45875):',
            '    pwm.duty_u16(duty)',
            '    await asyncio.sleep_ms(2)',
            '    while p._take(None) is not None: pass',  // drop the edges queued so far
            '    r.append((await p.wait(APin.PULSE_UP), await p.wait(APin.PULSE_DOWN)))',
            'pwm.deinit()',
            'print(r)',
            'p.close()',
        ]));
        unwire();
        const r = JSON.parse(out.trim().replace(/\(/g, '[').replace(/\)/g, ']')) as number[][];
        // 100 µs periods: 25/75 and 70/30 µs, within 1 µs
        assert.ok(Math.abs(r[0][0] - 25) <= 1 && Math.abs(r[0][1] - 75) <= 1, out);
        assert.ok(Math.abs(r[1][0] - 70) <= 1 && Math.abs(r[1][1] - 30) <= 1, out);
    });

    test('select over three pins, edge records read from their fds in time order', async () => {
        const pins = [12, 13, 14];
        for (const p of pins) board.pins.drive(p, 0);
        const order: number[] = [];
        board.pins.when(READY, 1, () => {
            const start = board.pins.now() + 100 * US;
            // 30 pulses spread over the three pins in a fixed pseudo-random order, 300 µs apart
            for (let i = 0; i < 30; i++) {
                const p = pins[(i * 7 + (i >> 2)) % 3];
                order.push(p);
                board.pins.pulses(p, { startNs: start + i * 300 * US, widthNs: 100 * US, periodNs: 200 * US, count: 1 });
            }
        });
        const out = await run(board, script(['ps = [APin(12), APin(13), APin(14)]', 'for p in ps: p.set_edges(True, False)'], [
            'm.value(1)',
            'got = []',
            'while len(got) < 30:',
            '    r, _, _ = select.select(ps, [], [], 1.0)',
            '    assert r, "select timed out"',
            '    for p in r:',
            '        b = os.read(p.fileno(), 160)',
            '        for i in range(0, len(b), 16):',
            '            got.append(struct.unpack_from("<QII", b, i))',
            'got.sort()',
            'print([g[2] for g in got], all(g[1] == 1 for g in got))',
            'for p in ps: p.close()',
        ]));
        assert.equal(out.trim(), `${JSON.stringify(order).replace(/,/g, ', ')} True`);
    });

    test('asyncio: three tasks each awaiting pulses on its own pin', async () => {
        const spec = [
            { pin: 15, widths: [20, 40, 60] },
            { pin: 16, widths: [500, 25] },
            { pin: 17, widths: [77, 78, 79, 80] },
        ];
        for (const s of spec) board.pins.drive(s.pin, 0);
        board.pins.when(READY, 1, () => {
            for (const [i, s] of spec.entries()) {
                board.pins.pulseWidths(s.pin, s.widths.map((w) => w * US), { startNs: board.pins.now() + (100 + 37 * i) * US, gapNs: 150 * US });
            }
        });
        const out = await run(board, script([], [
            'async def task(n, k):',
            '    p = APin(n)',
            '    try:',
            '        r = []',
            '        for _ in range(k):',
            '            r.append(await p.wait(APin.PULSE_UP))',
            '        return r',
            '    finally:',
            '        p.close()',
            'ts = [asyncio.create_task(task(n, k)) for n, k in ((15, 3), (16, 2), (17, 4))]',
            'await asyncio.sleep_ms(0)',
            'm.value(1)',
            'print(await asyncio.gather(*ts))',
        ]));
        const got = JSON.parse(out.trim()) as number[][];
        assert.deepEqual(got.map((l) => l.length), spec.map((s) => s.widths.length), out);
        got.forEach((l, i) => l.forEach((w, j) => assert.ok(Math.abs(w - spec[i].widths[j]) <= 1, `pin ${spec[i].pin}: ${out}`)));
    });

    for (const [how, body] of [
        ['an awaiting asyncio task', ['m.value(1)', 'for _ in range(20):', '    await p.wait(APin.EDGE_RISE)', '    o.toggle()', 'p.close()']],
        ['a thread blocked in select.select', ['m.value(1)', 'for _ in range(20):', '    select.select([p], [], [])', '    os.read(p.fileno(), 16)', '    o.toggle()', 'p.close()']],
    ] as const) {
        test(`edge-to-Python latency: ${how} sets a pin after each edge`, async (t) => {
            const pin = 18;
            const answerPin = 19;
            board.pins.drive(pin, 0);
            const answer = board.pins.record(answerPin);
            const edges: number[] = [];
            board.pins.when(READY, 1, () => {
                const start = board.pins.now() + 2000 * US;
                for (let i = 0; i < 20; i++) edges.push(start + i * 1000 * US);
                board.pins.pulses(pin, { startNs: start, widthNs: 300 * US, periodNs: 1000 * US, count: 20 });
            });
            // a collection first: one in the loop (select and os.read allocate) would stop the thread for
            // some 13 ms (the GC heap is 192 KB) and show as the latency of the edges meanwhile
            await run(board, script([`p = APin(${pin})`, 'p.set_edges(True, False)', `o = Pin(${answerPin}, Pin.OUT, value=0)`, 'import gc; gc.collect()'], [...body]));
            answer.stop();
            assert.equal(answer.transitions.length, edges.length, 'one toggle per edge');
            const lat = answer.transitions.map((tr, i) => (tr.ns - edges[i]) / US);
            assert.ok(lat.every((us) => us > 0 && us < 1000), `latencies ${lat.join(', ')} µs`);
            const sorted = [...lat].sort((x, y) => x - y);
            t.diagnostic(`APin edge to ${how} running: min ${sorted[0].toFixed(1)} µs, median ${sorted[10].toFixed(1)} µs, max ${sorted[19].toFixed(1)} µs (emulated)`);
        });
    }

    test('the highest edge rate queued without loss (bursts of 60 edges read with os.read)', async (t) => {
        const pin = 20;
        let best = 0;
        for (const periodNs of [20_000, 16_000, 14_000, 12_000, 10_000, 8_000, 6_000]) {
            board.pins.drive(pin, 0);
            board.pins.when(READY, 1, () => {
                board.pins.pulses(pin, { startNs: board.pins.now() + 2000 * US, widthNs: periodNs / 2, periodNs, count: 30 });
            });
            const out = await run(board, script([`p = APin(${pin})`], [
                'm.value(1)',
                'await asyncio.sleep_ms(5)',
                'b = os.read(p.fileno(), 16 * 64)',
                'ts = [struct.unpack_from("<Q", b, i)[0] for i in range(0, len(b), 16)]',
                'd = [ts[i + 1] - ts[i] for i in range(len(ts) - 1)]',
                'print(len(ts), p.dropped(), min(d), max(d))',
                'p.close()',
            ]));
            const [n, dropped, min, max] = out.trim().split(' ').map(Number);
            const half = periodNs / 2;
            // no loss: every edge queued, none dropped, no two merged into one interrupt (spacing 0)
            const exact = n === 60 && dropped === 0 && min > 0;
            t.diagnostic(`edges every ${half / 1000} µs: ${n} queued, ${dropped} dropped, spacing ${min / 1000}..${max / 1000} µs${exact ? '' : ' (lost or merged)'}`);
            if (!exact) break;
            best = 1e9 / half;
        }
        assert.ok(best >= 20_000, 'at least 20,000 edges/s');
        t.diagnostic(`highest edge rate queued exactly: ${best.toFixed(0)} edges/s`);
    });
});
