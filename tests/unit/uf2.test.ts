import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { componentDir } from '../../cli/components/components.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
    checkRp2040Uf2,
    decodeUf2,
    encodeUf2,
    UF2_FLAG_FAMILY_ID_PRESENT,
    UF2_FLAG_NOT_MAIN_FLASH,
    Uf2FormatError,
    uf2ToFlatImage,
    uf2ToImage,
} from '../../cli/formats/uf2.js';
import { FLASH_BASE, FLASH_SIZE, hex32, SRAM_BASE, UF2_FAMILY_ID } from '../../cli/chip/rp2040.js';
import { repoRoot } from '../../cli/util/paths.js';

function bytesOf(n: number, seed = 1): Uint8Array {
    const out = new Uint8Array(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        out[i] = x >>> 24;
    }
    return out;
}

function u32(buf: Uint8Array, off: number): number {
    return new DataView(buf.buffer, buf.byteOffset).getUint32(off, true);
}

function setU32(buf: Uint8Array, off: number, v: number): void {
    new DataView(buf.buffer, buf.byteOffset).setUint32(off, v >>> 0, true);
}

test('encodeUf2 lays out 512-byte blocks with magics, flags, numbering, family and zero padding', () => {
    const data = bytesOf(600);
    const uf2 = encodeUf2(data, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
    assert.equal(uf2.length, 3 * 512);
    for (let i = 0; i < 3; i++) {
        const at = i * 512;
        assert.equal(u32(uf2, at), 0x0a324655);
        assert.equal(u32(uf2, at + 4), 0x9e5d5157);
        assert.equal(u32(uf2, at + 8), UF2_FLAG_FAMILY_ID_PRESENT);
        assert.equal(u32(uf2, at + 12), FLASH_BASE + i * 256);
        assert.equal(u32(uf2, at + 16), 256);
        assert.equal(u32(uf2, at + 20), i);
        assert.equal(u32(uf2, at + 24), 3);
        assert.equal(u32(uf2, at + 28), UF2_FAMILY_ID);
        assert.equal(u32(uf2, at + 508), 0x0ab16f30);
        assert.ok(uf2.subarray(at + 32 + 256, at + 508).every((b) => b === 0), 'bytes after the payload are zero');
    }
    assert.deepEqual(uf2.subarray(32, 32 + 256), data.subarray(0, 256));
    assert.deepEqual(uf2.subarray(1024 + 32, 1024 + 32 + 88), data.subarray(512));
    assert.ok(uf2.subarray(1024 + 32 + 88, 1024 + 32 + 256).every((b) => b === 0), 'last payload is zero-padded');
});

test('encodeUf2 without a family leaves the flag clear and the word zero', () => {
    const uf2 = encodeUf2(bytesOf(10), { baseAddress: 0x2000 });
    assert.equal(u32(uf2, 8), 0);
    assert.equal(u32(uf2, 28), 0);
    assert.equal(decodeUf2(uf2).familyId, undefined);
});

test('encodeUf2 rejects bad arguments', () => {
    assert.throws(() => encodeUf2(new Uint8Array(0), { baseAddress: 0 }), RangeError);
    assert.throws(() => encodeUf2(bytesOf(4), { baseAddress: -1 }), RangeError);
    assert.throws(() => encodeUf2(bytesOf(512), { baseAddress: 0xffffff00 }), RangeError);
    assert.throws(() => encodeUf2(bytesOf(4), { baseAddress: 0, payloadSize: 128 as 256 }), RangeError);
});

test('round trip: decode(encode(x)) gives x back, for sizes around block boundaries', () => {
    for (const n of [1, 255, 256, 257, 511, 512, 513, 4096, 10_001]) {
        const data = bytesOf(n, n);
        const uf2 = encodeUf2(data, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
        const dec = decodeUf2(uf2, { familyId: UF2_FAMILY_ID });
        assert.equal(dec.numBlocks, Math.ceil(n / 256));
        assert.equal(dec.familyId, UF2_FAMILY_ID);
        assert.deepEqual(dec.ranges, [{ start: FLASH_BASE, end: FLASH_BASE + dec.numBlocks * 256 }]);
        const img = uf2ToImage(dec);
        assert.equal(img.baseAddress, FLASH_BASE);
        assert.deepEqual(img.data.subarray(0, n), data);
        assert.ok(img.data.subarray(n).every((b) => b === 0));
        checkRp2040Uf2(dec);
    }
});

test('decodeUf2 names the block and field of each defect', () => {
    const good = encodeUf2(bytesOf(1024), { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
    const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
        ['empty', () => new Uint8Array(0), /empty file/],
        ['text', () => new TextEncoder().encode('hello, not a uf2'), /shorter than one 512-byte/],
        ['ELF', (b) => { const c = b.slice(); c.set([0x7f, 0x45, 0x4c, 0x46]); return c; }, /block 0 \(magicStart\): bad magic/],
        ['truncated mid-block', (b) => b.subarray(0, 1000), /not a multiple of 512: truncated after block 0/],
        ['truncated whole block', (b) => b.subarray(0, 1024), /block 0 \(numBlocks\): numBlocks says 4 but the file holds 2 blocks \(truncated\)/],
        ['bad magic1 in block 2', (b) => { const c = b.slice(); setU32(c, 1024 + 4, 0x12345678); return c; }, /block 2 \(magicStart1\)/],
        ['bad end magic', (b) => { const c = b.slice(); setU32(c, 1536 + 508, 0); return c; }, /block 3 \(magicEnd\)/],
        ['payload > 476', (b) => { const c = b.slice(); setU32(c, 512 + 16, 477); return c; }, /block 1 \(payloadSize\): payload size 477 is outside 1..476/],
        ['payload 0', (b) => { const c = b.slice(); setU32(c, 16, 0); return c; }, /block 0 \(payloadSize\)/],
        ['unknown flag', (b) => { const c = b.slice(); setU32(c, 512 + 8, UF2_FLAG_FAMILY_ID_PRESENT | 0x10); return c; }, /block 1 \(flags\): unknown flag bits 0x00000010/],
        ['file container', (b) => { const c = b.slice(); setU32(c, 8, 0x1000); return c; }, /block 0 \(flags\): file-container/],
        ['numBlocks differs', (b) => { const c = b.slice(); setU32(c, 1024 + 24, 5); return c; }, /block 2 \(numBlocks\): numBlocks 5 differs/],
        ['duplicate blockNo', (b) => { const c = b.slice(); setU32(c, 1024 + 20, 1); return c; }, /block 2 \(blockNo\): blockNo 1 repeats/],
        ['out of order', (b) => { const c = b.slice(); c.set(b.subarray(1024, 1536), 512); c.set(b.subarray(512, 1024), 1024); return c; }, /block 1 \(blockNo\): blockNo 2 is out of order \(expected 1\)/],
        ['mixed family', (b) => { const c = b.slice(); setU32(c, 1536 + 28, 0xada52840); return c; }, new RegExp(`block 3 \\(familyID\\): family 0xada52840 differs from block 0's ${hex32(UF2_FAMILY_ID)}`)],
        ['overlap', (b) => { const c = b.slice(); setU32(c, 1536 + 12, FLASH_BASE + 0x280); return c; }, /block 3 \(targetAddr\): payload 0x10000280..0x10000380 overlaps block 2/],
        ['wraps address space', (b) => { const c = b.slice(); setU32(c, 512 + 12, 0xffffff80); return c; }, /block 1 \(targetAddr\)/],
    ];
    for (const [name, mutate, re] of cases) {
        assert.throws(() => decodeUf2(mutate(good)), (e: unknown) => {
            assert.ok(e instanceof Uf2FormatError, `${name}: Uf2FormatError, got ${String(e)}`);
            assert.match(e.message, re, name);
            return true;
        });
    }
    // the unmodified file is fine
    assert.equal(decodeUf2(good).blocks.length, 4);
});

test('decodeUf2 with an expected family rejects another family', () => {
    const other = encodeUf2(bytesOf(300), { baseAddress: FLASH_BASE, familyId: 0xada52840 });
    assert.throws(() => decodeUf2(other, { familyId: UF2_FAMILY_ID }), new RegExp(`block 0 \\(familyID\\): family 0xada52840, expected ${hex32(UF2_FAMILY_ID)} \\(RP2040\\)`));
    const none = encodeUf2(bytesOf(300), { baseAddress: FLASH_BASE });
    assert.throws(() => decodeUf2(none, { familyId: UF2_FAMILY_ID }), /family absent, expected/);
});

test('not-main-flash blocks are kept in blocks but left out of ranges and image', () => {
    const uf2 = encodeUf2(bytesOf(768), { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
    setU32(uf2, 512 + 8, UF2_FLAG_FAMILY_ID_PRESENT | UF2_FLAG_NOT_MAIN_FLASH);
    const dec = decodeUf2(uf2);
    assert.equal(dec.blocks.length, 3);
    assert.deepEqual(dec.ranges, [{ start: FLASH_BASE, end: 0x10000100 }, { start: 0x10000200, end: 0x10000300 }]);
    assert.equal(dec.payloadBytes, 512);
    const img = uf2ToImage(dec, { fill: 0xff });
    assert.equal(img.data.length, 768);
    assert.ok(img.data.subarray(256, 512).every((b) => b === 0xff), 'gap filled');
});

test('checkRp2040Uf2 refuses a wrong family, images that do not fit the flash, and unaligned blocks', () => {
    const fam = (f: number | undefined, base = FLASH_BASE, n = 512) => decodeUf2(encodeUf2(bytesOf(n), { baseAddress: base, familyId: f }));
    assert.throws(() => checkRp2040Uf2(fam(0xada52840)), /family 0xada52840 is not RP2040/);
    assert.throws(() => checkRp2040Uf2(fam(undefined)), /family absent is not RP2040/);
    assert.throws(() => checkRp2040Uf2(fam(UF2_FAMILY_ID, FLASH_BASE, FLASH_SIZE + 1)), /block 8192 \(targetAddr\): address 0x10200000 is outside the 2048 KB flash/);
    assert.throws(() => checkRp2040Uf2(fam(UF2_FAMILY_ID, SRAM_BASE)), /block 0 \(targetAddr\).*outside/);
    assert.throws(() => checkRp2040Uf2(fam(UF2_FAMILY_ID, 0x10000080)), /not 256-byte aligned/);
    assert.throws(() => checkRp2040Uf2(fam(UF2_FAMILY_ID, 0x10100000)), /does not start at the beginning of flash/);
    checkRp2040Uf2(fam(UF2_FAMILY_ID, 0x10100000), { allowPartial: true });
    checkRp2040Uf2(fam(UF2_FAMILY_ID, FLASH_BASE, FLASH_SIZE));
    checkRp2040Uf2(fam(UF2_FAMILY_ID, FLASH_BASE, 4 * 1024 * 1024), { flashSize: 4 * 1024 * 1024 });
});

const OUR_BIN = join(repoRoot(), 'build', 'pico', 'firmware.bin');

test('our UF2 of a real firmware.bin is byte-identical to MicroPython\'s tools/uf2conv.py output', { skip: !existsSync(OUR_BIN) && 'build/pico not built yet' }, () => {
    const bin = readFileSync(OUR_BIN);
    const dir = mkdtempSync(join(tmpdir(), 'mprt-uf2conv-'));
    try {
        const theirsPath = join(dir, 'theirs.uf2');
        execFileSync('python3', [join(componentDir('micropython'), 'tools', 'uf2conv.py'), '-c', '-f', hex32(UF2_FAMILY_ID), '-b', hex32(FLASH_BASE), '-o', theirsPath, OUR_BIN], { stdio: 'ignore' });
        const theirs = readFileSync(theirsPath);
        const ours = encodeUf2(bin, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
        assert.equal(ours.length, theirs.length);
        assert.ok(Buffer.from(ours).equals(theirs), 'UF2 bytes differ');
        const img = uf2ToFlatImage(theirs, { familyId: UF2_FAMILY_ID });
        assert.equal(img.baseAddress, FLASH_BASE);
        assert.ok(Buffer.from(img.data.subarray(0, bin.length)).equals(bin), 'decoded image differs from firmware.bin');
        assert.ok(img.data.subarray(bin.length).every((b) => b === 0));
        checkRp2040Uf2(decodeUf2(theirs));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

const OUR_DIR = join(repoRoot(), 'build', 'pico');

test('our build: build/pico/firmware.uf2 reads back as build/pico/firmware.bin', { skip: !(existsSync(join(OUR_DIR, 'firmware.uf2')) && existsSync(join(OUR_DIR, 'firmware.bin'))) && 'build/pico not built yet' }, () => {
    const bin = readFileSync(join(OUR_DIR, 'firmware.bin'));
    const uf2 = readFileSync(join(OUR_DIR, 'firmware.uf2'));
    const dec = decodeUf2(uf2, { familyId: UF2_FAMILY_ID });
    checkRp2040Uf2(dec);
    const img = uf2ToImage(dec);
    assert.equal(img.baseAddress, FLASH_BASE);
    assert.equal(img.data.length, Math.ceil(bin.length / 256) * 256);
    assert.ok(Buffer.from(img.data.subarray(0, bin.length)).equals(bin), 'decoded image differs from firmware.bin');
});
