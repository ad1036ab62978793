/**
 * Our boot ROM (rom/bootrom.S) and its host services: the header and tables pico-sdk reads, the
 * lookup routine run on the emulated core, the stubs the harness finds, and NOR flash semantics.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { RP2040 } from 'rp2040js';
import { bkptAt, loadRomFile, ourRomPath, readRomTables, romCode, ROM_SIZE } from '../../cli/emulator/rom.js';
import { patchRealRom, RomServices } from '../../cli/emulator/rom-services.js';
import { SD_TABLE, SD_V2_INTERNALS, SF_TABLE } from '../../cli/emulator/rom-float.js';

const FUNCTIONS = ['P3', 'R3', 'L3', 'T3', 'MS', 'S4', 'MC', 'C4', 'IF', 'EX', 'RE', 'RP', 'FC', 'CX', 'UB'];

let rom: Uint8Array;
let romPath: string;
before(async () => {
    romPath = await ourRomPath();
    rom = loadRomFile(romPath);
});

function chip(faults: string[] = []) {
    const mcu = new RP2040();
    mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
    mcu.loadBootrom(new Uint32Array(rom.buffer.slice(0)));
    const services = new RomServices(mcu, rom, { flashWritten() {}, usbBoot() {}, fault: (m) => faults.push(m) }, { SF_TABLE, SD_TABLE, SD_V2_INTERNALS });
    services.install();
    return { mcu, services };
}

/** Calls a ROM function on the emulated core; returns r0 (and r1) when it comes back to a trap in SRAM. */
function call(mcu: RP2040, entry: number, args: number[]): { r0: number; r1: number; steps: number } {
    const core = mcu.core;
    const ret = 0x20000100;
    mcu.writeUint16(ret, 0xbeff); // bkpt #0xff outside the ROM: the harness reports it as a fault
    args.forEach((v, i) => (core.registers[i] = v >>> 0));
    core.SP = 0x20001000;
    core.LR = ret | 1;
    core.PC = entry & ~1;
    let steps = 0;
    while (core.PC !== ret && steps < 10_000) {
        core.executeInstruction();
        steps++;
    }
    return { r0: core.registers[0], r1: core.registers[1], steps };
}

describe('boot ROM image', () => {
    test('fits the 16 KB ROM and has the RP2040 header, version 2', () => {
        assert.ok(readFileSync(romPath).length <= ROM_SIZE);
        assert.deepEqual([...rom.subarray(0x10, 0x14)], [0x4d, 0x75, 0x01, 0x02]);
        const t = readRomTables(rom);
        assert.equal(t.version, 2);
        assert.equal(rom[0x18] & 1, 1, 'the lookup routine pointer is a Thumb address');
    });

    test('every function pico-sdk uses is in the table, as a distinct BKPT stub', () => {
        const t = readRomTables(rom);
        const ids = new Set<number>();
        for (const code of FUNCTIONS) {
            const addr = t.functions.get(code);
            assert.ok(addr !== undefined, `function ${code}`);
            assert.equal(addr & 1, 1, `${code} is a Thumb address`);
            const id = bkptAt(rom, addr);
            assert.ok(id !== undefined, `${code} is a BKPT stub`);
            assert.ok(!ids.has(id), `${code} has its own id`);
            ids.add(id);
        }
    });

    test('SF and SD tables: 32 stub entries, their size in the byte before them', () => {
        const t = readRomTables(rom);
        for (const code of ['SF', 'SD']) {
            const table = t.data.get(code)!;
            assert.ok(table !== undefined && table % 4 === 0, code);
            assert.equal(rom[table - 2] * 4, 0x80);
            for (let slot = 0; slot < 32; slot++) {
                const ptr = new DataView(rom.buffer).getUint32(table + 4 * slot, true);
                assert.ok(bkptAt(rom, ptr) !== undefined, `${code} slot ${slot}`);
            }
        }
    });

    test('the v2 double sincos helpers sit at their fixed addresses with the real first instruction', () => {
        const hw = (a: number) => rom[a] | (rom[a + 1] << 8);
        assert.equal(hw(0x3854), 0xb500);
        assert.equal(hw(0x389c), 0x4659);
        assert.equal(hw(0x38d8), 0x4649);
    });

    test('a real ROM image gets its flash functions patched into stubs', () => {
        const copy = rom.slice();
        const re = readRomTables(copy).functions.get('RE')!;
        copy[re & ~1] = 0; // pretend it is real code
        copy[(re & ~1) + 1] = 0xb5;
        patchRealRom(copy);
        assert.ok(bkptAt(copy, re) !== undefined);
    });
});

