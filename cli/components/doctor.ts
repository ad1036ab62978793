import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { describeKernel } from '../compile/report.js';
import { isKernel, kernelProfile } from '../config/kernel.js';
import { checkFreertosTree } from './freertos.js';
import { PROBES, probeFix, runProbe } from '../toolchain/probe.js';
import { resolveToolchain } from '../toolchain/resolve.js';
import { MprtError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { componentInstallDir, loadManifest } from './components.js';
import { readLock } from './lock.js';
import { readMarker } from './setup.js';
import { type HostPackageUse, installCommand, installedVersions, SYSTEM_PACKAGES } from './system.js';

const USE: Record<HostPackageUse, string> = { firmware: 'the firmware', stock: 'the stock reference (mprt baseline, bench perfbench)', tools: 'host tools' };

export interface DoctorRow {
    kind: 'host package' | 'toolchain' | 'probe' | 'component' | 'tool' | 'build';
    name: string;
    version: string;
    source: string;
    path: string;
    status: 'ok' | 'missing' | 'warning';
    required: boolean;
    fix?: string;
}

async function toolVersion(cmd: string, args: string[], pick: RegExp): Promise<string | undefined> {
    const r = await execa(cmd, args, { reject: false });
    if (r.failed) return undefined;
    return pick.exec(`${r.stdout}\n${r.stderr}`)?.[1];
}

interface SizeJson {
    board?: string;
    config?: Record<string, unknown>;
    kernel?: { name: string; path: string | null; version?: string };
}

/**
 * One row per build directory under `<cwd>/build/` (a size.json marks one): the kernel its firmware was
 * built on, from the build's record (older builds: from rtos.kernel in their configuration).
 */
export function buildKernelRows(cwd: string): DoctorRow[] {
    const root = join(cwd, 'build');
    if (!existsSync(root)) return [];
    const rows: DoctorRow[] = [];
    for (const dir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
        const sizeJson = join(root, dir, 'size.json');
        if (!existsSync(sizeJson)) continue;
        let info: SizeJson;
        try {
            info = JSON.parse(readFileSync(sizeJson, 'utf8')) as SizeJson;
        } catch {
            continue;
        }
        const name = info.kernel?.name ?? (typeof info.config?.['rtos.kernel'] === 'string' ? info.config['rtos.kernel'] : 'none');
        const path = info.kernel?.path ?? (String(info.config?.['rtos.freertos_path'] || '') || null);
        const fix = isKernel(name) ? kernelProfile(name).treeGone?.(path) : undefined;
        const status: DoctorRow['status'] = fix ? 'warning' : 'ok';
        rows.push({
            kind: 'build', name: relative(cwd, join(root, dir)), version: '', source: `board ${info.board ?? '?'}`,
            path: `kernel: ${describeKernel(name, path, info.kernel?.version)}`, status, required: false, fix,
        });
    }
    return rows;
}

export async function diagnose(opts: { toolchain?: string; cwd?: string } = {}): Promise<DoctorRow[]> {
    const rows: DoctorRow[] = [];
    const installed = await installedVersions();
    for (const p of SYSTEM_PACKAGES) {
        const ok = installed.has(p.name);
        rows.push({
            kind: 'host package', name: p.name, version: installed.get(p.name) ?? '', source: `Debian (this release), for ${USE[p.for]}`, path: '',
            required: p.for !== 'stock', status: ok ? 'ok' : 'missing', fix: ok ? undefined : installCommand([p.name]),
        });
    }
    try {
        const tc = resolveToolchain({ toolchain: opts.toolchain });
        rows.push({ kind: 'toolchain', name: 'arm-none-eabi-gcc', version: tc.version, source: tc.origin, path: tc.binDir, status: 'ok', required: true });
        // Prove the toolchain rather than trust package names: build what the builds build.
        const work = mkdtempSync(join(tmpdir(), 'mprt-probe-'));
        try {
            const names = new Set(installed.keys());
            for (const probe of PROBES) {
                const r = await runProbe(tc, probe, work);
                rows.push({
                    kind: 'probe', name: probe.name, version: '', source: `for ${USE[probe.for]}`, path: probe.what,
                    status: r.ok ? 'ok' : 'missing', required: probe.for === 'firmware', fix: r.ok ? undefined : probeFix(r, tc, names),
                });
            }
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    } catch (err) {
        rows.push({
            kind: 'toolchain', name: 'arm-none-eabi-gcc', version: '', source: '', path: '', status: 'missing', required: true,
            fix: err instanceof MprtError ? err.hint : String(err),
        });
    }
    const lock = readLock();
    for (const c of loadManifest().components) {
        let path = '';
        try {
            path = componentInstallDir(c);
        } catch {
            // a path component without its variable set
        }
        const marker = path ? readMarker(path) : undefined;
        const locked = lock?.components[c.name];
        const present = c.source.type === 'path' ? !!path : !!marker;
        let status: DoctorRow['status'] = present ? 'ok' : 'missing';
        let fix: string | undefined = present ? undefined : c.source.type === 'path' ? `set ${c.source.env}=DIR` : 'npx mprt setup';
        const treeProblems = c.name === 'freertos-kernel' && path ? checkFreertosTree(path) : [];
        if (treeProblems.length) {
            status = 'warning';
            fix = `not usable for --rtos freertos: ${treeProblems.join('; ')}`;
        }
        if (marker && locked && marker.debianVersion !== locked.debianVersion) {
            status = 'warning';
            fix = `set up from ${marker.debianVersion}, lock has ${locked.debianVersion}: npx mprt deps update`;
        }
        const src = c.source;
        rows.push({
            kind: 'component', name: c.name, version: marker?.debianVersion ?? c.version,
            source: src.type === 'debian-source' || src.type === 'debian-deb' ? `debian ${src.package}` : src.type,
            path, status, required: c.required, fix,
        });
    }
    const py = await toolVersion('python3', ['--version'], /Python (\S+)/);
    rows.push({ kind: 'tool', name: 'python3', version: py ?? '', source: 'PATH', path: '', status: py ? 'ok' : 'missing', required: true, fix: py ? undefined : installCommand(['python3']) });
    const picotool = await toolVersion('picotool', ['version'], /picotool v?(\S+)/);
    rows.push({ kind: 'tool', name: 'picotool', version: picotool ?? '', source: 'PATH (optional)', path: '', status: picotool ? 'ok' : 'missing', required: false });
    rows.push({ kind: 'tool', name: 'cache', version: '', source: process.env.MPRT_CACHE ? 'MPRT_CACHE' : 'default', path: cacheDir(), status: 'ok', required: false });
    rows.push(...buildKernelRows(opts.cwd ?? process.cwd()));
    return rows;
}

export function formatDiagnosis(rows: DoctorRow[]): string {
    const head = ['what', 'name', 'version', 'source', 'status', 'path / fix'];
    const body = rows.map((r) => [r.kind, r.name, r.version, r.source, r.status === 'ok' ? 'OK' : r.status.toUpperCase(), r.fix ? `fix: ${r.fix}` : r.path]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (i < 5 ? b[i].length : 0))));
    const line = (cols: string[]) => cols.map((c, i) => (i < 5 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd();
    const bad = rows.filter((r) => r.required && r.status === 'missing').length;
    return [line(head), ...body.map(line), '', bad ? `${bad} required item(s) missing` : 'all required items present'].join('\n');
}
