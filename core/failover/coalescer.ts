import type { Outcome } from '../model/index.ts';
import type { ApiCall } from '../ports/index.ts';

export interface CoalescerOptions<V> {
  /** Most ids per call (the provider's page / filter limit). */
  max?: number;
  /** Arranges for `flush` to run once the collection window closes (a timer in the shell, a tick in tests). */
  schedule: (flush: () => void) => void;
  /** What an id missing from the answer means; when absent from these options, `give-up: not found`. */
  absent?: { value: V };
}

/**
 * Coalesces reads: every `get(id)` made before the scheduled flush is answered by ONE call for all those
 * ids (deduplicated, at most `max` per call). This is what keeps a 100-route failover at a handful of
 * describes instead of one per route and per check: the read-backs of writes that finish a few ms apart
 * share one call. `log` of every reader receives the call that served it.
 */
export class Coalescer<V> {
  #pending = new Map<string, Array<{ resolve: (o: Outcome<V>) => void; log: ApiCall[] }>>();
  #scheduled = false;
  readonly #fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>;
  readonly #options: CoalescerOptions<V>;

  constructor(
    fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>,
    options: CoalescerOptions<V>,
  ) {
    this.#fetch = fetch;
    this.#options = options;
  }

  get(id: string, log: ApiCall[]): Promise<Outcome<V>> {
    return new Promise((resolve) => {
      const waiters = this.#pending.get(id) ?? [];
      waiters.push({ resolve, log });
      this.#pending.set(id, waiters);
      if (!this.#scheduled) {
        this.#scheduled = true;
        this.#options.schedule(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    const ids = [...pending.keys()];
    const max = this.#options.max ?? 100;
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += max) chunks.push(ids.slice(i, i + max));
    await Promise.all(chunks.map((chunk) => this.#serve(chunk, pending)));
  }

  /**
   * One call for `chunk`. When a batch of several ids fails for good (one stale id makes EC2 refuse the
   * whole DescribeAddresses), it is split in halves and asked again, so the one bad id is answered with
   * its own failure and every other id still gets its value.
   */
  async #serve(
    chunk: string[],
    pending: Map<string, Array<{ resolve: (o: Outcome<V>) => void; log: ApiCall[] }>>,
  ): Promise<void> {
    const callLog: ApiCall[] = [];
    const out = await this.#fetch(chunk, callLog);
    if (out.kind === 'give-up' && chunk.length > 1) {
      for (const id of chunk) for (const w of pending.get(id) ?? []) w.log.push(...callLog);
      const half = Math.ceil(chunk.length / 2);
      await Promise.all([
        this.#serve(chunk.slice(0, half), pending),
        this.#serve(chunk.slice(half), pending),
      ]);
      return;
    }
    const absent = this.#options.absent;
    for (const id of chunk) {
      const answer: Outcome<V> =
        out.kind !== 'ok'
          ? out
          : out.value.has(id)
            ? { kind: 'ok', value: out.value.get(id) as V }
            : absent
              ? { kind: 'ok', value: absent.value }
              : { kind: 'give-up', reason: `${id} not found` };
      for (const w of pending.get(id) ?? []) {
        for (const c of callLog) if (!w.log.includes(c)) w.log.push(c);
        w.resolve(answer);
      }
    }
  }
}
