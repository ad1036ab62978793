/**
 * Getting a running board into BOOTSEL mode without touching the button: `machine.bootloader()` over the
 * raw REPL, sent by mpremote (a pinned component), then waiting for the RPI-RP2 drive to appear.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mpremoteInvocation } from '../components/mpremote.js';
import { MprtError } from '../util/errors.js';
import { findBootselDrives, type BootselDrive, type SearchOptions } from './drive.js';

/** Asks the MicroPython board on `port` ('auto' = the first one mpremote finds) to reboot into its bootloader. */
export function rebootToBootsel(port: string, opts: { python?: string; timeoutMs?: number } = {}): void {
    const inv = mpremoteInvocation(['connect', port, 'bootloader'], { python: opts.python });
    const r = spawnSync(inv.command, inv.args, { env: inv.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 15_000 });
    if (r.error) throw new MprtError(`could not run mpremote: ${r.error.message}`, { hint: 'is python3 installed? `mprt doctor` checks' });
    // The board drops the connection as it reboots, so mpremote may report an error after sending the command;
    // only a failure to connect at all means nothing happened.
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 && /no device found|failed to access|could not open|could not enter raw repl/i.test(out)) {
        throw new MprtError(`could not reach a MicroPython board on ${port}: ${out.trim().split('\n').pop()}`, {
            hint: 'check the serial port (e.g. /dev/ttyACM0), or put the board in BOOTSEL mode by hand: hold BOOTSEL while plugging it in',
        });
    }
}

/** Polls until exactly one RP2040 BOOTSEL drive is mounted (the automounter needs a moment), or times out. */
export async function waitForDrive(search: SearchOptions = {}, timeoutMs = 10_000, pollMs = 250): Promise<BootselDrive | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const { drives } = findBootselDrives(search);
        if (drives.length === 1) return drives[0];
        if (Date.now() >= deadline) return undefined;
        await sleep(pollMs);
    }
}
