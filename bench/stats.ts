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

export function formatFigures(section: string, figures: Figure[]): string {
    const w = Math.max(...figures.map((f) => f.name.length));
    return [`## ${section}`, ...figures.map((f) => `${f.name.padEnd(w)}  ${formatValue(f.value)} ${f.unit}${f.note ? `  (${f.note})` : ''}`)].join('\n');
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
