/**
 * USB mass storage at run time (F14, docs/usb.md): a saved configuration with a CDC console and an MSC
 * function; the board formats a RAM disk FAT (usb.RamDisk, vfs.VfsFat), writes files, and gives it to the
 * host with usb.MscDevice().insert(). The emulated host drives the function as a SCSI host (INQUIRY,
 * TEST UNIT READY, READ CAPACITY, READ(10), WRITE(10), REQUEST SENSE, START STOP UNIT) and builds the disk
 * image only from READ(10) replies; our FAT reader (fat-image.ts) checks the boot sector and reads the
 * board's files; a file the host adds is written back with WRITE(10) and the board reads it after
 * eject() and a new mount. While the host may write, the board's writes and a new mount are refused.
 * With Debian mtools installed (`mprt setup` installs it) mdir/mtype/mcopy read and write the same image.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import type { MscHost } from '../../cli/emulator/usb-msc.js';
import { testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';
import { addFile, fatVolume, readFile, rootEntries } from './fat-image.js';

const firmware = testFirmware();
// mtools is there when mdir can be started at all (-V prints its version)
const mtools = spawnSync('mdir', ['-V'], { encoding: 'utf8' }).error === undefined;
const BLOCKS = 128;
const HELLO = 'hello from the board\n';

describe('F14: USB mass storage (usb.MscDevice and the SCSI host)', { skip: firmware ? false : 'no firmware to run' }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-usb-msc-'));
    let board: Rp2040Board;
    let image: Uint8Array;

    /** Runs the emulator until the host's promise settles. */
    async function host<T>(p: Promise<T>, timeoutMs = 5000): Promise<T> {
        let out: { v?: T; e?: unknown; done: boolean } = { done: false };
        p.then(
            (v) => (out = { v, done: true }),
            (e: unknown) => (out = { e, done: true }),
        );
        await board.runUntil(() => out.done, timeoutMs);
        if (!out.done) throw new Error('the SCSI command did not complete');
        if (out.e) throw out.e;
        return out.v as T;
    }
    const msc = (): MscHost => {
        assert.ok(board.usb!.msc, 'the host found the MSC function');
        return board.usb!.msc;
    };

    before(async () => {
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
        const save = [
            'import usb',
            'c = usb.UsbConfig()',
            'c.device(product="mprt disk")',
            'c.configuration()',
            'c.cdc(str="console")',
            'c.msc(str="ram disk", vendor="MPRT", product="RAM disk", revision="0.1")',
            'c.save()',
        ].join('\n');
        await run(board, save);
        await board.powerCycle();
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('the host enumerates CDC + MSC from the descriptors; no medium until insert()', async () => {
        assert.equal(await run(board, 'import usb\nprint(usb.boot_status())'), 'None\n');
        assert.equal(board.usb!.cdcCount(), 1);
        const fn = msc().fn;
        assert.equal(fn.maxPacketSize, 64);
        assert.equal((await host(msc().testUnitReady())).status, 1, 'no medium yet');
        assert.deepEqual(await host(msc().requestSense()), { key: 2, asc: 0x3a, ascq: 0 }); // NOT READY, MEDIUM NOT PRESENT
        assert.equal(await run(board, 'm = usb.MscDevice()\nprint(m.ready())'), 'False\n');
    });

    test('a FAT RAM disk the board wrote is read from READ(10) replies: boot sector, root directory, files', async () => {
        const code = [
            'import usb, vfs, os',
            `d = usb.RamDisk(${BLOCKS})`,
            'vfs.VfsFat.mkfs(d)',
            'vfs.mount(vfs.VfsFat(d), "/ram")',
            `with open("/ram/hello.txt", "w") as f: f.write(${JSON.stringify(HELLO)})`,
            'with open("/ram/data.bin", "wb") as f: f.write(bytes(range(256)) * 9)',
            'vfs.umount("/ram")',
            'm.insert(d)',
            'print(m.ready())',
        ].join('\n');
        assert.equal(await run(board, code), 'True\n');
        // INQUIRY gives the saved msc() fields
        const inq = await host(msc().inquiry());
        assert.deepEqual([inq.vendor, inq.product, inq.revision, inq.peripheral], ['MPRT', 'RAM disk', '0.1', 0]);
        assert.equal((await host(msc().testUnitReady())).status, 0);
        assert.deepEqual(await host(msc().readCapacity()), { blocks: BLOCKS, blockSize: 512 });
        const t0 = board.nowMs();
        image = await host(msc().readImage(), 20_000);
        const ms = board.nowMs() - t0;
        const v = fatVolume(image);
        assert.equal(v.bytesPerSector, 512);
        assert.equal(v.totalSectors, BLOCKS);
        assert.equal(v.bits, 12);
        assert.ok(v.fats >= 1 && v.rootEntries > 0 && v.sectorsPerFat > 0, JSON.stringify(v));
        assert.deepEqual(
            rootEntries(image)
                .map((e) => [e.name, e.size])
                .sort(),
            [
                ['DATA.BIN', 256 * 9],
                ['HELLO.TXT', HELLO.length],
            ],
        );
        assert.equal(new TextDecoder().decode(readFile(image, 'hello.txt')), HELLO);
        const data = readFile(image, 'data.bin');
        assert.ok(data.every((b, i) => b === i % 256));
        assert.equal(await run(board, 'print(m.stats()[0])'), `${BLOCKS}\n`);
        const kb = (BLOCKS * 512) / 1024;
        console.log(`# MSC READ(10), 8 blocks a command: ${kb} KB in ${ms.toFixed(1)} emulated ms = ${(kb / (ms / 1000)).toFixed(0)} KB/s`);
    });

    test('while the host may write, the board cannot mount the disk or write it', async () => {
        const code = [
            'try:',
            '    vfs.mount(vfs.VfsFat(d), "/ram")',
            '    print("mounted")',
            'except OSError as e:',
            '    print("mount refused")',
            'try:',
            '    d.writeblocks(0, bytearray(512))',
            'except OSError as e:',
            '    print("write refused", e.errno == errno.EROFS)',
        ].join('\n');
        assert.equal(await run(board, `import errno\n${code}`), 'mount refused\nwrite refused True\n');
    });

    test('a file the host writes (WRITE(10) of the changed blocks) appears on the board after eject and a new mount', async () => {
        const edited = image.slice();
        addFile(edited, 'HOST.TXT', new TextEncoder().encode('written by the host\n'));
        const written = await host(msc().writeChanged(image, edited), 20_000);
        assert.ok(written >= 3, `blocks written: ${written}`); // the FAT copies, the root directory, the data
        assert.equal(await run(board, 'print(m.stats()[1])'), `${written}\n`);
        // the host unmounts (START STOP UNIT, eject): the board sees the disk is no longer in use
        assert.equal((await host(msc().startStop(false))).status, 0);
        assert.equal(await run(board, 'print(m.ready())'), 'False\n');
        const code = [
            'm.eject()',
            'vfs.mount(vfs.VfsFat(d), "/ram")',
            'print(sorted(os.listdir("/ram")))',
            'print(open("/ram/host.txt").read(), end="")',
            'print(open("/ram/hello.txt").read(), end="")',
            'with open("/ram/board2.txt", "w") as f: f.write("board again\\n")',
            'vfs.umount("/ram")',
        ].join('\n');
        assert.equal(await run(board, code), `['HOST.TXT', 'data.bin', 'hello.txt']\nwritten by the host\n${HELLO}`);
        // ejected by the board: no medium for the host
        assert.equal((await host(msc().testUnitReady())).status, 1);
        assert.deepEqual(await host(msc().requestSense()), { key: 2, asc: 0x3a, ascq: 0 });
        // inserted again: the host sees the board's new file
        assert.equal(await run(board, 'm.insert(d)\nprint(m.ready())'), 'True\n');
        image = await host(msc().readImage(), 20_000);
        assert.equal(new TextDecoder().decode(readFile(image, 'board2.txt')), 'board again\n');
    });

    test('mtools (mdir, mtype, mcopy) reads the image and writes a file the board reads', { skip: mtools ? false : 'Debian mtools is not installed (`mprt setup` installs it)' }, async () => {
        const img = join(work, 'disk.img');
        writeFileSync(img, image);
        const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
        const dir = spawnSync('mdir', ['-b', '-i', img, '::'], { encoding: 'utf8', env });
        assert.equal(dir.status, 0, dir.stderr);
        // bare listing: one path a line (::/name); the names keep the case FatFs or we gave them
        const names = dir.stdout
            .split('\n')
            .map((l) => l.trim().replace(/^::\//, '').toUpperCase())
            .filter(Boolean);
        for (const name of ['BOARD2.TXT', 'DATA.BIN', 'HELLO.TXT', 'HOST.TXT']) assert.ok(names.includes(name), `${name} in ${JSON.stringify(dir.stdout)}`);
        const typed = spawnSync('mtype', ['-i', img, '::/hello.txt'], { encoding: 'utf8', env });
        assert.equal(typed.status, 0, typed.stderr);
        assert.equal(typed.stdout, HELLO);
        const data = spawnSync('mtype', ['-i', img, '::/data.bin'], { env });
        assert.ok(data.stdout.equals(Buffer.from(readFile(image, 'data.bin'))), 'mtype reads data.bin as our reader does');
        const src = join(work, 'mtools.txt');
        writeFileSync(src, 'copied by mcopy\n');
        const cp = spawnSync('mcopy', ['-i', img, src, '::/mtools.txt'], { encoding: 'utf8', env });
        assert.equal(cp.status, 0, cp.stderr);
        const edited = new Uint8Array(readFileSync(img));
        await host(msc().writeChanged(image, edited), 20_000);
        const code = ['m.eject()', 'vfs.mount(vfs.VfsFat(d), "/ram")', 'print(open("/ram/mtools.txt").read(), end="")', 'vfs.umount("/ram")'].join('\n');
        assert.equal(await run(board, code), 'copied by mcopy\n');
    });

    test('a disk given READ_ONLY: the board may mount it; flags are checked', async () => {
        const code = [
            'm.insert(d, usb.MscDevice.READ_ONLY)',
            'vfs.mount(vfs.VfsFat(d), "/ram", readonly=True)',
            'print(len(os.listdir("/ram")) > 0, m.ready())',
            'vfs.umount("/ram")',
            'm.eject()',
            'for bad in ((d, 2), (d, "x"), (bytes(1024), 0), (bytearray(100), 0), (42, 0)):',
            '    try:',
            '        m.insert(*bad)',
            '        print("no error")',
            '    except ValueError as e:',
            '        print("ValueError:", e)',
            'for bad in ((0,), (-1,), (4, 1024)):',
            '    try:',
            '        usb.RamDisk(*bad)',
            '    except ValueError as e:',
            '        print("ValueError:", e)',
            'usb.UsbConfig.delete()',
        ].join('\n');
        assert.equal(
            await run(board, code),
            [
                'True True',
                'ValueError: flags must be 0 or MscDevice.READ_ONLY',
                'ValueError: flags must be 0 or MscDevice.READ_ONLY',
                'ValueError: the device must be a usb.RamDisk or a writable buffer',
                'ValueError: the device must hold at least one 512-byte block',
                'ValueError: the device must be a usb.RamDisk or a writable buffer',
                'ValueError: blocks must be a positive int',
                'ValueError: blocks must be a positive int',
                'ValueError: block_size must be 512 (the MSC block)',
                '',
            ].join('\n'),
        );
    });
});
