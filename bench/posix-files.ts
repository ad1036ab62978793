/**
 * Files on the fd layer (docs/vfs.md), in emulated time (125 MHz): 64 KB written and read back in 1 KB
 * pieces on the flash filesystem partition at "/" (littlefs), through os.open/os.write/os.read (fds of
 * lib/posix; reads with os.readinto, as open()'s with readinto: no allocation) and through open() (MicroPython's VFS, the stock firmware's only way); the same open() run on
 * the stock firmware; and the time to mount the partition (vfs.mount of a VfsLfs2 on rp2.Flash, and
 * os.mount('/dev/mtdblock0', '/', 'littlefs')). Ratios: stock µs / ours µs (≥ 1.0: ours as fast).
 * Run alone: `node dist/bench/posix-files.js [FIRMWARE]`.
 */
import { fileURLToPath } from 'node:url';
import { openBoard } from '../cli/emulator/board.js';
import { buildStockFirmware } from '../cli/testing/stock.js';
import { benchRom, rtosFirmware } from './firmware.js';
import { median, type Figure } from './stats.js';

const SIZE = 64 * 1024;
const CHUNK = 1024;

const OPEN_IO = `
import time
buf = bytes(${CHUNK})
b = bytearray(${CHUNK})
t0 = time.ticks_us()
with open('/bench.bin', 'wb') as f:
    for i in range(${SIZE / CHUNK}):
        f.write(buf)
t1 = time.ticks_us()
n = 0
with open('/bench.bin', 'rb') as f:
    while True:
        k = f.readinto(b)
        if not k:
            break
        n += k
t2 = time.ticks_us()
import os
os.remove('/bench.bin')
print(time.ticks_diff(t1, t0), time.ticks_diff(t2, t1), n)
`;

const FD_IO = `
import time, os
buf = bytes(${CHUNK})
t0 = time.ticks_us()
fd = os.open('/bench.bin', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
for i in range(${SIZE / CHUNK}):
    os.write(fd, buf)
os.close(fd)
t1 = time.ticks_us()
n = 0
b = bytearray(${CHUNK})
fd = os.open('/bench.bin', os.O_RDONLY)
while True:
    k = os.readinto(fd, b)
    if not k:
        break
    n += k
os.close(fd)
t2 = time.ticks_us()
os.remove('/bench.bin')
print(time.ticks_diff(t1, t0), time.ticks_diff(t2, t1), n)
`;

const MOUNT = (ours: boolean) => `
import time, vfs, rp2, os
${ours ? 'os.mount  # the frozen part, imported before timing\nimport _osvfs' : ''}
vfs.umount('/')
t0 = time.ticks_us()
vfs.mount(vfs.VfsLfs2(rp2.Flash(), progsize=256), '/')
t1 = time.ticks_us()
${ours ? "vfs.umount('/')\nt2 = time.ticks_us()\nos.mount('/dev/mtdblock0', '/', 'littlefs')\nt3 = time.ticks_us()\nprint(time.ticks_diff(t1, t0), time.ticks_diff(t3, t2))" : 'print(time.ticks_diff(t1, t0), 0)'}
`;

async function measure(firmware: string, code: string, runs: number): Promise<number[][]> {
    const rom = benchRom();
    const board = await openBoard({ firmware, ...(rom.bootrom ? { bootrom: rom.bootrom } : {}) });
    try {
        await board.boot();
        const out: number[][] = [];
        for (let i = 0; i < runs; i++) {
            const r = await board.exec(code, { timeoutMs: 120_000 });
            if (r.stderr || r.timedOut) throw new Error(`posix bench code failed: ${r.stderr || 'timed out'}`);
            out.push(r.stdout.trim().split(/\s+/).map(Number));
        }
        return out;
    } finally {
        await board.close();
    }
}

const col = (rows: number[][], i: number) => median(rows.map((r) => r[i]));
const kbps = (us: number) => Math.round((SIZE / 1024) / (us / 1e6));

export async function benchPosixFiles(runs: number, log: (s: string) => void, firmware?: string): Promise<Figure[]> {
    const ours = firmware ?? rtosFirmware()?.uf2;
    if (!ours) {
        log('posix: no firmware built with a kernel (build/pico), skipped');
        return [];
    }
    log('posix: the stock firmware (built once and cached, as `npm run baseline` does)');
    const stock = await buildStockFirmware({ log });
    log(`posix: ${runs} runs of 64 KB on ${ours} and ${stock.uf2}`);
    const oursOpen = await measure(ours, OPEN_IO, runs);
    const oursFd = await measure(ours, FD_IO, runs);
    const stockOpen = await measure(stock.uf2, OPEN_IO, runs);
    const oursMount = await measure(ours, MOUNT(true), runs);
    const stockMount = await measure(stock.uf2, MOUNT(false), runs);
    const figures: Figure[] = [];
    const add = (name: string, value: number, unit: string) => figures.push({ name, value, unit });
    add('write, os.write fds (ours)', kbps(col(oursFd, 0)), 'KB/s');
    add('write, open() (ours)', kbps(col(oursOpen, 0)), 'KB/s');
    add('write, open() (stock)', kbps(col(stockOpen, 0)), 'KB/s');
    add('read, os.readinto fds (ours)', kbps(col(oursFd, 1)), 'KB/s');
    add('read, open() (ours)', kbps(col(oursOpen, 1)), 'KB/s');
    add('read, open() (stock)', kbps(col(stockOpen, 1)), 'KB/s');
    add('write ratio stock/ours (fds)', Number((col(stockOpen, 0) / col(oursFd, 0)).toFixed(3)), '×');
    add('read ratio stock/ours (fds)', Number((col(stockOpen, 1) / col(oursFd, 1)).toFixed(3)), '×');
    add('write ratio stock/ours (open)', Number((col(stockOpen, 0) / col(oursOpen, 0)).toFixed(3)), '×');
    add('read ratio stock/ours (open)', Number((col(stockOpen, 1) / col(oursOpen, 1)).toFixed(3)), '×');
    add('mount /, vfs.mount (ours)', col(oursMount, 0), 'µs');
    add("mount /, os.mount('/dev/mtdblock0') (ours)", col(oursMount, 1), 'µs');
    add('mount /, vfs.mount (stock)', col(stockMount, 0), 'µs');
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchPosixFiles(3, (s) => process.stderr.write(`bench: ${s}\n`), process.argv[2]);
    for (const f of figures) process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
}
