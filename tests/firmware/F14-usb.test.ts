/**
 * USB at run time (F14, docs/usb.md), driven from the host. The emulated USB host (cli/emulator/usb-host.ts)
 * learns the device only from its descriptors: the default configuration enumerates as one CDC ACM
 * function (the console) with the strings the firmware reports; `mprt emulate --usb-info` prints that
 * tree as `lsusb -v` does; the board's `usb` module sees the bus configured; a `usb.UsbConfig` of five
 * CDC ports saved and applied at the next power-up enumerates as five (strings included), the console
 * being the first, and a soft reset keeps them; a corrupt saved descriptor set is ignored (default
 * configuration, console working, `usb.boot_status()` says why); and the console's emulated throughput
 * board → host is measured.
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
import { CTRL_B, CTRL_D } from '../../cli/repl/raw-repl.js';

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

    test('five CDC ports after save() and a power cycle: the host enumerates five from the descriptors; Ctrl-D keeps them', async () => {
        const save = [
            'import usb',
            'c = usb.UsbConfig()',
            'c.device(vid=0x1209, pid=0x0001, product="mprt five")',
            'print(c.configuration(str="five ports", power_ma=100))',
            'for i in range(5): c.cdc(str="port %d" % i)',
            'c.save()',
            'print(repr(c))',
        ].join('\n');
        const saved = await run(board, save);
        // saved, not yet presented: still the default until the next power-up
        assert.equal(board.usb!.cdcCount(), 1);
        await board.powerCycle();
        const host = board.usb!;
        assert.equal(host.cdcCount(), 5);
        for (let i = 0; i < 5; i++) assert.ok(host.port(i).present, `port ${i}`);
        const dev = host.device!;
        assert.equal(dev.vendorId, 0x1209);
        assert.equal(dev.productId, 0x0001);
        assert.equal(dev.configuration.interfaces.length, 10);
        await board.runUntil(() => host.stringsDone, 1000);
        assert.equal(dev.strings.get(dev.iProduct), 'mprt five');
        assert.equal(dev.strings.get(dev.configuration.iConfiguration), 'five ports');
        assert.deepEqual(
            dev.configuration.interfaces.filter((f) => f.cls === 2).map((f) => dev.strings.get(f.iInterface)),
            ['port 0', 'port 1', 'port 2', 'port 3', 'port 4'],
        );
        // the console is the first CDC function
        assert.equal(await run(board, 'import usb\nprint(repr(usb.UsbConfig.load()))'), saved.split('\n').slice(1).join('\n'));
        assert.equal(await run(board, 'print(usb.boot_status(), usb.mounted())'), 'None True\n');
        // a soft reset (Ctrl-D) keeps the five enumerated, without a new enumeration
        const configured = host.configureCount;
        board.write(CTRL_B);
        await board.readUntil('>>> ', { timeoutMs: 2000 });
        board.drain();
        board.write(CTRL_D);
        await board.readUntil(/MPY: soft reboot[\s\S]*>>> /, { timeoutMs: 3000 });
        board.drain();
        assert.equal(host.cdcCount(), 5);
        assert.equal(host.configureCount, configured);
        assert.equal(await run(board, 'print(6*7)'), '42\n');
        // each extra port is /dev/ttyUSBn on the board: a Python thread selects over them and echoes
        const echo = [
            'import os, select, _thread',
            'print(sorted(n for n in os.listdir("/dev") if n.startswith("ttyUSB")))',
            'fds = [os.open("/dev/ttyUSB%d" % i, os.O_RDWR) for i in range(1, 5)]',
            'done = []',
            'def echo():',
            '    n = 0',
            '    while n < 4:',
            '        r, w, x = select.select(fds, [], [], 5)',
            '        if not r: break',
            '        for fd in r:',
            '            data = os.read(fd, 64)',
            '            os.write(fd, b"%d:" % (fds.index(fd) + 1) + data.upper())',
            '            if data.endswith(b"\\n"): n += 1',
            '    done.append(n)',
            '_thread.start_new_thread(echo, ())',
        ].join('\n');
        assert.equal(await run(board, echo), "['ttyUSB0', 'ttyUSB1', 'ttyUSB2', 'ttyUSB3', 'ttyUSB4']\n");
        for (let i = 4; i >= 1; i--) host.port(i).send(`hello ${i}\n`);
        const got = ['', '', '', '', ''];
        const dec = new TextDecoder();
        await board.runUntil(() => {
            for (let i = 1; i < 5; i++) got[i] += dec.decode(host.port(i).take());
            return got.slice(1).every((g) => g.endsWith('\n'));
        }, 2000);
        assert.deepEqual(got.slice(1), ['1:HELLO 1\n', '2:HELLO 2\n', '3:HELLO 3\n', '4:HELLO 4\n']);
        assert.equal(await run(board, 'print(done)'), '[4]\n');
        assert.equal(await run(board, 'import usb\nprint(usb.UsbConfig.delete(), usb.UsbConfig.exists())'), 'True False\n');
        await board.powerCycle();
        assert.equal(board.usb!.cdcCount(), 1);
    });

    test('a corrupt saved descriptor set is ignored at power-up: the default configuration, the console works, Python sees why', async () => {
        const cases: [string, string][] = [
            ['"zz"', 'the saved descriptors are not hex'],
            ['"12"', 'too short'],
            // a valid set cut before its string table
            ['binascii.hexlify(d[:d.index(b"\\x09\\x02") + 9 + 66 * 5])', 'no string table'],
            // the first interface made an MSC one
            ['binascii.hexlify(d.replace(b"\\x09\\x04\\x00\\x00\\x01\\x02\\x02", b"\\x09\\x04\\x00\\x00\\x01\\x08\\x06", 1))', 'the first interface is not CDC ACM (the console)'],
        ];
        for (const [value, reason] of cases) {
            const setup = [
                'import usb, os, binascii',
                'c = usb.UsbConfig()',
                'c.device()',
                'c.configuration()',
                'for i in range(5): c.cdc()',
                'c.save()',
                'd = binascii.unhexlify(os.getenv("MPRT_USB_DESC"))',
                `os.putenv("MPRT_USB_DESC", ${value})`,
            ].join('\n');
            await run(board, setup);
            await board.powerCycle();
            assert.equal(board.usb!.cdcCount(), 1, reason);
            assert.equal(await run(board, 'import usb\nprint(usb.boot_status())'), `${reason}\n`);
        }
        await run(board, 'usb.UsbConfig.delete()');
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

    test('five ports throughput board → host (emulated)', async (t) => {
        await run(board, 'import usb\nc = usb.UsbConfig()\nc.device()\nc.configuration()\nfor i in range(5): c.cdc()\nc.save()');
        await board.powerCycle();
        const host = board.usb!;
        assert.equal(host.cdcCount(), 5);
        const chunk = 1024;
        const count = 16;
        const code = [
            'import os, sys',
            'fds = [os.open("/dev/ttyUSB%d" % i, os.O_RDWR) for i in range(1, 5)]',
            `b = b"y" * ${chunk}`,
            `for i in range(${count}):`,
            '    sys.stdout.buffer.write(b)',
            '    for fd in fds:',
            '        m = memoryview(b)',
            '        while m: m = m[os.write(fd, m):]',
        ].join('\n');
        const t0 = board.nowMs();
        const r = await board.exec(code, { timeoutMs: 30_000 });
        assert.equal(r.timedOut, false);
        assert.equal(r.stderr, '');
        let extra = 0;
        await board.runUntil(() => {
            for (let i = 1; i < 5; i++) extra += host.port(i).take().length;
            return extra >= 4 * chunk * count;
        }, 1000);
        assert.equal(r.stdout.length, chunk * count);
        assert.equal(extra, 4 * chunk * count);
        const total = 5 * chunk * count;
        const ms = board.nowMs() - t0; // until the last byte reached the host (the raw REPL's exchange included)
        t.diagnostic(`five CDC ports, board → host: ${total} bytes in ${ms.toFixed(1)} emulated ms = ${(total / 1024 / (ms / 1000)).toFixed(0)} KB/s in all`);
        await run(board, 'import usb\nusb.UsbConfig.delete()');
        await board.powerCycle();
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
