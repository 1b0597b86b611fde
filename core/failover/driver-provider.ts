import type { Epoch, Outcome } from '../model/index.ts';
import type {
  ChangeReport,
  Holder,
  MoveOptions,
  Observation,
  VipProvider,
  VipResource,
} from '../ports/index.ts';
import { moveResource, type KindDriver, type MoveDeps } from './move.ts';

/**
 * A VipProvider assembled from per-kind drivers. A cloud adapter only says how to find the driver of a
 * resource (`driverFor`); observing, acquiring and releasing then go through the one read -> write ->
 * verify path in `moveResource`, so no adapter can skip the re-read or the verification.
 *
 * `driverFor` answers a string when the resource or holder is not valid for this provider: that becomes a
 * `give-up` naming the problem, with nothing read or written.
 */
export abstract class DriverProvider implements VipProvider {
  abstract readonly name: string;
  readonly #deps: MoveDeps;

  constructor(deps: MoveDeps) {
    this.#deps = deps;
  }

  /** `options` carries takeover, and the decision's requestKey for APIs with idempotency tokens. */
  protected abstract driverFor(
    resource: VipResource,
    holderId: string | null,
    options: MoveOptions,
  ): KindDriver<unknown> | string;

  async observe(resource: VipResource): Promise<Outcome<Observation>> {
    const d = this.driverFor(resource, null, {});
    if (typeof d === 'string') return { kind: 'give-up', reason: d };
    const read = await d.read([]);
    return read.kind === 'ok' ? { kind: 'ok', value: d.observe(read.value) } : read;
  }

  acquire(
    r: VipResource,
    h: Holder,
    _epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move('acquire', r, h, options);
  }

  release(
    r: VipResource,
    h: Holder,
    _epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move('release', r, h, options);
  }

  #move(
    mode: 'acquire' | 'release',
    r: VipResource,
    h: Holder,
    options: MoveOptions,
  ): Promise<Outcome<ChangeReport>> {
    const d = this.driverFor(r, h.id, options);
    if (typeof d === 'string') return Promise.resolve({ kind: 'give-up', reason: d });
    return moveResource(d, mode, h.id, options, this.#deps);
  }
}
