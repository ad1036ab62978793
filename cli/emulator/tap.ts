/**
 * The board's USB network link on this machine's real network stack: a Linux TAP device in a network
 * namespace of its own. Frames the board sends (usb-ncm.ts) are written to the TAP device, and what the
 * kernel sends on it goes back to the board, so host programs run in the namespace (`ip netns exec`)
 * reach the board's addresses through the kernel's own IPv4/IPv6/ARP/ND/TCP: no network stack of ours.
 *
 * Node cannot make the TUNSETIFF ioctl, so a small Python helper (run inside the namespace) opens
 * /dev/net/tun, creates the TAP device there and relays frames on its stdin/stdout, each with a 2-byte
 * big-endian length. Needs root (CAP_NET_ADMIN) and /dev/net/tun; the namespace is deleted by close() and,
 * failing that, when this process exits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { UsbHost } from './usb-host.js';
import type { NcmHost } from './usb-ncm.js';

const HELPER = `
import os, sys, fcntl, struct, select
TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(), IFF_TAP | IFF_NO_PI))
os.write(1, b"\\0\\0")
buf = b""
while True:
    r, _, _ = select.select([0, fd], [], [])
    if fd in r:
        f = os.read(fd, 65536)
        os.write(1, struct.pack(">H", len(f)) + f)
    if 0 in r:
        d = os.read(0, 65536)
        if not d:
            break
        buf += d
        while len(buf) >= 2:
            n = struct.unpack(">H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            try:
                os.write(fd, buf[2:2 + n])
            except OSError:
                pass
            buf = buf[2 + n:]
`;

/** Why a TAP bridge cannot be made here, or undefined when it can (root and /dev/net/tun). */
export function tapUnavailable(): string | undefined {
    if (process.platform !== 'linux') return 'TAP devices need Linux';
    if (process.getuid?.() !== 0) return 'TAP devices and network namespaces need root';
    if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
    try {
        execFileSync('ip', ['-V'], { stdio: 'ignore' });
    } catch {
        return 'no `ip` command (iproute2)';
    }
    try {
        execFileSync('python3', ['-c', ''], { stdio: 'ignore' });
    } catch {
        return 'no python3 (the TAP helper is a Python script)';
    }
    return undefined;
}

const namespaces = new Set<string>();
let exitHook = false;

function ip(args: string[]): void {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A network namespace of our own (deleted by remove(), or at exit). */
export class NetNamespace {
    private constructor(readonly name: string) {}

    static create(prefix = 'mprt'): NetNamespace {
        const name = `${prefix}${process.pid}x${Math.floor(Math.random() * 1e6)}`;
        ip(['netns', 'add', name]);
        namespaces.add(name);
        if (!exitHook) {
            exitHook = true;
            process.on('exit', () => {
                for (const n of namespaces) {
                    try {
                        ip(['netns', 'del', n]);
                    } catch {
                        // already gone
                    }
                }
            });
        }
        const ns = new NetNamespace(name);
        ns.ip(['link', 'set', 'lo', 'up']);
        // no duplicate address detection: the host's link-local address is usable at once
        ns.run(['sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
        return ns;
    }

    /** `ip -n <ns> ...` */
    ip(args: string[]): void {
        ip(['-n', this.name, ...args]);
    }

    /** Runs a command in the namespace to its end (synchronously: not while the board must answer). */
    run(cmd: string[]): string {
        return execFileSync('ip', ['netns', 'exec', this.name, ...cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    }

    /** Starts a command in the namespace. */
    spawn(cmd: string[]): ChildProcess {
        return spawn('ip', ['netns', 'exec', this.name, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    }

    remove(): void {
        if (!namespaces.delete(this.name)) return;
        try {
            ip(['netns', 'del', this.name]);
        } catch {
            // already gone
        }
    }
}

/** A TAP device in a namespace, relaying Ethernet frames. */
export class TapDevice {
    onFrame: ((frame: Uint8Array) => void) | undefined;
    readonly stats = { framesIn: 0, framesOut: 0 };
    private buf = Buffer.alloc(0);
    private closed = false;

    private constructor(
        readonly ns: NetNamespace,
        readonly name: string,
        private readonly helper: ChildProcess,
    ) {
        helper.stdout!.on('data', (d: Buffer) => this.data(d));
        helper.stdin!.on('error', () => {});
    }

    /** Creates `name` in `ns` (up, with `address` such as 192.168.7.2/24 if given). */
    static async open(ns: NetNamespace, name: string, address?: string): Promise<TapDevice> {
        const helper = ns.spawn(['python3', '-c', HELPER, name]);
        let err = '';
        helper.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        await new Promise<void>((resolve, reject) => {
            const onData = (d: Buffer): void => {
                if (d.length >= 2) {
                    helper.stdout!.off('data', onData);
                    if (d.length > 2) helper.stdout!.unshift(d.subarray(2));
                    resolve();
                }
            };
            helper.stdout!.on('data', onData);
            helper.on('exit', (code) => reject(new Error(`the TAP helper ended (${code}): ${err.trim()}`)));
        });
        const tap = new TapDevice(ns, name, helper);
        if (address) ns.ip(['addr', 'add', address, 'dev', name]);
        ns.ip(['link', 'set', name, 'up']);
        return tap;
    }

    /** Writes a frame to the kernel (as if received on the TAP device's wire). */
    send(frame: Uint8Array): void {
        if (this.closed) return;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(frame.length);
        this.stats.framesOut++;
        this.helper.stdin!.write(Buffer.concat([head, frame]));
    }

    private data(d: Buffer): void {
        this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
        while (this.buf.length >= 2) {
            const n = this.buf.readUInt16BE(0);
            if (this.buf.length < 2 + n) break;
            const frame = new Uint8Array(this.buf.subarray(2, 2 + n));
            this.buf = this.buf.subarray(2 + n);
            this.stats.framesIn++;
            this.onFrame?.(frame);
        }
    }

    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.helper.stdin!.end();
        this.helper.kill();
    }
}

/** Bridges the NCM function of `host` (now and after any re-enumeration) and `tap`, frame for frame. */
export function bridgeNcm(host: UsbHost, tap: TapDevice): void {
    const attach = (ncm: NcmHost): void => {
        ncm.onFrame = (f) => tap.send(f);
    };
    if (host.ncm) attach(host.ncm);
    host.onNcm = attach;
    tap.onFrame = (f) => host.ncm?.send(f);
}
