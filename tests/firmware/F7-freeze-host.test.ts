/**
 * `mprt freeze` on the host (F7, docs/freeze.md "On the host"): an image built from a module with classes,
 * closures, generators, big ints, floats, bytes, tuples and nested functions, and from a package, for the
 * test firmware; installed on a board both ways — the UF2 written into the emulated flash (as a BOOTSEL
 * drop does) and the image file with freeze.load(path), twice (each half's image) — the modules then come
 * from flash and print what their source prints. Refused: a syntax error (FILE:LINE), a module importing a
 * missing one (FILE:LINE), an image file for another firmware (freeze.load raises with the path).
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico; its directory must be a build directory (size.json).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FLASH_BASE, FLASH_SIZE } from '../../cli/chip/rp2040.js';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { crc32 } from '../../cli/formats/module.js';
import { decodeUf2, uf2ToImage } from '../../cli/formats/uf2.js';
import { FZ_MAGIC, freezeOnHost } from '../../cli/freeze/host.js';
import { testFirmware } from './emulator-fixture.js';
import { CHECK, FZMOD } from './freeze-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();
const fwDir = firmware ? dirname(firmware) : '';
const skip = !firmware ? 'no firmware to run' : !existsSync(join(fwDir, 'size.json')) ? `${fwDir} is not a build directory` : false;

const PKG_INIT = "from .helpers import twice\nNAME = 'fzpkg'\n";
const PKG_HELPERS = 'def twice(x):\n    return [x, x]\n';
const PKG_CHECK = 'import fzpkg, fzpkg.helpers, freeze\nprint(fzpkg.NAME, fzpkg.twice(3.5), freeze.isfrozen(fzpkg.helpers), fzpkg.__file__)';
const FROZEN = 'import freeze, fzmod\nprint(freeze.isfrozen(fzmod), freeze.isfrozen(fzmod.Square), freeze.isfrozen(fzmod.make_adder), fzmod.__file__)';

const writeBytes = (path: string, data: Uint8Array) =>
    `with open(${JSON.stringify(path)}, 'wb') as f:\n    f.write(bytes.fromhex(${JSON.stringify(Buffer.from(data).toString('hex'))}))`;

/** A file of any size, 8 KB per run (an image file with snapshots is larger than the heap's largest block). */
async function putBytes(b: Rp2040Board, path: string, data: Uint8Array): Promise<void> {
    await run(b, writeBytes(path, new Uint8Array(0)));
    for (let at = 0; at < data.length; at += 8192) {
        const hex = Buffer.from(data.subarray(at, at + 8192)).toString('hex');
        await run(b, `with open(${JSON.stringify(path)}, 'ab') as f:\n    f.write(bytes.fromhex(${JSON.stringify(hex)}))`);
    }
}

