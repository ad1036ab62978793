/**
 * The emulated USB host's mass-storage side: a SCSI host over the Bulk-Only Transport (BOT), driving the
 * MSC function it found in the device's descriptors (class 8, subclass 6 SCSI, protocol 0x50 BOT).
 * Every command is a Command Block Wrapper (31 bytes) on the bulk OUT endpoint, an optional data stage,
 * then the device's Command Status Wrapper (13 bytes) on the bulk IN endpoint. Commands go one at a time.
 * The disk image a test reads is built only from READ(10) replies (readImage()).
 */
import type { UsbConfiguration } from './usb-host.js';

const CLASS_MSC = 8;
const MSC_SUBCLASS_SCSI = 6;
const MSC_PROTOCOL_BOT = 0x50;
const CBW_SIGNATURE = 0x43425355; // 'USBC'
const CSW_SIGNATURE = 0x53425355; // 'USBS'

export const SCSI = {
    TEST_UNIT_READY: 0x00,
    REQUEST_SENSE: 0x03,
    INQUIRY: 0x12,
    START_STOP_UNIT: 0x1b,
    READ_CAPACITY_10: 0x25,
    READ_10: 0x28,
    WRITE_10: 0x2a,
} as const;

export interface MscFunction {
    interfaceNumber: number;
    inEndpoint: number;
    outEndpoint: number;
    maxPacketSize: number;
}

export interface ScsiResult {
    /** CSW status: 0 passed, 1 failed, 2 phase error. */
    status: number;
    /** The IN data stage (empty for commands without one). */
    data: Uint8Array;
    /** Data bytes expected but not transferred (CSW dCSWDataResidue). */
    residue: number;
}

export interface Inquiry {
    peripheral: number;
    removable: boolean;
    vendor: string;
    product: string;
    revision: string;
}

export interface Sense {
    key: number;
    asc: number;
    ascq: number;
}

/** The MSC BOT function of a configuration, if it has one. */
export function mscFunction(config: UsbConfiguration): MscFunction | undefined {
    const itf = config.interfaces.find((f) => f.alternate === 0 && f.cls === CLASS_MSC && f.subclass === MSC_SUBCLASS_SCSI && f.protocol === MSC_PROTOCOL_BOT);
    if (!itf) return undefined;
    const bulk = itf.endpoints.filter((e) => (e.attributes & 3) === 2);
    const inEp = bulk.find((e) => e.address & 0x80);
    const outEp = bulk.find((e) => !(e.address & 0x80));
    if (!inEp || !outEp) return undefined;
    return { interfaceNumber: itf.number, inEndpoint: inEp.address & 0xf, outEndpoint: outEp.address & 0xf, maxPacketSize: inEp.maxPacketSize };
}

interface Pending {
    cbw: Uint8Array;
    dataOut: Uint8Array | undefined;
    inLength: number;
    resolve: (r: ScsiResult) => void;
    reject: (e: Error) => void;
    phase: 'cbw' | 'out' | 'in' | 'csw';
    outSent: number;
    inData: number[];
}

const be32 = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const ascii = (b: Uint8Array): string => new TextDecoder('latin1').decode(b).trimEnd();

/** Drives one MSC function. The owning UsbHost routes the function's endpoints here. */
export class MscHost {
    private readonly queue: Pending[] = [];
    private current: Pending | undefined;
    private tag = 1;
    /** Bytes the device armed its OUT endpoint for and the host has not answered yet. */
    private armedOut: number | undefined;
    /** Blocks of 512 bytes per READ(10)/WRITE(10) in readImage/writeBlocks. */
    chunkBlocks = 8;

    constructor(
        readonly fn: MscFunction,
        private readonly answerOut: (endpoint: number, data: Uint8Array) => void,
    ) {}

    /** A SCSI command: `cdb` (6..16 bytes); either `inLength` bytes in, or `dataOut` out. */
    command(cdb: Uint8Array, opts: { inLength?: number; dataOut?: Uint8Array } = {}): Promise<ScsiResult> {
        const inLength = opts.inLength ?? 0;
        const outLength = opts.dataOut?.length ?? 0;
        const cbw = new Uint8Array(31);
        const v = new DataView(cbw.buffer);
        v.setUint32(0, CBW_SIGNATURE, true);
        v.setUint32(4, this.tag++, true);
        v.setUint32(8, inLength || outLength, true);
        cbw[12] = inLength ? 0x80 : 0;
        cbw[13] = 0; // LUN 0
        cbw[14] = cdb.length;
        cbw.set(cdb, 15);
        return new Promise((resolve, reject) => {
            this.queue.push({ cbw, dataOut: opts.dataOut, inLength, resolve, reject, phase: 'cbw', outSent: 0, inData: [] });
            this.next();
        });
    }

    testUnitReady(): Promise<ScsiResult> {
        return this.command(new Uint8Array(6));
    }

    async requestSense(): Promise<Sense> {
        const r = await this.command(Uint8Array.of(SCSI.REQUEST_SENSE, 0, 0, 0, 18, 0), { inLength: 18 });
        return { key: r.data[2] & 0xf, asc: r.data[12], ascq: r.data[13] };
    }

    async inquiry(): Promise<Inquiry> {
        const r = await this.command(Uint8Array.of(SCSI.INQUIRY, 0, 0, 0, 36, 0), { inLength: 36 });
        if (r.status !== 0 || r.data.length < 36) throw new Error(`INQUIRY failed (status ${r.status}, ${r.data.length} bytes)`);
        const d = r.data;
        return {
            peripheral: d[0] & 0x1f,
            removable: (d[1] & 0x80) !== 0,
            vendor: ascii(d.subarray(8, 16)),
            product: ascii(d.subarray(16, 32)),
            revision: ascii(d.subarray(32, 36)),
        };
    }

