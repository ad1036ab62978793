/**
 * Two-core figures for `npm run bench`: emulated MHz per CPU second of a Python integer loop on core 0
 * with the board built with 1 and with 2 cores (core 1 idle in the boot ROM: what the second core costs a
 * single-core workload), and with a `_thread` on core 1 running the same loop (both cores busy; cycles
 * of the chip's clock counted). Run alone: `node dist/bench/dualcore.js [FIRMWARE]`.
 */
import { fileURLToPath } from 'node:url';
import { openBoard } from '../cli/emulator/board.js';
import { testFirmware } from '../tests/firmware/emulator-fixture.js';
import { formatFigures, type Figure } from './stats.js';

const LOOP = 'def work(n):\n x=0\n for i in range(n):\n  x+=i*i\n return x\n';
const SOLO = LOOP + 'work(30000)\n';
const PAIR = LOOP + 'import _thread\nd=[]\n_thread.start_new_thread(lambda: d.append(work(30000)), ())\nwork(30000)\nwhile not d: pass\n';

async function measure(firmware: string, cores: 1 | 2, code: string): Promise<number> {
    const board = await openBoard({ firmware, cores });
    try {
        await board.boot();
        const c0 = board.cycles();
        const u0 = process.cpuUsage();
        const r = await board.exec(code, { timeoutMs: 120_000 });
        const u = process.cpuUsage(u0);
        if (r.stderr || r.timedOut) throw new Error(`benchmark code failed: ${r.stderr}`);
        const c1 = board.cycles();
        const cpu = (u.user + u.system) / 1e6;
        // one core busy: the cycles core 0 executed; both busy: the chip's clock (each cycle runs both cores)
        const cycles = code === PAIR ? (r.emulatedMs * board.mcu.clkSys) / 1e3 : c1.total - c1.waiting - (c0.total - c0.waiting);
        return cycles / cpu / 1e6;
    } finally {
        await board.close();
    }
}

export async function benchDualcore(runs: number, log: (s: string) => void, firmware = testFirmware()): Promise<Figure[]> {
    if (!firmware) {
        log('dualcore: no firmware to run, skipped');
        return [];
    }
    const best = { one: 0, two: 0, pair: 0 };
    for (let run = 0; run < runs; run++) {
        // interleaved, best of N: the machine's load varies more than what is measured
        best.one = Math.max(best.one, await measure(firmware, 1, SOLO));
        best.two = Math.max(best.two, await measure(firmware, 2, SOLO));
        best.pair = Math.max(best.pair, await measure(firmware, 2, PAIR));
        log(`dualcore run ${run + 1}/${runs}: 1 core ${best.one.toFixed(1)}, 2 cores ${best.two.toFixed(1)}, both busy ${best.pair.toFixed(1)} MHz`);
    }
    return [
        { name: 'emulated MHz per CPU s, 1 core', value: best.one, unit: 'MHz', note: 'best of runs' },
        { name: 'emulated MHz per CPU s, 2 cores, core 1 idle', value: best.two, unit: 'MHz', note: `${((best.two / best.one - 1) * 100).toFixed(1)} % vs 1 core` },
        { name: 'emulated chip MHz per CPU s, both cores busy', value: best.pair, unit: 'MHz', note: 'a _thread on core 1; a real chip: 125' },
    ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchDualcore(3, (s) => process.stderr.write(s + '\n'), process.argv[2] ?? testFirmware());
    process.stdout.write(formatFigures('dualcore', figures) + '\n');
}
