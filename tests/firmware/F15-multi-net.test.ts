/**
 * MicroPython's own two-instance network tests (`tests/multi_net/*.py` of the pinned MicroPython tree) run
 * by upstream's `tests/run-multitests.py`, unchanged, between the board and CPython on this machine over
 * the USB network link (issue 20; docs/testing.md "multi_net"):
 *
 * - the board is `mprt emulate --net --pty`: its console on a pty, which run-multitests opens as a
 *   `-i pyb:<pty>` instance through upstream's pyboard.py (pyserial from `mprt setup`); its CDC-NCM
 *   function bridged to a TAP device in a network namespace (192.168.7.2/24 on this side);
 * - the other instance is `-i cpython` (python3), and run-multitests itself runs in that namespace
 *   (`ip netns exec`), so the CPython instance reaches the board at 192.168.7.1;
 * - `multitest.get_network_ip()` (upstream's template) asks `nic.ifconfig()[0]` first, then
 *   `network.WLAN`/`network.LAN` (which this firmware does not have: its interfaces are `network.netif`),
 *   then the host address run-multitests found. Two small shims of ours, no upstream file changed: a
 *   `boot.py` written to the board's filesystem defines `nic` from `network.netif['us1']` (so the board
 *   answers its own link address), and the namespace gets a default route on the link (so
 *   run-multitests' host address — the source address of a UDP socket "connected" to 8.8.8.8, nothing is
 *   sent — is 192.168.7.2 instead of 127.0.0.1);
 * - every test runs twice, the board as instance 0 (mostly the server) and then as instance 1, except
 *   asyncio_tcp_readinto (only second: its instance 1 needs MicroPython's StreamReader.readinto, not in
 *   CPython) and the TLS tests (only first: they skip).
 *
 * Every test must pass or be skipped for a reason listed here (TLS: the firmware has no `ssl` module, so
 * the board's instance prints SKIP). Needs root and /dev/net/tun (CI runs as root); skipped with the reason otherwise.
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, test } from 'node:test';
import { componentDir } from '../../cli/components/components.js';
import { tapUnavailable } from '../../cli/emulator/tap.js';
import { mprtBin, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();

/** The pinned MicroPython tree's tests folder, or why there is none. */
function upstreamTests(): { dir?: string; why?: string } {
    try {
        const dir = join(componentDir('micropython'), 'tests');
        if (!existsSync(join(dir, 'run-multitests.py'))) return { why: `no run-multitests.py in ${dir}` };
        componentDir('pyserial');
        return { dir };
    } catch (err) {
        return { why: `MicroPython's source tree or pyserial is not set up (${(err as Error).message})` };
    }
}

const upstream = upstreamTests();
const skip = !firmware ? 'no firmware to run' : (tapUnavailable() ?? upstream.why ?? false);

/** The board's boot.py for the run: `nic`, which upstream's get_network_ip() asks first. */
const BOOT_PY = [
    "# tests/firmware/F15-multi-net.test.ts: run-multitests' get_network_ip() asks nic.ifconfig()[0] first",
    'import network',
    'class _MultitestNic:',
    '    def ifconfig(self):',
    "        n = network.netif['us1']",
    "        return (n.address, n.netmask, n.gateway or '0.0.0.0', '0.0.0.0')",
    'nic = _MultitestNic()',
    '',
].join('\n');

/** `python3 -c WRITE_BOOT pty code`: writes boot.py through upstream's pyboard.py, prints what the board then answers. */
const WRITE_BOOT = `
import sys, pyboard
p = pyboard.Pyboard(sys.argv[1])
p.enter_raw_repl()
p.exec_("f = open('boot.py', 'w'); f.write(%r); f.close()" % sys.argv[2])
p.enter_raw_repl()
print(p.exec_("print(nic.ifconfig()[0])").decode().strip())
p.exit_raw_repl()
p.close()
`;

/** Tests that may skip, with the reason (anything else must pass). */
const TLS_REASON = 'the firmware has no ssl module (no TLS in this build): the board instance prints SKIP';
function allowedSkip(file: string): string | undefined {
    if (/^(ssl|sslcontext_|asyncio_tls_|tls_)/.test(file)) return TLS_REASON;
    return undefined;
}

/** Tests left out of the order where the board is instance 0, with the reason. */
const NOT_FIRST: Record<string, string> = {
    'asyncio_tcp_readinto.py': "its client (instance 1) calls StreamReader.readinto, MicroPython's own: CPython's asyncio has no readinto",
};

interface MultiResult {
    file: string;
    boardIsClient: boolean;
    result: string;
}

