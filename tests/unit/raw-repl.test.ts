/**
 * The raw-REPL client (cli/repl/raw-repl.ts) against a scripted board on a virtual clock: the
 * handshakes, replies split anywhere, malformed and truncated replies, timeouts with and without
 * recovery, SystemExit's soft reset, and errors of the transport. The firmware end is covered by the
 * emulator tests (tests/firmware/), which run every exchange on real MicroPython.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CTRL_A, CTRL_B, CTRL_C, CTRL_D, isTimeout, parseReply, partialStdout, RAW_BANNER, RawRepl, type Transport } from '../../cli/repl/raw-repl.js';
import { MprtError } from '../../cli/util/errors.js';

/** What the scripted board does with one piece of code: output pieces at times (ms after the code arrived). */
type Answer = { at: number; text: string }[];

/**
 * A board model speaking the raw-REPL protocol on a virtual clock. `answer` decides what each
 * code gets; `onCtrlC` what a Ctrl-C during a running program gives.
 */
class ScriptedBoard implements Transport {
    now = 0;
    sent = '';
    private out: { at: number; bytes: Uint8Array }[] = [];
    private rx: Uint8Array[] = [];
    private raw = false;
    private code = '';
    private running = false;
    /** Ctrl-A presses to ignore (a program that swallows the first interrupt). */
    ignoreCtrlA = 0;
    failWith: Error | undefined;

    constructor(
        private readonly answer: (code: string) => Answer,
        private readonly onCtrlC: () => Answer | undefined = () => undefined,
    ) {}

    private emit(text: string | Uint8Array, delay = 1): void {
        const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
        this.out.push({ at: this.now + delay, bytes });
        this.out.sort((a, b) => a.at - b.at);
    }

    write(data: Uint8Array): void {
        const text = new TextDecoder().decode(data);
        this.sent += text;
        for (const ch of text) {
            if (ch === CTRL_C) {
                if (this.running) {
                    this.running = false;
                    this.out = [];
                    const a = this.onCtrlC();
                    if (a) for (const p of a) this.emit(p.text, p.at);
                }
                this.code = '';
            } else if (ch === CTRL_A) {
                if (this.ignoreCtrlA > 0) {
                    this.ignoreCtrlA--;
                    continue;
                }
                this.raw = true;
                this.code = '';
                this.emit('\r\n' + RAW_BANNER);
            } else if (ch === CTRL_B) {
                this.raw = false;
                this.emit('\r\nMicroPython\r\n>>> ');
            } else if (ch === CTRL_D && this.raw) {
                if (this.code === '') {
                    this.emit('MPY: soft reboot\r\n' + RAW_BANNER, 3);
                } else {
                    this.running = true;
                    for (const p of this.answer(this.code)) this.emit(p.text, p.at);
                    this.code = '';
                }
            } else if (this.raw) {
                this.code += ch;
            } else if (ch === '\r') {
                this.emit('\r\n>>> ');
            }
        }
    }

    read(): Uint8Array {
        const parts = this.rx;
        this.rx = [];
        return Buffer.concat(parts);
    }

    async wait(done: () => boolean, timeoutMs: number): Promise<boolean> {
        if (this.failWith) throw this.failWith;
        const deadline = this.now + timeoutMs;
        for (;;) {
            if (done()) return true;
            const next = this.out[0];
            if (!next || next.at > deadline) {
                this.now = deadline;
                return done();
            }
            this.out.shift();
            this.now = Math.max(this.now, next.at);
            this.rx.push(next.bytes);
        }
    }

    nowMs(): number {
        return this.now;
    }
}

/** The usual answer: OK, output, Ctrl-D, error, Ctrl-D, prompt, in pieces split at awkward places. */
function reply(stdout: string, stderr = '', tail = '>'): Answer {
    const whole = 'OK' + stdout + CTRL_D + stderr + CTRL_D + tail;
    const answer: Answer = [];
    for (let i = 0; i < whole.length; i += 3) answer.push({ at: 2 + i, text: whole.slice(i, i + 3) });
    return answer;
}

