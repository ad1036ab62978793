/**
 * The emulated USB host: enumerates the board's USB device the way a host does and learns the
 * configuration only from what the device answers (GET_DESCRIPTOR device, configuration, strings;
 * SET_CONFIGURATION), never from the firmware image or flash. Every CDC ACM function it finds becomes
 * a port (a byte stream both ways, with host-side flow control); port 0 is the console. An MSC (SCSI,
 * Bulk-Only) function is driven by an MscHost (usb-msc.ts), a CDC-NCM network function by an NcmHost
 * (usb-ncm.ts).
 *
 * Control transfers go one at a time over EP0 (rp2040js's RPUSBController device-side model): the
 * SETUP packet is placed in the DPRAM, the device answers IN data on EP0 in packets of bMaxPacketSize0
 * (a short packet or wLength ends the data stage), then the host's zero-length OUT is the status stage;
 * a request without data ends with the device's zero-length IN.
 */
import type { RPUSBController } from 'rp2040js';
import { ByteQueue } from './byte-queue.js';
import { MscHost, mscFunction } from './usb-msc.js';
import { NcmHost, ncmFunction } from './usb-ncm.js';

const DESC_DEVICE = 1;
const DESC_CONFIGURATION = 2;
const DESC_STRING = 3;
const DESC_INTERFACE = 4;
const DESC_ENDPOINT = 5;
const DESC_IAD = 11;
const DESC_CS_INTERFACE = 0x24;
const CLASS_CDC = 2;
const CLASS_CDC_DATA = 10;
const CDC_SUBCLASS_ACM = 2;
const CDC_SET_CONTROL_LINE_STATE = 0x22;
const CDC_DTR_RTS = 3;
const LANG_EN_US = 0x0409;
const SIE_CTRL_PULLUP_EN = 1 << 16;

export interface UsbEndpoint {
    address: number;
    attributes: number;
    maxPacketSize: number;
    interval: number;
}

export interface UsbInterface {
    number: number;
    alternate: number;
    cls: number;
    subclass: number;
    protocol: number;
    iInterface: number;
    endpoints: UsbEndpoint[];
    /** Class-specific descriptors (functional descriptors), raw. */
    extra: Uint8Array[];
}

export interface UsbConfiguration {
    value: number;
    iConfiguration: number;
    attributes: number;
    maxPowerMa: number;
    totalLength: number;
    interfaces: UsbInterface[];
}

export interface UsbDeviceInfo {
    /** The 18-byte device descriptor. */
    raw: Uint8Array;
    usbVersion: number;
    cls: number;
    subclass: number;
    protocol: number;
    maxPacketSize0: number;
    vendorId: number;
    productId: number;
    deviceVersion: number;
    iManufacturer: number;
    iProduct: number;
    iSerial: number;
    numConfigurations: number;
    configuration: UsbConfiguration;
    /** String descriptors read from the device (index → text), once the strings stage has run. */
    strings: Map<number, string>;
}

/** A CDC ACM function as the host sees it. */
export interface CdcFunction {
    /** The communication interface number (what SET_CONTROL_LINE_STATE addresses). */
    commInterface: number;
    dataInterface: number;
    inEndpoint: number;
    outEndpoint: number;
}

interface ControlRequest {
    setup: Uint8Array;
    /** Expected IN data length (0: no data stage). */
    length: number;
    done: (data: Uint8Array) => void;
}

function setupPacket(requestType: number, request: number, value: number, index: number, length: number): Uint8Array {
    return Uint8Array.of(requestType, request, value & 0xff, value >> 8, index & 0xff, index >> 8, length & 0xff, length >> 8);
}

const le16 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);

