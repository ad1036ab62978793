/**
 * The host end of the board's console: USB CDC (port 0 of our emulated USB host, usb-host.ts) or UART0.
 * Both feed input with flow control, so nothing the host sends is ever dropped:
 * - USB: an OUT transfer is answered only when the device has armed its endpoint, and when the host
 *   has nothing to send the transfer stays pending (a real host NAKs) instead of completing empty,
 *   which would make the firmware re-arm the endpoint every 10 µs forever;
 * - UART: bytes go into the 32-byte RX FIFO only while it has room, refilled as firmware reads it.
 */
import type { RP2040 } from 'rp2040js';
import type { RPUSBController } from 'rp2040js';
import type { HarnessUart } from './rp2040js-gaps.js';
import { ByteQueue } from './byte-queue.js';
import { UsbHost } from './usb-host.js';

export { ByteQueue } from './byte-queue.js';

export interface ConsoleLink {
    /** Queue bytes for the board; they are delivered as the firmware accepts them. */
    send(data: Uint8Array): void;
    /** Bytes still waiting to be accepted by the firmware. */
    pending(): number;
    /** Drop everything not yet delivered. */
    discard(): void;
    /** Whether the link is up (USB: enumerated and configured; UART: always). */
    connected(): boolean;
    /** Times the host side (re)connected since this link was created. */
    connectCount(): number;
}

/**
 * USB CDC console: port 0 (the first CDC ACM function) of the emulated USB host (usb-host.ts), which
 * enumerates the device from its descriptors; the other ports are reached through `host.port(n)`.
 */
export class UsbConsole implements ConsoleLink {
    readonly host: UsbHost;
    private connects = 0;

    constructor(usb: RPUSBController, onData: (data: Uint8Array) => void) {
        this.host = new UsbHost(usb);
        this.host.port(0).onData = onData;
        this.host.onConfigured = () => {
            if (this.host.port(0).present) this.connects++;
        };
    }

    send(data: Uint8Array): void {
        this.host.port(0).send(data);
    }

    pending(): number {
        return this.host.port(0).queue.length;
    }

    discard(): void {
        this.host.port(0).queue.clear();
    }

    connected(): boolean {
        return this.host.port(0).present;
    }

    connectCount(): number {
        return this.connects;
    }
}

/** UART console with RX flow control: the FIFO is refilled whenever the firmware reads from it. */
export class UartConsole implements ConsoleLink {
    private readonly queue = new ByteQueue();

    private readonly uart: HarnessUart;

    constructor(mcu: RP2040, onData: (data: Uint8Array) => void, index = 0) {
        this.uart = mcu.uart[index] as unknown as HarnessUart;
        this.uart.onByte = (value) => onData(Uint8Array.of(value));
        this.uart.onRxSpace = () => this.refill();
    }

    private refill(): void {
        while (this.queue.length && this.uart.rxSpace() > 0) this.uart.feedByte(this.queue.shiftByte());
    }

    send(data: Uint8Array): void {
        this.queue.push(data);
        this.refill();
    }

    pending(): number {
        return this.queue.length;
    }

    discard(): void {
        this.queue.clear();
    }

    connected(): boolean {
        return true;
    }

    connectCount(): number {
        return 1;
    }
}
