/**
 * The USB network link (issue 20 part 1, docs/network.md "USB network link"): the default firmware's
 * CDC-NCM function, driven by the emulated USB host (usb-ncm.ts, learnt from the descriptors) and bridged
 * frame for frame to a TAP device in a network namespace made here (tap.ts), so the host side is Linux's
 * own network stack. From the namespace: ping (raw ICMP) of the board's IPv4 address and its IPv6
 * link-local address, an HTTP GET of a Python server on the board, a host TCP server the board connects
 * to; a soft reset (Ctrl-D) keeps the link.
 *
 * Needs root and /dev/net/tun (CI runs as root); skipped with the reason otherwise.
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { type NetNamespace, type TapDevice, tapUnavailable } from '../../cli/emulator/tap.js';
import { boardLinkLocal, buildNtb16 } from '../../cli/emulator/usb-ncm.js';
import { CTRL_B, CTRL_C, CTRL_D } from '../../cli/repl/raw-repl.js';
import { friendlyPrompt, mprtBin, testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';
import { createHash } from 'node:crypto';
import { DHCP_CLIENT, PING, TCP_SEND, TCP_SERVER, TCP_SINK, hostCommand } from './net-host.js';
import { linkedBoard } from './board-hooks.js';

const firmware = testFirmware();
const BOARD = '192.168.7.1';
const HOST = '192.168.7.2';
const TAP = 'mprt0';
/** Bytes moved each way in the throughput test. */
const BULK = 64 * 1024;
const pattern = (): Buffer => Buffer.from(Array.from({ length: BULK }, (_, i) => ((i % 256) * 7) & 255));

