/**
 * Finding the RP2040's BOOTSEL drive: a mounted volume whose INFO_UF2.TXT says `Board-ID: RPI-RP2`.
 * Where it looks: mount points of FAT-like filesystems in /proc/mounts (Linux), the children of
 * /media/$USER, /media, /run/media/$USER (Linux automounters), /Volumes (macOS), drive letters (Windows).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const RP2040_BOARD_ID = 'RPI-RP2';
export const INFO_FILE = 'INFO_UF2.TXT';

export interface BootselDrive {
    path: string;
    boardId: string;
    model: string | undefined;
    info: Record<string, string>;
}

/** INFO_UF2.TXT: a first line naming the bootloader, then `Key: value` lines. */
export function parseInfoUf2(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
        const m = /^([A-Za-z][\w -]*?):\s*(.*?)\s*$/.exec(line);
        if (m) out[m[1]] = m[2];
    }
    return out;
}

/** Mount points from /proc/mounts text (fields are space-separated, spaces inside paths are `\040`). */
export function parseProcMounts(text: string): { mountPoint: string; fsType: string }[] {
    const out: { mountPoint: string; fsType: string }[] = [];
    for (const line of text.split('\n')) {
        const f = line.split(' ');
        if (f.length < 3) continue;
        const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
        out.push({ mountPoint: unescape(f[1]), fsType: f[2] });
    }
    return out;
}

const DRIVE_FS = /^(vfat|msdos|fat|exfat|fuseblk|fuse|fuse\..*)$/;

export interface SearchOptions {
    env?: NodeJS.ProcessEnv;
    platform?: NodeJS.Platform;
    /** /proc/mounts by default (Linux). */
    mountsFile?: string;
    /** Parent directories whose children may be drives (default: the platform's automount places). */
    parents?: string[];
}

/** The directories that may be mounted drives, and a description of where we looked (for the error). */
export function candidateDrives(opts: SearchOptions = {}): { candidates: string[]; searched: string[] } {
    const env = opts.env ?? process.env;
    const platform = opts.platform ?? process.platform;
    const user = env.USER ?? env.LOGNAME ?? env.USERNAME ?? safeUserName();
    const candidates: string[] = [];
    const searched: string[] = [];
    const mountsFile = opts.mountsFile ?? (platform === 'linux' ? '/proc/mounts' : undefined);
    if (mountsFile) {
        searched.push(`FAT/exFAT mount points in ${mountsFile}`);
        try {
            for (const m of parseProcMounts(readFileSync(mountsFile, 'utf8'))) {
                if (DRIVE_FS.test(m.fsType)) candidates.push(m.mountPoint);
            }
        } catch {
            // no mounts table: rely on the directories below
        }
    }
    const parents =
        opts.parents ??
        (platform === 'darwin'
            ? ['/Volumes']
            : platform === 'win32'
                ? []
                : [user && `/media/${user}`, '/media', user && `/run/media/${user}`].filter((p): p is string => !!p));
    for (const p of parents) {
        searched.push(`${p}/*`);
        let names: string[];
        try {
            names = readdirSync(p);
        } catch {
            continue;
        }
        for (const n of names) candidates.push(join(p, n));
    }
    if (platform === 'win32' && !opts.parents) {
        searched.push('drive letters D: to Z:');
        for (let c = 'D'.charCodeAt(0); c <= 'Z'.charCodeAt(0); c++) candidates.push(`${String.fromCharCode(c)}:\\`);
    }
    return { candidates: [...new Set(candidates)], searched };
}

/** The drive at `path` if it is a UF2 bootloader drive (any board), else undefined. */
export function readDrive(path: string): BootselDrive | undefined {
    const file = join(path, INFO_FILE);
    try {
        if (!statSync(path).isDirectory() || !existsSync(file)) return undefined;
        const info = parseInfoUf2(readFileSync(file, 'utf8'));
        return { path, boardId: info['Board-ID'] ?? '', model: info['Model'], info };
    } catch {
        return undefined;
    }
}

/** Every mounted RP2040 BOOTSEL drive, and where we looked. */
export function findBootselDrives(opts: SearchOptions = {}): { drives: BootselDrive[]; others: BootselDrive[]; searched: string[] } {
    const { candidates, searched } = candidateDrives(opts);
    const drives: BootselDrive[] = [];
    const others: BootselDrive[] = [];
    for (const c of candidates) {
        const d = readDrive(c);
        if (!d) continue;
        (d.boardId === RP2040_BOARD_ID ? drives : others).push(d);
    }
    return { drives, others, searched };
}

function safeUserName(): string {
    try {
        return userInfo().username;
    } catch {
        return '';
    }
}
