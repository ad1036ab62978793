/**
 * Files and /dev shared by C and Python (F4): examples/modules/vfsio, packed against the firmware, writes
 * a file with Picolibc's fopen/fputs that Python reads with open(), reads with open()/read() a file
 * Python wrote, stats both; registers a RAM block device that Python formats (littlefs) and mounts
 * with os.mkfs/os.mount('/dev/<name>', ...), then C reads a file Python wrote on it; registers a
 * character device Python reads through os.open and open(); an RTOS task of the module (no Python thread)
 * writes a file with open/write and reads one Python wrote, meanwhile Python sleeps.
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
import os, errno, vfsio
print(vfsio.write_text("/from_c.txt", "written by C\\n" * 3))
print(repr(open("/from_c.txt").read()), os.stat("/from_c.txt").st_size)
with open("/from_py.txt", "w") as f:
    f.write("written by Python")
print(vfsio.read("/from_py.txt"), vfsio.size("/from_py.txt"))
os.mkdir("/cdir")
os.chdir("/cdir")
with open("rel.txt", "wb") as f:
    f.write(b"relative")
print(vfsio.read("rel.txt"), vfsio.read("/cdir/../cdir//rel.txt"))
os.chdir("/")
try:
    vfsio.read("/missing")
except OSError as e:
    print("C open:", errno.errorcode[e.errno])
vfsio.ramdisk("ram0")
print("ram0" in os.listdir("/dev"), os.stat("/dev/ram0").st_size)
os.mkfs("/dev/ram0", "littlefs")
os.mount("/dev/ram0", "/ram", "littlefs")
with open("/ram/data.txt", "w") as f:
    f.write("on the RAM disk")
print(vfsio.read("/ram/data.txt"), os.statvfs("/ram").f_bsize)
vfsio.write_text("/ram/c.txt", "C on the RAM disk")
print(sorted(os.listdir("/ram")), open("/ram/c.txt").read())
os.umount("/ram")
os.mount("/dev/ram0", "/ram", "littlefs", os.MS_RDONLY)
print(open("/ram/data.txt").read())
try:
    vfsio.write_text("/ram/x.txt", "x")
except OSError as e:
    print("C fopen:", errno.errorcode[e.errno])
os.umount("/ram")
vfsio.hello("hello0")
fd = os.open("/dev/hello0", os.O_RDWR)
print(os.read(fd, 100), os.read(fd, 100), os.write(fd, b"abc"))
os.close(fd)
print(open("/dev/hello0").read())
vfsio.unregister("hello0")
print(os.path.exists("/dev/hello0"))
import time
vfsio.start_task("/task.txt", 200, "/from_py.txt")
while vfsio.task_result() is None:
    time.sleep_ms(2)
lines = open("/task.txt").read().split("\\n")
print(vfsio.task_result(), len(lines), lines[199], lines == ["C task line %d" % i for i in range(200)] + [""])
os.remove("/task.txt")
for p in ("/from_c.txt", "/from_py.txt", "/cdir/rel.txt"):
    os.remove(p)
os.rmdir("/cdir")
import termios
sp = vfsio.tty_raw("/dev/ttyS0", termios.B57600)
a = termios.tcgetattr(os.open("/dev/ttyS0", os.O_RDWR))
print(sp == termios.B57600, a[4] == a[5] == termios.B57600, a[3] & termios.ICANON, a[1] & termios.OPOST)
`;

const EXPECT = [
    '39',
    "'written by C\\nwritten by C\\nwritten by C\\n' 39",
    "b'written by Python' 17",
    "b'relative' b'relative'",
    'C open: ENOENT',
    'True 8192',
    "b'on the RAM disk' 512",
    "['c.txt', 'data.txt'] C on the RAM disk",
    'on the RAM disk',
    'C fopen: EROFS',
    "b'hello from C\\n' b'' 3",
    'hello from C\n',
    'False',
    '(0, 17) 201 C task line 199 True',
    'True True 0 0',
    '',
].join('\n');

describe('F4: a native module on the files and /dev shared with Python', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-vfs-module-'));
    let board: Rp2040Board | undefined;
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('vfsio: C and Python read and write the same files; devices registered by C', async () => {
        const packed = await packModule({ inputs: [join(examplesDir, 'vfsio')], firmware: buildDir, output: join(work, 'vfsio.so'), name: 'vfsio' });
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
        await board.exec("import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass");
        await board.writeFile('/lib/vfsio.so', readFileSync(packed.output));
        // the first import installs it; its 8 KB of bss (the RAM disk) is reserved at the next boot
        await board.exec('try:\n    import vfsio\nexcept ImportError:\n    pass\nimport machine\nmachine.reset()', { timeoutMs: 20_000 });
        const r = await board.exec(SCRIPT, { timeoutMs: 30_000 });
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.replace(/\r\n/g, '\n'), EXPECT);
    });
});
