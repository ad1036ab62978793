/**
 * The host side of our boot ROM: every ROM entry that is a `bkpt #id` stub is serviced here, in
 * rp2040js's onBreak callback. rp2040js calls onBreak(imm8) while executing the BKPT, with PC already
 * past it (PC = stub + 2); we do the work on r0..r3 and memory, then return to LR ourselves. A host
 * call therefore costs the BKPT's one cycle and nothing else in emulated time (see docs/emulator.md).
 *
 * The stubs are found by walking the ROM's own function and data tables, so the ids in rom/bootrom.S
 * only need to be unique. With a real ROM image (--bootrom), the flash functions are patched into
 * stubs (rp2040js does not model the QSPI flash chip) and everything else runs natively.
 */
import type { RP2040 } from 'rp2040js';
import { FLASH_PAGE_SIZE, FLASH_SECTOR_SIZE, ROM_BASE, ROM_SIZE, SRAM_BASE } from '../chip/rp2040.js';
import { bkptAt, readRomTables, type RomTables } from './rom.js';
import type { FloatRomEntry, FloatRomInternal, FloatRomResult } from './rom-float.js';

/** What cli/emulator/rom-float.ts exports: the SF and SD tables and the v2 fixed-address helpers. */
export interface FloatTables {
    SF_TABLE: FloatRomEntry[];
    SD_TABLE: FloatRomEntry[];
    SD_V2_INTERNALS?: FloatRomInternal[];
}

/** A flash erase or program call the firmware makes (offset from the start of flash). */
export interface FlashOp {
    kind: 'erase' | 'program';
    offset: number;
    length: number;
}

/**
 * A power cut at a flash call, for tests: before the call (nothing changes), halfway through it (the
 * first half of the bytes erased or programmed), or right after it.
 */
export type PowerCut = 'before' | 'half' | 'after';

export interface RomServiceEvents {
    /** The firmware erased or programmed flash. */
    flashWritten(offset: number, length: number): void;
    /** Asked before each flash erase/program: a power cut to inject there, if any. */
    flashWriting?(op: FlashOp): PowerCut | undefined;
    /** The injected power cut happened: the chip must stop now and start again from its flash. */
    powerLost?(): void;
    /** reset_to_usb_boot ('UB') was called: a real board would now show its BOOTSEL drive. */
    usbBoot(gpioActivityMask: number, disableInterfaceMask: number): void;
    /** A trap the harness cannot service (unimplemented entry, firmware BKPT, fault in ROM). */
    fault(message: string): void;
}

/** Flash functions a real ROM image gets patched into stubs for, with the ids used for the patch. */
const FLASH_PATCH_IDS: [string, number][] = [
    ['IF', 0x09], ['EX', 0x0a], ['RE', 0x0b], ['RP', 0x0c], ['FC', 0x0d], ['CX', 0x0e],
];

/** Overwrites the first 4 bytes of the flash functions of a real ROM with `bkpt #id; bx lr`. */
export function patchRealRom(rom: Uint8Array): void {
    const tables = readRomTables(rom);
    for (const [code, id] of FLASH_PATCH_IDS) {
        const addr = tables.functions.get(code);
        if (addr === undefined) continue;
        const a = addr & ~1;
        rom.set([id, 0xbe, 0x70, 0x47], a);
    }
}

type Handler = () => void;
/** Handlers that return to LR themselves; the others let the ROM code after the BKPT run. */
interface Service {
    run: Handler;
    returnToLr: boolean;
}

export class RomServices {
    readonly tables: RomTables;
    private readonly handlers: (Service | undefined)[] = new Array(256);
    /** Which service each bkpt id maps to, for messages and tests ('MC', 'SF+0x08', ...). */
    readonly names: (string | undefined)[] = new Array(256);
    /** Number of host-serviced calls, by name. */
    readonly callCounts = new Map<string, number>();
    countCalls = false;

