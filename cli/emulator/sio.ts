/**
 * The RP2040's SIO as the two cores see it. rp2040js has one SIO object, seen by one core: here each core
 * gets its own view (SioPort) over what is shared and what is per core on the real chip:
 * - shared: GPIO registers (delegated to rp2040js's own SIO object, which the GPIO pins read), the 32
 *   hardware spinlocks and SPINLOCK_ST, the two inter-core FIFOs (one each way, 8 words deep);
 * - per core: CPUID (0 or 1), the FIFO status seen from that side (VLD, RDY and the sticky WOF/ROE), the
 *   hardware divider and the two interpolators (an rp2040js SIO object per core serves those), and the
 *   SIO_IRQ_PROCn interrupt, raised while the core's FIFO_ST has VLD, WOF or ROE set.
 */

export const SIO_CPUID = 0x000;
const GPIO_LAST = 0x04c;
export const SIO_FIFO_ST = 0x050;
export const SIO_FIFO_WR = 0x054;
export const SIO_FIFO_RD = 0x058;
const SPINLOCK_ST = 0x05c;
const DIV_FIRST = 0x060;
const INTERP_LAST = 0x0fc;
const SPINLOCK0 = 0x100;
const SPINLOCK31 = 0x17c;

export const FIFO_VLD = 1 << 0;
export const FIFO_RDY = 1 << 1;
export const FIFO_WOF = 1 << 2;
export const FIFO_ROE = 1 << 3;
export const FIFO_DEPTH = 8;

/** What of rp2040js's SIO object a port uses: its register interface. */
export interface SioRegisters {
    readUint32(offset: number): number;
    writeUint32(offset: number, value: number): void;
}

/** A bounded word queue (the hardware FIFO); a ring buffer, so pushes and pops allocate nothing. */
class WordFifo {
    private readonly words = new Uint32Array(FIFO_DEPTH);
    private head = 0;
    count = 0;

    push(value: number): boolean {
        if (this.count === FIFO_DEPTH) return false;
        this.words[(this.head + this.count) % FIFO_DEPTH] = value;
        this.count++;
        return true;
    }

    pop(): number | undefined {
        if (this.count === 0) return undefined;
        const value = this.words[this.head];
        this.head = (this.head + 1) % FIFO_DEPTH;
        this.count--;
        return value;
    }

    clear(): void {
        this.head = 0;
        this.count = 0;
    }
}

/** Everything in the SIO that both cores share (spinlocks, the FIFOs) plus the per-core FIFO flags. */
export class SioShared {
    /** Bit n set: spinlock n is held. */
    spinlocks = 0;
    /** fifos[n]: the FIFO core n reads (written by the other core). */
    readonly fifos = [new WordFifo(), new WordFifo()];
    /** Sticky WOF/ROE flags, per core. */
    readonly sticky = [0, 0];

    /**
     * @param gpio rp2040js's SIO object: GPIO registers live there (its GPIO pins read its fields)
     * @param raiseFifoIrq sets the level of SIO_IRQ_PROCn on core n (only that core's NVIC sees it)
     */
    constructor(
        readonly gpio: SioRegisters,
        private readonly raiseFifoIrq: (core: number, level: boolean) => void,
    ) {}

    fifoStatus(core: number): number {
        return (
            (this.fifos[core].count ? FIFO_VLD : 0) |
            (this.fifos[core ^ 1].count < FIFO_DEPTH ? FIFO_RDY : 0) |
            this.sticky[core]
        );
    }

    /** Recomputes SIO_IRQ_PROCn: VLD, WOF or ROE. */
    updateIrq(core: number): void {
        this.raiseFifoIrq(core, (this.fifoStatus(core) & (FIFO_VLD | FIFO_WOF | FIFO_ROE)) !== 0);
    }

    push(fromCore: number, value: number): void {
        if (!this.fifos[fromCore ^ 1].push(value >>> 0)) {
            this.sticky[fromCore] |= FIFO_WOF;
            this.updateIrq(fromCore);
            return;
        }
        this.updateIrq(fromCore ^ 1);
    }

    pop(core: number): number {
        const value = this.fifos[core].pop();
        if (value === undefined) this.sticky[core] |= FIFO_ROE;
        this.updateIrq(core);
        return value ?? 0;
    }

    /** Drops the FIFO a core reads (core 1 going through reset; its ROM drains it anyway). */
    clearFifo(core: number): void {
        this.fifos[core].clear();
        this.sticky[core] = 0;
        this.updateIrq(core);
    }
}

/** One core's view of the SIO (what that core reads at SIO_BASE, cli/chip/rp2040.ts). */
export class SioPort implements SioRegisters {
    constructor(
        readonly core: number,
        private readonly shared: SioShared,
        /** An rp2040js SIO object for this core alone: its divider and interpolators. */
        private readonly local: SioRegisters,
    ) {}

    readUint32(offset: number): number {
        if (offset === SIO_CPUID) return this.core;
        if (offset <= GPIO_LAST) return this.shared.gpio.readUint32(offset);
        switch (offset) {
            case SIO_FIFO_ST:
                return this.shared.fifoStatus(this.core);
            case SIO_FIFO_WR:
                return 0;
            case SIO_FIFO_RD:
                return this.shared.pop(this.core);
            case SPINLOCK_ST:
                return this.shared.spinlocks >>> 0;
        }
        if (offset >= DIV_FIRST && offset <= INTERP_LAST) return this.local.readUint32(offset);
        if (offset >= SPINLOCK0 && offset <= SPINLOCK31 && !(offset & 3)) {
            const bit = 1 << ((offset - SPINLOCK0) >> 2);
            if (this.shared.spinlocks & bit) return 0;
            this.shared.spinlocks |= bit;
            return bit >>> 0;
        }
        return this.shared.gpio.readUint32(offset);
    }

    writeUint32(offset: number, value: number): void {
        if (offset === SIO_CPUID) return;
        if (offset <= GPIO_LAST) {
            this.shared.gpio.writeUint32(offset, value);
            return;
        }
        switch (offset) {
            case SIO_FIFO_ST:
                // WOF and ROE are write-to-clear
                this.shared.sticky[this.core] &= ~(value & (FIFO_WOF | FIFO_ROE));
                this.shared.updateIrq(this.core);
                return;
            case SIO_FIFO_WR:
                this.shared.push(this.core, value);
                return;
            case SIO_FIFO_RD:
            case SPINLOCK_ST:
                return;
        }
        if (offset >= DIV_FIRST && offset <= INTERP_LAST) {
            this.local.writeUint32(offset, value);
            return;
        }
        if (offset >= SPINLOCK0 && offset <= SPINLOCK31 && !(offset & 3)) {
            this.shared.spinlocks &= ~(1 << ((offset - SPINLOCK0) >> 2));
            return;
        }
        this.shared.gpio.writeUint32(offset, value);
    }
}
