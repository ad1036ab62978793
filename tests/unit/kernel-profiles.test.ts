/**
 * The kernel profiles (cli/config/kernel.ts) and their template parts: every kernel the configuration accepts
 * has a profile and both parts, and each kernel's CMake part (with the RTOS port's list when it includes it)
 * sets every MPRT_KERNEL_* variable the project reads, so a new kernel cannot leave one unset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abiText } from '../../cli/compile/abi.js';
import { loadBoard } from '../../cli/config/boards.js';
import { KERNEL_NAMES, KERNELS, kernelProfile } from '../../cli/config/kernel.js';
import { loadConfig } from '../../cli/config/load.js';
import { findKey } from '../../cli/config/schema.js';
import { generateTree } from '../../cli/generate/tree.js';
import { repoRoot } from '../../cli/util/paths.js';

const work = mkdtempSync(join(tmpdir(), 'mprt-kernels-'));

function generate(kernel: string): string {
    const b = loadBoard('pico');
    const effective = loadConfig({ cwd: work, boardName: b.name, boardDefaults: b.defaults, set: ['frozen=', `rtos.kernel=${kernel}`] });
    const genDir = join(work, kernel, 'gen');
    generateTree({
        board: b, effective, abi: { lines: [], id: new Uint8Array(16) },
        paths: {
            micropython: '/src/micropython-1.25.0', picoSdk: '/src/pico-sdk-2.1.1', tinyusb: '/src/tinyusb-0.18.0', mbedtls: '/src/mbedtls-3.6', lwip: '/src/lwip-2.2.1',
            port: join(repoRoot(), 'ports', 'rp2'), repo: repoRoot(), freertos: '/src/FreeRTOS-Kernel',
        },
        micropythonVersion: '1.25.0', genDir, outDir: join(work, kernel), mpyCross: '/tools/mpy-cross',
        sourceDateEpoch: 1744675200, command: 'mprt build --board pico',
    });
    return genDir;
}

test('rtos.kernel accepts exactly the kernels that have a profile, and each profile has its template parts', () => {
    const spec = findKey('rtos.kernel');
    assert.ok(spec?.type === 'enum');
    assert.deepEqual(spec.values, KERNEL_NAMES);
    for (const name of KERNEL_NAMES) {
        assert.equal(kernelProfile(name).name, name);
        for (const part of [`${name}.cmake.hbs`, `${name}.FreeRTOSConfig.h.hbs`]) {
            assert.ok(existsSync(join(repoRoot(), 'templates', 'kernel', part)), `templates/kernel/${part}`);
        }
    }
    assert.throws(() => kernelProfile('toString'), /unknown kernel/);
});

test('each kernel part sets every MPRT_KERNEL_* variable the project reads, and defines the after-SDK hook', () => {
    for (const name of KERNEL_NAMES) {
        const genDir = generate(name);
        const project = readFileSync(join(genDir, 'CMakeLists.txt'), 'utf8');
        const read = new Set([...project.matchAll(/\$\{(MPRT_KERNEL_\w+)\}/g)].map((m) => m[1]));
        assert.ok(read.size >= 10, `the project reads the kernel's lists (${[...read].join(', ')})`);
        let part = readFileSync(join(genDir, 'kernel.cmake'), 'utf8');
        if (part.includes('include(${MPRT_PORT_DIR}/rtos/rtos_port.cmake)')) {
            part = readFileSync(join(repoRoot(), 'ports', 'rp2', 'rtos', 'rtos_port.cmake'), 'utf8') + part;
        }
        const set = new Set([...part.matchAll(/^\s*(?:set|list\(APPEND|list\(PREPEND)\(?\s*(MPRT_KERNEL_\w+)/gm)].map((m) => m[1]));
        for (const v of read) assert.ok(set.has(v), `${name}: ${v} is set by its part`);
        assert.match(part, /macro\(mprt_kernel_after_sdk_init\)/, `${name}: the after-SDK hook`);
    }
});

test('the RAM keys, the ABI lines and the linker script message come from the profile', () => {
    for (const name of KERNEL_NAMES) {
        const k = KERNELS[name];
        for (const key of [k.ramKeys.cHeap, k.ramKeys.stack]) assert.ok(findKey(key), `${name}: ${key} is a configuration key`);
        const text = abiText({ micropythonVersion: '1.25.0', config: { rtos: { kernel: name } as never } });
        const at = text.indexOf(`kernel ${name}`);
        assert.deepEqual(text.slice(at + 1, at + 1 + k.abiLines.length), [...k.abiLines]);
        assert.ok(readFileSync(join(generate(name), 'memmap.ld'), 'utf8').includes(`"GC heap below 32 KB: ${k.gcHeapHint}"`));
    }
    // the port's thread-state access path is part of the identity of a firmware with a kernel only
    assert.deepEqual(KERNELS.none.abiLines, []);
    assert.notDeepEqual(KERNELS.builtin.abiLines, []);
});
