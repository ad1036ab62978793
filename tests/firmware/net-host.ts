/**
 * Host programs for the USB network link tests (F15-usb-net.test.ts), run inside the test's network
 * namespace while the emulated board runs: a ping over raw ICMP sockets (this machine has no `ping`
 * binary; the kernel's own stack sends and answers), a TCP server and an HTTP client in Python.
 */
import assert from 'node:assert/strict';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { NetNamespace, TapDevice, bridgeNcm } from '../../cli/emulator/tap.js';

/** Runs the board until its NCM function reports its link (NETWORK_CONNECTION) and the host has read its strings. */
export async function waitNcmLink(board: Rp2040Board): Promise<void> {
    const up = await board.runUntil(() => board.usb?.ncm?.connected === true && board.usb.stringsDone, 10_000, { haltOnOutput: false });
    assert.ok(up, 'the NCM function reported its link (NETWORK_CONNECTION)');
}

/** A booted board whose USB network link is bridged to TAP device `tapName` (the host's end, `hostCidr`) in a new
 *  namespace, its link up. `close()` removes the device and the namespace and closes the board (as a failure
 *  to bring the link up does). */
export async function openLinkedBoard(firmware: string, tapName: string, hostCidr: string):
Promise<{ board: Rp2040Board; ns: NetNamespace; tap: TapDevice; close: () => Promise<void> }> {
    const board = await openBoard({ firmware });
    let ns: NetNamespace | undefined;
    let tap: TapDevice | undefined;
    const close = async (): Promise<void> => {
        tap?.close();
        ns?.remove();
        await board.close();
    };
    try {
        ns = NetNamespace.create();
        tap = await TapDevice.open(ns, tapName, hostCidr);
        bridgeNcm(board.usb!, tap);
        await board.boot();
        await waitNcmLink(board);
    } catch (e) {
        await close();
        throw e;
    }
    return { board, ns, tap, close };
}

/** `python3 -c PING addr count ifname`: one line per reply, "seq rtt_ms", then "sent N received M". */
export const PING = `
import socket, struct, sys, time, select
addr, count, ifname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
v6 = ":" in addr
def csum(b):
    if len(b) % 2: b += b"\\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    dst = (addr, 0, 0, socket.if_nametoindex(ifname))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    dst = (addr, 0)
ident, got = 0x4d50, 0
for seq in range(count):
    payload = b"mprt ping %04d" % seq + bytes(range(42))
    t = 128 if v6 else 8
    h = struct.pack("!BBHHH", t, 0, 0, ident, seq)
    if not v6:
        h = struct.pack("!BBHHH", t, 0, csum(h + payload), ident, seq)
    t0 = time.monotonic()
    s.sendto(h + payload, dst)
    deadline = t0 + 20
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], deadline - time.monotonic())
        if not r: break
        d = s.recv(2048)
        if not v6: d = d[(d[0] & 15) * 4:]
        if len(d) >= 8 and d[0] == (129 if v6 else 0) and struct.unpack("!HH", d[4:8]) == (ident, seq) and d[8:] == payload:
            got += 1
            print(seq, "%.1f" % ((time.monotonic() - t0) * 1000), flush=True)
            break
print("sent", count, "received", got, flush=True)
`;

/** `python3 -c HTTP_GET url`: prints the status and body. */
export const HTTP_GET = `
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r:
    print(r.status)
    sys.stdout.write(r.read().decode())
`;

/** Python lines: listens on argv[1]:argv[2], prints "listening", accepts one connection `c` (from `a`) within 120 s. */
const ACCEPT_ONE = `s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
print("listening", flush=True)
s.settimeout(120)
c, a = s.accept()`;

/** `python3 -c TCP_SERVER addr port`: accepts one connection, echoes what it reads in upper case, prints it. */
export const TCP_SERVER = `
import socket, sys
${ACCEPT_ONE}
c.settimeout(60)
data = b""
while not data.endswith(b"\\n"):
    d = c.recv(1024)
    if not d: break
    data += d
c.sendall(data.upper())
c.close()
print("from", a[0], data.decode().strip(), flush=True)
`;

export interface HostRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Starts `cmd` in `ns`. `ready` resolves once it printed `readyText` (if given) or ended; `done()` runs
 * the board (which only runs while something awaits it) until the command ends or `wallMs` pass.
 */
