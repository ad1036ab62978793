/**
 * The USB network link's figures (issue 20, docs/network.md "USB network link"), part of `npm run bench --
 * net`: the default firmware's CDC-NCM function bridged to a TAP device in a network namespace made here
 * (cli/emulator/tap.ts; needs root and /dev/net/tun, else skipped with the reason), host programs from
 * tests/firmware/net-host.ts:
 * - ping round trip (IPv4, 56-byte payload): emulated time from the echo request handed to the board to
 *   its reply leaving it, median of 5; and the host's wall-clock round trip;
 * - TCP host → board: a host client sends 256 KB, a board thread reads it (readinto 1460 B) and reports
 *   its emulated time, first byte to end of stream;
 * - TCP board → host: the board sends 256 KB (sendall of 1 KB) to a host sink; emulated time to close().
 * The emulator does not model USB bus timing, so these are not bounded by full speed's 12 Mbit/s: they
 * measure the firmware's own cost per byte (target >= 6 Mbit/s, half of full speed).
 */
import type { Rp2040Board } from '../cli/emulator/board.js';
import { tapUnavailable } from '../cli/emulator/tap.js';
import { PING, TCP_SEND, TCP_SINK, hostCommand, openLinkedBoard } from '../tests/firmware/net-host.js';
import { median, type Figure } from './stats.js';

const BYTES = 256 * 1024;
const BOARD = '192.168.7.1';
const HOST = '192.168.7.2';
const TAP = 'mprtb0';

async function exec(board: Rp2040Board, code: string, what: string): Promise<string> {
    const r = await board.exec(code, { timeoutMs: 600_000 });
    if (r.stderr || r.timedOut) throw new Error(`net bench (USB): ${what} failed: ${r.stderr || 'timed out'}`);
    return r.stdout.trim();
}

const mbit = (bytes: number, ms: number): number => Math.round(((bytes * 8) / ms / 1000) * 100) / 100;

export async function benchNetUsb(log: (s: string) => void, uf2: string): Promise<Figure[]> {
    const why = tapUnavailable();
    if (why) {
        log(`net (USB link): skipped: ${why}`);
        return [];
    }
    const { board, ns, tap, close } = await openLinkedBoard(uf2, TAP, `${HOST}/24`);
    const figures: Figure[] = [];
    try {
        // ping: emulated round trip from the frames crossing the bridge
        const sent = new Map<number, number>();
        const rtt: number[] = [];
        const echo = (f: Uint8Array): { type: number; seq: number } | undefined => {
            if (f.length < 42 || f[12] !== 8 || f[13] !== 0 || f[23] !== 1) return undefined;
            const icmp = 14 + (f[14] & 15) * 4;
            return { type: f[icmp], seq: (f[icmp + 6] << 8) | f[icmp + 7] };
        };
        const ncm = board.usb!.ncm!;
        const toBoard = tap.onFrame!;
        const toHost = ncm.onFrame!;
        tap.onFrame = (f) => {
            const e = echo(f);
            if (e?.type === 8) sent.set(e.seq, board.emulatedNanos);
            toBoard(f);
        };
        ncm.onFrame = (f) => {
            const e = echo(f);
            const t = e?.type === 0 ? sent.get(e.seq) : undefined;
            if (t !== undefined) rtt.push((board.emulatedNanos - t) / 1e6);
            toHost(f);
        };
        // the first echo also resolves the board's address (ARP): 6 sent, the first left out
        const p = await hostCommand(board, ns, ['python3', '-c', PING, BOARD, '6', TAP], { wallMs: 120_000 }).done();
        tap.onFrame = toBoard;
        ncm.onFrame = toHost;
        const wall = [...p.stdout.matchAll(/^\d+ ([\d.]+)$/gm)].map((x) => Number(x[1])).slice(1);
        if (rtt.length >= 2) {
            figures.push({ name: 'ping round trip over USB (IPv4, 56 B), emulated', value: Math.round(median(rtt.slice(1)) * 1000) / 1000, unit: 'ms', note: `median of ${rtt.length - 1}, request in .. reply out` });
        }
        if (wall.length) figures.push({ name: 'ping round trip over USB, host wall clock', value: median(wall), unit: 'ms', note: 'emulator speed, not the firmware\'s' });

        // TCP host -> board
        await exec(board, [
            'import socket, _thread, time',
            'srv = socket.socket()',
            'srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            "srv.bind(('0.0.0.0', 9000))",
            'srv.listen(1)',
            'def sink():',
            '    c, a = srv.accept()',
            '    buf, n = bytearray(1460), 0',
            '    k = c.readinto(buf)',
            '    t0 = time.ticks_us()',
            '    while k:',
            '        n += k',
            '        k = c.readinto(buf)',
            '    c.sendall(b"%d %d\\n" % (n, time.ticks_diff(time.ticks_us(), t0)))',
            '    c.close(); srv.close()',
            '_thread.start_new_thread(sink, ())',
        ].join('\n'), 'host -> board setup');
        const t0 = Date.now();
        const up = await hostCommand(board, ns, ['python3', '-c', TCP_SEND, BOARD, '9000', String(BYTES)], { wallMs: 600_000 }).done();
        const upWall = Date.now() - t0;
        const [n, us] = up.stdout.trim().split(' ').map(Number);
        if (n !== BYTES) throw new Error(`net bench (USB): host -> board got ${up.stdout}${up.stderr}`);
        figures.push({ name: 'TCP host -> board over USB, emulated', value: mbit(BYTES, us / 1000), unit: 'Mbit/s', note: `${BYTES} B, board thread readinto 1460 B; ${upWall} ms wall; no USB bus timing` });

        // TCP board -> host
        const sink = hostCommand(board, ns, ['python3', '-c', TCP_SINK, HOST, '9001'], { wallMs: 600_000, readyText: 'listening' });
        await sink.ready;
        const t1 = Date.now();
        const ms = Number(await exec(board, [
            'import socket, time',
            'data = bytes(1024)',
            `c = socket.create_connection(('${HOST}', 9001))`,
            't0 = time.ticks_us()',
            `for i in range(${BYTES / 1024}):`,
            '    c.sendall(data)',
            'c.close()',
            'print(time.ticks_diff(time.ticks_us(), t0) / 1000)',
        ].join('\n'), 'board -> host'));
        const down = await sink.done();
        const downWall = Date.now() - t1;
        if (!down.stdout.includes(`${BYTES} `)) throw new Error(`net bench (USB): board -> host: ${down.stdout}${down.stderr}`);
        figures.push({ name: 'TCP board -> host over USB, emulated', value: mbit(BYTES, ms), unit: 'Mbit/s', note: `${BYTES} B, sendall of 1 KB, to close(); ${downWall} ms wall; no USB bus timing` });
    } finally {
        await close();
    }
    return figures;
}
