/**
 * The telnet REPL (issue 20 item 3, docs/network.md "Telnet REPL") over the USB network link, from a
 * host program in the TAP device's namespace (as tests/firmware/F15-usb-net.test.ts): off by default
 * (nothing listens on port 23), switched on by TELNET in the persistent environment at power-up; the
 * REPL moves to the connection (print(6*7) answers there, not on the USB console), Ctrl-C there ends a
 * busy loop, and when the host closes the connection the REPL is back on the USB console.
 *
 * Needs root and /dev/net/tun (CI runs as root); skipped with the reason otherwise.
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { type NetNamespace, type TapDevice, bridgeNcm, tapUnavailable } from '../../cli/emulator/tap.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';
import { hostCommand, waitNcmLink } from './net-host.js';
import { linkedBoard } from './board-hooks.js';
import { CTRL_B } from '../../cli/repl/raw-repl.js';

const firmware = testFirmware();
const BOARD = '192.168.7.1';
const HOST = '192.168.7.2';
const TAP = 'mprt0';

/**
 * `python3 -c TELNET_CLIENT addr port`: a telnet client as a script: connects, answers no option, waits
 * for the greeting, types `print(6*7)`, then a busy loop and Ctrl-C after it; prints what came back,
 * step by step ("step NAME: repr(text)"), then closes. "refused" when nothing listens.
 */
const TELNET_CLIENT = `
import socket, sys, time
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
except OSError as e:
    print("refused", e.errno, flush=True)
    sys.exit(0)
got = b""
def until(what, limit=60):
    global got
    t0 = time.monotonic()
    while what not in got and time.monotonic() - t0 < limit:
        try:
            d = c.recv(4096)
        except TimeoutError:
            break
        if not d:
            break
        got += d
    text, got = got, b""
    return text
print("step hello:", repr(until(b"interrupts)\\r\\n")), flush=True)
c.sendall(b"print(6*7)\\r\\n")
print("step print:", repr(until(b"42\\r\\n>>> ")), flush=True)
c.sendall(b"n = 0\\r\\nwhile True: n += 1\\r\\n\\r\\n")
time.sleep(1)
c.sendall(b"\\x03")
print("step intr:", repr(until(b"KeyboardInterrupt")), flush=True)
c.sendall(b"print(n > 0)\\r\\n")
print("step after:", repr(until(b"True\\r\\n>>> ")), flush=True)
c.close()
print("closed", flush=True)
`;

describe('F15: the telnet REPL over the USB network link', { skip: firmware ? (tapUnavailable() ?? false) : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    let ns: NetNamespace;
    let tap: TapDevice;

    const linkUp = async (): Promise<void> => {
        bridgeNcm(board.usb!, tap);
        await waitNcmLink(board);
    };
    const client = async (): Promise<string> => {
        const r = await hostCommand(board, ns, ['python3', '-c', TELNET_CLIENT, BOARD, '23'], { wallMs: 60_000 }).done();
        return r.stdout + r.stderr;
    };

    linkedBoard(firmware!, TAP, `${HOST}/24`, (linked) => ({ board, ns, tap } = linked));

    test('off by default: nothing listens on port 23', async () => {
        assert.equal(await run(board, "import os\nprint(os.getenv('TELNET'))"), 'None\n');
        const out = await client();
        assert.match(out, /^refused \d+/, out);
    });

    test('TELNET=1 at power-up: the REPL moves to the connection, Ctrl-C interrupts there, closing brings it back to USB', async () => {
        await run(board, "import os\nos.putenv('TELNET', '1')");
        await board.powerCycle();
        await linkUp();
        board.drain();
        const out = await client();
        const step = (name: string): string => (new RegExp(`^step ${name}: (.*)$`, 'm').exec(out)?.[1] ?? '');
        assert.match(step('hello'), /telnet REPL/, out);
        // the board offered WILL ECHO and WILL SUPPRESS-GO-AHEAD before its greeting
        assert.ok(step('hello').startsWith("b'\\xff\\xfb\\x01\\xff\\xfb\\x03"), out);
        assert.match(step('print'), /print\(6\*7\)\\r\\n42\\r\\n>>> /, out);
        assert.match(step('intr'), /KeyboardInterrupt/, out);
        assert.match(step('after'), /True\\r\\n>>> /, out);
        assert.match(out, /^closed$/m, out);
        // nothing of that session went to the USB console
        const usbText = board.drain();
        assert.ok(!usbText.includes('42'), usbText);
        // the host closed: the REPL is on the USB console again
        await board.runUntil(() => false, 300, { haltOnOutput: false });
        assert.equal(await run(board, "print('usb', 6*7)"), 'usb 42\n');
        // and the server takes the next connection (typed at the friendly REPL: run() left the raw one)
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        const again = await client();
        assert.match(again, /step print: .*42/, again);
        assert.equal(await run(board, "import os\nos.unsetenv('TELNET')\nprint('usb')"), 'usb\n');
    });
});
