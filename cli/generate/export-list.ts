/**
 * The firmware's export list (ports/rp2/dynlink/exports.txt): parsing, selecting the symbols of one
 * configuration, and the context of templates/mprt_exports.c.hbs (the table compiled into the
 * firmware). Format: one symbol per line; `# group NAME` starts a group, `# group NAME if KEY=VALUE`
 * a group that only builds with that configuration value have; other `#` lines are comments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigValue } from '../config/schema.js';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';

export interface ExportGroup {
    name: string;
    /** Present only when the configuration key has this value (or, with `negate`, any other value). */
    when?: { key: string; value: string; negate?: boolean };
    symbols: string[];
}

export function exportListPath(): string {
    return join(repoRoot(), 'ports', 'rp2', 'dynlink', 'exports.txt');
}

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GROUP = /^#\s*group\s+([A-Za-z0-9_.-]+)(?:\s+if\s+([a-z0-9_.]+)(!?=)(\S+))?\s*$/;

export function parseExportList(text: string, file = 'exports.txt'): ExportGroup[] {
    const groups: ExportGroup[] = [];
    const seen = new Map<string, number>();
    text.split('\n').forEach((raw, i) => {
        const line = raw.trim();
        if (!line) return;
        const g = GROUP.exec(line);
        if (g) {
            groups.push({ name: g[1]!, when: g[2] ? { key: g[2], value: g[4]!, ...(g[3] === '!=' ? { negate: true } : {}) } : undefined, symbols: [] });
            return;
        }
        if (line.startsWith('#')) return;
        if (!SYMBOL.test(line)) throw new MprtError(`${file}:${i + 1}: not a symbol name: ${line}`);
        if (groups.length === 0) throw new MprtError(`${file}:${i + 1}: symbol ${line} before the first "# group" line`);
        const prev = seen.get(line);
        if (prev !== undefined) throw new MprtError(`${file}:${i + 1}: ${line} is already listed on line ${prev}`);
        seen.set(line, i + 1);
        groups[groups.length - 1]!.symbols.push(line);
    });
    return groups;
}

export function readExportList(): ExportGroup[] {
    const path = exportListPath();
    return parseExportList(readFileSync(path, 'utf8'), path);
}

/** Byte-wise comparison: the order of C's strcmp on ASCII names. */
export function strcmpOrder(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The symbols a configuration exports, in strcmp order. */
export function selectExports(groups: ExportGroup[], values: Record<string, ConfigValue>): string[] {
    const out: string[] = [];
    for (const g of groups) {
        if (g.when && (String(values[g.when.key]) === g.when.value) === Boolean(g.when.negate)) continue;
        out.push(...g.symbols);
    }
    return out.sort(strcmpOrder);
}
