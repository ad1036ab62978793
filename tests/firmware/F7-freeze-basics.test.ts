/**
 * Frozen behaves like source (F7, docs/freeze.md): MicroPython's own `tests/basics` scripts, compiled with
 * the firmware's mpy-cross, written to the board's filesystem as modules, frozen with freeze.import_modules
 * (many modules per image: a batch fills most of a half of the freeze region), the board power-cycled, and
 * each imported from flash: what it prints must be its expected output (its `.exp` file, else what CPython
 * prints for it, as `mprt test` judges it), and it must come from flash (freeze.isfrozen True).
 *
 * Left out, each with its reason (EXCLUDE): machine code (not frozen), tests that end the session
 * (SystemExit at import) or change the interpreter for the tests after them, tests needing their own file
 * or `__file__`, pattern `.exp` files. The smallest tests come first (CI time: two runs of each test on the
 * emulator, one while freezing and one from flash); WANT of them are taken (default 230).
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import { componentDir, findComponent } from '../../cli/components/components.js';
import { mpyCrossPath } from '../../cli/compile/mpycross.js';
import { PATTERN_TESTS } from '../../cli/testing/compare.js';
import { expectedOutputs } from '../../cli/testing/expected.js';
import type { TestCase } from '../../cli/testing/types.js';
import { repoRoot } from '../../cli/util/paths.js';
import { testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();
const basicsDir = join(componentDir('micropython'), 'tests', 'basics');
const mpyCross = mpyCrossPath(findComponent('micropython').version);

function skipReason(): string | false {
    if (!firmware) return 'no firmware to run';
    if (!existsSync(join(dirname(firmware), 'size.json'))) return `no size.json next to ${firmware}`;
    if (!existsSync(basicsDir)) return `no MicroPython tests in ${basicsDir}`;
    if (!existsSync(mpyCross)) return `no mpy-cross at ${mpyCross} (mprt build)`;
    return false;
}
const skip = skipReason();

/** Tests left out, by a pattern of their name (first) or of their text (second), and why. */
export const EXCLUDE: [RegExp, RegExp, string][] = [
    [/^(native|viper|asm)/, /@micropython\.(native|viper|asm_thumb)/, 'machine code (@micropython.native/viper/asm_thumb) is not frozen'],
    [/sys_exit/, /sys\.exit/, 'raises SystemExit: ends the freezing session (the modules of a batch are imported in one)'],
    [/builtin_override/, /builtins\.\w+\s*=|setattr\(builtins/, 'changes builtins for the tests imported after it in the same session'],
    [/__file__|io_/, /__file__|open\(|sys\.path|sys\.argv/, 'needs its own file, __file__, sys.path or sys.argv (a script, not a module)'],
    [/^$/, /(^|[^.\w])__name__/m, "uses the module's __name__ (the module's name when imported, '__main__' as a script)"],
    [/builtin_help/, /heap_lock|settrace/, 'output depends on the session (help text, heap lock, tracing)'],
];
// the tests the stock rp2 firmware skips (tests/baseline/stock-*.json): they raise SystemExit at import
const baselineDir = join(repoRoot(), 'tests', 'baseline');
const STOCK_SKIPS = new Set(
    readdirSync(baselineDir)
        .filter((f) => /^stock-.*\.json$/.test(f))
        .flatMap((f) => Object.entries((JSON.parse(readFileSync(join(baselineDir, f), 'utf8')) as { tests: Record<string, { result: string }> }).tests))
        .filter(([id, r]) => id.startsWith('basics/') && r.result === 'skip')
        .map(([id]) => id.slice('basics/'.length)),
);
const BATCH_MPY_BYTES = 36_000;
const BATCH_MAX = 70;
const WANT = Number(process.env.FREEZE_BASICS_WANT ?? 230);

interface Candidate {
    file: string;
    mpy: Buffer;
    expected: string;
}

function excluded(file: string, text: string): string | undefined {
    if (PATTERN_TESTS.has(`basics/${file}`)) return 'its .exp is a pattern';
    if (STOCK_SKIPS.has(file)) return 'skipped by the rp2 port (prints SKIP, raises SystemExit: tests/baseline)';
    return EXCLUDE.find(([name, body]) => name.test(file) || body.test(text))?.[2];
}

async function candidates(work: string, leftOut: Map<string, string>): Promise<Candidate[]> {
    const files = readdirSync(basicsDir).filter((f) => f.endsWith('.py')).sort();
    const kept: { file: string; mpy: Buffer }[] = [];
    for (const f of files) {
        const text = readFileSync(join(basicsDir, f), 'utf8');
        const why = excluded(f, text);
        if (why) {
            leftOut.set(f, why);
            continue;
        }
        const out = join(work, f.replace(/\.py$/, '.mpy'));
        try {
            execFileSync(mpyCross, ['-s', f, '-o', out, join(basicsDir, f)], { stdio: ['ignore', 'pipe', 'pipe'] });
        } catch {
            leftOut.set(f, 'mpy-cross refuses it (a syntax MicroPython lacks)');
            continue;
        }
        kept.push({ file: f, mpy: readFileSync(out) });
    }
    kept.sort((a, b) => a.mpy.length - b.mpy.length || a.file.localeCompare(b.file));
    const chosen = kept.slice(0, WANT);
    const cases: TestCase[] = chosen.map((k) => {
        const exp = join(basicsDir, `${k.file}.exp`);
        return { id: `basics/${k.file}`, path: join(basicsDir, k.file), expPath: existsSync(exp) ? exp : undefined };
    });
    const expected = await expectedOutputs(cases);
    const out: Candidate[] = [];
    for (const k of chosen) {
        const e = expected.get(`basics/${k.file}`)!;
        if (e.startsWith('CPYTHON3 CRASH') || e.startsWith('SKIP')) leftOut.set(k.file, 'CPython cannot run it (no expected output)');
        else out.push({ ...k, expected: e });
    }
    return out;
}

/** Batches of modules whose .mpy files fill about BATCH_MPY_BYTES (their image stays below half the region). */
function batches(cands: Candidate[]): Candidate[][] {
    const out: Candidate[][] = [];
    let cur: Candidate[] = [];
    let size = 0;
    for (const c of cands) {
        if (cur.length && (size + c.mpy.length > BATCH_MPY_BYTES || cur.length >= BATCH_MAX)) {
            out.push(cur);
            cur = [];
            size = 0;
        }
        cur.push(c);
        size += c.mpy.length;
    }
    if (cur.length) out.push(cur);
    return out;
}

/** Imports each module in one run (a marker line before each), catching what it raises: what each printed. */
async function importAll(board: Rp2040Board, mods: string[]): Promise<{ out: string; frozen: boolean }[]> {
    // freeze.isfrozen taken first: a test may put another module in sys.modules under that name; the module
    // judged is the one the import returns (a snapshotted module is not put in sys.modules); each module
    // dropped after its run, so a batch's tests do not all stay in the heap
    const code = [
        'import sys, gc, freeze',
        '_isf = freeze.isfrozen',
        '_imp = __import__',
        '_frz = []',
        `for _m in ${JSON.stringify(mods)}:`,
        "    print('\\x1e' + _m)",
        '    _mod = None',
        '    try:',
        '        _mod = _imp(_m)',
        '    except BaseException as _e:',
        "        print('\\x1f%s: %s' % (type(_e).__name__, _e))",
        '    _frz.append(_isf(_mod if _mod is not None else sys.modules.get(_m)))',
        '    sys.modules.pop(_m, None)',
        '    gc.collect()',
        "print('\\x1e', _frz)",
    ].join('\n');
    const r = await board.exec(code, { timeoutMs: 600_000 });
    assert.equal(r.timedOut, false, `importing ${mods.join(' ')} timed out: ${r.stdout.slice(-300)}`);
    const parts = r.stdout.replace(/\r\n/g, '\n').split('\x1e').slice(1);
    const frozen = (parts.pop() ?? '').trim().replace(/[[\]\s]/g, '').split(',');
    return mods.map((m, i) => {
        const part = parts.find((p) => p.startsWith(`${m}\n`));
        return { out: part === undefined ? '\x1fmissing\n' : part.slice(m.length + 1), frozen: frozen[i] === 'True' };
    });
}

describe('F7: MicroPython basics tests frozen on the board', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-freeze-basics-'));
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') }, (b) => (board = b), () => rmSync(work, { recursive: true, force: true }));

    test('each prints its expected output, from flash', { timeout: 1_200_000 }, async (t) => {
        const t0 = Date.now();
        const leftOut = new Map<string, string>();
        const cands = await candidates(work, leftOut);
        const passed: string[] = [];
        const skipped: string[] = [];
        const wrong: string[] = [];
        const notFrozen: string[] = [];
        let images = 0;
        for (const batch of batches(cands)) {
            const mods = batch.map((c) => `fb_${c.file.replace(/\.py$/, '').replace(/\W/g, '_')}`);
            await board.powerCycle();
            // the .mpy files, ~12 KB per run
            for (let i = 0; i < batch.length;) {
                const pairs: [string, string][] = [];
                for (let size = 0; i < batch.length && size < 12_000; i++) {
                    pairs.push([`${mods[i]}.mpy`, batch[i].mpy.toString('hex')]);
                    size += batch[i].mpy.length;
                }
                await run(board, `for n, h in ${JSON.stringify(pairs)}:\n    with open(n, 'wb') as f:\n        f.write(bytes.fromhex(h))`);
            }
            // a test that changes the interpreter can make one after it raise in the freezing session (all of a
            // batch are imported there): left out, listed, and the batch frozen again without it
            const ok = [...mods];
            for (let attempt = 0; ; attempt++) {
                await board.powerCycle();
                const froze = await board.exec(`import freeze\nfreeze.import_modules(${ok.map((m) => `'${m}'`).join(', ')})`, { timeoutMs: 300_000 });
                assert.equal(froze.timedOut, false, `freezing ${ok.join(' ')} timed out`);
                if (froze.stderr === '') break;
                // the module whose import raised: the first frame of a module's file in the traceback
                const last = /File "(fb_\w+)\.mpy"/.exec(froze.stderr)?.[1];
                assert.ok(last && ok.includes(last) && attempt < 3, `freezing ${ok.join(' ')}: ${froze.stderr}`);
                ok.splice(ok.indexOf(last), 1);
                leftOut.set(batch[mods.indexOf(last)].file, `raised in the freezing session after the others: ${froze.stderr.trim().split('\n').pop()}`);
            }
            images++;
            await board.powerCycle();
            const frozen = await importAll(board, ok);
            ok.forEach((m, k) => {
                const c = batch[mods.indexOf(m)];
                if (!frozen[k].frozen) notFrozen.push(c.file);
                if (frozen[k].out.startsWith('SKIP')) skipped.push(c.file);
                else if (frozen[k].out === c.expected && frozen[k].frozen) passed.push(c.file);
                else wrong.push(`${c.file}: ${JSON.stringify(frozen[k].out.slice(0, 200))} expected ${JSON.stringify(c.expected.slice(0, 200))}`);
            });
            await board.powerCycle();
            await run(board, `import os\nfor n in ${JSON.stringify(mods)}:\n    os.remove(n + '.mpy')`);
        }
        const reasons = new Map<string, string[]>();
        for (const [f, why] of leftOut) reasons.set(why, [...(reasons.get(why) ?? []), f]);
        t.diagnostic(`${passed.length} basics tests frozen print their expected output (${images} images, ${((Date.now() - t0) / 1000).toFixed(0)} s); ` +
            `wrong ${wrong.length}; skipped by the firmware ${skipped.length} (${skipped.join(', ')}); not frozen ${notFrozen.length}`);
        for (const [why, files] of reasons) t.diagnostic(`left out, ${why}: ${files.length} (${files.join(', ')})`);
        for (const w of wrong) t.diagnostic(`wrong: ${w}`);
        assert.deepEqual(wrong, []);
        assert.deepEqual(notFrozen, []);
        assert.ok(passed.length >= 200, `${passed.length} frozen basics tests print their expected output`);
    });
});
