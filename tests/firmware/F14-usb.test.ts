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
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { cdcFunctions } from '../../cli/emulator/usb-host.js';
import { friendlyPrompt, mprtBin, testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';
import { CTRL_B, CTRL_D } from '../../cli/repl/raw-repl.js';

const firmware = testFirmware();

describe('F14: USB at run time', { skip: firmware ? false : 'no firmware to run' }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-usb-'));
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') }, (b) => (board = b), () => rmSync(work, { recursive: true, force: true }));

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

    test('the console moves to CDC port 3 and back (os.dup2, TTY at reset); Ctrl-D with all five ports open keeps them enumerated', async () => {
        await run(board, 'import usb\nc = usb.UsbConfig()\nc.device()\nc.configuration()\nfor i in range(5): c.cdc()\nc.save()');
        await board.powerCycle();
        const host = board.usb!;
        assert.equal(host.cdcCount(), 5);
        const p3 = host.port(3);
        let got = '';
        p3.onData = (d) => (got += Buffer.from(d).toString('latin1'));
        const p3Until = async (text: string, ms = 3000): Promise<string> => {
            const ok = await board.runUntil(() => got.includes(text), ms);
            assert.ok(ok, `no ${JSON.stringify(text)} on port 3; got ${JSON.stringify(got)}; console: ${JSON.stringify(board.drain())}`);
            const out = got;
            got = '';
            return out;
        };
        // at run time: fds 0 and 1 onto /dev/ttyUSB3, a command typed on port 3, moved back from there
        await friendlyPrompt(board);
        board.write("import os\r\nu = os.open('/dev/ttyUSB3', os.O_RDWR); os.dup2(u, 0); os.dup2(u, 1)\r\n");
        await p3Until('>>> ');
        board.drain();
        p3.send('print(6 * 7, os.isatty(0))\r\n');
        assert.match(await p3Until('>>> '), /42 True\r\n>>> $/);
        assert.equal(board.drain(), '', 'nothing on the console port while the REPL is on port 3');
        p3.send("c = os.open('/dev/ttyUSB0', os.O_RDWR); os.dup2(c, 0); os.dup2(c, 1); os.close(c); os.close(u)\r\n");
        await board.readUntil('>>> ', { timeoutMs: 3000 });
        assert.equal(await run(board, 'print("back", 1 + 1)'), 'back 2\n');
        // at reset: TTY=/dev/ttyUSB3 (the port answers the termios ioctls); Ctrl-C on port 0 brings it back
        await run(board, "import os\nos.putenv('TTY', '/dev/ttyUSB3')");
        await friendlyPrompt(board);
        got = '';
        board.write(CTRL_D);
        await board.readUntil('console on /dev/ttyUSB3 (TTY)', { timeoutMs: 5000 });
        assert.match(await p3Until('>>> ', 5000), /MicroPython v/);
        p3.send('import os; print(sum(range(10)), os.getenv("TTY"))\r\n');
        assert.match(await p3Until('>>> '), /45 \/dev\/ttyUSB3\r\n>>> $/);
        board.drain();
        board.write(Uint8Array.of(3));
        await board.readUntil('>>> ', { timeoutMs: 3000 });
        assert.equal(await run(board, 'import os\nos.unsetenv("TTY")\nprint("usb", os.getenv("TTY"))'), 'usb None\n');
        p3.onData = undefined;
        // all five ports open (the console and /dev/ttyUSB1..4), then a soft reset: still five, not re-enumerated
        const configured = host.configureCount;
        await run(board, 'import os\nfds = [os.open("/dev/ttyUSB%d" % i, os.O_RDWR) for i in range(5)]\nfor fd in fds[1:]: os.write(fd, b"open\\n")');
        await friendlyPrompt(board);
        board.write(CTRL_D);
        await board.readUntil(/MPY: soft reboot[\s\S]*>>> /, { timeoutMs: 3000 });
        board.drain();
        assert.equal(host.cdcCount(), 5);
        assert.equal(host.configureCount, configured);
        for (let i = 0; i < 5; i++) assert.ok(host.port(i).present, `port ${i}`);
        // and they carry data after it
        for (let i = 1; i < 5; i++) host.port(i).take();
        await run(board, 'import os\nfor i in range(1, 5):\n    fd = os.open("/dev/ttyUSB%d" % i, os.O_RDWR)\n    os.write(fd, b"after %d" % i)\n    os.close(fd)');
        const after = ['', '', '', '', ''];
        await board.runUntil(() => {
            for (let i = 1; i < 5; i++) after[i] += Buffer.from(host.port(i).take()).toString('latin1');
            return after.slice(1).every((a, k) => a.endsWith(`after ${k + 1}`));
        }, 2000);
        assert.deepEqual(after.slice(1), ['after 1', 'after 2', 'after 3', 'after 4']);
        await run(board, 'import usb\nusb.UsbConfig.delete()');
        await board.powerCycle();
        assert.equal(board.usb!.cdcCount(), 1);
    });

    test('reconfiguring without a reset: disconnect(), save(), connect() — the host re-enumerates the new configuration', async () => {
        const host = board.usb!;
        assert.equal(host.cdcCount(), 1);
        const configured = host.configureCount;
        const reconfigure = async (code: string, cdc: number): Promise<void> => {
            // typed at the friendly REPL: the raw REPL's replies would be written while the device is detached
            await friendlyPrompt(board);
            board.write(`import usb, time\r\n${code}; usb.disconnect(); time.sleep_ms(50); usb.connect()\r\n`);
            assert.ok(await board.runUntil(() => !host.configured, 3000), 'the host saw the unplug');
            assert.ok(await board.runUntil(() => host.configured && host.cdcCount() === cdc, 5000), `re-enumerated with ${cdc} CDC functions`);
            await board.runUntil(() => false, 100);
            board.drain();
        };
        await reconfigure('c = usb.UsbConfig(); c.device(product="three"); c.configuration(); [c.cdc() for i in range(3)]; c.save()', 3);
        assert.equal(host.configureCount, configured + 1);
        await board.runUntil(() => host.stringsDone, 1000);
        assert.equal(host.device!.strings.get(host.device!.iProduct), 'three');
        const devs = 'import os, usb\nprint(sorted(n for n in os.listdir("/dev") if n.startswith("ttyUSB")), usb.mounted(), usb.boot_status())';
        assert.equal(await run(board, devs), "['ttyUSB0', 'ttyUSB1', 'ttyUSB2'] True None\n");
        // the new ports carry data
        await run(board, 'fd = os.open("/dev/ttyUSB2", os.O_RDWR)\nos.write(fd, b"on 2")\nos.close(fd)');
        let got = '';
        await board.runUntil(() => (got += Buffer.from(host.port(2).take()).toString('latin1')).endsWith('on 2'), 2000);
        assert.equal(got, 'on 2');
        // and back to the default the same way
        await reconfigure('usb.UsbConfig.delete()', 1);
        assert.equal(await run(board, devs), "['ttyUSB0'] True no saved configuration\n");
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
        // host → board: one extra port alone, then the four extra ports at once; a board thread reads until
        // every port got its bytes, then answers "!" on /dev/ttyUSB1
        const hostToBoard = async (ports: number[], bytes: number): Promise<number> => {
            const reader = [
                'import os, select, _thread',
                `fds = [os.open("/dev/ttyUSB%d" % i, os.O_RDWR) for i in ${JSON.stringify(ports)}]`,
                'def reader():',
                '    left = {fd: ' + bytes + ' for fd in fds}',
                '    while any(left.values()):',
                '        r, _, _ = select.select([fd for fd in fds if left[fd]], [], [], 5)',
                '        if not r: break',
                '        for fd in r: left[fd] -= len(os.read(fd, 256))',
                '    os.write(fds[0], b"!")',
                '    for fd in fds: os.close(fd)',
                '_thread.start_new_thread(reader, ())',
            ].join('\n');
            await run(board, reader);
            host.port(ports[0]).take();
            const t1 = board.nowMs();
            for (const p of ports) host.port(p).send(new Uint8Array(bytes).fill(0x41));
            let answer = '';
            const ok = await board.runUntil(() => (answer += Buffer.from(host.port(ports[0]).take()).toString('latin1')).includes('!'), 10_000);
            assert.ok(ok, 'the board read every byte');
            return board.nowMs() - t1;
        };
        const one = await hostToBoard([1], 32 * 1024);
        t.diagnostic(`one CDC port, host → board: 32768 bytes in ${one.toFixed(1)} emulated ms = ${(32 / (one / 1000)).toFixed(0)} KB/s`);
        const four = await hostToBoard([1, 2, 3, 4], 16 * 1024);
        t.diagnostic(`four CDC ports at once, host → board: 65536 bytes in ${four.toFixed(1)} emulated ms = ${(64 / (four / 1000)).toFixed(0)} KB/s in all`);
        await run(board, 'import usb\nusb.UsbConfig.delete()');
        await board.powerCycle();
    });

    test('mprt emulate --pty with five saved CDC ports: one pty per port, printed in port order; port 3 carries data both ways', async () => {
        const img = join(work, 'pty-flash.img');
        const save = 'import usb\nc = usb.UsbConfig()\nc.device()\nc.configuration()\nfor i in range(5): c.cdc()\nc.save()';
        const s = spawnSync(process.execPath, [mprtBin, 'emulate', firmware!, '--flash-image', img, '--exec', save], { encoding: 'utf8' });
        assert.equal(s.status, 0, s.stderr);
        const child = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--flash-image', img, '--pty'], { stdio: ['ignore', 'pipe', 'pipe'] });
        try {
            const paths = await new Promise<string[]>((resolve, reject) => {
                let out = '';
                child.stdout.on('data', (d: Buffer) => {
                    out += d.toString();
                    const lines = out.split('\n');
                    if (lines.length > 5) resolve(lines.slice(0, 5).map((l) => l.trim()));
                });
                child.on('exit', (code) => reject(new Error(`mprt emulate --pty exited with ${code}: ${out}`)));
            });
            assert.deepEqual(
                paths.map((p) => p.replace(/.*\//, '')),
                ['ttyACM0', 'ttyACM1', 'ttyACM2', 'ttyACM3', 'ttyACM4'],
            );
            // a host program: on the console's pty, start an echo of /dev/ttyUSB3 on the board; then talk to port 3's pty
            const script = [
                'import os, sys, termios, time, tty',
                'def opn(p):',
                '    fd = os.open(p, os.O_RDWR | os.O_NOCTTY)',
                '    tty.setraw(fd)',
                '    return fd',
                'def until(fd, text, secs=20):',
                '    out = b""',
                '    end = time.time() + secs',
                '    while text not in out and time.time() < end:',
                '        try:',
                '            out += os.read(fd, 256)',
                '        except BlockingIOError:',
                '            time.sleep(0.02)',
                '    return out',
                'con, p3 = opn(sys.argv[1]), opn(sys.argv[2])',
                'os.set_blocking(con, False); os.set_blocking(p3, False)',
                'os.write(con, b"\\x03\\x02")',
                'until(con, b">>> ")',
                'cmd = b"import os, _thread\\r\\nfd = os.open(\'/dev/ttyUSB3\', os.O_RDWR)\\r\\n_thread.start_new_thread(lambda: os.write(fd, os.read(fd, 64).upper()), ())\\r\\n"',
                'os.write(con, cmd)',
                'until(con, b"_thread")',
                'time.sleep(1)',
                'os.write(p3, b"hello port three\\n")',
                'sys.stdout.write(until(p3, b"\\n").decode())',
            ].join('\n');
            const py = join(work, 'pty-ports.py');
            writeFileSync(py, script);
            const r = spawnSync('python3', [py, paths[0], paths[3]], { encoding: 'utf8', timeout: 60_000 });
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout, 'HELLO PORT THREE\n');
        } finally {
            child.kill('SIGTERM');
        }
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