describe('F7: mprt freeze on the host', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-freeze-host-'));
    const boards: Rp2040Board[] = [];
    const board = async (name: string, flash?: Buffer) => {
        const flashImage = join(work, `${name}.img`);
        if (flash) writeFileSync(flashImage, flash);
        const b = await openBoard({ firmware: firmware!, flashImage });
        boards.push(b);
        await b.boot();
        return b;
    };
    after(async () => {
        for (const b of boards) await b.close();
        rmSync(work, { recursive: true, force: true });
    });
    const src = join(work, 'src');
    mkdirSync(join(src, 'fzpkg'), { recursive: true });
    writeFileSync(join(src, 'fzmod.py'), FZMOD);
    writeFileSync(join(src, 'fzpkg', '__init__.py'), PKG_INIT);
    writeFileSync(join(src, 'fzpkg', 'helpers.py'), PKG_HELPERS);

    let expected = '';
    let expectedPkg = '';
    test('an image built on the host, installed as a UF2 in the freeze region, runs from flash', { timeout: 120_000 }, async () => {
        // what the sources print, on a board with the files
        const plain = await board('plain');
        await run(plain, 'import os\nos.mkdir(\'fzpkg\')');
        await run(plain, writeBytes('fzmod.py', Buffer.from(FZMOD)));
        await run(plain, writeBytes('fzpkg/__init__.py', Buffer.from(PKG_INIT)));
        await run(plain, writeBytes('fzpkg/helpers.py', Buffer.from(PKG_HELPERS)));
        expected = await run(plain, CHECK);
        expectedPkg = (await run(plain, PKG_CHECK)).replace('False fzpkg/__init__.py', 'True @flash/fzpkg/__init__.py');

        const r = await freezeOnHost({ inputs: [join(src, 'fzmod.py'), join(src, 'fzpkg')], firmware: fwDir, output: join(work, 'app.uf2') });
        assert.deepEqual(r.modules.map((m) => m.path), ['fzmod.py', 'fzpkg/__init__.py', 'fzpkg/helpers.py']);
        assert.ok(r.modules.every((m) => m.flashBytes > 0), JSON.stringify(r.modules));
        assert.equal(r.image, join(work, 'app.fz'));
        // the UF2 covers exactly the freeze region, with an image at the start of one half
        const flat = uf2ToImage(decodeUf2(readFileSync(r.uf2)));
        assert.equal(flat.baseAddress, r.region.address);
        assert.equal(flat.data.length, r.region.size);
        const flash = Buffer.alloc(FLASH_SIZE, 0xff);
        flash.set(flat.data, flat.baseAddress - FLASH_BASE);
        const b = await board('uf2', flash);
        assert.equal(await run(b, CHECK), expected);
        assert.equal(await run(b, FROZEN), 'True True True @flash/fzmod.py\n');
        assert.equal(await run(b, PKG_CHECK), expectedPkg);
    });

    test('the image file installs with freeze.load(path) on a running board, into either half', { timeout: 120_000 }, async () => {
        const b = await board('load');
        await putBytes(b, 'app.fz', readFileSync(join(work, 'app.fz')));
        for (let round = 0; round < 2; round++) {
            assert.match(await run(b, "import freeze\nfreeze.load('app.fz')"), /^loaded \d+ flash bytes \(3 modules, \d+-byte image\)/);
            await b.powerCycle();
            assert.equal(await run(b, CHECK), expected);
            assert.equal(await run(b, FROZEN), 'True True True @flash/fzmod.py\n');
            assert.equal(await run(b, PKG_CHECK), expectedPkg);
        }
    });

    test('bad input is refused with the file and line', { timeout: 120_000 }, async () => {
        writeFileSync(join(work, 'bad_syntax.py'), 'X = 1\ndef f(:\n    pass\n');
        await assert.rejects(freezeOnHost({ inputs: [join(work, 'bad_syntax.py')], firmware: fwDir, output: join(work, 'x.uf2') }),
            /bad_syntax\.py:2: SyntaxError: invalid syntax/);
        writeFileSync(join(work, 'bad_import.py'), 'X = 1\nimport fz_no_such_module\n');
        await assert.rejects(freezeOnHost({ inputs: [join(work, 'bad_import.py')], firmware: fwDir, output: join(work, 'x.uf2') }),
            /bad_import\.py:2: ImportError: no module named 'fz_no_such_module'/);
        // an image file for another firmware: another ABI identity in each image's header (CRC made right again)
        const fz = Buffer.from(readFileSync(join(work, 'app.fz')));
        for (let at = 0; at < fz.length; at += fz.readUInt32LE(at + 16)) {
            assert.equal(fz.readUInt32LE(at), FZ_MAGIC);
            fz[at + 20] ^= 0xff;
            fz.writeUInt32LE(crc32(fz.subarray(at + 8, at + fz.readUInt32LE(at + 16))), at + 4);
        }
        const b = await board('foreign');
        await putBytes(b, 'other.fz', fz);
        const r = await b.exec("import freeze\nfreeze.load('other.fz')", { timeoutMs: 20_000 });
        assert.match(r.stderr, /ValueError: freeze: other\.fz was made for another firmware: freeze again/);
        assert.equal(await run(b, 'import freeze\nfreeze.get_modules()'), 'no frozen modules\n');
    });
});
