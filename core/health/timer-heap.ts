/** A binary min-heap of timers keyed by due time; ties keep insertion order. Pure data structure. */
export interface HeapItem<T> {
  atMs: number;
  order: number;
  value: T;
}

export class TimerHeap<T> {
  #items: HeapItem<T>[] = [];
  #order = 0;

  get size(): number {
    return this.#items.length;
  }

  push(atMs: number, value: T): void {
    const items = this.#items;
    items.push({ atMs, order: this.#order++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  peek(): HeapItem<T> | undefined {
    return this.#items[0];
  }

  pop(): HeapItem<T> | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.#less(l, m)) m = l;
      if (r < items.length && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const x = this.#items[a] as HeapItem<T>;
    const y = this.#items[b] as HeapItem<T>;
    return x.atMs < y.atMs || (x.atMs === y.atMs && x.order < y.order);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const t = items[a] as HeapItem<T>;
    items[a] = items[b] as HeapItem<T>;
    items[b] = t;
  }
}
