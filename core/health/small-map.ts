/**
 * A map for a handful of entries (a real server's checkers: usually one). The first entry lives in two
 * fields of the object, any others in one flat array of keys and values, looked up by a linear scan. A
 * `Map` costs about 180 bytes of heap even with one entry or none (its hash table starts with room for
 * several); the health engine keeps two per real server, which at 10,000 real servers was ~3.7 MB of the
 * agent's heap (bench/checker/rss.bench.ts). This one costs 48 bytes with one entry. Not for large maps:
 * every operation is linear in the size.
 *
 * Behaves as `Map` does for what the engine uses (test/core/health/small-map.test.ts runs random
 * operations on both and compares), except that an iteration sees the entries (and values) as they were
 * when it began: deleting or adding while iterating is safe and does not disturb the iteration.
 */
const NONE: unique symbol = Symbol('none');

export class SmallMap<K, V> {
  #k0: K | typeof NONE = NONE;
  #v0: V | undefined = undefined;
  /** Entries after the first: [key, value, key, value, ...], or undefined while there are none. */
  #more: Array<K | V> | undefined = undefined;

  get size(): number {
    return (this.#k0 === NONE ? 0 : 1) + (this.#more === undefined ? 0 : this.#more.length >> 1);
  }

  get(key: K): V | undefined {
    if (this.#k0 === key) return this.#v0;
    const more = this.#more;
    if (more !== undefined)
      for (let i = 0; i < more.length; i += 2) if (more[i] === key) return more[i + 1] as V;
    return undefined;
  }

  has(key: K): boolean {
    if (this.#k0 === key) return true;
    const more = this.#more;
    if (more !== undefined) for (let i = 0; i < more.length; i += 2) if (more[i] === key) return true;
    return false;
  }

  set(key: K, value: V): this {
    if (this.#k0 === key) {
      this.#v0 = value;
      return this;
    }
    const more = this.#more;
    if (more !== undefined)
      for (let i = 0; i < more.length; i += 2)
        if (more[i] === key) {
          more[i + 1] = value;
          return this;
        }
    if (this.#k0 === NONE && more === undefined) {
      this.#k0 = key;
      this.#v0 = value;
    } else this.#more = more === undefined ? [key, value] : more.concat(key, value);
    return this;
  }

  delete(key: K): boolean {
    const more = this.#more;
    if (this.#k0 === key) {
      // The next entry moves up, keeping insertion order.
      if (more === undefined) {
        this.#k0 = NONE;
        this.#v0 = undefined;
      } else {
        this.#k0 = more[0] as K;
        this.#v0 = more[1] as V;
        this.#more = more.length === 2 ? undefined : more.slice(2);
      }
      return true;
    }
    if (more === undefined) return false;
    for (let i = 0; i < more.length; i += 2)
      if (more[i] === key) {
        this.#more = more.length === 2 ? undefined : more.slice(0, i).concat(more.slice(i + 2));
        return true;
      }
    return false;
  }

  clear(): void {
    this.#k0 = NONE;
    this.#v0 = undefined;
    this.#more = undefined;
  }

  /**
   * The entries in insertion order, as they are now (a copy: later changes do not show). Static: an
   * instance method that is private would cost every instance a brand slot.
   */
  static #snapshot<K, V>(m: SmallMap<K, V>): Array<K | V> {
    const first = m.#k0 === NONE ? [] : [m.#k0, m.#v0 as V];
    return m.#more === undefined ? first : first.concat(m.#more);
  }

  *entries(): Generator<[K, V]> {
    const kv = SmallMap.#snapshot(this);
    for (let i = 0; i < kv.length; i += 2) yield [kv[i] as K, kv[i + 1] as V];
  }

  *values(): Generator<V> {
    const kv = SmallMap.#snapshot(this);
    for (let i = 1; i < kv.length; i += 2) yield kv[i] as V;
  }

  [Symbol.iterator](): Generator<[K, V]> {
    return this.entries();
  }
}
