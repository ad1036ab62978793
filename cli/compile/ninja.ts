/**
 * Running the CMake configure step and Ninja, with progress, the list of rebuilt objects, and
 * compiler errors turned into a short report (the failing file and its first errors). Ninja runs on
 * every build, so it is started with node:child_process (a no-op build loads no process library).
 */
import { spawn } from 'node:child_process';
import { MprtError } from '../util/errors.js';

export interface NinjaResult {
    /** Ninja said "no work to do". */
    noWork: boolean;
    /** Edges run, by description ("Building C object CMakeFiles/firmware.dir/...c.obj"). */
    steps: string[];
    /** Object files compiled (C, C++, ASM). */
    compiled: string[];
}

export interface RunOptions {
    env: NodeJS.ProcessEnv;
    onProgress?: (done: number, total: number, what: string) => void;
}

const STATUS = /^\[(\d+)\/(\d+)\] (.*)$/;
const OBJECT = /^Building (?:C|CXX|ASM) object (.*)$/;

/** Lets Ctrl-C reach the child and wait for it to clean up, then reports an interrupted build. */
async function runInterruptible<T>(child: { kill(signal: NodeJS.Signals): unknown }, work: () => Promise<T>): Promise<T> {
    let interrupted = false;
    const onSigint = () => {
        interrupted = true;
        child.kill('SIGINT');
    };
    process.on('SIGINT', onSigint);
    try {
        return await work();
    } catch (err) {
        if (interrupted) throw new MprtError('build interrupted', { exitCode: 130, hint: 'the next `mprt build` continues from where it stopped' });
        throw err;
    } finally {
        process.off('SIGINT', onSigint);
    }
}

/** The first compiler diagnostics of a failed Ninja run, and the file they are about. */
export function summariseFailure(output: string): { file?: string; errors: string[] } {
    const lines = output.split('\n');
    const failedAt = lines.findIndex((l) => l.startsWith('FAILED: '));
    const failedOutput = failedAt >= 0 ? lines[failedAt].slice('FAILED: '.length).trim().split(' ')[0] : undefined;
    // Drop the failing command lines themselves (long), progress lines and Ninja's own messages.
    const tail = (failedAt >= 0 ? lines.slice(failedAt + 1) : lines)
        .filter((l) => l.trim() !== '' && l.length < 400 && !STATUS.test(l) && !l.startsWith('ninja: ') && !l.startsWith('FAILED: '));
    const diag = /^(.+?):(\d+):(?:\d+:)? (?:fatal )?error: (.*)$/;
    const errors: string[] = [];
    let file: string | undefined;
    for (const line of tail) {
        const m = diag.exec(line);
        if (m) {
            file ??= m[1];
            if (errors.length < 8) errors.push(line);
        }
    }
    if (errors.length === 0) {
        // Not a located compiler diagnostic (driver, linker, generator script): its own error lines
        // first, else the end of what the failing step printed.
        const flagged = tail.filter((l) => /error|undefined reference|overflowed|Error|Traceback|not found|File "/.test(l));
        errors.push(...(flagged.length > 0 ? flagged.slice(0, 10) : tail.slice(-12)));
        if (tail.some((l) => /undefined reference|region .* overflowed|collect2|\bld: /.test(l))) file = 'firmware.elf (link)';
        else file = failedOutput;
    }
    return { file, errors };
}

export async function runNinja(buildDir: string, jobs: number, opts: RunOptions): Promise<NinjaResult> {
    const child = spawn('ninja', ['-C', buildDir, `-j${jobs}`], {
        env: { ...opts.env, NINJA_STATUS: '[%f/%t] ' },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const steps: string[] = [];
    const compiled: string[] = [];
    let all = '';
    let pending = '';
    const onData = (text: string) => {
        all += text;
        pending += text;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            const m = STATUS.exec(line);
            if (!m) continue;
            const what = m[3];
            steps.push(what);
            const obj = OBJECT.exec(what);
            if (obj) compiled.push(obj[1]);
            opts.onProgress?.(Number(m[1]), Number(m[2]), what);
        }
    };
    for (const stream of [child.stdout, child.stderr]) {
        stream.setEncoding('utf8');
        stream.on('data', onData);
    }
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
        child.on('error', (error) => done({ code: null, signal: null, error }));
        child.on('close', (code, signal) => done({ code, signal }));
    });
    return runInterruptible(child, async () => {
        const result = await exit;
        if (result.code !== 0 || result.error) {
            if (result.signal === 'SIGINT' || result.code === 130) throw new Error('interrupted');
            const { file, errors } = summariseFailure(result.error ? `${all}\n${result.error.message}` : all);
            throw new MprtError(`build failed${file ? ` in ${file}` : ''}:\n  ${errors.join('\n  ')}`, {
                hint: `full log: ninja -C ${buildDir}`,
            });
        }
        return { noWork: /ninja: no work to do/.test(all), steps, compiled };
    });
}

export async function runCmakeConfigure(args: string[], opts: RunOptions): Promise<void> {
    const { execa } = await import('execa');
    const child = execa('cmake', args, { env: opts.env, all: true, reject: false });
    await runInterruptible(child, async () => {
        const result = await child;
        if (result.exitCode !== 0) {
            if (result.signal === 'SIGINT') throw new Error('interrupted');
            const out = String(result.all ?? '').split('\n');
            const at = out.findIndex((l) => /CMake Error/.test(l));
            throw new MprtError(`CMake configure failed:\n  ${out.slice(Math.max(0, at), at + 15).join('\n  ')}`, {
                hint: 'check `mprt doctor` for missing components or tools',
            });
        }
    });
}
