/**
 * `mprt build --rtos freertos` without the real FreeRTOS-Kernel (not available here): where the kernel tree
 * comes from and how a missing or wrong one fails, the generated CMake project and FreeRTOSConfig.h of a
 * freertos build, and the kernel `mprt doctor` reports per build directory. Building on the real kernel
 * is untested (docs/rtos-firmware.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadBoard } from '../../cli/config/boards.js';
import { loadConfig } from '../../cli/config/load.js';
import { abiIdentity } from '../../cli/compile/abi.js';
import { generateTree } from '../../cli/generate/tree.js';
import { MprtError } from '../../cli/util/errors.js';
import { repoRoot } from '../../cli/util/paths.js';
import { buildKernelRows } from '../../cli/components/doctor.js';
import { checkFreertosTree, FREERTOS_REQUIRED_FILES, resolveFreertosKernel } from '../../cli/components/freertos.js';

const work = mkdtempSync(join(tmpdir(), 'mprt-freertos-'));
// an empty cache: a kernel that `mprt setup` put in the real one must not be found
const NO_ENV: NodeJS.ProcessEnv = { MPRT_CACHE: join(work, 'cache') };

/** A directory with the files the build takes from a FreeRTOS-Kernel tree (empty: only the layout matters). */
function kernelVersionLines(v: number[]): string {
    return `#define tskKERNEL_VERSION_NUMBER "V${v.join('.')}"\n#define tskKERNEL_VERSION_MAJOR ${v[0]}\n`
        + `#define tskKERNEL_VERSION_MINOR ${v[1]}\n#define tskKERNEL_VERSION_BUILD ${v[2]}\n`;
}

function fakeKernelTree(name: string, opts: { v11?: boolean; omit?: string; version?: number[] } = {}): string {
    const dir = join(work, name);
    for (const f of FREERTOS_REQUIRED_FILES) {
        if (f === opts.omit) continue;
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), f === 'include/FreeRTOS.h' && opts.v11 !== false ? '#define configNUMBER_OF_CORES 1\n'
            : f === 'include/task.h' ? kernelVersionLines(opts.version ?? [11, 3, 0]) : '');
    }
    return dir;
}

function config(set: string[], cwd = work, configFile?: string) {
    const b = loadBoard('pico');
    return loadConfig({ cwd, boardName: b.name, boardDefaults: b.defaults, set: ['frozen=', ...set], configFile });
}

function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
    assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof MprtError, String(err));
        assert.equal(err.exitCode, 2);
        const text = `${err.message}\n${err.hint ?? ''}`;
        for (const p of patterns) assert.match(text, p);
        return true;
    });
}

test('rtos.kernel accepts freertos; rtos.freertos_path is a plain path', () => {
    const e = config(['rtos.kernel=freertos', 'rtos.freertos_path= /opt/FreeRTOS-Kernel ']);
    assert.equal(e.config.rtos.kernel, 'freertos');
    assert.equal(e.config.rtos.freertos_path, '/opt/FreeRTOS-Kernel');
    // the kernel's stacks come from the C heap as with builtin
    assert.equal(e.layout.ram.cHeapSize, config(['rtos.kernel=builtin']).layout.ram.cHeapSize);
    rejects(() => config(['rtos.kernel=zephyr']), /one of none, builtin, freertos/);
});

test('no kernel tree given: the error names the flag, the key, the variable, what is expected and the fix', () => {
    rejects(() => resolveFreertosKernel(config(['rtos.kernel=freertos']), work, NO_ENV),
        /--freertos-path/, /rtos\.freertos_path/, /MPRT_FREERTOS_PATH/, /tasks\.c/, /portable\/ThirdParty\/GCC\/RP2040/,
        /--rtos builtin/);
});

