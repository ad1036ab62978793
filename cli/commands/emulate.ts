import { mpremoteCommandLine } from '../components/mpremote.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { openBoard, type Rp2040Board } from '../emulator/board.js';
import { formatProfile, startProfile } from '../emulator/profile.js';
import { NetNamespace, TapDevice, bridgeNcm, tapUnavailable } from '../emulator/tap.js';
import { PasstLink, bridgeNcmLink, parseForward, userNetUnavailable, type PortForward } from '../emulator/user-net.js';
import { formatUsbInfo } from '../emulator/usb-info.js';
import { boardLinkLocal } from '../emulator/usb-ncm.js';
import { interactive, lastBuild, runScripts, servePty, type ScriptSource } from '../emulator/session.js';
import { MprtError } from '../util/errors.js';

interface Args {
    firmware?: string;
    run?: string[];
    exec?: string[];
    timeout: number;
    'wall-timeout': number;
    'boot-timeout': number;
    'flash-image'?: string;
    uart: boolean;
    bootrom?: string;
    pty: boolean;
    'pty-link'?: string;
    json: boolean;
    verbose: boolean;
    profile?: string;
    'usb-info': boolean;
    net?: string;
    'net-forward'?: string[];
}

function readScripts(args: Args): ScriptSource[] {
    const sources: ScriptSource[] = [];
    for (const file of args.run ?? []) {
        if (!existsSync(file)) throw new MprtError(`script ${file} not found`, { exitCode: 2 });
        sources.push({ name: file, code: readFileSync(file, 'utf8') });
    }
    for (const code of args.exec ?? []) sources.push({ name: '--exec', code });
    return sources;
}

