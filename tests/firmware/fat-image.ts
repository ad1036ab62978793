/**
 * A small reader and writer of FAT12/FAT16 volume images without a partition table (what vfs.VfsFat.mkfs
 * makes on a block device), for the F14 MSC test: enough to check the boot sector's fields, list the
 * root directory, read a file through its cluster chain and add a file, independently of mtools.
 */
export interface FatVolume {
    bytesPerSector: number;
    sectorsPerCluster: number;
    reservedSectors: number;
    fats: number;
    rootEntries: number;
    totalSectors: number;
    media: number;
    sectorsPerFat: number;
    fsType: string;
    bits: 12 | 16;
    clusters: number;
}

export interface FatEntry {
    name: string;
    attributes: number;
    firstCluster: number;
    size: number;
    offset: number;
}

const le16 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const le32 = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const latin1 = (b: Uint8Array): string => new TextDecoder('latin1').decode(b).trimEnd();

/** The boot sector's BIOS parameter block; throws when it is not a FAT12/16 boot sector. */
export function fatVolume(img: Uint8Array): FatVolume {
    if (img[510] !== 0x55 || img[511] !== 0xaa) throw new Error('no boot sector signature 55 AA');
    const v = {
        bytesPerSector: le16(img, 11),
        sectorsPerCluster: img[13],
        reservedSectors: le16(img, 14),
        fats: img[16],
        rootEntries: le16(img, 17),
        totalSectors: le16(img, 19) || le32(img, 32),
        media: img[21],
        sectorsPerFat: le16(img, 22),
        fsType: latin1(img.subarray(54, 62)),
    };
    if (v.sectorsPerFat === 0) throw new Error('FAT32 (no 16-bit FAT size): not handled here');
    const first = v.reservedSectors + v.fats * v.sectorsPerFat + Math.ceil((v.rootEntries * 32) / v.bytesPerSector);
    const clusters = Math.floor((v.totalSectors - first) / v.sectorsPerCluster);
    return { ...v, clusters, bits: clusters < 4085 ? 12 : 16 };
}

const rootStart = (v: FatVolume): number => (v.reservedSectors + v.fats * v.sectorsPerFat) * v.bytesPerSector;
const dataStart = (v: FatVolume): number => rootStart(v) + Math.ceil((v.rootEntries * 32) / v.bytesPerSector) * v.bytesPerSector;
const clusterBytes = (v: FatVolume): number => v.sectorsPerCluster * v.bytesPerSector;

function fatGet(img: Uint8Array, v: FatVolume, n: number): number {
    const fat = v.reservedSectors * v.bytesPerSector;
    if (v.bits === 16) return le16(img, fat + 2 * n);
    const w = le16(img, fat + Math.floor((n * 3) / 2));
    return n & 1 ? w >> 4 : w & 0xfff;
}

function fatSet(img: Uint8Array, v: FatVolume, n: number, value: number): void {
    for (let k = 0; k < v.fats; k++) {
        const fat = (v.reservedSectors + k * v.sectorsPerFat) * v.bytesPerSector;
        if (v.bits === 16) {
            img[fat + 2 * n] = value & 0xff;
            img[fat + 2 * n + 1] = value >> 8;
            continue;
        }
        const i = fat + Math.floor((n * 3) / 2);
        let w = le16(img, i);
        w = n & 1 ? (w & 0x000f) | (value << 4) : (w & 0xf000) | (value & 0xfff);
        img[i] = w & 0xff;
        img[i + 1] = (w >> 8) & 0xff;
    }
}

/** The root directory's short-name entries (no volume label, deleted or long-name entries). */
export function rootEntries(img: Uint8Array, v: FatVolume = fatVolume(img)): FatEntry[] {
    const out: FatEntry[] = [];
    for (let k = 0; k < v.rootEntries; k++) {
        const o = rootStart(v) + 32 * k;
        if (img[o] === 0) break;
        const attr = img[o + 11];
        if (img[o] === 0xe5 || attr === 0x0f || attr & 0x08) continue;
        const base = latin1(img.subarray(o, o + 8));
        const ext = latin1(img.subarray(o + 8, o + 11));
        out.push({ name: ext ? `${base}.${ext}` : base, attributes: attr, firstCluster: le16(img, o + 26), size: le32(img, o + 28), offset: o });
    }
    return out;
}

/** A root directory file's bytes, following its cluster chain. */
export function readFile(img: Uint8Array, name: string, v: FatVolume = fatVolume(img)): Uint8Array {
    const e = rootEntries(img, v).find((f) => f.name === name.toUpperCase());
    if (!e) throw new Error(`${name}: not in the root directory`);
    const out = new Uint8Array(e.size);
    const end = v.bits === 12 ? 0xff8 : 0xfff8;
    let got = 0;
    for (let c = e.firstCluster; got < e.size; c = fatGet(img, v, c)) {
        if (c < 2 || c >= end) throw new Error(`${name}: cluster chain ends after ${got} of ${e.size} bytes`);
        const at = dataStart(v) + (c - 2) * clusterBytes(v);
        const n = Math.min(clusterBytes(v), e.size - got);
        out.set(img.subarray(at, at + n), got);
        got += n;
    }
    return out;
}

/** Adds a root directory file with an 8.3 name (upper case): free clusters, the FAT copies, the entry. */
export function addFile(img: Uint8Array, name: string, data: Uint8Array, v: FatVolume = fatVolume(img)): void {
    const [base, ext = ''] = name.toUpperCase().split('.');
    if (base.length > 8 || ext.length > 3) throw new Error(`${name}: not an 8.3 name`);
    let slot = -1;
    for (let k = 0; k < v.rootEntries && slot < 0; k++) {
        const o = rootStart(v) + 32 * k;
        if (img[o] === 0 || img[o] === 0xe5) slot = o;
    }
    if (slot < 0) throw new Error('the root directory is full');
    const need = Math.max(1, Math.ceil(data.length / clusterBytes(v)));
    const chain: number[] = [];
    for (let c = 2; c < v.clusters + 2 && chain.length < need; c++) if (fatGet(img, v, c) === 0) chain.push(c);
    if (chain.length < need) throw new Error('the volume is full');
    chain.forEach((c, i) => {
        fatSet(img, v, c, i + 1 < chain.length ? chain[i + 1] : v.bits === 12 ? 0xfff : 0xffff);
        const at = dataStart(v) + (c - 2) * clusterBytes(v);
        img.fill(0, at, at + clusterBytes(v));
        img.set(data.subarray(i * clusterBytes(v), (i + 1) * clusterBytes(v)), at);
    });
    const entry = new Uint8Array(32);
    entry.set(new TextEncoder().encode(base.padEnd(8) + ext.padEnd(3)), 0);
    entry[11] = 0x20; // archive
    entry[26] = chain[0] & 0xff;
    entry[27] = chain[0] >> 8;
    new DataView(entry.buffer).setUint32(28, data.length, true);
    img.set(entry, slot);
}
