/**
 * Runs linked module code: the host-built linker installs a module at two different flash/RAM places, and
 * rp2040js executes it from flash (XIP addresses) with its data in SRAM, calling "firmware" functions in
 * flash and in RAM (through a veneer), reaching firmware data, module data, bss, function pointer tables
 * in flash and in RAM, qstrs and constructors. What the bytes mean, not only what they are.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RP2040 } from 'rp2040js';
import { armToolchain, buildHost, buildModule, run, scratchDir } from './dynlink-support.js';
import { FLASH_BASE, SRAM_BASE } from '../../cli/chip/rp2040.js';

const skip = armToolchain() === null ? 'arm-none-eabi toolchain not found' : false;
const dir = scratchDir('mprt-dlexec-');
after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `
#include <stdint.h>
extern int ext_add(int, int);
extern int ram_mul(int, int);
extern int fw_counter;
extern const char __dl_qstr_spam[], __dl_qobj_spam[];
static int base = 100;
static int acc;
static int sq(int x) { return x * x; }
static int neg(int x) { return -x; }
typedef int (*fn_t)(int);
static const fn_t table[] = {sq, neg};
static int *const accp = &acc;
int *datap = &base;
fn_t hook = neg;
int (*imp)(int, int) = ext_add;
const uintptr_t qs[] = {(uintptr_t)__dl_qobj_spam};
int ctor_ran;
__attribute__((constructor)) static void c1(void) { ctor_ran = ctor_ran * 10 + 1; }
__attribute__((constructor(101))) static void c0(void) { ctor_ran = ctor_ran * 10 + 2; }
int get_ctor_ran(void) { return ctor_ran; }
int run(int x) {
    int a = ext_add(x, *datap);
    int b = ram_mul(a, 3);
    *accp += b;
    fw_counter += 1;
    int c = table[x & 1](x) + hook(x) + imp(x, 1);
    return b + c + acc;
}
uintptr_t q(void) { return (uintptr_t)__dl_qstr_spam + qs[0]; }
`;

const EXT_ADD = 0x10000101; // adds r0, r0, r1; bx lr   (firmware flash)
const RAM_MUL = 0x20000101; // muls r0, r1, r0; bx lr   (firmware RAM: out of BL range from flash)
const FW_COUNTER = 0x20000200;
const RETURN_STUB = 0x20000300; // bkpt #0
const QSTR_SPAM = 0x155;

function expectRun(x: number, acc: number): { ret: number; acc: number } {
    const a = x + 100;
    const b = a * 3;
    acc += b;
    const c = (x & 1 ? -x : x * x) - x + (x + 1);
    return { ret: b + c + acc, acc };
}

class Board {
    readonly mcu = new RP2040();
    private stopped = false;

    constructor(image: Uint8Array, flashBase: number) {
        const m = this.mcu;
        m.flash.set(image, flashBase - FLASH_BASE);
        m.flashView.setUint32(EXT_ADD - 1 - FLASH_BASE, 0x47701840, true);
        m.sramView.setUint32(RAM_MUL - 1 - SRAM_BASE, 0x47704348, true);
        m.sramView.setUint16(RETURN_STUB - SRAM_BASE, 0xbe00, true);
        m.onBreak = () => {
            this.stopped = true;
        };
        // what the firmware does when it loads a module: data from its initialiser, bss zeroed, constructors
        const h = new DataView(image.buffer, image.byteOffset);
        const dataInit = h.getUint32(60, true) - flashBase;
        const ram = h.getUint32(64, true) - SRAM_BASE;
        const dataSize = h.getUint32(72, true);
        const bssSize = h.getUint32(76, true);
        m.sram.set(image.subarray(dataInit, dataInit + dataSize), ram);
        m.sram.fill(0, ram + dataSize, ram + dataSize + bssSize);
        const ctors = h.getUint32(84, true) - flashBase;
        for (let i = 0; i < h.getUint32(88, true); i++) this.call(h.getUint32(ctors + 4 * i, true));
    }

    call(fn: number, ...args: number[]): number {
        const core = this.mcu.core;
        args.forEach((a, i) => (core.registers[i] = a));
        core.SP = 0x20041000;
        core.LR = RETURN_STUB | 1;
        core.PC = fn & ~1;
        this.stopped = false;
        for (let i = 0; i < 100_000 && !this.stopped; i++) core.executeInstruction();
        assert.ok(this.stopped, `call to 0x${fn.toString(16)} did not return`);
        assert.equal(core.SP, 0x20041000, 'stack balanced');
        return core.registers[0] | 0;
    }
}

test('installed code runs from flash at two different places, imports through BL and a veneer', { skip }, () => {
    const tool = buildHost(dir, 'dl_host_test.c');
    const m = buildModule(dir, 'exec', { 'exec.c': SOURCE });
    const syms = join(m.dir, 'syms.txt');
    writeFileSync(syms, `S ext_add ${EXT_ADD.toString(16)}\nS ram_mul ${RAM_MUL.toString(16)}\nS fw_counter ${FW_COUNTER.toString(16)}\nQ spam ${QSTR_SPAM.toString(16)}\n`);
    for (const [flash, ram] of [[0x10100000, 0x20030000], [0x101f3004, 0x20020008]]) {
        const out = join(m.dir, `image-${flash.toString(16)}.bin`);
        const r = run(tool, ['link', m.path, syms, String(flash), String(ram), out]);
        assert.match(r.out, /^n_veneers 1$/m, 'ram_mul is called through a veneer');
        const exports = Object.fromEntries([...r.out.matchAll(/^export (\S+) (0x[0-9a-f]+)$/gm)].map((x) => [x[1], Number(x[2])]));
        for (const name of ['run', 'q', 'get_ctor_ran']) {
            assert.ok(exports[name] >= flash && exports[name] < flash + 0x10000, `${name} is in the module's flash`);
        }
        assert.ok(exports.datap >= ram && exports.datap < ram + 0x100, 'datap is in the module RAM');
        const board = new Board(new Uint8Array(readFileSync(out)), flash);
        assert.equal(board.call(exports.get_ctor_ran), 21, 'constructors ran, priority 101 first');
        let acc = 0;
        for (const x of [5, 6, 7]) {
            const want = expectRun(x, acc);
            acc = want.acc;
            assert.equal(board.call(exports.run, x), want.ret, `run(${x}) at flash 0x${flash.toString(16)}`);
        }
        assert.equal(board.mcu.sramView.getUint32(FW_COUNTER - SRAM_BASE, true), 3, 'firmware data reached');
        assert.equal(board.call(exports.q) >>> 0, QSTR_SPAM + ((QSTR_SPAM << 3) | 2), 'qstr number and object');
    }
});
