/**
 * Parser for GNU ld link maps (`-Wl,-Map=firmware.map`), pure: text in, structure out.
 *
 * What it reads from the map:
 * - "Discarded input sections": what --gc-sections removed (name, size, file);
 * - "Memory Configuration": the MEMORY regions (name, origin, length, attributes);
 * - "Linker script and memory map": each output section (name, address, size, load address) with its input
 *   sections (name, address, size, file: `obj.o`, `lib.a(member.o)`, `linker stubs`), `*fill*` gaps and
 *   COMMON blocks. Long names make ld wrap a line: the name stands alone and the numbers follow on the
 *   next line; both forms are handled. Symbol and assignment lines are skipped.
 */

export interface MemoryRegion {
    name: string;
    origin: number;
    length: number;
    attributes: string;
}

export interface MapInput {
    /** Input section name (`.text.foo`, `COMMON`), or `*fill*` for padding inserted by ld. */
    section: string;
    address: number;
    size: number;
    /** The object it came from as ld printed it; empty for fill. */
    file: string;
    fill: boolean;
}

export interface MapOutputSection {
    name: string;
    address: number;
    size: number;
    /** The load address (LMA) when ld printed one ("load address 0x..."), else equal to address. */
    loadAddress: number;
    inputs: MapInput[];
}

export interface LinkMap {
    regions: MemoryRegion[];
    sections: MapOutputSection[];
    discarded: MapInput[];
    /** `LOAD` lines: every object and archive given to the linker, in order. */
    loaded: string[];
    /** Symbol assignments in the script part (`0x20002fe0  __HeapLimit = .`): name → value (last one wins). */
    assignments: Map<string, number>;
}

export class LinkMapFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'LinkMapFormatError';
    }
}

const NUM = '0x([0-9a-fA-F]+)';
/** `<addr> <size> [rest]` as it follows a (possibly wrapped) name. */
const ADDR_SIZE_REST = new RegExp(`^\\s+${NUM}\\s+${NUM}(?:\\s+(.*))?$`);
const OUTPUT_LINE = new RegExp(`^(\\S+)(?:\\s+${NUM}\\s+${NUM}(?:\\s+load address ${NUM})?)?\\s*$`);
const INPUT_LINE = new RegExp(`^ (\\S+)(?:\\s+${NUM}\\s+${NUM}(?:\\s+(.*))?)?\\s*$`);
const LOAD_LINE = /^LOAD (.+)$/;

function num(s: string): number {
    return parseInt(s, 16);
}

export function parseLinkMap(text: string): LinkMap {
    const lines = text.split(/\r?\n/);
    const regions: MemoryRegion[] = [];
    const sections: MapOutputSection[] = [];
    const discarded: MapInput[] = [];
    const loaded: string[] = [];
    const assignments = new Map<string, number>();

    let part: 'preamble' | 'discarded' | 'memory' | 'script' = 'preamble';
    let current: MapOutputSection | undefined;
    let sawScript = false;

    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line.startsWith('Discarded input sections')) {
            part = 'discarded';
            continue;
        }
        if (line.startsWith('Memory Configuration')) {
            part = 'memory';
            continue;
        }
        if (line.startsWith('Linker script and memory map')) {
            part = 'script';
            sawScript = true;
            continue;
        }
        if (line.startsWith('Cross Reference Table')) {
            part = 'preamble';
            continue;
        }

        if (part === 'memory') {
            const m = /^(\S+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)(?:\s+(\S+))?\s*$/.exec(line);
            if (m && m[1] !== 'Name') regions.push({ name: m[1], origin: num(m[2]), length: num(m[3]), attributes: m[4] ?? '' });
            continue;
        }

        // An input-section or discarded entry: ` name addr size file`, possibly wrapped after the name.
        const readInput = (): MapInput | undefined => {
            const m = INPUT_LINE.exec(line);
            if (!m || line.startsWith(' *(') || /^ \S+\(/.test(line) && !m[2]) return undefined;
            const name = m[1];
            if (m[2] !== undefined) {
                return { section: name, address: num(m[2]), size: num(m[3]), file: (m[4] ?? '').trim(), fill: name === '*fill*' };
            }
            const next = lines[i + 1];
            const n = next === undefined ? null : ADDR_SIZE_REST.exec(next);
            if (!n) return undefined;
            i++;
            return { section: name, address: num(n[1]), size: num(n[2]), file: (n[3] ?? '').trim(), fill: name === '*fill*' };
        };

        if (part === 'discarded') {
            if (line.startsWith(' ')) {
                const d = readInput();
                if (d) discarded.push(d);
            }
            continue;
        }
        if (part !== 'script') continue;

        const load = LOAD_LINE.exec(line);
        if (load) {
            loaded.push(load[1].trim());
            continue;
        }
        if (line.length === 0) continue;
        if (/^\S/.test(line)) {
            // A new output section (or a top-level directive like OUTPUT(...) / START GROUP).
            const m = OUTPUT_LINE.exec(line);
            if (!m || !m[1].startsWith('.') && !/^[A-Za-z_][\w.]*$/.test(m[1]) || /^(OUTPUT|START|END|LOAD|INPUT|GROUP)\b/.test(m[1])) {
                current = undefined;
                continue;
            }
            let address: number;
            let size: number;
            let lma: number | undefined;
            if (m[2] !== undefined) {
                address = num(m[2]);
                size = num(m[3]);
                lma = m[4] === undefined ? undefined : num(m[4]);
            } else {
                const next = lines[i + 1];
                const n = next === undefined ? null : new RegExp(`^\\s+${NUM}\\s+${NUM}(?:\\s+load address ${NUM})?\\s*$`).exec(next);
                if (!n) {
                    // e.g. an empty output section ld lists without numbers (".stack1_dummy")
                    current = { name: m[1], address: 0, size: 0, loadAddress: 0, inputs: [] };
                    sections.push(current);
                    continue;
                }
                i++;
                address = num(n[1]);
                size = num(n[2]);
                lma = n[3] === undefined ? undefined : num(n[3]);
            }
            current = { name: m[1], address, size, loadAddress: lma ?? address, inputs: [] };
            sections.push(current);
            continue;
        }
        const assign = /^\s+0x([0-9a-fA-F]+)\s+(?:PROVIDE \()?([A-Za-z_.$][\w.$]*)\)? = /.exec(line);
        if (assign) {
            assignments.set(assign[2], num(assign[1]));
            continue;
        }
        if (!current) continue;
        if (line.startsWith(' *fill*')) {
            const m = new RegExp(`^ \\*fill\\*\\s+${NUM}\\s+${NUM}`).exec(line);
            if (m) current.inputs.push({ section: '*fill*', address: num(m[1]), size: num(m[2]), file: '', fill: true });
            continue;
        }
        if (line.startsWith(' ') && !line.startsWith('  ') && !line.startsWith(' *')) {
            const inp = readInput();
            if (inp && inp.file !== '') current.inputs.push(inp);
        }
    }
    if (!sawScript) throw new LinkMapFormatError('not a GNU ld link map: no "Linker script and memory map" part');
    return { regions, sections, discarded, loaded, assignments };
}
