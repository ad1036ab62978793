/**
 * The frozen plan (cli/generate/frozen.ts): MicroPython's asyncio include as it is, or, with the POSIX
 * layer's overlay, upstream's asyncio modules beside our package file (which replaces upstream's
 * __init__.py) and casyncio; every frozen file listed as a dependency of the frozen content.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { planFrozen } from '../../cli/generate/frozen.js';
import { componentPaths } from '../../cli/components/source-trees.js';
import { repoRoot } from '../../cli/util/paths.js';

const micropythonDir = '/mp';

test('asyncio without an overlay is MicroPython\'s manifest', () => {
    const plan = planFrozen(['asyncio'], { micropythonDir: componentPaths().micropython, base: repoRoot() });
    assert.deepEqual(plan.lines, ['include("$(MPY_DIR)/extmod/asyncio")']);
});

test('asyncio with the overlay: upstream modules without __init__.py, then ours, then casyncio', () => {
    const overlay = join(repoRoot(), 'ports', 'rp2', 'posix', 'modules');
    const plan = planFrozen(['asyncio'], { micropythonDir, base: repoRoot(), asyncioOverlay: overlay, asyncioOverlayVar: '$(V)' });
    assert.equal(plan.lines[0], 'package("asyncio", ("core.py", "event.py", "funcs.py", "lock.py", "stream.py"), base_path="$(MPY_DIR)/extmod", opt=3)');
    assert.equal(plan.lines[1], 'module("uasyncio.py", base_path="$(MPY_DIR)/extmod/asyncio", opt=3)');
    assert.match(plan.lines[2], /^package\("asyncio", \("__init__\.py", "fdio\.py", "runner\.py"\), base_path="\$\(V\)", opt=3\)$/);
    assert.equal(plan.lines[3], 'module("casyncio.py", base_path="$(V)", opt=3)');
    assert.ok(!plan.sources.includes(join(micropythonDir, 'extmod', 'asyncio', '__init__.py')));
    for (const f of ['asyncio/__init__.py', 'asyncio/runner.py', 'asyncio/fdio.py', 'casyncio.py']) assert.ok(plan.sources.includes(join(overlay, f)), f);
    assert.ok(plan.sources.includes(join(micropythonDir, 'extmod', 'asyncio', 'core.py')));
});
