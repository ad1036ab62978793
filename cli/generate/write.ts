/** Writing generated files: only when the content changed (keeps mtimes, so Ninja sees no change), atomically. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `content` to `path` unless it already holds exactly that; returns true when written. */
export function writeIfChanged(path: string, content: string | Uint8Array): boolean {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    if (existsSync(path) && readFileSync(path).equals(data)) return false;
    writeAtomic(path, data);
    return true;
}

/** Writes through a temporary file and a rename: an interrupted write never leaves half a file. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
}
