import type { CommandModule } from 'yargs';
import { baselineCommandModule } from './baseline.js';
import { buildCommand } from './build.js';
import { depsCommand } from './deps.js';
import { doctorCommand } from './doctor.js';
import { emulateCommand } from './emulate.js';
import { flashCommand } from './flash.js';
import { packModuleCommand } from './pack-module.js';
import { setupCommand } from './setup.js';
import { testCommandModule } from './test.js';

/**
 * Every mprt command, one module each in cli/commands/, in the order `mprt --help` lists them (the
 * order a user meets them). A command module only parses its arguments and calls into the library
 * modules (vendor, build, emulator, testing, formats).
 */
// `any`: each command module has its own argument type; yargs takes them side by side.
export const commands: CommandModule<any, any>[] = [
    setupCommand,
    doctorCommand,
    buildCommand,
    emulateCommand,
    testCommandModule,
    flashCommand,
    packModuleCommand,
    baselineCommandModule,
    depsCommand,
];