    constructor(
        private readonly mcu: RP2040,
        rom: Uint8Array,
        private readonly events: RomServiceEvents,
        float?: FloatTables,
    ) {
        this.tables = readRomTables(rom);
        const fn = this.functionHandlers();
        for (const [code, addr] of this.tables.functions) {
            const handler = fn[code];
            const id = bkptAt(rom, addr);
            if (id === undefined) continue;
            this.names[id] = code;
            this.handlers[id] = {
                run: handler ?? (() => this.events.fault(`ROM function '${code}' is not implemented by the emulator`)),
                returnToLr: true,
            };
        }
        for (const code of ['SF', 'SD'] as const) {
            const table = this.tables.data.get(code);
            if (table === undefined) continue;
            const entries = float ? (code === 'SF' ? float.SF_TABLE : float.SD_TABLE) : [];
            const words = rom[table - 2] || 32;
            for (let slot = 0; slot < words; slot++) {
                const at = table + 4 * slot;
                const ptr = rom[at] | (rom[at + 1] << 8) | (rom[at + 2] << 16) | (rom[at + 3] << 24);
                const id = bkptAt(rom, ptr);
                if (id === undefined) continue;
                const offset = slot * 4;
                const entry = entries.find((e) => e.offset === offset);
                const name = `${code}+0x${offset.toString(16).padStart(2, '0')}${entry ? ` (${entry.name})` : ''}`;
                this.names[id] = name;
                this.handlers[id] = {
                    run: entry
                        ? () => this.setResult(entry.call(this.mcu.core.registers.subarray(0, 4)))
                        : () => this.events.fault(`soft-float ROM entry ${name} is not implemented by the emulator`),
                    returnToLr: true,
                };
            }
        }
        for (const internal of float?.SD_V2_INTERNALS ?? []) {
            // the stand-in starts with the real routine's first instruction; the BKPT follows it
            const id = bkptAt(rom, internal.address) ?? bkptAt(rom, internal.address + 2);
            if (id === undefined) continue;
            this.names[id] = internal.name;
            this.handlers[id] = {
                run: () => this.setResult(internal.call(this.mcu.core.registers.subarray(0, 8))),
                returnToLr: false,
            };
        }
    }

    /** Install as the chip's BKPT handler. */
    install(): void {
        this.mcu.onBreak = (imm: number) => this.onBreak(imm);
    }

    private onBreak(imm: number): void {
        const core = this.mcu.core;
        const at = (core.PC - 2) >>> 0;
        const handler = at >= ROM_BASE && at < ROM_BASE + ROM_SIZE ? this.handlers[imm] : undefined;
        if (!handler) {
            core.PC = at; // stay on the instruction, as a debugger would see it
            this.events.fault(`firmware stopped at a breakpoint/undefined instruction (#${imm}) at 0x${at.toString(16)}`);
            return;
        }
        if (this.countCalls) {
            const name = this.names[imm] ?? String(imm);
            this.callCounts.set(name, (this.callCounts.get(name) ?? 0) + 1);
        }
        if (handler.returnToLr) core.PC = (core.registers[14] & ~1) >>> 0;
        handler.run();
    }

    private setResult(res: FloatRomResult): void {
        const core = this.mcu.core;
        const regs = core.registers;
        regs[0] = res.r0;
        if (res.r1 !== undefined) regs[1] = res.r1;
        if (res.r2 !== undefined) regs[2] = res.r2;
        if (res.r3 !== undefined) regs[3] = res.r3;
        if (res.r4 !== undefined) regs[4] = res.r4;
        if (res.r5 !== undefined) regs[5] = res.r5;
        if (res.r6 !== undefined) regs[6] = res.r6;
        if (res.r7 !== undefined) regs[7] = res.r7;
        if (res.flags) {
            core.N = res.flags.n;
            core.Z = res.flags.z;
            core.C = res.flags.c;
            core.V = res.flags.v;
        }
    }

    // ---- memory helpers: a fast path for SRAM, the bus for anything else ----

    private inSram(addr: number, len: number): boolean {
        return addr >= SRAM_BASE && addr + len <= SRAM_BASE + this.mcu.sram.length;
    }

    readBytes(addr: number, len: number): Uint8Array {
        if (this.inSram(addr, len)) return this.mcu.sram.slice(addr - SRAM_BASE, addr - SRAM_BASE + len);
        const out = new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = this.mcu.readUint8((addr + i) >>> 0);
        return out;
    }

    private writeBytes(addr: number, data: Uint8Array): void {
        if (this.inSram(addr, data.length)) {
            this.mcu.sram.set(data, addr - SRAM_BASE);
            return;
        }
        for (let i = 0; i < data.length; i++) this.mcu.writeUint8((addr + i) >>> 0, data[i]);
    }

