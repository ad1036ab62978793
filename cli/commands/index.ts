import type { CommandModule } from 'yargs';
import { depsCommand } from './deps.js';
import { doctorCommand } from './doctor.js';
import { setupCommand } from './setup.js';
import { testCommandModule } from './test.js';
import { baselineCommandModule } from './baseline.js';
import { flashCommand } from './flash.js';
import { emulateCommand } from './emulate.js';
import { buildCommand } from './build.js';

/**
 * Every mprt command, one module each in cli/commands/. A command module only parses its arguments
 * and calls into the library modules (vendor, build, emulator, testing, formats).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
    setupCommand,
    depsCommand,
    doctorCommand,
    testCommandModule,
    baselineCommandModule,
    flashCommand,
    emulateCommand,
    buildCommand,
];
