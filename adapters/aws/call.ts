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
 * Coalesces reads: every `get(id)` made in the same turn of the event loop is answered by ONE describe
 * call for all those ids (deduplicated, at most `max` per call). This is what keeps a 100-route failover
 * at about one read per route table instead of one per route.
 */
export class Coalescer<V> {
  #pending = new Map<string, Array<{ resolve: (o: Outcome<V>) => void; log: ApiCall[] }>>();
  #scheduled = false;
  readonly #fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>;
  readonly #max: number;

  constructor(fetch: (ids: string[], log: ApiCall[]) => Promise<Outcome<Map<string, V>>>, max = 100) {
    this.#fetch = fetch;
    this.#max = max;
  }

  /** `log` receives the describe call that served this read (shared with the other readers). */
  get(id: string, log: ApiCall[]): Promise<Outcome<V>> {
    return new Promise((resolve) => {
      const waiters = this.#pending.get(id) ?? [];
      waiters.push({ resolve, log });
      this.#pending.set(id, waiters);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
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
