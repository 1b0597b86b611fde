// A time-ordered queue for the simulator: earliest time first, ties in insertion order, so a run is a pure
// function of its inputs and seed.
export interface Scheduled<T> {
  readonly atMs: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T> {
  #items: Scheduled<T>[] = [];
  #seq = 0;
  #cancelled = new Set<number>();

  /** Schedule `item` at `atMs`; returns a handle for `cancel`. */
  push(atMs: number, item: T): number {
    const entry = { atMs, seq: this.#seq++, item };
    // binary search for the insertion point keeps pop O(1)
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.#items[mid];
      if (m && (m.atMs < atMs || (m.atMs === atMs && m.seq < entry.seq))) lo = mid + 1;
      else hi = mid;
    }
    this.#items.splice(lo, 0, entry);
    return entry.seq;
  }

  cancel(handle: number): void {
    this.#cancelled.add(handle);
  }

  /** The next live entry due at or before `untilMs`, removed from the queue. */
  popUntil(untilMs: number): Scheduled<T> | undefined {
    for (;;) {
      const head = this.#items[0];
      if (!head || head.atMs > untilMs) return undefined;
      this.#items.shift();
      if (this.#cancelled.delete(head.seq)) continue;
      return head;
    }
  }
}
