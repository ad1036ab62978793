import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from './seeded-rng.js';
import { ElfFormatError, elfToFlashImage, parseElf } from '../../cli/formats/elf.js';
import { buildFixtureElf } from './elf-fixture.js';

test('fuzz: mutated and truncated ELF files raise only ElfFormatError', () => {
    const { bytes, shoff, phoff, symtabOffset } = buildFixtureElf();
    const next = rng(7);
    let rejected = 0;
    let accepted = 0;
    for (let iter = 0; iter < 5000; iter++) {
        const c = bytes.slice();
        const v = new DataView(c.buffer);
        const edits = 1 + (next() % 3);
        for (let k = 0; k < edits; k++) {
            const kind = next() % 5;
            if (kind === 0) c[next() % c.length] = next() & 0xff;
            else if (kind === 1) c[next() % 52] = next() & 0xff; // ELF header
            else if (kind === 2) v.setUint32(shoff + 4 * (next() % (c.length - shoff >> 2)), next() % 3 ? next() % 512 : next(), true); // section headers
            else if (kind === 3) v.setUint32(phoff + 4 * (next() % 16), next() % 2 ? next() % 1024 : next(), true); // program headers
            else c[symtabOffset + (next() % 80)] = next() & 0xff; // symbols
        }
        const input = next() % 6 === 0 ? c.subarray(0, next() % c.length) : c;
        try {
            const elf = parseElf(input);
            try {
                elfToFlashImage(elf);
            } catch (e) {
                if (!(e instanceof ElfFormatError)) throw e;
            }
            accepted++;
        } catch (e) {
            if (!(e instanceof ElfFormatError)) assert.fail(`iteration ${iter}: ${String((e as Error).stack ?? e)}`);
            rejected++;
        }
    }
    assert.ok(rejected > 1000, `rejected ${rejected}`);
    assert.ok(accepted > 200, `accepted ${accepted}`);
});
