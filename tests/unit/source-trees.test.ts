import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixMaps, sdkRoots, sizeRoots, type ComponentPaths } from '../../cli/components/source-trees.js';
import { loadManifest } from '../../cli/components/components.js';

const paths: ComponentPaths = {
    micropython: '/src/mp', picoSdk: '/src/sdk', tinyusb: '/src/tusb', mbedtls: '/src/tls', lwip: '/src/lwip', port: '/repo/ports/rp2', repo: '/repo',
};

test('one table gives the prefix maps, the size roots and the module SDK roots, in one order', () => {
    assert.deepEqual(prefixMaps(paths, '/out'), [
        { from: '/out', to: '/mprt/build' },
        { from: '/src/mp', to: '/mprt/src/micropython' },
        { from: '/src/sdk', to: '/mprt/src/pico-sdk' },
        { from: '/src/tusb', to: '/mprt/src/tinyusb' },
        { from: '/src/tls', to: '/mprt/src/mbedtls' },
        { from: '/src/lwip', to: '/mprt/src/lwip' },
        { from: '/repo', to: '/mprt/repo' },
    ]);
    assert.deepEqual(Object.entries(sizeRoots(paths, { 'generated (pins)': '/out/cmake', libgcc: '/gcc' })), [
        ['micropython', '/src/mp'], ['pico-sdk', '/src/sdk'], ['tinyusb', '/src/tusb'], ['mbedtls', '/src/tls'], ['lwip', '/src/lwip'],
        ['mprt port', '/repo/ports/rp2'], ['generated (pins)', '/out/cmake'], ['libgcc', '/gcc'],
    ]);
    assert.deepEqual(Object.entries(sdkRoots(paths)), [
        ['micropython', '/src/mp'], ['pico-sdk', '/src/sdk'], ['tinyusb', '/src/tusb'], ['mbedtls', '/src/tls'], ['lwip', '/src/lwip'], ['mprt', '/repo'],
    ]);
});

test('the FreeRTOS-Kernel tree gets its prefix only when the build has one', () => {
    const maps = prefixMaps({ ...paths, freertos: '/k' }, '/out');
    assert.deepEqual(maps.at(-1), { from: '/k', to: '/mprt/src/freertos-kernel' });
    assert.ok(!prefixMaps(paths, '/out').some((m) => m.to.includes('freertos')));
});

test('every component the prefix maps name is one of vendor/manifest.json', () => {
    const names = new Set(loadManifest().components.map((c) => c.name));
    for (const m of prefixMaps({ ...paths, freertos: '/k' }, '/out')) {
        const c = /^\/mprt\/src\/(.+)$/.exec(m.to)?.[1];
        if (c) assert.ok(names.has(c), `${c} is not in the manifest`);
    }
});
