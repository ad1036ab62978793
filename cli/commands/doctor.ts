import type { CommandModule } from 'yargs';
import { diagnose, formatDiagnosis } from '../components/doctor.js';

export const doctorCommand: CommandModule<object, { json: boolean; toolchain?: string }> = {
    command: 'doctor',
    describe: 'Check host tools, toolchain and components: version, source, path, OK/missing, and how to fix',
    builder: (y) =>
        y
            .option('json', { type: 'boolean', default: false, describe: 'print the table as JSON' })
            .option('toolchain', { type: 'string', describe: 'toolchain directory to check instead of the default resolution' }),
    handler: async (args) => {
        const rows = await diagnose({ toolchain: args.toolchain });
        process.stdout.write(args.json ? JSON.stringify(rows, null, 2) + '\n' : formatDiagnosis(rows) + '\n');
        if (rows.some((r) => r.required && r.status !== 'ok')) process.exitCode = 1;
    },
};
