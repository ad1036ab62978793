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
import { type Column, type Figure, formatColumns, formatFigures } from './stats.js';

/** A section's figures, or one column of them per firmware (printed side by side). */
const SECTIONS: Record<string, (runs: number, log: (s: string) => void) => Promise<Figure[] | { columns: Column[] }>> = {
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
        const result = await SECTIONS[name](runs, log);
        process.stdout.write(('columns' in result ? formatColumns(name, result.columns) : formatFigures(name, result)) + '\n\n');
    }
}

await main(process.argv.slice(2));
