/**
 * `mprt setup --component freertos-kernel [--from PATH]`: the FreeRTOS-Kernel tree for `--rtos freertos`, into
 * the cache (<cache>/src/freertos-kernel-<tag>), after which `mprt build --rtos freertos` needs no
 * --freertos-path. From a local release tarball or directory (--from: what CI does with the V11.3.0 tarball),
 * else cloned from the component's git tag (needs the network; the commit and tree hashes are recorded in
 * vendor/lock.json on the first clone and checked on every later one; not exercised here, offline).
 * Either way the tree must pass checkFreertosTree (files, SMP port, tskKERNEL_VERSION_*).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { MprtError } from '../util/errors.js';
import { findComponent, componentInstallDir } from './components.js';
import { checkFreertosTree, readFreertosVersion, formatFreertosVersion } from './freertos.js';
import { readLock, writeLock } from './lock.js';

export interface FreertosSetupResult {
    dir: string;
    version: string;
    source: string;
}

async function fileSha256(path: string): Promise<string> {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return h.digest('hex');
}

function sh(cmd: string, args: string[], cwd?: string): string {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new MprtError(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout.trim();
}

/** The kernel tree inside an unpacked release: the directory itself or its single subdirectory with tasks.c. */
function treeRoot(dir: string): string {
    if (existsSync(join(dir, 'tasks.c'))) return dir;
    const subs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
    const hit = subs.find((d) => existsSync(join(dir, d.name, 'tasks.c')));
    return hit ? join(dir, hit.name) : dir;
}

export async function setupFreertosKernel(opts: { from?: string; env?: NodeJS.ProcessEnv; log: (s: string) => void }): Promise<FreertosSetupResult> {
    const env = opts.env ?? process.env;
    const c = findComponent('freertos-kernel');
    if (c.source.type !== 'git-tag') throw new MprtError('vendor/manifest.json: freertos-kernel must be a git-tag component');
    const dir = componentInstallDir(c, env);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    let source: string;
    let lockEntry: { commit: string; tree: string } | undefined;
    if (opts.from) {
        const from = resolve(opts.from);
        if (!existsSync(from)) throw new MprtError(`--from ${from}: no such file or directory`, { exitCode: 2 });
        if (statSync(from).isDirectory()) {
            cpSync(from, join(tmp, 'tree'), { recursive: true });
            source = `directory ${from}`;
        } else {
            opts.log(`unpacking ${basename(from)}`);
            sh('tar', ['-xf', from, '-C', tmp]);
            source = `${from} (sha256 ${await fileSha256(from)})`;
        }
    } else {
        opts.log(`cloning ${c.source.url} at ${c.source.tag}`);
        sh('git', ['clone', '--quiet', '--depth', '1', '--branch', c.source.tag, c.source.url, join(tmp, 'tree')]);
        const g = join(tmp, 'tree');
        lockEntry = { commit: sh('git', ['rev-parse', 'HEAD'], g), tree: sh('git', ['rev-parse', 'HEAD^{tree}'], g) };
        source = `${c.source.url} ${c.source.tag} (commit ${lockEntry.commit})`;
    }
    const root = treeRoot(opts.from && !statSync(resolve(opts.from)).isDirectory() ? tmp : join(tmp, 'tree'));
    const problems = checkFreertosTree(root);
    if (problems.length) {
        rmSync(tmp, { recursive: true, force: true });
        throw new MprtError(`freertos-kernel from ${source}: not a usable FreeRTOS-Kernel tree: ${problems.join('; ')}`, { exitCode: 2 });
    }
    if (lockEntry) {
        const lock = readLock();
        const pinned = lock?.components[c.name] as { commit?: string; tree?: string } | undefined;
        if (pinned?.commit && (pinned.commit !== lockEntry.commit || pinned.tree !== lockEntry.tree)) {
            rmSync(tmp, { recursive: true, force: true });
            throw new MprtError(`freertos-kernel ${c.source.tag}: the tag now points at commit ${lockEntry.commit} (tree ${lockEntry.tree}); `
                + `vendor/lock.json pins ${pinned.commit} (tree ${pinned.tree})`);
        }
        if (lock && !pinned?.commit) {
            lock.components[c.name] = { debianVersion: c.source.tag, files: [], ...lockEntry };
            writeLock(lock);
        }
    }
    const version = formatFreertosVersion(readFreertosVersion(root)!);
    rmSync(dir, { recursive: true, force: true });
    renameSync(root, dir);
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(join(dir, '.mprt-unpacked'), JSON.stringify({ debianVersion: version, files: [], patchesSha256: '', source }, null, 2) + '\n');
    return { dir, version, source };
}
