/**
 * Flash writes and native modules with the scheduler running, on the kernel a build was made with (issue 21:
 * the FreeRTOS CI step runs it on build/pico-freertos). Flash is erased and programmed through pico-sdk's
 * flash_safe_execute and the kernel's safety helper (ports/rp2/rtos/rtos_flash.c) while both cores run tasks:
 * a file written from Python and read back after a soft reset and after a power cycle; two modules copied to
 * /lib (file system writes), installed into the module flash region on first import (the installer programs
 * flash), imported and called: fib (the MicroPython API) and ticker (the kernel's API: a task of its own,
 * xTaskDelayUntil, vTaskDelete), with a Python thread running on the other core meanwhile.
 *
 * Firmware: $MPRT_KERNEL_BUILD (an output directory of `mprt build`), else build/pico; skipped when it is
 * not there or was built without a kernel.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { softReset } from './emulator-fixture.js';
import { packModule } from '../../cli/modules/pack.js';
import { repoRoot } from '../../cli/util/paths.js';
import { describeBuild, examplesDir, run, TICKER_CHECK, TICKER_EXPECT, type FirmwareBuild } from './modules-fixture.js';

const buildDir = process.env.MPRT_KERNEL_BUILD ?? join(repoRoot(), 'build', 'pico');

function skipReason(): string | false {
    if (!existsSync(join(buildDir, 'sdk', 'exports.json'))) return `no firmware build with a module SDK in ${buildDir} (mprt build, or $MPRT_KERNEL_BUILD)`;
    const kernel = (JSON.parse(readFileSync(join(buildDir, 'sdk', 'exports.json'), 'utf8')) as { kernel: string }).kernel;
    return kernel === 'none' ? `${buildDir} has no kernel` : false;
}
const skip = skipReason();

// A Python thread keeps the other core busy (and switching tasks) while flash is written.
const SPINNER = [
    'import _thread, time',
    'spin = [0, True]',
    'def spinner():',
    '    while spin[1]:',
    '        spin[0] += 1',
    '_thread.start_new_thread(spinner, ())',
    'time.sleep_ms(20)',
].join('\n');

describe(`flash writes and native modules with the scheduler running (${buildDir})`, { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-kernel-flash-'));
    let fw: FirmwareBuild;
    let board: Rp2040Board;

    before(async () => {
        fw = describeBuild(buildDir);
        board = await openBoard({ firmware: fw.uf2, flashImage: join(work, 'flash.img') });
        await board.boot();
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    test('a file written while another thread runs reads back after a soft reset and a power cycle', async () => {
        await run(board, SPINNER);
        const out = await run(board, [
            'import os',
            'data = bytes((i * 7 + 3) & 0xff for i in range(6000))',
            "with open('/kflash.bin', 'wb') as f:",
            '    f.write(data)',
            'n = spin[0]',
            'time.sleep_ms(20)',
            "print(os.stat('/kflash.bin')[6], spin[0] > n)",
            'spin[1] = False',
        ].join('\n'));
        assert.equal(out, '6000 True\n', 'written, and the thread ran on after the writes');
        const check = [
            "data = open('/kflash.bin', 'rb').read()",
            'print(len(data), all(data[i] == (i * 7 + 3) & 0xff for i in range(len(data))))',
        ].join('\n');
        await softReset(board);
        assert.equal(await run(board, check), '6000 True\n');
        await board.powerCycle();
        assert.equal(await run(board, check), '6000 True\n');
        await run(board, "import os\nos.remove('/kflash.bin')");
    });

    test('fib and ticker pack against the build, install into module flash on import and run', async () => {
        for (const name of ['fib', 'ticker']) {
            const r = await packModule({ inputs: [join(examplesDir, name)], firmware: fw.dir, output: join(work, `${name}.so`) });
            assert.equal(r.abi, fw.abi, `${name}: packed for this firmware`);
        }
        await run(board, "import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass\n");
        for (const name of ['fib', 'ticker']) await board.writeFile(`/lib/${name}.so`, readFileSync(join(work, `${name}.so`)));
        await run(board, SPINNER);
        assert.equal(await run(board, 'import fib\nprint(fib.fib(30), fib.add(2, 3))'), '832040 5\n');
        const ticks = await run(board, [...TICKER_CHECK, 'spin[1] = False'].join('\n'));
        assert.equal(ticks, TICKER_EXPECT);
        const installed = await run(board, 'import os\nprint(sorted(e[0] for e in os.dllist()))');
        assert.equal(installed, "['fib', 'ticker']\n");
        // after a power cycle, fib still imports and runs from module flash
        await board.powerCycle();
        assert.equal(await run(board, "import os, fib\nprint(fib.fib(20), 'fib' in [e[0] for e in os.dllist()])"), '6765 True\n');
    });
});
