/**
 * The agent's hook for the LVS side: parse the same keepalived.conf, pick the data plane, run checks and
 * pools (lvs.ts), and keep the table the data plane holds for `floatip status --lvs`. Does nothing when the
 * config has no virtual_server.
 */
import type { Config } from '../../core/model/index.ts';
import type { LbTable, Logger } from '../../core/ports/index.ts';
import { IP_VS_VERSION_CODE, IpvsDataplane } from '../../adapters/onprem/ipvs/index.ts';
import { openProbeSocket } from '../../adapters/onprem/probe-socket.ts';
import { createProbeRunner, type BfdStateLookup } from '../../adapters/probes/index.ts';
import { systemRandom } from '../../adapters/system/index.ts';
import { createLvs } from './lvs.ts';
import { openAddressWatcher } from '../../adapters/onprem/rtnetlink/address-watcher.ts';
import { chooseDataplane, type DataplaneChoice } from './lvs-dataplane.ts';

/** What `status --lvs` receives over the control socket. */
export interface LvsStatus {
  plane: string;
  reason: string;
  /** Set when the LVS side could not start (the VRRP side keeps running, as keepalived's does). */
  error?: string;
  version: number;
  connTabSize: number;
  /** The data plane's own first line for `status --lvs` (IPVS GET_INFO, or nf_conntrack's limits). */
  header?: string;
  services: LbTable['services'];
}

export interface LvsSide {
  status(): LvsStatus;
  /** Applies the configuration the agent re-read on SIGHUP (a bad file never gets here). */
  reload(next: Config): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the LVS side, or returns null when the config has no virtual servers. A failure (data plane
 * missing or refusing the table) is logged and reported by status(); it never stops the VRRP side.
 */
export async function startLvsSide(
  /** The configuration the agent read (once, for every side). */
  config: Config,
  log: Logger,
  choice: DataplaneChoice = 'auto',
  /** BFD_CHECK: the state of the agent's BFD sessions. */
  bfd?: BfdStateLookup,
): Promise<LvsSide | null> {
  if (config.virtualServers.length === 0) return null;
  try {
    return await run(config, log, choice, bfd);
  } catch (e) {
    const error = (e as Error).message;
    log.error(`lvs: not running: ${error}`);
    return {
      status: () => ({
        plane: 'none',
        reason: error,
        error,
        version: IP_VS_VERSION_CODE,
        connTabSize: 4096,
        services: [],
      }),
      reload: async () => undefined,
      stop: async () => undefined,
    };
  }
}

async function run(
  config: Config,
  log: Logger,
  choice: DataplaneChoice,
  bfd: BfdStateLookup | undefined,
): Promise<LvsSide> {
  const chosen = await chooseDataplane(choice);
  log.info(`lvs: ${chosen.dataplane.name} data plane (${chosen.reason})`);
  let table: LbTable = { services: [] };
  // ha_suspend: which virtual addresses are on this director, whoever adds them (our VRRP side or not).
  const addresses = await openAddressWatcher().catch((e: unknown) => {
    log.warn(`lvs: cannot watch addresses; ha_suspend will not suspend checks: ${String(e)}`);
    return undefined;
  });
  const lvs = createLvs({
    ...(addresses ? { addresses } : {}),
    config,
    dataplane: chosen.dataplane,
    probe: createProbeRunner({ openSocket: openProbeSocket, ...(bfd ? { bfd } : {}) }),
    random: systemRandom,
    log,
    onApplied: (t) => (table = t),
  });
  try {
    await lvs.start();
  } catch (e) {
    await lvs.stop({ keepTable: true });
    addresses?.close();
    chosen.close();
    throw e;
  }
  // Counters move without any change of ours: refresh the cached table for status every few seconds.
  const refresh = setInterval(() => {
    chosen.dataplane.read().then(
      (r) => r.kind === 'ok' && (table = r.value),
      () => undefined,
    );
  }, 2000);
  refresh.unref();
  let header = await chosen.header().catch((e: unknown) => `${chosen.dataplane.name} (${String(e)})`);
  // IPVS_CMD_GET_INFO for the JSON fields too; another plane has no IPVS version (its header says what it is).
  let version = 0;
  let connTabSize = 0;
  if (chosen.dataplane instanceof IpvsDataplane) {
    const info = await chosen.dataplane.info();
    if (info.kind === 'ok') ({ version, connTabSize } = info.value);
  }
  // nf_conntrack_max can be changed at run time; read it again with the counters.
  const refreshHeader = setInterval(() => {
    chosen.header().then(
      (h) => (header = h),
      () => undefined,
    );
  }, 10_000);
  refreshHeader.unref();
  return {
    status: () => ({
      plane: chosen.dataplane.name,
      reason: chosen.reason,
      version,
      connTabSize,
      header,
      services: table.services,
    }),
    async reload(next) {
      await lvs.reload(next).catch((e: unknown) => log.error('lvs: reload', { err: String(e) }));
    },
    async stop() {
      clearInterval(refresh);
      clearInterval(refreshHeader);
      await lvs.stop();
      addresses?.close();
      chosen.close();
    },
  };
}
