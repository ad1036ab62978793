import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { MprtError } from '../util/errors.js';
import { downloadsDir, repoRoot, sourcesDir } from '../util/paths.js';
import { type Component, componentInstallDir, loadManifest, type Manifest } from './components.js';
import { DebianArchive, matchesPin } from './debian.js';
import { sha256File, sha256Text } from './hash.js';
import { type LockedComponent, type LockFile, readLock, writeLock } from './lock.js';

export interface SetupOptions {
    /** Only these components (default: every required one). */
    only?: string[];
    /** `mprt deps update`: take Debian's current revision of each pin and rewrite vendor/lock.json. */
    updateLock?: boolean;
    /** Re-unpack even when the tree is up to date. */
    force?: boolean;
    log: (line: string) => void;
    warn: (line: string) => void;
    env?: NodeJS.ProcessEnv;
    /** The lock file (default vendor/lock.json). */
    lockFile?: string;
}

export interface ComponentState {
    name: string;
    debianVersion: string;
    dir: string;
    files: { name: string; sha256: string }[];
    patches: string[];
    action: 'up-to-date' | 'unpacked';
    lockChanged: boolean;
}

interface Marker {
    name: string;
    debianVersion: string;
    files: { name: string; sha256: string }[];
    patchesSha256: string;
}

const MARKER = '.mprt-unpacked';

/** Our patches for a component, sorted; their combined hash decides whether a tree must be re-made. */
export function componentPatches(name: string): { files: string[]; sha256: string } {
    const dir = join(repoRoot(), 'vendor', 'patches', name);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.patch')).sort().map((f) => join(dir, f)) : [];
    const sha256 = sha256Text(files.map((f) => `${f.slice(dir.length)}\n${readFileSync(f, 'utf8')}`).join('\0'));
    return { files, sha256 };
}

export function readMarker(dir: string): Marker | undefined {
    try {
        return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
    } catch {
        return undefined;
    }
}

/** The archive file of a downloaded source/binary package. */
function archiveName(c: Component, debianVersion: string, dir: string): string {
    const noEpoch = debianVersion.replace(/^\d+:/, '');
    const src = c.source;
    if (src.type === 'debian-source') {
        const upstream = noEpoch.slice(0, noEpoch.lastIndexOf('-') > 0 ? noEpoch.lastIndexOf('-') : undefined);
        const prefix = `${src.package}_${upstream}.orig.tar.`;
        const f = readdirSync(dir).find((x) => x.startsWith(prefix));
        if (!f) throw new MprtError(`no ${prefix}* among the files of source package ${src.package} ${debianVersion}`);
        return f;
    }
    if (src.type === 'debian-deb') {
        const f = readdirSync(dir).find((x) => x.startsWith(`${src.package}_${noEpoch.replace(/:/g, '%3a')}_`) && x.endsWith('.deb'));
        if (!f) throw new MprtError(`the download of ${src.package} ${debianVersion} left no .deb in ${dir}`);
        return f;
    }
    throw new Error(`archiveName: not a Debian component: ${c.name}`);
}

/** Locked files that are already in the download cache with the right hash (then nothing is fetched). */
async function cachedLockedFiles(locked: LockedComponent | undefined, warn?: (s: string) => void): Promise<boolean> {
    if (!locked) return false;
    for (const f of locked.files) {
        const p = join(downloadsDir(), f.name);
        if (!existsSync(p)) return false;
        const actual = await sha256File(p);
        if (actual !== f.sha256) {
            rmSync(p, { force: true });
            warn?.(`deleted ${p}: its sha256 ${actual} is not the locked ${f.sha256}; fetching it again`);
            return false;
        }
    }
    return true;
}

class Fetcher {
    private archive?: DebianArchive;
    private updated = false;

    constructor(readonly suite: string, private readonly log: (s: string) => void) {}

    async debian(refresh: boolean): Promise<DebianArchive> {
        this.archive ??= new DebianArchive(this.suite);
        if (!this.updated && (refresh || !this.archive.hasLists())) {
            this.log(`reading the Debian ${this.suite} package lists (private apt state, system apt untouched)`);
            await this.archive.update();
            this.updated = true;
        }
        return this.archive;
    }
}

