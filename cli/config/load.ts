/**
 * The effective configuration of a build: schema defaults < board defaults < config file
 * (mprt.config.json or --config FILE) < --set key=value < typed options (--rtos). Unknown keys are
 * errors listing the valid ones. The values are held once, flat by key (`values`); `config` is the
 * same values nested by the dots of their keys (cli/config/schema.ts is the list of keys).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MprtError } from '../util/errors.js';
import { defaults, findKey, validKeys, type ConfigValue } from './schema.js';
import { parseValue } from './values.js';
import { kernelProfile, type RtosKernel } from './kernel.js';
import { computeLayout, type Layout } from './layout.js';

export const DEFAULT_CONFIG_FILE = 'mprt.config.json';

export type { RtosKernel } from './kernel.js';

/** The nested view of the values: a key `a.b` of the schema is `config.a.b`. */
export interface Config {
    ram: { gc_heap_size: number; c_heap_size: number; stack_size: number };
    flash: { firmware_size: number; modules_size: number; freeze_size: number; settings_size: number; fs_size: number };
    modules: { ram_slack: number };
    console: 'usb' | 'uart';
    console_uart_baud: number;
    rtos: {
        kernel: RtosKernel;
        /** rtos.freertos_path as given ('' = not set); cli/components/freertos.ts resolves it. */
        freertos_path: string;
        c_heap_size: number;
        c_heap_max: number;
        mp_stack_size: number;
        thread_stack_size: number;
        isr_stack_size: number;
    };
    /** Entries as given; relative paths are resolved against `frozenBase`. */
    frozen: string[];
}

export interface EffectiveConfig {
    config: Config;
    /** Flat key → value, for reports. */
    values: Record<string, ConfigValue>;
    /** Flat key → where the value came from ("default", "board pico", a file path, "--set"). */
    origins: Record<string, string>;
    /** Directory relative frozen paths are resolved against (the config file's, else the cwd). */
    frozenBase: string;
    configFile?: string;
    layout: Layout;
}

function unknownKey(key: string, origin: string): MprtError {
    return new MprtError(`unknown configuration key '${key}' (in ${origin})`, {
        hint: `valid keys: ${validKeys().join(', ')}`,
        exitCode: 2,
    });
}

/** Nested objects ({"ram": {"gc_heap_size": 1}}) and dotted keys ("ram.gc_heap_size") both work. */
export function flattenConfig(obj: unknown, origin: string, prefix = ''): Record<string, unknown> {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw new MprtError(`${origin}: expected a JSON object${prefix ? ` at '${prefix.slice(0, -1)}'` : ''}`, { exitCode: 2 });
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
        if (k.startsWith('$')) continue; // "$schema", "$comment"
        const key = prefix + k;
        if (findKey(key)) out[key] = v;
        else if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flattenConfig(v, origin, key + '.'));
        else throw unknownKey(key, origin);
    }
    return out;
}

/** Parses `key=value` from --set. */
export function parseSetArg(arg: string): [string, string] {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
        throw new MprtError(`--set '${arg}' is not key=value`, { hint: `valid keys: ${validKeys().join(', ')}`, exitCode: 2 });
    }
    return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

export interface LoadOptions {
    boardDefaults?: Record<string, unknown>;
    boardName?: string;
    /** --config FILE; when absent, mprt.config.json in `cwd` is used if it exists. */
    configFile?: string;
    set?: string[];
    /** Values of typed command-line options (`--rtos` → rtos.kernel), applied last; undefined ones are skipped. */
    options?: { key: string; value: unknown; origin: string }[];
    cwd?: string;
}

/** `{ 'ram.c_heap_size': 1 }` → `{ ram: { c_heap_size: 1 } }`. */
function nest(values: Record<string, ConfigValue>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        const parts = key.split('.');
        let at = out;
        for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
        at[parts[parts.length - 1]!] = value;
    }
    return out;
}

export function loadConfig(opts: LoadOptions = {}): EffectiveConfig {
    const cwd = opts.cwd ?? process.cwd();
    const values = defaults();
    const origins: Record<string, string> = Object.fromEntries(Object.keys(values).map((k) => [k, 'default']));

    const apply = (flat: Record<string, unknown>, origin: string) => {
        for (const [key, raw] of Object.entries(flat)) {
            const spec = findKey(key);
            if (!spec) throw unknownKey(key, origin);
            values[key] = parseValue(spec, raw, origin);
            origins[key] = origin;
        }
    };

    if (opts.boardDefaults) apply(flattenConfig(opts.boardDefaults, `board ${opts.boardName ?? '?'}`), `board ${opts.boardName ?? '?'}`);

    let configFile: string | undefined;
    if (opts.configFile) {
        configFile = isAbsolute(opts.configFile) ? opts.configFile : resolve(cwd, opts.configFile);
        if (!existsSync(configFile)) {
            throw new MprtError(`config file ${configFile} not found`, { hint: 'check the --config path', exitCode: 2 });
        }
    } else if (existsSync(join(cwd, DEFAULT_CONFIG_FILE))) {
        configFile = join(cwd, DEFAULT_CONFIG_FILE);
    }
    if (configFile) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(readFileSync(configFile, 'utf8'));
        } catch (err) {
            throw new MprtError(`${configFile} is not valid JSON: ${(err as Error).message}`, { exitCode: 2 });
        }
        apply(flattenConfig(parsed, configFile), configFile);
    }

    const sets: Record<string, unknown> = {};
    for (const arg of opts.set ?? []) {
        const [key, raw] = parseSetArg(arg);
        if (!findKey(key)) throw unknownKey(key, '--set');
        sets[key] = raw;
    }
    apply(sets, '--set');
    for (const o of opts.options ?? []) if (o.value !== undefined) apply({ [o.key]: o.value }, o.origin);

    // parseValue checked every value against its schema entry: the nesting has the types of Config
    const config = nest(values) as unknown as Config;
    // The kernel's profile names the keys that size the C heap and the stack at the top of RAM: with a kernel,
    // kernel objects and the system tasks' stacks come from the C heap (rtos.c_heap_size), and that stack only
    // serves start-up and interrupts (rtos.isr_stack_size): the MicroPython task has its own stack, threads take
    // theirs from the GC heap.
    const { ramKeys } = kernelProfile(config.rtos.kernel);
    const layout = computeLayout({
        ...config,
        ram: {
            ...config.ram,
            c_heap_size: values[ramKeys.cHeap] as number,
            stack_size: values[ramKeys.stack] as number,
            // with a kernel the C heap and the GC heap share a RAM pool up to rtos.c_heap_max (docs/memory.md); a
            // C heap set above the default region (no rtos.c_heap_max given) is a fixed C heap, without a pool
            c_heap_max: ramKeys.cHeapMax === undefined ? undefined
                : origins[ramKeys.cHeapMax] === 'default' ? Math.max(values[ramKeys.cHeapMax] as number, values[ramKeys.cHeap] as number)
                    : (values[ramKeys.cHeapMax] as number),
        },
    });
    return { config, values, origins, frozenBase: configFile ? dirname(configFile) : cwd, configFile, layout };
}
