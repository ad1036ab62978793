/**
 * The CMake side of `mprt build --rtos freertos`, without the real FreeRTOS-Kernel (not available here):
 * a stand-in tree with the kernel's layout and a library.cmake defining the RP2040 port's documented
 * targets (FreeRTOS-Kernel-Core, FreeRTOS-Kernel, FreeRTOS-Kernel-Heap3) is configured with pico-sdk. The
 * configure must pass and the compile database must take the kernel's sources and headers from that tree
 * and nothing from lib/rtos; the compile then stops at the stand-in's FreeRTOS.h (it has no kernel).
 * Skipped when the components are not set up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildFirmware } from '../../cli/compile/firmware.js';
import { componentPaths } from '../../cli/components/source-trees.js';
import { MprtError } from '../../cli/util/errors.js';
import { repoRoot } from '../../cli/util/paths.js';
import { FREERTOS_REQUIRED_FILES } from '../../cli/components/freertos.js';

function setupProblem(): string | false {
    try {
        componentPaths();
        return false;
    } catch (err) {
        return `components not set up (${(err as Error).message})`;
    }
}

const STANDIN_LIBRARY = `# test stand-in: the target names of the RP2040 port's library.cmake, no kernel
add_library(FreeRTOS-Kernel-Core INTERFACE)
target_sources(FreeRTOS-Kernel-Core INTERFACE \${FREERTOS_KERNEL_PATH}/tasks.c \${FREERTOS_KERNEL_PATH}/queue.c)
target_include_directories(FreeRTOS-Kernel-Core INTERFACE \${FREERTOS_KERNEL_PATH}/include)
add_library(FreeRTOS-Kernel INTERFACE)
target_sources(FreeRTOS-Kernel INTERFACE \${CMAKE_CURRENT_LIST_DIR}/port.c)
target_include_directories(FreeRTOS-Kernel INTERFACE \${CMAKE_CURRENT_LIST_DIR}/include \${FREERTOS_CONFIG_FILE_DIRECTORY})
target_link_libraries(FreeRTOS-Kernel INTERFACE FreeRTOS-Kernel-Core)
add_library(FreeRTOS-Kernel-Heap3 INTERFACE)
target_sources(FreeRTOS-Kernel-Heap3 INTERFACE \${FREERTOS_KERNEL_PATH}/portable/MemMang/heap_3.c)
target_link_libraries(FreeRTOS-Kernel-Heap3 INTERFACE FreeRTOS-Kernel)
`;

test('a freertos build configures against the kernel tree and takes nothing from lib/rtos', { skip: setupProblem() }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'mprt-freertos-cmake-'));
    try {
        const kernel = join(work, 'FreeRTOS-Kernel');
        for (const f of FREERTOS_REQUIRED_FILES) {
            mkdirSync(dirname(join(kernel, f)), { recursive: true });
            writeFileSync(join(kernel, f), '');
        }
        writeFileSync(join(kernel, 'include', 'FreeRTOS.h'), '// configNUMBER_OF_CORES\n#error stand-in FreeRTOS.h: no kernel here\n');
        // the release mprt checks for (tskKERNEL_VERSION_* of include/task.h)
        writeFileSync(join(kernel, 'include', 'task.h'),
            '#define tskKERNEL_VERSION_MAJOR 11\n#define tskKERNEL_VERSION_MINOR 3\n#define tskKERNEL_VERSION_BUILD 0\n');
        writeFileSync(join(kernel, 'portable', 'ThirdParty', 'GCC', 'RP2040', 'library.cmake'), STANDIN_LIBRARY);

        const out = join(work, 'out');
        await assert.rejects(
            buildFirmware({ board: 'pico', outDir: out, rtos: 'freertos', freertosPath: kernel, jobs: 2, cwd: repoRoot() }),
            (err: unknown) => {
                assert.ok(err instanceof MprtError, String(err));
                assert.match(`${err.message}\n${err.hint ?? ''}`, /stand-in FreeRTOS\.h: no kernel here/);
                return true;
            },
        );
        const db = JSON.parse(readFileSync(join(out, 'cmake', 'compile_commands.json'), 'utf8')) as { file: string; command: string }[];
        const files = db.map((e) => e.file);
        for (const f of ['tasks.c', 'queue.c', 'portable/MemMang/heap_3.c', 'portable/ThirdParty/GCC/RP2040/port.c']) {
            assert.ok(files.includes(join(kernel, f)), `${f} of the kernel tree is compiled`);
        }
        assert.deepEqual(files.filter((f) => f.includes('/lib/rtos/')), [], 'no lib/rtos source is compiled');
        const main = db.find((e) => e.file.endsWith('/ports/rp2/rtos/rtos_main.c'));
        assert.ok(main, 'the RTOS port is compiled');
        assert.match(main.command, new RegExp(`-I${join(kernel, 'include')}(\\s|$)`));
        assert.match(main.command, new RegExp(`-I${join(kernel, 'portable', 'ThirdParty', 'GCC', 'RP2040', 'include')}(\\s|$)`));
        assert.doesNotMatch(main.command, /lib\/rtos\/include/);
        assert.match(main.command, /-DMPRT_RTOS_FREERTOS=1/);
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
});
