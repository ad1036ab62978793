/**
 * ROOT in the boot environment (F4, docs/environment.md): "device fstype [flags]" chooses what _boot.py
 * mounts at "/" at the next (soft) reset. Read-only littlefs on the flash partition (`/dev/mtdblock0
 * littlefs ro`): files there read, writes fail with EROFS; a bad value (unknown device, unknown
 * fstype, garbage) falls back to the default (littlefs on mtdblock0, writable) with a message and
 * without formatting anything (a marker file survives); unset, the default again.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { CTRL_B, CTRL_D } from '../../cli/repl/raw-repl.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

const probe = [
    'import os, vfs',
    'print(open("/root-marker").read(), [type(fs).__name__ for fs, p in vfs.mount() if p == "/"], end=" ")',
    'try:',
    '    with open("/root-w", "w") as f:',
    '        f.write("x")',
    '    os.remove("/root-w")',
    '    print("rw")',
    'except OSError as e:',
    '    print("errno", e.errno)',
].join('\n');

describe('F4: ROOT chooses the root filesystem', { skip: firmware ? false : 'no firmware to run' }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
        await run(board, 'with open("/root-marker", "w") as f:\n    f.write("kept")');
    });
    after(async () => {
        await board?.close();
    });

    async function resetWith(root: string | undefined): Promise<string> {
        await run(board, root === undefined ? "import os\nos.unsetenv('ROOT')" : `import os\nos.putenv('ROOT', ${JSON.stringify(root)})`);
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        board.drain();
        board.write(CTRL_D);
        return board.readUntil(/MicroPython v[\s\S]*>>> /, { timeoutMs: 5000 });
    }

    test('default: littlefs on the flash partition, writable', async () => {
        assert.equal(await run(board, probe), "kept ['VfsLfs2'] rw\n");
    });

    test('ROOT=/dev/mtdblock0 littlefs ro: the same files, read-only', async () => {
        const banner = await resetWith('/dev/mtdblock0 littlefs ro');
        assert.ok(!banner.includes('ROOT='), banner);
        assert.equal(await run(board, probe), "kept ['VfsLfs2'] errno 30\n");
    });

    for (const bad of ['/dev/nothing littlefs', '/dev/mtdblock0 ntfs', 'garbage', '/dev/mtdblock0 littlefs sideways']) {
        test(`ROOT=${bad}: the default, with a message, nothing formatted`, async () => {
            const banner = await resetWith(bad);
            assert.ok(banner.includes(`ROOT=${bad}: `) && banner.includes('/ is the flash filesystem'), banner);
            assert.equal(await run(board, probe), "kept ['VfsLfs2'] rw\n");
        });
    }

    test('ROOT unset: the default again', async () => {
        await resetWith(undefined);
        assert.equal(await run(board, probe), "kept ['VfsLfs2'] rw\n");
    });
});
