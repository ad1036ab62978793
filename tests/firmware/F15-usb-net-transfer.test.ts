/**
 * Longer transfers over the USB network link (issue 20 part 2, docs/network.md "USB network link"), set up
 * as tests/firmware/F15-usb-net.test.ts (a TAP device in a namespace made here): the board GETs 1 MB from
 * a host `python3 -m http.server` and checks its SHA-256; the host's end goes away mid-transfer (the
 * frames stop both ways and the host program is killed): the board's blocked `sendall` gets an error,
 * and once frames flow again (the host's kernel resets the orphaned connection) the board's C heap is
 * back at its level and ping answers.
 *
 * Needs root and /dev/net/tun (CI runs as root); skipped with the reason otherwise.
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { type NetNamespace, type TapDevice, tapUnavailable } from '../../cli/emulator/tap.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';
import { PING, TCP_SINK, hostCommand } from './net-host.js';
import { linkedBoard } from './board-hooks.js';

const firmware = testFirmware();
const BOARD = '192.168.7.1';
const HOST = '192.168.7.2';
const TAP = 'mprt0';
const HEAP = 'import micropython, gc, time\ngc.collect()\ntime.sleep(1)\nprint(micropython.malloc_stats()[1])';

/** Starts cmd in ns and resolves once its output holds `text` (the board need not run meanwhile). */
async function started(ns: NetNamespace, cmd: string[], text: string): Promise<{ p: ChildProcess; out: () => string }> {
    const p = ns.spawn(cmd);
    p.stdin!.end();
    let out = '';
    await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd.join(' ')}: no "${text}" in 20 s: ${out}`)), 20_000);
        const seen = (d: Buffer): void => {
            out += d.toString();
            if (out.includes(text)) {
                clearTimeout(timer);
                resolve();
            }
        };
        p.stdout!.on('data', seen);
        p.stderr!.on('data', seen);
        p.on('exit', () => reject(new Error(`${cmd.join(' ')} ended: ${out}`)));
    });
    return { p, out: () => out };
}

describe('F15: longer transfers over the USB network link', { skip: firmware ? (tapUnavailable() ?? false) : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    let ns: NetNamespace;
    let tap: TapDevice;
    const work = mkdtempSync(join(tmpdir(), 'mprt-f15x-'));

    linkedBoard(firmware!, TAP, `${HOST}/24`, (linked) => ({ board, ns, tap } = linked), () => rmSync(work, { recursive: true, force: true }));

    test('the board GETs 1 MB from a host `python3 -m http.server` and checks its SHA-256', async () => {
        const blob = randomBytes(1024 * 1024);
        writeFileSync(join(work, 'blob.bin'), blob);
        const srv = await started(ns, ['python3', '-u', '-m', 'http.server', '8080', '--bind', HOST, '--directory', work], 'Serving HTTP');
        try {
            const wall = Date.now();
            const out = await run(board, [
                'import socket, hashlib, time',
                `s = socket.create_connection(('${HOST}', 8080))`,
                "s.sendall(b'GET /blob.bin HTTP/1.0\\r\\nHost: " + HOST + "\\r\\n\\r\\n')",
                't0 = time.ticks_ms()',
                "head, buf = b'', bytearray(1460)",
                "while b'\\r\\n\\r\\n' not in head:",
                '    head += s.recv(1)',
                'h, n = hashlib.sha256(), 0',
                'while True:',
                '    k = s.readinto(buf)',
                '    if not k: break',
                '    h.update(memoryview(buf)[:k]); n += k',
                's.close()',
                "print(head.split(b'\\r\\n')[0].decode(), n, h.digest().hex(), time.ticks_diff(time.ticks_ms(), t0))",
            ].join('\n'), 600_000);
            const m = /^(HTTP\/1\.0 200 .*) (\d+) ([0-9a-f]{64}) (\d+)$/m.exec(out.trim());
            assert.ok(m, out);
            const [, , n, hash, ms] = m;
            assert.equal(`${n} ${hash}`, `${blob.length} ${createHash('sha256').update(blob).digest('hex')}`, out);
            console.log(`# GET 1 MB: ${ms} ms emulated (${((blob.length * 8) / Number(ms)).toFixed(0)} kbit/s), ${Date.now() - wall} ms wall`);
        } finally {
            srv.p.kill();
        }
    });

    test('the host goes away mid-transfer: the board\'s send gets an error, the C heap returns to its level', async () => {
        const before = Number(await run(board, HEAP));
        const sink = await started(ns, ['python3', '-u', '-c', TCP_SINK, HOST, '9001'], 'listening');
        // a board thread sends until its socket fails (a 3 s send timeout)
        await run(board, [
            'import socket, _thread, time',
            'res = []',
            'def send():',
            `    c = socket.create_connection(('${HOST}', 9001))`,
            '    c.settimeout(3)',
            "    data, n = b'x' * 1024, 0",
            '    try:',
            '        while True:',
            '            c.sendall(data); n += 1',
            '    except OSError as e:',
            "        res.append(('error', e.errno, n > 0))",
            '    c.close()',
            '_thread.start_new_thread(send, ())',
        ].join('\n'));
        await board.runUntil(() => false, 300, { haltOnOutput: false });
        // the host's end goes: no frame passes either way, the receiving program is killed
        const ncm = board.usb!.ncm!;
        const toHost = ncm.onFrame;
        const toBoard = tap.onFrame;
        ncm.onFrame = () => {};
        tap.onFrame = () => {};
        sink.p.kill('SIGKILL');
        await board.runUntil(() => false, 6000, { haltOnOutput: false });
        const res = await run(board, 'print(res)');
        assert.match(res, /^\[\('error', (110|11|113|103|104), True\)\]$/m, res);
        // frames flow again: the board's retransmissions meet the host kernel's reset, the PCB goes
        ncm.onFrame = toHost;
        tap.onFrame = toBoard;
        let afterHeap = Number.NaN;
        let tries = 0;
        while (tries++ < 30) {
            afterHeap = Number(await run(board, HEAP));
            if (afterHeap <= before + 256) break;
        }
        console.log(`# link drop: ${res.trim()}; C heap ${before} -> ${afterHeap} B after ${tries} s`);
        assert.ok(afterHeap <= before + 256, `C heap ${before} -> ${afterHeap}`);
        const r = await hostCommand(board, ns, ['python3', '-c', PING, BOARD, '2', TAP], { wallMs: 120_000 }).done();
        assert.match(r.stdout, /sent 2 received 2/, r.stdout + r.stderr);
    });
});