describe('F15: the USB network link (CDC-NCM bridged to a TAP device)', { skip: firmware ? (tapUnavailable() ?? false) : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    let ns: NetNamespace;
    let tap: TapDevice;

    async function ping(addr: string, count: number): Promise<{ received: number; rtts: number[]; out: string }> {
        const r = await hostCommand(board, ns, ['python3', '-c', PING, addr, String(count), TAP], { wallMs: 60_000 * count }).done();
        const m = /sent (\d+) received (\d+)/.exec(r.stdout);
        const rtts = [...r.stdout.matchAll(/^\d+ ([\d.]+)$/gm)].map((x) => Number(x[1]));
        return { received: m ? Number(m[2]) : -1, rtts, out: r.stdout + r.stderr };
    }

    linkedBoard(firmware!, TAP, `${HOST}/24`, (linked) => ({ board, ns, tap } = linked));

    test('the host found the NCM function in the descriptors and the board names its link', async () => {
        const ncm = board.usb!.ncm!;
        assert.match(ncm.macAddress ?? '', /^02(:[0-9a-f]{2}){5}$/);
        assert.deepEqual(ncm.speed, [12_000_000, 12_000_000]);
        assert.equal(board.usb!.cdcCount(), 1, 'the console is still the one CDC ACM port');
        const out = await run(board, "import network, time\nn = network.netif['us1']\nfor i in range(50):\n    if len(n.addresses) > 1: break\n    time.sleep_ms(100)\nprint(n.address, n.netmask, n.link_up, n.mac.hex(), network.netif.default.name)\nprint(n.addresses)");
        const mac = board.usb!.ncm!.macAddress!.split(':');
        mac[5] = (parseInt(mac[5], 16) ^ 1).toString(16).padStart(2, '0');
        assert.equal(out.split('\n')[0], `${BOARD} 255.255.255.0 True ${mac.join('')} us1`);
        // the link-local address, valid once duplicate address detection is over
        assert.ok(out.includes(`'${boardLinkLocal(board.usb!.ncm!.macAddress!)}'`), out);
    });

    test('host ping of the board (IPv4 and IPv6 link-local)', async () => {
        // the round trip in emulated time: an IPv4 echo request handed to the board .. its reply
        const sent = new Map<number, number>();
        const emulatedRtt: number[] = [];
        const echo = (f: Uint8Array): { type: number; seq: number } | undefined => {
            if (f.length < 42 || f[12] !== 8 || f[13] !== 0 || f[23] !== 1) return undefined;
            const icmp = 14 + (f[14] & 15) * 4;
            return { type: f[icmp], seq: (f[icmp + 6] << 8) | f[icmp + 7] };
        };
        const toBoard = tap.onFrame!;
        tap.onFrame = (f) => {
            const e = echo(f);
            if (e?.type === 8) sent.set(e.seq, board.emulatedNanos);
            toBoard(f);
        };
        const ncm = board.usb!.ncm!;
        const toHost = ncm.onFrame!;
        ncm.onFrame = (f) => {
            const e = echo(f);
            const t = e?.type === 0 ? sent.get(e.seq) : undefined;
            if (t !== undefined) emulatedRtt.push((board.emulatedNanos - t) / 1e6);
            toHost(f);
        };
        const v4 = await ping(BOARD, 3);
        tap.onFrame = toBoard;
        ncm.onFrame = toHost;
        assert.equal(emulatedRtt.length, 3);
        assert.equal(v4.received, 3, v4.out);
        const v6 = await ping(boardLinkLocal(board.usb!.ncm!.macAddress!), 3);
        assert.equal(v6.received, 3, v6.out);
        console.log(`# ping rtt: emulated ${emulatedRtt.map((x) => x.toFixed(2)).join(' ')} ms; wall IPv4 ${v4.rtts.join(' ')} ms, IPv6 ${v6.rtts.join(' ')} ms`);
    });

    test('a Python HTTP server on the board, fetched from the host', async () => {
        await run(board, [
            'import socket, _thread',
            'srv = socket.socket()',
            'srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            "srv.bind(('0.0.0.0', 80))",
            'srv.listen(2)',
            'def serve():',
            '    c, a = srv.accept()',
            '    req = b""',
            '    while b"\\r\\n\\r\\n" not in req:',
            '        req += c.recv(512)',
            '    line = req.split(b"\\r\\n")[0].decode()',
            '    body = "hello from the board: %s %s\\n" % (line, a[0])',
            '    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(body), body))',
            '    c.close()',
            '    srv.close()',
            '_thread.start_new_thread(serve, ())',
        ].join('\n'));
        // the host's own curl, as a user would: body, then the status code
        const r = await hostCommand(board, ns, ['curl', '-sS', '--max-time', '60', '--retry', '30', '--retry-delay', '1', '--retry-connrefused', '-w', '%{http_code}\n', `http://${BOARD}/index.txt`], { wallMs: 120_000 }).done();
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `hello from the board: GET /index.txt HTTP/1.1 ${HOST}\n200\n`);
    });

    test('the board connects to a TCP server on the host', async () => {
        const server = hostCommand(board, ns, ['python3', '-c', TCP_SERVER, HOST, '8123'], { wallMs: 120_000, readyText: 'listening' });
        await server.ready;
        const out = await run(board, [
            'import socket',
            `c = socket.create_connection(('${HOST}', 8123))`,
            "c.sendall(b'board says hi\\n')",
            'data = b""',
            'while not data.endswith(b"\\n"):',
            '    data += c.recv(100)',
            'print(data.decode().strip(), c.getsockname()[0])',
            'c.close()',
        ].join('\n'), 60_000);
        assert.equal(out, `BOARD SAYS HI ${BOARD}\n`);
        const r = await server.done();
        assert.equal(r.stdout, `listening\nfrom ${BOARD} board says hi\n`, r.stderr);
    });

    test('TCP both ways: every byte arrives (SHA-256), throughput in emulated time', async () => {
        // host -> board: a server thread on the board counts and hashes, answers "n sha emulated_ms"
        await run(board, [
            'import socket, _thread, hashlib, time',
            'srv = socket.socket()',
            'srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            "srv.bind(('0.0.0.0', 9000))",
            'srv.listen(1)',
            'def sink():',
            '    c, a = srv.accept()',
            '    t0 = time.ticks_ms()',
            '    h, n, buf = hashlib.sha256(), 0, bytearray(1460)',
            '    while True:',
            '        k = c.readinto(buf)',
            '        if not k: break',
            '        h.update(memoryview(buf)[:k]); n += k',
            '    dt = time.ticks_diff(time.ticks_ms(), t0)',
            '    c.sendall(b"%d %s %d\\n" % (n, h.digest().hex(), dt))',
            '    c.close(); srv.close()',
            '_thread.start_new_thread(sink, ())',
        ].join('\n'));
        const sha = createHash('sha256').update(pattern()).digest('hex');
        const wallIn = Date.now();
        const up = await hostCommand(board, ns, ['python3', '-c', TCP_SEND, BOARD, '9000', String(BULK)], { wallMs: 300_000 }).done();
        const wallInMs = Date.now() - wallIn;
        const [n, hash, emuMs] = up.stdout.trim().split(' ');
        assert.equal(`${n} ${hash}`, `${BULK} ${sha}`, up.stdout + up.stderr);
        // board -> host
        const sink = hostCommand(board, ns, ['python3', '-c', TCP_SINK, HOST, '9001'], { wallMs: 300_000, readyText: 'listening' });
        await sink.ready;
        const wallOut = Date.now();
        const out = await run(board, [
            'import socket, time',
            'data = bytes((i * 7) & 255 for i in range(256)) * 4',
            `c = socket.create_connection(('${HOST}', 9001))`,
            't0 = time.ticks_ms()',
            `for i in range(${BULK / 1024}):`,
            '    c.sendall(data)',
            'c.close()',
            'print(time.ticks_diff(time.ticks_ms(), t0))',
        ].join('\n'), 300_000);
        const down = await sink.done();
        const wallOutMs = Date.now() - wallOut;
        const [m, hash2] = down.stdout.replace('listening\n', '').trim().split(' ');
        assert.equal(`${m} ${hash2}`, `${BULK} ${sha}`, down.stdout + down.stderr);
        const kbit = (bytes: number, ms: number): string => ((bytes * 8) / ms).toFixed(0);
        console.log(`# TCP host->board ${BULK} B: ${emuMs} ms emulated (${kbit(BULK, Number(emuMs))} kbit/s), ${wallInMs} ms wall`);
        console.log(`# TCP board->host ${BULK} B: ${out.trim()} ms emulated (${kbit(BULK, Number(out.trim()))} kbit/s), ${wallOutMs} ms wall`);
    });

    test('the board serves DHCP on the link: a host client gets an address, each client its own', async () => {
        const r = await hostCommand(board, ns, ['python3', '-c', DHCP_CLIENT, TAP, '02:aa:00:00:00:01', '02:aa:00:00:00:02', '02:aa:00:00:00:01'], { wallMs: 120_000 }).done();
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split('\n');
        assert.equal(lines.length, 3, r.stdout);
        const [a, b, c] = lines.map((l) => l.split(' '));
        for (const x of [a, b, c]) {
            assert.match(x[1], /^192\.168\.7\.\d+$/);
            assert.deepEqual(x.slice(2), ['ack', x[1], '255.255.255.0', '86400', BOARD], x.join(' '));
        }
        assert.notEqual(a[1], b[1], 'two clients, two addresses');
        assert.equal(c[1], a[1], 'the same client gets its address again');
        assert.notEqual(a[1], BOARD);
    });

    test('a Python busy loop (while True: pass) does not stop the link: ping answers, Ctrl-C ends the loop', async () => {
        await friendlyPrompt(board);
        board.write('while True: pass\r\n\r\n');
        await board.runUntil(() => false, 200, { haltOnOutput: false });
        const v4 = await ping(BOARD, 2);
        assert.equal(v4.received, 2, v4.out);
        board.write(CTRL_C);
        await board.readUntil(/KeyboardInterrupt[\s\S]*>>> /, { timeoutMs: 5000 });
        board.drain();
    });

    test('malformed, truncated and random NTBs and frames: the board keeps answering ping, the C heap returns to its level', async () => {
        const HEAP = 'import micropython, gc, time\ngc.collect()\ntime.sleep(1)\nprint(micropython.malloc_stats()[1])';
        const before = Number(await run(board, HEAP));
        const ncm = board.usb!.ncm!;
        let seed = 0x2f6b1d;
        const rnd = (n: number): number => {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            return (seed >>> 8) % n;
        };
        const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd(256));
        const board_mac = ncm.macAddress!.split(':').map((x) => parseInt(x, 16));
        board_mac[5] ^= 1;
        const frame = (): Uint8Array => {
            // random payloads to the board's MAC (or broadcast): IPv4/ARP/IPv6 ethertypes and junk
            const f = bytes(14 + rnd(1500));
            f.set(rnd(2) ? board_mac : [255, 255, 255, 255, 255, 255], 0);
            const types = [[8, 0], [8, 6], [0x86, 0xdd], [rnd(256), rnd(256)]];
            f.set(types[rnd(4)], 12);
            if (f[12] === 8 && f[13] === 0 && f.length >= 34) f[14] = 0x45; // an IPv4 header start
            return f;
        };
        // the 100,000 by default (about 2 min of CPU: 2m9s user, 4m15s wall on a loaded 2-core
        // machine); F15_FUZZ=10000 for a quick run
        const N = Number(process.env.F15_FUZZ ?? 100_000);
        for (let k = 0; k < N; k++) {
            const kind = rnd(5);
            if (kind === 0) ncm.sendRaw(bytes(1 + rnd(2100))); // noise
            else if (kind === 1) {
                // a well-formed block, cut short
                const b = buildNtb16([frame(), frame()], k, 64);
                ncm.sendRaw(b.subarray(0, 1 + rnd(b.length - 1)).slice());
            } else if (kind === 2) {
                // a good header and NDP signature, datagram pointers anywhere
                const b = buildNtb16([frame()], k, 64);
                const v = new DataView(b.buffer);
                v.setUint16(20, rnd(0x10000), true);
                v.setUint16(22, rnd(0x10000), true);
                if (rnd(2)) v.setUint16(10, rnd(0x10000), true);
                if (rnd(2)) v.setUint16(16, rnd(0x10000), true);
                ncm.sendRaw(b);
            } else if (kind === 3) {
                ncm.sendRaw(buildNtb16(Array.from({ length: 1 + rnd(6) }, frame), k, 64));
            } else ncm.send(frame());
            if (k % 100 === 99) await board.runUntil(() => ncm.idle, 20_000, { haltOnOutput: false });
        }
        await board.runUntil(() => ncm.idle, 20_000, { haltOnOutput: false });
        const v4 = await ping(BOARD, 2);
        assert.equal(v4.received, 2, v4.out);
        const after = Number(await run(board, HEAP));
        console.log(`# fuzz: ${N} blocks/frames; C heap ${before} -> ${after} B`);
        assert.ok(after <= before + 512, `C heap ${before} -> ${after}`);
    });

    test('a soft reset (Ctrl-D) keeps the link: no re-enumeration, ping still answers', async () => {
        const configured = board.usb!.configureCount;
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        board.drain();
        board.write(CTRL_D);
        await board.readUntil(/MPY: soft reboot[\s\S]*>>> /, { timeoutMs: 5000 });
        board.drain();
        assert.equal(board.usb!.configureCount, configured, 'the host did not configure the device again');
        assert.equal(board.usb!.ncm!.connected, true);
        const v4 = await ping(BOARD, 2);
        assert.equal(v4.received, 2, v4.out);
    });

    test('a saved configuration with the network function elsewhere (after two CDC ports): the host finds it from the descriptors, ping answers', async () => {
        const host = board.usb!;
        const reconfigure = async (code: string, cdc: number): Promise<void> => {
            // typed at the friendly REPL: the raw REPL's replies would be written while the device is detached
            await friendlyPrompt(board);
            board.write(`import usb, time\r\n${code}; usb.disconnect(); time.sleep_ms(50); usb.connect()\r\n`);
            assert.ok(await board.runUntil(() => !host.configured, 3000), 'the host saw the unplug');
            assert.ok(await board.runUntil(() => host.configured && host.cdcCount() === cdc && host.ncm?.connected === true && host.stringsDone, 10_000), 're-enumerated');
            await board.runUntil(() => false, 100);
            board.drain();
        };
        await reconfigure('c = usb.UsbConfig(); c.device(); c.configuration(); c.cdc(); c.cdc(); c.net_ncm("02:12:34:56:78:9a", str="net"); c.save()', 2);
        assert.equal(host.ncm!.fn.commInterface, 4);
        assert.equal(host.ncm!.macAddress, '02:12:34:56:78:9a');
        assert.equal(host.device!.strings.get(host.device!.configuration.interfaces.find((f) => f.number === 4)!.iInterface), 'net');
        assert.equal(await run(board, 'print(usb.boot_status())'), 'None\n');
        const v4 = await ping(BOARD, 2);
        assert.equal(v4.received, 2, v4.out);
        // back to the default the same way
        await reconfigure('usb.UsbConfig.delete()', 1);
        assert.equal(host.ncm!.fn.commInterface, 2);
        const again = await ping(BOARD, 1);
        assert.equal(again.received, 1, again.out);
    });
});

