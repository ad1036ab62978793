/**
 * Emulator figures for `npm run bench`: boot to the REPL (emulated ms, wall s), emulated MHz on a
 * Python integer loop (per wall second and per CPU second), and the share of cycles an idle REPL
 * executes. Run alone: `node dist/bench/emulator.js [FIRMWARE]`.
 */
import { fileURLToPath } from 'node:url';
import { openBoard } from '../cli/emulator/board.js';
import { testFirmware } from '../tests/firmware/emulator-fixture.js';
import { formatFigures, median, type Figure } from './stats.js';

const LOOP = 'x=0\nfor i in range(30000):\n x+=i*i\n';

export async function benchEmulator(runs: number, log: (s: string) => void, firmware = testFirmware()): Promise<Figure[]> {
    if (!firmware) {
        log('emulator: no firmware to run, skipped');
        return [];
    }
    const boots: { emu: number; wall: number }[] = [];
    const mhzWall: number[] = [];
    const mhzCpu: number[] = [];
    let idleShare = 0;
    for (let run = 0; run < runs; run++) {
        const t0 = process.hrtime.bigint();
        const board = await openBoard({ firmware });
        try {
            await board.boot();
            boots.push({ emu: board.nowMs(), wall: Number(process.hrtime.bigint() - t0) / 1e9 });
            const c0 = board.cycles();
            const w0 = process.hrtime.bigint();
            const u0 = process.cpuUsage();
            const r = await board.exec(LOOP, { timeoutMs: 120_000 });
            const wall = Number(process.hrtime.bigint() - w0) / 1e9;
            const u = process.cpuUsage(u0);
            if (r.stderr || r.timedOut) throw new Error(`benchmark loop failed: ${r.stderr}`);
            const c1 = board.cycles();
            const executed = c1.total - c1.waiting - (c0.total - c0.waiting);
            mhzWall.push(executed / wall / 1e6);
            mhzCpu.push(executed / ((u.user + u.system) / 1e6) / 1e6);
            const i0 = board.cycles();
            await board.runUntil(() => false, 500);
            const i1 = board.cycles();
            idleShare = 1 - (i1.waiting - i0.waiting) / (i1.total - i0.total);
            log(`emulator run ${run + 1}/${runs}: boot ${boots[run].emu.toFixed(1)} ms emulated, ${mhzWall[run].toFixed(1)} MHz`);
        } finally {
            await board.close();
        }
    }
    return [
        { name: 'boot to REPL (emulated)', value: median(boots.map((b) => b.emu)), unit: 'ms' },
        { name: 'boot to REPL (wall, incl. load)', value: median(boots.map((b) => b.wall)), unit: 's' },
        { name: 'emulated MHz per wall second', value: median(mhzWall), unit: 'MHz', note: 'a real RP2040 runs 125' },
        { name: 'emulated MHz per CPU second', value: median(mhzCpu), unit: 'MHz' },
        { name: 'idle REPL: cycles executed', value: Math.round(idleShare * 1000) / 10, unit: '%' },
    ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchEmulator(3, (s) => process.stderr.write(s + '\n'), process.argv[2] ?? testFirmware());
    process.stdout.write(formatFigures('emulator', figures) + '\n');
}
