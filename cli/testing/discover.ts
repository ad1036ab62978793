/**
 * Finding the test scripts: MicroPython's own suites from the micropython component's tests/
 * directory and our tests in tests/firmware/, or the files and directories given on the command line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { MprtError } from '../util/errors.js';
import type { TestCase } from './types.js';

/**
 * MicroPython's suites run by default: those run-tests.py runs on an rp2 board (basics, micropython,
 * misc, extmod, inlineasm/<arch>, float, stress, thread) plus unicode, and the `ports/rp2` tests the
 * emulator runs (rp2_uart wedged it before the UART fix; rp2_dma's timing test fails, rp2_lightsleep
 * passes but takes ~20 s; the thread_reset pair needs a hard reset between its parts); name `ports/rp2`
 * to run them all; net_hosted runs over the loopback interface (docs/network.md). (The recorded stock baseline predates `thread` and these files in this list: their
 * results there are "unknown" to the comparison, like our own tests.)
 */
export const DEFAULT_SUITES = ['basics', 'micropython', 'misc', 'extmod', 'inlineasm/thumb', 'float', 'stress', 'thread', 'unicode',
    'net_hosted',
    'ports/rp2/rp2_uart.py', 'ports/rp2/rp2_machine_idle.py', 'ports/rp2/rp2_lightsleep_regs.py'];

/** Our own firmware tests, relative to the repository root. */
export const OUR_TESTS_DIR = join('tests', 'firmware');

export interface DiscoverRoots {
    /** MicroPython's tests/ directory (component tree). */
    upstreamTests: string;
    /** The repository root. */
    repo: string;
    /** Where relative command-line paths start. */
    cwd: string;
}

/** A test's report name: suite-relative for upstream tests, repo-relative for ours, else as given. */
export function testId(path: string, roots: DiscoverRoots): string {
    for (const root of [roots.upstreamTests, roots.repo]) {
        const rel = relative(root, path);
        if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return rel.split(sep).join('/');
    }
    return relative(roots.cwd, path).split(sep).join('/') || path;
}

function scriptsIn(dir: string, recursive: boolean): string[] {
    const out: string[] = [];
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, ent.name);
        if (ent.isDirectory()) {
            // data/ folders hold files tests read, not tests.
            if (recursive && ent.name !== 'data' && !ent.name.startsWith('.')) out.push(...scriptsIn(p, true));
        } else if (ent.name.endsWith('.py')) {
            out.push(p);
        }
    }
    return out;
}

function toCase(path: string, roots: DiscoverRoots): TestCase {
    const exp = path + '.exp';
    return { id: testId(path, roots), path, ...(existsSync(exp) ? { expPath: exp } : {}) };
}

/**
 * The tests named by `paths` (files or directories; a path that does not exist here is also looked
 * up in MicroPython's tests/, so `basics` or `extmod/json_dumps.py` work), or the default list.
 * Upstream directories are read one level deep like run-tests.py; ours recursively.
 */
export function discoverTests(paths: readonly string[], roots: DiscoverRoots): TestCase[] {
    const found = new Map<string, TestCase>();
    const add = (p: string): void => {
        const c = toCase(p, roots);
        found.set(c.path, c);
    };
    const targets = paths.length
        ? paths
        : [...DEFAULT_SUITES.map((s) => join(roots.upstreamTests, s)), join(roots.repo, OUR_TESTS_DIR)];
    for (const given of targets) {
        let p = resolve(roots.cwd, given);
        if (!existsSync(p) && existsSync(join(roots.upstreamTests, given))) p = join(roots.upstreamTests, given);
        if (!existsSync(p)) {
            if (!paths.length) continue; // a default directory that is absent (e.g. no tests of ours yet)
            throw new MprtError(`no such test file or directory: ${given}`, {
                hint: 'give a path, or a suite of MicroPython\'s tests/ (e.g. basics, extmod/json_dumps.py)',
                exitCode: 2,
            });
        }
        if (statSync(p).isDirectory()) {
            const upstream = !relative(roots.upstreamTests, p).startsWith('..');
            scriptsIn(p, !upstream).forEach(add);
        } else {
            add(p);
        }
    }
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