describe('boot ROM on the emulated core', () => {
    test('rom_table_lookup (run natively) finds functions and data, 0 for unknown codes', () => {
        const { mcu } = chip();
        const lookup = rom[0x18] | (rom[0x19] << 8);
        const funcTable = rom[0x14] | (rom[0x15] << 8);
        const dataTable = rom[0x16] | (rom[0x17] << 8);
        const t = readRomTables(rom);
        assert.equal(call(mcu, lookup, [funcTable, romCode('RP')]).r0, t.functions.get('RP'));
        assert.equal(call(mcu, lookup, [dataTable, romCode('SF')]).r0, t.data.get('SF'));
        assert.equal(call(mcu, lookup, [funcTable, romCode('ZZ')]).r0, 0);
    });

    test('bit operations and memory functions return to LR with their results', () => {
        const { mcu } = chip();
        const f = readRomTables(rom).functions;
        assert.equal(call(mcu, f.get('P3')!, [0xf0f0_0001]).r0, 9);
        assert.equal(call(mcu, f.get('R3')!, [0x0000_0001]).r0, 0x8000_0000);
        assert.equal(call(mcu, f.get('L3')!, [0x0001_0000]).r0, 15);
        assert.equal(call(mcu, f.get('T3')!, [0x0001_0000]).r0, 16);
        assert.equal(call(mcu, f.get('T3')!, [0]).r0, 32);
        const dst = 0x20002000;
        const src = 0x20003000;
        for (let i = 0; i < 16; i++) mcu.writeUint8(src + i, i + 1);
        const r = call(mcu, f.get('MC')!, [dst, src, 16]);
        assert.equal(r.r0, dst);
        assert.equal(r.steps, 1, 'a host-serviced call is a single instruction');
        assert.deepEqual([...mcu.sram.subarray(0x2000, 0x2010)], [...Array(16).keys()].map((i) => i + 1));
        call(mcu, f.get('MS')!, [dst, 0xab, 8]);
        assert.deepEqual([...mcu.sram.subarray(0x2000, 0x2009)], [0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 9]);
    });

    test('flash erase works on whole 4 KB sectors; program ANDs bits (NOR)', () => {
        const { mcu } = chip();
        const f = readRomTables(rom).functions;
        mcu.flash.fill(0x00, 0x10000, 0x12000);
        call(mcu, f.get('RE')!, [0x10000, 4096, 65536, 0xd8]);
        assert.ok(mcu.flash.subarray(0x10000, 0x11000).every((b) => b === 0xff));
        assert.ok(mcu.flash.subarray(0x11000, 0x12000).every((b) => b === 0x00), 'next sector untouched');
        const buf = 0x20004000;
        for (let i = 0; i < 256; i++) mcu.writeUint8(buf + i, 0xf0);
        call(mcu, f.get('RP')!, [0x10000, buf, 256]);
        assert.equal(mcu.flash[0x10000], 0xf0);
        for (let i = 0; i < 256; i++) mcu.writeUint8(buf + i, 0x3c);
        call(mcu, f.get('RP')!, [0x10000, buf, 256]);
        assert.equal(mcu.flash[0x10000], 0x30, 'programming can only clear bits');
        assert.equal(mcu.flash[0x10100], 0xff, 'only one page programmed');
    });

    test('soft-float entries dispatch to the host handlers', () => {
        const { mcu } = chip();
        const table = readRomTables(rom).data.get('SF')!;
        const fmul = new DataView(rom.buffer).getUint32(table + 0x08, true);
        const f32 = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
        assert.equal(call(mcu, fmul, [f32(1.5), f32(2)]).r0, f32(3));
    });

    test('an unimplemented or foreign BKPT is reported, not ignored', () => {
        const faults: string[] = [];
        const { mcu } = chip(faults);
        mcu.writeUint16(0x20000200, 0xbe07);
        const r = call(mcu, 0x20000200, []);
        assert.ok(faults.length >= 1);
        assert.match(faults[0], /breakpoint.*0x20000200/);
        assert.equal(mcu.core.PC, 0x20000200, 'the core stays on the trapping instruction');
        assert.equal(r.steps, 10_000);
    });
});
