import type { CommandModule } from 'yargs';

interface FreezeArgs {
    modules: string[];
    firmware: string;
    output: string;
    image?: string;
    json?: boolean;
    verbose?: boolean;
}

export const freezeCommand: CommandModule<object, FreezeArgs> = {
    command: 'freeze <modules..>',
    describe: 'Freeze Python modules into a flash image for a firmware you built (no firmware rebuild): a UF2 for the freeze region, and a file for freeze.load()',
    builder: (y) =>
        y
            .positional('modules', { type: 'string', array: true, demandOption: true, describe: '.py or .mpy files, or package directories (with an __init__.py)' })
            .option('firmware', { type: 'string', demandOption: true, describe: 'the firmware build directory (`mprt build --out DIR`, e.g. build/pico): the image is made for that firmware' })
            .option('output', { alias: 'o', type: 'string', default: 'frozen.uf2', describe: 'the UF2 to write (it targets the freeze region only)' })
            .option('image', { type: 'string', describe: 'the image file for freeze.load(path) on a running board (default: the UF2\'s name with .fz)' })
            .option('json', { type: 'boolean', describe: 'print a JSON summary (modules, flash bytes, files written)' })
            .option('verbose', { alias: 'v', type: 'boolean', describe: 'say what the emulator is doing' })
            .example('$0 freeze app.py lib/mypkg --firmware build/pico -o app.uf2', 'writes app.uf2 and app.fz')
            .example('mpremote cp app.fz : + exec "import freeze; freeze.load(\'app.fz\')" + soft-reset', 'install on a running board')
            .epilog([
                'What it does: the modules are compiled with the firmware\'s mpy-cross (a syntax error is reported as',
                'FILE:LINE), then the firmware itself runs in the emulator, imports them and freezes them with',
                'freeze.import_modules, exactly as on a board: their code, constants and strings go into the freeze',
                'region of flash (docs/freeze.md). A module that fails when imported (a missing import, an exception)',
                'is refused with its file and line. The image is cut out of the emulated flash:',
                '',
                '  OUTPUT.uf2  the freeze region (flash.freeze_size, the top of the modules region): drop it on the',
                '              BOOTSEL drive after the firmware (or `mprt flash OUTPUT.uf2`); it replaces the frozen',
                '              modules on the board, not the firmware, the filesystem or the native modules.',
                '  IMAGE.fz    copy it to the board\'s filesystem and run freeze.load(\'IMAGE.fz\'): written power-safe,',
                '              used from the next soft reset.',
                '',
                'The image works only with that firmware (the same ABI identity and static strings): another firmware',
                'ignores the UF2\'s image at boot and freeze.load refuses the file; run mprt freeze again for it.',
                'Frozen modules come first on sys.path (before .py/.mpy files): import them as usual.',
            ].join('\n')),
    handler: async (args) => {
        const { freezeOnHost, formatFreezeResult } = await import('../freeze/host.js');
        const r = await freezeOnHost({
            inputs: args.modules,
            firmware: args.firmware,
            output: args.output,
            image: args.image,
            log: args.verbose ? (l) => process.stderr.write(`${l}\n`) : undefined,
        });
        process.stdout.write((args.json ? JSON.stringify(r, null, 2) : formatFreezeResult(r)) + '\n');
    },
};
