/**
 * USB at run time (F14, docs/usb.md), driven from the host. The emulated USB host (cli/emulator/usb-host.ts)
 * learns the device only from its descriptors: the default configuration enumerates as one CDC ACM
 * function (the console) with the strings the firmware reports; `mprt emulate --usb-info` prints that
 * tree as `lsusb -v` does; the board's `usb` module sees the bus configured; a saved `usb.UsbConfig`
 * survives a power cycle (the key-value store in flash) and the console still works after it; and the
 * console's emulated throughput board → host is measured.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { cdcFunctions } from '../../cli/emulator/usb-host.js';
import { mprtBin, testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

describe('F14: USB at run time', { skip: firmware ? false : 'no firmware to run' }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-usb-'));
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('the host enumerates the default configuration from the descriptors: one CDC ACM function, the console', async () => {
        const host = board.usb!;
        assert.ok(host.configured);
        const dev = host.device!;
        assert.equal(dev.raw.length, 18);
        assert.equal(dev.raw[1], 1); // a device descriptor
        const fns = cdcFunctions(dev.configuration);
        assert.equal(fns.length, 1);
        assert.equal(host.cdcCount(), 1);
        assert.ok(host.port(0).present);
        assert.equal(host.port(1).present, false);
        await board.runUntil(() => host.stringsDone, 1000);
        assert.ok((dev.strings.get(dev.iProduct) ?? '').length > 0, 'the product string was read');
        // the board's own view: attached, configured, full speed
        assert.equal(await run(board, 'import usb\nprint(usb.connected(), usb.mounted(), usb.suspended(), usb.speed())'), 'True True False full\n');
    });

    test('a saved UsbConfig survives a power cycle; the console works after it', async () => {
        const save = [
            'import usb',
            'c = usb.UsbConfig()',
            'c.device(vid=0x1209, pid=0x0001, product="mprt five")',
            'c.configuration()',
            'for i in range(5): c.cdc(str="port %d" % i)',
            'c.save()',
            'print(repr(c))',
        ].join('\n');
        const saved = await run(board, save);
        await board.powerCycle();
        const loaded = await run(board, 'import usb\nprint(repr(usb.UsbConfig.load()))');
        assert.equal(loaded, saved);
        assert.ok(board.usb!.port(0).present);
        assert.equal(await run(board, 'print(usb.UsbConfig.delete(), usb.UsbConfig.exists())'), 'True False\n');
    });

    test('console throughput board → host (emulated)', async (t) => {
        const n = 64 * 1024;
        const r = await board.exec(`import sys\nb = b"x" * 1024\nfor i in range(${n / 1024}): sys.stdout.buffer.write(b)`, { timeoutMs: 30_000 });
        assert.equal(r.timedOut, false);
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.length, n);
        const kbps = n / 1024 / (r.emulatedMs / 1000);
        t.diagnostic(`one CDC port, board → host: ${n} bytes in ${r.emulatedMs.toFixed(1)} emulated ms = ${kbps.toFixed(0)} KB/s`);
    });

    test('mprt emulate --usb-info prints the enumerated tree like lsusb -v, then runs the code', () => {
        const r = spawnSync(process.execPath, [mprtBin, 'emulate', firmware!, '--usb-info', '--exec', 'print(6*7)'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Bus 001 Device 001: ID [0-9a-f]{4}:[0-9a-f]{4} /);
        assert.match(r.stdout, /bNumConfigurations +1/);
        assert.match(r.stdout, /bInterfaceClass +2 Communications/);
        assert.match(r.stdout, /bInterfaceClass +10 CDC Data/);
        assert.match(r.stdout, /bEndpointAddress +0x8\d {2}EP \d IN/);
        assert.match(r.stdout, /\n42\n$/);
    });
});
