/**
 * A user-facing error: the message says what went wrong, `hint` says how to fix it.
 * The CLI prints these without a stack trace and exits with `exitCode`.
 */
export class MprtError extends Error {
    readonly hint?: string;
    readonly exitCode: number;

    constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'MprtError';
        this.hint = options.hint;
        this.exitCode = options.exitCode ?? 1;
    }
}

export function formatError(err: unknown): string {
    if (err instanceof MprtError) {
        return `error: ${err.message}` + (err.hint ? `\n  hint: ${err.hint}` : '');
    }
    if (err instanceof Error) {
        return `internal error: ${err.stack ?? err.message}`;
    }
    return `internal error: ${String(err)}`;
}