test('a wrong kernel tree fails, saying where the path came from and what is missing', () => {
    rejects(() => resolveFreertosKernel(config(['rtos.kernel=freertos', `rtos.freertos_path=${join(work, 'nowhere')}`]), work, NO_ENV),
        /nowhere \(from --freertos-path/, /does not exist/);
    const noPort = fakeKernelTree('no-port', { omit: 'portable/ThirdParty/GCC/RP2040/port.c' });
    rejects(() => resolveFreertosKernel(config(['rtos.kernel=freertos']), work, { MPRT_FREERTOS_PATH: noPort }),
        /from MPRT_FREERTOS_PATH/, /missing portable\/ThirdParty\/GCC\/RP2040\/port\.c/);
    const old = fakeKernelTree('v10', { v11: false });
    rejects(() => resolveFreertosKernel(config(['rtos.kernel=freertos', `rtos.freertos_path=${old}`]), work, NO_ENV),
        /older than V11/);
    assert.deepEqual(checkFreertosTree(fakeKernelTree('ok-tree')), []);
    // V11.1.0 and V11.2.0 fail to build the firmware: refused by version, naming the one found and the one needed
    for (const v of [[11, 1, 0], [11, 2, 0]]) {
        const tree = fakeKernelTree(`v${v.join('')}`, { version: v });
        rejects(() => resolveFreertosKernel(config(['rtos.kernel=freertos', `rtos.freertos_path=${tree}`]), work, NO_ENV),
            new RegExp(`FreeRTOS-Kernel V${v.join('\\.')} \\(include/task\\.h\\); V11\\.3\\.0 or later is needed`));
    }
    assert.deepEqual(checkFreertosTree(fakeKernelTree('v1140', { version: [11, 4, 0] })), []);
    assert.match(checkFreertosTree(fakeKernelTree('v-none', { version: [] })).join(), /tskKERNEL_VERSION/);
});

test('the key wins over MPRT_FREERTOS_PATH; a relative path in a config file is relative to that file', () => {
    const a = fakeKernelTree('tree-a');
    const b = fakeKernelTree('tree-b');
    const fromKey = resolveFreertosKernel(config(['rtos.kernel=freertos', `rtos.freertos_path=${a}`]), work, { MPRT_FREERTOS_PATH: b });
    assert.equal(fromKey.path, a);
    const fromEnv = resolveFreertosKernel(config(['rtos.kernel=freertos']), work, { MPRT_FREERTOS_PATH: b });
    assert.deepEqual(fromEnv, { path: b, origin: 'MPRT_FREERTOS_PATH', version: 'V11.3.0' });
    const project = join(work, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'mprt.config.json'), JSON.stringify({ rtos: { kernel: 'freertos', freertos_path: '../tree-a' } }));
    const elsewhere = mkdtempSync(join(tmpdir(), 'mprt-freertos-cwd-'));
    const fromFile = resolveFreertosKernel(config([], elsewhere, join(project, 'mprt.config.json')), elsewhere, NO_ENV);
    assert.equal(fromFile.path, a);
    assert.match(fromFile.origin, /mprt\.config\.json/);
});

function generate(set: string[], freertos?: string) {
    const b = loadBoard('pico');
    const genDir = join(work, 'gen-' + set.join('-').replace(/\W+/g, '_'));
    const effective = config(set);
    generateTree({
        board: b, effective, abi: abiIdentity({ micropythonVersion: '1.25.0', config: effective.config }),
        paths: {
            micropython: '/src/micropython-1.25.0', picoSdk: '/src/pico-sdk-2.1.1', tinyusb: '/src/tinyusb-0.18.0',
            mbedtls: '/src/mbedtls-3.6', lwip: '/src/lwip-2.2.1', port: join(repoRoot(), 'ports', 'rp2'), repo: repoRoot(), freertos,
        },
        micropythonVersion: '1.25.0', genDir, outDir: join(work, 'out'), mpyCross: '/tools/mpy-cross',
        sourceDateEpoch: 1744675200, command: 'mprt build --board pico',
    });
    return {
        project: readFileSync(join(genDir, 'CMakeLists.txt'), 'utf8'),
        // the kernel's part of the project (templates/kernel/<name>.cmake.hbs)
        cmake: readFileSync(join(genDir, 'kernel.cmake'), 'utf8'),
        config: readFileSync(join(genDir, 'FreeRTOSConfig.h'), 'utf8'),
    };
}

