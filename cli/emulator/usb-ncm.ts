/**
 * The host side of a CDC-NCM network function (USB CDC NCM 1.0), learnt from the configuration
 * descriptor only: the communication interface (class 2, subclass 0x0D) with its notification endpoint
 * and Ethernet functional descriptor (iMACAddress), the data interface its union descriptor names, whose
 * alternate setting 1 has the bulk pair. UsbHost (usb-host.ts) routes the function's endpoints here.
 *
 * After SET_CONFIGURATION the host reads the NTB parameters (GET_NTB_PARAMETERS) and selects alternate
 * setting 1 (SET_INTERFACE), as Linux's cdc_ncm does; the device then sends its notifications (speed,
 * then NETWORK_CONNECTION). Frames travel in 16-bit transfer blocks (NTB16: an NTH16 header, one NDP16
 * table of datagram pointers, the datagrams): every bulk IN transfer (ended by a short packet) is one
 * block, each frame in it goes to `onFrame`; `send()` puts frames into blocks for the bulk OUT endpoint.
 * No network stack here: the frames are the board's Ethernet frames, bridged elsewhere (tap.ts).
 */
import type { UsbConfiguration } from './usb-host.js';

const CLASS_CDC = 2;
const CLASS_CDC_DATA = 10;
const CDC_SUBCLASS_NCM = 0x0d;
const DESC_CS_INTERFACE = 0x24;
const FUNC_UNION = 0x06;
const FUNC_ETHERNET = 0x0f;
const NTH16_SIGNATURE = 0x484d434e; // "NCMH"
const NDP16_SIGNATURE = 0x304d434e; // "NCM0"
const NOTIFY_NETWORK_CONNECTION = 0x00;
const NOTIFY_SPEED_CHANGE = 0x2a;
/** The most datagrams the host puts in one block (the device's wNtbOutMaxDatagrams, if smaller, wins). */
const MAX_DATAGRAMS = 6;

export interface NcmFunction {
    commInterface: number;
    dataInterface: number;
    notifyEndpoint: number;
    inEndpoint: number;
    outEndpoint: number;
    maxPacket: number;
    /** The iMACAddress string index (0: none). */
    iMacAddress: number;
}

/** The configuration's first CDC-NCM function, if it has one. */
export function ncmFunction(config: UsbConfiguration): NcmFunction | undefined {
    for (const comm of config.interfaces) {
        if (comm.cls !== CLASS_CDC || comm.subclass !== CDC_SUBCLASS_NCM || comm.alternate !== 0) continue;
        const union = comm.extra.find((d) => d[1] === DESC_CS_INTERFACE && d[2] === FUNC_UNION && d.length >= 5);
        const eth = comm.extra.find((d) => d[1] === DESC_CS_INTERFACE && d[2] === FUNC_ETHERNET && d.length >= 13);
        const dataNumber = union ? union[4] : comm.number + 1;
        const data = config.interfaces.find((f) => f.number === dataNumber && f.cls === CLASS_CDC_DATA && f.endpoints.length >= 2);
        const notify = comm.endpoints.find((e) => (e.attributes & 3) === 3 && e.address & 0x80);
        if (!data || !notify) continue;
        const bulk = data.endpoints.filter((e) => (e.attributes & 3) === 2);
        const inEp = bulk.find((e) => e.address & 0x80);
        const outEp = bulk.find((e) => !(e.address & 0x80));
        if (!inEp || !outEp) continue;
        return {
            commInterface: comm.number,
            dataInterface: data.number,
            notifyEndpoint: notify.address & 0xf,
            inEndpoint: inEp.address & 0xf,
            outEndpoint: outEp.address & 0xf,
            maxPacket: outEp.maxPacketSize,
            iMacAddress: eth ? eth[3] : 0,
        };
    }
    return undefined;
}

/**
 * The board's IPv6 link-local address on the link (docs/network.md "USB network link"): the EUI-64 of its
 * MAC address, which is the function's iMACAddress (the host side's) with bit 0 of the last byte flipped.
 */
