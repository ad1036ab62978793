/**
 * Flash and RAM use by component, from a GNU ld link map (pure: text in, report out).
 *
 * Every input section the linker placed is attributed by the file it came from: an object under one of the
 * `componentRoots` (longest root wins), a toolchain library (libc/libm by flavour, libgcc, crt files), or one
 * of the special kinds ld and the startup code produce (boot stage 2, frozen modules, *fill* padding, linker
 * stubs, reserved heap and stack sections). Output-section bytes not covered by any input section (gaps made
 * by ALIGN, LONG data in the script) are "unattributed".
 *
 * Flash counts every output section whose load address lies in a read-only memory region (so `.data` counts
 * twice: its initial image in flash and its run-time copy in RAM); RAM counts sections whose run address
 * lies in a writable region. Non-allocated sections (.debug_*, .comment) are in no region and not counted.
 */
import { posix } from 'node:path';
import { SRAM_BASE } from '../chip/rp2040.js';
import { parseLinkMap, type LinkMap, type MemoryRegion } from '../formats/linkmap.js';

export const UNATTRIBUTED = 'unattributed';

export interface ComponentSize {
    name: string;
    flash: number;
    ram: number;
}

export interface Totals {
    total: number;
    attributed: number;
    unattributed: number;
}

export interface SizeReport {
    /** Sorted by flash, then RAM, descending; excludes the unattributed bucket. */
    components: ComponentSize[];
    flash: Totals;
    ram: Totals;
    regions: (MemoryRegion & { used: number })[];
    /** The GC heap between __GcHeapStart and __GcHeapEnd, when the map defines both (not a section, so not in ram.total). */
    gcHeap: number | undefined;
    /** Bytes --gc-sections removed. */
    discarded: number;
    /** Files that matched no component (with their bytes), largest first: what to add to componentRoots. */
    unmatchedFiles: { file: string; flash: number; ram: number }[];
}

export interface SizeReportOptions {
    /**
     * Where relative object paths (CMake's `CMakeFiles/<target>.dir/<path>`) are resolved: CMake names objects of
     * sources inside its source or binary dir relative to that dir, so give both.
     */
    relativeTo?: string | string[];
}

/** Sub-directories of a MicroPython tree and of pico-sdk, each a component of its own. */
const SUBCOMPONENTS: Record<string, Record<string, string>> = {
    micropython: {
        py: 'micropython core',
        extmod: 'micropython extmod',
        shared: 'micropython shared',
        drivers: 'micropython drivers',
        'lib/littlefs': 'littlefs',
        'lib/oofatfs': 'oofatfs',
        'lib/libm': 'micropython libm',
        'lib/libm_dbl': 'micropython libm',
        'lib/uzlib': 'micropython lib',
        'lib/re1.5': 'micropython lib',
        'lib/mbedtls': 'mbedtls',
        'lib/mbedtls_errors': 'mbedtls',
        'lib/pico-sdk': 'pico-sdk',
        'lib/tinyusb': 'tinyusb',
        'lib/lwip': 'lwip',
        'lib/cyw43-driver': 'cyw43',
        'ports/rp2': 'micropython rp2 port (upstream)',
    },
    'pico-sdk': {
        'lib/tinyusb': 'tinyusb',
        'lib/lwip': 'lwip',
        'lib/mbedtls': 'mbedtls',
        'lib/cyw43-driver': 'cyw43',
        'src/rp2040/boot_stage2': 'boot2',
    },
};

interface Root {
    dir: string;
    name: string;
    explicit: boolean;
}

function buildRoots(componentRoots: Record<string, string | string[]>): Root[] {
    const roots: Root[] = [];
    for (const [name, dirs] of Object.entries(componentRoots)) {
        for (const d of Array.isArray(dirs) ? dirs : [dirs]) {
            const dir = posix.normalize(d).replace(/\/+$/, '');
            roots.push({ dir, name, explicit: true });
            for (const [sub, subName] of Object.entries(SUBCOMPONENTS[name] ?? {})) {
                roots.push({ dir: `${dir}/${sub}`, name: subName, explicit: false });
            }
        }
    }
    // longest first; an explicit root beats a derived one of the same directory
    return roots.sort((a, b) => b.dir.length - a.dir.length || Number(b.explicit) - Number(a.explicit));
}

function under(path: string, dir: string): boolean {
    return path === dir || path.startsWith(dir + '/');
}

