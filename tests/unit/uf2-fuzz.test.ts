import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from './seeded-rng.js';
import { FLASH_BASE, UF2_FAMILY_ID } from '../../cli/chip/rp2040.js';
import { decodeUf2, encodeUf2, Uf2FormatError, uf2ToImage } from '../../cli/formats/uf2.js';

function onlyUf2Errors(bytes: Uint8Array, what: string): 'ok' | 'rejected' {
    try {
        const dec = decodeUf2(bytes);
        if (dec.ranges.length > 0) uf2ToImage(dec);
        return 'ok';
    } catch (e) {
        if (!(e instanceof Uf2FormatError)) assert.fail(`${what}: threw ${String(e)} instead of Uf2FormatError`);
        assert.ok(e.message.length > 10, `${what}: message too short`);
        return 'rejected';
    }
}

test('fuzz: random mutations of a valid UF2 never crash, only raise Uf2FormatError', () => {
    const next = rng(0xc0ffee);
    const data = new Uint8Array(2000).map((_, i) => (i * 7) & 0xff);
    const good = encodeUf2(data, { baseAddress: FLASH_BASE, familyId: UF2_FAMILY_ID });
    let rejected = 0;
    let accepted = 0;
    for (let iter = 0; iter < 3000; iter++) {
        const c = good.slice();
        const edits = 1 + (next() % 4);
        for (let k = 0; k < edits; k++) {
            const kind = next() % 4;
            const block = next() % 8;
            if (kind === 0) c[next() % c.length] = next() & 0xff; // any byte
            else if (kind === 1) c[block * 512 + (next() % 32)] = next() & 0xff; // a header byte
            else if (kind === 2) new DataView(c.buffer).setUint32(block * 512 + 4 * (next() % 8), next(), true); // a header word
            else c[block * 512 + 508 + (next() % 4)] ^= 1 << next() % 8; // the end magic
        }
        const cut = next() % 5 === 0 ? c.subarray(0, next() % c.length) : c;
        if (onlyUf2Errors(cut, `iteration ${iter}`) === 'ok') accepted++;
        else rejected++;
    }
    // both outcomes happen: payload-byte edits stay valid, header edits are caught
    assert.ok(rejected > 1000, `rejected ${rejected}`);
    assert.ok(accepted > 100, `accepted ${accepted}`);
});

test('fuzz: random byte strings with valid magics never crash', () => {
    const next = rng(42);
    for (let iter = 0; iter < 2000; iter++) {
        const n = 1 + (next() % 4);
        const buf = new Uint8Array(n * 512);
        const v = new DataView(buf.buffer);
        for (let i = 0; i < buf.length; i += 4) v.setUint32(i, next(), true);
        for (let b = 0; b < n; b++) {
            if (next() % 8 !== 0) v.setUint32(b * 512, 0x0a324655, true);
            if (next() % 8 !== 0) v.setUint32(b * 512 + 4, 0x9e5d5157, true);
            if (next() % 8 !== 0) v.setUint32(b * 512 + 508, 0x0ab16f30, true);
            if (next() % 2) v.setUint32(b * 512 + 8, [0, 0x2000, 0x2001, 0x4000, 0x8000][next() % 5], true);
            if (next() % 2) v.setUint32(b * 512 + 16, next() % 600, true);
            if (next() % 2) v.setUint32(b * 512 + 20, next() % (n + 1), true);
            if (next() % 2) v.setUint32(b * 512 + 24, n, true);
        }
        onlyUf2Errors(buf, `iteration ${iter}`);
    }
});
