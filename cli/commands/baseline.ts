import type { CommandModule } from 'yargs';
import { DEFAULT_TIMEOUT_S, writeBaseline } from '../testing/run.js';
import { buildStockFirmware } from '../testing/stock.js';

interface BaselineArgs {
    firmware?: string;
    rebuild?: boolean;
    jobs?: number;
    timeout: number;
    out?: string;
    bootrom?: string;
}

export const baselineCommandModule: CommandModule<object, BaselineArgs> = {
    command: 'baseline',
    describe: 'Build MicroPython\'s stock rp2 firmware (reference only) and record its results on the default test list',
    builder: (y) =>
        y
            .option('firmware', { type: 'string', describe: 'use this stock firmware instead of building it' })
            .option('rebuild', { type: 'boolean', describe: 'rebuild the stock firmware even if cached' })
            .option('jobs', { alias: 'j', type: 'number', describe: 'boards run in parallel (default: min(2, cores))' })
            .option('timeout', { type: 'number', default: DEFAULT_TIMEOUT_S, describe: 'per-test timeout in emulated seconds' })
            .option('out', { type: 'string', describe: 'baseline file (default: tests/baseline/stock-<versions>.json)' })
            .option('bootrom', { type: 'string', describe: 'a real RP2040 boot ROM image instead of ours' }),
    handler: async (args) => {
        const log = (l: string): void => void process.stdout.write(l + '\n');
        let firmware = args.firmware;
        let buildInfo: Record<string, unknown> = {};
        if (!firmware) {
            const stock = await buildStockFirmware({ rebuild: args.rebuild, log });
            log(stock.built ? `stock firmware built in ${stock.buildSeconds?.toFixed(0)} s: ${stock.uf2}` : `stock firmware (cached): ${stock.uf2}`);
            firmware = stock.uf2;
            buildInfo = { build: 'ports/rp2 BOARD=RPI_PICO, frozen: port modules + asyncio, CMAKE_ARGS=-DPICO_NO_PICOTOOL=1' };
        }
        await writeBaseline({ firmware, paths: [], jobs: args.jobs, timeoutS: args.timeout, out: args.out, bootrom: args.bootrom, buildInfo });
    },
};

export default baselineCommandModule;
