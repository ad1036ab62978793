/** Small helpers for benchmark figures. */
export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Figure {
    name: string;
    value: number;
    unit: string;
    note?: string;
}

/** One figure per firmware (e.g. one per kernel), printed side by side: the same names, in columns. */
export interface Column {
    label: string;
    figures: Figure[];
}

export function formatFigures(section: string, figures: Figure[]): string {
    if (!figures.length) return `## ${section}\n(no figures)`;
    const w = Math.max(...figures.map((f) => f.name.length));
    return [`## ${section}`, ...figures.map((f) => `${f.name.padEnd(w)}  ${formatValue(f.value)} ${f.unit}${f.note ? `  (${f.note})` : ''}`)].join('\n');
}

/**
 * Columns as one table: a row per figure name (in the first column's order, then names only later columns
 * have), a cell per column ("-" where a column has no such figure); notes are left out.
 */
export function formatColumns(section: string, columns: Column[]): string {
    const names: string[] = [];
    for (const c of columns) for (const f of c.figures) if (!names.includes(f.name)) names.push(f.name);
    const cell = (c: Column, name: string) => {
        const f = c.figures.find((x) => x.name === name);
        return f ? `${formatValue(f.value)} ${f.unit}`.trim() : '-';
    };
    const rows = [['', ...columns.map((c) => c.label)], ...names.map((n) => [n, ...columns.map((c) => cell(c, n))])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return [`## ${section}`, ...rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ').trimEnd())].join('\n');
}

function formatValue(v: number): string {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
    const t0 = process.hrtime.bigint();
    const result = await fn();
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}
