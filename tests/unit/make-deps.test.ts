/** parseMakeDeps: the header list of `gcc -M`, including names with spaces (an output directory like "b with space"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMakeDeps } from '../../cli/compile/module-sdk.js';

test('prerequisites across continuation lines, the target left out', () => {
    const text = 'probe-0.o: /tmp/probe-0.c /usr/include/a.h \\\n /x/b.h\\\n  /x/c.h\n';
    assert.deepEqual(parseMakeDeps(text), ['/tmp/probe-0.c', '/usr/include/a.h', '/x/b.h', '/x/c.h']);
});

test('escaped spaces, hashes and dollars stay inside one name', () => {
    const text = 'p.o: /tmp/b\\ with\\ space/cmake/generated/config_autogen.h /a/\\#odd.h /a/$$cost.h\n';
    assert.deepEqual(parseMakeDeps(text), ['/tmp/b with space/cmake/generated/config_autogen.h', '/a/#odd.h', '/a/$cost.h']);
});

test('CRLF continuations and empty input', () => {
    assert.deepEqual(parseMakeDeps('t.o: a.h \\\r\n b.h\r\n'), ['a.h', 'b.h']);
    assert.deepEqual(parseMakeDeps(''), []);
    assert.deepEqual(parseMakeDeps('t.o:\n'), []);
});
