/**
 * A VipProvider for the chaos cloud, built on the same DriverProvider / moveResource path as the real
 * adapters (read, conditional write behind the fence check, read back): only the kind driver is test
 * code. Writes carry the decision's epoch and job (from MoveOptions.requestKey) so the cloud can record
 * them for the history checker.
 */
import {
  DriverProvider,
  guardedCall,
  tokenBucket,
  unlimited,
  type ClassifiedError,
  type KindDriver,
} from '../../core/failover/index.ts';
import { defaultFailoverPolicy, type FailoverPolicy } from '../../core/failover/index.ts';
import type { MoveOptions, VipResource } from '../../core/ports/index.ts';
import { realSleep, systemClock, systemRandom } from '../../adapters/system/index.ts';

interface Slot {
  holder: string | null;
  version: number;
}

class HttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs?: number) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

const classify = (err: unknown): ClassifiedError => {
  const status = err instanceof HttpError ? err.status : 0;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 429)
    return {
      class: 'throttling',
      code: 'HTTP429',
      message,
      ...(err instanceof HttpError && err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  if (status === 412) return { class: 'conflict', code: 'HTTP412', message };
  if (status >= 500 || status === 0)
    return { class: 'transient', code: status ? `HTTP${status}` : 'ECONNREFUSED', message };
  return { class: 'fatal', code: `HTTP${status}`, message };
};

export class ChaosCloudProvider extends DriverProvider {
  readonly name: string;
  readonly #url: string;
  readonly #call: Parameters<typeof guardedCall>[0];

  constructor(url: string, name = 'chaos', policy: FailoverPolicy = defaultFailoverPolicy) {
    super({ verify: policy.verify, random: systemRandom, sleep: realSleep });
    this.name = name;
    this.#url = url;
    this.#call = {
      provider: name,
      limiter: policy.rate.perSecond > 0 ? tokenBucket(policy.rate, systemClock, realSleep) : unlimited,
      policy: policy.call,
      random: systemRandom,
      sleep: realSleep,
    };
  }

  async #fetch(
    method: string,
    id: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<unknown> {
    const res = await fetch(`${this.#url}/r/${id}`, {
      method,
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok)
      throw new HttpError(res.status, Number(res.headers.get('retry-after-ms') ?? '') || undefined);
    return res.json();
  }

  protected driverFor(
    r: VipResource,
    holderId: string | null,
    options: MoveOptions,
  ): KindDriver<unknown> | string {
    const parts = (options.requestKey ?? '').split('|');
    const epoch = parts.length >= 3 ? (parts.at(-2) ?? '-1') : '-1';
    const job = parts.slice(0, -2).join('|');
    const driver: KindDriver<Slot> = {
      read: (log) =>
        guardedCall(
          this.#call,
          classify,
          log,
          { service: 'chaos', operation: 'get', params: { resource: r.id } },
          async () => (await this.#fetch('GET', r.id)) as Slot,
        ),
      observe: (s) => ({ resource: r.id, holder: s.holder, detail: { version: s.version } }),
      acquireWrites: (s) => {
        if (holderId === null || s.holder === holderId) return { kind: 'ok', value: [] };
        const params = { resource: r.id, holder: holderId, ifMatch: s.version, epoch: Number(epoch) };
        return {
          kind: 'ok',
          value: [
            {
              call: { service: 'chaos', operation: 'put', params },
              run: (log) =>
                guardedCall(this.#call, classify, log, { service: 'chaos', operation: 'put', params }, () =>
                  this.#fetch('PUT', r.id, {
                    body: { holder: holderId },
                    headers: {
                      'if-match': String(s.version),
                      'x-floatip-epoch': epoch,
                      'x-floatip-job': job,
                    },
                  }),
                ),
            },
          ],
        };
      },
      releaseWrites: () => ({ kind: 'ok', value: [] }),
    };
    return driver as KindDriver<unknown>;
  }
}
