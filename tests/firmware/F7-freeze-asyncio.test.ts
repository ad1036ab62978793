/**
 * Frozen behaves like source, for MicroPython's asyncio (F7, docs/freeze.md "Frozen asyncio tests"): the stock
 * `asyncio` package's .py files (extmod/asyncio) are written to /lib/asyncio on the board and frozen there
 * with freeze.import_modules('asyncio') (all seven modules of the package); after a power cycle the import
 * takes them from flash (`@flash/asyncio/...`, before the firmware's own frozen asyncio on sys.path), and
 * MicroPython's own tests/extmod/asyncio_*.py and tests/net_hosted/asyncio_*.py (streams over lo0) run against it, judged as `mprt test` judges them: each
 * script's output must equal its .exp file, or what CPython prints when there is none (a failure prints a
 * line diff). For comparison, the same tests run first with asyncio from the .py files.
 *
 * The runner's own code does the work (cli/testing): its session (a soft reset before every test and probe,
 * as run-tests.py does; the frozen image survives it), its feature probes and skip rules (a test `mprt test`
 * skips on this firmware is skipped here, with the reason), its expected outputs and its verdict. One board,
 * one power cycle after the freeze, then the tests one after another.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`); its size.json gives the freeze
 * region.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { emulatedTarget } from '../../cli/testing/board-factory.js';
import { judge, PATTERN_TESTS } from '../../cli/testing/compare.js';
import { expectedOutputs } from '../../cli/testing/expected.js';
import { describeDifference } from '../../cli/testing/report.js';
import { selectTests, withByDesignOutput, DEFAULT_TIMEOUT_S } from '../../cli/testing/run.js';
import { TestSession } from '../../cli/testing/session.js';
import { skipReason, type Features } from '../../cli/testing/skips.js';
import { probeFeatures, unittestSource } from '../../cli/testing/suite.js';
import type { TestCase } from '../../cli/testing/types.js';
import { componentDir } from '../../cli/components/components.js';
import { testFirmware } from './emulator-fixture.js';
import { freezeRegion, LIB_BEFORE_FROZEN, writeAsyncioSources, writeFile } from './freeze-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();
const upstreamTests = join(componentDir('micropython'), 'tests');

function skipWhy(): string | false {
    const region = freezeRegion(firmware);
    if (typeof region === 'string') return region;
    if (!existsSync(join(upstreamTests, 'extmod'))) return `no MicroPython tests in ${upstreamTests}`;
    return false;
}
const skip = skipWhy();

/**
 * asyncio tests left out here beyond the runner's rules (skips.ts) and the tests' own `SKIP`, each with its
 * reason: none. (Each needs only asyncio, micropython and time, all on the board: no ssl, threads or host
 * network; MicroPython's network asyncio tests live in net_hosted/ and multi_net/, not extmod/.)
 */
export const LEFT_OUT: Record<string, string> = {};

/** The seven modules of the package, as freeze prints them. */
const MODULES = ['asyncio', 'asyncio.core', 'asyncio.event', 'asyncio.funcs', 'asyncio.lock', 'asyncio.stream', 'asyncio.task'];

/** Which module each name resolves to in a test script (after the runner's soft reset), and whether it is frozen. */
const WHERE = [
    'import freeze, asyncio, uasyncio',
    // the lazily loaded submodules, as the tests load them
    'asyncio.Event, asyncio.gather, asyncio.Lock, asyncio.StreamReader',
    'import sys',
    `for n in ${JSON.stringify(MODULES)}:`,
    '    m = sys.modules.get(n) or __import__(n, None, None, True)',
    '    print(n, m.__file__, freeze.isfrozen(m))',
    "print('uasyncio.sleep is asyncio.sleep', uasyncio.sleep is asyncio.sleep)",
].join('\n');
const where = (root: string, frozen: boolean) => MODULES.map((n) => `${n} ${root}/${n.replace('.', '/')}${n === 'asyncio' ? '/__init__' : ''}.py ${frozen ? 'True' : 'False'}`)
    .join('\n') + '\nuasyncio.sleep is asyncio.sleep True\n';

/** For the run from the .py files: /lib first on sys.path at every soft reset (boot.py), the test scripts unchanged. */
const BOOT_PY = "import sys\nsys.path.insert(0, '/lib')\n";

interface Outcome {
    passed: string[];
    skipped: string[];
    failed: string[];
}