describe('parseReply', () => {
    test('complete, with the prompt after it', () => {
        assert.deepEqual(parseReply(`OKhi\r\n${CTRL_D}${CTRL_D}>`), { state: 'done', stdout: 'hi\r\n', stderr: '', rest: '>' });
        assert.deepEqual(parseReply(`OK${CTRL_D}Traceback\r\n${CTRL_D}`), { state: 'done', stdout: '', stderr: 'Traceback\r\n', rest: '' });
    });

    test('truncated anywhere is incomplete', () => {
        const whole = `OKa>b${CTRL_D}err${CTRL_D}`;
        for (let i = 0; i < whole.length; i++) assert.deepEqual(parseReply(whole.slice(0, i)), { state: 'incomplete' }, `cut at ${i}`);
        assert.equal(parseReply(whole).state, 'done');
    });

    test('noise before OK is skipped; a prompt before OK is a refusal', () => {
        assert.deepEqual(parseReply(`\r\nOKx${CTRL_D}${CTRL_D}`), { state: 'done', stdout: 'x', stderr: '', rest: '' });
        assert.deepEqual(parseReply('raw REPL; CTRL-B to exit\r\n>'), { state: 'refused', text: 'raw REPL; CTRL-B to exit\r\n>' });
        assert.deepEqual(parseReply('>>> print(1)\r\n1\r\n>>> '), { state: 'refused', text: '>' });
        assert.equal(parseReply('garbage with no end').state, 'incomplete');
    });

    test('partialStdout keeps what a cut-off program printed', () => {
        assert.equal(partialStdout('OKone\r\ntw'), 'one\r\ntw');
        assert.equal(partialStdout(`OKdone${CTRL_D}err`), 'done');
        assert.equal(partialStdout('no ok yet'), '');
    });
});