export const emulateCommand: CommandModule<object, Args> = {
    command: 'emulate [firmware]',
    describe: 'Run firmware on an emulated RP2040 (rp2040js): a REPL, a pty for mpremote, or scripts',
    builder: (y) =>
        y
            .positional('firmware', { type: 'string', describe: 'firmware.uf2 or firmware.elf (default: the last `mprt build`)' })
            .option('run', { type: 'string', array: true, describe: 'run FILE.py through the raw REPL (repeatable)' })
            .option('exec', { type: 'string', array: true, describe: 'run CODE through the raw REPL (repeatable, after --run files)' })
            .option('timeout', { type: 'number', default: 60, describe: 'emulated seconds each script may take (exit 124 when exceeded)' })
            .option('wall-timeout', { type: 'number', default: 600, describe: 'wall-clock safety net, seconds, for any single wait' })
            .option('boot-timeout', { type: 'number', default: 10, describe: 'emulated seconds to reach the REPL prompt' })
            .option('flash-image', { type: 'string', describe: 'keep the 2 MB flash in FILE across runs (created when absent)' })
            .option('uart', { type: 'boolean', default: false, describe: 'console on UART0 instead of USB CDC (default: as the last build recorded)' })
            .option('bootrom', { type: 'string', describe: 'use this real RP2040 boot ROM image instead of ours' })
            .option('pty', { type: 'boolean', default: false, describe: 'serve the console on a pseudo-terminal and print its path' })
            .option('pty-link', { type: 'string', describe: 'with --pty: create the pty link at this path' })
            .option('json', { type: 'boolean', default: false, describe: 'with --run/--exec: print results as JSON on stdout' })
            .option('verbose', { type: 'boolean', default: false, describe: 'print rp2040js warnings' })
            .option('profile', { type: 'string', describe: 'with --run/--exec: write the cycles each firmware function took while the scripts ran (both cores) to FILE' })
            .option('usb-info', { type: 'boolean', default: false, describe: 'print the USB device the emulated host enumerated (like lsusb -v), then run the rest' })
            .option('net', {
                type: 'string',
                describe:
                    "put the board's USB network function on this machine's network and print how to reach it: `tap` (root: a TAP device in a new network namespace), `user` (no root: passt, with --net-forward ports on localhost); `--net` alone: tap when root, else user",
            })
            .option('net-forward', {
                type: 'string',
                array: true,
                describe: 'with --net=user: HOSTPORT:BOARDPORT, this machine\'s 127.0.0.1:HOSTPORT reaches the board\'s port (repeatable; default 8080:80 and 8023:23)',
            })
            .option('cores', { type: 'number', choices: [1, 2], describe: 'emulated Cortex-M0+ cores (default 2: core 1 waits in the boot ROM until launched)' })
            .example('$0 emulate', 'REPL on the last build (Ctrl-] quits)')
            .example('$0 emulate build/pico/firmware.uf2 --exec "print(1+1)"', 'run code, exit 0 / 1 (raised) / 124 (timeout)')
            .example('$0 emulate --pty', 'then: mpremote connect <printed path> exec "print(123)"')
            .example('$0 emulate --net=user --run server.py', "no root: localhost:8080 reaches the board's port 80 (passt)")
            .epilog('Exit codes: 0 ok, 1 the code raised, 2 bad input, 3 the board did not boot or stopped, 124 timeout.'),
    handler: async (args) => {
        const last = args.firmware ? undefined : lastBuild();
        const firmware = args.firmware ? resolve(args.firmware) : last!.firmware;
        const sources = readScripts(args);
        if (sources.length && args.pty) throw new MprtError('--pty cannot be combined with --run/--exec', { exitCode: 2 });
        const elf = firmware.endsWith('.elf') ? firmware : join(dirname(firmware), 'firmware.elf');
        if (args.profile && (!sources.length || !existsSync(elf))) {
            throw new MprtError(`--profile needs --run/--exec and the firmware's ELF (${elf})`, { exitCode: 2 });
        }
        const netMode = chooseNetMode(args.net);
        const forwards = netForwards(args['net-forward']);
        const wallStart = Date.now();
        const board = await openBoard({
            firmware,
            flashImage: args['flash-image'] ? resolve(args['flash-image']) : undefined,
            console: args.uart ? 'uart' : (last?.console ?? 'usb'),
            bootrom: args.bootrom ? resolve(args.bootrom) : undefined,
            wallTimeoutMs: args['wall-timeout'] * 1000,
            verbose: args.verbose,
            cores: args.cores as 1 | 2 | undefined,
        });
        let net: { ns: NetNamespace; tap: TapDevice } | undefined;
        let userNet: PasstLink | undefined;
        try {
            if (netMode && !board.usb) throw new MprtError('--net needs the USB console (not --uart)', { exitCode: 2 });
            if (netMode === 'user') {
                userNet = await PasstLink.open({ address: NET_BOARD, prefix: 24, gateway: NET_HOST, forwards }).catch((err: Error) => {
                    throw new MprtError(`--net=user: ${err.message}`, { exitCode: 2 });
                });
                bridgeNcmLink(board.usb!, userNet);
                board.realTimeSlackMs = 20;
            }
            if (netMode === 'tap') {
                const ns = NetNamespace.create();
                net = { ns, tap: await TapDevice.open(ns, NET_TAP, `${NET_HOST}/24`) };
                bridgeNcm(board.usb!, net.tap);
                // host programs talk to the board in wall time: the board keeps to it (--timeout is then wall time too)
                board.realTimeSlackMs = 20;
            }
            await board.boot({ timeoutMs: args['boot-timeout'] * 1000 });
            if (net) await announceNet(board, net.ns);
            if (userNet) await announceUserNet(board, userNet.forwards);
            const boot = { emulatedMs: board.nowMs(), wallMs: Date.now() - wallStart };
            if (args['usb-info']) await printUsbInfo(board);
            if (sources.length) {
                const json = args.json;
                const profile = args.profile ? startProfile(board) : undefined;
                const { exitCode, outcomes } = await runScripts(board, sources, {
                    timeoutMs: args.timeout * 1000,
                    out: json ? undefined : (s) => process.stdout.write(s),
                    err: json ? undefined : (s) => process.stderr.write(s),
                });
                if (profile) writeFileSync(resolve(args.profile!), formatProfile(profile.stop(), elf));
                if (json) {
                    process.stdout.write(JSON.stringify({ firmware, exitCode, boot, results: outcomes, cycles: board.cycles() }, null, 2) + '\n');
                }
                process.exitCode = exitCode;
            } else if (args.pty) {
                await servePty(board, {
                    link: args['pty-link'] ? resolve(args['pty-link']) : undefined,
                    announce: (path, ports) => {
                        // the console's pty first, then one per further CDC port of a saved usb.UsbConfig
                        process.stdout.write(args.json ? JSON.stringify({ pty: path, ports, boot }) + '\n' : [path, ...ports].map((p) => `${p}\n`).join(''));
                        if (!args.json) process.stderr.write(mpremoteHint(path));
                    },
                });
            } else {
                await interactive(board);
            }
            if (args['flash-image']) await detachCleanly(board);
        } finally {
            net?.tap.close();
            userNet?.close();
            net?.ns.remove();
            await board.close();
        }
    },
};

const NET_TAP = 'mprt0';
const NET_HOST = '192.168.7.2';
const NET_BOARD = '192.168.7.1';

