import type { CommandModule } from 'yargs';
import { buildFirmware } from '../compile/firmware.js';
import { describeKeys, formatBuildReport } from '../compile/report.js';
import { listBoards } from '../config/boards.js';
import { KERNEL_NAMES } from '../config/kernel.js';

interface BuildArgs {
    board: string;
    out?: string;
    jobs?: number;
    config?: string;
    set?: string[];
    rtos?: string;
    'freertos-path'?: string;
    toolchain?: string;
    json?: boolean;
}

/** Progress on a terminal: one line rewritten in place; elsewhere a line every 10 %. */
function progressPrinter(): { update: (done: number, total: number, what: string) => void; end: () => void } {
    const tty = process.stderr.isTTY;
    let lastDecile = -1;
    let shown = false;
    return {
        update(done, total, what) {
            if (tty) {
                const width = Math.max(20, (process.stderr.columns ?? 100) - 1);
                process.stderr.write(`\r\x1b[K${`[${done}/${total}] ${what}`.slice(0, width)}`);
                shown = true;
            } else if (total >= 20) {
                const decile = Math.floor((10 * done) / total);
                if (decile !== lastDecile) {
                    lastDecile = decile;
                    process.stderr.write(`[${done}/${total}] ${Math.round((100 * done) / total)}%\n`);
                }
            }
        },
        end() {
            if (tty && shown) process.stderr.write('\r\x1b[K');
        },
    };
}

export const buildCommand: CommandModule<object, BuildArgs> = {
    command: 'build',
    describe: 'Build MicroPythonRT firmware for a board (firmware.elf/.bin/.uf2/.map, size.json, compile_commands.json)',
    builder: (y) =>
        y
            .option('board', { type: 'string', demandOption: true, describe: `board to build (${listBoards().join(', ')})` })
            .option('out', { type: 'string', describe: 'output directory (default build/<board>)' })
            .option('jobs', { alias: 'j', type: 'number', describe: 'parallel compile jobs (default: CPU count)' })
            .option('config', { type: 'string', describe: 'configuration file (default: ./mprt.config.json if present)' })
            .option('set', { type: 'string', array: true, describe: 'override an option: --set key=value (repeatable)' })
            .option('rtos', {
                type: 'string', choices: KERNEL_NAMES,
                describe: 'kernel, sets rtos.kernel (default builtin): builtin = ours (lib/rtos); freertos = the FreeRTOS-Kernel from --freertos-path; none = no kernel',
            })
            .option('freertos-path', {
                type: 'string',
                describe: 'FreeRTOS-Kernel source tree for --rtos freertos (rtos.freertos_path; default $MPRT_FREERTOS_PATH)',
            })
            .option('toolchain', { type: 'string', describe: 'arm-none-eabi toolchain directory' })
            .option('json', { type: 'boolean', describe: 'print the result as JSON' })
            .example('$0 build --board pico', 'build build/pico/firmware.uf2')
            .example('$0 build --board pico_w --set ram.c_heap_size=16K --set console=uart', 'override options')
            .example('$0 build --board pico --rtos freertos --freertos-path ~/FreeRTOS-Kernel', 'the same firmware on the FreeRTOS-Kernel')
            .epilog(`Configuration keys (mprt.config.json or --set; see docs/configuration.md):\n${describeKeys()}`),
    handler: async (args) => {
        const progress = progressPrinter();
        try {
            const result = await buildFirmware({
                board: args.board,
                outDir: args.out,
                jobs: args.jobs,
                configFile: args.config,
                set: args.set,
                rtos: args.rtos,
                freertosPath: args['freertos-path'],
                toolchain: args.toolchain,
                log: (line) => process.stderr.write(`${line}\n`),
                onProgress: args.json ? undefined : progress.update,
            });
            progress.end();
            if (args.json) {
                process.stdout.write(JSON.stringify({
                    board: result.board.name,
                    outDir: result.outDir,
                    toolchain: result.toolchain,
                    config: result.effective.values,
                    kernel: result.kernel,
                    configOrigins: result.effective.origins,
                    flashMap: result.effective.layout.flashMap,
                    noop: result.noop,
                    compiled: result.compiled,
                    steps: result.steps,
                    outputs: result.outputs,
                    sizes: result.sizes,
                    seconds: result.seconds,
                    notes: result.notes,
                }, null, 2) + '\n');
            } else {
                process.stdout.write(formatBuildReport(result) + '\n');
            }
        } finally {
            progress.end();
        }
    },
};
