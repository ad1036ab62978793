import type { CommandModule } from 'yargs';
import { MprtError } from '../util/errors.js';
import { DEFAULT_TIMEOUT_S, lastBuildFirmware, selectTests, testCommand } from '../testing/run.js';

interface TestArgs {
    paths?: string[];
    firmware?: string;
    json?: string;
    junit?: string;
    jobs?: number;
    timeout: number;
    baseline?: unknown;
    list?: boolean;
    bootrom?: string;
    port?: string;
    baud?: number;
}

export const testCommandModule: CommandModule<object, TestArgs> = {
    command: 'test [paths..]',
    describe: 'Run MicroPython\'s test suites and ours on the firmware in the emulator, or on a board at --port (raw REPL, like run-tests.py)',
    builder: (y) =>
        y
            .positional('paths', { type: 'string', array: true, describe: 'test files or directories (default: basics micropython misc extmod inlineasm/thumb float stress unicode of MicroPython, and tests/firmware)' })
            .option('firmware', { type: 'string', describe: 'firmware .uf2 or .elf (default: the last `mprt build`)' })
            .option('json', { type: 'string', describe: 'write a JSON report here' })
            .option('junit', { type: 'string', describe: 'write JUnit XML here' })
            .option('jobs', { alias: 'j', type: 'number', describe: 'boards run in parallel (worker threads; default: min(2, cores))' })
            .option('timeout', { type: 'number', default: DEFAULT_TIMEOUT_S, describe: 'per-test timeout in emulated seconds (a hung board is rebooted)' })
            .option('baseline', { describe: 'stock results to compare with (default: tests/baseline/stock-<versions>.json; --no-baseline to skip)' })
            .option('list', { type: 'boolean', describe: 'list the tests that would run and exit' })
            .option('bootrom', { type: 'string', describe: 'a real RP2040 boot ROM image instead of ours' })
            .option('port', { type: 'string', describe: 'run on the board at this serial port (or pty) instead of the emulator; timeouts are then wall-clock seconds' })
            .option('baud', { type: 'number', describe: 'with --port: line speed for a USB-UART adapter (default 115200; USB CDC ignores it)' })
            .conflicts('port', ['firmware', 'bootrom'])
            .example('$0 test', 'the whole default suite on the last build')
            .example('$0 test basics/int1.py extmod -j2 --junit results.xml', 'a file and a suite, with a JUnit report')
            .example('$0 test --port /dev/ttyACM0', 'the same suites on a board on your desk (flashed with `mprt flash`)'),
    handler: async (args) => {
        const paths = args.paths ?? [];
        if (args.list) {
            for (const t of selectTests(paths)) process.stdout.write(`${t.id}${t.expPath ? '' : '  (expected output from CPython)'}\n`);
            return;
        }
        if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1)) {
            throw new MprtError(`--jobs must be a positive integer, not ${args.jobs}`, { exitCode: 2 });
        }
        if (!(args.timeout > 0)) throw new MprtError('--timeout must be a positive number of seconds', { exitCode: 2 });
        const baseline = args.baseline === false ? false : typeof args.baseline === 'string' ? args.baseline : undefined;
        process.exitCode = await testCommand({
            firmware: args.port ? '' : (args.firmware ?? lastBuildFirmware()),
            port: args.port,
            baud: args.baud,
            paths,
            json: args.json,
            junit: args.junit,
            jobs: args.jobs,
            timeoutS: args.timeout,
            baseline,
            bootrom: args.bootrom,
        });
    },
};

export default testCommandModule;
