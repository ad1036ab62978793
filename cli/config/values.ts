/**
 * Parsing and checking one option value against its schema entry (pure). Errors name the key and
 * the allowed range.
 */
import { MprtError } from '../util/errors.js';
import { describeRange, type ConfigValue, type KeySpec } from './schema.js';

/** Where a value came from, for error messages: "--set", "mprt.config.json", "board pico". */
export type ValueOrigin = string;

function bad(spec: KeySpec, raw: unknown, origin: ValueOrigin, why?: string): MprtError {
    const shown = typeof raw === 'string' ? `'${raw}'` : JSON.stringify(raw);
    return new MprtError(`bad value ${shown} for ${spec.key} (from ${origin})${why ? `: ${why}` : ''}`, {
        hint: `${spec.key} must be ${describeRange(spec)}`,
        exitCode: 2,
    });
}

/** "256K", "1M", "0x1000", "4096", 4096 → bytes; undefined when not a size. */
export function parseSize(raw: unknown): number | undefined {
    if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
    if (typeof raw !== 'string') return undefined;
    const s = raw.trim();
    let m = /^0x([0-9a-f]+)$/i.exec(s);
    if (m) return parseInt(m[1], 16);
    m = /^(\d+)\s*([kKmM]i?[bB]?)?$/.exec(s);
    if (!m) return undefined;
    const n = parseInt(m[1], 10);
    const unit = (m[2] ?? '').charAt(0).toLowerCase();
    return unit === 'k' ? n * 1024 : unit === 'm' ? n * 1024 * 1024 : n;
}

export function parseValue(spec: KeySpec, raw: unknown, origin: ValueOrigin): ConfigValue {
    switch (spec.type) {
        case 'size': {
            const n = parseSize(raw);
            if (n === undefined) throw bad(spec, raw, origin, 'not a size');
            if (n === 0 && spec.autoMeaning) return 0;
            if (n < spec.min || n > spec.max) throw bad(spec, raw, origin, 'out of range');
            if (n % spec.multipleOf !== 0) throw bad(spec, raw, origin, `not a multiple of ${spec.multipleOf}`);
            return n;
        }
        case 'int': {
            const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
            if (!Number.isInteger(n)) throw bad(spec, raw, origin, 'not an integer');
            if (n < spec.min || n > spec.max) throw bad(spec, raw, origin, 'out of range');
            return n;
        }
        case 'enum': {
            if (typeof raw !== 'string' || !spec.values.includes(raw.trim())) throw bad(spec, raw, origin);
            return raw.trim();
        }
        case 'list': {
            let items: unknown[];
            if (Array.isArray(raw)) items = raw;
            else if (typeof raw === 'string') items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
            else throw bad(spec, raw, origin, 'not a list');
            for (const item of items) {
                if (typeof item !== 'string' || item === '') throw bad(spec, raw, origin, 'entries must be non-empty strings');
            }
            return [...new Set(items as string[])];
        }
        case 'path': {
            if (typeof raw !== 'string') throw bad(spec, raw, origin, 'not a string');
            return raw.trim();
        }
    }
}
