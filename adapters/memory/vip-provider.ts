import type { Epoch, Outcome } from '../../core/model/index.ts';
import type {
  ApiCall,
  ChangeReport,
  Holder,
  MoveOptions,
  Observation,
  VipProvider,
  VipResource,
} from '../../core/ports/index.ts';

interface Slot {
  holder: string | null;
  epoch: Epoch;
}

/**
 * The in-memory VipProvider: a map of resource -> holder that keeps the newest epoch written, refuses
 * older ones, and lets a test inject throttling. It yields between read and write like a real provider,
 * and writes are conditional (compare-and-set), so concurrent claims race the way they do in a cloud.
 */
export class MemoryVipProvider implements VipProvider {
  readonly name: string;
  readonly calls: ApiCall[] = [];
  #slots = new Map<string, Slot>();
  #throttle = 0;

  constructor(name = 'memory') {
    this.name = name;
  }

  /** The next `n` API calls answer `retry` (as a throttled provider would). */
  throttleNext(n: number): void {
    this.#throttle = n;
  }

  /** Sets the state behind the provider's back (a console edit, another tool). */
  set(resourceId: string, holder: string | null): void {
    const slot = this.#slot(resourceId);
    slot.holder = holder;
  }

  #slot(id: string): Slot {
    let slot = this.#slots.get(id);
    if (!slot) {
      slot = { holder: null, epoch: 0 };
      this.#slots.set(id, slot);
    }
    return slot;
  }

  /** Records a call; a throttled call is retried (like the real adapters do) up to 8 times. */
  #call(operation: string, params: Record<string, unknown>): Outcome<undefined> {
    for (let attempt = 1; ; attempt++) {
      this.calls.push({ service: 'memory', operation, params });
      if (this.#throttle === 0) return { kind: 'ok', value: undefined };
      this.#throttle--;
      if (attempt === 8) return { kind: 'retry', reason: 'memory: throttled', retryAfterMs: 1 };
    }
  }

  #view(id: string): Observation {
    const slot = this.#slot(id);
    return { resource: id, holder: slot.holder, detail: { epoch: slot.epoch } };
  }

  async observe(resource: VipResource): Promise<Outcome<Observation>> {
    const c = this.#call('get', { resource: resource.id });
    if (c.kind !== 'ok') return c;
    await Promise.resolve();
    return { kind: 'ok', value: this.#view(resource.id) };
  }

  async #move(
    resource: VipResource,
    from: string | null,
    to: string | null,
    epoch: Epoch,
    options: MoveOptions,
  ): Promise<Outcome<ChangeReport>> {
    const start = this.calls.length;
    const read = await this.observe(resource);
    if (read.kind !== 'ok') return read;
    const before = read.value;
    const report = (after: Observation, changed: boolean, calls = this.calls.slice(start)): ChangeReport => ({
      resource: resource.id,
      changed,
      before,
      after,
      calls,
    });
    if (epoch < (before.detail.epoch as number))
      return { kind: 'conflict', reason: `epoch ${epoch} is stale` };
    if (from !== null && before.holder !== from) return { kind: 'ok', value: report(before, false) }; // release: not ours
    if (before.holder === to) return { kind: 'ok', value: report(before, false) };
    if (to !== null && before.holder !== null && !options.takeover)
      return { kind: 'conflict', reason: `${resource.id} is held by ${before.holder}` };
    const write = {
      service: 'memory',
      operation: 'set',
      params: { resource: resource.id, holder: to, epoch },
    };
    if (options.dryRun) return { kind: 'ok', value: report({ ...before, holder: to }, true, [write]) };
    if (options.fence) {
      const still = await options.fence();
      if (still.kind !== 'ok') return still;
    }
    const c = this.#call('set', write.params);
    if (c.kind !== 'ok') return c;
    await Promise.resolve();
    const slot = this.#slot(resource.id);
    // Conditional write: the state must still be what was read (compare-and-set).
    if (slot.holder !== before.holder)
      return { kind: 'conflict', reason: `${resource.id} changed while moving` };
    slot.holder = to;
    slot.epoch = Math.max(slot.epoch, epoch);
    const verify = await this.observe(resource);
    if (verify.kind !== 'ok') return verify;
    return { kind: 'ok', value: report(verify.value, true) };
  }

  acquire(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move(resource, null, holder.id, epoch, options);
  }

  release(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move(resource, holder.id, null, epoch, options);
  }
}