/** The toolchain library a file belongs to, by archive/object name (`…/libc.a(memcpy.o)`, `…/crti.o`). */
function toolchainComponent(file: string): string | undefined {
    const archive = /^(.*?)([^/]+\.a)\((.*)\)$/.exec(file);
    const path = archive ? archive[1] + archive[2] : file;
    const base = archive ? archive[2] : posix.basename(file);
    const picolibc = /picolibc/.test(path);
    const flavour = picolibc ? 'picolibc' : 'newlib';
    if (/^lib(c|g|c_nano|g_nano|nosys|semihost|dummyhost)\.a$/.test(base)) return `libc (${flavour})`;
    if (/^libm(_nano)?\.a$/.test(base)) return `libm (${flavour})`;
    if (base === 'libgcc.a' || /^crt(i|n|begin|end)\.o$/.test(base)) return 'libgcc';
    if (/^libstdc\+\+/.test(base) || /^libsupc\+\+/.test(base)) return 'libstdc++';
    if (base === 'crt0.o' || base === 'crt0-semihost.o' || base === 'crt0-hosted.o') return `libc (${flavour})`;
    return undefined;
}

/** The candidate absolute source paths of an object file as ld names it. */
function candidatePaths(file: string, opts: SizeReportOptions): string[] {
    const archive = /^(.*)\(([^()]*)\)$/.exec(file);
    const path = archive ? archive[1] : file;
    const out: string[] = [];
    if (path.startsWith('/')) out.push(posix.normalize(path));
    const cmake = /^(?:.*\/)?CMakeFiles\/[^/]+\.dir\/(.*)$/.exec(path);
    const rest = cmake ? cmake[1] : path.startsWith('/') ? undefined : path;
    if (rest !== undefined) {
        // CMake keeps an absolute source path minus its leading '/'; sources inside the project dir are relative
        out.push(posix.normalize('/' + rest));
        const bases = opts.relativeTo === undefined ? [] : Array.isArray(opts.relativeTo) ? opts.relativeTo : [opts.relativeTo];
        for (const base of bases) out.push(posix.normalize(posix.join(base, rest)));
    }
    return out;
}

export function classifyFile(file: string, roots: Root[], opts: SizeReportOptions): string | undefined {
    if (file === 'linker stubs') return 'linker (stubs)';
    const base = posix.basename(file.replace(/\)$/, ''));
    if (/(^|[/_])frozen_content\.c\.o(bj)?$/.test(base) || base === 'frozen_content.o') return 'frozen modules';
    if (/boot_stage2|bs2_default/.test(file)) return 'boot2';
    for (const p of candidatePaths(file, opts)) {
        const root = roots.find((r) => under(p, r.dir));
        if (root) return root.name;
    }
    const tc = toolchainComponent(file);
    if (tc) return tc;
    // Fall back to a root's directory name appearing in the path (objects built out of tree that mirror it)
    const segs = file.split('/');
    for (const r of roots) {
        const name = posix.basename(r.dir);
        if (r.explicit && segs.includes(name)) return r.name;
    }
    return undefined;
}

/** What a heap/stack reservation section holds, by its name; undefined for anything else. */
function reservedKind(section: string): string | undefined {
    if (/^\.gc_?heap/i.test(section)) return 'gc heap (reserved)';
    if (/^\.(c_)?heap/i.test(section)) return 'heap (reserved)';
    if (/^\.stack/i.test(section)) return 'stacks';
    return undefined;
}

function regionOf(regions: MemoryRegion[], addr: number): MemoryRegion | undefined {
    return regions.find((r) => addr >= r.origin && addr < r.origin + r.length);
}

/** A region is flash (read-only at run time) unless writable; without attributes, judge by the RP2040 address map. */
function isFlash(r: MemoryRegion): boolean {
    if (r.attributes === '') return r.origin < SRAM_BASE;
    return !/w/i.test(r.attributes.replace(/!.*$/, ''));
}

