/**
 * The PWM's DMA request as a handshake (docs/emulator.md, "PIO timing" and audio). On the chip a slice's
 * DREQ_PWM_WRAPn asks for one transfer per counter wrap and is dropped when the DMA answers it. rp2040js
 * 1.4.1 raises it at the first wrap and never drops it, so a DMA channel paced by it runs at full speed
 * from then on (machine.AudioOutPwm's samples all went out at once). Here the request is dropped when the
 * slice's CC register is written (what a PWM-paced channel does): one transfer per wrap, and a wrap
 * that comes while the channel is idle stays pending until it restarts, as on the chip.
 */
import type { RP2040 } from 'rp2040js';
import { page } from '../chip/rp2040.js';

const PWM_BASE = 0x40050000;
const DREQ_PWM_WRAP0 = 24;
const SLICES = 8;
const CH_STRIDE = 0x14;
const CH_CC = 0x0c;

interface Writable {
    writeUint32(offset: number, value: number): void;
}

export function fixPwmDreq(mcu: RP2040): void {
    const pwm = (mcu as unknown as { peripherals: Record<number, Writable> }).peripherals[page(PWM_BASE)];
    const dma = mcu.dma as unknown as { clearDREQ(channel: number): void };
    const write = pwm.writeUint32.bind(pwm);
    pwm.writeUint32 = (offset: number, value: number) => {
        write(offset, value);
        if (offset < SLICES * CH_STRIDE && offset % CH_STRIDE === CH_CC) dma.clearDREQ(DREQ_PWM_WRAP0 + Math.floor(offset / CH_STRIDE));
    };
}