describe('F7: MicroPython asyncio frozen on the board passes its own tests', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-freeze-asyncio-'));
    // extmod's, and net_hosted's streams over the loopback interface (asyncio.stream's templates)
    const tests: TestCase[] = skip ? [] : withByDesignOutput(selectTests([join(upstreamTests, 'extmod'), join(upstreamTests, 'net_hosted')]))
        .filter((c) => /^(extmod|net_hosted)\/asyncio_\w+\.py$/.test(c.id));
    let expected: Map<string, string>;
    let features: Features;
    let board: Rp2040Board;
    let session: TestSession;
    // emulated ms of the power cycles before the current one (the board's clock starts again at each)
    let earlierMs = 0;
    const emulatedS = () => ((earlierMs + board.nowMs()) / 1000).toFixed(1);
    const powerCycle = async () => {
        earlierMs += board.nowMs();
        await board.powerCycle();
    };

    /** Runs every asyncio test with the runner's session, skips and verdict; the failures' diffs as diagnostics. */
    async function runAll(t: TestContext, label: string): Promise<Outcome> {
        const o: Outcome = { passed: [], skipped: [], failed: [] };
        for (const c of tests) {
            const name = c.id.startsWith('extmod/') ? c.id.slice('extmod/'.length) : c.id;
            const why = LEFT_OUT[name] ?? skipReason(c.id, features);
            if (why) {
                o.skipped.push(name);
                t.diagnostic(`${label}: skip ${name}: ${why}`);
                continue;
            }
            const raw = await session.run({ id: c.id, source: readFileSync(c.path, 'utf8'), timeoutMs: DEFAULT_TIMEOUT_S * 1000 });
            const r = judge(c.id, raw, expected.get(c.id) ?? '', PATTERN_TESTS.has(c.id));
            if (r.result === 'pass') {
                o.passed.push(name);
            } else if (r.result === 'skip') {
                o.skipped.push(name);
                t.diagnostic(`${label}: skip ${name}: ${r.reason}`);
            } else {
                o.failed.push(name);
                t.diagnostic(`${label}: FAIL ${name} (${r.reason}), expected (-) and printed (+), ${describeDifference(r.expected ?? '', r.output ?? '', 40)}`);
            }
        }
        return o;
    }

    before(async () => {
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        // the runner's session on this board: it boots it, and soft-resets it before each script
        session = new TestSession(() => Promise.resolve(emulatedTarget(board)), unittestSource());
        await session.ensureBoard();
    });
    after(async () => {
        await session?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('from its .py files (for comparison), asyncio passes its tests', { timeout: 300_000 }, async (t) => {
        assert.ok(tests.length >= 25, `${tests.length} asyncio tests in ${upstreamTests}/extmod`);
        const files = await writeAsyncioSources(board);
        assert.deepEqual(files.map((f) => `asyncio${f === '__init__.py' ? '' : `.${f.slice(0, -3)}`}`).sort(), MODULES);
        await run(board, writeFile('/boot.py', BOOT_PY));
        // the runner's feature probes (its skip rules need them) and expected outputs
        [expected, { features }] = await Promise.all([expectedOutputs(tests), probeFeatures((job) => session.run(job), upstreamTests)]);
        assert.equal((await session.run({ id: 'where', source: WHERE, timeoutMs: 20_000 })).output, where('/lib', false));
        const t0 = Date.now();
        const o = await runAll(t, 'from .py');
        t.diagnostic(`from .py: ${o.passed.length} passed, ${o.skipped.length} skipped, ${o.failed.length} failed (${((Date.now() - t0) / 1000).toFixed(0)} s wall); ` +
            `${emulatedS()} s emulated so far`);
        await run(board, "import os\nos.remove('/boot.py')");
        assert.deepEqual(o.failed, [], `asyncio tests failing with asyncio from its .py files: ${o.failed.join(', ')}`);
    });

    test('asyncio from its .py files freezes whole, and after a power cycle and soft resets comes from flash', { timeout: 300_000 }, async (t) => {
        await session.softReset();
        assert.equal(await run(board, `${LIB_BEFORE_FROZEN}\nimport asyncio\nprint(asyncio.__file__)`), '/lib/asyncio/__init__.py\n');
        await session.softReset();
        const froze = await run(board, `${LIB_BEFORE_FROZEN}\nimport freeze\nfreeze.import_modules('asyncio')`, 120_000);
        t.diagnostic(froze.trim().split('\n').join(' | '));
        assert.deepEqual([...froze.matchAll(/^freezing module '([\w.]+)'$/gm)].map((m) => m[1]).sort(), MODULES);
        assert.match(froze, /^loaded \d+ flash bytes/m);
        // snapshotted whole (docs/freeze.md "Templates"): the tests run on the flash objects, no module's code
        assert.deepEqual(froze.match(/.*runs its code at import.*/g) ?? [], []);
        await powerCycle();
        assert.equal((await session.run({ id: 'where', source: WHERE, timeoutMs: 20_000 })).output, where('@flash', true));
    });

    test("frozen, asyncio passes MicroPython's tests/extmod/asyncio_*.py and net_hosted/asyncio_*.py (each prints its expected output)", { timeout: 600_000 }, async (t) => {
        assert.equal((await session.run({ id: 'where', source: WHERE, timeoutMs: 20_000 })).output, where('@flash', true));
        const t0 = Date.now();
        const o = await runAll(t, 'frozen');
        // still the frozen asyncio after all of them
        assert.equal((await session.run({ id: 'where', source: WHERE, timeoutMs: 20_000 })).output, where('@flash', true));
        t.diagnostic(`frozen: ${o.passed.length} passed, ${o.skipped.length} skipped, ${o.failed.length} failed (${((Date.now() - t0) / 1000).toFixed(0)} s wall); ` +
            `${emulatedS()} s emulated in all`);
        t.diagnostic(`frozen: passed ${o.passed.join(' ')}`);
        assert.deepEqual(o.failed, [], `asyncio tests failing with the frozen asyncio: ${o.failed.join(', ')}`);
        assert.ok(o.passed.length >= 25, `${o.passed.length} passed`);
    });
});