export function boardLinkLocal(hostMac: string): string {
    const m = hostMac.split(':').map((x) => parseInt(x, 16));
    m[5] ^= 1;
    const b = [m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]];
    return `fe80::${[0, 2, 4, 6].map((i) => ((b[i] << 8) | b[i + 1]).toString(16)).join(':')}`;
}

const le16 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const le32 = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/** The frames of one NTB16 block (empty when the block is malformed). */
export function parseNtb16(block: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    if (block.length < 12 || le32(block, 0) !== NTH16_SIGNATURE || le16(block, 4) !== 12) return frames;
    const length = Math.min(le16(block, 8), block.length);
    let ndp = le16(block, 10);
    for (let guard = 0; ndp !== 0 && guard < 16; guard++) {
        if (ndp + 8 > length) break;
        const sig = le32(block, ndp);
        if (sig !== NDP16_SIGNATURE && sig !== NDP16_SIGNATURE + 0x01000000) break;
        const ndpLength = le16(block, ndp + 4);
        for (let p = ndp + 8; p + 4 <= Math.min(ndp + ndpLength, length); p += 4) {
            const index = le16(block, p);
            const len = le16(block, p + 2);
            if (index === 0 || len === 0) break;
            if (index + len <= length) frames.push(block.slice(index, index + len));
        }
        ndp = le16(block, ndp + 6);
    }
    return frames;
}

/** One NTB16 block holding `frames` (each datagram 4-byte aligned); never a multiple of `maxPacket` long. */
export function buildNtb16(frames: Uint8Array[], sequence: number, maxPacket: number): Uint8Array {
    const ndpLength = 8 + 4 * (frames.length + 1);
    let offset = 12 + ndpLength;
    const places: number[] = [];
    for (const f of frames) {
        offset = (offset + 3) & ~3;
        places.push(offset);
        offset += f.length;
    }
    // a block that fills its last packet would need a zero-length packet to end the transfer: pad it
    if (offset % maxPacket === 0) offset++;
    const block = new Uint8Array(offset);
    const v = new DataView(block.buffer);
    v.setUint32(0, NTH16_SIGNATURE, true);
    v.setUint16(4, 12, true);
    v.setUint16(6, sequence & 0xffff, true);
    v.setUint16(8, offset, true);
    v.setUint16(10, 12, true);
    v.setUint32(12, NDP16_SIGNATURE, true);
    v.setUint16(16, ndpLength, true);
    v.setUint16(18, 0, true);
    frames.forEach((f, k) => {
        v.setUint16(20 + 4 * k, places[k], true);
        v.setUint16(22 + 4 * k, f.length, true);
        block.set(f, places[k]);
    });
    return block;
}

/** Drives one NCM function. */
export class NcmHost {
    /** A frame from the board. */
    onFrame: ((frame: Uint8Array) => void) | undefined;
    /** The device reported the link (NETWORK_CONNECTION) up or down. */
    onLink: ((up: boolean) => void) | undefined;
    /** The device's NETWORK_CONNECTION state (false until it reports). */
    connected = false;
    /** Bit rates the device reported (CONNECTION_SPEED_CHANGE), [down, up]. */
    speed: [number, number] | undefined;
    /** The MAC address the function names (iMACAddress), once the host read the string. */
    macAddress: string | undefined;
    /** The device's dwNtbOutMaxSize and wNtbOutMaxDatagrams (GET_NTB_PARAMETERS). */
    outMaxSize = 2048;
    outMaxDatagrams = MAX_DATAGRAMS;
    /** Counters: frames and blocks each way, malformed blocks from the device, frames dropped (too long). */
    readonly stats = { framesIn: 0, framesOut: 0, blocksIn: 0, blocksOut: 0, badBlocksIn: 0, dropped: 0 };
    private inBuf: number[] = [];
    private readonly pending: Uint8Array[] = [];
    private current: { block: Uint8Array; sent: number } | undefined;
    private armedOut: number | undefined;
    private sequence = 0;
    private active = false;

    constructor(
        readonly fn: NcmFunction,
        private readonly answerOut: (endpoint: number, data: Uint8Array) => void,
    ) {}

