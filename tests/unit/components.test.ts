import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesPin, upstreamOf } from '../../cli/components/debian.js';
import { readLock, writeLock } from '../../cli/components/lock.js';
import { findComponent, loadManifest } from '../../cli/components/components.js';
import { MprtError } from '../../cli/util/errors.js';

test('upstreamOf strips epoch, Debian revision and repack suffixes', () => {
    assert.equal(upstreamOf('1.25.0+ds-1'), '1.25.0');
    assert.equal(upstreamOf('2.2.1+dfsg1-1+deb13u1'), '2.2.1');
    assert.equal(upstreamOf('3.6.6-0.1~deb13u1'), '3.6.6');
    assert.equal(upstreamOf('15:12.2.rel1-1'), '12.2.rel1');
    assert.equal(upstreamOf('0.18.0+dfsg-1'), '0.18.0');
    assert.equal(upstreamOf('2.1.1-1'), '2.1.1');
});

test('matchesPin accepts Debian revisions of the pinned upstream version only', () => {
    assert.ok(matchesPin('1.25.0+ds-1', '1.25.0'));
    assert.ok(matchesPin('1.25.0+ds-7', '1.25.0'));
    assert.ok(!matchesPin('1.25.1+ds-1', '1.25.0'));
    assert.ok(!matchesPin('1.26.0-1', '1.25.0'));
    assert.ok(matchesPin('3.6.6-0.1~deb13u1', '3.6'));
    assert.ok(!matchesPin('3.60.0-1', '3.6'));
    assert.ok(!matchesPin('1.250-1', '1.25'));
});

test('the lock is written sorted and read back unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mprt-lock-'));
    const path = join(dir, 'lock.json');
    writeLock({ suite: 'trixie', components: { zeta: { debianVersion: '1-1', files: [] }, alpha: { debianVersion: '2-1', files: [{ name: 'a.tar.xz', sha256: 'ab' }] } } }, path);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.indexOf('"alpha"') < text.indexOf('"zeta"'));
    assert.deepEqual(readLock(path)?.components.alpha.files[0], { name: 'a.tar.xz', sha256: 'ab' });
});

test('the manifest pins every required component and the committed lock covers them', () => {
    const manifest = loadManifest();
    const lock = readLock();
    assert.ok(lock, 'vendor/lock.json is committed');
    for (const c of manifest.components.filter((x) => x.required)) {
        const locked = lock.components[c.name];
        assert.ok(locked, `lock has ${c.name}`);
        assert.ok(matchesPin(locked.debianVersion, c.version), `${c.name}: ${locked.debianVersion} carries ${c.version}`);
        for (const f of locked.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    }
});

test('an unknown component is a clear error listing the known ones', () => {
    assert.throws(() => findComponent('nosuch'), (err: unknown) => err instanceof MprtError && /micropython/.test(err.hint ?? ''));
});
