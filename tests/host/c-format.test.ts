/** Our C follows MicroPython's own uncrustify style (tests/tools/c-format.ts); fix with `npm run format:c`. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { ourCFiles, uncrustifyConfig, unformattedCFiles } from '../tools/c-format.js';

test("our C follows MicroPython's uncrustify style", () => {
    assert.ok(existsSync(uncrustifyConfig()), `${uncrustifyConfig()} (run npx mprt setup)`);
    const files = ourCFiles();
    assert.ok(files.length > 50, `${files.length} C files`);
    assert.ok(!files.some((f) => f.includes('/.cache/') || f.startsWith('build/')), 'only our trees');
    const bad = unformattedCFiles(files);
    assert.deepEqual(bad, [], `not formatted (fix: npm run format:c): ${bad.join(', ')}`);
});
