import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseFailure } from '../../cli/compile/ninja.js';

const command = '/usr/bin/arm-none-eabi-gcc ' + '-DX=1 '.repeat(100) + '-c /src/ports/rp2/main.c';

test('a compiler error names the failing file and its first errors, without the command line', () => {
    const log = [
        '[12/373] Building C object CMakeFiles/firmware.dir/src/py/obj.c.o',
        'FAILED: CMakeFiles/firmware.dir/src/ports/rp2/main.c.o ',
        command,
        '/src/ports/rp2/main.c: In function \'main\':',
        '/src/ports/rp2/main.c:42:5: error: \'foo\' undeclared (first use in this function)',
        '/src/ports/rp2/main.c:42:5: note: each undeclared identifier is reported only once',
        '/src/ports/rp2/main.c:57:1: error: expected \';\' before \'}\' token',
        'ninja: build stopped: subcommand failed.',
    ].join('\n');
    const s = summariseFailure(log);
    assert.equal(s.file, '/src/ports/rp2/main.c');
    assert.deepEqual(s.errors, [
        '/src/ports/rp2/main.c:42:5: error: \'foo\' undeclared (first use in this function)',
        '/src/ports/rp2/main.c:57:1: error: expected \';\' before \'}\' token',
    ]);
});

test('a link error is reported as such', () => {
    const log = [
        'FAILED: firmware.elf ',
        command,
        '/usr/bin/arm-none-eabi-ld: main.c.o: in function `main\':',
        'main.c:(.text.main+0x8): undefined reference to `missing_function\'',
        'collect2: error: ld returned 1 exit status',
    ].join('\n');
    const s = summariseFailure(log);
    assert.equal(s.file, 'firmware.elf (link)');
    assert.ok(s.errors.some((l) => l.includes('undefined reference to `missing_function\'')));
    assert.ok(s.errors.every((l) => l.length < 400));
});

test('a generator failure shows its traceback lines', () => {
    const log = ['FAILED: frozen_content.c /b/frozen_content.c ', 'cd /b && python3 makemanifest.py', 'error compiling broken.py:',
        'Traceback (most recent call last):', '  File "broken.py", line 1', 'SyntaxError: invalid syntax'].join('\n');
    const s = summariseFailure(log);
    assert.equal(s.file, 'frozen_content.c');
    assert.deepEqual(s.errors, ['error compiling broken.py:', 'Traceback (most recent call last):', '  File "broken.py", line 1', 'SyntaxError: invalid syntax']);
});
