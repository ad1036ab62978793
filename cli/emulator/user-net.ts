/**
 * The board's USB network link without root: a user-mode network stack, Debian's `passt` (installed by
 * `mprt setup`, vendor/host-packages.json). passt serves one client on a connected UNIX socket (here a
 * socket pair, its fd 3), exchanging Ethernet frames each preceded by its length (32-bit big-endian:
 * qemu's stream netdev framing); it
 * answers the board's ARP/NDP itself and turns the board's TCP/UDP/ICMP into ordinary sockets of this
 * user, and its port forwards (`-t 127.0.0.1/HOSTPORT:BOARDPORT`) make `localhost:HOSTPORT` reach the
 * board. Frames the board sends (usb-ncm.ts) go to passt and passt's come back, one for one, as with the
 * TAP device of tap.ts; the TCP/IP is passt's, none of ours.
 *
 * Addresses: passt is told the board's address (`-a 192.168.7.1 -n 24`) and uses 192.168.7.2 (`-g`) as
 * its own on the link: connections forwarded from this machine's localhost arrive from 192.168.7.2, and
 * the board's connections to 192.168.7.2 reach this machine's loopback (passt's gateway mapping).
 * Traffic stays on this machine: forwards bind 127.0.0.1 only, and the board has no route off the link.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { UsbHost } from './usb-host.js';
import type { NcmHost } from './usb-ncm.js';

/** A TCP port forward: this machine's 127.0.0.1:host reaches the board's port `board`. */
export interface PortForward {
    host: number;
    board: number;
}

/** Parses "HOST:BOARD" or "PORT" (the same on both sides). */
export function parseForward(text: string): PortForward {
    const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
    const host = m ? Number(m[1]) : NaN;
    const board = m ? Number(m[2] ?? m[1]) : NaN;
    if (!(host > 0 && host < 65536 && board > 0 && board < 65536)) throw new Error(`bad port forward '${text}' (HOSTPORT:BOARDPORT, e.g. 8080:80)`);
    return { host, board };
}

/** Why a user-mode link cannot be made here, or undefined when it can (`passt` on the PATH). */
export function userNetUnavailable(): string | undefined {
    if (process.platform !== 'linux') return 'the user-mode link (passt) needs Linux';
    try {
        execFileSync('passt', ['--version'], { stdio: 'ignore' });
    } catch {
        return 'no `passt` (run `npx mprt setup`: it installs Debian\'s passt)';
    }
    return undefined;
}

/** A running passt with this process as its one client. */
export class PasstLink {
    onFrame: ((frame: Uint8Array) => void) | undefined;
    readonly stats = { framesIn: 0, framesOut: 0 };
    private buf = Buffer.alloc(0);
    private closed = false;

    private constructor(
        private readonly proc: ChildProcess,
        private readonly sock: Socket,
        readonly forwards: PortForward[],
    ) {
        sock.on('data', (d: Buffer) => this.data(d));
        sock.on('error', () => {});
    }

    /**
     * Starts passt (board `address`/`prefix`, this side `gateway`) with the forwards. Its client socket is
     * the child's fd 3 (`-F 3`): Node makes child stdio pipes as UNIX socket pairs, so no socket file is
     * needed (passt run by root drops to user nobody before binding one, which then could not be in a
     * private directory of ours).
     */
    static async open(opts: { address: string; prefix: number; gateway: string; forwards: PortForward[] }): Promise<PasstLink> {
        const args = ['-f', '-e', '-q', '-F', '3', '-a', opts.address, '-n', String(opts.prefix), '-g', opts.gateway];
        // the board gets no DNS servers from passt (it uses none of its DHCP anyway: its address is fixed)
        args.push('--no-dhcp-dns', '--no-dhcp-search');
        args.push('-t', opts.forwards.length ? opts.forwards.map((f) => `127.0.0.1/${f.host}:${f.board}`).join(',') : 'none', '-u', 'none');
        const proc = spawn('passt', args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
        let err = '';
        proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        const sock = proc.stdio[3] as Socket;
        // passt binds the forwarded ports at start, before it serves: a bad forward (a port in use) ends it
        await new Promise((r) => setTimeout(r, 300));
        if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new Error(`passt did not start (passt ${args.join(' ')}): ${err.replace(/Failed to send \d+ bytes to syslog\n/g, '').trim()}`);
        }
        return new PasstLink(proc, sock, opts.forwards);
    }

    /** Hands a frame of the board's to passt. */
    send(frame: Uint8Array): void {
        if (this.closed) return;
        const head = Buffer.alloc(4);
        head.writeUInt32BE(frame.length);
        this.stats.framesOut++;
        this.sock.write(Buffer.concat([head, frame]));
    }

    private data(d: Buffer): void {
        this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
        while (this.buf.length >= 4) {
            const n = this.buf.readUInt32BE(0);
            if (this.buf.length < 4 + n) break;
            const frame = new Uint8Array(this.buf.subarray(4, 4 + n));
            this.buf = this.buf.subarray(4 + n);
            this.stats.framesIn++;
            this.onFrame?.(frame);
        }
    }

    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.sock.destroy();
        this.proc.kill();
    }
}

/** A link that carries Ethernet frames both ways (a TapDevice, a PasstLink). */
export interface FrameLink {
    send(frame: Uint8Array): void;
    onFrame: ((frame: Uint8Array) => void) | undefined;
}

/** Bridges the NCM function of `host` (now and after any re-enumeration) and `link`, frame for frame. */
export function bridgeNcmLink(host: UsbHost, link: FrameLink): void {
    const attach = (ncm: NcmHost): void => {
        ncm.onFrame = (f) => link.send(f);
    };
    if (host.ncm) attach(host.ncm);
    host.onNcm = attach;
    link.onFrame = (f) => host.ncm?.send(f);
}