/** Runs upstream's run-multitests.py in the namespace with these instances; its log and each test's result. */
async function multitests(
    ns: string,
    env: NodeJS.ProcessEnv,
    testsDir: string,
    instances: string[],
    files: string[],
): Promise<{ code: number | null; log: string; results: MultiResult[] }> {
    const runner = spawn('ip', ['netns', 'exec', ns, 'python3', join(testsDir, 'run-multitests.py'), ...instances.flatMap((i) => ['-i', i]), ...files.map((f) => join(testsDir, 'multi_net', f))], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
        cwd: testsDir,
    });
    let log = '';
    runner.stdout.on('data', (d: Buffer) => (log += d.toString()));
    runner.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((r) => runner.on('exit', r));
    // "<path> on board|python3: pass" per test (the pty's name is "board")
    const results = [...log.matchAll(/^\S*\/multi_net\/(\S+\.py) on (\S+)\|(\S+): (pass|skip|FAIL)$/gm)].map((m) => ({
        file: m[1],
        boardIsClient: m[2] !== 'board',
        result: m[4],
    }));
    return { code, log, results };
}

describe('F15: MicroPython multi_net tests, board | CPython over the USB network link', { skip }, () => {
    test('run-multitests.py -i pyb:<board pty> -i cpython, and the other way round: 0 failed, skips only for the listed reasons', { timeout: 1_200_000 }, async () => {
        const testsDir = upstream.dir!;
        const work = mkdtempSync(join(tmpdir(), 'mprt-multinet-'));
        const pty = join(work, 'board');
        const cli = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--net=tap', '--pty', '--pty-link', pty], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
        cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const exited = new Promise<number | null>((r) => cli.on('exit', r));
        try {
            const deadline = Date.now() + 120_000;
            while (!(out.includes(pty) && /namespace (\S+)/.test(err)) && Date.now() < deadline && cli.exitCode === null) {
                await new Promise((r) => setTimeout(r, 100));
            }
            const ns = /namespace (\S+)/.exec(err)?.[1];
            assert.ok(ns && out.includes(pty), `emulate --net --pty: ${out}${err}`);
            execFileSync('ip', ['-n', ns, 'route', 'add', 'default', 'dev', 'mprt0']);

            const env = { ...process.env, PYTHONPATH: [componentDir('pyserial'), join(testsDir, '..', 'tools'), process.env.PYTHONPATH].filter(Boolean).join(delimiter) };
            const ip = execFileSync('python3', ['-c', WRITE_BOOT, pty, BOOT_PY], { encoding: 'utf8', env, timeout: 120_000 });
            assert.equal(ip.trim(), '192.168.7.1', "the board's get_network_ip() is its us1 address");

            const files = readdirSync(join(testsDir, 'multi_net'))
                .filter((f) => f.endsWith('.py'))
                .sort();
            const t0 = Date.now();
            // the board as instance 0, then as instance 1 (two runs rather than -p 2, so that a test one
            // order cannot run is left out of that order only: NOT_FIRST)
            const first = await multitests(ns, env, testsDir, [`pyb:${pty}`, 'cpython'], files.filter((f) => !NOT_FIRST[f]));
            // the TLS tests skip in the first run (the board has no ssl); the second would only skip them again
            const tls = files.filter((f) => allowedSkip(f) === TLS_REASON);
            const second = await multitests(
                ns,
                env,
                testsDir,
                ['cpython', `pyb:${pty}`],
                files.filter((f) => !tls.includes(f)),
            );
            const wallS = (Date.now() - t0) / 1000;
            const log = first.log + second.log;
            const results = [...first.results, ...second.results];
            const summary = (r: string, client: boolean): string =>
                results
                    .filter((x) => x.result === r && x.boardIsClient === client)
                    .map((x) => x.file)
                    .join(' ') || '-';
            process.stdout.write(
                `# multi_net (${wallS.toFixed(0)} s wall)\n` +
                    `# board as instance0: pass ${summary('pass', false)}\n#   skip ${summary('skip', false)}\n#   FAIL ${summary('FAIL', false)}\n` +
                    `# board as instance1: pass ${summary('pass', true)}\n#   skip ${summary('skip', true)}\n#   FAIL ${summary('FAIL', true)}\n`,
            );
            assert.equal(results.length, files.length * 2 - Object.keys(NOT_FIRST).length - tls.length, `every test ran:\n${log}`);
            assert.ok(tls.length >= 10 && files.length - tls.length >= 10, files.join(' '));
            assert.deepEqual(
                results.filter((r) => r.result === 'FAIL'),
                [],
                log,
            );
            for (const r of results) {
                const why = allowedSkip(r.file);
                if (r.result === 'skip') assert.ok(why, `${r.file} skipped (board as ${r.boardIsClient ? 'instance1' : 'instance0'}) with no listed reason:\n${log}`);
                else assert.ok(why !== TLS_REASON, `${r.file}: a TLS test ran`);
            }
            assert.ok(results.filter((r) => r.result === 'pass').length >= 19, log);
            assert.equal(first.code, 0, first.log);
            assert.equal(second.code, 0, second.log);
        } finally {
            cli.kill('SIGTERM');
            await exited;
            rmSync(work, { recursive: true, force: true });
        }
    });
});
