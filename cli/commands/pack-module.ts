import type { CommandModule } from 'yargs';
import { formatPackResult, packModule } from '../modules/pack.js';

interface PackArgs {
    sources: string[];
    firmware: string;
    output?: string;
    name?: string;
    toolchain?: string;
    'work-dir'?: string;
    verbose?: boolean;
    json?: boolean;
}

export const packModuleCommand: CommandModule<object, PackArgs> = {
    command: 'pack-module <sources..>',
    describe: 'Build a native module (NAME.so) from C sources for a firmware you built: copy it to /lib and `import NAME`',
    builder: (y) =>
        y
            .positional('sources', { type: 'string', array: true, demandOption: true, describe: 'C files (.c, .S), or a directory of them (with an optional module.json)' })
            .option('firmware', { type: 'string', demandOption: true, describe: 'the firmware build directory (`mprt build --out DIR`): its sdk/ has the headers, flags and exports' })
            .option('output', { alias: 'o', type: 'string', describe: 'the module file to write (default ./NAME.so)' })
            .option('name', { type: 'string', describe: 'module name for `import NAME` (default: module.json "name", the directory, or the first source\'s name)' })
            .option('toolchain', { type: 'string', describe: 'arm-none-eabi toolchain directory (default: as `mprt build`)' })
            .option('work-dir', { type: 'string', describe: 'keep the objects, the linked ELF and its map in this directory' })
            .option('verbose', { alias: 'v', type: 'boolean', describe: 'print the compiler and linker commands' })
            .option('json', { type: 'boolean', describe: 'print the result as JSON' })
            .example('$0 pack-module examples/modules/fib --firmware build/pico', 'writes ./fib.so')
            .example('$0 pack-module a.c b.c --name mymod --firmware build/pico -o build/mymod.so', 'two files, one module')
            .epilog([
                'A module is C written against MicroPython\'s API, compiled with the firmware\'s own flags and headers',
                '(<firmware>/sdk/). It can call only what the firmware exports (<firmware>/sdk/exports.json: libc, libgcc,',
                'the MicroPython API, the RTOS API when the kernel is built in); any other undefined symbol is listed with',
                'the source that needs it. Its entry is `mp_obj_t dl_init(void)`, returning the module object:',
                '',
                '  static mp_obj_t add(mp_obj_t a, mp_obj_t b) { return mp_obj_new_int(mp_obj_get_int(a) + mp_obj_get_int(b)); }',
                '  static MP_DEFINE_CONST_FUN_OBJ_2(add_obj, add);',
                '  static const mp_rom_map_elem_t globals_table[] = {',
                '      { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mymod) },',
                '      { MP_ROM_QSTR(MP_QSTR_add), MP_ROM_PTR(&add_obj) },',
                '  };',
                '  static MP_DEFINE_CONST_DICT(globals, globals_table);',
                '  MPRT_MODULE(mymod_module, globals);',
                '',
                'mprt_module.h is included automatically (MPRT_MODULE, MPRT_DEFINE_OBJ_TYPE for types, the qstr rules).',
                'A directory may hold module.json: {"name", "sources", "cflags", "defines", "include"} (all optional).',
                'Install: mpremote fs cp NAME.so :/lib/NAME.so, then `import NAME` (the firmware installs it into flash',
                'on first import). A module carries the firmware\'s ABI identity (MicroPython version, options that change',
                'object layouts, compiler flags, kernel): another firmware with the same identity relinks it by itself;',
                'one with a different identity refuses it at import: pack it again. See README.md and docs/modules.md.',
            ].join('\n')),
    handler: async (args) => {
        const r = await packModule({
            inputs: args.sources,
            firmware: args.firmware,
            output: args.output,
            name: args.name,
            toolchain: args.toolchain,
            workDir: args['work-dir'],
            log: args.verbose ? (l) => process.stderr.write(`${l}\n`) : undefined,
        });
        process.stdout.write((args.json ? JSON.stringify(r, null, 2) : formatPackResult(r)) + '\n');
    },
};
