/**
 * The persistent environment in the firmware (F4, docs/environment.md), driven from the host: variables
 * set with os.putenv survive a soft reset and a power cycle of the emulated board (its flash is kept);
 * the boot environment is applied at power-up (TZ through tzset, GC_HEAP sizing the GC heap, MP_STACK
 * lowering the stack limit); and a power cut injected by the harness at every erase and program call
 * of a putenv, in each of three ways (before the call, halfway through it, right after it), leaves the
 * environment at the next boot either as it was before the putenv or as the putenv made it, never
 * anything else, with the other variables intact and the store taking further changes.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico (`mprt build --board pico`); its size.json gives the
 * settings region (the flash map).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Rp2040Board } from '../../cli/emulator/board.js';
import type { FlashOp, PowerCut } from '../../cli/emulator/rom-services.js';
import { flashRegion, softReset, testFirmware } from './emulator-fixture.js';
import { bootedBoard } from './board-hooks.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

const region = flashRegion(firmware, 'settings');
const skip = typeof region === 'string' ? region : false;

const inSettings = (op: FlashOp) => typeof region !== 'string' && op.offset >= region.offset && op.offset < region.offset + region.size;

describe('F4: the persistent environment', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-env-'));
    let board: Rp2040Board;
    bootedBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') }, (b) => (board = b), () => rmSync(work, { recursive: true, force: true }));

    test('putenv survives a soft reset and a power cycle; unsetenv too', async () => {
        await run(board, "import os\nos.putenv('HOSTNAME', 'pico-env')\nos.environ['GREETING'] = 'hello wörld'\nos.putenv('GONE', '1')\nos.unsetenv('GONE')");
        await softReset(board);
        const show = "import os\nprint(os.getenv('HOSTNAME'), os.getenv('GREETING'), os.getenv('GONE'), sorted(os.environ))";
        assert.equal(await run(board, show), "pico-env hello wörld None ['GREETING', 'HOSTNAME']\n");
        await board.powerCycle();
        assert.equal(await run(board, show), "pico-env hello wörld None ['GREETING', 'HOSTNAME']\n");
    });

    test('the boot environment: TZ applied at power-up, GC_HEAP sizes the GC heap, MP_STACK lowers the stack limit', async () => {
        const depth = [
            'def f(n):',
            '    try:',
            '        return f(n + 1)',
            '    except RuntimeError:',
            '        return n',
            'import gc, time',
            'print(time.timezone, time.tzname[0], (gc.mem_free() + gc.mem_alloc()) // 1024, f(0))',
        ].join('\n');
        const [tz0, name0, heap0, depth0] = (await run(board, depth)).trim().split(' ');
        assert.deepEqual([tz0, name0], ['0', 'GMT']);
        // set without tzset(): only the next boot applies TZ to time.timezone
        await run(board, "import os\nos.putenv('TZ', 'JST-9')\nos.putenv('GC_HEAP', '64K')\nos.putenv('MP_STACK', '4096')");
        await board.powerCycle();
        const [tz1, name1, heap1, depth1] = (await run(board, depth)).trim().split(' ');
        assert.deepEqual([tz1, name1], ['-32400', 'JST']);
        assert.ok(Number(heap1) <= 64 && Number(heap1) >= 60 && Number(heap0) > 150, `GC heap ${heap0}K, then ${heap1}K`);
        assert.ok(Number(depth1) < Number(depth0) * 0.7, `recursion depth ${depth0}, then ${depth1}`);
        await run(board, "import os\nfor k in ('TZ', 'GC_HEAP', 'MP_STACK'):\n    os.unsetenv(k)");
        await board.powerCycle();
        const [tz2, , heap2] = (await run(board, depth)).trim().split(' ');
        assert.deepEqual([tz2, heap2], ['0', heap0]);
    });

    test('a power cut at every erase/program call of a putenv leaves the old or the new environment', { timeout: 600_000 }, async (t) => {
        // values long enough that a putenv programs several pages: erase, the pages after the first, the header page
        const OLD = 'o'.repeat(500);
        const NEW = 'n'.repeat(520);
        const check = "import os\nv = os.getenv('VAR')\nprint(os.getenv('KEEP'), 'old' if v == 'o' * 500 else 'new' if v == 'n' * 520 else repr(v))";
        await run(board, `import os\nos.putenv('KEEP', 'kept')\nos.putenv('VAR', '${OLD}')`);
        // the calls a putenv makes, counted without a cut
        const ops: FlashOp[] = [];
        board.onFlashWrite = (op) => {
            if (inSettings(op)) ops.push(op);
            return undefined;
        };
        await run(board, `import os\nos.putenv('VAR', '${NEW}')`);
        await run(board, `import os\nos.putenv('VAR', '${OLD}')`);
        board.onFlashWrite = undefined;
        const calls = ops.length / 2;
        assert.ok(calls >= 4, `a putenv made ${calls} flash calls: ${JSON.stringify(ops)}`);
        assert.deepEqual(ops.slice(0, calls).map((o) => o.kind), ['erase', ...new Array<string>(calls - 1).fill('program')]);
        const outcomes: string[] = [];
        for (let n = 1; n <= calls; n++) {
            for (const mode of ['before', 'half', 'after'] as PowerCut[]) {
                let seen = 0;
                board.onFlashWrite = (op) => (inSettings(op) && ++seen === n ? mode : undefined);
                const r = await board.exec(`import os\nos.putenv('VAR', '${NEW}')\nprint('not cut')`, { timeoutMs: 20_000 });
                board.onFlashWrite = undefined;
                assert.equal(r.reset, true, `call ${n} (${mode}): the board did not lose power: ${r.stdout}${r.stderr}`);
                const got = (await run(board, check)).trim();
                outcomes.push(`${n}/${mode}: ${got}`);
                // the new state only once the header page (the last call) is fully programmed
                const allowed = n === calls && mode === 'after' ? ['kept new'] : n === calls && mode === 'half' ? ['kept old', 'kept new'] : ['kept old'];
                assert.ok(allowed.includes(got), `cut at call ${n} of ${calls} (${mode}): ${got}`);
                // and the store takes changes after it: back to the old value for the next round
                await run(board, `import os\nos.putenv('VAR', '${NEW}')\nos.putenv('VAR', '${OLD}')`);
                assert.equal((await run(board, check)).trim(), 'kept old');
            }
        }
        t.diagnostic(`${calls} flash calls per putenv, ${outcomes.length} power cuts: ${outcomes.join(', ')}`);
    });
});
