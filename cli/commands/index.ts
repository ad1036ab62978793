import type { CommandModule } from 'yargs';

/**
 * Every mprt command, one module each in cli/commands/, in the order `mprt --help` lists them (the
 * order a user meets them). A command module only parses its arguments and calls into the library
 * modules (components, compile, emulator, repl, testing, formats). Modules are loaded on demand: a run of one
 * command loads that command's code only (`mprt build` does not load the emulator).
 */
// Each command module has its own argument type; yargs takes them side by side, as modules over `object`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs' CommandModule is invariant in its argument type
type AnyCommand = CommandModule<any, any>;

const COMMANDS: [name: string, load: () => Promise<AnyCommand>][] = [
    ['setup', async () => (await import('./setup.js')).setupCommand],
    ['doctor', async () => (await import('./doctor.js')).doctorCommand],
    ['build', async () => (await import('./build.js')).buildCommand],
    ['emulate', async () => (await import('./emulate.js')).emulateCommand],
    ['test', async () => (await import('./test.js')).testCommandModule],
    ['flash', async () => (await import('./flash.js')).flashCommand],
    ['mpremote', async () => (await import('./mpremote.js')).mpremoteCommand],
    ['pack-module', async () => (await import('./pack-module.js')).packModuleCommand],
    ['freeze', async () => (await import('./freeze.js')).freezeCommand],
    ['baseline', async () => (await import('./baseline.js')).baselineCommandModule],
    ['deps', async () => (await import('./deps.js')).depsCommand],
];

/** The command modules a command line needs: the one it names, or all of them (help, a typo to suggest for). */
export async function loadCommands(argv: string[]): Promise<AnyCommand[]> {
    const named = COMMANDS.find(([name]) => name === argv[0]);
    const wanted = named && !argv.slice(1).some((a) => a === '--help' || a === '-h') ? [named] : COMMANDS;
    return Promise.all(wanted.map(([, load]) => load()));
}
