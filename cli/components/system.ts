import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';

/** Who needs a host package: the firmware build, the stock reference build, or host tools. */
export type HostPackageUse = 'firmware' | 'stock' | 'tools';

export interface HostPackage {
    name: string;
    for: HostPackageUse;
    why: string;
}

/**
 * Host packages of the machine's OWN Debian release (never another suite: installing trixie
 * binaries on bookworm upgrades the base system). Only these need root. The list is data
 * (vendor/host-packages.json) because .ci/run reads it too, to purge them before a run.
 */
export const SYSTEM_PACKAGES: HostPackage[] = (
    JSON.parse(readFileSync(join(repoRoot(), 'vendor', 'host-packages.json'), 'utf8')) as { packages: HostPackage[] }
).packages;

/** Installed versions of host packages (absent when not installed). */
export async function installedVersions(names = SYSTEM_PACKAGES.map((p) => p.name)): Promise<Map<string, string>> {
    const r = await execa('dpkg-query', ['-W', '-f=${Package} ${Version} ${Status}\n', ...names], { reject: false });
    const out = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
        const [name, version] = line.split(' ');
        if (line.endsWith(' installed')) out.set(name.replace(/:.*$/, ''), version);
    }
    return out;
}

export async function missingSystemPackages(names = SYSTEM_PACKAGES.map((p) => p.name)): Promise<string[]> {
    const installed = await installedVersions(names);
    return names.filter((n) => !installed.has(n));
}

export function installCommand(pkgs: string[]): string {
    return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/**
 * Installs what is missing when allowed (root, or --yes which uses sudo); otherwise fails with the
 * exact command to run.
 */
export async function ensureSystemPackages(opts: { yes: boolean; log: (s: string) => void }): Promise<void> {
    const missing = await missingSystemPackages();
    if (missing.length === 0) return;
    const isRoot = process.getuid?.() === 0;
    if (!isRoot && !opts.yes) {
        throw new MprtError(`missing host packages: ${missing.join(', ')}`, {
            hint: `run:\n    ${installCommand(missing)}\n  or re-run with --yes to let mprt run it`,
        });
    }
    const sudo = isRoot ? [] : ['sudo'];
    const run = async (args: string[]) => {
        const [cmd, ...rest] = [...sudo, ...args];
        await execa(cmd, rest, { stdio: 'inherit', env: { DEBIAN_FRONTEND: 'noninteractive' } });
    };
    opts.log(`installing host packages: ${missing.join(' ')}`);
    try {
        await run(['apt-get', 'update', '-q']);
        await run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing]);
    } catch (err) {
        throw new MprtError('apt-get could not install the host packages', {
            hint: `run it yourself:\n    ${installCommand(missing)}`,
            cause: err,
        });
    }
}
