/**
 * Turns the `frozen` option into manifest lines for MicroPython's makemanifest.py, plus the list of
 * source files the frozen content depends on (so the build graph rebuilds it only when they change).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { MprtError } from '../util/errors.js';

export interface FrozenPlan {
    lines: string[];
    sources: string[];
}

function pyFilesUnder(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir).sort()) {
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) out.push(...pyFilesUnder(p));
        else if (entry.endsWith('.py')) out.push(p);
    }
    return out;
}

const quote = (s: string) => JSON.stringify(s);

/** MicroPython's asyncio modules frozen beside an overlay's own package file (asyncio/__init__.py). */
const ASYNCIO_UPSTREAM = ['core.py', 'event.py', 'funcs.py', 'lock.py', 'stream.py'];

/**
 * asyncioOverlay: a folder holding an `asyncio/` package (its `__init__.py` replaces MicroPython's, the
 * other files join the package) and `casyncio.py`; used by firmware with the POSIX layer (docs/asyncio.md).
 * asyncioOverlayVar: how the manifest names that folder (a makemanifest variable), default its path.
 */
export function planFrozen(entries: string[], opts: { micropythonDir: string; base: string; asyncioOverlay?: string; asyncioOverlayVar?: string }): FrozenPlan {
    const lines: string[] = [];
    const sources: string[] = [];
    for (const entry of entries) {
        if (entry === 'asyncio' && opts.asyncioOverlay) {
            const overlay = opts.asyncioOverlay;
            const own = readdirSync(join(overlay, 'asyncio')).filter((f) => f.endsWith('.py')).sort();
            const tuple = (files: string[]) => `(${files.map(quote).join(', ')})`;
            lines.push(`package("asyncio", ${tuple(ASYNCIO_UPSTREAM)}, base_path="$(MPY_DIR)/extmod", opt=3)`);
            lines.push('module("uasyncio.py", base_path="$(MPY_DIR)/extmod/asyncio", opt=3)');
            const base = opts.asyncioOverlayVar ?? overlay;
            lines.push(`package("asyncio", ${tuple(own)}, base_path=${quote(base)}, opt=3)`);
            lines.push(`module("casyncio.py", base_path=${quote(base)}, opt=3)`);
            sources.push(...ASYNCIO_UPSTREAM.map((f) => join(opts.micropythonDir, 'extmod', 'asyncio', f)));
            sources.push(join(opts.micropythonDir, 'extmod', 'asyncio', 'uasyncio.py'));
            sources.push(...own.map((f) => join(overlay, 'asyncio', f)), join(overlay, 'casyncio.py'));
        } else if (entry === 'asyncio') {
            lines.push('include("$(MPY_DIR)/extmod/asyncio")');
            sources.push(...pyFilesUnder(join(opts.micropythonDir, 'extmod', 'asyncio')));
        } else if (entry === 'rp2') {
            lines.push('freeze("$(PORT_DIR)/modules", "rp2.py")');
            sources.push(join(opts.micropythonDir, 'ports', 'rp2', 'modules', 'rp2.py'));
        } else {
            const path = isAbsolute(entry) ? entry : resolve(opts.base, entry);
            if (!existsSync(path)) {
                throw new MprtError(`frozen entry '${entry}' not found (looked at ${path})`, {
                    hint: 'frozen entries are asyncio, rp2, or paths to .py files/directories (relative to the config file)',
                    exitCode: 2,
                });
            }
            if (statSync(path).isDirectory()) {
                lines.push(`freeze(${quote(path)})`);
                sources.push(...pyFilesUnder(path));
            } else if (path.endsWith('.py')) {
                lines.push(`freeze(${quote(dirname(path))}, ${quote(basename(path))})`);
                sources.push(path);
            } else {
                throw new MprtError(`frozen entry '${entry}' is neither a .py file nor a directory`, { exitCode: 2 });
            }
        }
    }
    return { lines, sources };
}