export function hostCommand(
    board: Rp2040Board,
    ns: NetNamespace,
    cmd: string[],
    opts: { wallMs?: number; readyText?: string } = {},
): { ready: Promise<void>; done: () => Promise<HostRun> } {
    const p = ns.spawn(cmd);
    p.stdin!.end();
    let stdout = '';
    let stderr = '';
    let exited = false;
    let code: number | null = null;
    let readyResolve: () => void = () => {};
    const ready = new Promise<void>((r) => (readyResolve = r));
    if (!opts.readyText) readyResolve();
    p.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (opts.readyText && stdout.includes(opts.readyText)) readyResolve();
    });
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (c) => {
        exited = true;
        code = c;
        readyResolve();
    });
    const done = async (): Promise<HostRun> => {
        const wallMs = opts.wallMs ?? 120_000;
        const deadline = Date.now() + wallMs;
        while (!exited && Date.now() < deadline) {
            await board.runUntil(() => exited, 1_000_000, { haltOnOutput: false, wallTimeoutMs: wallMs + 5000 }).catch(() => false);
        }
        if (!exited) p.kill();
        return { code, stdout, stderr };
    };
    return { ready, done };
}

/** `python3 -c TCP_SEND addr port n`: connects, sends n pattern bytes (i*7 & 255), shuts down, prints the reply. */
export const TCP_SEND = `
import socket, sys, time
n = int(sys.argv[3])
data = bytes((i * 7) & 255 for i in range(256)) * (n // 256)
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=120)
t0 = time.monotonic()
c.sendall(data)
c.shutdown(socket.SHUT_WR)
reply = b""
while True:
    d = c.recv(1024)
    if not d: break
    reply += d
print(reply.decode().strip(), "%.0f" % ((time.monotonic() - t0) * 1000), flush=True)
`;

/** `python3 -c TCP_SINK addr port`: accepts one connection, reads to its end, prints "n sha256 wall_ms". */
export const TCP_SINK = `
import socket, sys, time, hashlib
${ACCEPT_ONE}
c.settimeout(120)
t0 = time.monotonic()
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest(), "%.0f" % ((time.monotonic() - t0) * 1000), flush=True)
`;

/**
 * `python3 -c DHCP_CLIENT ifname mac...`: for each client hardware address, DISCOVER, then REQUEST what was
 * offered (RFC 2131); prints "mac offer ack mask lease server" per client, then RELEASEs them. This
 * machine has no DHCP client program (dhclient, udhcpc, busybox): the exchange is written out here.
 */
export const DHCP_CLIENT = `
import socket, struct, sys, time, random
ifname, macs = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.bind(("0.0.0.0", 68))
s.settimeout(30)
def msg(xid, mac, typ, opts=b"", ciaddr=b"\\0" * 4):
    m = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0x8000) + ciaddr + b"\\0" * 12
    m += mac + b"\\0" * 10 + b"\\0" * 192 + struct.pack("!I", 0x63825363)
    return m + bytes([53, 1, typ]) + opts + b"\\xff"
def options(d):
    o, i = {}, 240
    while i < len(d) and d[i] != 255:
        if d[i] == 0: i += 1; continue
        o[d[i]] = d[i + 2:i + 2 + d[i + 1]]; i += 2 + d[i + 1]
    return o
def wait(xid, typ):
    while True:
        d, a = s.recvfrom(2048)
        if len(d) >= 240 and d[0] == 2 and struct.unpack("!I", d[4:8])[0] == xid:
            o = options(d)
            if o.get(53) == bytes([typ]) or o.get(53) == bytes([6]):
                return d, o
done = []
for text in macs:
    mac = bytes(int(x, 16) for x in text.split(":"))
    xid = random.getrandbits(32)
    s.sendto(msg(xid, mac, 1), ("255.255.255.255", 67))
    d, o = wait(xid, 2)
    offer = socket.inet_ntoa(d[16:20])
    server = o[54]
    s.sendto(msg(xid, mac, 3, bytes([50, 4]) + d[16:20] + bytes([54, 4]) + server), ("255.255.255.255", 67))
    d, o = wait(xid, 5)
    kind = "ack" if o[53] == bytes([5]) else "nak"
    print(text, offer, kind, socket.inet_ntoa(d[16:20]), socket.inet_ntoa(o.get(1, b"\\0" * 4)), struct.unpack("!I", o.get(51, b"\\0" * 4))[0], socket.inet_ntoa(server), flush=True)
    done.append((mac, d[16:20], server))
for mac, ip, server in done:
    s.sendto(msg(random.getrandbits(32), mac, 7, bytes([54, 4]) + server, ciaddr=ip), ("255.255.255.255", 67))
time.sleep(0.5)
`;
