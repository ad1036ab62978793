/**
 * `npm run bench [-- SECTION...] [--runs N]`: prints figures (no pass/fail). Sections: build, emulator,
 * dualcore, suite, rtos (thread handoff, create/join rates, idle share), perfbench (MicroPython's
 * perf_bench on our firmware vs the stock one; `--port DEV` runs ours on a board), modules, freeze (heap kept by
 * an import from .py/.mpy/frozen, flash bytes, import times: bench/freeze.ts), posix (pipe
 * throughput, select/asyncio wake latency, idle share in select, the fd layer's flash and RAM; file read/write
 * throughput through fds and open() vs the stock VFS, mount time), net (TCP
 * throughput and connection rate over lo0, RAM per socket, idle share with sockets open), apin (machine.APin:
 * edge-to-Python latency, highest edge rate, C heap per pin, flash and RAM). Emulated-time
 * figures are taken on the real B1 boot ROM when it is at hand (bench/firmware.ts benchRom). Each section
 * also runs alone (e.g. `node dist/bench/emulator.js`).
 */
import { benchBuild } from './build.js';
import { benchEmulator } from './emulator.js';
import { benchDualcore } from './dualcore.js';
import { benchModules } from './modules.js';
import { benchFreeze } from './freeze.js';
import { benchSuite } from './suite.js';
import { benchRtos } from './rtos.js';
import { benchPerf } from './perfbench.js';
import { benchPosix } from './posix.js';
import { benchPosixFiles } from './posix-files.js';
import { benchNet } from './net.js';
import { benchApin } from './apin.js';
import { type Column, type Figure, formatColumns, formatFigures } from './stats.js';

/** Options for the sections that take them (`--port DEV`: perfbench on the board at that serial port). */
export interface BenchOptions {
    port?: string;
}

/** A section's figures, or one column of them per firmware (printed side by side). */
const SECTIONS: Record<string, (runs: number, log: (s: string) => void, opts: BenchOptions) => Promise<Figure[] | { columns: Column[] }>> = {
    build: (runs, log) => benchBuild(runs, log),
    emulator: (runs, log) => benchEmulator(runs, log),
    dualcore: (runs, log) => benchDualcore(runs, log),
    suite: (runs, log) => benchSuite(runs, log),
    rtos: (runs, log) => benchRtos(runs, log),
    perfbench: (runs, log, opts) => benchPerf(runs, log, { port: opts.port }),
    modules: (runs, log) => benchModules(runs, log),
    freeze: (runs, log) => benchFreeze(runs, log),
    posix: async (runs, log) => [...(await benchPosix(runs, log)), ...(await benchPosixFiles(runs, log))],
    net: (runs, log) => benchNet(runs, log),
    apin: (runs, log) => benchApin(runs, log),
};

async function main(argv: string[]): Promise<void> {
    let runs = 3;
    const opts: BenchOptions = {};
    const chosen: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--runs') runs = Number(argv[++i]);
        else if (argv[i] === '--port') opts.port = argv[++i];
        else chosen.push(argv[i]);
    }
    for (const name of chosen) {
        if (!SECTIONS[name]) throw new Error(`unknown bench section '${name}' (sections: ${Object.keys(SECTIONS).join(', ')})`);
    }
    if (opts.port && (chosen.length !== 1 || chosen[0] !== 'perfbench')) {
        throw new Error('--port runs the perfbench section on a board: `npm run bench -- perfbench --port DEV`');
    }
    const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
    for (const name of chosen.length ? chosen : Object.keys(SECTIONS)) {
        const result = await SECTIONS[name](runs, log, opts);
        process.stdout.write(('columns' in result ? formatColumns(name, result.columns) : formatFigures(name, result)) + '\n\n');
    }
}

await main(process.argv.slice(2));
