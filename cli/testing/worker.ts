/**
 * A worker thread that owns one board (emulated, or on a port) and runs scripts on it for the suite runner (pool.ts).
 * The emulator is CPU-bound JavaScript: one board per thread lets `-j N` use N cores, and lets the
 * main thread stop a board that wedges the JavaScript itself (by terminating the thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openTarget, type TargetSpec } from './board-factory.js';
import { TestSession } from './session.js';
import type { ScriptJob } from './session.js';

export interface WorkerInit {
    board: TargetSpec;
    unittestSource: string;
}

export type ToWorker = { type: 'boot' } | { type: 'run'; job: ScriptJob } | { type: 'close' };
export type FromWorker =
    | { type: 'booted'; wallMs: number; emulatedMs: number }
    | { type: 'fatal'; message: string }
    | { type: 'result'; id: string; raw: import('./types.js').RawRun }
    | { type: 'beat'; nowMs: number };

const port = parentPort;
if (port) {
    const init = workerData as WorkerInit;
    const session = new TestSession(() => openTarget(init.board), init.unittestSource);
    const post = (m: FromWorker): void => port.postMessage(m);
    const beat = setInterval(() => post({ type: 'beat', nowMs: session.nowMs() }), 1000);

    port.on('message', (msg: ToWorker) => {
        void (async () => {
            if (msg.type === 'boot') {
                const t0 = Date.now();
                try {
                    await session.ensureBoard();
                    post({ type: 'booted', wallMs: Date.now() - t0, emulatedMs: session.nowMs() });
                } catch (err) {
                    post({ type: 'fatal', message: (err as Error).message });
                }
            } else if (msg.type === 'run') {
                const raw = await session.run(msg.job);
                post({ type: 'result', id: msg.job.id, raw });
            } else {
                clearInterval(beat);
                await session.close();
                port.close();
            }
        })();
    });
}
