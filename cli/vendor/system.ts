import { execa } from 'execa';
import { MprtError } from '../util/errors.js';

/**
 * Host packages of the machine's OWN Debian release (never another suite: installing trixie
 * binaries on bookworm upgrades the base system). Only these need root.
 */
export const SYSTEM_PACKAGES: { name: string; why: string }[] = [
    { name: 'gcc-arm-none-eabi', why: 'cross compiler for the RP2040 (Cortex-M0+)' },
    { name: 'binutils-arm-none-eabi', why: 'cross assembler/linker, objcopy, nm' },
    { name: 'picolibc-arm-none-eabi', why: 'Picolibc, the firmware C library' },
    { name: 'cmake', why: 'drives the pico-sdk build' },
    { name: 'ninja-build', why: 'runs the build graph' },
    { name: 'python3', why: "MicroPython's build scripts" },
    { name: 'g++', why: 'host tools (pioasm, mpy-cross)' },
    { name: 'socat', why: 'the pseudo-terminal of `mprt emulate --pty`' },
    { name: 'xz-utils', why: 'unpacks .tar.xz sources' },
    { name: 'bzip2', why: 'unpacks .tar.bz2 sources' },
    { name: 'patch', why: 'applies vendor/patches' },
];

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
