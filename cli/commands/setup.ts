import type { CommandModule } from 'yargs';
import { setupComponents } from '../components/setup.js';
import { ensureSystemPackages } from '../components/system.js';
import { cacheDir } from '../util/paths.js';
import { MprtError } from '../util/errors.js';
import { setupFreertosKernel } from '../components/freertos-setup.js';

interface Args {
    yes: boolean;
    component?: string[];
    force: boolean;
    json: boolean;
    from?: string;
}

export const setupCommand: CommandModule<object, Args> = {
    command: 'setup',
    describe: 'Install host packages and fetch, verify, unpack and patch every third-party component',
    builder: (y) =>
        y
            .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'install missing host packages with apt-get (uses sudo when not root)' })
            .option('component', { type: 'string', array: true, describe: 'only these components (see `mprt doctor`)' })
            .option('from', { type: 'string', describe: 'with --component freertos-kernel: take the kernel from this release tarball or directory instead of its git tag' })
            .option('force', { type: 'boolean', default: false, describe: 're-unpack and re-patch even when up to date' })
            .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
            .epilog(
                'Host packages come from your own Debian release (gcc-arm-none-eabi, picolibc-arm-none-eabi, cmake,\n' +
                    'ninja-build, ...). Sources (MicroPython, pico-sdk, TinyUSB, lwIP, Mbed TLS, mpremote) come from\n' +
                    "Debian's trixie suite through a private apt state in the cache: your apt sources are not changed.\n" +
                    'The cache is ~/.cache/mprt (set MPRT_CACHE to move it). Once filled, setup works offline.',
            )
            .example('$0 setup --yes', 'first run on a fresh machine')
            .example('$0 setup --component freertos-kernel --from FreeRTOS-Kernel-V11.3.0.tar.xz', 'the kernel for --rtos freertos, offline')
            .example('MPRT_CACHE=/data/mprt $0 setup', 'keep the cache elsewhere'),
    handler: async (args) => {
        const log = (s: string) => { if (!args.json) process.stderr.write(`setup: ${s}\n`); };
        const warn = (s: string) => process.stderr.write(`warning: ${s}\n`);
        if (!args.component) await ensureSystemPackages({ yes: args.yes, log });
        if (args.from !== undefined && !args.component?.includes('freertos-kernel')) {
            throw new MprtError('--from goes with --component freertos-kernel', { exitCode: 2 });
        }
        if (args.component?.includes('freertos-kernel')) {
            const k = await setupFreertosKernel({ from: args.from, log });
            process.stdout.write(`${'freertos-kernel'.padEnd(16)} ${k.version.padEnd(10)} ${k.dir}  (from ${k.source})\n`);
            args.component = args.component.filter((c) => c !== 'freertos-kernel');
            if (!args.component.length) return;
        }
        const states = await setupComponents({ only: args.component, force: args.force, log, warn });
        if (args.json) {
            process.stdout.write(JSON.stringify({ cache: cacheDir(), components: states }, null, 2) + '\n');
            return;
        }
        for (const s of states) {
            process.stdout.write(`${s.name.padEnd(12)} ${s.debianVersion.padEnd(24)} ${s.action.padEnd(11)} ${s.dir}\n`);
        }
        process.stdout.write(`setup complete (cache: ${cacheDir()})\n`);
    },
};
