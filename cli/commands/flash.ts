import type { CommandModule } from 'yargs';
import { flash, formatFlashResult, lastBuiltFirmware, loadFlashFile } from '../flash/flash.js';
import { rebootToBootsel, waitForDrive } from '../flash/reboot.js';

export const flashCommand: CommandModule<object, { file?: string; drive?: string; json: boolean; reboot?: string }> = {
    command: 'flash [file]',
    describe: 'Copy firmware (UF2, or ELF converted to UF2) to a Pico in BOOTSEL mode',
    builder: (y) =>
        y
            .positional('file', { type: 'string', describe: 'firmware.uf2 or firmware.elf (default: the last `mprt build`)' })
            .option('drive', { type: 'string', describe: 'the BOOTSEL drive (default: the one RPI-RP2 drive mounted)' })
            .option('reboot', {
                type: 'string',
                describe: 'first reboot a running MicroPython board into BOOTSEL over this serial port (`auto` = the first found)',
            })
            .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' }),
    handler: async (args) => {
        const file = args.file ?? lastBuiltFirmware();
        let drive = args.drive;
        if (args.reboot !== undefined && !drive) {
            loadFlashFile(file); // refuse a bad file before taking the board out of its running firmware
            rebootToBootsel(args.reboot === '' ? 'auto' : args.reboot);
            drive = (await waitForDrive())?.path; // if none appears, flash() explains where it looked
        }
        const r = flash(file, { drive });
        process.stdout.write((args.json ? JSON.stringify(r, null, 2) : formatFlashResult(r)) + '\n');
    },
};
