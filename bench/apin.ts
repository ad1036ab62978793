/**
 * machine.APin's figures (issue 19, docs/apin.md), in emulated time on the default firmware, with edges
 * the pin harness drives (cli/emulator/pins.ts):
 * - edge-to-Python latency: from a rising edge to the waiting code toggling another pin (recorded by the
 *   harness), for an asyncio task in `await pin.wait(APin.EDGE_RISE)` and for a thread blocked in
 *   `select.select`; median of 20 edges 1 ms apart;
 * - the highest edge rate queued without loss: bursts of 60 edges at shrinking spacings, read with
 *   os.read; the smallest spacing at which all 60 are queued, none dropped, none merged;
 * - C heap per APin (micropython.malloc_stats, over 4 pins; the first pin's task excluded);
 * - flash and static RAM of ports/rp2/pins from the link map.
 * Run alone: `node dist/bench/apin.js [FIRMWARE]`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard, type Rp2040Board } from '../cli/emulator/board.js';
import { repoRoot } from '../cli/util/paths.js';
import { rtosFirmware, sourceSizes } from './firmware.js';
import { formatFigures, median, type Figure } from './stats.js';

const READY = 25;
const US = 1000;

async function exec(board: Rp2040Board, code: string, what: string): Promise<string> {
    const r = await board.exec(code, { timeoutMs: 60_000 });
    if (r.stderr || r.timedOut) throw new Error(`apin bench: ${what} failed: ${r.stderr || 'timed out'}`);
    return r.stdout.trim();
}

const WAITERS: Record<string, string[]> = {
    'an asyncio task (await pin.wait)': ['async def main():', '    for _ in range(20):', '        await p.wait(APin.EDGE_RISE)', '        o.toggle()', 'asyncio.run(main())'],
    'a thread in select.select': ['for _ in range(20):', '    select.select([p], [], [])', '    os.read(p.fileno(), 16)', '    o.toggle()'],
};

async function latency(board: Rp2040Board, body: string[]): Promise<number> {
    board.pins.drive(18, 0);
    const answer = board.pins.record(19);
    const edges: number[] = [];
    board.pins.when(READY, 1, () => {
        const start = board.pins.now() + 2000 * US;
        for (let i = 0; i < 20; i++) edges.push(start + i * 1000 * US);
        board.pins.pulses(18, { startNs: start, widthNs: 300 * US, periodNs: 1000 * US, count: 20 });
    });
    await exec(board, [
        'import asyncio, os, select', 'from machine import APin, Pin',
        'p = APin(18); p.set_edges(True, False); o = Pin(19, Pin.OUT, value=0)', 'import gc; gc.collect()',
        'm = Pin(25, Pin.OUT, value=0); m.value(1)', ...body, 'p.close(); m.value(0)',
    ].join('\n'), 'latency');
    answer.stop();
    return median(answer.transitions.map((tr, i) => (tr.ns - edges[i]) / US));
}

/** The smallest spacing (ns) at which a burst of 60 edges is queued whole. */
async function edgeRate(board: Rp2040Board): Promise<number> {
    let best = 0;
    for (let spacing = 20_000; spacing >= 2_000; spacing -= 1_000) {
        board.pins.drive(20, 0);
        board.pins.when(READY, 1, () => {
            board.pins.pulses(20, { startNs: board.pins.now() + 2000 * US, widthNs: spacing, periodNs: 2 * spacing, count: 30 });
        });
        const out = await exec(board, [
            'import os, struct, time', 'from machine import APin, Pin',
            'p = APin(20); m = Pin(25, Pin.OUT, value=0); m.value(1)', 'time.sleep_ms(5)',
            'b = os.read(p.fileno(), 16 * 64)',
            'ts = [struct.unpack_from("<Q", b, i)[0] for i in range(0, len(b), 16)]',
            'print(len(ts), p.dropped(), min(ts[i + 1] - ts[i] for i in range(len(ts) - 1)))',
            'p.close(); m.value(0)',
        ].join('\n'), 'edge rate');
        const [n, dropped, min] = out.split(' ').map(Number);
        if (n !== 60 || dropped !== 0 || min <= 0) break;
        best = spacing;
    }
    return best;
}

export async function benchApin(runs: number, log: (s: string) => void, firmware?: string): Promise<Figure[]> {
    const uf2 = firmware ?? rtosFirmware()?.uf2;
    if (!uf2) {
        log('apin: no firmware built with a kernel (build/pico, or $MPRT_RTOS_FIRMWARE), skipped');
        return [];
    }
    log(`apin: ${uf2}`);
    const figures: Figure[] = [...sourceSizes(uf2, { 'ports/rp2/pins': join(repoRoot(), 'ports', 'rp2', 'pins') }).figures];
    const board = await openBoard({ firmware: uf2 });
    try {
        await board.boot();
        if ((await exec(board, 'import machine\nprint(hasattr(machine, "APin"))', 'probe')) !== 'True') {
            log('apin: this firmware has no machine.APin, skipped');
            return figures;
        }
        for (const [name, body] of Object.entries(WAITERS)) {
            const xs: number[] = [];
            for (let i = 0; i < Math.max(1, runs); i++) xs.push(await latency(board, body));
            figures.push({ name: `edge to ${name} running`, value: Math.round(median(xs) * 10) / 10, unit: 'µs', note: 'median of 20 edges, emulated' });
        }
        const spacing = await edgeRate(board);
        figures.push({ name: 'highest edge rate queued whole (bursts of 60)', value: spacing ? Math.round(1e9 / spacing) : 0, unit: 'edges/s', note: `${spacing / 1000} µs apart` });
        const heap = await exec(board, [
            'import micropython, gc', 'from machine import APin',
            'APin(2).close(); gc.collect()', 'u0 = micropython.malloc_stats()[1]',
            'ps = [APin(n) for n in (2, 3, 4, 5)]', 'u1 = micropython.malloc_stats()[1]',
            'for p in ps: p.close()', 'print((u1 - u0) // 4)',
        ].join('\n'), 'heap');
        figures.push({ name: 'C heap per APin', value: Number(heap), unit: 'B', note: 'with its 64-edge queue' });
    } finally {
        await board.close();
    }
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchApin(1, (s) => process.stderr.write(s + '\n'), process.argv[2]);
    process.stdout.write(formatFigures('apin', figures) + '\n');
}