    /** GET_NTB_PARAMETERS answered (28 bytes). */
    ntbParameters(p: Uint8Array): void {
        if (p.length < 28) return;
        this.outMaxSize = Math.min(le32(p, 16), 0xffff);
        const maxDatagrams = le16(p, 26);
        this.outMaxDatagrams = Math.min(MAX_DATAGRAMS, maxDatagrams || MAX_DATAGRAMS);
    }

    /** SET_INTERFACE (data interface, alternate 1) done: frames may flow. */
    activate(): void {
        this.active = true;
        this.pumpOut();
    }

    /** Nothing waits to go to the device. */
    get idle(): boolean {
        return this.pending.length === 0 && this.current === undefined;
    }

    reset(): void {
        this.active = false;
        this.connected = false;
        this.inBuf = [];
        this.pending.length = 0;
        this.current = undefined;
        this.armedOut = undefined;
    }

    /** Queues an Ethernet frame for the board. */
    send(frame: Uint8Array): void {
        if (frame.length + 12 + 16 + 4 > this.outMaxSize || frame.length < 14) {
            this.stats.dropped++;
            return;
        }
        this.pending.push(frame);
        this.pumpOut();
    }

    /** Sends a raw block (the fuzz tests' malformed ones) as one bulk OUT transfer, after the frames queued. */
    sendRaw(block: Uint8Array): void {
        // a transfer that fills its last packet would run into the next one (no zero-length packet here)
        if (block.length % this.fn.maxPacket === 0) {
            const padded = new Uint8Array(block.length + 1);
            padded.set(block);
            block = padded;
        }
        this.pending.push(block);
        (block as Uint8Array & { raw?: boolean }).raw = true;
        this.pumpOut();
    }

    notifyPacket(data: Uint8Array): void {
        if (data.length < 8) return;
        const request = data[1];
        if (request === NOTIFY_NETWORK_CONNECTION) {
            this.connected = le16(data, 2) !== 0;
            this.onLink?.(this.connected);
        } else if (request === NOTIFY_SPEED_CHANGE && data.length >= 16) {
            this.speed = [le32(data, 8), le32(data, 12)];
        }
    }

    inPacket(data: Uint8Array): void {
        for (const b of data) this.inBuf.push(b);
        if (data.length < this.fn.maxPacket) {
            const block = Uint8Array.from(this.inBuf);
            this.inBuf = [];
            if (block.length === 0) return;
            this.stats.blocksIn++;
            const frames = parseNtb16(block);
            if (frames.length === 0) this.stats.badBlocksIn++;
            for (const f of frames) {
                this.stats.framesIn++;
                this.onFrame?.(f);
            }
        }
    }

    /** The device armed its bulk OUT endpoint for `size` bytes. */
    outArmed(size: number): void {
        this.armedOut = size;
        this.pumpOut();
    }

    private pumpOut(): void {
        if (!this.active || this.armedOut === undefined) return;
        if (!this.current) {
            if (this.pending.length === 0) return;
            const first = this.pending[0] as Uint8Array & { raw?: boolean };
            if (first.raw) {
                this.pending.shift();
                this.current = { block: first, sent: 0 };
            } else {
                const frames: Uint8Array[] = [];
                let size = 12 + 8 + 4;
                while (this.pending.length && frames.length < this.outMaxDatagrams) {
                    const f = this.pending[0] as Uint8Array & { raw?: boolean };
                    if (f.raw) break;
                    const grow = 4 + ((f.length + 3) & ~3) + 4;
                    if (frames.length && size + grow > this.outMaxSize) break;
                    size += grow;
                    frames.push(this.pending.shift()!);
                }
                this.current = { block: buildNtb16(frames, this.sequence++, this.fn.maxPacket), sent: 0 };
                this.stats.framesOut += frames.length;
            }
            this.stats.blocksOut++;
        }
        const c = this.current;
        const size = this.armedOut;
        this.armedOut = undefined;
        const chunk = c.block.subarray(c.sent, c.sent + Math.min(size, this.fn.maxPacket));
        c.sent += chunk.length;
        if (c.sent >= c.block.length) this.current = undefined;
        this.answerOut(this.fn.outEndpoint, chunk.slice());
    }
}
