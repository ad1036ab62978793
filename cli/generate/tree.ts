/**
 * Generates the build tree of one firmware from templates/: the CMake project, the linker script with
 * the flash map, the port configuration header, the board header, the frozen-module manifest and the
 * version header. Files are rewritten only when their content changes.
 */
import { join } from 'node:path';
import type { Board } from '../config/boards.js';
import type { EffectiveConfig } from '../config/load.js';
import { abiHex, abiId, abiText } from '../build/abi.js';
import { readExportList, selectExports } from './exports.js';
import { planFrozen } from './frozen.js';
import { renderTemplate } from './render.js';
import { writeIfChanged } from './write.js';

export interface ComponentPaths {
    micropython: string;
    picoSdk: string;
    tinyusb: string;
    mbedtls: string;
    /** Our port: <repo>/ports/rp2. */
    port: string;
    repo: string;
    /** The FreeRTOS-Kernel tree (rtos.kernel=freertos only). */
    freertos?: string;
}

export interface GenerateOptions {
    board: Board;
    effective: EffectiveConfig;
    paths: ComponentPaths;
    micropythonVersion: string;
    /** Directory for generated sources (the CMake source dir). */
    genDir: string;
    /** The output directory (mapped out of debug info and __FILE__). */
    outDir: string;
    mpyCross: string;
    /** Seconds since the Epoch for the build date (SOURCE_DATE_EPOCH). */
    sourceDateEpoch: number;
    command: string;
}

export interface GeneratedTree {
    /** Generated files, absolute paths. */
    files: string[];
    /** Those whose content changed in this run. */
    changed: string[];
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

export function generateTree(o: GenerateOptions): GeneratedTree {
    const { config, layout } = o.effective;
    const frozen = planFrozen(config.frozen, { micropythonDir: o.paths.micropython, base: o.effective.frozenBase });
    const buildDate = new Date(o.sourceDateEpoch * 1000).toISOString().slice(0, 10);
    const ctx = {
        command: o.command,
        board: o.board,
        config,
        flash: layout.flash,
        flashMap: layout.flashMap,
        ramLength: hex(layout.ram.ramLength),
        stackOrigin: hex(layout.ram.stackOrigin),
        stackSize: layout.ram.stackSize,
        gcHeapFixed: layout.ram.gcHeapSize !== 0,
        cHeapSize: layout.ram.cHeapSize,
        // the firmware's RTOS port: on our kernel (builtin) or on the FreeRTOS-Kernel (freertos)
        rtos: config.rtos.kernel !== 'none',
        freertos: config.rtos.kernel === 'freertos',
        paths: o.paths,
        genDir: o.genDir,
        mpyCross: o.mpyCross,
        frozenLines: frozen.lines,
        frozenSources: frozen.sources,
        version: o.micropythonVersion,
        buildDate,
        prefixMaps: [
            { from: o.outDir, to: '/mprt/build' },
            { from: o.paths.micropython, to: '/mprt/src/micropython' },
            { from: o.paths.picoSdk, to: '/mprt/src/pico-sdk' },
            { from: o.paths.tinyusb, to: '/mprt/src/tinyusb' },
            { from: o.paths.mbedtls, to: '/mprt/src/mbedtls' },
            { from: o.paths.repo, to: '/mprt/repo' },
            ...(o.paths.freertos ? [{ from: o.paths.freertos, to: '/mprt/src/freertos-kernel' }] : []),
        ],
    };
    const outputs: [string, string][] = [
        ['CMakeLists.txt.hbs', 'CMakeLists.txt'],
        ['memmap.ld.hbs', 'memmap.ld'],
        ['sdk-script-placeholder.ld.hbs', 'sdk-script-placeholder.ld'],
        ['mprt_config.h.hbs', 'mprt_config.h'],
        ['FreeRTOSConfig.h.hbs', 'FreeRTOSConfig.h'],
        ['board/mpconfigboard.h.hbs', 'mpconfigboard.h'],
        ['manifest.py.hbs', 'manifest.py'],
        ['mpversion.h.hbs', 'genhdr/mpversion.h'],
    ];
    const abiInput = { micropythonVersion: o.micropythonVersion, config };
    const exportsCtx = {
        command: o.command,
        kernel: config.rtos.kernel,
        symbols: selectExports(readExportList(), o.effective.values),
        abiLines: abiText(abiInput),
        abiBytes: [...abiId(abiInput)].map((b) => '0x' + b.toString(16).padStart(2, '0')).join(', '),
        abiHex: abiHex(abiId(abiInput)),
    };
    const files: string[] = [];
    const changed: string[] = [];
    for (const [template, rel] of outputs) {
        const path = join(o.genDir, rel);
        files.push(path);
        if (writeIfChanged(path, renderTemplate(template, ctx))) changed.push(path);
    }
    const exportsPath = join(o.genDir, 'mprt_exports.c');
    files.push(exportsPath);
    if (writeIfChanged(exportsPath, renderTemplate('mprt_exports.c.hbs', exportsCtx))) changed.push(exportsPath);
    return { files, changed };
}
