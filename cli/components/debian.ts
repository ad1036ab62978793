import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MprtError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';

/**
 * Debian archive access with a PRIVATE apt state (its own sources list, lists and cache under
 * $MPRT_CACHE/apt): the system's apt configuration is never touched, nothing is installed, and no
 * root is needed. Used to fetch source packages and arch-all .debs of another suite (trixie).
 */

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The archive URI: $MPRT_DEBIAN_MIRROR, else the first Debian URI of the system's own apt sources. */
export function debianMirror(env: NodeJS.ProcessEnv = process.env): string {
    if (env.MPRT_DEBIAN_MIRROR) return env.MPRT_DEBIAN_MIRROR.replace(/\/+$/, '');
    const candidates: string[] = [];
    const dir = '/etc/apt/sources.list.d';
    const files = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
    files.push('/etc/apt/sources.list');
    for (const file of files) {
        if (!existsSync(file) || !/\.(sources|list)$/.test(file)) continue;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^URIs:\s*(\S+)/gm)) candidates.push(m[1]);
        for (const m of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/gm)) candidates.push(m[1]);
    }
    const uri = candidates.find((u) => /\/debian\/?$/.test(u) && !u.includes('security'));
    if (!uri) {
        throw new MprtError('cannot find a Debian archive URI in /etc/apt/sources.list(.d)', {
            hint: 'set MPRT_DEBIAN_MIRROR to your Debian mirror (the URI that ends in /debian)',
        });
    }
    return uri.replace(/\/+$/, '');
}

export class DebianArchive {
    readonly root: string;

    constructor(readonly suite: string, env: NodeJS.ProcessEnv = process.env) {
        this.root = join(cacheDir(env), 'apt', suite);
        this.mirror = debianMirror(env);
    }

    readonly mirror: string;

    private get options(): string[] {
        return [
            '-o', `Dir::Etc::SourceList=${join(this.root, 'sources.list')}`,
            '-o', 'Dir::Etc::SourceParts=-',
            '-o', `Dir::State::Lists=${join(this.root, 'lists')}`,
            '-o', `Dir::State::Status=${join(this.root, 'status')}`,
            '-o', `Dir::Cache=${join(this.root, 'cache')}`,
            '-o', 'Debug::NoLocking=1',
            '-o', 'APT::Sandbox::User=root',
            '-o', 'Acquire::Retries=3',
        ];
    }

    private prepare(): void {
        for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(this.root, d), { recursive: true });
        const src = `[signed-by=${KEYRING}] ${this.mirror} ${this.suite} main`;
        writeFileSync(join(this.root, 'sources.list'), `deb ${src}\ndeb-src ${src}\n`);
        if (!existsSync(join(this.root, 'status'))) writeFileSync(join(this.root, 'status'), '');
    }

    /** True when package lists were fetched before (then look-ups work offline). */
    hasLists(): boolean {
        const lists = join(this.root, 'lists');
        return existsSync(lists) && readdirSync(lists).some((f) => f.endsWith('Sources') || f.endsWith('Packages'));
    }

    async update(): Promise<void> {
        this.prepare();
        try {
            await execa('apt-get', [...this.options, 'update', '-q'], { all: true });
        } catch (err) {
            const out = (err as { all?: string }).all ?? String(err);
            throw new MprtError(`could not read the Debian ${this.suite} package lists from ${this.mirror}`, {
                hint: `check the network or MPRT_DEBIAN_MIRROR; apt said:\n${out.split('\n').slice(-5).join('\n')}`,
                cause: err,
            });
        }
    }

    private async query(args: string[]): Promise<string> {
        this.prepare();
        const r = await execa('apt-cache', [...this.options, ...args], { reject: false });
        return r.stdout;
    }

    /** Versions of a source package the suite offers (usually one). */
    async sourceVersions(pkg: string): Promise<string[]> {
        const out = await this.query(['showsrc', '--only-source', pkg]);
        return [...out.matchAll(/^Version:\s*(\S+)/gm)].map((m) => m[1]);
    }

    /** Versions of a binary package the suite offers. */
    async binaryVersions(pkg: string): Promise<string[]> {
        const out = await this.query(['show', '--no-all-versions', pkg]);
        return [...out.matchAll(/^Version:\s*(\S+)/gm)].map((m) => m[1]);
    }

    /** Downloads a source package's files (not unpacked) into `dir`; returns the file names. */
    async downloadSource(pkg: string, version: string, dir: string): Promise<void> {
        mkdirSync(dir, { recursive: true });
        await this.run(['source', '--download-only', `${pkg}=${version}`], dir, `source package ${pkg} ${version}`);
    }

    /** Downloads a binary .deb into `dir`. */
    async downloadDeb(pkg: string, version: string, dir: string): Promise<void> {
        mkdirSync(dir, { recursive: true });
        await this.run(['download', `${pkg}=${version}`], dir, `package ${pkg} ${version}`);
    }

    private async run(args: string[], cwd: string, what: string): Promise<void> {
        this.prepare();
        try {
            await execa('apt-get', [...this.options, '-q', ...args], { cwd, all: true });
        } catch (err) {
            const out = (err as { all?: string }).all ?? String(err);
            throw new MprtError(`could not download ${what} from Debian ${this.suite}`, {
                hint: `apt said:\n${out.split('\n').slice(-5).join('\n')}`,
                cause: err,
            });
        }
    }
}

/** "1:1.25.0+ds-1" → "1.25.0": drops the epoch, the Debian revision and repack suffixes (+ds, +dfsg, ~...). */
export function upstreamOf(debianVersion: string): string {
    let v = debianVersion.replace(/^\d+:/, '');
    const dash = v.lastIndexOf('-');
    if (dash > 0) v = v.slice(0, dash);
    return v.replace(/[+~](ds|dfsg|repack)\d*.*$/i, '');
}

/** Does a Debian version carry the pinned upstream version? "3.6" accepts 3.6.6; "1.25.0" does not accept 1.25.1. */
export function matchesPin(debianVersion: string, pinned: string): boolean {
    const up = upstreamOf(debianVersion);
    return up === pinned || up.startsWith(pinned + '.');
}
