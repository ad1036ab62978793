import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBootselDrives, parseInfoUf2, parseProcMounts } from '../../cli/flash/drive.js';
import { chooseDrive, flash, formatFlashResult, lastBuiltFirmware, loadFlashFile } from '../../cli/flash/flash.js';
import { FLASH_BASE, FLASH_SIZE, SRAM_BASE, UF2_FAMILY_ID } from '../../cli/chip/rp2040.js';
import { decodeUf2, encodeUf2, uf2ToImage } from '../../cli/formats/uf2.js';
import { MprtError } from '../../cli/util/errors.js';
import { repoRoot } from '../../cli/util/paths.js';
import { buildFixtureElf } from '../unit/elf-fixture.js';

const RP2_INFO = 'UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: RPI-RP2\r\n';

/** A directory laid out like the RP2040's BOOTSEL drive (the one stand-in allowed: no board here). */
function fakeDrive(parent: string, name: string, info = RP2_INFO): string {
    const d = join(parent, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'INFO_UF2.TXT'), info);
    writeFileSync(join(d, 'INDEX.HTM'), '<html><head><meta http-equiv="refresh" content="0;URL=\'https://raspberrypi.com/device/RP2?version=E0C9125B0D9B\'"/></head></html>\r\n');
    return d;
}

function withTmp(fn: (dir: string) => void): void {
    const dir = mkdtempSync(join(tmpdir(), 'mprt-flash-'));
    try {
        fn(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function firmwareUf2(n = 5000, familyId = UF2_FAMILY_ID, baseAddress = FLASH_BASE): Uint8Array {
    return encodeUf2(Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff), { baseAddress, familyId });
}

test('parseInfoUf2 and parseProcMounts', () => {
    assert.deepEqual(parseInfoUf2(RP2_INFO), { Model: 'Raspberry Pi RP2', 'Board-ID': 'RPI-RP2' });
    assert.deepEqual(parseProcMounts('/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /media/pi/RPI\\040RP2 vfat rw,nosuid 0 0\n'), [
        { mountPoint: '/', fsType: 'ext4' },
        { mountPoint: '/media/pi/RPI RP2', fsType: 'vfat' },
    ]);
});

test('flash writes NEW.UF2 to the drive, fsynced and read back identical', () => {
    withTmp((dir) => {
        const drive = fakeDrive(dir, 'RPI-RP2');
        const uf2 = firmwareUf2();
        writeFileSync(join(dir, 'fw.uf2'), uf2);
        const r = flash(join(dir, 'fw.uf2'), { drive });
        assert.equal(r.blocks, 20);
        assert.equal(r.bytes, 20 * 256);
        assert.equal(r.uf2Bytes, uf2.length);
        assert.equal(r.verified, 'read back');
        assert.equal(r.target, join(drive, 'NEW.UF2'));
        assert.ok(readFileSync(r.target).equals(Buffer.from(uf2)));
        assert.match(formatFlashResult(r), /20 blocks, 5120 bytes of flash, [\d.]+ s; read back and verified/);
    });
});

test('flash converts an ELF into a UF2 of its flash image', () => {
    withTmp((dir) => {
        const drive = fakeDrive(dir, 'RPI-RP2');
        writeFileSync(join(dir, 'fw.elf'), buildFixtureElf().bytes);
        const r = flash(join(dir, 'fw.elf'), { drive });
        assert.equal(r.convertedFromElf, true);
        const img = uf2ToImage(decodeUf2(readFileSync(r.target), { familyId: UF2_FAMILY_ID }));
        assert.equal(img.baseAddress, FLASH_BASE);
        assert.deepEqual([...img.data.subarray(0x100, 0x108)], [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    });
});

test('flash refuses wrong family, too big, misplaced and non-UF2 files, and writes nothing', () => {
    withTmp((dir) => {
        const drive = fakeDrive(dir, 'RPI-RP2');
        const cases: [string, Uint8Array, RegExp][] = [
            ['rp2350.uf2', firmwareUf2(1000, 0xe48bff59), /family 0xe48bff59 is not RP2040/],
            ['nofamily.uf2', encodeUf2(new Uint8Array(1000), { baseAddress: FLASH_BASE }), /family absent is not RP2040/],
            ['big.uf2', firmwareUf2(FLASH_SIZE + 256), /block 8192 \(targetAddr\): address 0x10200000 is outside the 2048 KB flash/],
            ['ram.uf2', firmwareUf2(1000, UF2_FAMILY_ID, SRAM_BASE), /outside the 2048 KB flash/],
            ['text.uf2', new TextEncoder().encode('not a firmware at all, just some text that is long enough'), /not a UF2 file/],
            ['cut.uf2', firmwareUf2(5000).subarray(0, 3000), /truncated/],
        ];
        for (const [name, bytes, re] of cases) {
            writeFileSync(join(dir, name), bytes);
            assert.throws(() => flash(join(dir, name), { drive }), (e: unknown) => {
                assert.ok(e instanceof MprtError, name);
                assert.match(e.message, re, name);
                assert.equal(e.exitCode, 2);
                return true;
            });
        }
        assert.equal(existsSync(join(drive, 'NEW.UF2')), false, 'nothing written');
        assert.throws(() => loadFlashFile(join(dir, 'missing.uf2')), /file not found/);
    });
});

test('drive discovery: one RP2040 drive among others is found; none or several give clear errors', () => {
    withTmp((dir) => {
        const media = join(dir, 'media', 'pi');
        mkdirSync(join(media, 'USBSTICK'), { recursive: true });
        fakeDrive(media, 'RP2350', 'UF2 Bootloader v1.0\nModel: Raspberry Pi RP2350\nBoard-ID: RP2350\n');
        const search = { parents: [media], mountsFile: join(dir, 'no-mounts') };

        assert.throws(() => chooseDrive(undefined, search), (e: unknown) => {
            assert.ok(e instanceof MprtError);
            assert.equal(e.exitCode, 3);
            assert.match(e.message, /no RP2040 BOOTSEL drive found \(found UF2 drives of other boards: .*RP2350 Board-ID RP2350\); looked in: FAT\/exFAT mount points in .*no-mounts; .*media\/pi\/\*/);
            assert.match(e.hint ?? '', /hold the BOOTSEL button while plugging/);
            return true;
        });

        const mounted = fakeDrive(join(dir, 'mnt'), 'RPI RP2');
        writeFileSync(join(dir, 'mounts'), `sysfs /sys sysfs rw 0 0\n/dev/sdc1 ${mounted.replace(/ /g, '\\040')} vfat rw 0 0\n`);
        const viaMounts = { parents: [media], mountsFile: join(dir, 'mounts') };
        assert.equal(chooseDrive(undefined, viaMounts).path, mounted);
        const found = findBootselDrives(viaMounts);
        assert.equal(found.drives.length, 1);
        assert.equal(found.others.length, 1);

        fakeDrive(media, 'RPI-RP2');
        assert.throws(() => chooseDrive(undefined, viaMounts), /2 RP2040 BOOTSEL drives are mounted: .*; hint|2 RP2040 BOOTSEL drives are mounted/);
        assert.throws(() => chooseDrive(undefined, viaMounts), (e: unknown) => e instanceof MprtError && /--drive/.test(e.hint ?? ''));

        assert.throws(() => chooseDrive(join(media, 'USBSTICK')), /is not a UF2 bootloader drive \(no INFO_UF2.TXT\)/);
        assert.throws(() => chooseDrive(join(media, 'RP2350')), /UF2 drive for another board \(Board-ID: RP2350\)/);
        assert.throws(() => chooseDrive(join(dir, 'nope')), /does not exist/);
    });
});

test('lastBuiltFirmware reads build/.last-build.json relative to the build dir', () => {
    withTmp((dir) => {
        mkdirSync(join(dir, 'build', 'pico'), { recursive: true });
        writeFileSync(join(dir, 'build', '.last-build.json'), JSON.stringify({ firmware: 'build/pico/firmware.uf2' }));
        assert.equal(lastBuiltFirmware(dir), join(dir, 'build', 'pico', 'firmware.uf2'));
    });
});

test('mprt flash CLI: --json result on success, exit code 2 and a message for a bad file', () => {
    withTmp((dir) => {
        const drive = fakeDrive(dir, 'RPI-RP2');
        writeFileSync(join(dir, 'fw.uf2'), firmwareUf2(600));
        const bin = join(repoRoot(), 'bin', 'mprt.js');
        const out = execFileSync(process.execPath, [bin, 'flash', join(dir, 'fw.uf2'), '--drive', drive, '--json'], { encoding: 'utf8' });
        const r = JSON.parse(out) as { blocks: number; drive: string; verified: string };
        assert.deepEqual([r.blocks, r.drive, r.verified], [3, drive, 'read back']);
        writeFileSync(join(dir, 'bad.uf2'), 'hello');
        const bad = spawnSync(process.execPath, [bin, 'flash', join(dir, 'bad.uf2'), '--drive', drive], { encoding: 'utf8' });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /^error: .*bad\.uf2: not a flashable RP2040 UF2: file is 5 bytes, shorter than one 512-byte UF2 block/);
    });
});

test('waitForDrive finds a drive that appears while it polls, and gives up after the timeout', async () => {
    const { waitForDrive } = await import('../../cli/flash/reboot.js');
    const dir = mkdtempSync(join(tmpdir(), 'mprt-flash-'));
    try {
        const search = { parents: [dir], mountsFile: join(dir, 'no-mounts') };
        assert.equal(await waitForDrive(search, 200, 50), undefined);
        const timer = setTimeout(() => fakeDrive(dir, 'RPI-RP2'), 150);
        const d = await waitForDrive(search, 3000, 50);
        clearTimeout(timer);
        assert.equal(d?.path, join(dir, 'RPI-RP2'));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

const STOCK_ELF = '/tmp/stock/mp/ports/rp2/build-RPI_PICO/firmware.elf';
const STOCK_UF2 = '/tmp/stock/firmware.uf2';
test('flashing the stock firmware.elf writes the same bytes as its firmware.uf2', { skip: !(existsSync(STOCK_ELF) && existsSync(STOCK_UF2)) && 'stock firmware not built here' }, () => {
    withTmp((dir) => {
        const drive = fakeDrive(dir, 'RPI-RP2');
        const r = flash(STOCK_ELF, { drive });
        assert.equal(r.convertedFromElf, true);
        assert.ok(readFileSync(r.target).equals(readFileSync(STOCK_UF2)));
    });
});
