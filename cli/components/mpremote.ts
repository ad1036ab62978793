/**
 * MicroPython's mpremote, pinned as a component (`mprt setup` unpacks Debian's micropython-mpremote and
 * python3-serial into the cache): how to run it without installing anything system-wide. Used by
 * `mprt mpremote`, `mprt flash --reboot` and the hint of `mprt emulate --pty`.
 */
import { delimiter } from 'node:path';
import { componentDir } from './components.js';
import { MprtError } from '../util/errors.js';

export interface MpremoteInvocation {
    command: string;
    args: string[];
    env: NodeJS.ProcessEnv;
}

/**
 * The python3 command line running the pinned mpremote with `args`. When `port` is given (MPRT_PORT) and
 * the arguments choose no device themselves (`connect ...` or a shortcut such as `a0`/`u0`/`c0`), mpremote
 * is told to connect there first.
 */
export function mpremoteInvocation(args: string[], opts: { port?: string; env?: NodeJS.ProcessEnv; python?: string } = {}): MpremoteInvocation {
    const env = opts.env ?? process.env;
    let dirs: string[];
    try {
        dirs = [componentDir('mpremote'), componentDir('pyserial')];
    } catch (err) {
        throw new MprtError('mpremote is not set up', { hint: 'run `npx mprt setup` (it unpacks the pinned mpremote and pyserial into the cache)', cause: err });
    }
    const choosesDevice = args.length > 0 && (args[0] === 'connect' || /^[acu]\d+$/.test(args[0]) || args[0] === 'devs');
    const full = opts.port && !choosesDevice ? ['connect', opts.port, ...args] : args;
    return {
        command: opts.python ?? 'python3',
        args: ['-m', 'mpremote', ...full],
        env: { ...env, PYTHONPATH: [...dirs, env.PYTHONPATH].filter(Boolean).join(delimiter) },
    };
}

/** The line a user can paste to run the same thing by hand (shown by `mprt emulate --pty`). */
export function mpremoteCommandLine(port: string, rest: string[]): string {
    return `npx mprt mpremote connect ${port} ${rest.join(' ')}`.trimEnd();
}
