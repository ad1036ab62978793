/**
 * Generates the build tree of one firmware from templates/: the CMake project, the linker script with
 * the flash map, the port configuration header, the board header, the frozen-module manifest and the
 * version header. Files are rewritten only when their content changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLASH_BASE, hex32, SRAM_BASE, SRAM_END } from '../chip/rp2040.js';
import type { Board } from '../config/boards.js';
import { kernelProfile, kernelTemplateContext } from '../config/kernel.js';
import type { EffectiveConfig } from '../config/load.js';
import { prefixMaps, type ComponentPaths } from '../components/source-trees.js';
import { readExportList, selectExports } from './export-list.js';
import { planFrozen } from './frozen.js';
import { renderTemplate, templatesDir } from './render.js';
import { writeAtomic, writeIfChanged } from './write.js';

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
    /** The ABI identity (cli/compile/abi.ts: abiText and abiId of this configuration), compiled into mprt_exports.c. */
    abi: { lines: string[]; id: Uint8Array };
    command: string;
}

export interface GeneratedTree {
    /** Generated files, absolute paths. */
    files: string[];
    /** Those whose content changed in this run. */
    changed: string[];
}

export function generateTree(o: GenerateOptions): GeneratedTree {
    const { config, layout } = o.effective;
    const kernel = kernelTemplateContext(kernelProfile(config.rtos.kernel));
    // with the POSIX layer (an RTOS port), asyncio is MicroPython's with our package file (Runner, fd streams)
    const asyncioOverlay = kernel.rtosPort ? join(o.paths.port, 'posix', 'modules') : undefined;
    const frozen = planFrozen(config.frozen, { micropythonDir: o.paths.micropython, base: o.effective.frozenBase,
        asyncioOverlay, asyncioOverlayVar: '$(MPRT_PORT_DIR)/posix/modules' });
    const buildDate = new Date(o.sourceDateEpoch * 1000).toISOString().slice(0, 10);
    const ctx = {
        command: o.command,
        board: o.board,
        config,
        flash: layout.flash,
        flashMap: layout.flashMap,
        chip: { flashBase: hex32(FLASH_BASE), sramBase: hex32(SRAM_BASE), sramEnd: hex32(SRAM_END) },
        ramLength: hex32(layout.ram.ramLength),
        stackOrigin: hex32(layout.ram.stackOrigin),
        stackSize: layout.ram.stackSize,
        gcHeapFixed: layout.ram.gcHeapSize !== 0,
        cHeapSize: layout.ram.cHeapSize,
        cHeapMax: layout.ram.cHeapMax,
        // the kernel's profile (cli/config/kernel.ts): its facts and the names of its template parts
        kernel,
        paths: o.paths,
        genDir: o.genDir,
        mpyCross: o.mpyCross,
        frozenLines: frozen.lines,
        frozenSources: frozen.sources,
        version: o.micropythonVersion,
        buildDate,
        prefixMaps: prefixMaps(o.paths, o.outDir),
    };
    const outputs: [string, string][] = [
        ['CMakeLists.txt.hbs', 'CMakeLists.txt'],
        ['memmap.ld.hbs', 'memmap.ld'],
        ['sdk-script-placeholder.ld.hbs', 'sdk-script-placeholder.ld'],
        ['mprt_config.h.hbs', 'mprt_config.h'],
        ['FreeRTOSConfig.h.hbs', 'FreeRTOSConfig.h'],
        // the kernel's part of the CMake project, included once by CMakeLists.txt
        [kernel.cmakePart, 'kernel.cmake'],
        ['board/mpconfigboard.h.hbs', 'mpconfigboard.h'],
        ['manifest.py.hbs', 'manifest.py'],
        ['mpversion.h.hbs', 'genhdr/mpversion.h'],
    ];
    const exportsCtx = {
        command: o.command,
        kernel: config.rtos.kernel,
        symbols: selectExports(readExportList(), o.effective.values),
        abiLines: o.abi.lines,
        abiBytes: [...o.abi.id].map((b) => '0x' + b.toString(16).padStart(2, '0')).join(', '),
        abiHex: Buffer.from(o.abi.id).toString('hex'),
    };
    const exportsPath = join(o.genDir, 'mprt_exports.c');
    const files = [...outputs.map(([, rel]) => join(o.genDir, rel)), exportsPath];
    // Rendering is most of a no-op build's time: skipped when the inputs and the files are as the last run left them.
    const stampPath = join(o.outDir, '.mprt', 'generated.json');
    const key = inputsKey([ctx, exportsCtx]);
    if (unchangedSince(stampPath, key, files)) return { files, changed: [] };
    const changed: string[] = [];
    for (const [template, rel] of outputs) {
        const path = join(o.genDir, rel);
        if (writeIfChanged(path, renderTemplate(template, ctx))) changed.push(path);
    }
    if (writeIfChanged(exportsPath, renderTemplate('mprt_exports.c.hbs', exportsCtx))) changed.push(exportsPath);
    writeAtomic(stampPath, JSON.stringify({ key, files: files.map(fileStamp) }, null, 2) + '\n');
    return { files, changed };
}

const fileStamp = (path: string): [string, number, number] | [string, null] => {
    if (!existsSync(path)) return [path, null];
    const s = statSync(path);
    return [path, s.size, s.mtimeMs];
};

function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

/** A hash of everything generated files are made from: the template contexts, every template, and this generator's code. */
function inputsKey(contexts: unknown[]): string {
    const h = createHash('sha256').update(JSON.stringify(contexts));
    const generator = dirname(fileURLToPath(import.meta.url));
    for (const f of [...filesUnder(templatesDir()), ...filesUnder(generator).filter((f) => f.endsWith('.js') || f.endsWith('.ts'))]) {
        h.update(f).update(readFileSync(f));
    }
    return h.digest('hex');
}

/** The last generation had these inputs, and its files were not touched since. */
function unchangedSince(stampPath: string, key: string, files: string[]): boolean {
    try {
        const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as { key: string; files: unknown[] };
        return stamp.key === key && JSON.stringify(stamp.files) === JSON.stringify(files.map(fileStamp));
    } catch {
        return false;
    }
}
