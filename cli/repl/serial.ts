/**
 * A board on a serial port (/dev/ttyACM0, a USB-UART adapter) or a pty (`mprt emulate --pty`), as a
 * raw-REPL Transport, without a native addon: `stty` (coreutils) puts the line in raw mode at the
 * baud rate, then the device is read and written through Node's tty streams. Times are wall-clock.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { promisify } from 'node:util';
import { MprtError } from '../util/errors.js';
import { RawRepl, type Transport } from './raw-repl.js';

export interface PortOptions {
    /** The serial device or pty path. */
    port: string;
    /** Line speed for UART adapters (USB CDC ignores it). Default 115200. */
    baud?: number;
}

export const DEFAULT_BAUD = 115200;

export class SerialTransport implements Transport {
    private chunks: Buffer[] = [];
    private readonly waiters = new Set<() => void>();
    private closedBecause: string | undefined;
    private readonly t0 = performance.now();

    private constructor(
        readonly path: string,
        private readonly input: ReadStream,
        private readonly output: WriteStream,
    ) {
        input.on('data', (d: Buffer) => {
            this.chunks.push(d);
            for (const w of [...this.waiters]) w();
        });
        const closed = (why: string) => () => {
            this.closedBecause ??= why;
            for (const w of [...this.waiters]) w();
        };
        input.on('end', closed('the port closed'));
        input.on('error', (e: Error) => closed(`the port failed: ${e.message}`)());
        output.on('error', (e: Error) => closed(`the port failed: ${e.message}`)());
    }

    /** Puts the line in raw mode (`stty`) and opens it. */
    static async open(opts: PortOptions): Promise<SerialTransport> {
        const { port } = opts;
        if (!existsSync(port)) throw new MprtError(`serial port ${port} not found`, { exitCode: 2, hint: 'is the board plugged in? (ls /dev/ttyACM*)' });
        try {
            await promisify(execFile)('stty', ['-F', port, 'raw', '-echo', String(opts.baud ?? DEFAULT_BAUD)]);
        } catch (err) {
            throw new MprtError(`cannot set up ${port} with stty: ${(err as Error).message.split('\n')[0]}`, {
                exitCode: 2,
                hint: 'is it a serial device, and may you open it? (the dialout group)',
            });
        }
        let fdIn: number;
        let fdOut: number;
        try {
            fdIn = openSync(port, constants.O_RDWR | constants.O_NOCTTY);
            fdOut = openSync(port, constants.O_RDWR | constants.O_NOCTTY);
        } catch (err) {
            throw new MprtError(`cannot open ${port}: ${(err as Error).message}`, { exitCode: 2 });
        }
        let input: ReadStream;
        let output: WriteStream;
        try {
            input = new ReadStream(fdIn);
            output = new WriteStream(fdOut);
        } catch (err) {
            closeSync(fdIn);
            closeSync(fdOut);
            throw new MprtError(`${port} is not a terminal device: ${(err as Error).message}`, { exitCode: 2 });
        }
        return new SerialTransport(port, input, output);
    }

    write(data: Uint8Array): void {
        if (this.closedBecause) return;
        this.output.write(data);
    }

    read(): Uint8Array {
        if (!this.chunks.length) return new Uint8Array(0);
        const out = Buffer.concat(this.chunks);
        this.chunks = [];
        return out;
    }

    wait(done: () => boolean, timeoutMs: number): Promise<boolean> {
        return new Promise((resolve, reject) => {
            const finish = (fn: () => void) => {
                clearTimeout(timer);
                this.waiters.delete(check);
                fn();
            };
            const check = () => {
                if (done()) finish(() => resolve(true));
                else if (this.closedBecause) finish(() => reject(new MprtError(`${this.path}: ${this.closedBecause}`, { exitCode: 3 })));
            };
            const timer = setTimeout(() => finish(() => resolve(done())), timeoutMs);
            this.waiters.add(check);
            check();
        });
    }

    nowMs(): number {
        return performance.now() - this.t0;
    }

    close(): void {
        this.closedBecause ??= 'closed';
        this.input.destroy();
        this.output.destroy();
    }
}

/**
 * A board on a port for the test runner (cli/testing/session.ts): it is up already; "booting" it
 * checks that it answers, and a hung board gets Ctrl-C (a port cannot power-cycle it).
 */
export async function openPortTarget(opts: PortOptions): Promise<{
    repl: RawRepl;
    boot(timeoutMs: number): Promise<void>;
    restart(timeoutMs: number): Promise<void>;
    nowMs(): number;
    close(): Promise<void>;
}> {
    const transport = await SerialTransport.open(opts);
    const repl = new RawRepl(transport);
    const answer = async (): Promise<void> => {
        try {
            await repl.enter();
        } catch (err) {
            throw new MprtError(`the board on ${opts.port} does not answer the raw REPL: ${(err as Error).message}`, { exitCode: 3, cause: err });
        }
    };
    return {
        repl,
        boot: answer,
        restart: answer,
        nowMs: () => transport.nowMs(),
        close: async () => {
            // leave the board at its friendly REPL, as mpremote does
            await repl.exit().catch(() => undefined);
            transport.close();
        },
    };
}
