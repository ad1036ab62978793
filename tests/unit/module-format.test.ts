import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
    MODULE_HEADER_SIZE, ModuleFormatError, R_ABS32, R_QSTR, R_QSTR_OBJ, R_THM_CALL, TARGET_BSS, TARGET_DATA, TARGET_TEXT,
    crc32, decodeModule, encodeModule, moduleFromElf, type ModuleSpec,
} from '../../cli/formats/module.js';
import { buildFixtureElf } from './elf-fixture.js';

const ABI = Uint8Array.from({ length: 16 }, (_, i) => i * 3);

function spec(): ModuleSpec {
    const text = new Uint8Array(32);
    // a BL (f7ff fffe, addend -4) at text+8, for the R_THM_CALL below
    text.set([0xff, 0xf7, 0xfe, 0xff], 8);
    return {
        name: 'demo', abi: ABI, text, textAlign: 8, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), dataAlign: 8, bssSize: 12,
        init: { seg: 'text', offset: 1 },
        imports: ['malloc', 'mp_obj_new_int'],
        exports: [{ name: 'f', ref: { seg: 'text', offset: 5 } }, { name: 'buf', ref: { seg: 'bss', offset: 4 } }],
        ctors: [{ seg: 'text', offset: 17 }],
        qstrs: ['hello', ''],
        relocs: [
            { offset: 4, type: R_ABS32, place: 'data', target: TARGET_BSS },
            { offset: 8, type: R_THM_CALL, place: 'text', target: 0 },
            { offset: 0, type: R_ABS32, place: 'text', target: TARGET_DATA },
            { offset: 0, type: R_QSTR_OBJ, place: 'data', target: 0 },
            { offset: 16, type: R_ABS32, place: 'text', target: 1 },
            { offset: 20, type: R_QSTR, place: 'text', target: 1 },
            { offset: 24, type: R_ABS32, place: 'text', target: TARGET_TEXT },
        ],
    };
}

const fixCrc = (b: Uint8Array) => {
    new DataView(b.buffer, b.byteOffset).setUint32(16, crc32(b.subarray(20)), true);
    return b;
};

test('crc32 is the IEEE/zlib CRC', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
});

test('encode then decode gives the module back, relocations sorted by place and offset', () => {
    const s = spec();
    const bytes = encodeModule(s);
    const m = decodeModule(bytes, { abi: ABI });
    assert.equal(m.name, 'demo');
    assert.deepEqual([...m.abi], [...ABI]);
    assert.deepEqual([...m.text], [...s.text]);
    assert.deepEqual([...m.data], [...s.data]);
    assert.equal(m.bssSize, 12);
    assert.equal(m.textAlign, 8);
    assert.deepEqual(m.init, s.init);
    assert.deepEqual(m.imports, s.imports);
    assert.deepEqual(m.exports, s.exports);
    assert.deepEqual(m.ctors, s.ctors);
    assert.deepEqual(m.qstrs, s.qstrs);
    assert.deepEqual(m.relocs.map((r) => `${r.place}+${r.offset}`), ['text+0', 'text+8', 'text+16', 'text+20', 'text+24', 'data+0', 'data+4']);
    assert.equal(m.fileSize, bytes.length);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'MPDL');
});

test('content hash is SHA-256 of the file from the ABI field on; it changes with the code, not with nothing', () => {
    const a = encodeModule(spec());
    const h = createHash('sha256').update(a.subarray(36)).digest().subarray(0, 16);
    assert.deepEqual([...decodeModule(a).contentHash], [...h]);
    assert.deepEqual([...encodeModule(spec()).subarray(20, 36)], [...a.subarray(20, 36)], 'deterministic');
    const s = spec();
    s.text[0] = 1;
    assert.notDeepEqual([...encodeModule(s).subarray(20, 36)], [...a.subarray(20, 36)]);
});