/** Builds the report from a parsed map (see sizeReport for the text form). */
export function sizeReportFromMap(map: LinkMap, componentRoots: Record<string, string | string[]>, opts: SizeReportOptions = {}): SizeReport {
    const roots = buildRoots(componentRoots);
    const regions = map.regions.filter((r) => r.name !== '*default*');
    const byName = new Map<string, ComponentSize>();
    const unmatched = new Map<string, { file: string; flash: number; ram: number }>();
    const add = (name: string, flash: number, ram: number) => {
        const c = byName.get(name) ?? { name, flash: 0, ram: 0 };
        c.flash += flash;
        c.ram += ram;
        byName.set(name, c);
    };
    const used = new Map<string, number>();
    const flash: Totals = { total: 0, attributed: 0, unattributed: 0 };
    const ram: Totals = { total: 0, attributed: 0, unattributed: 0 };
    const classCache = new Map<string, string | undefined>();

    for (const s of map.sections) {
        if (s.size === 0) continue;
        const vma = regionOf(regions, s.address);
        const lma = regionOf(regions, s.loadAddress);
        const inFlash = lma !== undefined && isFlash(lma);
        const inRam = vma !== undefined && !isFlash(vma);
        if (!inFlash && !inRam) continue;
        if (vma) used.set(vma.name, (used.get(vma.name) ?? 0) + s.size);
        if (lma && lma !== vma) used.set(lma.name, (used.get(lma.name) ?? 0) + s.size);
        const f = inFlash ? 1 : 0;
        const r = inRam ? 1 : 0;
        // Output sections that only reserve RAM (.heap, .c_heap, .gc_heap, .stack_dummy) count as what they reserve
        const reserved = reservedKind(s.name);
        let covered = 0;
        // Merged string sections (.str1.1) keep their pre-merge size in the map and overlap their neighbours:
        // count each byte once, for the first input that reaches it, and never beyond the output section.
        let highWater = s.address;
        const sectionEnd = s.address + s.size;
        for (const inp of [...s.inputs].sort((a, b) => a.address - b.address)) {
            const end = Math.min(inp.address + inp.size, sectionEnd);
            const size = Math.max(0, end - Math.max(inp.address, highWater));
            if (size === 0) continue;
            highWater = end;
            covered += size;
            let name: string | undefined = reserved ?? (inp.fill ? 'linker fill/padding' : reservedKind(inp.section));
            if (name !== undefined) {
                // a reservation, or padding
            } else if (s.name === '.boot2') name = 'boot2';
            else {
                if (!classCache.has(inp.file)) classCache.set(inp.file, classifyFile(inp.file, roots, opts));
                name = classCache.get(inp.file);
            }
            if (name === undefined) {
                const u = unmatched.get(inp.file) ?? { file: inp.file, flash: 0, ram: 0 };
                u.flash += size * f;
                u.ram += size * r;
                unmatched.set(inp.file, u);
                name = UNATTRIBUTED;
            }
            add(name, size * f, size * r);
        }
        const gap = Math.max(0, s.size - covered);
        if (gap > 0) add(UNATTRIBUTED, gap * f, gap * r);
        flash.total += s.size * f;
        ram.total += s.size * r;
    }
    const un = byName.get(UNATTRIBUTED);
    byName.delete(UNATTRIBUTED);
    flash.unattributed = un?.flash ?? 0;
    ram.unattributed = un?.ram ?? 0;
    flash.attributed = flash.total - flash.unattributed;
    ram.attributed = ram.total - ram.unattributed;

    const gcStart = map.assignments.get('__GcHeapStart');
    const gcEnd = map.assignments.get('__GcHeapEnd');
    return {
        components: [...byName.values()].sort((a, b) => b.flash - a.flash || b.ram - a.ram || a.name.localeCompare(b.name)),
        flash,
        ram,
        regions: regions.map((r) => ({ ...r, used: used.get(r.name) ?? 0 })),
        gcHeap: gcStart !== undefined && gcEnd !== undefined && gcEnd > gcStart ? gcEnd - gcStart : undefined,
        discarded: map.discarded.reduce((n, d) => n + d.size, 0),
        unmatchedFiles: [...unmatched.values()].sort((a, b) => b.flash + b.ram - (a.flash + a.ram)),
    };
}

/**
 * Parses a GNU ld map and attributes its flash and RAM bytes to components. `componentRoots` maps a
 * component name to its source directory (or several); `micropython` and `pico-sdk` roots are split further
 * (py → micropython core, extmod, lib/littlefs, lib/tinyusb, ...).
 */
export function sizeReport(mapText: string, componentRoots: Record<string, string | string[]>, opts: SizeReportOptions = {}): SizeReport {
    return sizeReportFromMap(parseLinkMap(mapText), componentRoots, opts);
}

function pct(n: number, total: number): string {
    return total === 0 ? '-' : ((100 * n) / total).toFixed(1) + '%';
}

/** A readable table: one row per component with flash and RAM bytes and shares, then totals. */
export function formatSizeReport(r: SizeReport): string {
    const rows: string[][] = [['component', 'flash', '%', 'ram', '%']];
    for (const c of r.components) rows.push([c.name, String(c.flash), pct(c.flash, r.flash.total), String(c.ram), pct(c.ram, r.ram.total)]);
    rows.push([UNATTRIBUTED, String(r.flash.unattributed), pct(r.flash.unattributed, r.flash.total), String(r.ram.unattributed), pct(r.ram.unattributed, r.ram.total)]);
    rows.push(['total', String(r.flash.total), '', String(r.ram.total), '']);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const fmt = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
    const lines = [fmt(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
    rows.slice(1, -1).forEach((row) => lines.push(fmt(row)));
    lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    lines.push(fmt(rows[rows.length - 1]));
    const regions = r.regions.filter((g) => g.used > 0 || g.length > 0);
    if (regions.length) {
        lines.push('');
        for (const g of regions) lines.push(`${g.name.padEnd(10)} ${String(g.used).padStart(8)} of ${String(g.length).padStart(8)} bytes (${pct(g.used, g.length)})`);
    }
    if (r.gcHeap !== undefined) lines.push(`GC heap    ${String(r.gcHeap).padStart(8)} bytes`);
    return lines.join('\n');
}
