import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../cli/util/paths.js';
import { resolveToolchain } from '../../cli/toolchain/resolve.js';

// Every kernel source (portable core + RP2040 port) compiles for Cortex-M0+ at -Os with -Wall -Wextra
// -Werror, in the dual-core configuration with Picolibc TLS and the single-core one without, and the
// kernel stays small.
const rtos = join(repoRoot(), 'lib', 'rtos');
const objects = ['rtos_tasks.c.o', 'rtos_queue.c.o', 'rtos_timers.c.o', 'rtos_event_groups.c.o', 'rtos_notify.c.o',
    'rtos_list.c.o', 'rtos_stream_buffer.c.o', 'rtos_heap.c.o', 'rtos_port_rp2040.c.o', 'rtos_port_switch.S.o'];

/** Text size per object from `arm-none-eabi-size -t` output (Berkeley format). */
function textSizes(report: string): Map<string, number> {
    const rows = report.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    return new Map(rows.map((r) => [r[5].split('/').pop()!, Number(r[0])]));
}

for (const config of ['rp2040', 'rp2040-single']) {
    test(`kernel compiles for cortex-m0plus without warnings (${config}) and fits 16 KiB`, () => {
        const tc = resolveToolchain();
        const out = mkdtempSync(join(tmpdir(), 'mprt-rtos-arm-'));
        try {
            const report = execFileSync(
                'sh',
                [join(rtos, 'tests', 'rp2040', 'compile-check.sh'), out, join(rtos, 'tests', 'config', config)],
                { encoding: 'utf8', env: { ...process.env, ARM_CC: tc.gcc, ARM_SIZE: tc.size } },
            );
            const sizes = textSizes(report);
            for (const f of objects) assert.ok((sizes.get(f) ?? 0) > 0, `${f} missing or empty in\n${report}`);
            const total = sizes.get('(TOTALS)');
            assert.ok(total !== undefined && total < 16 * 1024, `kernel text ${total} B exceeds 16 KiB\n${report}`);
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });
}
