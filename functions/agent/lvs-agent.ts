/**
 * The agent's hook for the LVS side: parse the same keepalived.conf, pick the data plane, run checks and
 * pools (lvs.ts), and keep the table the data plane holds for `floatip status --lvs`. Does nothing when the
 * config has no virtual_server.
 */
import type { Config } from '../../core/model/index.ts';
import type { LbTable, Logger } from '../../core/ports/index.ts';
import { IP_VS_VERSION_CODE, IpvsDataplane } from '../../adapters/onprem/ipvs/index.ts';
import { openProbeSocket } from '../../adapters/onprem/probe-socket.ts';
import { openTcpChecker } from '../../adapters/onprem/tcp-checker.ts';
import { createProbeRunner, type BfdStateLookup } from '../../adapters/probes/index.ts';
import { systemRandom } from '../../adapters/system/index.ts';
import { createLvs, type LvsObserver } from './lvs.ts';
import { openAddressWatcher } from '../../adapters/onprem/rtnetlink/address-watcher.ts';
import { chooseDataplane, type DataplaneChoice } from '../../adapters/onprem/lvs-dataplane.ts';

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

/** Hooks for the agent's metrics. */
export interface LvsReport {
  observe?: LvsObserver;
  /** A late failed attempt is being made again (see adapters/probes lateFailure). */
  onLate?: () => void;
}

export interface LvsSide {
  /** Reads the table (with its counters) and header from the data plane when asked. */
  status(): Promise<LvsStatus>;
  /** Applies the configuration the agent re-read on SIGHUP (a bad file never gets here). */
  reload(next: Config): Promise<void>;
  /** Every real server with its health verdict (the agent's metrics). */
  servers(): Array<{ vs: string; rs: string; up: boolean }>;
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
  /** What the agent's metrics count. */
  report: LvsReport = {},
): Promise<LvsSide | null> {
  if (config.virtualServers.length === 0) return null;
  try {
    return await run(config, log, choice, bfd, report);
  } catch (e) {
    const error = (e as Error).message;
    log.error(`lvs: not running: ${error}`);
    return {
      status: async () => ({
        plane: 'none',
        reason: error,
        error,
        version: IP_VS_VERSION_CODE,
        connTabSize: 4096,
        services: [],
      }),
      reload: async () => undefined,
      servers: () => [],
      stop: async () => undefined,
    };
  }
}

async function run(
  config: Config,
  log: Logger,
  choice: DataplaneChoice,
  bfd: BfdStateLookup | undefined,
  report: LvsReport,
): Promise<LvsSide> {
  const chosen = await chooseDataplane(choice);
  log.info(`lvs: ${chosen.dataplane.name} data plane (${chosen.reason})`);
  // ha_suspend: which virtual addresses are on this director, whoever adds them (our VRRP side or not).
  const addresses = await openAddressWatcher().catch((e: unknown) => {
    log.warn(`lvs: cannot watch addresses; ha_suspend will not suspend checks: ${String(e)}`);
    return undefined;
  });
  // TCP_CHECK through the addon's batched connector: the bulk of large pools (bench:checker).
  const tcp = openTcpChecker();
  const lvs = createLvs({
    ...(addresses ? { addresses } : {}),
    config,
    dataplane: chosen.dataplane,
    probe: createProbeRunner({
      openSocket: openProbeSocket,
      tcp,
      ...(bfd ? { bfd } : {}),
      ...(report.onLate ? { onLate: report.onLate } : {}),
    }),
    ...(report.observe ? { observe: report.observe } : {}),
    random: systemRandom,
    log,
  });
  try {
    await lvs.start();
  } catch (e) {
    await lvs.stop({ keepTable: true });
    tcp.close();
    addresses?.close();
    chosen.close();
    throw e;
  }
  // IPVS_CMD_GET_INFO for the JSON fields too; another plane has no IPVS version (its header says what it is).
  let version = 0;
  let connTabSize = 0;
  if (chosen.dataplane instanceof IpvsDataplane) {
    const info = await chosen.dataplane.info();
    if (info.kind === 'ok') ({ version, connTabSize } = info.value);
  }
  return {
    // Counters move without any change of ours, and nf_conntrack_max can change at run time: both are
    // read when someone asks, never on a timer (an nft listing of 5,000 destinations every 2 s cost the
    // agent more CPU than its 5,000 checks/s; bench:checker).
    async status() {
      const now = await chosen.dataplane.read().catch(() => undefined);
      const table: LbTable = now?.kind === 'ok' ? now.value : { services: [] };
      const header = await chosen.header().catch((e: unknown) => `${chosen.dataplane.name} (${String(e)})`);
      return {
        plane: chosen.dataplane.name,
        reason: chosen.reason,
        version,
        connTabSize,
        header,
        services: table.services,
      };
    },
    servers: () => lvs.servers(),
    async reload(next) {
      await lvs.reload(next).catch((e: unknown) => log.error('lvs: reload', { err: String(e) }));
    },
    async stop() {
      await lvs.stop();
      tcp.close();
      addresses?.close();
      chosen.close();
    },
  };
}
