/**
 * Networking across a soft reset (F11, F12, F1; docs/network.md), driven from the host: sockets left
 * open by a program (a listener, connected TCP pairs, a UDP socket) are closed when the VM soft-resets
 * (they are fds, and the new VM starts with only fds 0-2), their ports can be bound again, the network
 * stack keeps running (lo0 is still there and carries new connections), and the C heap comes back to
 * the level it had before they were opened (once TCP's TIME_WAIT, 4 s, has passed).
 *
 * And a socket is an fd for C code too: examples/modules/pipeio, packed against the firmware, reads,
 * polls and writes a socket made in Python (socket.fileno()) with the exported C calls.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`), with its module SDK.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { packModule } from '../../cli/modules/pack.js';
import { softReset, testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { examplesDir, run } from './modules-fixture.js';

const firmware = testFirmware();

/** Bytes of C heap in use once TIME_WAIT (4 s) is over. */
const HEAP_LEVEL = 'import micropython, time, gc\ngc.collect()\ntime.sleep(5)\nprint(micropython.malloc_stats()[1])';

const OPEN = [
    'import socket',
    'srv = socket.socket()',
    'srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    "srv.bind(('127.0.0.1', 7000))",
    'srv.listen(8)',
    'pairs = []',
    'for i in range(5):',
    "    c = socket.create_connection(('127.0.0.1', 7000))",
    '    a, _ = srv.accept()',
    "    c.sendall(b'unread data')",
    '    pairs.append((c, a))',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    "u.bind(('127.0.0.1', 7001))",
    "u.sendto(b'queued', ('127.0.0.1', 7001))",
    'print(sorted(x.fileno() for p in pairs for x in p) + [srv.fileno(), u.fileno()])',
].join('\n');

describe('F11: sockets across a soft reset', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware! }, (b) => (board = b));

    test('the old VM\'s sockets are closed, their ports free, lo0 still works and the C heap returns to its level', async () => {
        // warm up: the stack's first connection allocates what stays (timers, ND entries)
        await run(board, OPEN, 30_000);
        await softReset(board, 5000);
        const level = Number((await run(board, HEAP_LEVEL, 30_000)).trim());
        assert.ok(level > 0);

        const fds = JSON.parse((await run(board, OPEN, 30_000)).trim()) as number[];
        assert.equal(fds.length, 12);
        const open = Number((await run(board, 'import micropython\nprint(micropython.malloc_stats()[1])')).trim());
        assert.ok(open > level + 12 * 200, `C heap with 12 sockets open: ${open}, idle: ${level}`);
        await softReset(board, 5000);

        const check = [
            'import os, socket, network',
            'closed = 0',
            `for fd in ${JSON.stringify(fds)}:`,
            '    try:',
            '        os.fstat(fd)',
            '    except OSError:',
            '        closed += 1',
            'print(closed, sorted(n.name for n in network.netif))',
            'srv = socket.socket()',
            "srv.bind(('127.0.0.1', 7000))",
            'srv.listen(1)',
            "c = socket.create_connection(('127.0.0.1', 7000))",
            'a, _ = srv.accept()',
            "c.sendall(b'after reset')",
            'print(a.recv(32))',
            'for x in (a, c, srv):',
            '    x.close()',
        ].join('\n');
        assert.equal(await run(board, check, 30_000), '12 [\'lo0\', \'us1\']\nb\'after reset\'\n');
        const after = Number((await run(board, HEAP_LEVEL, 30_000)).trim());
        assert.equal(after, level, `C heap in use: ${after} after the soft reset, ${level} before the sockets were opened`);
    });
});

const buildDir = firmware ? dirname(firmware) : '';
const sdkSkip = !firmware ? 'no firmware to run' : !existsSync(join(buildDir, 'sdk', 'exports.json')) ? 'no module SDK next to the firmware' : false;

const C_SCRIPT = `
import socket, pipeio
a, b = socket.socketpair()
print(pipeio.poll_in(a.fileno(), 0))
b.sendall(b"from a Python socket")
print(pipeio.poll_in(a.fileno(), 1000), pipeio.read(a.fileno(), 64))
print(pipeio.write(a.fileno(), b"from C"), b.recv(16))
b.close()
print(pipeio.poll_in(a.fileno(), 1000), pipeio.read(a.fileno(), 64))
a.close()
`;

describe('F11: a socket fd used by a native module\'s C code', { skip: sdkSkip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-net-module-'));
    let board: Rp2040Board | undefined;
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('pipeio polls, reads and writes a socket made in Python', async () => {
        const packed = await packModule({ inputs: [join(examplesDir, 'pipeio')], firmware: buildDir, output: join(work, 'pipeio.so'), name: 'pipeio' });
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
        await board.exec("import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass");
        await board.writeFile('/lib/pipeio.so', readFileSync(packed.output));
        const r = await board.exec(C_SCRIPT, { timeoutMs: 20_000 });
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.replace(/\r\n/g, '\n'), "False\nTrue b'from a Python socket'\n6 b'from C'\nTrue b''\n");
    });
});
