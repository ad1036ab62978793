/**
 * One fd table for C and Python (F4, F6): examples/modules/pipeio, packed against the firmware, calls the
 * exported POSIX API (read, write, poll, pipe, posix_errno) on fds made by Python's os, and Python's os
 * uses fds made in C; C's read() blocked on an empty pipe lets a Python thread run (the wait releases the
 * GIL) that writes what it returns; an RTOS task of the module writes 500 lines into a Python pipe (more than the pipe
 * holds, so it blocks in the kernel until Python reads), none lost or reordered; stdout redirected by C's
 * dup2 captures Python's print and C's mp_printf(&mp_plat_print), and C's write(1) and mp_printf follow
 * Python's os.dup2.
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
import { testFirmware } from './emulator-fixture.js';
import { examplesDir } from './modules-fixture.js';

const firmware = testFirmware();
const buildDir = firmware ? dirname(firmware) : '';
const skip = !firmware ? 'no firmware to run' : !existsSync(join(buildDir, 'sdk', 'exports.json')) ? 'no module SDK next to the firmware' : false;

const SCRIPT = `
import os, pipeio
r, w = os.pipe()
print(pipeio.write(w, b"from C"), os.read(r, 10))
print(os.write(w, b"from Python"), pipeio.read(r, 20))
print(pipeio.poll_in(r, 0), pipeio.poll_in(r, 20))
os.write(w, b"!")
print(pipeio.poll_in(r, 0), os.read(r, 5))
import _thread, time
def later():
    time.sleep_ms(50)
    os.write(w, b"from a thread")
_thread.start_new_thread(later, ())
print("C read blocked, the thread ran:", pipeio.read(r, 20))
cr, cw = pipeio.pipe()
print(os.write(cw, b"made in C"), os.read(cr, 20))
pipeio.start_writer(w, 500)
data = b""
while not data.endswith(b"end\\n"):
    data += os.read(r, 256)
lines = data.decode().split("\\n")
print(len(lines), lines[0], lines[499], lines[500], lines == ["line %d" % i for i in range(500)] + ["end", ""])
try:
    pipeio.read(cr + 20, 1)
except OSError as e:
    print("EBADF from C:", e.errno == 9)
saved = pipeio.dup(1)
pipeio.dup2(w, 1)
print("print, fd 1 redirected by C dup2")
pipeio.say("hello")
os.write(1, b"os.write(1)\\n")
pipeio.dup2(saved, 1)
os.close(saved)
print("captured:", os.read(r, 200))
saved = os.dup(1)
os.dup2(w, 1)
pipeio.write(1, b"C write(1)\\n")
pipeio.say("again")
os.dup2(saved, 1)
os.close(saved)
print("captured:", os.read(r, 200))
for fd in (r, w, cr, cw):
    os.close(fd)
`;

const EXPECT = [
    "6 b'from C'",
    "11 b'from Python'",
    'False False',
    "True b'!'",
    "C read blocked, the thread ran: b'from a thread'",
    "9 b'made in C'",
    '502 line 0 line 499 end True',
    'EBADF from C: True',
    "captured: b'print, fd 1 redirected by C dup2\\nC says: hello\\nos.write(1)\\n'",
    "captured: b'C write(1)\\nC says: again\\n'",
    '',
].join('\n');

describe('F4: a native module on the fd table shared with Python', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-posix-module-'));
    let board: Rp2040Board | undefined;
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('pipeio: C and Python read and write the same pipes; a C task writes into a Python pipe', async () => {
        const packed = await packModule({ inputs: [join(examplesDir, 'pipeio')], firmware: buildDir, output: join(work, 'pipeio.so'), name: 'pipeio' });
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
        await board.exec("import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass");
        await board.writeFile('/lib/pipeio.so', readFileSync(packed.output));
        const r = await board.exec(SCRIPT, { timeoutMs: 20_000 });
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.replace(/\r\n/g, '\n'), EXPECT);
    });
});
