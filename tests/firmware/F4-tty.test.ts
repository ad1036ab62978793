/**
 * /dev/ttyS0, UART0 as a tty (F4, docs/vfs.md "Serial ports"), with the harness on the other end of the
 * line (board.onSerial / board.serialSend, cli/emulator/board.ts): termios speed and raw mode set from
 * Python, bytes both ways at 115200 and 921600 baud (the emulated UART sends at the programmed rate, so
 * the time a write + tcdrain takes shows the speed was applied), and select() waking on received bytes.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

const open = (speed: string) =>
    [
        'import os, termios, tty, select, time',
        "fd = os.open('/dev/ttyS0', os.O_RDWR)",
        'tty.setraw(fd)',
        'a = termios.tcgetattr(fd)',
        `a[4] = a[5] = termios.${speed}`,
        `a[2] = (a[2] & ~termios.CBAUD) | termios.${speed}`,
        'termios.tcsetattr(fd, termios.TCSADRAIN, a)',
        'b = termios.tcgetattr(fd)',
        `assert b[4] == b[5] == termios.${speed} and b[2] & termios.CBAUD == termios.${speed}, b`,
        'assert b[3] & (termios.ICANON | termios.ECHO) == 0 and b[1] & termios.OPOST == 0, b',
    ].join('\n');

describe('F4: /dev/ttyS0 with the harness on the UART', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    let received: number[] = [];
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        board.onSerial((d) => received.push(...d));
        await board.boot();
    });
    after(async () => {
        await board?.close();
    });

    for (const [speed, baud] of [
        ['B115200', 115200],
        ['B921600', 921600],
    ] as const) {
        test(`board -> harness at ${baud} baud: 4 KB in the time the line takes`, async (t) => {
            received = [];
            const n = 4096;
            const out = await run(
                board,
                `${open(speed)}\ndata = bytes((i * 7 + 3) & 0xff for i in range(${n}))\nt0 = time.ticks_us()\nm = 0\nwhile m < len(data):\n    m += os.write(fd, data[m:])\ntermios.tcdrain(fd)\nprint(time.ticks_diff(time.ticks_us(), t0))\nos.close(fd)`,
            );
            const us = Number(out.trim());
            const expected = Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
            assert.equal(received.length, n, `received ${received.length} of ${n} bytes`);
            assert.deepEqual(received, expected);
            // 10 bits a byte (8N1): the line's time is the floor, a little overhead above it
            const lineUs = (n * 10 * 1e6) / baud;
            assert.ok(us >= lineUs * 0.97 && us <= lineUs * 1.25, `${n} bytes in ${us} µs, the line needs ${Math.round(lineUs)} µs`);
            t.diagnostic(`${baud} baud: ${n} bytes in ${us} µs emulated = ${Math.round((n * 1e6) / us)} B/s (line rate ${baud / 10} B/s)`);
        });

        test(`harness -> board at ${baud} baud: select() waits and wakes on received bytes; an echo back`, async (t) => {
            received = [];
            const n = 3000;
            const payload = Uint8Array.from({ length: n }, (_, i) => 0x20 + ((i * 13) % 90));
            let sent = false;
            board.onSerial((d) => {
                received.push(...d);
                // the board says it is about to wait: answer 20 emulated ms later, while it waits in select
                if (!sent && received.includes(0x52)) {
                    sent = true;
                    received = [];
                    const at = board.nowMs() + 20;
                    const later = () => (board.nowMs() >= at ? board.serialSend(payload) : setImmediate(later));
                    setImmediate(later);
                }
            });
            const out = await run(
                board,
                [
                    open(speed),
                    'termios.tcflush(fd, termios.TCIFLUSH)',
                    'r0 = select.select([fd], [], [], 0)[0]',
                    "os.write(fd, b'R')",
                    't0 = time.ticks_us()',
                    'r1 = select.select([fd], [], [], 5)[0]',
                    'woke = time.ticks_diff(time.ticks_us(), t0)',
                    'got = bytearray()',
                    'while len(got) < ' + String(n) + ':',
                    '    if select.select([fd], [], [], 2)[0]:',
                    '        got += os.read(fd, 512)',
                    '    else:',
                    '        break',
                    'us = time.ticks_diff(time.ticks_us(), t0)',
                    'print(r0, r1 == [fd], len(got), 15000 <= woke < 100000, us - woke)',
                    'm = 0',
                    'up = bytes(got).upper()',
                    'while m < len(up):',
                    '    m += os.write(fd, up[m:])',
                    'termios.tcdrain(fd)',
                    'os.close(fd)',
                ].join('\n'),
            );
            board.onSerial((d) => received.push(...d));
            const [r0, r1, len, woke, us] = out.trim().split(' ');
            assert.deepEqual([r0, r1, len, woke], ['[]', 'True', String(n), 'True'], out);
            const back = Buffer.from(received).toString('latin1');
            assert.equal(back, Buffer.from(payload).toString('latin1').toUpperCase());
            t.diagnostic(`${baud} baud: ${n} bytes read in ${us} µs emulated after select woke (the harness feeds the RX FIFO as it empties, not at the line rate: ${Math.round((n * 1000) / Number(us))} KB/s), echoed back`);
        });
    }

    test('termios on a non-tty and bad arguments; /dev/ttyS0 in /dev', async () => {
        const out = await run(
            board,
            [
                'import os, termios',
                "print('ttyS0' in os.listdir('/dev'))",
                'r, w = os.pipe()',
                'try:',
                '    termios.tcgetattr(r)',
                'except OSError as e:',
                '    print(e.errno)',
                "fd = os.open('/dev/ttyS0', os.O_RDWR)",
                'a = termios.tcgetattr(fd)',
                'print(len(a), len(a[6]), os.isatty(fd))',
                'a[4] = a[5] = 12345',
                'try:',
                '    termios.tcsetattr(fd, termios.TCSANOW, a)',
                'except OSError as e:',
                '    print(e.errno)',
                'for x in (r, w, fd):',
                '    os.close(x)',
            ].join('\n'),
        );
        assert.equal(out, 'True\n25\n7 32 True\n22\n');
    });
});