/** Parses a full configuration descriptor set. */
export function parseConfiguration(buf: Uint8Array): UsbConfiguration {
    const config: UsbConfiguration = {
        value: buf[5],
        iConfiguration: buf[6],
        attributes: buf[7],
        maxPowerMa: buf[8] * 2,
        totalLength: le16(buf, 2),
        interfaces: [],
    };
    let current: UsbInterface | undefined;
    for (let i = buf[0]; i + 2 <= buf.length; ) {
        const len = buf[i];
        if (len < 2 || i + len > buf.length) break;
        const type = buf[i + 1];
        if (type === DESC_INTERFACE && len >= 9) {
            current = {
                number: buf[i + 2],
                alternate: buf[i + 3],
                cls: buf[i + 5],
                subclass: buf[i + 6],
                protocol: buf[i + 7],
                iInterface: buf[i + 8],
                endpoints: [],
                extra: [],
            };
            config.interfaces.push(current);
        } else if (type === DESC_ENDPOINT && len >= 7 && current) {
            current.endpoints.push({
                address: buf[i + 2],
                attributes: buf[i + 3],
                maxPacketSize: le16(buf, i + 4),
                interval: buf[i + 6],
            });
        } else if ((type === DESC_CS_INTERFACE || type === DESC_IAD) && current) {
            current.extra.push(buf.slice(i, i + len));
        }
        i += len;
    }
    return config;
}

/** The CDC ACM functions of a configuration, in interface order: a communication interface followed by its data interface. */
export function cdcFunctions(config: UsbConfiguration): CdcFunction[] {
    const out: CdcFunction[] = [];
    const ifaces = config.interfaces.filter((f) => f.alternate === 0);
    for (let k = 0; k < ifaces.length; k++) {
        const comm = ifaces[k];
        if (comm.cls !== CLASS_CDC || comm.subclass !== CDC_SUBCLASS_ACM) continue;
        // the union functional descriptor names the data interface; else the next data-class interface
        const union = comm.extra.find((d) => d[1] === DESC_CS_INTERFACE && d[2] === 0x06 && d.length >= 5);
        const dataNumber = union ? union[4] : ifaces.slice(k + 1).find((f) => f.cls === CLASS_CDC_DATA)?.number;
        const data = ifaces.find((f) => f.number === dataNumber && f.cls === CLASS_CDC_DATA);
        if (!data) continue;
        const bulk = data.endpoints.filter((e) => (e.attributes & 3) === 2);
        const inEp = bulk.find((e) => e.address & 0x80);
        const outEp = bulk.find((e) => !(e.address & 0x80));
        if (!inEp || !outEp) continue;
        out.push({ commInterface: comm.number, dataInterface: data.number, inEndpoint: inEp.address & 0xf, outEndpoint: outEp.address & 0xf });
    }
    return out;
}

/** One CDC ACM port of the host: persistent across re-enumerations (its queue of unsent bytes stays). */
export class CdcPort {
    readonly queue = new ByteQueue();
    fn: CdcFunction | undefined;
    onData: ((data: Uint8Array) => void) | undefined;
    /** Bytes received from the device that no listener took (tests read them with take()). */
    private readonly received = new ByteQueue();

    constructor(
        private readonly host: UsbHost,
        readonly index: number,
    ) {}

    /** Whether this port exists in the current configuration. */
    get present(): boolean {
        return this.fn !== undefined && this.host.configured;
    }

    send(data: Uint8Array | string): void {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        if (bytes.length === 0) return;
        this.queue.push(bytes);
        this.host.feed(this);
    }

    /** Bytes received and not yet taken (when no onData listener is set). */
    take(): Uint8Array {
        return this.received.shift(this.received.length);
    }

    deliver(data: Uint8Array): void {
        if (this.onData) this.onData(data);
        else this.received.push(data);
    }
}

interface DeviceSideInternals {
    DPRAMUpdated(offset: number, value: number): void;
    endpointWriteAlarms: { buffers: Uint8Array[] }[];
}

/**
 * rp2040js, on a buffer-control write that makes both halves of a double-buffered IN endpoint
 * available, queues buffer 1 before buffer 0, so the host would get the two packets swapped (TinyUSB
 * double-buffers bulk IN transfers longer than one packet: MSC data). Puts the packets of one such
 * write back in buffer order; single-buffer transfers (CDC) are unchanged.
 */
