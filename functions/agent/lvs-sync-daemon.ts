/**
 * The agent's `lvs_sync_daemon` hook: reads the global `lvs_sync_daemon IF VI [id N] [maxlen N] [port N]
 * [ttl N] [group IP]` (or the deprecated per-instance `lvs_sync_daemon_interface`), and wraps the VRRP
 * state notifier so the IPVS sync daemon follows that instance (core/app SyncDaemonFollower). The id
 * defaults to the instance's virtual_router_id; port and group are sent only when they differ from the
 * kernel's defaults (8848, 224.0.0.81), which is what the kernel would use anyway. On a kernel without
 * IPVS the follower logs the reason once and the agent carries on.
 */
import type { Config } from '../../core/model/index.ts';
import type {
  Logger,
  StateChange,
  StateNotifier,
  SyncDaemonConfig,
  SyncDaemonControl,
} from '../../core/ports/index.ts';
import {
  SyncDaemonFollower,
  wantedRole,
  type SyncDaemonFollowerStatus,
} from '../../core/app/sync-daemon-follower.ts';

export interface SyncDaemonSide {
  /** The notifier to hand to the VRRP service: delivers to `inner` and drives the sync daemon. */
  wrap(inner: StateNotifier): StateNotifier;
  /** Null when no sync daemon is configured. */
  status(): SyncDaemonFollowerStatus | null;
  /** Stops the running daemon (agent shutdown). */
  stop(): Promise<void>;
  /** Applies a reloaded config (throws, changing nothing, when its lvs_sync_daemon is bad). */
  reload(config: Config): Promise<void>;
}

/** The follower's settings from the config; null when no sync daemon is configured. Throws on a bad one. */
export function syncDaemonSettings(config: Config): { instance: string; daemon: SyncDaemonConfig } | null {
  const g = config.globalDefs.lvsSyncDaemon;
  let ifName = g?.interface;
  let instance = g?.vrrpInstance;
  if (g === undefined) {
    const legacy = Object.entries(config.vrrpInstances).find(
      ([, v]) => v.lvsSyncDaemonInterface !== undefined,
    );
    if (legacy === undefined) return null;
    [instance, ifName] = [legacy[0], legacy[1].lvsSyncDaemonInterface];
  }
  if (instance === undefined || ifName === undefined) return null;
  const vi = config.vrrpInstances[instance];
  if (vi === undefined) {
    const known = Object.keys(config.vrrpInstances).join(', ') || 'none';
    throw new Error(`lvs_sync_daemon: vrrp_instance ${instance} is not defined (instances: ${known})`);
  }
  const daemon: SyncDaemonConfig = { interface: ifName, syncId: g?.syncId ?? vi.virtualRouterId };
  if (g?.maxlen !== undefined) daemon.maxlen = g.maxlen;
  if (g?.ttl !== undefined) daemon.ttl = g.ttl;
  if (g !== undefined && g.port !== 8848) daemon.port = g.port;
  if (g !== undefined && g.group !== '224.0.0.81') daemon.group = g.group;
  return { instance, daemon };
}

const sameSettings = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The IPVS adapter, loaded (with its generic netlink codec) at its first call: an agent without
 * `lvs_sync_daemon` never loads it (test/functions/agent/agent-modules.test.ts).
 */
function lazyIpvsSyncDaemon(): SyncDaemonControl {
  let loading: Promise<SyncDaemonControl> | undefined;
  const control = () =>
    (loading ??= import('../../adapters/onprem/ipvs/sync-daemon.ts').then((m) => new m.IpvsSyncDaemon()));
  return {
    name: 'ipvs',
    start: async (role, config) => (await control()).start(role, config),
    stop: async (role, config) => (await control()).stop(role, config),
    list: async () => (await control()).list(),
  };
}

/**
 * The sync-daemon side of the agent. With no `lvs_sync_daemon` in the config it only passes changes on;
 * a reload that adds, changes or removes the setting stops the old daemon and lets the new settings
 * follow the instance's last known state. `control` is the IPVS adapter unless a test passes a double.
 */
export function openSyncDaemonSide(
  config: Config,
  log: Logger,
  control: SyncDaemonControl = lazyIpvsSyncDaemon(),
): SyncDaemonSide {
  /** Last state notified per instance, so a reload can start the right daemon at once. */
  const lastState = new Map<string, StateChange>();
  let settings: ReturnType<typeof syncDaemonSettings> = null;
  let follower: SyncDaemonFollower | null = null;
  const begin = (next: ReturnType<typeof syncDaemonSettings>): void => {
    settings = next;
    follower =
      next === null
        ? null
        : new SyncDaemonFollower({ control, config: next.daemon, instance: next.instance, log });
    if (follower === null || next === null) return;
    void follower.start();
    const last = lastState.get(next.instance);
    if (last !== undefined) void follower.onChange(last);
  };
  begin(syncDaemonSettings(config));
  return {
    wrap: (inner) => ({
      notify(change) {
        inner.notify(change);
        if (change.target.type === 'instance' && wantedRole(change.what) !== undefined)
          lastState.set(change.target.name, change);
        void follower?.onChange(change);
      },
      async idle() {
        await inner.idle();
        await follower?.idle();
      },
    }),
    status: () => follower?.status() ?? null,
    stop: async () => {
      await follower?.stop();
    },
    async reload(next) {
      const s = syncDaemonSettings(next);
      if (sameSettings(s, settings)) return;
      await follower?.stop();
      begin(s);
      await follower?.idle();
    },
  };
}
