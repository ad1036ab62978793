/**
 * MicroPython's stock rp2 firmware (RPI_PICO), built with its own Makefile from the same component
 * trees our firmware uses: the reference the suite baseline is measured on. Never shipped.
 * Built out of tree in toolsDir()/stock-<key>/ (the micropython tree is copied there, its lib/
 * submodules point at the component trees), cached until the component versions change.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { FLASH_BASE, UF2_FAMILY_ID } from '../chip/rp2040.js';
import { encodeUf2 } from '../formats/uf2.js';
import { requireProbes } from '../toolchain/probe.js';
import { installedVersions } from '../components/system.js';
import { resolveToolchain } from '../toolchain/resolve.js';
import { componentDir, loadManifest } from '../components/components.js';
import { MprtError } from '../util/errors.js';
import { toolsDir } from '../util/paths.js';
import { BASELINE_COMPONENTS, baselineKey } from './baseline.js';

export interface StockFirmware {
    key: string;
    uf2: string;
    elf: string;
    /** Whether this call built it (false: taken from the cache). */
    built: boolean;
    /** Whole build: tree copy, mpy-cross, firmware, UF2. */
    buildSeconds?: number;
    /** The two make steps alone (mpy-cross and the rp2 port). */
    makeSeconds?: number;
}

export interface StockBuildPaths {
    key: string;
    /** toolsDir()/stock-<key>/ */
    out: string;
    /** The copied micropython tree. */
    mp: string;
    manifest: string;
    buildDir: string;
    uf2: string;
    elf: string;
    /** Environment for both make steps (toolchain on PATH, CMAKE_ARGS). */
    env: NodeJS.ProcessEnv;
    mpyCrossArgs: string[];
    /** Arguments of the rp2 port's make (running it again in a built tree is a no-op build). */
    makeArgs: string[];
}

/** Where the stock build lives and how its make steps are invoked. */
export function stockBuildPaths(opts: { jobs?: number } = {}): StockBuildPaths {
    const key = baselineKey(stockComponentVersions());
    const out = join(toolsDir(), `stock-${key}`);
    const mp = join(out, 'mp');
    const buildDir = join(mp, 'ports', 'rp2', 'build-RPI_PICO');
    const manifest = join(out, 'manifest.py');
    const tc = resolveToolchain();
    const jobs = `-j${opts.jobs ?? 2}`;
    return {
        key,
        out,
        mp,
        manifest,
        buildDir,
        uf2: join(out, 'firmware.uf2'),
        elf: join(buildDir, 'firmware.elf'),
        env: { ...process.env, PATH: `${tc.binDir}${delimiter}${process.env.PATH ?? ''}`, CMAKE_ARGS: '-DPICO_NO_PICOTOOL=1' },
        mpyCrossArgs: [jobs, '-C', join(mp, 'mpy-cross')],
        makeArgs: [jobs, '-C', join(mp, 'ports', 'rp2'), 'BOARD=RPI_PICO', `FROZEN_MANIFEST=${manifest}`],
    };
}

/** Versions of the components the stock firmware (and its baseline) depends on. */
export function stockComponentVersions(): Record<string, string> {
    const m = loadManifest();
    return Object.fromEntries(
        BASELINE_COMPONENTS.map((name) => {
            const c = m.components.find((x) => x.name === name);
            if (!c) throw new MprtError(`component ${name} is missing from vendor/manifest.json`);
            return [name, c.version];
        }),
    );
}

/** Only what the port itself freezes plus asyncio: micropython-lib is not in the component tree. */
const MANIFEST = 'freeze("$(PORT_DIR)/modules")\ninclude("$(MPY_DIR)/extmod/asyncio")\n';

/** Where the submodules the rp2 port needs come from. */
const SUBMODULES: [string, string][] = [
    ['pico-sdk', 'pico-sdk'],
    ['tinyusb', 'tinyusb'],
    ['mbedtls', 'mbedtls'],
    ['lwip', 'lwip'],
];

export async function buildStockFirmware(opts: { rebuild?: boolean; jobs?: number; log?: (line: string) => void } = {}): Promise<StockFirmware> {
    const log = opts.log ?? (() => undefined);
    const p = stockBuildPaths({ jobs: opts.jobs });
    const { key, out, mp, uf2, elf } = p;
    if (!opts.rebuild && existsSync(uf2)) return { key, uf2, elf, built: false };

    const t0 = Date.now();
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    // Upstream links newlib and compiles C++: prove the toolchain can before copying and making.
    await requireProbes(resolveToolchain(), 'stock', join(out, 'probes'), async () => new Set((await installedVersions()).keys()));
    log(`copying the micropython tree to ${mp}`);
    cpSync(componentDir('micropython'), mp, { recursive: true, verbatimSymlinks: true });
    for (const [sub, component] of SUBMODULES) {
        const at = join(mp, 'lib', sub);
        rmSync(at, { recursive: true, force: true });
        symlinkSync(componentDir(component), at);
    }
    mkdirSync(join(mp, 'lib', 'micropython-lib'), { recursive: true });
    writeFileSync(join(mp, 'lib', 'micropython-lib', 'README.md'), '');
    writeFileSync(p.manifest, MANIFEST);

    let makeMs = 0;
    const run = async (what: string, args: string[]): Promise<void> => {
        log(what);
        const logFile = join(out, `${what.split(' ')[1]}.log`);
        const m0 = Date.now();
        const r = await execa('make', args, { env: p.env, all: true, reject: false });
        makeMs += Date.now() - m0;
        writeFileSync(logFile, r.all ?? '');
        if (r.exitCode !== 0) {
            throw new MprtError(`${what} failed (exit ${r.exitCode})`, {
                hint: `see ${logFile}; last lines:\n${(r.all ?? '').split('\n').slice(-12).join('\n')}`,
            });
        }
    };
    await run('building mpy-cross', p.mpyCrossArgs);
    await run('building rp2 RPI_PICO', p.makeArgs);

    const bin = readFileSync(join(p.buildDir, 'firmware.bin'));
    writeFileSync(uf2, encodeUf2(bin, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID }));
    return { key, uf2, elf, built: true, buildSeconds: (Date.now() - t0) / 1000, makeSeconds: makeMs / 1000 };
}
