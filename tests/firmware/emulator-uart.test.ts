/**
 * The UART console path without a firmware: a few instructions of Thumb code (assembled here with
 * the arm-none-eabi toolchain) echo UART0 RX to TX by polling, while the host sends more than the
 * 32-byte RX FIFO holds. Checks our PL011 fixes: flow control on RX, TX at the baud rate, no lost bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { RP2040 } from 'rp2040js';
import { UartConsole } from '../../cli/emulator/console.js';
import { fixUart } from '../../cli/emulator/rp2040js-gaps.js';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';
import { hex32, SRAM_BASE } from '../../cli/chip/rp2040.js';

const ECHO = `
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    ldr r0, =0x40034000
rx: ldr r1, [r0, #0x18]
    movs r2, #0x10
    tst r1, r2
    bne rx
    ldr r3, [r0, #0]
tx: ldr r1, [r0, #0x18]
    movs r2, #0x20
    tst r1, r2
    bne tx
    str r3, [r0, #0]
    b rx
    .ltorg
`;

async function assemble(source: string): Promise<Uint8Array> {
    const tc = resolveToolchain();
    const dir = mkdtempSync(join(tmpdir(), 'mprt-uart-'));
    try {
        writeFileSync(join(dir, 'echo.S'), source);
        await execa(tc.gcc, ['-mcpu=cortex-m0plus', '-mthumb', '-nostdlib', `-Ttext=${hex32(SRAM_BASE)}`, join(dir, 'echo.S'), '-o', join(dir, 'echo.elf')]);
        await execa(tc.objcopy, ['-O', 'binary', join(dir, 'echo.elf'), join(dir, 'echo.bin')]);
        return readFileSync(join(dir, 'echo.bin'));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test('UART console: 200 bytes echoed through the 32-byte FIFOs at 115200 baud, none lost', async (t) => {
    let code: Uint8Array;
    try {
        code = await assemble(ECHO);
    } catch (err) {
        t.skip(`no arm-none-eabi toolchain: ${(err as Error).message.split('\n')[0]}`);
        return;
    }
    const mcu = new RP2040();
    mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
    fixUart(mcu.uart[0]);
    const received: number[] = [];
    const link = new UartConsole(mcu, (d) => received.push(...d));
    mcu.sram.set(code, 0);
    const base = 0x40034000;
    mcu.writeUint32(base + 0x24, 67); // IBRD: 125 MHz / (16 * 115200) = 67.8
    mcu.writeUint32(base + 0x28, 52); // FBRD
    mcu.writeUint32(base + 0x2c, 0x70); // 8 bits, FIFOs on
    mcu.writeUint32(base + 0x30, 0x301); // UARTEN, TXE, RXE
    mcu.core.PC = SRAM_BASE;
    const message = Uint8Array.from({ length: 200 }, (_, i) => 0x20 + (i % 90));
    link.send(message);
    const clock = mcu.clock as unknown as { nanos: number; tick(n: number): void };
    const nsPerCycle = 8;
    while (received.length < message.length && clock.nanos < 50e6) {
        clock.tick(mcu.core.executeInstruction() * nsPerCycle);
    }
    assert.deepEqual(Uint8Array.from(received), message);
    assert.equal(link.pending(), 0);
    // 200 frames of 10 bits at 115 200 baud (the divider gives 115 207) ≈ 17.4 ms
    const ms = clock.nanos / 1e6;
    assert.ok(ms > 17 && ms < 18.5, `took ${ms} emulated ms`);
});
