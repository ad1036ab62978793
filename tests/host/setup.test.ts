import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupComponents } from '../../cli/components/setup.js';
import { readLock } from '../../cli/components/lock.js';
import { MprtError } from '../../cli/util/errors.js';
import { cacheDir } from '../../cli/util/paths.js';

// These tests use a private cache (MPRT_CACHE) seeded with the real cache's locked downloads, so they
// exercise verification, unpacking, patching and idempotence without re-downloading.
const realCache = cacheDir();
const lock = readLock()!;
const cache = mkdtempSync(join(tmpdir(), 'mprt-cache-'));
process.env.MPRT_CACHE = cache;
mkdirSync(join(cache, 'downloads'), { recursive: true });
const f = lock.components['pico-sdk'].files[0].name;
if (existsSync(join(realCache, 'downloads', f))) copyFileSync(join(realCache, 'downloads', f), join(cache, 'downloads', f));
const t = lock.components['tinyusb'].files[0].name;
if (existsSync(join(realCache, 'downloads', t))) copyFileSync(join(realCache, 'downloads', t), join(cache, 'downloads', t));
const quiet = { log: () => {}, warn: () => {} };

test('setup unpacks, patches and links pico-sdk, then is an offline no-op', async () => {
    const first = await setupComponents({ ...quiet, only: ['pico-sdk', 'tinyusb'] });
    const sdk = first.find((s) => s.name === 'pico-sdk')!;
    assert.equal(sdk.debianVersion, lock.components['pico-sdk'].debianVersion);
    // our patch 0001 adds README.md; the link points pico-sdk's lib/tinyusb at the tinyusb component
    assert.match(readFileSync(join(sdk.dir, 'README.md'), 'utf8'), /unpacked by mprt/);
    assert.ok(existsSync(join(sdk.dir, 'lib', 'tinyusb', 'src', 'tusb.h')));
    // second run: nothing to do, and no network needed (an unreachable mirror must not matter)
    process.env.MPRT_DEBIAN_MIRROR = 'http://127.0.0.1:9/debian';
    try {
        const second = await setupComponents({ ...quiet, only: ['pico-sdk', 'tinyusb'] });
        assert.deepEqual(second.map((s) => s.action), ['up-to-date', 'up-to-date']);
        const forced = await setupComponents({ ...quiet, only: ['pico-sdk'], force: true });
        assert.equal(forced[0].action, 'unpacked');
    } finally {
        delete process.env.MPRT_DEBIAN_MIRROR;
    }
});

test('an archive whose hash does not match the lock is named and deleted', async () => {
    const badLock = join(cache, 'bad-lock.json');
    const copy = structuredClone(lock);
    copy.components['tinyusb'].files[0].sha256 = '0'.repeat(64);
    writeFileSync(badLock, JSON.stringify(copy));
    await assert.rejects(
        setupComponents({ ...quiet, only: ['tinyusb'], force: true, lockFile: badLock }),
        (err: unknown) => err instanceof MprtError && err.message.includes(t) && /sha256 mismatch/.test(err.message),
    );
    assert.ok(!existsSync(join(cache, 'downloads', t)), 'the bad copy is deleted');
});