function inOrderDoubleBufferedIn(usb: RPUSBController): void {
    const ctrl = usb as unknown as DeviceSideInternals;
    const updated = ctrl.DPRAMUpdated.bind(ctrl);
    ctrl.DPRAMUpdated = (offset: number, value: number): void => {
        const before = ctrl.endpointWriteAlarms.map((a) => a.buffers.length);
        updated(offset, value);
        ctrl.endpointWriteAlarms.forEach((a, i) => {
            const n = a.buffers.length;
            if (n === before[i] + 2) [a.buffers[n - 2], a.buffers[n - 1]] = [a.buffers[n - 1], a.buffers[n - 2]];
        });
    };
}

export class UsbHost {
    /** The enumerated device; undefined until the configuration descriptor has been read. */
    device: UsbDeviceInfo | undefined;
    configured = false;
    /** The string descriptors have been read (or the device did not answer some: see stringsFailed). */
    stringsDone = false;
    /** Times the device was configured since this host was created. */
    configureCount = 0;
    /** The device (re)started its USB controller: enumeration starts again. */
    onEnumerationStart: (() => void) | undefined;
    onConfigured: (() => void) | undefined;
    /** The SCSI host of the configuration's MSC function, if it has one (after configuration). */
    msc: MscHost | undefined;
    /** The host side of the configuration's CDC-NCM function, if it has one (after configuration). */
    ncm: NcmHost | undefined;
    /** Called when an NCM function is found (before it is activated): attach onFrame/onLink there. */
    onNcm: ((ncm: NcmHost) => void) | undefined;
    private readonly ports: CdcPort[] = [];
    private current: ControlRequest | undefined;
    private readonly requests: ControlRequest[] = [];
    private received: number[] = [];
    private generation = 0;
    /**
     * OUT endpoints the device armed (endpoint → bytes) that the host has not answered: it has nothing to
     * send (a real host NAKs), or the endpoint is armed before the host has bound it to a port (TinyUSB
     * arms a CDC's OUT endpoint while handling SET_CONFIGURATION).
     */
    private readonly armed = new Map<number, number>();

    constructor(readonly usb: RPUSBController) {
        inOrderDoubleBufferedIn(usb);
        usb.onUSBEnabled = () => {
            this.restart();
            this.onEnumerationStart?.();
            usb.resetDevice();
        };
        usb.onResetReceived = () => this.enumerate();
        this.watchPullUp();
        usb.onEndpointWrite = (endpoint, buffer) => this.endpointWrite(endpoint, buffer);
        usb.onEndpointRead = (endpoint, size) => this.endpointRead(endpoint, size);
    }

    /**
     * The device's D+ pull-up (SIE_CTRL.PULLUP_EN): dropping it is an unplug (the host forgets the device),
     * raising it again a plug (bus reset, a new enumeration). The first attach follows the controller's
     * enable (onUSBEnabled), as before.
     */
    private watchPullUp(): void {
        const ctrl = this.usb as unknown as { handleSieCtrlWrite(value: number): void };
        const write = ctrl.handleSieCtrlWrite.bind(ctrl);
        let up = false;
        let unplugged = false;
        ctrl.handleSieCtrlWrite = (value: number): void => {
            write(value);
            const now = (value & SIE_CTRL_PULLUP_EN) !== 0;
            if (up && !now) {
                unplugged = true;
                this.restart();
            } else if (!up && now && unplugged) {
                unplugged = false;
                this.restart();
                this.onEnumerationStart?.();
                this.usb.resetDevice();
            }
            up = now;
        };
    }

    /** Port `index` (0 = the first CDC ACM function: the console); created on first use. */
    port(index: number): CdcPort {
        while (this.ports.length <= index) this.ports.push(new CdcPort(this, this.ports.length));
        return this.ports[index];
    }

