/**
 * The firmware uses only the public FreeRTOS API, so it builds on lib/rtos and on the FreeRTOS-Kernel:
 * every symbol that an object of a builtin-kernel firmware build references outside lib/rtos (ports/rp2,
 * TinyUSB and its OS glue, SDK code, MicroPython) and that lib/rtos's objects define must be in
 * lib/rtos/api-allowlist.txt (documented FreeRTOS API names and the functions its macros expand to).
 *
 * Objects come from the build's compile_commands.json (the `-o` of each command), symbols from
 * arm-none-eabi-nm. The build: $MPRT_ALLOWLIST_BUILD, else build/pico or build/pico-rtos when their
 * size.json says rtos.kernel=builtin, else one is built into build/rtos-allowlist. Skipped (with the
 * reason) when the components or the toolchain are not set up.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { buildFirmware } from '../../cli/compile/firmware.js';
import { componentPaths } from '../../cli/components/source-trees.js';
import { shellSplit } from '../../cli/compile/module-sdk.js';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';
import { repoRoot } from '../../cli/util/paths.js';

const ALLOWLIST = join(repoRoot(), 'lib', 'rtos', 'api-allowlist.txt');
const KERNEL_DIR = join(repoRoot(), 'lib', 'rtos') + sep;

function setupProblem(): string | undefined {
    try {
        componentPaths();
        resolveToolchain();
        return undefined;
    } catch (err) {
        return `components or toolchain not set up (${(err as Error).message}): run \`npx mprt setup\``;
    }
}
const skip = setupProblem() ?? false;

export function readAllowlist(path = ALLOWLIST): string[] {
    return readFileSync(path, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
}

function builtWithBuiltin(dir: string): boolean {
    const sizeJson = join(dir, 'size.json');
    if (!existsSync(sizeJson) || !existsSync(join(dir, 'compile_commands.json'))) return false;
    const info = JSON.parse(readFileSync(sizeJson, 'utf8')) as { config?: Record<string, unknown> };
    return info.config?.['rtos.kernel'] === 'builtin';
}

async function kernelBuild(): Promise<string> {
    if (process.env.MPRT_ALLOWLIST_BUILD) return resolve(process.env.MPRT_ALLOWLIST_BUILD);
    for (const name of ['pico', 'pico-rtos']) {
        const dir = join(repoRoot(), 'build', name);
        if (builtWithBuiltin(dir)) return dir;
    }
    const out = join(repoRoot(), 'build', 'rtos-allowlist');
    await buildFirmware({ board: 'pico', outDir: out, set: ['rtos.kernel=builtin'], jobs: 2, cwd: repoRoot() });
    return out;
}

interface ObjectFile {
    source: string;
    object: string;
}

function objectFiles(buildDir: string): ObjectFile[] {
    const commands = JSON.parse(readFileSync(join(buildDir, 'compile_commands.json'), 'utf8')) as { directory: string; command: string; file: string }[];
    const out: ObjectFile[] = [];
    for (const c of commands) {
        const args = shellSplit(c.command);
        const o = args.indexOf('-o');
        if (o < 0 || o + 1 >= args.length) continue;
        const object = isAbsolute(args[o + 1]!) ? args[o + 1]! : join(c.directory, args[o + 1]!);
        if (existsSync(object)) out.push({ source: resolve(c.directory, c.file), object });
    }
    return out;
}

/** `nm` over many objects at once: object path -> symbols. */
function symbols(nm: string, objects: string[], flags: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>(objects.map((o) => [o, []]));
    for (let i = 0; i < objects.length; i += 100) {
        const batch = objects.slice(i, i + 100);
        const text = execFileSync(nm, ['-A', ...flags, ...batch], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        for (const line of text.split('\n')) {
            // "path/to/x.c.o:         U xTaskCreate" or "path/to/x.c.o:00000000 T xTaskCreate"
            const m = /^(.*\.o):\s*(?:[0-9a-f]+\s+)?\S\s+(\S+)$/.exec(line);
            if (m) out.get(m[1])?.push(m[2]);
        }
    }
    return out;
}

describe('the firmware references only allowlisted FreeRTOS API names', { skip }, () => {
    let buildDir: string;
    let objects: ObjectFile[];
    let kernelDefines: Set<string>;
    let references: Map<string, string[]>;

    before(async () => {
        buildDir = await kernelBuild();
        objects = objectFiles(buildDir);
        const nm = resolveToolchain().nm;
        const kernel = objects.filter((o) => o.source.startsWith(KERNEL_DIR));
        const outside = objects.filter((o) => !o.source.startsWith(KERNEL_DIR));
        kernelDefines = new Set([...symbols(nm, kernel.map((o) => o.object), ['-g', '--defined-only']).values()].flat());
        const undefinedSyms = symbols(nm, outside.map((o) => o.object), ['-u']);
        references = new Map();
        for (const o of outside) {
            for (const sym of undefinedSyms.get(o.object) ?? []) {
                if (!kernelDefines.has(sym)) continue;
                const list = references.get(sym) ?? [];
                list.push(relative(repoRoot(), o.source));
                references.set(sym, list);
            }
        }
    });

    test('the build is a kernel build: lib/rtos objects define the API the firmware calls', () => {
        assert.ok(objects.length > 100, `${objects.length} objects in ${buildDir}/compile_commands.json`);
        for (const name of ['xTaskCreate', 'xQueueGenericSend', 'vTaskStartScheduler']) {
            assert.ok(kernelDefines.has(name), `lib/rtos objects of ${buildDir} do not define ${name}`);
        }
        assert.ok(references.has('xTaskCreate') && references.has('vTaskStartScheduler'), 'no firmware object calls into the kernel');
    });

    test('every kernel symbol referenced outside lib/rtos is in lib/rtos/api-allowlist.txt', () => {
        const allowed = new Set(readAllowlist());
        const bad = [...references.entries()].filter(([sym]) => !allowed.has(sym)).sort(([a], [b]) => a.localeCompare(b));
        console.log(`# ${references.size} kernel symbols referenced from outside lib/rtos in ${relative(repoRoot(), buildDir)}`);
        assert.deepEqual(
            bad.map(([sym, where]) => `${sym} (referenced by ${[...new Set(where)].join(', ')})`),
            [],
            'kernel symbols outside the public FreeRTOS API (lib/rtos/api-allowlist.txt): use the API, or, for an API '
                + 'name missing from the list, add it with its FreeRTOS reference',
        );
    });
});

test('the allowlist is a list of distinct C identifiers', () => {
    const names = readAllowlist();
    assert.ok(names.length > 100, `${names.length} names`);
    for (const n of names) assert.match(n, /^[A-Za-z_][A-Za-z0-9_]*$/, n);
    assert.equal(new Set(names).size, names.length, 'duplicates');
    for (const ours of ['xTaskGetCoreID', 'rtos_rp2040_run_exclusive', 'rtos_rp2040_cores_online']) {
        assert.ok(!names.includes(ours), `${ours} is our extension, not FreeRTOS API`);
    }
});