/** Decides the Debian version to use and makes sure its archive is in the download cache, hash-checked. */
async function fetchComponent(
    c: Component,
    locked: LockedComponent | undefined,
    fetcher: Fetcher,
    opts: SetupOptions,
): Promise<{ debianVersion: string; files: { name: string; sha256: string }[]; lockChanged: boolean }> {
    const src = c.source;
    if (src.type !== 'debian-source' && src.type !== 'debian-deb') {
        throw new Error(`fetchComponent: unsupported source type for ${c.name}`);
    }
    if (!opts.updateLock && locked && (await cachedLockedFiles(locked, opts.warn))) {
        return { debianVersion: locked.debianVersion, files: locked.files, lockChanged: false };
    }
    const archive = await fetcher.debian(!!opts.updateLock);
    const listVersions = () => (src.type === 'debian-source' ? archive.sourceVersions(src.package) : archive.binaryVersions(src.package));
    let offered = await listVersions();
    if (locked && !offered.includes(locked.debianVersion) && !opts.updateLock) {
        // The lists may be stale: refresh once before deciding the lock moved.
        await fetcher.debian(true);
        offered = await listVersions();
    }
    const candidates = offered.filter((v) => matchesPin(v, c.version));
    if (candidates.length === 0) {
        throw new MprtError(
            `Debian ${fetcher.suite} offers no ${src.package} of upstream version ${c.version} for component '${c.name}'` +
                (offered.length ? ` (it offers ${offered.join(', ')})` : ''),
            { hint: 'change the pinned version in vendor/manifest.json (and port our patches), then run `mprt deps update`' },
        );
    }
    const debianVersion = !opts.updateLock && locked && candidates.includes(locked.debianVersion) ? locked.debianVersion : candidates[0];
    const lockChanged = !locked || locked.debianVersion !== debianVersion;
    const dl = downloadsDir();
    const staging = join(dl, `.staging-${c.name}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    opts.log(`downloading ${src.package} ${debianVersion} (${c.name})`);
    if (src.type === 'debian-source') await archive.downloadSource(src.package, debianVersion, staging);
    else await archive.downloadDeb(src.package, debianVersion, staging);
    const name = archiveName(c, debianVersion, staging);
    const sha256 = await sha256File(join(staging, name));
    const expected = !lockChanged ? locked?.files.find((f) => f.name === name)?.sha256 : undefined;
    if (expected && expected !== sha256) {
        rmSync(staging, { recursive: true, force: true });
        throw new MprtError(`sha256 mismatch for ${name}: lock says ${expected}, downloaded file has ${sha256}`, {
            hint: 'the bad copy was deleted; if Debian really re-issued this file, run `mprt deps update` to accept it',
        });
    }
    renameSync(join(staging, name), join(dl, name));
    rmSync(staging, { recursive: true, force: true });
    if (lockChanged && locked && !opts.updateLock) {
        opts.warn(
            `${c.name}: Debian now ships ${src.package} ${debianVersion}, the lock has ${locked.debianVersion}; ` +
                'using it (apt verified it) — run `mprt deps update` to record it in vendor/lock.json',
        );
    }
    return { debianVersion, files: [{ name, sha256 }], lockChanged };
}

async function unpack(
    c: Component,
    files: { name: string; sha256: string }[],
    debianVersion: string,
    patches: { files: string[]; sha256: string },
    env: NodeJS.ProcessEnv,
): Promise<string> {
    const dest = componentInstallDir(c, env);
    const tmp = `${dest}.tmp`;
    const scratch = `${dest}.scratch`;
    rmSync(tmp, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(dirname(dest), { recursive: true });
    const archive = join(downloadsDir(env), files[0].name);
    const src = c.source;
    if (src.type === 'debian-source') {
        mkdirSync(tmp, { recursive: true });
        await execa('tar', ['-xf', archive, '--strip-components=1', '-C', tmp]);
    } else if (src.type === 'debian-deb') {
        mkdirSync(scratch, { recursive: true });
        await execa('dpkg-deb', ['-x', archive, scratch]);
        const inner = join(scratch, src.path);
        if (!existsSync(inner)) throw new MprtError(`${files[0].name} has no ${src.path}/ (component '${c.name}')`);
        renameSync(inner, tmp);
        rmSync(scratch, { recursive: true, force: true });
    }
    for (const p of patches.files) {
        try {
            await execa('patch', ['-p1', '--forward', '--batch', '--no-backup-if-mismatch', '-d', tmp, '-i', p], { all: true });
        } catch (err) {
            const out = (err as { all?: string }).all ?? '';
            rmSync(tmp, { recursive: true, force: true });
            throw new MprtError(`patch ${relative(repoRoot(), p)} does not apply to ${c.name} ${debianVersion}`, {
                hint: `refresh the patch against the new upstream tree; patch said:\n${out.split('\n').slice(-6).join('\n')}`,
            });
        }
    }
    for (const [rel, target] of Object.entries(c.links ?? {})) {
        const link = join(tmp, rel);
        rmSync(link, { recursive: true, force: true });
        mkdirSync(dirname(link), { recursive: true });
        const other = loadManifest().components.find((x) => x.name === target);
        if (!other) throw new Error(`manifest: ${c.name} links ${rel} to unknown component ${target}`);
        symlinkSync(relative(dirname(join(dest, rel)), componentInstallDir(other, env)), link);
    }
    const marker: Marker = { name: c.name, debianVersion, files, patchesSha256: patches.sha256 };
    writeFileSync(join(tmp, MARKER), JSON.stringify(marker, null, 2) + '\n');
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    return dest;
}

/**
 * `mprt setup`: fetches every missing component into the cache (Debian trixie, private apt state),
 * verifies hashes against vendor/lock.json, unpacks and applies vendor/patches. Idempotent; works
 * offline once the cache holds the locked archives.
 */
export async function setupComponents(opts: SetupOptions): Promise<ComponentState[]> {
    const env = opts.env ?? process.env;
    const manifest: Manifest = loadManifest();
    const lock: LockFile = readLock(opts.lockFile) ?? { suite: manifest.suite, components: {} };
    const fetcher = new Fetcher(manifest.suite, opts.log);
    const chosen = manifest.components.filter((c) =>
        opts.only ? opts.only.includes(c.name) : c.required,
    );
    for (const name of opts.only ?? []) {
        if (!manifest.components.some((c) => c.name === name)) {
            throw new MprtError(`unknown component '${name}'`, { hint: `components: ${manifest.components.map((c) => c.name).join(', ')}` });
        }
    }
    mkdirSync(downloadsDir(env), { recursive: true });
    mkdirSync(sourcesDir(env), { recursive: true });
    const states: ComponentState[] = [];
    let lockDirty = false;
    for (const c of chosen) {
        if (c.source.type === 'path' || c.source.type === 'git' || c.source.type === 'git-tag' || c.source.type === 'npm') continue;
        const patches = componentPatches(c.name);
        const dir = componentInstallDir(c, env);
        const marker = readMarker(dir);
        const locked = lock.components[c.name];
        const upToDate =
            !opts.force && !opts.updateLock && marker && marker.patchesSha256 === patches.sha256 &&
            (!locked || marker.debianVersion === locked.debianVersion || !(await cachedLockedFiles(locked)));
        if (upToDate && marker) {
            if (locked && marker.debianVersion !== locked.debianVersion) {
                opts.warn(`${c.name}: set up from Debian ${marker.debianVersion}, the lock has ${locked.debianVersion} (run \`mprt deps update\`)`);
            }
            states.push({ name: c.name, debianVersion: marker.debianVersion, dir, files: marker.files, patches: patches.files, action: 'up-to-date', lockChanged: false });
            continue;
        }
        const got = await fetchComponent(c, locked, fetcher, opts);
        opts.log(`unpacking ${c.name} ${got.debianVersion}${patches.files.length ? ` + ${patches.files.length} patch(es)` : ''}`);
        await unpack(c, got.files, got.debianVersion, patches, env);
        states.push({ name: c.name, debianVersion: got.debianVersion, dir, files: got.files, patches: patches.files, action: 'unpacked', lockChanged: got.lockChanged });
        if (opts.updateLock || !locked) {
            lock.components[c.name] = { debianVersion: got.debianVersion, files: got.files };
            lockDirty = true;
        }
    }
    if (lockDirty) writeLock(lock, opts.lockFile);
    return states;
}
