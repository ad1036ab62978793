/**
 * The contract between the emulated board (cli/emulator/, implemented on rp2040js) and its users:
 * the `mprt emulate` command, the `mprt test` runner (cli/testing/) and host-driven firmware tests.
 * Times named `...Ms` without "wall" are emulated milliseconds (deterministic under load).
 */

export type ConsoleKind = 'usb' | 'uart';

export interface BoardOptions {
    /** Firmware image: a .uf2 or .elf file path. */
    firmware: string;
    /** Persist the emulated flash in this file across runs (created from the firmware when absent). */
    flashImage?: string;
    /** Where the REPL lives: USB CDC (default) or UART0. */
    console?: ConsoleKind;
    /** A real RP2040 boot ROM image instead of ours. */
    bootrom?: string;
    /** Number of emulated cores (default 2; core 1 waits in the boot ROM until launched). */
    cores?: 1 | 2;
    /** Safety net in wall-clock milliseconds for any single wait (default generous). */
    wallTimeoutMs?: number;
}

export interface ExecResult {
    /** What the code printed (raw-REPL stdout part). */
    stdout: string;
    /** The traceback / error text the raw REPL returned ('' when the code did not raise). */
    stderr: string;
    /** The code did not finish within the emulated timeout (board was interrupted or must be rebooted). */
    timedOut: boolean;
    /** Emulated milliseconds the execution took. */
    emulatedMs: number;
    /** The chip reset itself while running the code (machine.reset(), watchdog); the board was booted again. */
    reset?: boolean;
}

export interface EmulatedBoard {
    /** Boot (or reboot) until the REPL prompt is seen on the console. */
    boot(opts?: { timeoutMs?: number }): Promise<void>;
    /** Run code through the raw REPL (Ctrl-A ... Ctrl-D), like mpremote/pyboard.py do. */
    exec(code: string, opts?: { timeoutMs?: number }): Promise<ExecResult>;
    /** Send raw bytes to the console (the raw-REPL control bytes are cli/repl/raw-repl.ts's CTRL_*). */
    write(data: string | Uint8Array): void;
    /** Wait until `pattern` appears in console output received since the last read; returns the text. */
    readUntil(pattern: string | RegExp, opts?: { timeoutMs?: number }): Promise<string>;
    /** Everything received on the console since the last read, without waiting. */
    drain(): string;
    /** Power cycle: reset the chip, keep flash contents (and the flash image file). */
    powerCycle(): Promise<void>;
    /** Files on the board's filesystem, through the REPL. */
    readFile(path: string): Promise<Uint8Array>;
    writeFile(path: string, data: Uint8Array | string): Promise<void>;
    /** Whether the host side of the USB CDC link has stayed open (not re-enumerated) since boot. */
    usbLinkStable(): boolean;
    /** Emulated cycles executed and cycles spent waiting in WFI/WFE since boot (or since reset of counters). */
    cycles(): { total: number; waiting: number };
    /** Emulated time since boot, in milliseconds. */
    nowMs(): number;
    /** Stop the emulation, flush the flash image. */
    close(): Promise<void>;
}