    /** READ CAPACITY(10): the number of blocks and the block size. */
    async readCapacity(): Promise<{ blocks: number; blockSize: number }> {
        const r = await this.command(Uint8Array.of(SCSI.READ_CAPACITY_10, 0, 0, 0, 0, 0, 0, 0, 0, 0), { inLength: 8 });
        if (r.status !== 0 || r.data.length < 8) throw new Error(`READ CAPACITY failed (status ${r.status})`);
        return { blocks: be32(r.data, 0) + 1, blockSize: be32(r.data, 4) };
    }

    read10(lba: number, count: number, blockSize = 512): Promise<ScsiResult> {
        const cdb = Uint8Array.of(SCSI.READ_10, 0, lba >>> 24, (lba >> 16) & 0xff, (lba >> 8) & 0xff, lba & 0xff, 0, count >> 8, count & 0xff, 0);
        return this.command(cdb, { inLength: count * blockSize });
    }

    write10(lba: number, data: Uint8Array, blockSize = 512): Promise<ScsiResult> {
        const count = data.length / blockSize;
        const cdb = Uint8Array.of(SCSI.WRITE_10, 0, lba >>> 24, (lba >> 16) & 0xff, (lba >> 8) & 0xff, lba & 0xff, 0, count >> 8, count & 0xff, 0);
        return this.command(cdb, { dataOut: data });
    }

    /** START STOP UNIT with LoEj: `load` false ejects the medium (what a host does on unmount). */
    startStop(load: boolean): Promise<ScsiResult> {
        return this.command(Uint8Array.of(SCSI.START_STOP_UNIT, 0, 0, 0, load ? 3 : 2, 0));
    }

    /** The whole disk, built only from READ(10) replies. */
    async readImage(): Promise<Uint8Array> {
        const { blocks, blockSize } = await this.readCapacity();
        const image = new Uint8Array(blocks * blockSize);
        for (let lba = 0; lba < blocks; lba += this.chunkBlocks) {
            const n = Math.min(this.chunkBlocks, blocks - lba);
            const r = await this.read10(lba, n, blockSize);
            if (r.status !== 0 || r.data.length !== n * blockSize) throw new Error(`READ(10) of blocks ${lba}..${lba + n - 1} failed (status ${r.status})`);
            image.set(r.data, lba * blockSize);
        }
        return image;
    }

    /** Writes back with WRITE(10) every block of `image` that differs from `before`; returns the blocks written. */
    async writeChanged(before: Uint8Array, image: Uint8Array, blockSize = 512): Promise<number> {
        let written = 0;
        for (let lba = 0; lba * blockSize < image.length; lba++) {
            const a = before.subarray(lba * blockSize, (lba + 1) * blockSize);
            const b = image.subarray(lba * blockSize, (lba + 1) * blockSize);
            if (a.every((x, i) => x === b[i])) continue;
            const r = await this.write10(lba, b.slice(), blockSize);
            if (r.status !== 0) throw new Error(`WRITE(10) of block ${lba} failed (status ${r.status})`);
            written++;
        }
        return written;
    }

    /** The device armed its bulk OUT endpoint for `size` bytes. */
    outArmed(size: number): void {
        this.armedOut = size;
        this.pumpOut();
    }

    /** A packet the device sent on its bulk IN endpoint. */
    inPacket(data: Uint8Array): void {
        const p = this.current;
        if (!p) return;
        const v = new DataView(data.buffer, data.byteOffset, data.length);
        // a CSW: 13 bytes, its signature and this command's tag (it may come in place of a data stage the
        // device ended early)
        const csw = data.length === 13 && v.getUint32(0, true) === CSW_SIGNATURE && v.getUint32(4, true) === new DataView(p.cbw.buffer).getUint32(4, true);
        if (p.phase === 'in' && !csw) {
            for (const b of data) p.inData.push(b);
            // the data stage ends at its length or with a short packet
            if (p.inData.length >= p.inLength || data.length < this.fn.maxPacketSize) p.phase = 'csw';
            return;
        }
        if (!csw) return;
        this.current = undefined;
        p.resolve({ status: data[12], data: Uint8Array.from(p.inData), residue: v.getUint32(8, true) });
        this.next();
    }

    /** The device re-enumerated: commands in flight fail. */
    reset(): void {
        const all = [...(this.current ? [this.current] : []), ...this.queue];
        this.current = undefined;
        this.queue.length = 0;
        this.armedOut = undefined;
        for (const p of all) p.reject(new Error('the USB device re-enumerated'));
    }

    private next(): void {
        if (this.current || this.queue.length === 0) return;
        this.current = this.queue.shift();
        this.pumpOut();
    }

    private pumpOut(): void {
        const p = this.current;
        if (!p || this.armedOut === undefined) return;
        if (p.phase === 'cbw') {
            this.armedOut = undefined;
            p.phase = p.dataOut?.length ? 'out' : p.inLength ? 'in' : 'csw';
            this.answerOut(this.fn.outEndpoint, p.cbw);
        } else if (p.phase === 'out' && p.dataOut) {
            const size = this.armedOut;
            this.armedOut = undefined;
            const chunk = p.dataOut.subarray(p.outSent, p.outSent + size);
            p.outSent += chunk.length;
            if (p.outSent >= p.dataOut.length) p.phase = 'csw';
            this.answerOut(this.fn.outEndpoint, chunk.slice());
        }
    }
}
