/**
 * One fact, one place: the RP2040's flash base, SRAM bounds, SIO block and UF2 family are written only in
 * cli/chip/rp2040.ts; every other TypeScript file (code, comments, tests, benches) imports them.
 * A line that holds one of these numbers for another reason says so with `one-fact: not an address`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { FLASH_BASE, SIO_BASE, SRAM_BASE, SRAM_END, UF2_FAMILY_ID } from '../../cli/chip/rp2040.js';
import { repoRoot } from '../../cli/util/paths.js';

const ROOT = repoRoot();
const OWNER = join('cli', 'chip') + sep;
const FACTS: [string, number][] = [
    ['the flash base', FLASH_BASE], ['the SRAM base', SRAM_BASE], ['the end of SRAM', SRAM_END], ['the SIO block', SIO_BASE],
    ['the UF2 family ID', UF2_FAMILY_ID],
];

function tsFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = join(dir, e.name);
        if (e.isDirectory()) return tsFiles(p);
        return e.name.endsWith('.ts') ? [p] : [];
    });
}

/** Hex (with or without `_` separators, any case) and decimal spellings of `n` in a line. */
function spells(line: string, n: number): boolean {
    const hexes = line.match(/\b0x[0-9a-f_]+\b/gi) ?? [];
    if (hexes.some((h) => parseInt(h.replace(/_/g, '').slice(2), 16) === n)) return true;
    return new RegExp(`(?<![\\w.])${n}(?![\\w.])`).test(line.replace(/(\d)_(?=\d)/g, '$1'));
}

test('the check sees every spelling of a number', () => {
    assert.ok(spells('const a = 0x10000000;', FLASH_BASE));
    assert.ok(spells('at 0X1000_0000 (XIP)', FLASH_BASE));
    assert.ok(spells('ORIGIN = 0x20000000', SRAM_BASE));
    assert.ok(spells(`base ${FLASH_BASE} here`, FLASH_BASE));
    assert.ok(spells('family 0xE48BFF56', UF2_FAMILY_ID));
    assert.ok(!spells('0x100000000 is past the end', FLASH_BASE));
    assert.ok(!spells('0x10000100 is inside', FLASH_BASE));
    assert.ok(!spells(`${FLASH_BASE}1`, FLASH_BASE));
});

test('the RP2040 memory map and UF2 family are spelled only in cli/chip/', () => {
    const found: string[] = [];
    for (const top of ['cli', 'tests', 'bench']) {
        for (const file of tsFiles(join(ROOT, top))) {
            const rel = relative(ROOT, file);
            if (rel.startsWith(OWNER) || rel === join('tests', 'unit', 'one-fact.test.ts')) continue;
            readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
                if (line.includes('one-fact: not an address')) return;
                for (const [what, n] of FACTS) if (spells(line, n)) found.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
            });
        }
    }
    assert.deepEqual(found, [], 'import these from cli/chip/rp2040.ts instead');
});
