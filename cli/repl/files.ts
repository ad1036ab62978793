/**
 * Files on a board's filesystem through the raw REPL (what `mpremote fs cp` does): the code that is
 * sent and the decoding of its answer. Works on anything that runs code the raw-REPL way.
 */
import { MprtError } from '../util/errors.js';

/** Something that runs code on a board and returns its output parts (RawRepl, an emulated board). */
export interface CodeRunner {
    exec(code: string, opts?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string; timedOut: boolean }>;
}

/** Bytes per `bytes.fromhex` line when writing. */
const WRITE_CHUNK = 256;

async function run(board: CodeRunner, code: string, what: string, timeoutMs?: number): Promise<string> {
    const r = await board.exec(code, timeoutMs === undefined ? {} : { timeoutMs });
    if (r.stderr || r.timedOut) throw new MprtError(`${what} on the board failed: ${r.stderr.trim() || 'timed out'}`);
    return r.stdout;
}

export async function readBoardFile(board: CodeRunner, path: string): Promise<Uint8Array> {
    const out = await run(board, `f=open(${JSON.stringify(path)},'rb')\nwhile 1:\n b=f.read(512)\n if not b:break\n print(b.hex())\nf.close()\n`, `reading ${path}`);
    return Uint8Array.from(Buffer.from(out.replace(/\s+/g, ''), 'hex'));
}

export async function writeBoardFile(board: CodeRunner, path: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let code = `f=open(${JSON.stringify(path)},'wb')\nw=f.write\n`;
    for (let i = 0; i < bytes.length; i += WRITE_CHUNK) {
        code += `w(bytes.fromhex('${Buffer.from(bytes.subarray(i, i + WRITE_CHUNK)).toString('hex')}'))\n`;
    }
    code += 'f.close()\n';
    await run(board, code, `writing ${path}`);
}

/** Creates folders (parents first; existing ones are fine). */
export async function makeBoardDirs(board: CodeRunner, dirs: Iterable<string>, timeoutMs?: number): Promise<void> {
    const list = [...dirs].sort();
    if (!list.length) return;
    const code = list.map((d) => `try:\n os.mkdir(${JSON.stringify(d)})\nexcept OSError:\n pass`).join('\n');
    await run(board, 'import os\n' + code, 'creating folders', timeoutMs);
}
