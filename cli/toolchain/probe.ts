/**
 * Toolchain probes: small programs compiled and linked with the same flags the builds use, so that a
 * missing piece shows up as "install X" before anything slow, instead of a compiler error 300 steps into
 * a build. `mprt doctor` runs them all; `mprt build` runs the firmware's when a build directory is new;
 * the stock reference build runs the stock ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MprtError } from '../util/errors.js';
import type { Toolchain } from './resolve.js';
import type { HostPackageUse } from '../components/system.js';

export interface Probe {
    name: string;
    /** Which build needs it to pass. */
    for: Exclude<HostPackageUse, 'tools'>;
    /** What it proves, in words. */
    what: string;
    /** The Debian packages that provide what it uses (named in the fix when one is missing). */
    packages: string[];
    /** The compiler driver to run. */
    driver: 'gcc' | 'g++';
    file: { name: string; text: string };
    args: string[];
}

const CPU = ['-mcpu=cortex-m0plus', '-mthumb'];

/** The probes, firmware first. Their flags are the ones templates/CMakeLists.txt.hbs and the stock build use. */
export const PROBES: Probe[] = [
    {
        name: 'C with Picolibc',
        for: 'firmware',
        what: 'compiles and links C for the Cortex-M0+ with --specs=picolibc.specs (the firmware\'s C library)',
        packages: ['gcc-arm-none-eabi', 'binutils-arm-none-eabi', 'picolibc-arm-none-eabi'],
        driver: 'gcc',
        file: { name: 'probe.c', text: '#include <stdlib.h>\n#include <string.h>\nint main(void) { char *p = malloc(8); strcpy(p, "ok"); return p[0] != \'o\'; }\n' },
        args: ['--specs=picolibc.specs', ...CPU, '-Os', '-Wl,-t'],
    },
    {
        name: 'boot stage 2 link',
        for: 'firmware',
        what: 'assembles and links Thumb code with -nostartfiles -nostdlib (how the build links boot stage 2)',
        packages: ['gcc-arm-none-eabi', 'binutils-arm-none-eabi'],
        driver: 'gcc',
        file: { name: 'probe.S', text: '.syntax unified\n.cpu cortex-m0plus\n.thumb\n.global _start\n.thumb_func\n_start:\n    b _start\n' },
        args: [...CPU, '-nostartfiles', '-nostdlib'],
    },
    {
        name: 'C with newlib',
        for: 'stock',
        what: 'links C with newlib and --specs=nosys.specs (how upstream MicroPython links the stock reference firmware)',
        packages: ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
        driver: 'gcc',
        file: { name: 'probe.c', text: '#include <stdlib.h>\nint main(void) { return abs(-1) != 1; }\n' },
        args: ['--specs=nosys.specs', ...CPU, '-Os'],
    },
    {
        name: 'C++ with newlib',
        for: 'stock',
        what: 'compiles C++ that includes <cstdlib> and links -lstdc++ (pico-sdk\'s new_delete.cpp in the stock build)',
        packages: ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'libstdc++-arm-none-eabi-newlib'],
        driver: 'g++',
        file: { name: 'probe.cpp', text: '#include <cstdlib>\nvoid *operator new(std::size_t n) { return std::malloc(n); }\nint main() { int *p = new int(1); return *p - 1; }\n' },
        args: ['--specs=nosys.specs', ...CPU, '-Os', '-fno-exceptions', '-lstdc++'],
    },
];

export interface ProbeResult {
    probe: Probe;
    ok: boolean;
    /** The first error line of the compiler, when it failed. */
    error?: string;
    /** Full compiler output (with -Wl,-t: the files the linker used). */
    output: string;
}

/** The first line of compiler output that says what went wrong. */
export function firstError(output: string): string {
    const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.find((l) => /\b(fatal error|error|cannot find|No such file)\b/.test(l)) ?? lines[0] ?? 'failed with no output';
}

export async function runProbe(tc: Toolchain, probe: Probe, workDir: string): Promise<ProbeResult> {
    const dir = join(workDir, probe.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    mkdirSync(dir, { recursive: true });
    const src = join(dir, probe.file.name);
    writeFileSync(src, probe.file.text);
    const driver = probe.driver === 'gcc' ? tc.gcc : tc.gxx;
    const r = await execa(driver, [src, ...probe.args, '-o', join(dir, 'probe.elf')], { reject: false, all: true });
    const output = String(r.all ?? '');
    if (r.exitCode === 0) return { probe, ok: true, output };
    return { probe, ok: false, output, error: r.failed && r.exitCode === undefined ? `${driver} does not run: ${r.shortMessage}` : firstError(output) };
}

/** The libc.a a passing Picolibc probe linked (from -Wl,-t), or undefined. */
export function picolibcArchive(result: ProbeResult): string | undefined {
    return result.output.split('\n').map((l) => l.trim()).find((l) => /picolibc.*\/libc\.a$/.test(l));
}

/**
 * What to tell the user for a failed probe: the probe's packages that dpkg says are missing, with the
 * command that installs them; for a toolchain not from Debian (or nothing missing), the compiler's error.
 */
export function probeFix(result: ProbeResult, tc: Pick<Toolchain, 'origin' | 'binDir'>, installed: ReadonlySet<string>): string {
    const missing = result.probe.packages.filter((p) => !installed.has(p));
    if (tc.origin === 'PATH' && missing.length) {
        return `install ${missing.join(', ')}: npx mprt setup --yes (or: sudo apt-get install --no-install-recommends ${missing.join(' ')})`;
    }
    return `the toolchain in ${tc.binDir} (${tc.origin}) cannot do it: ${result.error}; it needs what Debian's ${result.probe.packages.join(', ')} provide`;
}

/**
 * Runs the probes of one build kind and fails on the first that does not pass, naming the missing
 * package and the fix. Returns the results (the Picolibc probe's output names the libc.a used).
 */
export async function requireProbes(
    tc: Toolchain,
    use: Probe['for'],
    workDir: string,
    installed: () => Promise<ReadonlySet<string>>,
): Promise<ProbeResult[]> {
    const results: ProbeResult[] = [];
    for (const probe of PROBES.filter((p) => p.for === use)) {
        const r = await runProbe(tc, probe, workDir);
        if (!r.ok) {
            const fix = probeFix(r, tc, await installed());
            throw new MprtError(`the toolchain cannot build the ${use === 'firmware' ? 'firmware' : 'stock reference firmware'}: probe "${probe.name}" (${probe.what}) failed: ${r.error}`, {
                hint: fix,
            });
        }
        results.push(r);
    }
    return results;
}
