/**
 * Wires cloud mode into the agent without touching its VRRP logic: when a `cloud:` section is configured
 * (a native config, or `floatip-cloud.yaml` next to keepalived.conf), the agent's StateNotifier is wrapped
 * so that the instance named by `cloud.vrrpInstance` (any instance when unset) becoming MASTER moves the
 * cloud resources here (core/app/cloud-agent.ts, through the one failover use case), and while it stays
 * MASTER a reconcile runs every `cloud.reconcileMs`. BACKUP, FAULT and STOP end the reconciling (and the
 * mastership the fence grants); STOP also runs the cloud agent's onStop. Every change is still forwarded
 * to the wrapped notifier (notify scripts keep working).
 *
 * The fence is the VRRP mastership; with `cloud.arbiter` it is that AND the group's lease in the control
 * plane's Redis, so two agents that are both MASTER (a split brain) never both act.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCloudAgent, createVrrpFence, type CloudAgent } from '../../core/app/index.ts';
import type { Clock, Fence, Logger, StateChange, StateNotifier } from '../../core/ports/index.ts';
import { MemoryGroupStore } from '../../adapters/memory/index.ts';
import { buildCloud, loadCloudSection, type CloudRuntime } from './cloud-setup.ts';
import { openArbiter, type Arbiter } from './cloud-arbiter.ts';
import { warmProviders } from '../shared/providers.ts';

export interface CloudMode {
  agent: CloudAgent;
  /** Wraps the agent's notifier: cloud moves on MASTER, reconciles while MASTER. */
  notifier(inner: StateNotifier): StateNotifier;
  stop(): Promise<void>;
}

/**
 * Opens cloud mode for `configPath`, or returns null when no cloud section exists. A cloud section that
 * is invalid, or names no member for this machine, is an error (the agent refuses to start).
 */
export function openCloudMode(
  configPath: string,
  o: { logger: Logger; clock: Clock; env?: Record<string, string | undefined>; priority?: number },
): CloudMode | null {
  const isNative = /\.(ya?ml|json)$/i.test(configPath);
  if (!isNative && !existsSync(join(dirname(configPath), 'floatip-cloud.yaml'))) return null;
  const loaded = loadCloudSection(configPath);
  if (!loaded.ok) {
    if (isNative && loaded.errors.every((e) => e.endsWith("no top-level 'cloud:' section"))) return null;
    throw new Error(loaded.errors.join('\n'));
  }
  const env = o.env ?? process.env;
  const section = loaded.value.section;
  const self = section.self ?? env['FLOATIP_MEMBER'];
  if (!self)
    throw new Error(
      `${loaded.value.file}: cloud.self is not set and FLOATIP_MEMBER is empty: which member is this?`,
    );
  const built = buildCloud(section, { env, clock: o.clock });
  if (!built.ok) throw new Error(built.errors.map((e) => `${loaded.value.file}: ${e}`).join('\n'));
  const runtime: CloudRuntime = built.value;
  // Loaded in the background from the start: not in the middle of the first MASTER transition.
  void warmProviders(runtime.providers.values());
  const log = o.logger.child({ cloud: section.group.id, member: self });
  const vrrp = createVrrpFence();
  const me = section.group.members.find((m) => m.id === self);
  const arbiter: Arbiter | null = section.arbiter
    ? openArbiter(section.arbiter, {
        gate: vrrp,
        node: self,
        priority: o.priority ?? me?.priority ?? 100,
        logger: log,
      })
    : null;
  const fence: Fence = arbiter?.fence ?? vrrp;
  const store = new MemoryGroupStore({ newest: () => arbiter?.fence.epoch ?? vrrp.epoch });
  const agent = createCloudAgent({
    deps: { ...runtime.deps(fence, store), logger: log },
    group: section.group,
    self,
    holdDownMs: section.holdDownMs,
    releaseOnStop: section.releaseOnStop,
    log,
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopReconciling = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const concerns = (c: StateChange): boolean =>
    section.vrrpInstance === undefined
      ? c.target.type === 'instance'
      : c.target.name === section.vrrpInstance;
  const react = (c: StateChange): void => {
    if (!concerns(c)) return;
    if (c.what === 'MASTER') {
      log.info('cloud: MASTER, moving resources here', { instance: c.target.name });
      vrrp.setMaster(true);
      void agent
        .onMaster()
        .catch((err: unknown) => log.error('cloud: failover failed', { err: String(err) }));
      stopReconciling();
      timer = setInterval(() => {
        void agent
          .reconcile()
          .catch((err: unknown) => log.error('cloud: reconcile failed', { err: String(err) }));
      }, section.reconcileMs);
      timer.unref();
    } else if (c.what === 'BACKUP' || c.what === 'FAULT' || c.what === 'STOP' || c.what === 'DELETED') {
      vrrp.setMaster(false);
      stopReconciling();
      void arbiter?.fence.stepDown();
      if (c.what === 'STOP') void agent.onStop();
    }
  };
  log.info('cloud mode on', {
    file: loaded.value.file,
    resources: section.group.resources.map((r) => r.id),
    arbiter: section.arbiter ? 'redis lease' : 'none (hold-down only)',
  });
  return {
    agent,
    notifier: (inner) => ({
      notify(change) {
        react(change);
        inner.notify(change);
      },
      idle: () => inner.idle(),
    }),
    async stop() {
      stopReconciling();
      vrrp.setMaster(false);
      await agent.onStop();
      await arbiter?.close();
      await runtime.close();
    },
  };
}
