// The floatip-beside-keepalived lab of test/netns/vrrp/keepalived*-interop.test.ts: two directors (and a
// client when asked) on one segment; floatip agents and keepalived daemons started on them are killed and
// cleaned up after the suite, in reverse order, before the namespaces go.
import { after, before } from 'node:test';
import { assertLabPrerequisites, createLab, type Lab } from './netns.ts';
import { startFloatip, type RunningFloatip } from '../netns/vrrp/lib/floatip.ts';
import { startKeepalived, type RunningKeepalived } from '../netns/vrrp/lib/keepalived.ts';

export interface InteropLab {
  /** The lab (created in the suite's `before`). */
  readonly lab: Lab;
  /** Starts `floatip agent` on a node; resolves once it is ready. */
  floatip(node: string, config: string): Promise<RunningFloatip>;
  /** Starts keepalived on a node. */
  keepalived(node: string, config: string): RunningKeepalived;
}

/** Registers the suite's hooks (call it inside `describe`). */
export function interopLab(options: { tools: string[]; client: boolean }): InteropLab {
  let lab: Lab | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  const current = (): Lab => {
    if (!lab) throw new Error('the interop lab exists only inside the suite');
    return lab;
  };
  before(() => {
    assertLabPrerequisites(options.tools);
    lab = createLab({ directors: 2, client: options.client });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    lab?.destroy();
  });
  return {
    get lab() {
      return current();
    },
    async floatip(node, config) {
      const a = startFloatip(current(), node, config);
      cleanups.push(async () => {
        await a.kill();
        a.cleanup();
      });
      await a.ready();
      return a;
    },
    keepalived(node, config) {
      const k = startKeepalived(current(), node, config);
      cleanups.push(async () => {
        k.kill();
        await k.stop();
      });
      return k;
    },
  };
}

/** How many times keepalived logged that `instance` entered `state`. */
export const keepalivedEntered = (ka: RunningKeepalived, instance: string, state: string): number =>
  (ka.log().match(new RegExp(`\\(${instance}\\) Entering ${state} STATE`, 'g')) ?? []).length;
