/**
 * The C formatter: uncrustify with MicroPython's own configuration (tools/uncrustify.cfg of the micropython
 * component, as MicroPython's codeformat.py uses it) over our C — lib/, ports/, rom/, examples/, never a
 * third-party tree. `npm run format:c` rewrites; tests/host/c-format.test.ts checks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { componentDir } from '../../cli/components/components.js';
import { repoRoot } from '../../cli/util/paths.js';

export const C_FORMAT_PATHS = ['lib', 'ports', 'rom', 'examples'];

/** Tracked and new (not ignored) .c/.h files under C_FORMAT_PATHS, relative to the repository root. */
export function ourCFiles(): string[] {
    const globs = C_FORMAT_PATHS.flatMap((p) => [`${p}/*.c`, `${p}/*.h`]);
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...globs], { cwd: repoRoot(), encoding: 'utf8' });
    // qstrdefs*.h hold Q(...) lines, not C: uncrustify would turn Q(/lib) into Q(/ lib), another qstr.
    // MicroPython's codeformat.py leaves them out the same way.
    return [...new Set(out.split('\n'))].filter((f) => f && !/(^|\/)qstrdefs[^/]*\.h$/.test(f) && existsSync(join(repoRoot(), f)));
}

export function uncrustifyConfig(): string {
    return join(componentDir('micropython'), 'tools', 'uncrustify.cfg');
}

/** The files uncrustify would change. */
export function unformattedCFiles(files = ourCFiles()): string[] {
    const cfg = uncrustifyConfig();
    return files.filter((f) => spawnSync('uncrustify', ['-q', '-c', cfg, '--check', '-f', f], { cwd: repoRoot() }).status !== 0);
}

/** Rewrites the unformatted files in place; prints their names. */
export function formatC(): void {
    const cfg = uncrustifyConfig();
    for (const f of unformattedCFiles()) {
        execFileSync('uncrustify', ['-q', '-c', cfg, '--no-backup', f], { cwd: repoRoot() });
        process.stdout.write(`formatted ${f}\n`);
    }
}