    /** The CDC ACM functions of the current configuration. */
    cdcCount(): number {
        return this.device ? cdcFunctions(this.device.configuration).length : 0;
    }

    private restart(): void {
        this.generation++;
        this.device = undefined;
        this.configured = false;
        this.stringsDone = false;
        this.current = undefined;
        this.requests.length = 0;
        this.received = [];
        this.armed.clear();
        for (const p of this.ports) p.fn = undefined;
        this.msc?.reset();
        this.msc = undefined;
        this.ncm?.reset();
        this.ncm = undefined;
    }

    private control(setup: Uint8Array, length: number, done: (data: Uint8Array) => void): void {
        this.requests.push({ setup, length, done });
        this.next();
    }

    private next(): void {
        if (this.current || this.requests.length === 0) return;
        this.current = this.requests.shift();
        this.received = [];
        this.usb.sendSetupPacket(this.current!.setup);
    }

    private finish(): void {
        const req = this.current!;
        this.current = undefined;
        const gen = this.generation;
        req.done(Uint8Array.from(this.received));
        if (gen === this.generation) this.next();
    }

    private enumerate(): void {
        this.restart();
        this.control(setupPacket(0x00, 5, 1, 0, 0), 0, () => {}); // SET_ADDRESS 1
        this.control(setupPacket(0x80, 6, DESC_DEVICE << 8, 0, 18), 18, (dev) => {
            this.control(setupPacket(0x80, 6, DESC_CONFIGURATION << 8, 0, 9), 9, (head) => {
                const total = le16(head, 2);
                this.control(setupPacket(0x80, 6, DESC_CONFIGURATION << 8, 0, total), total, (full) => {
                    this.configure(dev, full);
                });
            });
        });
    }

    private configure(dev: Uint8Array, full: Uint8Array): void {
        const configuration = parseConfiguration(full);
        this.device = {
            raw: dev,
            usbVersion: le16(dev, 2),
            cls: dev[4],
            subclass: dev[5],
            protocol: dev[6],
            maxPacketSize0: dev[7],
            vendorId: le16(dev, 8),
            productId: le16(dev, 10),
            deviceVersion: le16(dev, 12),
            iManufacturer: dev[14],
            iProduct: dev[15],
            iSerial: dev[16],
            numConfigurations: dev[17],
            configuration,
            strings: new Map(),
        };
        const fns = cdcFunctions(configuration);
        this.control(setupPacket(0x00, 9, configuration.value, 0, 0), 0, () => {
            // bind the ports, then raise DTR/RTS on every CDC ACM function (as a terminal opening it does)
            fns.forEach((fn, i) => (this.port(i).fn = fn));
            const storage = mscFunction(configuration);
            if (storage) {
                this.msc = new MscHost(storage, (ep, data) => this.usb.endpointReadDone(ep, data));
                // TinyUSB arms the CBW's OUT endpoint while handling SET_CONFIGURATION
                const size = this.armed.get(storage.outEndpoint);
                if (size !== undefined) {
                    this.armed.delete(storage.outEndpoint);
                    this.msc.outArmed(size);
                }
            }
            const net = ncmFunction(configuration);
            if (net) {
                const ncm = new NcmHost(net, (ep, data) => this.usb.endpointReadDone(ep, data));
                this.ncm = ncm;
                this.onNcm?.(ncm);
                const size = this.armed.get(net.outEndpoint);
                if (size !== undefined) {
                    this.armed.delete(net.outEndpoint);
                    ncm.outArmed(size);
                }
                // as Linux's cdc_ncm: the NTB parameters, then the data interface's alternate setting 1
                this.control(setupPacket(0xa1, 0x80, 0, net.commInterface, 28), 28, (p) => ncm.ntbParameters(p));
                this.control(setupPacket(0x01, 11, 1, net.dataInterface, 0), 0, () => ncm.activate());
            }
            const up = (): void => {
                this.configured = true;
                this.configureCount++;
                for (const p of this.ports) if (p.fn) this.feed(p);
                this.onConfigured?.();
                this.readStrings();
            };
            if (fns.length === 0) up();
            fns.forEach((fn, i) => {
                const last = i === fns.length - 1;
                this.control(setupPacket(0x21, CDC_SET_CONTROL_LINE_STATE, CDC_DTR_RTS, fn.commInterface, 0), 0, last ? up : () => {});
            });
        });
    }

