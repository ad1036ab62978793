/**
 * The network stack's figures (issue 15), in emulated time (125 MHz clock) on the default firmware, over
 * the loopback interface lo0:
 * - TCP throughput: a thread sends 256 KB with sendall in 1460-byte pieces, the main thread reads it with
 *   recv(4096); bytes per emulated second;
 * - connection setup rate: connect + accept + close of a TCP pair, in one thread; connections per
 *   emulated second;
 * - RAM per open TCP socket: C heap in use (micropython.malloc_stats) with 10 connected pairs open, over
 *   20 sockets; a listener alone;
 * - connected TCP pairs open at once until the C heap (growing into the RAM pool it shares with the GC
 *   heap, docs/memory.md) runs out, and gc.mem_free() at idle before and after them;
 * - idle share with sockets open and idle: cycles core 0 spends in WFI / all its cycles over 1 s while
 *   10 connected pairs and a listener are open and the REPL waits (target >= 99 %);
 * - flash and static RAM of lwIP and of ports/rp2/net from the link map;
 * - over the USB network link (bench/net-usb.ts): ping round trip, TCP each way.
 * Run alone: `node dist/bench/net.js [FIRMWARE]`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard, type Rp2040Board } from '../cli/emulator/board.js';
import { CTRL_B } from '../cli/repl/raw-repl.js';
import { repoRoot } from '../cli/util/paths.js';
import { componentDir } from '../cli/components/components.js';
import { benchRom, rtosFirmware, sourceSizes } from './firmware.js';
import { formatFigures, median, type Figure } from './stats.js';
import { benchNetUsb } from './net-usb.js';

const TCP_BYTES = 256 * 1024;
const CONNECTIONS = 50;

const THROUGHPUT = `
import socket, _thread, time
N = ${TCP_BYTES}
a, b = socket.socketpair()
chunk = bytes(1460)
def producer():
    left = N
    while left > 0:
        n = min(left, len(chunk))
        b.sendall(chunk[:n])
        left -= n
t0 = time.ticks_us()
_thread.start_new_thread(producer, ())
got = 0
while got < N:
    got += len(a.recv(4096))
t1 = time.ticks_us()
a.close(); b.close()
print(got, time.ticks_diff(t1, t0))
`;

const SETUP_RATE = `
import socket, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0)); srv.listen(4); addr = srv.getsockname()
t0 = time.ticks_us()
for i in range(${CONNECTIONS}):
    c = socket.socket(); c.connect(addr); s, _ = srv.accept(); c.close(); s.close()
t1 = time.ticks_us()
srv.close()
print(${CONNECTIONS}, time.ticks_diff(t1, t0))
`;

const RAM = `
import socket, micropython, gc, time
gc.collect(); time.sleep(5)
u0 = micropython.malloc_stats()[1]
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(32); addr = srv.getsockname()
u1 = micropython.malloc_stats()[1]
pairs = []
for i in range(10):
    c = socket.socket(); c.connect(addr); s, _ = srv.accept(); pairs.append((c, s))
u2 = micropython.malloc_stats()[1]
for c, s in pairs:
    c.close(); s.close()
srv.close()
print(u0, u1 - u0, (u2 - u1) / 20)
`;

// Connected pairs until the C heap (growing into the RAM pool it shares with the GC heap, docs/memory.md)
// runs out; then TIME_WAIT passes so the next step starts from idle.
const MAX_PAIRS = `
import socket, micropython, gc, time
gc.collect(); gf0 = gc.mem_free()
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(4); addr = srv.getsockname()
pairs = []
try:
    while len(pairs) < 400:
        c = socket.socket(); c.connect(addr); s, _ = srv.accept(); pairs.append((c, s))
except OSError:
    pass
n = len(pairs); used = micropython.malloc_stats()[1]
for c, s in pairs:
    c.close(); s.close()
srv.close(); pairs = None
time.sleep(5); gc.collect()
print(n, used, gf0, gc.mem_free())
`;

const OPEN_IDLE = `
import socket
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(16); addr = srv.getsockname()
pairs = []
for i in range(10):
    c = socket.socket(); c.connect(addr); s, _ = srv.accept(); pairs.append((c, s))
print(len(pairs))
`;

async function idle(board: Rp2040Board, ms: number): Promise<void> {
    await board.readUntil('\u0000never\u0000', { timeoutMs: ms }).catch(() => undefined);
}

function netSizes(uf2: string): Figure[] {
    let lwip: string;
    try {
        lwip = componentDir('lwip');
    } catch {
        return [];
    }
    return sourceSizes(uf2, { lwIP: lwip, 'ports/rp2/net': join(repoRoot(), 'ports', 'rp2', 'net') }).figures;
}

async function exec(board: Rp2040Board, code: string, what: string): Promise<number[]> {
    const r = await board.exec(code, { timeoutMs: 120_000 });
    if (r.stderr || r.timedOut) throw new Error(`net bench: ${what} failed: ${r.stderr || 'timed out'}`);
    return r.stdout.trim().split(/\s+/).map(Number);
}

export async function benchNet(runs: number, log: (s: string) => void, firmware?: string): Promise<Figure[]> {
    const uf2 = firmware ?? rtosFirmware()?.uf2;
    if (!uf2) {
        log('net: no firmware built with a kernel (build/pico, or $MPRT_RTOS_FIRMWARE), skipped');
        return [];
    }
    const rom = benchRom();
    log(`net: ${uf2}; ROM: ${rom.label}`);
    const figures: Figure[] = [...netSizes(uf2)];
    const board = await openBoard({ firmware: uf2, ...(rom.bootrom ? { bootrom: rom.bootrom } : {}) });
    try {
        await board.boot();
        const rates: number[] = [];
        const conns: number[] = [];
        for (let i = 0; i < Math.max(1, runs); i++) {
            const [got, us] = await exec(board, THROUGHPUT, 'throughput');
            rates.push((got * 1e6) / us);
            const [n, us2] = await exec(board, SETUP_RATE, 'connection rate');
            conns.push((n * 1e6) / us2);
        }
        figures.push({ name: 'TCP throughput over lo0, thread to thread', value: Math.round(median(rates)), unit: 'B/s', note: `${TCP_BYTES} B, sendall of 1460 B, recv(4096), median of ${rates.length}` });
        figures.push({ name: 'TCP connection setup rate over lo0', value: Math.round(median(conns)), unit: '/s', note: `connect + accept + close, ${CONNECTIONS} in a row, median of ${conns.length}` });
        const [idleHeap, listener, perSocket] = await exec(board, RAM, 'RAM');
        figures.push({ name: 'C heap in use, idle (whole firmware)', value: idleHeap, unit: 'B' });
        figures.push({ name: 'C heap per open TCP socket (connected)', value: Math.round(perSocket), unit: 'B', note: '10 pairs over 20 sockets' });
        figures.push({ name: 'C heap of a listening socket', value: listener, unit: 'B' });
        const [maxPairs, maxUsed, gcIdle, gcAfter] = await exec(board, MAX_PAIRS, 'connected pairs at once');
        figures.push({ name: 'TCP connected pairs open at once', value: maxPairs, unit: '', note: `${2 * maxPairs} sockets, C heap ${maxUsed} B in use then (the RAM pool, docs/memory.md)` });
        figures.push({ name: 'gc.mem_free() idle, before / after them', value: gcIdle, unit: 'B', note: `${gcAfter} B after they closed` });
        await exec(board, OPEN_IDLE, 'open sockets');
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        await idle(board, 200);
        const a = board.cycles();
        await idle(board, 1000);
        const b = board.cycles();
        figures.push({ name: 'idle share, 21 sockets open and idle', value: Math.round(((b.waiting - a.waiting) / (b.total - a.total)) * 100_000) / 1000, unit: '%', note: 'core 0 in WFI over 1 s; target >= 99' });
    } finally {
        await board.close();
    }
    // the same firmware's USB network link (bench/net-usb.ts): root and /dev/net/tun, else skipped
    figures.push(...(await benchNetUsb(log, uf2)));
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchNet(1, (s) => process.stderr.write(s + '\n'), process.argv[2]);
    process.stdout.write(formatFigures('net', figures) + '\n');
}
