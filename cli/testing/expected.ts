/**
 * The expected output of a test: its `.exp` file, or what CPython prints for it (cached by the
 * hash of the script and the CPython version in <cache>/cpython-exp/).
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MprtError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { normalizeNewlines } from './compare.js';
import type { TestCase } from './types.js';

/** The CPython used as the reference: $MICROPY_CPYTHON3 (as in run-tests.py), else python3. */
export function cpythonCommand(env: NodeJS.ProcessEnv = process.env): string {
    return env.MICROPY_CPYTHON3 || 'python3';
}

let versionMemo: string | undefined;

export function cpythonVersion(python = cpythonCommand()): string {
    if (versionMemo !== undefined) return versionMemo;
    const r = spawnSync(python, ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
        throw new MprtError(`cannot run CPython ('${python}') for the expected output of tests without .exp files`, {
            hint: 'install python3 or set MICROPY_CPYTHON3 to a CPython 3 executable',
        });
    }
    versionMemo = r.stdout.trim();
    return versionMemo;
}

/** Runs a script with CPython the way run-tests.py does: `-B -S`, UTF-8 output, in the script's folder. */
export function runCpython(path: string, python = cpythonCommand()): Promise<string> {
    return new Promise((resolvePromise) => {
        const child = spawn(python, ['-BS', path], {
            cwd: dirname(path),
            env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const chunks: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => chunks.push(d));
        child.stderr.on('data', (d: Buffer) => chunks.push(d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('close', (code) => {
            clearTimeout(timer);
            const out = Buffer.concat(chunks).toString('utf8');
            resolvePromise(code === 0 ? out : 'CPYTHON3 CRASH:\n' + out);
        });
        child.on('error', (e) => {
            clearTimeout(timer);
            resolvePromise('CPYTHON3 CRASH:\n' + e.message);
        });
    });
}

export function cpythonCacheDir(): string {
    return join(cacheDir(), 'cpython-exp');
}

/** Expected output of one test (`\n` line ends). */
export async function expectedOutput(test: TestCase): Promise<string> {
    if (test.expPath) return normalizeNewlines(readFileSync(test.expPath, 'utf8'));
    const python = cpythonCommand();
    const source = readFileSync(test.path);
    const key = createHash('sha256').update(cpythonVersion(python)).update('\0').update(source).digest('hex');
    const file = join(cpythonCacheDir(), key.slice(0, 2), key + '.out');
    if (existsSync(file)) return readFileSync(file, 'utf8');
    const out = normalizeNewlines(await runCpython(test.path, python));
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, file);
    return out;
}

/** Expected outputs for many tests, CPython runs `concurrency` at a time. */
export async function expectedOutputs(tests: readonly TestCase[], concurrency = 2): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < tests.length) {
            const t = tests[next++];
            result.set(t.id, await expectedOutput(t));
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return result;
}
