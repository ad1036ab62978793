import { spawn } from 'node:child_process';
import type { CommandModule } from 'yargs';
import { mpremoteInvocation } from '../components/mpremote.js';
import { MprtError } from '../util/errors.js';

interface Args {
    args?: (string | number)[];
}

export const mpremoteCommand: CommandModule<object, Args> = {
    command: 'mpremote [args..]',
    describe: "Run MicroPython's mpremote (pinned, from the cache) against a board or the emulator's pty",
    builder: (y) =>
        y
            .parserConfiguration({ 'unknown-options-as-args': true })
            .positional('args', { type: 'string', array: true, describe: 'mpremote arguments, passed as they are' })
            .epilog(
                'Runs the mpremote that `mprt setup` unpacked (Debian micropython-mpremote, with pyserial): nothing is\n' +
                    'installed system-wide. Without a `connect` argument mpremote finds the first USB board; set MPRT_PORT\n' +
                    'to a device (e.g. /dev/ttyACM1, or the path `mprt emulate --pty` prints) to use that one instead.\n' +
                    'Exit code: mpremote\'s own.',
            )
            .example('$0 mpremote fs ls :', 'list the board\'s files')
            .example('$0 mpremote fs cp mymod.so :/lib/mymod.so', 'copy a native module to the board')
            .example('MPRT_PORT=/tmp/mprt-pty $0 mpremote exec "print(1)"', 'talk to `mprt emulate --pty --pty-link /tmp/mprt-pty`'),
    handler: async (args) => {
        const inv = mpremoteInvocation((args.args ?? []).map(String), { port: process.env.MPRT_PORT || undefined });
        const code = await new Promise<number>((resolvePromise, reject) => {
            const child = spawn(inv.command, inv.args, { env: inv.env, stdio: 'inherit' });
            child.on('error', (err) => reject(new MprtError(`could not run ${inv.command}: ${err.message}`, { hint: 'install python3 (`npx mprt setup --yes`)' })));
            child.on('exit', (c, signal) => resolvePromise(c ?? (signal ? 128 + 2 : 1)));
        });
        process.exitCode = code;
    },
};
