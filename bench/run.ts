/**
 * `npm run bench [-- SECTION...] [--runs N]`: prints figures (no pass/fail). Sections: build, emulator,
 * dualcore, suite, rtos (thread handoff, create/join rates, idle share), perfbench (MicroPython's
 * perf_bench on our firmware vs the stock one), modules. Each section also runs alone (e.g. `node dist/bench/emulator.js`).
 */
import { benchBuild } from './build.js';
import { benchEmulator } from './emulator.js';
import { benchDualcore } from './dualcore.js';
import { benchModules } from './modules.js';
import { benchSuite } from './suite.js';
import { benchRtos } from './rtos.js';
import { benchPerf } from './perfbench.js';
import { type Figure, formatFigures } from './stats.js';

const SECTIONS: Record<string, (runs: number, log: (s: string) => void) => Promise<Figure[]>> = {
    build: benchBuild,
    emulator: benchEmulator,
    dualcore: benchDualcore,
    suite: benchSuite,
    rtos: benchRtos,
    perfbench: benchPerf,
    modules: benchModules,
};

async function main(argv: string[]): Promise<void> {
    let runs = 3;
    const chosen: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--runs') runs = Number(argv[++i]);
        else chosen.push(argv[i]);
    }
    for (const name of chosen) {
        if (!SECTIONS[name]) throw new Error(`unknown bench section '${name}' (sections: ${Object.keys(SECTIONS).join(', ')})`);
    }
    const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
    for (const name of chosen.length ? chosen : Object.keys(SECTIONS)) {
        const figures = await SECTIONS[name](runs, log);
        process.stdout.write(formatFigures(name, figures) + '\n\n');
    }
}

await main(process.argv.slice(2));
