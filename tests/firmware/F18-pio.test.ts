/**
 * F18 machine.PioStateMachine and F19 machine.AudioOutPwm on the emulated board (docs/pio.md,
 * docs/audio.md), measured on the pin harness (cli/emulator/pins.ts) with the PIO blocks stepped on the
 * emulated clock at their dividers' rates (cli/emulator/pio-clock.ts):
 *  - `assemble` on the firmware equals pico-sdk's pioasm (built on the host) for every .pio file of the
 *    pico-sdk and MicroPython trees and of tests/firmware/F18-pio/corpus; both reject the files of
 *    tests/firmware/F18-pio/errors;
 *  - a PIO program counts 1,000 edges the harness drives (its counts come back through the RX DMA ring);
 *  - a PIO UART TX at 115,200 baud, decoded from the pin's recorded transitions;
 *  - 10 KB TX -> RX through two state machines and a harness wire, both FIFOs DMA rings, through asyncio
 *    streams; the PIO DMA throughput of a FIFO-to-FIFO program;
 *  - AudioOutPwm: 1 s of a 1 kHz sine at 22,050 Hz, each PWM period's duty (measured on the pin) equal
 *    to its sample, the DMA interrupts taken and the CPU's idle share while it plays;
 *  - a soft reset frees the state machines, the 12 DMA channels and the rings.
 * Prints the measured figures (MEASURE lines). Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';

import { componentDir, findComponent } from '../../cli/components/components.js';
import { ensurePioasm } from '../../cli/compile/pioasm.js';
import { repoRoot } from '../../cli/util/paths.js';
import type { Transition as PinTransition } from '../../cli/emulator/pins.js';
import { softReset, testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();
const READY = 25;

function pioFiles(dir: string): string[] {
    const out: string[] = [];
    for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) out.push(...pioFiles(p));
        else if (name.endsWith('.pio')) out.push(p);
    }
    return out.sort();
}

/** A Python string literal of `s` (repr-like, ASCII-safe). */
function pyStr(s: string): string {
    return JSON.stringify(s);
}

/** The level a recording shows at time `ns`. */
function levelAt(initial: number, tr: PinTransition[], ns: number): number {
    let lo = 0;
    let hi = tr.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tr[mid].ns <= ns) lo = mid + 1;
        else hi = mid;
    }
    return lo === 0 ? initial : tr[lo - 1].level;
}

/** Decodes 8N1 UART frames at `baud` from a pin's recorded transitions (idle high). */
function decodeUart(initial: number, tr: PinTransition[], baud: number): { bytes: number[]; framingErrors: number } {
    const bit = 1e9 / baud;
    const bytes: number[] = [];
    let framingErrors = 0;
    let i = 0;
    while (i < tr.length) {
        if (tr[i].level !== 0) {
            i++;
            continue;
        }
        const start = tr[i].ns;
        if (levelAt(initial, tr, start + bit / 2) !== 0) {
            i++;
            continue;
        }
        let v = 0;
        for (let b = 0; b < 8; b++) v |= levelAt(initial, tr, start + (1.5 + b) * bit) << b;
        if (levelAt(initial, tr, start + 9.5 * bit) !== 1) framingErrors++;
        bytes.push(v);
        const end = start + 9.5 * bit;
        while (i < tr.length && tr[i].ns <= end) i++;
    }
    return { bytes, framingErrors };
}

/** Python lines assembling pico-sdk's 8-cycles-per-bit UART TX as class `Tx` (pin = side-set and out). */
const UART_TX = [
    'Tx = P.assemble("""',
    '.program uart_tx',
    '.side_set 1 opt',
    '    pull        side 1 [7]',
    '    set x, 7    side 0 [7]',
    'bits:',
    '    out pins, 1',
    '    jmp x-- bits [6]',
    '""")',
];

