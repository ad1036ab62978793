/**
 * What pack-module reads from a firmware build directory: <firmware>/sdk/module-sdk.json and include/
 * (written by `mprt build`, cli/compile/module-sdk.ts) and <firmware>/sdk/exports.json (the firmware's
 * export table and ABI identity, cli/compile/export-table.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MODULE_SDK_FILE, MODULE_SDK_VERSION, type ModuleSdk } from '../compile/module-sdk.js';
import { MprtError } from '../util/errors.js';

export interface ExportEntry {
    name: string;
    address: number;
    kind: 'func' | 'data';
}

export interface FirmwareSdk {
    /** The firmware build directory. */
    firmwareDir: string;
    sdkDir: string;
    sdk: ModuleSdk;
    abi: Uint8Array;
    abiHex: string;
    board: string;
    kernel: string;
    exports: Map<string, ExportEntry>;
}

function readJson(path: string, what: string): unknown {
    try {
        return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
        throw new MprtError(`cannot read ${what} ${path}: ${(err as Error).message}`, {
            hint: 'rebuild the firmware with `mprt build` (it writes <out>/sdk/)', cause: err,
        });
    }
}

/**
 * `--firmware` may name the build directory, its sdk/ directory, or a file in the build directory
 * (firmware.uf2, firmware.elf).
 */
export function loadFirmwareSdk(firmware: string, cwd = process.cwd()): FirmwareSdk {
    let dir = resolve(cwd, firmware);
    if (!existsSync(dir)) {
        throw new MprtError(`--firmware ${firmware}: no such file or directory`, {
            hint: 'pass the firmware build directory, e.g. --firmware build/pico (run `mprt build --board pico` first)',
        });
    }
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
    if (!existsSync(join(dir, 'sdk')) && existsSync(join(dir, MODULE_SDK_FILE))) dir = dirname(dir);
    const sdkDir = join(dir, 'sdk');
    const sdkFile = join(sdkDir, MODULE_SDK_FILE);
    const exportsFile = join(sdkDir, 'exports.json');
    if (!existsSync(sdkFile)) {
        throw new MprtError(`${dir} has no module SDK (sdk/${MODULE_SDK_FILE})`, {
            hint: `build the firmware with this version of mprt: mprt build --out ${firmware} ...`,
        });
    }
    if (!existsSync(exportsFile)) {
        throw new MprtError(`${dir} has no export table (sdk/exports.json)`, {
            hint: `build the firmware with this version of mprt: mprt build --out ${firmware} ...`,
        });
    }
    const sdk = readJson(sdkFile, 'the module SDK') as ModuleSdk;
    if (sdk.version !== MODULE_SDK_VERSION) {
        throw new MprtError(`${sdkFile} is version ${sdk.version}; this mprt reads version ${MODULE_SDK_VERSION}`, {
            hint: 'rebuild the firmware with this version of mprt',
        });
    }
    const ex = readJson(exportsFile, 'the export table') as { abi?: unknown; board?: unknown; kernel?: unknown; symbols?: unknown };
    if (typeof ex.abi !== 'string' || !/^[0-9a-f]{32}$/.test(ex.abi) || !Array.isArray(ex.symbols)) {
        throw new MprtError(`${exportsFile} is not an export table (needs "abi": 32 hex digits and "symbols": [...])`, {
            hint: 'rebuild the firmware with `mprt build`',
        });
    }
    const exports = new Map<string, ExportEntry>();
    for (const s of ex.symbols as ExportEntry[]) {
        if (typeof s?.name === 'string') exports.set(s.name, s);
    }
    return {
        firmwareDir: dir,
        sdkDir,
        sdk,
        abi: Uint8Array.from(Buffer.from(ex.abi, 'hex')),
        abiHex: ex.abi,
        board: typeof ex.board === 'string' ? ex.board : sdk.board,
        kernel: typeof ex.kernel === 'string' ? ex.kernel : sdk.kernel,
        exports,
    };
}

/** The compiler arguments of the SDK (flags, defines, include directories), before a module's own. */
export function sdkCompileArgs(fw: FirmwareSdk): string[] {
    return [
        ...fw.sdk.cflags,
        ...fw.sdk.defines.map((d) => `-D${d}`),
        ...fw.sdk.includeDirs.flatMap((d) => [d.system ? '-isystem' : '-I', join(fw.sdkDir, d.path)]),
    ];
}
