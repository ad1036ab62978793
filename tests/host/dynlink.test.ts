/**
 * The on-device linker (lib/dynlink) built for the host under ASan+UBSan, linking modules that the real
 * arm-none-eabi-gcc compiled: the bytes it installs must equal what arm-none-eabi-ld produces when it
 * links the same objects at the same final addresses.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf, sectionData, findSection, findSymbol } from '../../cli/formats/elf.js';
import { crc32, decodeModule, R_THM_CALL } from '../../cli/formats/module.js';
import { ABI, MOD_A, MOD_B, armToolchain, buildHost, buildModule, buildModuleFromObjects, oracleLink, run, scratchDir, MODULE_CFLAGS, type BuiltModule } from './dynlink-support.js';
import { componentDir } from '../../cli/components/components.js';
import { SRAM_BASE } from '../../cli/chip/rp2040.js';

const skip = armToolchain() === null ? 'arm-none-eabi toolchain not found' : false;
const dir = scratchDir('mprt-dynlink-');
let tool = '';

before(() => {
    if (!skip) tool = buildHost(dir, 'dl_host_test.c');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const FLASH = 0x10100000;
const RAM = 0x20030000;

interface Linked {
    img: Uint8Array;
    layout: Record<string, number>;
    exports: Record<string, number>;
    missing: string[];
}

function linkWithC(m: BuiltModule, syms: Record<string, number>, qstrs: Record<string, number>, flash = FLASH, ram = RAM): Linked {
    const symPath = join(m.dir, 'syms.txt');
    writeFileSync(symPath, Object.entries(syms).map(([k, v]) => `S ${k} ${v.toString(16)}\n`).join('') +
        Object.entries(qstrs).map(([k, v]) => `Q ${k} ${v.toString(16)}\n`).join(''));
    const out = join(m.dir, 'image.bin');
    const r = run(tool, ['link', m.path, symPath, String(flash), String(ram), out, Buffer.from(ABI).toString('hex')], { allowFail: true });
    const layout: Record<string, number> = {};
    const exports: Record<string, number> = {};
    const missing: string[] = [];
    for (const line of r.out.split('\n')) {
        const [k, a, b] = line.split(' ');
        if (k === 'export') exports[a] = Number(b);
        else if (k === 'missing') missing.push(a);
        else if (k && a && /^\d+$/.test(a)) layout[k] = Number(a);
    }
    if (r.code !== 0) return { img: new Uint8Array(0), layout: { error: 1 }, exports, missing: [...missing, r.out] };
    return { img: new Uint8Array(readFileSync(out)), layout, exports, missing };
}

function compareWithOracle(m: BuiltModule, syms: Record<string, number>, qstrs: Record<string, number>) {
    const linked = linkWithC(m, syms, qstrs);
    assert.equal(linked.layout.error, undefined, linked.missing.join('\n'));
    const L = linked.layout;
    const defs: Record<string, number> = { ...syms };
    for (const [q, n] of Object.entries(qstrs)) {
        defs[`__dl_qstr_${q}`] = n;
        defs[`__dl_qobj_${q}`] = ((n << 3) | 2) >>> 0;
    }
    const oracle = parseElf(new Uint8Array(readFileSync(oracleLink(m.dir, m.objects, FLASH + L.text_off, RAM, defs))));
    const oText = sectionData(oracle, findSection(oracle, '.text')!);
    assert.equal(m.spec.text.length, oText.length);
    assert.deepEqual(Buffer.from(linked.img.subarray(L.text_off, L.text_off + oText.length)), Buffer.from(oText), 'text differs from ld');
    const oData = findSection(oracle, '.data');
    if (oData && oData.size) {
        const d = sectionData(oracle, oData);
        assert.deepEqual(Buffer.from(linked.img.subarray(L.data_init_off, L.data_init_off + d.length)), Buffer.from(d), 'data differs from ld');
    }
    const oInit = findSection(oracle, '.init_array');
    const iv = new DataView(linked.img.buffer, linked.img.byteOffset);
    if (oInit && oInit.size) {
        const d = sectionData(oracle, oInit);
        assert.deepEqual(Buffer.from(linked.img.subarray(L.ctors_off, L.ctors_off + d.length)), Buffer.from(d), 'constructors differ from ld');
    }
    for (const e of m.spec.exports) {
        assert.equal(linked.exports[e.name], findSymbol(oracle, e.name)!.value, `export ${e.name}`);
    }
    // the image header: RAM for data+bss where asked, name and sizes
    const bss = findSection(oracle, '.bss');
    assert.equal(iv.getUint32(64, true), RAM);
    assert.equal(L.ram_size, (bss && bss.size ? bss.addr + bss.size : RAM + m.spec.data.length) - RAM);
    return { linked, oracle };
}

test('selftest: CRC-32, BL encoding over its range, veneer bytes, tiny inputs', { skip }, () => {
    assert.match(run(tool, ['selftest']).out, /^ok/);
});

test('two-file module: installed bytes equal arm-none-eabi-ld at the final addresses', { skip }, () => {
    const m = buildModule(dir, 'demo', { 'a.c': MOD_A, 'b.c': MOD_B });
    // what the converter made of it
    assert.deepEqual([...m.spec.imports].sort(), ['__aeabi_d2iz', 'fw_counter', 'malloc', 'memcpy', 'mp_raise_msg', 'qsort', 'snprintf']);
    assert.deepEqual(m.spec.qstrs.sort(), ['hello', 'world']);
    assert.equal(m.spec.ctors.length, 2);
    assert.ok(m.spec.init);
    assert.ok(!m.spec.exports.some((e) => e.name === 'hidden_fn'), 'hidden symbols are not exported');
    assert.ok(m.spec.exports.some((e) => e.name === 'apply'));
    const syms = { snprintf: 0x10002001, malloc: 0x10003003, qsort: 0x10001235, mp_raise_msg: 0x10004005, memcpy: 0x100fff01, __aeabi_d2iz: 0x10000f81, fw_counter: 0x20001000 };
    const { linked } = compareWithOracle(m, syms, { hello: 0x1a3, world: 0x2b4 });
    // constructors in .init_array order (priority 200 first), init entry points at dl_init
    const v = new DataView(linked.img.buffer, linked.img.byteOffset);
    assert.equal(v.getUint32(0, true), 0x4d494c44, 'image magic');
    assert.equal(v.getUint32(8, true), crc32(linked.img.subarray(12)), 'image CRC');
    assert.equal(v.getUint32(80, true), linked.exports.dl_init, 'init entry');
    assert.equal(linked.layout.n_veneers, 0);
    assert.equal(linked.layout.installed, Math.ceil(linked.img.length / 256), 'programmed page by page into a NOR flash model');
});

test('libm from MicroPython: 1000+ calls to __aeabi_* imports relocated like ld does', { skip }, (t) => {
    let libm: string;
    try {
        libm = join(componentDir('micropython'), 'lib', 'libm');
    } catch {
        t.skip('micropython component not set up');
        return;
    }
    const tc = armToolchain()!;
    const mdir = join(dir, 'libm');
    run('mkdir', ['-p', mdir]);
    const objects: string[] = [];
    for (const f of readdirSync(libm).filter((f) => f.endsWith('.c') && !f.startsWith('thumb_')).slice(0, 40)) {
        const o = join(mdir, f.replace(/\.c$/, '.o'));
        const r = run(tc.gcc, [...MODULE_CFLAGS, '-w', '-I', libm, '-c', join(libm, f), '-o', o], { allowFail: true });
        if (r.code === 0) objects.push(o);
    }
    assert.ok(objects.length > 20);
    const m = buildModuleFromObjects(mdir, 'libm', objects);
    const calls = m.spec.relocs.filter((r) => r.type === R_THM_CALL).length;
    assert.ok(calls > 1000, `${calls} BL relocations`);
    const syms: Record<string, number> = {};
    m.spec.imports.forEach((name, i) => (syms[name] = 0x10010001 + 0x40 * i));
    compareWithOracle(m, syms, {});
});

test('calls out of BL range (a RAM function) go through a veneer that holds its address', { skip }, () => {
    const m = buildModule(dir, 'far', {
        'far.c': 'extern int ramfn(int); extern int near(int);\nint f(int x) { return ramfn(x) + near(x) + ramfn(x + 1); }\n',
    });
    const linked = linkWithC(m, { ramfn: 0x20000101, near: 0x10000201 }, {});
    assert.equal(linked.layout.n_veneers, 1);
    const L = linked.layout;
    const v = new DataView(linked.img.buffer, linked.img.byteOffset);
    const veneer = L.veneers_off;
    assert.deepEqual([...linked.img.subarray(veneer, veneer + 8)], [0x03, 0xb4, 0x01, 0x48, 0x01, 0x90, 0x01, 0xbd]);
    assert.equal(v.getUint32(veneer + 8, true), 0x20000101);
    const blTarget = (site: number) => {
        const hi = v.getUint16(L.text_off + site, true);
        const lo = v.getUint16(L.text_off + site + 2, true);
        const s = (hi >> 10) & 1;
        const i1 = ~((lo >> 13) ^ s) & 1;
        const i2 = ~((lo >> 11) ^ s) & 1;
        let imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((hi & 0x3ff) << 12) | ((lo & 0x7ff) << 1);
        if (s) imm -= 1 << 25;
        return FLASH + L.text_off + site + 4 + imm;
    };
    const targets = m.spec.relocs.filter((r) => r.type === R_THM_CALL).map((r) => [m.spec.imports[r.target], blTarget(r.offset)]);
    assert.deepEqual(targets.filter(([n]) => n === 'ramfn').map(([, a]) => a), [FLASH + veneer, FLASH + veneer]);
    assert.deepEqual(targets.filter(([n]) => n === 'near').map(([, a]) => a), [0x10000200]);
});

test('refusals from the linker: every missing symbol listed, BL to data, missing qstr, ABI mismatch', { skip }, () => {
    const m = buildModule(dir, 'refuse', {
        'r.c': 'extern int a1(void), a2(void), a3(void); extern const char __dl_qstr_zz[];\n' +
            'int f(void) { return a1() + a2() + a3() + (int)__dl_qstr_zz; }\n',
    });
    let r = linkWithC(m, { a2: 0x10000001 }, { zz: 5 });
    assert.equal(r.layout.error, 1);
    assert.deepEqual(r.missing.slice(0, 2).sort(), ['a1', 'a3']);
    assert.match(r.missing[2], /error missing symbol: 2 undefined symbols, first 'a[13]'/);
    r = linkWithC(m, { a1: 0x10000001, a2: SRAM_BASE, a3: 0x10000001 }, { zz: 5 });
    assert.match(r.missing.join(), /error bad relocation: call at text\+0x[0-9a-f]+ to 'a2', which is not a Thumb function/);
    r = linkWithC(m, { a1: 0x10000001, a2: 0x10000001, a3: 0x10000001 }, {});
    assert.match(r.missing.join(), /error qstr: cannot intern qstr 'zz'/);
    const other = Buffer.from(ABI);
    other[3] ^= 1;
    const p = run(tool, ['parse', m.path, other.toString('hex')], { allowFail: true });
    assert.equal(p.code, 1);
    assert.match(p.out, /^error ABI mismatch: built for firmware ABI a0a1a2a3a4a5a6a7, this firmware is a0a1a2a2a4a5a6a7/);
    assert.match(run(tool, ['parse', m.path, Buffer.from(ABI).toString('hex')]).out, /^ok refuse/);
});

// The same corrupted files must be refused by the C loader and the TypeScript reader with the same code.
test('C loader and TypeScript reader refuse the same malformed files with the same error', { skip }, () => {
    const m = buildModule(dir, 'parity', { 'a.c': MOD_A });
    const names: Record<string, string> = {
        magic: 'bad magic', version: 'bad version', class: 'bad class', endian: 'bad endianness', machine: 'bad machine',
        truncated: 'truncated', corrupt: 'corrupt', abi: 'ABI mismatch', bounds: 'out of bounds', overlap: 'overlap',
        align: 'bad alignment', strtab: 'bad string table', name: 'bad name', ref: 'bad reference',
        duplicate: 'duplicate export', 'reloc-type': 'unsupported relocation', reloc: 'bad relocation',
    };
    const f = m.file;
    const hv = new DataView(f.buffer, f.byteOffset);
    const H = (o: number) => hv.getUint32(o, true);
    const relocs = H(132);
    const fixCrc = (b: Uint8Array) => {
        new DataView(b.buffer, b.byteOffset).setUint32(16, crc32(b.subarray(20)), true);
        return b;
    };
    const edit = (fn: (v: DataView, b: Uint8Array) => void, crc = true) => {
        const b = Uint8Array.from(f);
        fn(new DataView(b.buffer), b);
        return crc ? fixCrc(b) : b;
    };
    const cases: [string, Uint8Array, string][] = [
        ['ELF file', edit((_, b) => b.set([0x7f, 0x45, 0x4c, 0x46])), 'magic'],
        ['version 2', edit((_, b) => (b[4] = 2)), 'version'],
        ['64-bit', edit((_, b) => (b[5] = 2)), 'class'],
        ['big-endian', edit((_, b) => (b[6] = 2)), 'endian'],
        ['x86', edit((v) => v.setUint16(8, 3, true)), 'machine'],
        ['ARMv7-M', edit((v) => v.setUint16(10, 2, true)), 'machine'],
        ['truncated', f.subarray(0, f.length - 1), 'truncated'],
        ['header only', f.subarray(0, 100), 'truncated'],
        ['trailing bytes', Uint8Array.from([...f, 0]), 'bounds'],
        ['one bit flipped', edit((_, b) => (b[200] ^= 4), false), 'corrupt'],
        ['flags', edit((v) => v.setUint32(52, 1, true)), 'version'],
        ['text past the end', edit((v) => v.setUint32(68, H(68) + 0x10000, true)), 'bounds'],
        ['text odd size', edit((v) => v.setUint32(68, H(68) - 2, true)), 'bounds'],
        ['huge bss', edit((v) => v.setUint32(88, 0x40000000, true)), 'bounds'],
        ['text alignment 3', edit((v) => v.setUint32(72, 3, true)), 'align'],
        ['relocs count overflow', edit((v) => v.setUint32(136, 0x20000001, true)), 'bounds'],
        ['data over text', edit((v) => v.setUint32(76, H(64) + 4, true)), 'overlap'],
        ['table in header', edit((v) => v.setUint32(100, 8, true)), 'overlap'],
        ['string table without NUL', edit((_, b) => (b[H(92) + H(96) - 1] = 0x41)), 'strtab'],
        ['import name offset', edit((v) => v.setUint32(H(100), 0xffff, true)), 'strtab'],
        ['module name', edit((_, b) => (b[H(92) + hv.getUint32(56, true)] = 0x2d)), 'name'],
        ['export outside data', edit((v) => { for (let i = 0; i < H(112); i++) if (v.getUint32(H(108) + 8 * i + 4, true) >>> 30 === 1) v.setUint32(H(108) + 8 * i + 4, (1 << 30) | 0x3fff0, true); }), 'ref'],
        ['constructor not Thumb', edit((v) => v.setUint32(H(116), v.getUint32(H(116), true) & ~1, true)), 'ref'],
        ['duplicate export', edit((v) => v.setUint32(H(108) + 8, v.getUint32(H(108), true), true)), 'duplicate'],
        ['relocation type 9', edit((_, b) => (b[relocs + 4] = 9)), 'reloc-type'],
        ['relocation past text', edit((v) => v.setUint32(relocs, H(68) - 2, true)), 'reloc'],
        ['relocations unsorted', edit((v) => v.setUint32(relocs + 8, v.getUint32(relocs, true), true)), 'reloc'],
        ['import index', edit((v) => v.setUint16(relocs + 6, 0x1234, true)), 'reloc'],
        ['BL site not BL', edit((v, b) => { for (let i = 0; i < H(136); i++) { const o = relocs + 8 * i; if (b[o + 4] === 2) { v.setUint16(H(64) + v.getUint32(o, true), 0x4770, true); break; } } }), 'reloc'],
    ];
    for (const [what, bytes, code] of cases) {
        const path = join(m.dir, 'bad.so');
        writeFileSync(path, bytes);
        const c = run(tool, ['parse', path, Buffer.from(ABI).toString('hex')], { allowFail: true });
        assert.equal(c.code, 1, `${what}: C accepted it`);
        assert.ok(c.out.startsWith(`error ${names[code]}:`), `${what}: C says ${c.out.trim()}, expected ${names[code]}`);
        assert.throws(() => decodeModule(bytes, { abi: ABI }), (e: Error & { code?: string }) => e.code === code, `${what}: TypeScript`);
    }
    assert.ok(existsSync(m.path));
});

test('moduleFromElf refuses code the loader cannot place: -fPIC (a GOT), thread-local data', { skip }, () => {
    assert.throws(() => buildModule(dir, 'pic', { 'p.c': 'extern int x; int f(void) { return x; }\n' }, ['-fPIC']),
        /section \.got is not supported in a module/);
    assert.throws(() => buildModule(dir, 'tls', { 't.c': '__thread int t; int f(void) { return t; }\n' }),
        /section \.tbss\S* is not supported in a module/);
});

test('qstr symbols: mangled names mapped back, numbers and objects patched in flash tables and RAM data', { skip }, () => {
    const m = buildModule(dir, 'qn', {
        'q.c': 'extern const char __dl_qstr__lt_module_gt_[], __dl_qobj__lt_module_gt_[], __dl_qobj_x[];\n' +
            'const void *const tab[] = {__dl_qobj__lt_module_gt_, __dl_qobj_x};\nconst void *ram[] = {__dl_qobj_x};\n' +
            'unsigned f(void) { return (unsigned)__dl_qstr__lt_module_gt_; }\n',
    }, [], { qstrName: (s) => s.replace(/_lt_/g, '<').replace(/_gt_/g, '>') });
    assert.deepEqual([...m.spec.qstrs].sort(), ['<module>', 'x']);
    // the C harness's symbol file cannot hold '<', so check the relocations the converter made
    const d = decodeModule(m.file);
    assert.equal(d.relocs.filter((r) => r.type === 4 && r.place === 'text').length, 2, 'two objects in the const table (flash)');
    assert.equal(d.relocs.filter((r) => r.type === 4 && r.place === 'data').length, 1, 'one object in RAM data');
    assert.equal(d.relocs.filter((r) => r.type === 3).length, 1, 'one qstr number in code');
});
