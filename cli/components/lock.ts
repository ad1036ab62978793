import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../util/paths.js';

/**
 * vendor/lock.json: the exact Debian revision and sha256 of every archive a component was set up from.
 * The manifest pins upstream versions; the lock records what was actually used. `mprt setup` warns when
 * Debian has moved to another revision of the same upstream version; `mprt deps update` rewrites it.
 */
export interface LockedFile {
    name: string;
    sha256: string;
}

export interface LockedComponent {
    /** Full Debian version, e.g. "1.25.0+ds-1". */
    debianVersion: string;
    files: LockedFile[];
    /** git-tag components: the commit and tree the tag pointed at when first cloned. */
    commit?: string;
    tree?: string;
}

export interface LockFile {
    suite: string;
    components: Record<string, LockedComponent>;
}

export function lockPath(): string {
    return join(repoRoot(), 'vendor', 'lock.json');
}

export function readLock(path = lockPath()): LockFile | undefined {
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as LockFile;
}

/** Writes atomically (temp file + rename), components sorted by name for stable diffs. */
export function writeLock(lock: LockFile, path = lockPath()): void {
    const sorted: LockFile = {
        suite: lock.suite,
        components: Object.fromEntries(Object.entries(lock.components).sort(([a], [b]) => a.localeCompare(b))),
    };
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(sorted, null, 2) + '\n');
    renameSync(tmp, path);
}
