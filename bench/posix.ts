/**
 * The fd layer's figures (issue 13), in emulated time (125 MHz clock) on the firmware built with a kernel:
 * - pipe throughput between two Python threads: a producer thread writes 64 KB in 512-byte writes, the
 *   main thread reads it with os.read(r, 1024); bytes per emulated second;
 * - select wake latency: the main thread blocks in select.select([0], [], []) (and an asyncio task in
 *   StreamReader(fd 0).read(1)); the harness types a byte at a known emulated time; the woken code
 *   reads time.ticks_us() (the emulated clock in µs) first thing: emulated µs from the byte to it running;
 * - idle share while blocked in select: cycles core 0 spends in WFI / all its cycles over 1 s (as
 *   tests/firmware/F4-posix.test.ts measures it);
 * - flash and RAM of the layer from the build's link map (cli/compile/size-report.ts): lib/posix and its
 *   firmware glue (ports/rp2/posix: console fds, os on fds, select, the REPL's await hook); the frozen
 *   Python parts (selectors, asyncio's package file, runner, fd streams) are inside the frozen modules.
 * Run alone: `node dist/bench/posix.js [FIRMWARE]`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard, type Rp2040Board } from '../cli/emulator/board.js';
import { CTRL_B, CTRL_E, CTRL_D } from '../cli/repl/raw-repl.js';
import { repoRoot } from '../cli/util/paths.js';
import { benchRom, rtosFirmware, sourceSizes } from './firmware.js';
import { formatFigures, median, type Figure } from './stats.js';

const PIPE_BYTES = 64 * 1024;
const SAMPLES = 5;

const PIPE_THREADS = `
import _thread, os, time
N = ${PIPE_BYTES}
r, w = os.pipe()
done = _thread.allocate_lock(); done.acquire()
chunk = bytes(512)
def producer():
    for i in range(N // 512):
        os.write(w, chunk)
    done.release()
t0 = time.ticks_us()
_thread.start_new_thread(producer, ())
got = 0
while got < N:
    got += len(os.read(r, 1024))
t1 = time.ticks_us()
done.acquire()
os.close(r); os.close(w)
print(got, time.ticks_diff(t1, t0))
`;

async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

async function friendly(board: Rp2040Board): Promise<void> {
    board.write(CTRL_B);
    await board.readUntil('>>> ', { timeoutMs: 2000 });
    await idle(board, 50);
    board.drain();
}

/**
 * Runs `code` (paste mode) which blocks until a console byte arrives and stores the ticks_us() it woke at
 * in `woke`; types the byte 1.1 s + phaseMs later (measuring the idle share over the last second); returns
 * the latency in emulated µs and the idle share.
 */
async function wakeLatency(board: Rp2040Board, code: string, phaseMs: number): Promise<{ us: number; share: number }> {
    await friendly(board);
    board.write(CTRL_E + code.replace(/\n/g, '\r') + CTRL_D);
    await idle(board, 100 + phaseMs);
    const a = board.cycles();
    await idle(board, 1000);
    const b = board.cycles();
    const share = (b.waiting - a.waiting) / (b.total - a.total);
    const sentUs = Math.round(board.nowMs() * 1000);
    board.write('k');
    await board.readUntil(/>>> $/, { timeoutMs: 2000 });
    board.drain();
    board.write('print("WOKE", woke)\r');
    const out = await board.readUntil(/WOKE \d+\r\n>>> $/, { timeoutMs: 2000 });
    const woke = Number(/WOKE (\d+)/.exec(out)![1]);
    return { us: woke - (sentUs % 2 ** 30), share };
}

const SELECT_WAKE = `import os, select, time
r, w = os.pipe(); e = os.eventfd(0)
ready = select.select([r, e, 0], [], [])
woke = time.ticks_us()
os.read(0, 1); os.close(r); os.close(w); os.close(e)
`;

const ASYNCIO_WAKE = `import asyncio, time
async def console():
    s = asyncio.StreamReader(asyncio.FdIO(0, closefd=False))
    await s.read(1)
    t = time.ticks_us()
    s.s.close()
    return t
woke = asyncio.run(console())
`;

/** Flash and RAM of lib/posix and of its firmware glue, from the link map beside the image. */
function layerSizes(uf2: string): Figure[] {
    const roots = { 'lib/posix': join(repoRoot(), 'lib', 'posix'), 'ports/rp2/posix': join(repoRoot(), 'ports', 'rp2', 'posix') };
    const { figures, report } = sourceSizes(uf2, roots);
    const frozen = report?.components.find((x) => x.name === 'frozen modules');
    if (frozen) figures.push({ name: 'flash: frozen modules (all; selectors and asyncio among them)', value: frozen.flash, unit: 'B' });
    return figures;
}

export async function benchPosix(runs: number, log: (s: string) => void, firmware?: string): Promise<Figure[]> {
    const uf2 = firmware ?? rtosFirmware()?.uf2;
    if (!uf2) {
        log('posix: no firmware built with a kernel (build/pico, or $MPRT_RTOS_FIRMWARE), skipped');
        return [];
    }
    const rom = benchRom();
    log(`posix: ${uf2}; ROM: ${rom.label}`);
    const figures: Figure[] = [...layerSizes(uf2)];
    const board = await openBoard({ firmware: uf2, ...(rom.bootrom ? { bootrom: rom.bootrom } : {}) });
    try {
        await board.boot();
        const rates: number[] = [];
        for (let i = 0; i < Math.max(1, runs); i++) {
            const r = await board.exec(PIPE_THREADS, { timeoutMs: 60_000 });
            if (r.stderr || r.timedOut) throw new Error(`posix bench: pipe code failed: ${r.stderr || 'timed out'}`);
            const [got, us] = r.stdout.trim().split(/\s+/).map(Number);
            rates.push((got * 1e6) / us);
        }
        figures.push({ name: 'pipe throughput, thread to thread', value: Math.round(median(rates)), unit: 'B/s', note: `${PIPE_BYTES} B in 512 B writes, 1 KB reads, median of ${rates.length}` });
        // the console is USB CDC: a typed byte reaches the firmware at the next transfer, so the latency
        // depends on when in the frame it is typed; SAMPLES phases across a millisecond
        for (const [label, code, what] of [['select', SELECT_WAKE, 'thread in select.select over a pipe, an eventfd and fd 0'], ['asyncio', ASYNCIO_WAKE, 'task in StreamReader(fd 0).read']] as const) {
            const us: number[] = [];
            const shares: number[] = [];
            for (let i = 0; i < SAMPLES; i++) {
                const r = await wakeLatency(board, code, i / SAMPLES);
                us.push(r.us);
                shares.push(r.share);
            }
            figures.push({ name: `${label} wake latency, console byte to the woken code`, value: Math.round(median(us)), unit: 'µs', note: `${what}; median of ${SAMPLES}, ${Math.min(...us)}..${Math.max(...us)}` });
            figures.push({ name: `idle share while blocked (${label})`, value: Math.round(Math.min(...shares) * 100_000) / 1000, unit: '%', note: 'core 0 in WFI over 1 s, the lowest of the samples; target >= 99' });
        }
    } finally {
        await board.close();
    }
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchPosix(1, (s) => process.stderr.write(s + '\n'), process.argv[2]);
    process.stdout.write(formatFigures('posix', figures) + '\n');
}
