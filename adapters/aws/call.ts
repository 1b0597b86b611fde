import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall } from '../../core/ports/index.ts';
import { guardedCall, type CallDeps } from '../../core/failover/index.ts';
import { classifyAwsError } from './errors.ts';

export type { CallDeps };

/** One EC2 / Route 53 call through the shared guard, classified by {@link classifyAwsError}. */
export function awsCall<T>(
  deps: CallDeps,
  log: ApiCall[],
  call: ApiCall,
  send: () => Promise<T>,
): Promise<Outcome<T>> {
  return guardedCall(deps, classifyAwsError, log, call, send);
}

/**
 * Coalesces reads: every `get(id)` made within `windowMs` of the first pending one is answered by ONE
 * describe call for all those ids (deduplicated, at most `max` per call). This is what keeps a 100-route
 * failover at a handful of describes instead of one per route and per check: the read-backs of writes
 * that finish a few ms apart share one call.
 */
export class Coalescer<V> {
  #pending = new Map<string, Array<{ resolve: (o: Outcome<V>) => void; log: ApiCall[] }>>();
  #scheduled = false;
  readonly #fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>;
  readonly #max: number;
  readonly #windowMs: number;

  constructor(
    fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>,
    options: { max?: number; windowMs?: number } = {},
  ) {
    this.#fetch = fetch;
    this.#max = options.max ?? 100;
    this.#windowMs = options.windowMs ?? 0;
  }

  /** `log` receives the describe call that served this read (shared with the other readers). */
  get(id: string, log: ApiCall[]): Promise<Outcome<V>> {
    return new Promise((resolve) => {
      const waiters = this.#pending.get(id) ?? [];
      waiters.push({ resolve, log });
      this.#pending.set(id, waiters);
      if (!this.#scheduled) {
        this.#scheduled = true;
        if (this.#windowMs > 0) setTimeout(() => void this.#flush(), this.#windowMs);
        else setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    const ids = [...pending.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += this.#max) chunks.push(ids.slice(i, i + this.#max));
    await Promise.all(
      chunks.map(async (chunk) => {
        const callLog: ApiCall[] = [];
        const out = await this.#fetch(chunk, callLog);
        for (const id of chunk) {
          const answer: Outcome<V> =
            out.kind !== 'ok'
              ? out
              : out.value.has(id)
                ? { kind: 'ok', value: out.value.get(id) as V }
                : { kind: 'give-up', reason: `${id} not found` };
          for (const w of pending.get(id) ?? []) {
            for (const c of callLog) if (!w.log.includes(c)) w.log.push(c);
            w.resolve(answer);
          }
        }
      }),
    );
  }
}
