/**
 * The user-mode USB network link (issue 20; docs/network.md "Without root"): `mprt emulate --net=user`
 * hands the board's CDC-NCM frames to Debian's passt (cli/emulator/user-net.ts), whose port forward makes
 * this machine's 127.0.0.1:PORT reach a Python server on the board, and through which the board reaches a
 * server on this machine's loopback at 192.168.7.2. No root needed (passt run by root drops to user
 * nobody, so CI tests the same path). Skipped with the reason when passt is not installed (`mprt setup`
 * installs it). Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { userNetUnavailable } from '../../cli/emulator/user-net.js';
import { mprtBin, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();

/** A TCP port free on 127.0.0.1 just now. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createTcpServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
    });
}

/** `mprt emulate --net=user ... --run script`: its output, and a promise of its exit. */
function emulate(args: string[]): { out: () => string; err: () => string; exited: Promise<number | null> } {
    const cli = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--net=user', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return { out: () => out, err: () => err, exited: new Promise((r) => cli.on('exit', r)) };
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = get(url, { timeout: 60_000 }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timeout')));
    });
}

describe('F15: mprt emulate --net=user (passt)', { skip: firmware ? (userNetUnavailable() ?? false) : 'no firmware to run' }, () => {
    let work: string;
    before(() => {
        work = mkdtempSync(join(tmpdir(), 'mprt-usernet-'));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    test("this machine's localhost:PORT reaches an HTTP server in Python on the board", async () => {
        const port = await freePort();
        const script = join(work, 'srv.py');
        writeFileSync(
            script,
            [
                'import socket',
                's = socket.socket()',
                's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
                "s.bind(('0.0.0.0', 80))",
                's.listen(1)',
                'c, a = s.accept()',
                'req = c.recv(1024)',
                'c.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\nhi from the board, " + req.split(b" ")[1] + b"\\n")',
                'c.close()',
                "print('served', a[0])",
            ].join('\n'),
        );
        const run = emulate(['--net-forward', `${port}:80`, '--run', script, '--timeout', '120']);
        const deadline = Date.now() + 60_000;
        while (!run.err().includes('user mode') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.match(run.err(), new RegExp(`the board is 192\\.168\\.7\\.1; localhost:${port} -> board port 80`), run.err());
        // the script starts listening a moment after the announcement: until then passt's connection to
        // the board is refused and ours reset
        let got: { status: number; body: string } | undefined;
        while (!got && Date.now() < deadline) {
            got = await httpGet(`http://127.0.0.1:${port}/page`).catch(() => undefined);
            if (!got) await new Promise((r) => setTimeout(r, 500));
        }
        assert.deepEqual(got, { status: 200, body: 'hi from the board, /page\n' });
        assert.equal(await run.exited, 0, run.err());
        // passt connects to the board from its own address on the link
        assert.equal(run.out(), 'served 192.168.7.2\n');
    });

    test("the board reaches a server on this machine's loopback at 192.168.7.2", async () => {
        const server = createServer((req, res) => res.end(`hello board, you asked ${req.url}\n`));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const port = (server.address() as { port: number }).port;
        try {
            const script = join(work, 'cli.py');
            writeFileSync(
                script,
                [
                    'import socket',
                    `s = socket.create_connection(('192.168.7.2', ${port}), timeout=30)`,
                    "s.sendall(b'GET /x HTTP/1.0\\r\\n\\r\\n')",
                    "d = b''",
                    'while True:',
                    '    b = s.recv(512)',
                    '    if not b: break',
                    '    d += b',
                    "print(d.split(b'\\r\\n\\r\\n', 1)[1].decode().strip())",
                ].join('\n'),
            );
            const run = emulate(['--net-forward', String(await freePort()), '--run', script, '--timeout', '120']);
            assert.equal(await run.exited, 0, run.err());
            assert.equal(run.out(), 'hello board, you asked /x\n');
        } finally {
            server.close();
        }
    });
});
