/**
 * Where the runner gets its boards: emulated ones from the emulator's openBoard (cli/emulator/board.ts),
 * or the one board on a serial port / pty (cli/repl/serial.ts, `mprt test --port`).
 */
import { openBoard, type Rp2040Board } from '../emulator/board.js';
import type { BoardOptions } from '../emulator/types.js';
import { openPortTarget, type PortOptions } from '../repl/serial.js';
import type { TestTarget } from './session.js';

/** What the tests run on: an emulated board (its options) or a board on a port. */
export type TargetSpec = BoardOptions | PortOptions;

export function isPortSpec(spec: TargetSpec): spec is PortOptions {
    return 'port' in spec;
}

/** Opens the target; the emulated chip is created here and started by TestTarget.boot. */
export async function openTarget(spec: TargetSpec): Promise<TestTarget> {
    if (isPortSpec(spec)) return openPortTarget(spec);
    return emulatedTarget(await openBoard(spec));
}

/**
 * An emulated board as a test target (not booted yet: TestTarget.boot does it). Host-driven tests that
 * prepare the board themselves (files, freezes, power cycles) run scripts on it with the runner's
 * session through this (tests/firmware/F7-freeze-asyncio.test.ts).
 */
export function emulatedTarget(board: Rp2040Board): TestTarget {
    return {
        repl: board.repl,
        boot: (timeoutMs) => board.boot({ timeoutMs }),
        restart: async (timeoutMs) => {
            await board.powerCycle();
            await board.boot({ timeoutMs });
        },
        nowMs: () => board.nowMs(),
        close: () => board.close(),
    };
}
