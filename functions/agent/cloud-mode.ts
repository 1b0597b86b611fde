/**
 * Wires cloud mode into the agent without touching its VRRP logic: when a `cloud:` section is configured
 * (a native config, or `floatip-cloud.yaml` next to keepalived.conf), the agent's StateNotifier is wrapped
 * so that the instance named by `cloud.vrrpInstance` (any instance when unset) becoming MASTER moves the
 * cloud resources here, and while it stays MASTER a reconcile runs every `cloud.reconcileMs`. BACKUP,
 * FAULT and STOP end the reconciling; STOP also runs the cloud agent's onStop. Every change is still
 * forwarded to the wrapped notifier (notify scripts keep working).
 */
import type { Clock, Logger, StateChange, StateNotifier } from '../../core/ports/index.ts';
import { createCloudAgent, type CloudAgent } from './cloud.ts';
import { buildCloud, closeCloud, loadCloudSection, type CloudRuntime } from './cloud-setup.ts';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
  o: { logger: Logger; clock: Clock; env?: Record<string, string | undefined> },
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
  const log = o.logger.child({ cloud: section.group, member: self });
  const agent = createCloudAgent({ runtime, self, clock: o.clock, log });
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
      stopReconciling();
      if (c.what === 'STOP') void agent.onStop();
    }
  };
  log.info('cloud mode on', { file: loaded.value.file, resources: runtime.resources.map((r) => r.id) });
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
      await agent.onStop();
      await closeCloud(runtime);
    },
  };
}