describe('F15: mprt emulate --net', { skip: firmware ? (tapUnavailable() ?? false) : 'no firmware to run' }, () => {
    test('prints how to reach the board; curl in the printed namespace gets the board\'s answer; the namespace is gone after', async () => {
        const work = mkdtempSync(join(tmpdir(), 'mprt-net-'));
        const script = join(work, 'srv.py');
        writeFileSync(script, [
            'import socket',
            's = socket.socket()',
            's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
            "s.bind(('0.0.0.0', 80))",
            's.listen(1)',
            'c, a = s.accept()',
            'c.recv(1024)',
            'c.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\nhi from the board\\n")',
            'c.close()',
            "print('served', a[0])",
        ].join('\n'));
        const cli = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--net', '--run', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
        cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const exited = new Promise<number | null>((r) => cli.on('exit', r));
        const deadline = Date.now() + 60_000;
        while (!/namespace (\S+)/.test(err) && Date.now() < deadline && cli.exitCode === null) await new Promise((r) => setTimeout(r, 100));
        const ns = /namespace (\S+)/.exec(err)?.[1];
        assert.ok(ns, err);
        assert.match(err, /the board is 192\.168\.7\.1, fe80::[0-9a-f:]+%mprt0/);
        const got = execFileSync('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '60', '--retry', '30', '--retry-delay', '1', '--retry-connrefused', '-w', '%{http_code}\n', `http://${BOARD}/`], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(got, 'hi from the board\n200\n');
        assert.equal(await exited, 0, err);
        assert.equal(out, `served ${HOST}\n`);
        assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(ns), 'the namespace was removed');
        rmSync(work, { recursive: true, force: true });
    });
});
