/**
 * Shared shapes of the suite runner (`mprt test`): what a test is, what running it on a board gave,
 * and the verdict after comparing with the expected output.
 */

/** One test script to run on the board. */
export interface TestCase {
    /**
     * Stable name used in reports and baselines: relative to MicroPython's tests/ directory for the
     * upstream suites (`basics/int1.py`), relative to the repository for ours (`tests/firmware/x.py`).
     */
    id: string;
    /** Absolute path of the script. */
    path: string;
    /** Absolute path of the `.exp` file next to it, when there is one. */
    expPath?: string;
}

/** What the board gave for one script (before any comparison). */
export interface RawRun {
    /** What the script printed, then the traceback (if any), as run-tests.py assembles it. */
    output: string;
    /** The script raised (the raw REPL returned an error part) or the board could not run it. */
    crashed: boolean;
    /** The per-test timeout (emulated, or the wall-clock safety net) expired. */
    timedOut: boolean;
    /** Emulated milliseconds the script took (0 when unknown). */
    emulatedMs: number;
    /** Wall-clock milliseconds spent on the test, board preparation included. */
    wallMs: number;
    /** The board had to be rebooted (or replaced) after this test. */
    rebooted?: boolean;
}

export type Verdict = 'pass' | 'fail' | 'skip';

export interface TestResult {
    id: string;
    result: Verdict;
    /** Why it was skipped, or a one-line reason for a failure (e.g. `timeout`, `output differs`). */
    reason?: string;
    emulatedMs?: number;
    wallMs?: number;
    /** For failures: what the board printed and what was expected (both `\n` line ends). */
    output?: string;
    expected?: string;
}

export interface Summary {
    passed: number;
    failed: number;
    skipped: number;
}
