/**
 * Fault injection shared by every cloud emulator: latency, a token-bucket rate limit (separately for
 * reads and writes, like EC2's per-API buckets), queued one-shot faults (throttle, 5xx) and a random 5xx
 * rate from a seeded generator, and stale reads (eventual consistency: after a write, the next N reads
 * of that entity still show the old state).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** `busy`: the resource is locked by another write (ARM 409 AnotherOperationInProgress); others map it to throttle. */
export type Fault = 'throttle' | 'server-error' | 'busy';

interface Bucket {
  perSecond: number;
  burst: number;
  tokens: number;
  stamp: number;
}

const bucket = (perSecond: number, burst: number): Bucket => ({
  perSecond,
  burst,
  tokens: burst,
  stamp: Date.now(),
});

export interface FaultOptions {
  latencyMs?: number;
  /** Token buckets for reads and writes; a request finding its bucket empty is throttled. */
  rate?: { read: { perSecond: number; burst: number }; write: { perSecond: number; burst: number } };
  /** After a write, this many reads of the written entity still show the state from before it. */
  staleReads?: number;
  /** Probability of a 5xx per request, drawn from a seeded generator. */
  serverErrorRate?: number;
  seed?: number;
}

export class Faults {
  latencyMs: number;
  staleReads: number;
  serverErrorRate: number;
  #rate: { read: Bucket; write: Bucket } | null;
  #queue: Array<{ fault: Fault; match: (op: string) => boolean }> = [];
  #seed: number;
  /** How many requests the emulator refused with each fault (for tests and the bench). */
  readonly counts = { throttle: 0, 'server-error': 0, busy: 0 };

  constructor(o: FaultOptions = {}) {
    this.latencyMs = o.latencyMs ?? 0;
    this.staleReads = o.staleReads ?? 0;
    this.serverErrorRate = o.serverErrorRate ?? 0;
    this.#rate = o.rate
      ? {
          read: bucket(o.rate.read.perSecond, o.rate.read.burst),
          write: bucket(o.rate.write.perSecond, o.rate.write.burst),
        }
      : null;
    this.#seed = o.seed ?? 1;
  }

  /** The next `n` requests whose operation matches (default: any) fail with `fault`. */
  inject(fault: Fault, n = 1, operation?: string | RegExp): void {
    const match = (op: string): boolean =>
      operation === undefined ? true : typeof operation === 'string' ? op === operation : operation.test(op);
    for (let i = 0; i < n; i++) this.#queue.push({ fault, match });
  }

  #hooks: Array<{ match: RegExp; run: () => void }> = [];

  /**
   * Runs `run` once, just before the next request whose operation matches is served: a test's way to
   * let "somebody else" change the state between our read and our write.
   */
  beforeNext(operation: RegExp, run: () => void): void {
    this.#hooks.push({ match: operation, run });
  }

  /** Drops queued one-shot faults (latency, rates and stale reads stay as configured). */
  clear(): void {
    this.#queue = [];
    this.#hooks = [];
  }

  #random(): number {
    this.#seed = (this.#seed + 0x6d2b79f5) >>> 0;
    let t = this.#seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  #takeToken(b: Bucket): boolean {
    const now = Date.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.stamp) * b.perSecond) / 1000);
    b.stamp = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Waits the latency, then says which fault (if any) this request meets. */
  async admit(operation: string, isWrite: boolean): Promise<Fault | null> {
    if (this.latencyMs > 0) await delay(this.latencyMs);
    const h = this.#hooks.findIndex((x) => x.match.test(operation));
    if (h >= 0) this.#hooks.splice(h, 1)[0]?.run();
    const i = this.#queue.findIndex((q) => q.match(operation));
    let fault: Fault | null = null;
    if (i >= 0) fault = this.#queue.splice(i, 1)[0]?.fault ?? null;
    else if (this.#rate && !this.#takeToken(isWrite ? this.#rate.write : this.#rate.read)) fault = 'throttle';
    else if (this.serverErrorRate > 0 && this.#random() < this.serverErrorRate) fault = 'server-error';
    if (fault) this.counts[fault]++;
    return fault;
  }
}

/**
 * Old values kept for eventual consistency. `remember(key, old)` after a write; `read(key, current)` returns
 * the old value for the next `faults.staleReads` reads of that key, then the current one.
 */
export class StaleView<T> {
  #old = new Map<string, { value: T; left: number }>();
  readonly faults: Faults;
  constructor(faults: Faults) {
    this.faults = faults;
  }
  remember(key: string, old: T): void {
    if (this.faults.staleReads > 0 && !this.#old.has(key))
      this.#old.set(key, { value: old, left: this.faults.staleReads });
  }
  /** Keys that still have an old value to show. */
  keys(): string[] {
    return [...this.#old.keys()];
  }
  read(key: string, current: T): T {
    const o = this.#old.get(key);
    if (!o) return current;
    o.left--;
    if (o.left <= 0) this.#old.delete(key);
    return o.value;
  }
}
