/**
 * Power cuts during a file write on the flash filesystem (F4, docs/vfs.md): Python writes a 10 KB file
 * to /pc.tmp, closes it and renames it over /pc.dat (which holds 10 KB of other content). The harness
 * counts the flash erase/program calls this makes in the filesystem partition, then repeats it once per
 * call, cutting the power before that call and (separately) halfway through it (`board.onFlashWrite`,
 * cli/emulator/rom-services.ts; a cut right after call n is the cut before call n+1, and the last call
 * is also cut right after it). After every cut the board boots again: `/` must mount as it was
 * (littlefs, not reformatted: a marker file is intact), /pc.dat must hold exactly the old or the new
 * content, /pc.tmp nothing or all of the new content, and the filesystem must take the write again.
 *
 * Firmware: $MPRT_TEST_FIRMWARE, else build/pico; its size.json gives the settings region, and every
 * other flash call of the firmware after its image is the filesystem's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import type { FlashOp, PowerCut } from '../../cli/emulator/rom-services.js';
import { flashRegion, testFirmware } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

const firmware = testFirmware();

const region = flashRegion(firmware, 'settings');
const skip = typeof region === 'string' ? region : false;
/** Flash calls outside the settings region: the filesystem's (nothing else writes flash meanwhile). */
const inFs = (op: FlashOp) => typeof region !== 'string' && (op.offset < region.offset || op.offset >= region.offset + region.size);

const SIZE = 10 * 1024;
// two contents of the same size that differ in every 1K piece, with a checksum printed by the board
const setup = [
    'import os',
    'def body(tag):',
    '    return b"".join(bytes("%s%04d" % (tag, i), "ascii") * 128 for i in range(' + String(SIZE / 1024) + '))',
    'def kind(path):',
    '    try:',
    '        with open(path, "rb") as f:',
    '            d = f.read()',
    '    except OSError:',
    '        return "absent"',
    '    return "old" if d == body("O") else "new" if d == body("N") else "empty" if not d else "corrupt:%d" % len(d)',
].join('\n');
const write = 'with open("/pc.tmp", "wb") as f:\n    f.write(body("N"))\nos.rename("/pc.tmp", "/pc.dat")';
const check = `${setup}\nprint(kind("/pc.dat"), kind("/pc.tmp"), open("/marker").read(), os.statvfs("/")[0])`;

describe('F4: power cut at every flash call of a file write and rename', { skip }, () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-vfs-power-'));
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware!, flashImage: join(work, 'flash.img') });
        await board.boot();
        await run(board, `${setup}\nwith open("/marker", "w") as f:\n    f.write("kept")\nwith open("/pc.dat", "wb") as f:\n    f.write(body("O"))`);
    });
    after(async () => {
        await board?.close();
        rmSync(work, { recursive: true, force: true });
    });

    const reset = `${setup}\nwith open("/pc.dat", "wb") as f:\n    f.write(body("O"))\ntry:\n    os.remove("/pc.tmp")\nexcept OSError:\n    pass`;

    test('the file is the old or the new content after every cut; the filesystem mounts and takes writes', { timeout: 1_200_000 }, async (t) => {
        // the calls one write+rename makes, counted without a cut
        const ops: FlashOp[] = [];
        board.onFlashWrite = (op) => {
            if (inFs(op)) ops.push(op);
            return undefined;
        };
        await run(board, `${setup}\n${write}`);
        board.onFlashWrite = undefined;
        assert.equal((await run(board, check)).trim().split(' ').slice(0, 3).join(' '), 'new absent kept');
        const calls = ops.length;
        const erases = ops.filter((o) => o.kind === 'erase').length;
        assert.ok(calls >= 10 && erases >= 1, `a 10 KB write + rename made ${calls} flash calls (${erases} erases)`);
        const seen = new Map<string, number>();
        const cuts: [number, PowerCut][] = [];
        for (let n = 1; n <= calls; n++) cuts.push([n, 'before'], [n, 'half']);
        cuts.push([calls, 'after']);
        let oldAfter = 0;
        for (const [n, mode] of cuts) {
            await run(board, reset);
            let count = 0;
            let cutOp: FlashOp | undefined;
            board.onFlashWrite = (op) => {
                if (!inFs(op) || ++count !== n) return undefined;
                cutOp = op;
                return mode;
            };
            const r = await board.exec(`${setup}\n${write}\nprint("not cut")`, { timeoutMs: 20_000 });
            board.onFlashWrite = undefined;
            if (!r.reset) {
                // a write that took fewer calls this time (littlefs's allocator moved on): nothing to cut
                assert.ok(count < n, `call ${n} (${mode}): no power cut although ${count} calls were made: ${r.stdout}${r.stderr}`);
                seen.set('fewer calls', (seen.get('fewer calls') ?? 0) + 1);
                continue;
            }
            const got = (await run(board, check)).trim();
            const [dat, tmp, marker] = got.split(' ');
            const what = `cut ${mode} call ${n}/${calls} (${cutOp?.kind} @${cutOp?.offset.toString(16)}+${cutOp?.length})`;
            assert.equal(marker, 'kept', `${what}: ${got}`);
            assert.ok(dat === 'old' || dat === 'new', `${what}: /pc.dat is ${dat}`);
            assert.ok(['absent', 'empty', 'new'].includes(tmp) && !(dat === 'new' && tmp !== 'absent'), `${what}: /pc.tmp is ${tmp} (/pc.dat ${dat})`);
            if (dat === 'old') oldAfter = n;
            seen.set(`${dat}/${tmp}`, (seen.get(`${dat}/${tmp}`) ?? 0) + 1);
            // the filesystem takes the same write after the cut
            await run(board, `${setup}\n${write}`);
            assert.equal((await run(board, check)).trim().split(' ').slice(0, 2).join(' '), 'new absent', `${what}: the write after it`);
        }
        // the old content up to the rename's commit, the new one after it: both outcomes were seen
        assert.ok((seen.get('old/absent') ?? 0) + (seen.get('old/empty') ?? 0) + (seen.get('old/new') ?? 0) > 0);
        assert.ok((seen.get('new/absent') ?? 0) > 0);
        t.diagnostic(`${calls} flash calls (${erases} erases) per write+rename, ${cuts.length} power cuts; outcomes ${JSON.stringify(Object.fromEntries(seen))}; the old content up to call ${oldAfter}`);
    });
});
