/**
 * The source trees a firmware build compiles: the one list. Components come from vendor/manifest.json
 * (where `mprt setup` put them, cli/components/components.ts); this table adds what the build does with each:
 * the name the templates know it by, and whether the size report and the module SDK see it.
 * From it: the paths the templates get, the -ffile-prefix-map list (reproducible builds), the roots
 * the size report attributes bytes to, and the header roots of the module SDK.
 */
import { join } from 'node:path';
import { repoRoot } from '../util/paths.js';
import { componentDir } from './components.js';

interface SourceTree {
    /** The name the templates use (`{{paths.picoSdk}}`). */
    key: string;
    /** Only some builds have it (the build adds it); the others every build has. */
    optional?: true;
    /** A component of vendor/manifest.json, or a directory of this repository. */
    from: { component: string } | { repo: string };
    /** Path in debug info and __FILE__ (-ffile-prefix-map); null: none of its own. Default /mprt/src/<component>. */
    prefix?: string | null;
    /** Name in size.json; null: not a root of its own. Default: the component name. */
    size?: string | null;
    /** Directory name under the module SDK's include/; null: no headers from it. Default: the component name. */
    sdk?: string | null;
}

/** In this order in every list made from it. */
const TREES = [
    { key: 'micropython', from: { component: 'micropython' } },
    { key: 'picoSdk', from: { component: 'pico-sdk' } },
    { key: 'tinyusb', from: { component: 'tinyusb' } },
    { key: 'mbedtls', from: { component: 'mbedtls' } },
    { key: 'lwip', from: { component: 'lwip' } },
    { key: 'port', from: { repo: 'ports/rp2' }, prefix: null, size: 'mprt port', sdk: null },
    { key: 'repo', from: { repo: '.' }, prefix: '/mprt/repo', size: null, sdk: 'mprt' },
    // set up by the user (MPRT_FREERTOS_PATH / rtos.freertos_path, cli/components/freertos.ts), only for that kernel;
    // its API headers reach the module SDK as lib/rtos's do (a module may call the kernel)
    { key: 'freertos', optional: true, from: { component: 'freertos-kernel' }, size: null },
] as const satisfies readonly SourceTree[];

type Tree = (typeof TREES)[number];

/** Where each tree is, by its key in the table above. */
export type ComponentPaths = { [T in Tree as T extends { optional: true } ? never : T['key']]: string } & {
    [T in Tree as T extends { optional: true } ? T['key'] : never]?: string;
};

const componentOf = (t: SourceTree): string | undefined => ('component' in t.from ? t.from.component : undefined);

/**
 * The trees every build uses, from the manifest and the repository (throws when `mprt setup` has not
 * fetched them). The FreeRTOS-Kernel is added by the build when the kernel asks for it.
 */
export function componentPaths(): ComponentPaths {
    const out: Partial<Record<keyof ComponentPaths, string>> = {};
    for (const t of TREES as readonly SourceTree[]) {
        if (t.optional) continue;
        out[t.key as keyof ComponentPaths] = 'repo' in t.from ? join(repoRoot(), t.from.repo) : componentDir(t.from.component);
    }
    return out as ComponentPaths;
}

/** Each present tree with its entry, in table order. */
function present(paths: ComponentPaths): [SourceTree, string][] {
    return TREES.flatMap((t) => (paths[t.key] ? [[t, paths[t.key]!] as [SourceTree, string]] : []));
}

/** -ffile-prefix-map pairs: the output directory first, then each tree with a prefix of its own. */
export function prefixMaps(paths: ComponentPaths, outDir: string): { from: string; to: string }[] {
    const maps = [{ from: outDir, to: '/mprt/build' }];
    for (const [t, dir] of present(paths)) {
        const to = t.prefix === undefined ? `/mprt/src/${componentOf(t)}` : t.prefix;
        if (to !== null) maps.push({ from: dir, to });
    }
    return maps;
}

/** Name → directory of the trees that have a name in `field` (by default their component's). */
function named(paths: ComponentPaths, field: 'size' | 'sdk'): Record<string, string> {
    const roots: Record<string, string> = {};
    for (const [t, dir] of present(paths)) {
        const name = t[field] === undefined ? componentOf(t) : t[field];
        if (name) roots[name] = dir;
    }
    return roots;
}

/** What the size report attributes bytes to: the trees, then `extra` (the generated sources, libgcc). */
export function sizeRoots(paths: ComponentPaths, extra: Record<string, string>): Record<string, string> {
    return { ...named(paths, 'size'), ...extra };
}

/** The module SDK's header roots: their headers are copied under include/<name>/. */
export function sdkRoots(paths: ComponentPaths): Record<string, string> {
    return named(paths, 'sdk');
}
