/**
 * The host end of the board's console: USB CDC (through rp2040js's USBCDC host helper) or UART0.
 * Both feed input with flow control, so nothing the host sends is ever dropped:
 * - USB: an OUT transfer is answered only when the device has armed its endpoint, and when the host
 *   has nothing to send the transfer stays pending (a real host NAKs) instead of completing empty,
 *   which would make the firmware re-arm the endpoint every 10 µs forever;
 * - UART: bytes go into the 32-byte RX FIFO only while it has room, refilled as firmware reads it.
 */
import { USBCDC } from 'rp2040js';
import type { RP2040 } from 'rp2040js';
import type { RPUSBController } from 'rp2040js';
import type { HarnessUart } from './rp2040js-gaps.js';

/** A growable byte queue. */
export class ByteQueue {
    private buf = new Uint8Array(1024);
    private head = 0;
    private tail = 0;

    get length(): number {
        return this.tail - this.head;
    }

    push(data: Uint8Array): void {
        if (this.tail + data.length > this.buf.length) {
            const live = this.buf.subarray(this.head, this.tail);
            const size = Math.max(this.buf.length, (live.length + data.length) * 2);
            const next = size === this.buf.length ? this.buf : new Uint8Array(size);
            next.set(live, 0);
            this.buf = next;
            this.tail = live.length;
            this.head = 0;
        }
        this.buf.set(data, this.tail);
        this.tail += data.length;
    }

    shift(max: number): Uint8Array {
        const n = Math.min(max, this.length);
        const out = this.buf.slice(this.head, this.head + n);
        this.head += n;
        if (this.head === this.tail) this.head = this.tail = 0;
        return out;
    }

    shiftByte(): number {
        const v = this.buf[this.head++];
        if (this.head === this.tail) this.head = this.tail = 0;
        return v;
    }

    clear(): void {
        this.head = this.tail = 0;
    }
}

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

interface CdcPrivate {
    outEndpoint: number;
    inEndpoint: number;
    initialized: boolean;
    descriptorsSize: number | null;
    descriptors: number[];
}

/** USB CDC console: rp2040js's USBCDC host helper with host-side flow control. */
export class UsbConsole implements ConsoleLink {
    private readonly cdc: USBCDC;
    private readonly queue = new ByteQueue();
    private pendingRead = -1;
    private connects = 0;
    private up = false;

    constructor(usb: RPUSBController, onData: (data: Uint8Array) => void) {
        const cdc = new USBCDC(usb);
        this.cdc = cdc;
        const priv = cdc as unknown as CdcPrivate;
        cdc.onSerialData = (buf) => onData(buf);
        cdc.onDeviceConnected = () => {
            this.up = true;
            this.connects++;
        };
        const enabled = usb.onUSBEnabled;
        usb.onUSBEnabled = () => {
            // the firmware (re)started its USB device: enumerate from scratch
            priv.initialized = false;
            priv.descriptorsSize = null;
            priv.descriptors = [];
            priv.outEndpoint = -1;
            priv.inEndpoint = -1;
            this.up = false;
            this.pendingRead = -1;
            enabled?.();
        };
        usb.onEndpointRead = (endpoint, size) => {
            if (endpoint !== priv.outEndpoint) return;
            if (this.queue.length === 0) {
                this.pendingRead = size;
                return;
            }
            usb.endpointReadDone(endpoint, this.queue.shift(size));
        };
    }

    private get usb(): RPUSBController {
        return this.cdc.usb;
    }

    send(data: Uint8Array): void {
        if (data.length === 0) return;
        this.queue.push(data);
        if (this.pendingRead >= 0) {
            const size = this.pendingRead;
            this.pendingRead = -1;
            this.usb.endpointReadDone((this.cdc as unknown as CdcPrivate).outEndpoint, this.queue.shift(size));
        }
    }

    pending(): number {
        return this.queue.length;
    }

    discard(): void {
        this.queue.clear();
    }

    connected(): boolean {
        return this.up;
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