describe('RawRepl over a scripted board', () => {
    test('enters once, runs code, parses replies split into pieces', async () => {
        const board = new ScriptedBoard((code) => (code === 'print(1)' ? reply('1\r\n') : reply('', 'Traceback\r\nNameError\r\n')));
        const repl = new RawRepl(board);
        const a = await repl.exec('print(1)', { timeoutMs: 1000 });
        assert.deepEqual([a.stdout, a.stderr, a.timedOut, a.recovered], ['1\r\n', '', false, true]);
        assert.ok(repl.inRawRepl);
        const b = await repl.exec('x', { timeoutMs: 1000 });
        assert.match(b.stderr, /NameError/);
        // one Ctrl-A for both: the second exec found the raw REPL's prompt after the first reply
        assert.equal([...board.sent].filter((c) => c === CTRL_A).length, 1);
        assert.ok(board.sent.endsWith(`x${CTRL_D}`));
    });

    test('multi-byte characters split between reads decode whole', async () => {
        const text = 'é€😀';
        const bytes = new TextEncoder().encode(`OK${text}${CTRL_D}${CTRL_D}>`);
        const board = new ScriptedBoard(() => []);
        const repl = new RawRepl(board);
        await repl.enter();
        // answer byte by byte
        const orig = board.write.bind(board);
        board.write = (d) => {
            orig(d);
            if (d[d.length - 1] === 0x04) {
                for (let i = 0; i < bytes.length; i++) (board as unknown as { emit: (t: Uint8Array, at: number) => void }).emit(bytes.subarray(i, i + 1), 1 + i);
            }
        };
        const r = await repl.exec('s', { timeoutMs: 1000 });
        assert.equal(r.stdout, text);
    });

    test('a program that runs too long: partial output, Ctrl-C, the REPL comes back', async () => {
        const board = new ScriptedBoard(
            () => [{ at: 1, text: 'OKtick\r\n' }],
            () => [{ at: 1, text: `${CTRL_D}Traceback\r\nKeyboardInterrupt: \r\n${CTRL_D}>` }],
        );
        const repl = new RawRepl(board);
        const r = await repl.exec('while 1: pass', { timeoutMs: 300 });
        assert.deepEqual([r.stdout, r.stderr, r.timedOut, r.recovered], ['tick\r\n', '', true, true]);
        assert.ok(r.ms >= 300 && r.ms < 310, String(r.ms));
        assert.ok(board.sent.endsWith(CTRL_C));
        assert.ok(repl.inRawRepl);
    });

    test('a truncated reply that never ends: not recovered, the next exec enters again', async () => {
        let wedged = true;
        const board = new ScriptedBoard((code) => (wedged ? [{ at: 1, text: 'OKhal' }] : reply(code)));
        const repl = new RawRepl(board, { recoverMs: 100 });
        const r = await repl.exec('a', { timeoutMs: 200 });
        assert.deepEqual([r.stdout, r.timedOut, r.recovered], ['hal', true, false]);
        assert.equal(repl.inRawRepl, false);
        wedged = false;
        const next = await repl.exec('b', { timeoutMs: 200 });
        assert.deepEqual([next.stdout, next.timedOut], ['b', false]);
        assert.equal([...board.sent].filter((c) => c === CTRL_A).length, 2);
    });

    test('a reply without OK is a refusal, not output', async () => {
        const board = new ScriptedBoard(() => [{ at: 1, text: '\r\nTraceback: bogus\r\n>>> ' }]);
        const repl = new RawRepl(board);
        const r = await repl.exec('print(1)', { timeoutMs: 200 });
        assert.equal(r.refused, true);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /refused/);
        assert.equal(repl.inRawRepl, false);
    });

    test('SystemExit soft-resets after the reply: the client waits for the raw REPL to come back', async () => {
        const board = new ScriptedBoard((code) => (code.includes('SystemExit') ? reply('SKIP\r\n', '', 'MPY: soft reboot\r\n') : reply(code)));
        const repl = new RawRepl(board);
        // the banner after the soft reset comes late, in pieces
        const orig = board.write.bind(board);
        board.write = (d) => {
            orig(d);
            if (new TextDecoder().decode(d).includes('SystemExit')) {
                const emit = (board as unknown as { emit: (t: string, at: number) => void }).emit.bind(board);
                emit('raw REPL; CTRL', 400);
                emit('-B to exit\r\n>', 450);
            }
        };
        const r = await repl.exec('print("SKIP")\nraise SystemExit', { timeoutMs: 200 });
        assert.deepEqual([r.stdout, r.softReset, repl.inRawRepl], ['SKIP\r\n', true, true]);
        assert.ok(board.now >= 450);
        // the next code's answer is not confused with the late banner
        const next = await repl.exec('after', { timeoutMs: 200 });
        assert.deepEqual([next.stdout, next.refused], ['after', undefined]);
        assert.equal([...board.sent].filter((c) => c === CTRL_A).length, 1);
    });

    test('a reply with no prompt after it leaves the state unknown', async () => {
        const board = new ScriptedBoard(() => reply('1', '', ''));
        const repl = new RawRepl(board, { handshakeMs: 50 });
        const r = await repl.exec('print(1)', { timeoutMs: 200 });
        assert.equal(r.stdout, '1');
        assert.equal(repl.inRawRepl, false);
    });

    test('enter: a second round of interrupts when the first Ctrl-A is swallowed; then a timeout', async () => {
        const board = new ScriptedBoard(() => reply('ok'));
        board.ignoreCtrlA = 1;
        const repl = new RawRepl(board, { handshakeMs: 100 });
        await repl.enter();
        assert.ok(repl.inRawRepl);
        assert.equal([...board.sent].filter((c) => c === CTRL_A).length, 2);

        const deaf = new ScriptedBoard(() => []);
        deaf.ignoreCtrlA = 2;
        const r2 = new RawRepl(deaf, { handshakeMs: 100 });
        await assert.rejects(r2.enter(), (err) => isTimeout(err) && /raw REPL; CTRL-B to exit/.test((err as Error).message));
    });

    test('softReset: Ctrl-D on an empty line, soft reboot, back in the raw REPL', async () => {
        const board = new ScriptedBoard((code) => reply(code));
        const repl = new RawRepl(board);
        await repl.softReset();
        assert.ok(repl.inRawRepl);
        assert.ok(board.sent.endsWith(`${CTRL_A}${CTRL_D}`));
        assert.equal((await repl.exec('z', { timeoutMs: 100 })).stdout, 'z');
        await repl.exit();
        assert.equal(repl.inRawRepl, false);
        assert.ok(board.sent.endsWith(CTRL_B));
    });

    test('abort stops the wait; transport errors: a timeout is a result, anything else is thrown', async () => {
        const board = new ScriptedBoard(() => [{ at: 5, text: 'OKpart' }]);
        const repl = new RawRepl(board);
        const r = await repl.exec('x', { timeoutMs: 1000, abort: () => board.now >= 5 });
        assert.deepEqual([r.aborted, r.stdout, r.timedOut], [true, 'part', false]);

        const net = new ScriptedBoard(() => []);
        const r2 = new RawRepl(net);
        await r2.enter();
        net.failWith = new MprtError('wall-clock safety net hit', { exitCode: 124 });
        const t = await r2.exec('x');
        assert.deepEqual([t.timedOut, t.recovered, t.stderr], [true, false, 'wall-clock safety net hit']);

        net.failWith = new MprtError('port closed', { exitCode: 3 });
        await assert.rejects(r2.exec('x'), /port closed/);
    });
});