/** The link `--net[=MODE]` asks for (undefined: none), or why it cannot be had here. */
function chooseNetMode(net: string | undefined): 'tap' | 'user' | undefined {
    if (net === undefined) return undefined;
    if (net !== '' && net !== 'tap' && net !== 'user') throw new MprtError(`--net=${net}: expected tap or user`, { exitCode: 2 });
    const tapWhy = tapUnavailable();
    const userWhy = userNetUnavailable();
    if (net === 'tap' && tapWhy) throw new MprtError(`--net=tap: ${tapWhy} (--net=user needs no root)`, { exitCode: 2 });
    if (net === 'user' && userWhy) throw new MprtError(`--net=user: ${userWhy}`, { exitCode: 2 });
    if (net === '' && tapWhy && userWhy) throw new MprtError(`--net: no TAP device (${tapWhy}) and no user-mode link (${userWhy})`, { exitCode: 2 });
    return net === '' ? (tapWhy ? 'user' : 'tap') : net;
}

function netForwards(specs: string[] | undefined): PortForward[] {
    try {
        return (specs ?? ['8080:80', '8023:23']).flatMap((s) => s.split(',')).map(parseForward);
    } catch (err) {
        throw new MprtError(`--net-forward: ${(err as Error).message}`, { exitCode: 2 });
    }
}

/** Waits for the network function, then says how the user-mode link reaches the board (stderr). */
async function announceUserNet(board: Rp2040Board, forwards: PortForward[]): Promise<void> {
    const host = board.usb!;
    await board.runUntil(() => host.ncm?.connected === true && host.stringsDone, 5000, { haltOnOutput: false });
    if (!host.ncm?.connected) {
        process.stderr.write('--net: the board presents no USB network function (a saved usb.UsbConfig without net_ncm()?)\n');
        return;
    }
    const fw = forwards.map((f) => `localhost:${f.host} -> board port ${f.board}`).join(', ');
    process.stderr.write(
        `USB network link (user mode, passt): the board is ${NET_BOARD}; ${fw || 'no port forwards'}\n` +
            `the board reaches this machine's localhost services at ${NET_HOST}; e.g. curl http://localhost:${forwards[0]?.host ?? 8080}/\n`,
    );
}

/** Waits for the board's network function to come up and prints how to reach it (stderr). */
async function announceNet(board: Rp2040Board, ns: NetNamespace): Promise<void> {
    const host = board.usb!;
    await board.runUntil(() => host.ncm?.connected === true && host.stringsDone, 5000, { haltOnOutput: false });
    if (!host.ncm?.connected) {
        process.stderr.write('--net: the board presents no USB network function (a saved usb.UsbConfig without net_ncm()?)\n');
        return;
    }
    const ll = host.ncm.macAddress ? `, ${boardLinkLocal(host.ncm.macAddress)}%${NET_TAP}` : '';
    process.stderr.write(
        `USB network link: the board is ${NET_BOARD}${ll}; this side is ${NET_HOST}/24 on ${NET_TAP} in network namespace ${ns.name}\n` +
            `reach it with: ip netns exec ${ns.name} curl http://${NET_BOARD}/  (or any program: ip netns exec ${ns.name} <cmd>)\n`,
    );
}

/**
 * Ends a session the way unplugging after a clean detach would: a soft reset, whose finalisers close files
 * the code left open (`open('x','w').write(...)`), so their data is in flash before the image is saved.
 */
async function detachCleanly(board: Rp2040Board): Promise<void> {
    // the raw-REPL client's soft reset: the VM's finalisers (and so littlefs's closes) run before its banner
    await board.repl.softReset();
}

/** Prints the enumerated USB tree (the host reads the strings just after configuring: wait for them). */
async function printUsbInfo(board: Rp2040Board): Promise<void> {
    const host = board.usb;
    if (!host) throw new MprtError('--usb-info needs the USB console (not --uart)', { exitCode: 2 });
    await board.runUntil(() => host.stringsDone, 1000);
    if (!host.device) throw new MprtError('the board did not enumerate on USB', { exitCode: 3 });
    process.stdout.write(formatUsbInfo(host.device));
}

/** How to reach the pty with the mpremote that `mprt setup` unpacked (it is not installed system-wide). */
function mpremoteHint(path: string): string {
    return `connect with: ${mpremoteCommandLine(path, ['repl'])}\n(or MPRT_PORT=${path} npx mprt mpremote ...; Ctrl-C here stops the board)\n`;
}