    /** Reads the string descriptors the device and configuration name (for --usb-info). */
    private readStrings(): void {
        const dev = this.device!;
        const indexes = new Set<number>([dev.iManufacturer, dev.iProduct, dev.iSerial, dev.configuration.iConfiguration]);
        for (const f of dev.configuration.interfaces) indexes.add(f.iInterface);
        if (this.ncm) indexes.add(this.ncm.fn.iMacAddress);
        indexes.delete(0);
        const list = [...indexes].sort((a, b) => a - b);
        if (list.length === 0) {
            this.stringsDone = true;
            return;
        }
        list.forEach((index, k) => {
            this.control(setupPacket(0x80, 6, (DESC_STRING << 8) | index, LANG_EN_US, 255), 255, (data) => {
                if (data.length >= 2 && data[1] === DESC_STRING) {
                    let s = '';
                    for (let i = 2; i + 1 < Math.min(data[0], data.length); i += 2) s += String.fromCharCode(le16(data, i));
                    dev.strings.set(index, s);
                    if (this.ncm && index === this.ncm.fn.iMacAddress) this.ncm.macAddress = s.replace(/(..)(?!$)/g, '$1:').toLowerCase();
                }
                if (k === list.length - 1) this.stringsDone = true;
            });
        });
    }

    private endpointWrite(endpoint: number, buffer: Uint8Array): void {
        if (endpoint === 0) {
            const req = this.current;
            if (!req) return;
            if (req.length === 0) {
                if (buffer.length === 0) this.finish(); // status stage of a request without data
                return;
            }
            for (const b of buffer) this.received.push(b);
            const maxPacket = this.device?.maxPacketSize0 ?? 64;
            if (this.received.length >= req.length || buffer.length < maxPacket) {
                this.received.length = Math.min(this.received.length, req.length);
                this.finish();
            }
            return;
        }
        if (this.msc && this.msc.fn.inEndpoint === endpoint) {
            this.msc.inPacket(buffer);
            return;
        }
        if (this.ncm && this.ncm.fn.inEndpoint === endpoint) {
            this.ncm.inPacket(buffer);
            return;
        }
        if (this.ncm && this.ncm.fn.notifyEndpoint === endpoint) {
            this.ncm.notifyPacket(buffer);
            return;
        }
        for (const p of this.ports) {
            if (p.fn && p.fn.inEndpoint === endpoint) {
                p.deliver(buffer);
                return;
            }
        }
    }

    private endpointRead(endpoint: number, size: number): void {
        // EP0 OUT (the status stage of an IN request) is left pending: the next SETUP supersedes it
        if (endpoint === 0) return;
        if (this.msc && this.msc.fn.outEndpoint === endpoint) {
            this.msc.outArmed(size);
            return;
        }
        if (this.ncm && this.ncm.fn.outEndpoint === endpoint) {
            this.ncm.outArmed(size);
            return;
        }
        this.armed.set(endpoint, size);
        for (const p of this.ports) if (p.fn && p.fn.outEndpoint === endpoint) this.feed(p);
    }

    /** Completes a pending OUT transfer of `p` if it has bytes queued. */
    feed(p: CdcPort): void {
        if (!p.fn || p.queue.length === 0) return;
        const size = this.armed.get(p.fn.outEndpoint);
        if (size === undefined) return;
        this.armed.delete(p.fn.outEndpoint);
        this.usb.endpointReadDone(p.fn.outEndpoint, p.queue.shift(size));
    }
}
