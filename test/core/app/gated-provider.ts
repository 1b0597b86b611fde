/** A VipProvider wrapper that can hold an acquire at its start, to stage races deterministically. */
import type { Epoch, Outcome } from '../../../core/model/index.ts';
import type {
  ChangeReport,
  Holder,
  MoveOptions,
  Observation,
  VipProvider,
  VipResource,
} from '../../../core/ports/index.ts';

export class GatedProvider implements VipProvider {
  readonly name: string;
  readonly inner: VipProvider;
  /** Called at the start of every acquire; return a promise to hold that call. */
  beforeAcquire: (epoch: Epoch) => Promise<void> | void = () => undefined;
  readonly acquireEpochs: Epoch[] = [];
  constructor(inner: VipProvider) {
    this.inner = inner;
    this.name = inner.name;
  }
  observe(resource: VipResource): Promise<Outcome<Observation>> {
    return this.inner.observe(resource);
  }
  async acquire(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options?: MoveOptions,
  ): Promise<Outcome<ChangeReport>> {
    this.acquireEpochs.push(epoch);
    await this.beforeAcquire(epoch);
    return this.inner.acquire(resource, holder, epoch, options);
  }
  release(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options?: MoveOptions,
  ): Promise<Outcome<ChangeReport>> {
    return this.inner.release(resource, holder, epoch, options);
  }
}

/** A promise with its resolve function, to open a gate from the test. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}
