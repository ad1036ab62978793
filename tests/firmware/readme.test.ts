/**
 * Every code block of README.md, run as a newcomer runs it: from the repository root, line by line through
 * bash, literally. Where a line ends in `# prints X`, what it printed must be X. Lines that need a board
 * (`npx mprt mpremote ...`) run against an emulated Pico on a pty with a fresh flash image, reached through
 * `MPRT_PORT` as the README says. A ```c block is written to the file its paragraph names, for the lines
 * that build it. The lines not run are listed in EXCEPTIONS with the reason; a stale entry fails.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../../cli/util/paths.js';
import { mprtBin, testFirmware } from './emulator-fixture.js';

/** Lines of README's sh blocks that this test does not run, each with why. */
const EXCEPTIONS: Record<string, string> = {
    'npm install && npx mprt setup --yes && npx mprt build --board pico':
        '.ci/run runs it literally on a machine made fresh, before the tests (this test needs its build)',
    'npm test': 'the command this test runs under',
    'npx mprt emulate': 'the interactive REPL needs a terminal (tests/firmware/emulator.test.ts drives it)',
    'npx mprt emulate --pty': 'serves until Ctrl-C; the mpremote lines below run against such a pty',
    'npx mprt test --port /dev/ttyACM0 basics float':
        'needs a board on a serial port; tests/firmware/test-port.test.ts runs mprt test --port against mprt emulate --pty',
    'npx mprt build --board pico --out build/pico-uart --set rtos.c_heap_size=16K --set console=uart':
        'a clean build of another configuration (a minute of CI); tests/host/build.test.ts and emulator-uart.test.ts build and run those keys',
};

interface Line {
    command: string;
    prints?: string;
    block: number;
}

interface Block {
    lang: string;
    text: string;
    /** The prose between the previous block and this one. */
    before: string;
}

export function readmeBlocks(readme: string): Block[] {
    const blocks: Block[] = [];
    const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
    let last = 0;
    for (let m = re.exec(readme); m; m = re.exec(readme)) {
        blocks.push({ lang: m[1], text: m[2], before: readme.slice(last, m.index) });
        last = m.index + m[0].length;
    }
    return blocks;
}

/** A shell line without its trailing comment (a `#` after whitespace, outside quotes), and the comment. */
export function splitComment(line: string): { command: string; comment?: string } {
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") {
            quote = c;
        } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
            return { command: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
        }
    }
    return { command: line.trim() };
}

const root = repoRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);
const lines: Line[] = blocks.flatMap((b, block) =>
    b.lang !== 'sh' ? [] : b.text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => {
        const { command, comment } = splitComment(l);
        const prints = comment?.match(/^prints (.*)$/)?.[1];
        return { command, prints, block };
    }),
);

let board: ChildProcess | undefined;
const work = mkdtempSync(join(tmpdir(), 'mprt-readme-'));
const before = new Set(readdirSync(root));
after(() => {
    board?.kill('SIGTERM');
    for (const f of readdirSync(root)) if (!before.has(f)) rmSync(join(root, f), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
});

/** An emulated Pico on a pty, with a fresh flash image: what `MPRT_PORT` points at. */
async function emulatedBoard(): Promise<string> {
    const link = join(work, 'pico');
    if (board) return link;
    board = spawn(process.execPath, [mprtBin, 'emulate', '--pty', '--pty-link', link, '--flash-image', join(work, 'pico.img')], { stdio: 'ignore' });
    for (let i = 0; i < 600 && !existsSync(link); i++) await sleep(100);
    assert.ok(existsSync(link), 'the emulated board came up on a pty');
    return link;
}

test('the README lists no exception it does not have', () => {
    const commands = new Set(lines.map((l) => l.command));
    for (const e of Object.keys(EXCEPTIONS)) assert.ok(commands.has(e), `EXCEPTIONS names a line the README no longer has: ${e}`);
    assert.ok(lines.length - Object.keys(EXCEPTIONS).length >= 10, `${lines.length} lines`);
});

test("README's first sh block is the one set-up-and-build command, on one line", () => {
    const first = blocks.find((b) => b.lang === 'sh')!;
    assert.equal(first.text.trim(), 'npm install && npx mprt setup --yes && npx mprt build --board pico');
});

test('every other README code line runs and prints what it says', { skip: !testFirmware() && 'no firmware built' }, async () => {
    for (const line of lines) {
        if (EXCEPTIONS[line.command]) continue;
        // A C block is the file its paragraph names (`mymod.c`), written before the lines of the next blocks.
        for (const b of blocks.slice(0, line.block)) {
            const name = b.lang === 'c' ? b.before.match(/`([\w.-]+\.c)`/)?.[1] : undefined;
            if (name && !existsSync(join(root, name))) writeFileSync(join(root, name), b.text);
        }
        const env: NodeJS.ProcessEnv = { ...process.env };
        if (/\bmprt mpremote\b/.test(line.command) && !/\bconnect\b/.test(line.command)) env.MPRT_PORT = await emulatedBoard();
        const r = spawnSync('bash', ['-c', line.command], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
        const out = `${r.stdout}${r.stderr}`;
        assert.equal(r.status, 0, `README line failed (exit ${r.status}): ${line.command}\n${out.slice(-2000)}`);
        if (line.prints !== undefined) assert.equal(r.stdout.trim(), line.prints, `README says \`${line.command}\` prints ${line.prints}`);
    }
});
