/**
 * Moving the console (F4, docs/vfs.md "Moving the console"), with the harness on both ends: the USB
 * console (board.write/readUntil) and UART0 (board.onSerial/serialSend).
 * - at run time: `os.dup2(fd, 0)`, `os.dup2(fd, 1)` with fd on /dev/ttyS0 moves the REPL to the UART,
 *   where the harness runs a command; a command typed there moves it back to /dev/ttyUSB0;
 * - at boot: TTY=/dev/ttyS0 in the environment puts the REPL on the UART at the next (soft) reset; Ctrl-C
 *   on the USB console brings it back (the documented recovery); a TTY that is no tty (missing device,
 *   /dev/null) leaves the REPL on USB with a message.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_D } from '../../cli/repl/raw-repl.js';
import { friendlyPrompt, testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

describe('F4: the console moved to the UART and back', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    let uart = '';
    bootedBoard({ firmware: firmware! }, (b) => {
        board = b;
        board.onSerial((d) => (uart += Buffer.from(d).toString('latin1')));
    });

    async function uartUntil(text: string, ms = 3000): Promise<string> {
        const ok = await board.runUntil(() => uart.includes(text), ms);
        assert.ok(ok, `no ${JSON.stringify(text)} on the UART; got ${JSON.stringify(uart)}; USB: ${JSON.stringify(board.drain())}`);
        const got = uart;
        uart = '';
        return got;
    }

    test('os.dup2 moves the REPL to /dev/ttyS0; a command there runs and moves it back', async () => {
        await friendlyPrompt(board);
        uart = '';
        board.write("import os\r\nu = os.open('/dev/ttyS0', os.O_RDWR); os.dup2(u, 0); os.dup2(u, 1)\r\n");
        await uartUntil('>>> ');
        board.drain();
        board.serialSend(Buffer.from('print(6 * 7, os.isatty(0), os.ttyname(0) if hasattr(os, "ttyname") else "-")\r\n'));
        const out = await uartUntil('>>> ');
        assert.match(out, /42 True -\r\n>>> $/);
        assert.equal(board.drain(), '', 'nothing on USB while the REPL is on the UART');
        board.serialSend(Buffer.from("c = os.open('/dev/ttyUSB0', os.O_RDWR); os.dup2(c, 0); os.dup2(c, 1); os.close(c); os.close(u)\r\n"));
        await board.readUntil('>>> ', { timeoutMs: 3000 });
        assert.equal(await run(board, 'print("back", 1 + 1)'), 'back 2\n');
    });

    test('TTY=/dev/ttyS0: the REPL runs on the UART after a reset; Ctrl-C on USB brings it back', async () => {
        await run(board, "import os\nos.putenv('TTY', '/dev/ttyS0')");
        await friendlyPrompt(board);
        uart = '';
        board.write(CTRL_D);
        await board.readUntil('console on /dev/ttyS0 (TTY)', { timeoutMs: 5000 });
        const banner = await uartUntil('>>> ', 5000);
        assert.match(banner, /MicroPython v/);
        board.serialSend(Buffer.from('import os; print(sum(range(10)), os.getenv("TTY"))\r\n'));
        assert.match(await uartUntil('>>> '), /45 \/dev\/ttyS0\r\n>>> $/);
        // a program on the UART console is interrupted by Ctrl-C sent there (ISIG)
        board.serialSend(Buffer.from('while True: pass\r\n\r\n'));
        await board.runUntil(() => false, 50);
        board.serialSend(Uint8Array.of(3));
        assert.match(await uartUntil('>>> '), /KeyboardInterrupt/);
        // recovery from the USB side
        board.drain();
        board.write(Uint8Array.of(3));
        await board.readUntil('>>> ', { timeoutMs: 3000 });
        assert.equal(await run(board, "import os\nos.unsetenv('TTY')\nprint('usb')"), 'usb\n');
    });

    for (const [value, errno] of [
        ['/dev/ttyS9', 2],
        ['/dev/null', 25],
    ] as const) {
        test(`TTY=${value} (no tty): the REPL stays on the USB console`, async () => {
            await run(board, `import os\nos.putenv('TTY', '${value}')`);
            await friendlyPrompt(board);
            uart = '';
            board.write(CTRL_D);
            const out = await board.readUntil(/MicroPython v[\s\S]*>>> /, { timeoutMs: 5000 });
            assert.ok(out.includes(`TTY=${value}: not a tty (errno ${errno}), the console stays on USB`), out);
            assert.equal(await run(board, "import os\nos.unsetenv('TTY')\nprint(os.isatty(0), 'usb')"), 'True usb\n');
            assert.equal(uart, '');
        });
    }
});