describe('F18 PioStateMachine, F19 AudioOutPwm', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware! }, (b) => (board = b));

    test('assemble on the firmware equals pioasm for every .pio file (and both reject the bad ones)', async () => {
        const sdk = findComponent('pico-sdk');
        const sdkDir = componentDir('pico-sdk');
        const pioasm = await ensurePioasm({ picoSdkDir: sdkDir, version: sdk.version, jobs: 2 });
        const here = join(repoRoot(), 'tests', 'firmware', 'F18-pio');
        const good = [...pioFiles(sdkDir), ...pioFiles(componentDir('micropython')), ...pioFiles(join(here, 'corpus'))];
        const bad = pioFiles(join(here, 'errors'));
        assert.ok(good.length >= 5, `found ${good.length} .pio files`);
        let programs = 0;
        let instructions = 0;
        for (const file of [...good, ...bad]) {
            const src = readFileSync(file, 'utf8');
            let ref: { publicSymbols: Record<string, number>; programs: Record<string, unknown>[] } | undefined;
            try {
                ref = JSON.parse(execFileSync(pioasm, ['-o', 'json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
            } catch {
                ref = undefined;
            }
            const out = await run(board, [
                'import _pioasm, json',
                'try:',
                `    progs, glob = _pioasm.assemble_all(${pyStr(src)})`,
                '    print(json.dumps({"publicSymbols": glob, "programs": [{"name": p["name"], "wrapTarget": p["wrap_target"], "wrap": p["wrap"], "origin": p["origin"],',
                '        "sideset": {"size": p["sideset"][0], "optional": p["sideset"][1], "pindirs": p["sideset"][2]} if p["sideset"] else {"size": 0, "optional": False, "pindirs": False},',
                '        "publicSymbols": p["public_defines"], "publicLabels": p["public_labels"], "instructions": [{"hex": "%04X" % w} for w in p["instructions"]]} for p in progs]}))',
                'except ValueError as e:',
                '    print("ValueError", e)',
            ].join('\n'), 60_000);
            if (ref === undefined) {
                assert.match(out, /^ValueError /, `${file}: pioasm rejects it, the firmware gave ${out}`);
                assert.ok(bad.includes(file), `${file}: pioasm rejects it`);
                continue;
            }
            assert.doesNotMatch(out, /^ValueError/, `${file}: ${out}`);
            const mine = JSON.parse(out) as typeof ref;
            assert.deepEqual(mine, ref, file);
            programs += ref.programs.length;
            for (const p of ref.programs) instructions += (p.instructions as unknown[]).length;
        }
        console.log(`MEASURE assemble==pioasm files=${good.length} programs=${programs} instructions=${instructions} rejected=${bad.length}`);
    });

    test('a PIO program counts 1,000 edges the harness drives; the counts come back through the RX DMA ring', async () => {
        const rec = board.pins.record(READY);
        board.pins.when(READY, 1, () => {
            board.pins.pulses(6, { widthNs: 5_000, periodNs: 10_000, count: 1000 });
        });
        const out = await run(board, [
            'import machine, time, struct',
            'from machine import Pin, PioStateMachine',
            'Counter = PioStateMachine.assemble("""',
            '.program edge_counter',
            '    mov x, ~null',
            '.wrap_target',
            '    wait 0 pin 0',
            '    wait 1 pin 0',
            '    jmp x-- counted',
            'counted:',
            '    mov isr, ~x',
            '    push noblock',
            '.wrap',
            '""")',
            'sm = Counter(Counter.instructions, [6])',
            'sm.set_pins(PioStateMachine.PINS_IN, 6)',
            'sm.configure_fifo(False, 1024, 256, PioStateMachine.DMA_SIZE_32)',
            'sm.set_enabled(True)',
            'ready = Pin(25, Pin.OUT); ready.value(1)',
            'buf = bytearray(4000); mv = memoryview(buf); got = 0',
            'while got < 4000:',
            '    got += sm.readinto(mv[got:])',
            'c = struct.unpack("<1000I", buf)',
            'print(c[0], c[-1], all(c[i] == i + 1 for i in range(1000)))',
            'sm.close(); ready.value(0)',
        ].join('\n'), 60_000);
        rec.stop();
        assert.equal(out.trim(), '1 1000 True');
    });

    test('a PIO UART TX at 115,200 baud, decoded from the pin\'s recorded transitions', async () => {
        const rec = board.pins.record(7);
        const text = 'Hello from a PIO UART at 115200 baud! 0123456789 \x00\xff\x55\xaa';
        const out = await run(board, [
            'from machine import PioStateMachine as P',
            ...UART_TX,
            'sm = Tx(Tx.instructions, [7], freq=8 * 115200)',
            'sm.set_pins(P.PINS_OUT, 7, 1); sm.set_pins(P.PINS_SIDESET, 7)',
            'sm.set_pin_values(1 << 7, 1 << 7); sm.set_pindirs(1 << 7, 1 << 7)',
            'sm.configure_fifo(True, 256, 16, P.DMA_SIZE_8)',
            'sm.set_enabled(True)',
            `data = bytes(${JSON.stringify([...Buffer.from(text, 'latin1')])})`,
            'print(sm.write(data))',
            'sm.drain()',
            'import time; time.sleep_ms(1)',
            'sm.close()',
        ].join('\n'), 60_000);
        rec.stop();
        assert.equal(out.trim(), String(text.length));
        const { bytes, framingErrors } = decodeUart(rec.initial, rec.transitions, 115_200);
        assert.equal(framingErrors, 0);
        assert.equal(Buffer.from(bytes).toString('latin1'), text);
        // bit times as the divider gives them (clk_sys / (8 * 115200) = 135.63 -> 8.680 us per bit)
        const edges = rec.transitions.map((t) => t.ns);
        const bitNs = 1e9 / 115_200;
        let worst = 0;
        for (let i = 1; i < edges.length; i++) {
            const d = edges[i] - edges[i - 1];
            const bits = Math.round(d / bitNs);
            if (bits >= 1 && bits <= 9) worst = Math.max(worst, Math.abs(d - bits * bitNs) / bits);
        }
        console.log(`MEASURE pio-uart-tx bytes=${bytes.length} worst bit-time error=${worst.toFixed(1)} ns of ${bitNs.toFixed(1)}`);
        assert.ok(worst < bitNs * 0.02, `bit time error ${worst} ns`);
    });

    test('10 KB TX -> RX through two state machines, a wire and DMA rings, with asyncio streams', async () => {
        const unwire = board.pins.wire(8, 9);
        const baud = 1_000_000;
        const t0 = board.pins.now();
        const out = await run(board, [
            'import asyncio, time',
            'from machine import PioStateMachine as P',
            ...UART_TX,
            'Rx = P.assemble("""',
            '.program uart_rx',
            '    wait 0 pin 0',
            '    set x, 7 [10]',
            'bits:',
            '    in pins, 1',
            '    jmp x-- bits [6]',
            '    in null, 24',
            '    push',
            '    wait 1 pin 0',
            '""")',
            `tx = Tx(Tx.instructions, [8], freq=8 * ${baud})`,
            'tx.set_pins(P.PINS_OUT, 8, 1); tx.set_pins(P.PINS_SIDESET, 8)',
            'tx.set_pin_values(1 << 8, 1 << 8); tx.set_pindirs(1 << 8, 1 << 8)',
            'tx.configure_fifo(True, 1024, 256, P.DMA_SIZE_8)',
            `rx = Rx(Rx.instructions, [9], freq=8 * ${baud})`,
            'rx.set_pins(P.PINS_IN, 9)',
            'rx.configure_fifo(False, 1024, 64, P.DMA_SIZE_8)',
            'rx.set_enabled(True); tx.set_enabled(True)',
            'data = bytes((i * 7 + (i >> 8)) & 255 for i in range(10240))',
            'async def main():',
            '    r = asyncio.StreamReader(rx.fileno()); w = asyncio.StreamWriter(tx.fileno())',
            '    async def send():',
            '        w.write(data)',
            '        await w.drain()',
            '    t = asyncio.create_task(send())',
            '    t0 = time.ticks_us()',
            '    got = await r.readexactly(len(data))',
            '    dt = time.ticks_diff(time.ticks_us(), t0)',
            '    await t',
            '    return got, dt',
            'got, dt = asyncio.run(main())',
            'print(len(got), got == data, dt)',
            'tx.close(); rx.close()',
        ].join('\n'), 120_000);
        unwire();
        const [n, same, dt] = out.trim().split(' ');
        assert.equal(n, '10240');
        assert.equal(same, 'True');
        const us = Number(dt);
        console.log(`MEASURE pio-loopback 10240 B at ${baud} baud in ${us} us emulated (${(10240 / (us / 1e6) / 1024).toFixed(1)} KB/s; line rate ${(baud / 10 / 1024).toFixed(1)} KB/s); test ${((board.pins.now() - t0) / 1e6).toFixed(0)} ms emulated`);
        assert.ok(us < (10240 * 10 * 1e6) / baud * 1.2, `took ${us} us`);
    });

    test('PIO DMA throughput: 64 KB through one state machine\'s FIFOs (TX ring -> PIO -> RX ring)', async () => {
        const out = await run(board, [
            'import time, select',
            'from machine import PioStateMachine as P',
            'Echo = P.assemble(".program echo\\n    pull\\n    mov isr, osr\\n    push\\n")',
            'sm = Echo(Echo.instructions, [])',
            'sm.configure_fifo(True, 4096, 1024, P.DMA_SIZE_32)',
            'sm.configure_fifo(False, 4096, 1024, P.DMA_SIZE_32)',
            'sm.set_enabled(True)',
            'out = bytes(range(256)) * 16; inb = bytearray(4096); total = 65536; sent = got = 0',
            'p = select.poll(); p.register(sm.fileno(), select.POLLIN | select.POLLOUT)',
            'ok = True',
            't0 = time.ticks_us()',
            'while got < total:',
            '    for fd, ev in p.poll():',
            '        if ev & select.POLLOUT and sent < total:',
            '            sent += sm.write(out[sent % 4096:])',
            '            if sent >= total: p.modify(sm.fileno(), select.POLLIN)',
            '        if ev & select.POLLIN:',
            '            n = sm.readinto(inb)',
            '            ok = ok and inb[:n] == (out * 2)[got % 4096:got % 4096 + n]',
            '            got += n',
            'dt = time.ticks_diff(time.ticks_us(), t0)',
            'print(got, ok, dt)',
            'sm.close()',
        ].join('\n'), 120_000);
        const [n, ok, dt] = out.trim().split(' ');
        assert.equal(n, '65536');
        assert.equal(ok, 'True');
        console.log(`MEASURE pio-dma-throughput 65536 B each way in ${dt} us emulated = ${(65536 / (Number(dt) / 1e6) / 1e6).toFixed(2)} MB/s`);
    });

    test('AudioOutPwm: 1 s of a 1 kHz sine at 22,050 Hz; every PWM period\'s duty is its sample', async () => {
        const rate = 22_050;
        // 1 kHz at 22,050 Hz repeats every 441 samples (20 periods): the table goes to the board
        const table = Array.from({ length: 441 }, (_, i) => Math.round(16000 * Math.sin((2 * Math.PI * 1000 * i) / rate)));
        const rec = board.pins.record(10);
        const dual = board.dual!;
        let start: { ns: number; c0: number; c1: number } | undefined;
        let end: { ns: number; c0: number; c1: number } | undefined;
        const snap = () => ({ ns: board.pins.now(), c0: dual.cores[0].cycles, c1: dual.cores[1].cycles });
        board.pins.when(READY, 1, () => {
            start = snap();
            board.pins.when(READY, 0, () => {
                end = snap();
            });
        });
        const out = await run(board, [
            'import machine, array',
            'from machine import Pin',
            `t = array.array("h", ${JSON.stringify(table)})`,
            // streamed: the 20-period table written 50 times (write blocks while the ring is full), as a
            // player would, rather than one 44 KB buffer the GC heap may not have in one piece
            'buf = bytes(t)',
            'a = machine.AudioOutPwm(Pin(10), Pin(11), 1, 22050, 2)',
            'print(a.levels, round(a.rate, 1))',
            'ready = Pin(25, Pin.OUT); ready.value(1)',
            'n = 0',
            'for i in range(50):',
            '    n += a.write(buf)',
            '',
            'print(n)',
            'a.drain()',
            'ready.value(0)',
            'import _piodma; print(_piodma.status(a.fileno(), True)[2])',
            'a.close()',
        ].join('\n'), 120_000);
        rec.stop();
        const [head, written, chunks] = out.trim().split('\n');
        // DMA interrupts: one per 256-frame chunk (threshold), none per sample
        assert.ok(Number(chunks) <= Math.ceil(22_050 / 256) + 1, `${chunks} DMA interrupts`);
        const levels = Number(head.split(' ')[0]);
        assert.equal(written, String(441 * 50 * 2));
        // measure each period: rising edge at the wrap, falling edge at the compare
        const tr = rec.transitions;
        const rises = tr.filter((t) => t.level === 1).map((t) => t.ns);
        const periodNs = (rises[rises.length - 1] - rises[0]) / (rises.length - 1);
        const measured: number[] = [];
        for (let i = 0; i + 1 < tr.length; i++) {
            if (tr[i].level === 1 && tr[i + 1].level === 0) measured.push((tr[i + 1].ns - tr[i].ns) / periodNs * levels);
        }
        const expected: number[] = [];
        for (let k = 0; k < 50; k++) for (const s of table) expected.push(Math.floor(((s + 32768) * levels) / 65536));
        const m = measured.map((x) => Math.round(x));
        let at = -1;
        for (let i = 0; i < m.length && at < 0; i++) {
            if (expected.slice(0, 8).every((e, j) => m[i + j] === e)) at = i;
        }
        assert.ok(at >= 0, 'the first samples were not found on the pin');
        let equal = 0;
        for (let i = 0; i < expected.length; i++) if (m[at + i] === expected[i]) equal++;
        const idle = start && end ? 1 - (end.c0 - start.c0 + end.c1 - start.c1) / (2 * ((end.ns - start.ns) / 8)) : NaN;
        console.log(`MEASURE audio periods=${measured.length} matched=${equal}/${expected.length} levels=${levels} period=${periodNs.toFixed(1)} ns (${(1e9 / periodNs).toFixed(1)} Hz) cpu-idle=${(idle * 100).toFixed(1)}% dma-interrupts=${chunks} playing ${start && end ? ((end.ns - start.ns) / 1e6).toFixed(0) : '?'} ms`);
        assert.equal(equal, expected.length);
        assert.ok(idle >= 0.9, `CPU idle ${idle}`);
    });

    test('a soft reset frees the state machines, their DMA channels and rings (12 channels, twice)', async () => {
        const open6 = [
            'from machine import PioStateMachine as P',
            'E = P.assemble(".program echo\\n    pull\\n    mov isr, osr\\n    push\\n")',
            'sms = [E(E.instructions, []) for i in range(6)]',
            'for sm in sms:',
            '    sm.configure_fifo(True, 256, 64, P.DMA_SIZE_32); sm.configure_fifo(False, 256, 64, P.DMA_SIZE_32)',
            '    sm.set_enabled(True)',
            'print(all(sm.write(b"abcd" * 8) == 32 and sm.read(32) == b"abcd" * 8 for sm in sms))',
        ].join('\n');
        assert.equal((await run(board, open6, 60_000)).trim(), 'True');
        await softReset(board, 5000);
        assert.equal((await run(board, open6, 60_000)).trim(), 'True');
    });
});
