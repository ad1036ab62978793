import type { CommandModule } from 'yargs';
import { setupComponents } from '../components/setup.js';
import { lockPath } from '../components/lock.js';

export const depsCommand: CommandModule = {
    command: 'deps <action>',
    describe: 'Manage the component lock (vendor/lock.json)',
    builder: (y) =>
        y
            .positional('action', { choices: ['update'] as const, describe: 'update: take Debian\'s current revision of every pinned version, fetch it, and rewrite the lock' })
            .example('$0 deps update', 'accept a new Debian revision (after checking the warning from `mprt setup`)'),
    handler: async () => {
        const states = await setupComponents({
            updateLock: true,
            log: (s) => process.stderr.write(`deps: ${s}\n`),
            warn: (s) => process.stderr.write(`warning: ${s}\n`),
        });
        for (const s of states) process.stdout.write(`${s.name.padEnd(12)} ${s.debianVersion.padEnd(24)} ${s.files.map((f) => `${f.name} sha256:${f.sha256.slice(0, 16)}…`).join(' ')}\n`);
        process.stdout.write(`wrote ${lockPath()}\n`);
    },
};