    private fill(addr: number, value: number, len: number): void {
        if (this.inSram(addr, len)) {
            this.mcu.sram.fill(value, addr - SRAM_BASE, addr - SRAM_BASE + len);
            return;
        }
        for (let i = 0; i < len; i++) this.mcu.writeUint8((addr + i) >>> 0, value);
    }

    private copy(dst: number, src: number, len: number): void {
        if (len <= 0) return;
        if (this.inSram(dst, len) && this.inSram(src, len)) {
            this.mcu.sram.copyWithin(dst - SRAM_BASE, src - SRAM_BASE, src - SRAM_BASE + len);
            return;
        }
        this.writeBytes(dst, this.readBytes(src, len));
    }

    // ---- flash: the RP2040's W25Q16 is NOR flash: erase sets 4 KB sectors to 0xff, program ANDs ----

    /** flash_range_erase(offset, count, block_size, block_cmd): erases every 4 KB sector the range touches. */
    eraseFlash(offset: number, count: number): void {
        const flash = this.mcu.flash;
        if (count === 0) return;
        const start = Math.floor(offset / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
        const end = Math.ceil((offset + count) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
        if (start >= flash.length) return;
        flash.fill(0xff, start, Math.min(end, flash.length));
        this.events.flashWritten(start, end - start);
    }

    /** flash_range_program(offset, data, count): page programming, wrapping within each 256-byte page. */
    programFlash(offset: number, data: Uint8Array): void {
        const flash = this.mcu.flash;
        for (let i = 0; i < data.length; i++) {
            const a = offset + i;
            const page = a - (a % FLASH_PAGE_SIZE);
            const target = page + (a % FLASH_PAGE_SIZE);
            if (target < flash.length) flash[target] &= data[i];
        }
        if (data.length) this.events.flashWritten(offset, data.length);
    }

    /** A flash call, with the power cut the events ask for, if any. */
    private flashCall(op: FlashOp, data?: Uint8Array): void {
        const cut = this.events.flashWriting?.(op);
        if (cut === undefined || cut === 'after') {
            if (op.kind === 'erase') this.eraseFlash(op.offset, op.length);
            else this.programFlash(op.offset, data ?? new Uint8Array());
        } else if (cut === 'half') {
            const half = Math.floor(op.length / 2);
            if (op.kind === 'erase') {
                const start = Math.floor(op.offset / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
                this.mcu.flash.fill(0xff, start, Math.min(start + half, this.mcu.flash.length));
                this.events.flashWritten(start, half);
            } else {
                this.programFlash(op.offset, (data ?? new Uint8Array()).subarray(0, half));
            }
        }
        if (cut !== undefined) this.events.powerLost?.();
    }

    private functionHandlers(): Record<string, Handler> {
        // the registers of the core making the call, looked up per call (two cores: cli/emulator/dualcore.ts)
        const mcu = this.mcu;
        const regs = () => mcu.core.registers;
        const nop = () => undefined;
        return {
            P3: () => {
                let v = regs()[0];
                v = v - ((v >>> 1) & 0x55555555);
                v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
                regs()[0] = (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
            },
            R3: () => {
                let v = regs()[0];
                let out = 0;
                for (let i = 0; i < 32; i++) {
                    out = (out << 1) | (v & 1);
                    v >>>= 1;
                }
                regs()[0] = out >>> 0;
            },
            L3: () => {
                regs()[0] = Math.clz32(regs()[0]);
            },
            T3: () => {
                const v = regs()[0];
                regs()[0] = v === 0 ? 32 : 31 - Math.clz32(v & -v);
            },
            MS: () => this.fill(regs()[0], regs()[1] & 0xff, regs()[2]),
            S4: () => this.fill(regs()[0], regs()[1] & 0xff, regs()[2]),
            MC: () => this.copy(regs()[0], regs()[1], regs()[2]),
            C4: () => this.copy(regs()[0], regs()[1], regs()[2]),
            IF: nop,
            EX: nop,
            FC: nop,
            CX: nop,
            RE: () => this.flashCall({ kind: 'erase', offset: regs()[0], length: regs()[1] }),
            RP: () => this.flashCall({ kind: 'program', offset: regs()[0], length: regs()[2] }, this.readBytes(regs()[1], regs()[2])),
            UB: () => this.events.usbBoot(regs()[0], regs()[1]),
        };
    }
}
