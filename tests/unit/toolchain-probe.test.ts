import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstError, PROBES, probeFix, type ProbeResult } from '../../cli/toolchain/probe.js';
import { SYSTEM_PACKAGES } from '../../cli/components/system.js';

const probe = (name: string) => PROBES.find((p) => p.name === name)!;
const failed = (name: string, output: string): ProbeResult => ({ probe: probe(name), ok: false, output, error: firstError(output) });

test('every probe names only packages mprt setup installs, and the firmware needs no newlib or C++', () => {
    const ours = new Set(SYSTEM_PACKAGES.map((p) => p.name));
    for (const p of PROBES) for (const pkg of p.packages) assert.ok(ours.has(pkg), `${p.name}: ${pkg} is not in vendor/host-packages.json`);
    for (const p of PROBES.filter((x) => x.for === 'firmware')) {
        assert.equal(p.driver, 'gcc', p.name);
        assert.ok(!p.packages.some((x) => /newlib|stdc\+\+/.test(x)), p.name);
        assert.ok(!p.args.includes('--specs=nosys.specs'), p.name);
    }
    assert.deepEqual(SYSTEM_PACKAGES.filter((p) => /newlib/.test(p.name)).map((p) => p.for), ['stock', 'stock']);
});

test('a failed probe names the missing Debian package and the command that installs it', () => {
    const out = "arm-none-eabi-gcc: fatal error: cannot read spec file 'picolibc.specs': No such file or directory\ncompilation terminated.\n";
    const r = failed('C with Picolibc', out);
    assert.equal(r.error, "arm-none-eabi-gcc: fatal error: cannot read spec file 'picolibc.specs': No such file or directory");
    const fix = probeFix(r, { origin: 'PATH', binDir: '/usr/bin' }, new Set(['gcc-arm-none-eabi', 'binutils-arm-none-eabi']));
    assert.match(fix, /^install picolibc-arm-none-eabi: npx mprt setup --yes/);
    assert.match(fix, /apt-get install --no-install-recommends picolibc-arm-none-eabi\)$/);
    const cxx = failed('C++ with newlib', 'probe.cpp:1:10: fatal error: cstdlib: No such file or directory\n');
    assert.match(probeFix(cxx, { origin: 'PATH', binDir: '/usr/bin' }, new Set(['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'])), /^install libstdc\+\+-arm-none-eabi-newlib:/);
});

test('a toolchain not from Debian gets the compiler error, not an apt command', () => {
    const r = failed('C with newlib', 'ld: cannot find -lc: No such file or directory\n');
    const fix = probeFix(r, { origin: '--toolchain', binDir: '/opt/arm/bin' }, new Set());
    assert.match(fix, /^the toolchain in \/opt\/arm\/bin \(--toolchain\) cannot do it: ld: cannot find -lc/);
    assert.doesNotMatch(fix, /apt-get/);
    assert.equal(firstError(''), 'failed with no output');
});