test('a freertos build: the RTOS port on the FreeRTOS-Kernel CMake libraries instead of lib/rtos', () => {
    const { project, cmake, config: h } = generate(['rtos.kernel=freertos'], '/opt/FreeRTOS-Kernel');
    assert.match(cmake, /set\(FREERTOS_KERNEL_PATH "\/opt\/FreeRTOS-Kernel"\)/);
    assert.match(cmake, /set\(FREERTOS_CONFIG_FILE_DIRECTORY "\$\{MPRT_GEN_DIR\}"\)/);
    // the port's libraries are defined by its library.cmake once the SDK is initialised
    assert.match(cmake, /macro\(mprt_kernel_after_sdk_init\)\n\s+include\(\$\{FREERTOS_KERNEL_PATH\}\/portable\/ThirdParty\/GCC\/RP2040\/library\.cmake\)/);
    const include = project.indexOf('include(${MPRT_GEN_DIR}/kernel.cmake)');
    const init = project.indexOf('pico_sdk_init()');
    const after = project.indexOf('\nmprt_kernel_after_sdk_init()\n');
    assert.ok(include > 0 && init > include && after > init, 'the part is read before the SDK, its library.cmake included after pico_sdk_init()');
    assert.match(cmake, /set\(MPRT_KERNEL_LIBRARIES FreeRTOS-Kernel-Heap3\)/);
    assert.match(project, /target_link_libraries\(firmware \$\{MPRT_PICO_SDK_COMPONENTS\} \$\{MPRT_KERNEL_LIBRARIES\}\)/);
    assert.match(cmake, /set\(MPRT_KERNEL_QSTR_TARGETS FreeRTOS-Kernel FreeRTOS-Kernel-Core\)/);
    // the same firmware: our RTOS port (TinyUSB on the kernel, the threading module), then the kernel's glue
    assert.match(cmake, /include\(\$\{MPRT_PORT_DIR\}\/rtos\/rtos_port\.cmake\)/);
    assert.match(cmake, /MPRT_RTOS_FREERTOS=1/);
    // nothing of lib/rtos: neither its sources nor its headers
    assert.doesNotMatch(cmake, /\$\{MPRT_RTOS_DIR\}\/(src|include|port)/);
    // FreeRTOSConfig.h: the common part plus what the FreeRTOS-Kernel needs
    assert.match(h, /#define configNUMBER_OF_CORES\s+2/);
    // Picolibc TLS per task through the generic C runtime hooks, per core (not the kernel's one-global switch)
    assert.match(h, /#define configUSE_PICOLIBC_TLS\s+0/);
    assert.match(h, /#define configUSE_C_RUNTIME_TLS_SUPPORT\s+1/);
    assert.match(h, /#define configSET_TLS_BLOCK\(block\)\s+mprt_freertos_tls_set\(block\)/);
    for (const opt of ['configRUN_MULTIPLE_PRIORITIES', 'configUSE_TRACE_FACILITY', 'configKERNEL_PROVIDED_STATIC_MEMORY',
        'configUSE_DYNAMIC_EXCEPTION_HANDLERS', 'INCLUDE_vTaskDelete', 'INCLUDE_xTaskGetSchedulerState', 'INCLUDE_uxTaskGetStackHighWaterMark']) {
        assert.match(h, new RegExp(`#define ${opt}\\s+\\S`), opt);
    }
});

test('a builtin build has none of the FreeRTOS-Kernel parts', () => {
    const { project, cmake, config: h } = generate(['rtos.kernel=builtin']);
    assert.doesNotMatch(project, /FREERTOS|FreeRTOS-Kernel|MPRT_RTOS_DIR/);
    assert.doesNotMatch(cmake, /FREERTOS_KERNEL_PATH|FreeRTOS-Kernel|MPRT_RTOS_FREERTOS/);
    assert.match(cmake, /\$\{MPRT_RTOS_DIR\}\/src\/rtos_tasks\.c/);
    assert.match(cmake, /\$\{MPRT_RTOS_DIR\}\/include/);
    assert.doesNotMatch(h, /configRUN_MULTIPLE_PRIORITIES|INCLUDE_vTaskDelete/);
});

test('mprt build --rtos freertos without a kernel tree stops before building, with exit code 2', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mprt-freertos-cli-'));
    // an empty cache: no kernel from `mprt setup` either (the check comes before any other component is looked up)
    const env: NodeJS.ProcessEnv = { ...process.env, MPRT_CACHE: join(cwd, 'cache') };
    delete env.MPRT_FREERTOS_PATH;
    const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'mprt.js'), 'build', '--board', 'pico', '--rtos', 'freertos'], { cwd, env, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--rtos freertos needs the FreeRTOS-Kernel source tree/);
    assert.match(r.stderr, /MPRT_FREERTOS_PATH/);
    const bad = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'mprt.js'), 'build', '--board', 'pico', '--rtos', 'freertos',
        '--freertos-path', 'kernel'], { cwd, env, encoding: 'utf8' });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, new RegExp(`${cwd}/kernel \\(from --freertos-path`));
    assert.match(bad.stderr, /tasks\.c/);
    const r2 = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'mprt.js'), 'build', '--board', 'pico', '--rtos', 'rtx'], { cwd, env, encoding: 'utf8' });
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /builtin.*freertos/);
});

test('mprt doctor: one row per build directory with the kernel its firmware was built on', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mprt-doctor-'));
    const tree = fakeKernelTree('doctor-tree');
    const builds: Record<string, object> = {
        a: { board: 'pico', config: { 'rtos.kernel': 'builtin' }, kernel: { name: 'builtin', path: join(repoRoot(), 'lib', 'rtos') } },
        b: { board: 'pico_w', config: { 'rtos.kernel': 'none' } }, // an older record without "kernel"
        c: { board: 'pico', config: { 'rtos.kernel': 'freertos' }, kernel: { name: 'freertos', path: tree } },
        d: { board: 'pico', config: { 'rtos.kernel': 'freertos' }, kernel: { name: 'freertos', path: join(cwd, 'gone') } },
    };
    for (const [dir, info] of Object.entries(builds)) {
        mkdirSync(join(cwd, 'build', dir), { recursive: true });
        writeFileSync(join(cwd, 'build', dir, 'size.json'), JSON.stringify(info));
    }
    mkdirSync(join(cwd, 'build', 'not-a-build'));
    const rows = buildKernelRows(cwd);
    assert.deepEqual(rows.map((r) => [r.name, r.source, r.path, r.status]), [
        ['build/a', 'board pico', 'kernel: builtin (lib/rtos)', 'ok'],
        ['build/b', 'board pico_w', 'kernel: none (MicroPython alone)', 'ok'],
        ['build/c', 'board pico', `kernel: FreeRTOS-Kernel at ${tree}`, 'ok'],
        ['build/d', 'board pico', `kernel: FreeRTOS-Kernel at ${join(cwd, 'gone')}`, 'warning'],
    ]);
    assert.match(rows[3].fix ?? '', /--freertos-path/);
});
