/**
 * RTOS figures of the firmware built with a kernel, all in emulated time (125 MHz clock):
 * - thread handoff (context switch): two Python threads ping-pong through two `_thread` locks N times;
 *   the same lock calls without blocking are timed too and subtracted, leaving the cost of the switches
 *   (two per round: block, switch, wake, switch back), in cycles per switch; on one core and on two;
 * - `_thread` create + join per emulated second (the worker releases a lock as its last action, as
 *   tests/firmware/rtos/threads_thousand.py does), and threading.Thread start + join per second;
 * - idle share of a waiting REPL: cycles core 0 spends in WFI / all its cycles over 1 s, measured by the
 *   harness (as tests/firmware/rtos.test.ts does).
 * Run alone: `node dist/bench/rtos.js [FIRMWARE]`.
 */
import { fileURLToPath } from 'node:url';
import { openBoard, type Rp2040Board } from '../cli/emulator/board.js';
import { benchRom, buildSizes, firmwareKernel, kernelFirmwares, type BenchFirmware } from './firmware.js';
import { formatColumns, type Column, type Figure } from './stats.js';

const HANDOFFS = 500;
const CREATES = 200;
const THREADS = 100;

const PINGPONG = `
import _thread, time
N = ${HANDOFFS}
a = _thread.allocate_lock(); b = _thread.allocate_lock(); done = _thread.allocate_lock()
a.acquire(); b.acquire(); done.acquire()
def pong():
    for i in range(N):
        a.acquire()
        b.release()
    done.release()
_thread.start_new_thread(pong, ())
time.sleep_ms(5)
t0 = time.ticks_us()
for i in range(N):
    a.release()
    b.acquire()
t1 = time.ticks_us()
done.acquire()
t2 = time.ticks_us()
for i in range(N):
    a.release()
    b.release()
    a.acquire()
    b.acquire()
t3 = time.ticks_us()
print(time.ticks_diff(t1, t0), time.ticks_diff(t3, t2))
`;

const CREATE_JOIN = `
import _thread, time
done = _thread.allocate_lock()
def worker(i):
    done.release()
def run(n):
    for i in range(n):
        done.acquire()
        _thread.start_new_thread(worker, (i,))
        done.acquire()
        done.release()
run(5)
time.sleep_ms(20)
t0 = time.ticks_us()
run(${CREATES})
print(time.ticks_diff(time.ticks_us(), t0))
`;

const THREADING = `
import threading, time
def w():
    pass
def run(n):
    for i in range(n):
        t = threading.Thread(target=w)
        t.start()
        t.join()
run(5)
time.sleep_ms(20)
t0 = time.ticks_us()
run(${THREADS})
print(time.ticks_diff(time.ticks_us(), t0))
`;

async function withBoard<T>(firmware: string, cores: 1 | 2, fn: (b: Rp2040Board) => Promise<T>): Promise<T> {
    const board = await openBoard({ firmware, cores, ...(benchRom().bootrom ? { bootrom: benchRom().bootrom } : {}) });
    try {
        await board.boot();
        return await fn(board);
    } finally {
        await board.close();
    }
}

async function run(board: Rp2040Board, code: string): Promise<number[]> {
    const r = await board.exec(code, { timeoutMs: 60_000 });
    if (r.stderr || r.timedOut) throw new Error(`rtos bench code failed: ${r.stderr || 'timed out'}`);
    return r.stdout.trim().split(/\s+/).map(Number);
}

async function idleShare(board: Rp2040Board): Promise<number> {
    await board.runUntil(() => false, 50);
    const a = board.cycles();
    await board.runUntil(() => false, 1000);
    const b = board.cycles();
    return (b.waiting - a.waiting) / (b.total - a.total);
}

/**
 * The figures of every kernel with a build (bench/firmware.ts, kernelFirmwares), side by side; one firmware
 * when it is given.
 */
export async function benchRtos(_runs: number, log: (s: string) => void, firmware?: string): Promise<{ columns: Column[] }> {
    const fws = firmware ? [{ uf2: firmware, kernel: firmwareKernel(firmware) }] : kernelFirmwares();
    if (!fws.length) {
        log('rtos: no firmware built with a kernel (build/pico or build/pico-rtos, build/pico-freertos, or $MPRT_RTOS_FIRMWARE), skipped');
        return { columns: [] };
    }
    const columns: Column[] = [];
    for (const fw of fws) columns.push({ label: fw.kernel, figures: await benchRtosOne(fw, log) });
    return { columns };
}

async function benchRtosOne(fw: BenchFirmware, log: (s: string) => void): Promise<Figure[]> {
    const rom = benchRom();
    log(`rtos: ${fw.uf2} (kernel ${fw.kernel}); ROM: ${rom.label}`);
    const figures: Figure[] = [{ name: 'boot ROM', value: rom.bootrom ? 1 : 0, unit: rom.bootrom ? 'real' : 'ours', note: rom.label }];
    const sizes = buildSizes(fw.uf2);
    if (sizes) {
        figures.push({ name: 'flash: firmware image', value: sizes.imageBytes, unit: 'B' });
        figures.push({ name: 'RAM: static (data, bss, MicroPython task stack)', value: sizes.staticRam, unit: 'B' });
        figures.push({ name: 'RAM: GC heap', value: sizes.gcHeap, unit: 'B' });
    }
    await withBoard(fw.uf2, 2, async (board) => {
        const [free] = await run(board, 'import gc\ngc.collect()\nprint(gc.mem_free())');
        figures.push({ name: 'RAM: GC heap free at boot', value: free, unit: 'B' });
    });
    // emulation is deterministic: one run of each
    // the FreeRTOS-Kernel's SMP port waits for core 1 at boot: two cores only
    const coreCounts: (1 | 2)[] = fw.kernel === 'freertos' ? [2] : [1, 2];
    if (fw.kernel === 'freertos') log('rtos: FreeRTOS-Kernel build: two cores only (its SMP port needs core 1)');
    for (const cores of coreCounts) {
        await withBoard(fw.uf2, cores, async (board) => {
            const mhz = board.mcu.clkSys / 1e6;
            const [pingpong, plain] = await run(board, PINGPONG);
            const perSwitch = ((pingpong - plain) * mhz) / (2 * HANDOFFS);
            figures.push({
                name: `thread handoff, ${cores} core${cores > 1 ? 's' : ''}`, value: Math.round(perSwitch), unit: 'cycles/switch',
                note: `${HANDOFFS} lock ping-pong rounds ${pingpong} µs, same lock calls unblocked ${plain} µs`,
            });
            const [createUs] = await run(board, CREATE_JOIN);
            figures.push({ name: `_thread create+join, ${cores} core${cores > 1 ? 's' : ''}`, value: Math.round((CREATES * 1e6) / createUs), unit: '/s', note: `${CREATES} in ${createUs} µs` });
            const [threadUs] = await run(board, THREADING);
            figures.push({ name: `threading.Thread start+join, ${cores} core${cores > 1 ? 's' : ''}`, value: Math.round((THREADS * 1e6) / threadUs), unit: '/s', note: `${THREADS} in ${threadUs} µs` });
            const share = await idleShare(board);
            figures.push({ name: `idle REPL: core 0 in WFI, ${cores} core${cores > 1 ? 's' : ''}`, value: Math.round(share * 100_000) / 1000, unit: '%', note: 'harness-measured over 1 s, target >= 99' });
            log(`rtos: ${cores} core(s) done`);
        });
    }
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const { columns } = await benchRtos(1, (s) => process.stderr.write(s + '\n'), process.argv[2]);
    process.stdout.write(formatColumns('rtos', columns) + '\n');
}