test('refusals name the problem', () => {
    const good = encodeModule(spec());
    const edit = (fn: (v: DataView, b: Uint8Array) => void) => {
        const b = Uint8Array.from(good);
        fn(new DataView(b.buffer), b);
        return fixCrc(b);
    };
    const refuse = (b: Uint8Array, code: string, msg: RegExp, abi?: Uint8Array) =>
        assert.throws(() => decodeModule(b, { abi }), (e: unknown) => e instanceof ModuleFormatError && e.code === code && msg.test(e.message));
    refuse(good.subarray(0, 3), 'truncated', /not even a magic number/);
    refuse(edit((_, b) => b.set([0x7f, 0x45, 0x4c, 0x46])), 'magic', /an ELF file, not a module/);
    refuse(good.subarray(0, 60), 'truncated', /60 bytes, the header needs 140/);
    refuse(good.subarray(0, good.length - 4), 'truncated', /the header says/);
    refuse(edit((_, b) => (b[5] = 2)), 'class', /not a 32-bit/);
    refuse(edit((_, b) => (b[6] = 2)), 'endian', /not little-endian/);
    refuse(edit((v) => v.setUint16(8, 62, true)), 'machine', /machine 62: not ARM/);
    refuse(edit((v) => v.setUint16(10, 3, true)), 'machine', /architecture 3/);
    refuse(edit((_, b) => (b[MODULE_HEADER_SIZE] ^= 1)).map((x, i) => (i === 16 ? x ^ 1 : x)), 'corrupt', /CRC-32/);
    refuse(good, 'abi', /built for firmware ABI 000306090c0f1215, this firmware is 0000000000000000: rebuild it/, new Uint8Array(16));
    refuse(edit((v) => v.setUint32(84, 6, true)), 'align', /data alignment 6/);
    refuse(edit((v) => v.setUint32(96, 0xffffff, true)), 'bounds', /string table at 0x[0-9a-f]+ \(16777215 bytes\) outside the file/);
    refuse(edit((v) => v.setUint32(60, 0x40000001, true)), 'ref', /init entry 0: 0x40000001 is not a Thumb function in text/);
    refuse(edit((v) => v.setUint32(60, 33, true)), 'ref', /outside its segment \(32 bytes\)/);
});

test('the header alone, cut at every length, is refused with a ModuleFormatError', () => {
    const good = encodeModule(spec());
    for (let n = 0; n < good.length; n++) {
        assert.throws(() => decodeModule(good.subarray(0, n)), ModuleFormatError, `length ${n}`);
    }
});

test('random corruption of a valid module never escapes as anything but ModuleFormatError', () => {
    const good = encodeModule(spec());
    let state = 12345;
    const rnd = (n: number) => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % n;
    };
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
        const b = Uint8Array.from(good);
        const v = new DataView(b.buffer);
        for (let k = 1 + rnd(4); k > 0; k--) {
            if (rnd(2)) b[rnd(b.length)] = rnd(256);
            else v.setUint32(rnd(MODULE_HEADER_SIZE / 4) * 4, [0, 1, 4, 0xfff0, 0x3fffffff, 0xffffffff, rnd(b.length)][rnd(7)], true);
        }
        fixCrc(b);
        try {
            decodeModule(b);
            accepted++;
        } catch (e) {
            assert.ok(e instanceof ModuleFormatError, `iteration ${i}: ${(e as Error).stack}`);
        }
    }
    assert.ok(accepted > 0 && accepted < 20000);
});

test('moduleFromElf refuses what is not a module link', () => {
    assert.throws(() => moduleFromElf(new Uint8Array(10), { name: 'x', abi: ABI }), (e: unknown) => e instanceof ModuleFormatError && e.code === 'elf' && /not a linked module/.test(e.message));
    // the ELF reader's fixture has a flash-loaded .data and other sections a module link never makes
    const fixture = buildFixtureElf().bytes;
    assert.throws(() => moduleFromElf(fixture, { name: 'x', abi: ABI }), ModuleFormatError);
});

test('encodeModule requires a 16-byte ABI identity', () => {
    assert.throws(() => encodeModule({ ...spec(), abi: new Uint8Array(4) }), (e: unknown) => e instanceof ModuleFormatError && e.code === 'abi');
});
