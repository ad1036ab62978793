import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MprtError } from '../util/errors.js';
import { repoRoot, sourcesDir } from '../util/paths.js';

export type ComponentSource =
    | { type: 'debian-source'; package: string; file: 'orig' }
    | { type: 'debian-deb'; package: string; path: string }
    | { type: 'npm'; package: string; path?: string }
    | { type: 'path'; env: string }
    | { type: 'git'; url: string; commit: string }
    /** Cloned from a git tag, or taken from a local tarball/directory (`mprt setup --from`); env names another tree. */
    | { type: 'git-tag'; url: string; tag: string; env: string };

export interface Component {
    name: string;
    /** Upstream version pinned by the manifest (a Debian revision of it is accepted). */
    version: string;
    description: string;
    source: ComponentSource;
    required: boolean;
    /** Symlinks made inside the unpacked tree: relative path → name of another component. */
    links?: Record<string, string>;
}

export interface Manifest {
    suite: string;
    components: Component[];
}

export function loadManifest(path = join(repoRoot(), 'vendor', 'manifest.json')): Manifest {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function findComponent(name: string, manifest = loadManifest()): Component {
    const c = manifest.components.find((x) => x.name === name);
    if (!c) {
        throw new MprtError(`unknown component '${name}'`, {
            hint: `known components: ${manifest.components.map((x) => x.name).join(', ')}`,
        });
    }
    return c;
}

/** Directory a component is unpacked (and patched) into by `mprt setup`. */
export function componentInstallDir(c: Component, env: NodeJS.ProcessEnv = process.env): string {
    if (c.source.type === 'path') {
        const p = env[c.source.env];
        if (!p) {
            throw new MprtError(`component '${c.name}' needs a local path`, {
                hint: `set ${c.source.env}=/path/to/${c.name} (${c.description})`,
            });
        }
        return p;
    }
    return join(sourcesDir(env), `${c.name}-${c.version}`);
}

/**
 * The unpacked, patched source tree of a component; throws a clear error when `mprt setup` has not
 * fetched it yet.
 */
export function componentDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
    const c = findComponent(name);
    const dir = componentInstallDir(c, env);
    if (!existsSync(join(dir, '.mprt-unpacked')) && c.source.type !== 'path') {
        throw new MprtError(`component '${name}' ${c.version} is not set up (expected in ${dir})`, {
            hint: 'run `npx mprt setup` (fetches from the Debian archive once, then works offline)',
        });
    }
    if (!existsSync(dir)) {
        throw new MprtError(`component '${name}' not found at ${dir}`, { hint: 'check the path you gave' });
    }
    return dir;
}
