/**
 * F22: the CPython-style argument parser (ports/rp2/mp_pyarg.c) used by a native module on the
 * emulated board. pyargtest/ has one function per format string of data/pyarg_cases.py; the board
 * calls each with every case and prints the value or the exception, and the output must equal
 * data/expected.txt, which CPython's own PyArg_ParseTuple[AndKeywords] produced for the same
 * format strings and calls (data/make_table.py). Uses the build at $MPRT_MODULES_BUILD or build/pico.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../../cli/emulator/board.js';
import { packModule } from '../../../cli/modules/pack.js';
import { repoRoot } from '../../../cli/util/paths.js';
import { componentsReady } from '../../unit/firmware-artifacts.js';
import { describeBuild } from '../modules-fixture.js';
import { buildFirmware } from '../../../cli/compile/firmware.js';

const here = join(repoRoot(), 'tests', 'firmware', 'F22-pyarg');
const baseDir = process.env.MPRT_MODULES_BUILD ?? join(repoRoot(), 'build', 'pico');
const skip = componentsReady() ? false : 'components not set up (npx mprt setup)';

/** Runs every case of pyarg_cases.py; prints as data/make_table.py does for CPython (same show()). */
const RUNNER = [
    'import pyargtest',
    'from pyarg_cases import CASES',
    'def show(v):',
    '    if isinstance(v, tuple):',
    "        return '(' + ', '.join(show(x) for x in v) + ')'",
    "    return repr(('str', v.encode())) if isinstance(v, str) else repr(v)",
    'for i, (name, args, kwargs) in enumerate(CASES):',
    '    try:',
    '        r = show(getattr(pyargtest, name)(*args, **kwargs))',
    '    except Exception as e:',
    "        r = '%s: %s' % (type(e).__name__, e)",
    "    print('%d %s %s' % (i, name, r))",
].join('\n');

describe('F22: PyArg-style parsing in a native module, against CPython', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-pyarg-'));
    let board: Rp2040Board | undefined;
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('every format unit: values and error messages equal CPython\'s', async () => {
        let kernel: string | undefined;
        try {
            kernel = (JSON.parse(readFileSync(join(baseDir, 'sdk', 'exports.json'), 'utf8')) as { kernel: string }).kernel;
        } catch {
            // not built yet: the default configuration
        }
        await buildFirmware({ board: 'pico', outDir: baseDir, set: kernel ? [`rtos.kernel=${kernel}`] : [], jobs: 2 });
        const fw = describeBuild(baseDir);
        const so = join(work, 'pyargtest.so');
        await packModule({ inputs: [join(here, 'pyargtest')], firmware: fw.dir, output: so });

        board = await openBoard({ firmware: fw.uf2, flashImage: join(work, 'flash.img') });
        await board.boot();
        await board.exec("import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass\n");
        await board.writeFile('/lib/pyargtest.so', readFileSync(so));
        await board.writeFile('/lib/pyarg_cases.py', readFileSync(join(here, 'data', 'pyarg_cases.py')));
        const r = await board.exec(RUNNER, { timeoutMs: 60_000 });
        assert.equal(r.stderr, '');

        const want = readFileSync(join(here, 'data', 'expected.txt'), 'utf8').trimEnd().split('\n');
        const got = r.stdout.replace(/\r\n/g, '\n').trimEnd().split('\n');
        const wrong = want.flatMap((w, i) => (got[i] === w ? [] : [`want ${w}\n  got ${got[i] ?? '(nothing)'}`]));
        assert.equal(got.length, want.length, 'one line per case');
        assert.deepEqual(wrong, [], `${wrong.length} of ${want.length} cases differ from CPython`);
    });
});
