/** A growable byte queue (console and USB host streams). */
export class ByteQueue {
    private buf = new Uint8Array(1024);
    private head = 0;
    private tail = 0;

    get length(): number {
        return this.tail - this.head;
    }

    push(data: Uint8Array): void {
        if (this.tail + data.length > this.buf.length) {
            const live = this.buf.subarray(this.head, this.tail);
            const size = Math.max(this.buf.length, (live.length + data.length) * 2);
            const next = size === this.buf.length ? this.buf : new Uint8Array(size);
            next.set(live, 0);
            this.buf = next;
            this.tail = live.length;
            this.head = 0;
        }
        this.buf.set(data, this.tail);
        this.tail += data.length;
    }

    shift(max: number): Uint8Array {
        const n = Math.min(max, this.length);
        const out = this.buf.slice(this.head, this.head + n);
        this.head += n;
        if (this.head === this.tail) this.head = this.tail = 0;
        return out;
    }

    shiftByte(): number {
        const v = this.buf[this.head++];
        if (this.head === this.tail) this.head = this.tail = 0;
        return v;
    }

    clear(): void {
        this.head = this.tail = 0;
    }
}
