import yargs from 'yargs';
import type { Argv } from 'yargs';
import { formatError, MprtError } from './util/errors.js';
import { loadCommands } from './commands/index.js';

/** Builds the yargs parser with the commands `argv` needs registered (cli/commands/index.ts). */
export async function buildParser(argv: string[]): Promise<Argv> {
    let parser = yargs(argv)
        .scriptName('mprt')
        .usage('$0 <command> [options]\n\nBuild, emulate, test and flash MicroPythonRT firmware for the RP2040 (Raspberry Pi Pico / Pico W).')
        .strict()
        .demandCommand(1, 'Give a command; `mprt --help` lists them.')
        .recommendCommands()
        .help()
        .alias('h', 'help')
        .version(false)
        .wrap(process.stdout.columns ? Math.min(120, process.stdout.columns) : null)
        .fail((msg, err) => {
            if (err) throw err;
            throw new MprtError(msg, { hint: 'run `mprt --help` or `mprt <command> --help`', exitCode: 2 });
        });
    for (const command of await loadCommands(argv)) {
        parser = parser.command(command);
    }
    return parser;
}

export async function main(argv: string[]): Promise<void> {
    try {
        await (await buildParser(argv)).parseAsync();
    } catch (err) {
        process.stderr.write(formatError(err) + '\n');
        process.exitCode = err instanceof MprtError ? err.exitCode : 1;
    }
}
