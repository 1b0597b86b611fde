/**
 * The on-prem agent's composition root: reads keepalived.conf, checks capabilities, builds the on-prem
 * ports (raw VRRP sockets, rtnetlink, GARP/NA, notify scripts and FIFOs, the control socket) and runs the
 * VRRP use case until SIGTERM/SIGINT. SIGHUP re-reads the file and reloads; unchanged instances keep their
 * state. Every dependency can be overridden (tests).
 */
import type { Config } from '../../core/model/index.ts';
import type { Server } from 'node:net';
import { planVrrp, type VrrpAgentPlan } from '../../core/app/vrrp-plan.ts';
import { VrrpService } from '../../core/app/vrrp-service.ts';
import type {
  AddressManager,
  Announcer,
  Clock,
  InterfaceAddress,
  Logger,
  StateNotifier,
  VirtualLinkManager,
} from '../../core/ports/index.ts';
import {
  addReloadedLinks,
  keepVirtualLinks,
  removeReloadedLinks,
  setUpVirtualLinks,
  tearDownVirtualLinks,
} from '../../core/app/virtual-links.ts';
import { openAnnouncer } from '../../adapters/onprem/announcer.ts';
import {
  openAddressManager,
  openLinkWatcher,
  openRouteManager,
  openVirtualLinkManager,
} from '../../adapters/onprem/rtnetlink/index.ts';
import { openVrrpSocket } from '../../adapters/onprem/vrrp-socket.ts';
import { releaseMemory, trimMemory } from '../../adapters/onprem/memory.ts';
// The adapters' own modules, not the adapters/system barrel: that also brings node:crypto and the cloud
// failover core (provider-deps), which a keepalived agent does not use (agent-modules.test.ts).
import { createLogger } from '../../adapters/system/logger.ts';
import { createTimerService } from '../../adapters/system/timers.ts';
import { parseListen, serveMetrics } from '../../adapters/system/metrics-server.ts';
import { systemClock } from '../../adapters/system/clock.ts';
import { describeMissing, missingCapabilities } from './capabilities.ts';
import { startControlServer } from '../../adapters/system/control-server.ts';
import { removedHooks, stateNotifier } from '../../core/app/notify.ts';
import { Notifier, resolveHooks } from '../../adapters/system/notifier.ts';
import { startTrackers } from './trackers.ts';
import type { LvsSide } from './lvs-agent.ts';
import { openSyncDaemonSide } from './lvs-sync-daemon.ts';
import { startAgentBfd } from './bfd-agent.ts';
import type { CloudMode } from './cloud-mode.ts';
import { openCloudModeLazily } from './cloud-lazy.ts';
import { loadConfigCheckingScripts } from '../shared/script-security.ts';

export interface AgentOptions {
  configPath: string;
  socketPath: string;
  /** Seconds a notify script may run (notify_stop: 1 s as keepalived). */
  scriptTimeoutSec?: number;
  logger?: Logger;
  clock?: Clock;
  addresses?: AddressManager;
  announcer?: Announcer;
  /** `--metrics HOST:PORT`: serve Prometheus metrics there (off when absent). */
  metricsListen?: string;
}

export interface RunningAgent {
  service: VrrpService;
  reload(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the agent has stopped. */
  done: Promise<void>;
}

/**
 * Reads (with `include`s) and maps the config; throws one message listing every problem with file:line.
 */
export async function loadPlan(
  configPath: string,
  addresses: AddressManager,
  links?: VirtualLinkManager,
): Promise<VrrpAgentPlan> {
  return (await loadAgentConfig(configPath, addresses, links)).plan;
}

/**
 * Reads the file once for every side of the agent (VRRP plan, LVS, BFD, sync daemon), so that a file
 * edited while the agent reads it cannot give the sides two different configurations.
 */
async function loadAgentConfig(
  configPath: string,
  addresses: AddressManager,
  links?: VirtualLinkManager,
): Promise<{ config: Config; plan: VrrpAgentPlan }> {
  const { config, warnings } = await loadConfigCheckingScripts(configPath);
  const present: InterfaceAddress[] = await addresses.list();
  const primary = (interfaceName: string, family: 'ipv4' | 'ipv6') => {
    const mine = present.filter((a) => a.interfaceName === interfaceName);
    if (family === 'ipv4') return mine.find((a) => !a.address.includes(':') && a.scope !== 'host')?.address;
    return mine.find((a) => a.address.toLowerCase().startsWith('fe80:'))?.address;
  };
  const ownerOf = (address: string) =>
    present.find((a) => a.address.toLowerCase() === address.toLowerCase())?.interfaceName;
  const planned = planVrrp(config, primary, links ? await links.list() : [], ownerOf);
  if (!planned.ok) throw new Error(planned.errors.map((e) => `${configPath}: ${e}`).join('\n'));
  return { config, plan: { ...planned.plan, warnings: [...warnings, ...planned.plan.warnings] } };
}

/**
 * Start-up and reload peaks (config parse, the first data-plane apply) are over: give their memory back
 * (adapters/onprem/memory.ts; at 10,000 real servers about 20 MB of the agent's resident set,
 * bench/checker/rss.bench.ts). FLOATIP_AGENT_KEEP_MEMORY=1 skips it (for A/B figures).
 */
function settle(logger: Logger, config: Config): void {
  if (process.env['FLOATIP_AGENT_KEEP_MEMORY'] === '1') return;
  // The collection only where real servers make the peaks (tens of MB): a VRRP-only agent's are small,
  // and after the heap-shrinking collection its steady 10 ms adverts cost twice the CPU (bench:failover,
  // 1.1 % -> 2.0 % of a core for a master), so it keeps V8's own sizing and only gives glibc's free
  // memory back (about 0.6 MB; `npm run bench:checker-rss -- 0`).
  if (config.virtualServers.length === 0) {
    logger.debug('memory released', { trimmed: trimMemory() });
    return;
  }
  const r = releaseMemory();
  logger.debug('memory released', {
    heapMb: [r.heapBefore, r.heapAfter].map((b) => Math.round(b / 1048576)),
    trimmed: r.trimmed,
  });
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger({ name: 'floatip-agent' });
  const missing = describeMissing(missingCapabilities(['CAP_NET_RAW', 'CAP_NET_ADMIN']));
  if (missing) throw new Error(missing);
  const clock = options.clock ?? systemClock;
  if (options.metricsListen !== undefined) parseListen(options.metricsListen); // a bad value stops here
  // Metrics only when asked for: prom-client is not loaded otherwise. Sources are read at scrape time.
  const metrics =
    options.metricsListen === undefined
      ? undefined
      : (await import('./agent-metrics.ts')).createAgentMetrics({
          vrrp: () => service.status(),
          realServers: () => lvs?.servers() ?? [],
        });
  // cloud: resources move on MASTER; the SDKs load only when a cloud section exists
  const cloud = await openCloudModeLazily(options.configPath, { logger, clock });
  const withCloud: CloudMode['notifier'] = (n) => cloud?.notifier(n) ?? n;
  const addresses = options.addresses ?? openAddressManager();
  const vlinks = openVirtualLinkManager();
  let plan: VrrpAgentPlan;
  let config: Config;
  let removed: VrrpAgentPlan['hooks'] = {}; // hooks of instances the last reload removed
  try {
    ({ plan, config } = await loadAgentConfig(options.configPath, addresses, vlinks));
    // The parse's intermediates are garbage now: collected before the LVS side's start grows the heap
    // on top of them (the start-up peak, bench/checker/rss.bench.ts).
    settle(logger, config);
    await setUpVirtualLinks(vlinks, plan.virtualLinks, logger);
  } catch (e) {
    addresses.close(); // an open netlink socket would keep the process alive after the error
    vlinks.close();
    throw e;
  }
  const announcer = options.announcer ?? openAnnouncer();
  const links = openLinkWatcher();
  const routes = openRouteManager();
  for (const w of plan.warnings) logger.warn(w);
  // lvs_sync_daemon: the IPVS sync daemon follows its VRRP instance (a bad setting is logged, not fatal)
  let syncd: ReturnType<typeof openSyncDaemonSide> | undefined;
  try {
    syncd = openSyncDaemonSide(config, logger);
  } catch (e) {
    logger.error((e as Error).message);
  }
  const notifier = new Notifier({
    fifos: plan.fifos,
    scriptTimeoutSec: options.scriptTimeoutSec ?? 10,
    stopTimeoutSec: 1,
    log: (level, message) => logger[level](message),
    ...(metrics ? { onScript: metrics.notifyScript } : {}),
  });
  const counted = (inner: StateNotifier): StateNotifier =>
    metrics
      ? {
          notify(change) {
            metrics.transition(change.target.name, change.what);
            inner.notify(change);
          },
          idle: () => inner.idle(),
        }
      : inner;
  const service = new VrrpService({
    clock,
    addresses,
    announcer,
    timers: createTimerService(clock),
    notifier: ((n) => syncd?.wrap(n) ?? n)(
      withCloud(
        counted(
          stateNotifier(notifier, (key) => {
            const h = plan.hooks[key] ?? removed[key];
            return h && resolveHooks(h, (m) => logger.warn(m));
          }),
        ),
      ),
    ),
    logger,
    links,
    routes,
    openPacketIo: (req) => openVrrpSocket(req),
  });
  try {
    await service.start(plan);
  } catch (e) {
    await service.stop().catch(() => undefined);
    await tearDownVirtualLinks(vlinks, plan.virtualLinks, logger);
    vlinks.close();
    await notifier.close();
    addresses.close();
    announcer.close();
    links.close();
    routes.close();
    throw e;
  }
  const keeper = keepVirtualLinks(vlinks, links, () => plan.virtualLinks, logger);
  const startScripts = (p: VrrpAgentPlan) =>
    startTrackers(
      p,
      {
        script(r) {
          logger.info(`vrrp_script ${r.name} is ${r.up ? 'OK' : 'failing'}`);
          service.track(`script:${r.name}`, r.up);
        },
        file(v) {
          logger.info(`track_file ${v.name} reads ${v.value}`);
          service.trackValue(`file:${v.name}`, v.value);
        },
        process(q) {
          logger.info(`track_process ${q.name} ${q.up ? 'has' : 'lost'} quorum (${q.count} running)`);
          service.track(`process:${q.name}`, q.up);
        },
        warn: (m) => logger.warn(m),
      },
      clock,
    );
  let scripts = startScripts(plan);
  const bfd = await startAgentBfd(config, logger, (name, up) => service.track(`bfd:${name}`, up));
  // The LVS side (checkers, data planes, ~60 modules) is loaded only for a config with virtual servers:
  // a VRRP-only agent stays smaller (README "Health checks under load, and what the agent costs").
  const lvs: LvsSide | null =
    config.virtualServers.length === 0
      ? null
      : await (
          await import('./lvs-agent.ts')
        ).startLvsSide(
          config,
          logger,
          'auto',
          (name) => bfd.current()?.isUp(name, 'checker'),
          metrics ? { observe: metrics.lvs, onLate: metrics.lateRetry } : {},
        );
  logger.info('floatip agent started', {
    config: options.configPath,
    instances: plan.instances.map((i) => i.spec.name),
  });
  settle(logger, config);

  let server: Server | undefined;
  try {
    server = await startControlServer(options.socketPath, (req) => {
      if (req.op === 'status')
        return { pid: process.pid, config: options.configPath, instances: service.status() };
      if (req.op === 'lvs') return lvs?.status() ?? null;
      if (req.op === 'bfd')
        return { sessions: bfd.current()?.status() ?? [], rejects: bfd.current()?.rejects() ?? {} };
      throw new Error(`unknown op ${req.op}`);
    });
  } catch (e) {
    logger.warn(`control socket ${options.socketPath} unavailable; floatip status will not work`, {
      err: String(e),
    });
  }

  const metricsServer = metrics
    ? await serveMetrics(options.metricsListen ?? '', metrics.registry).catch((e: unknown) => {
        logger.error(`metrics: cannot listen on ${options.metricsListen}: ${String(e)}`);
        return undefined;
      })
    : undefined;
  if (metricsServer) logger.info(`metrics on http://${options.metricsListen}/metrics`);

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;

  const reload = async () => {
    try {
      const { plan: next, config: nextConfig } = await loadAgentConfig(options.configPath, addresses, vlinks);
      for (const w of next.warnings) logger.warn(w);
      keeper.pause();
      await addReloadedLinks(vlinks, plan.virtualLinks, next.virtualLinks, logger);
      const previous = plan;
      removed = removedHooks(plan.hooks, next.hooks);
      plan = next;
      scripts.stop();
      const r = await service.reload(next);
      await removeReloadedLinks(vlinks, previous.virtualLinks, next.virtualLinks, logger);
      await keeper.resume();
      scripts = startScripts(next);
      await bfd.reload(nextConfig);
      await lvs?.reload(nextConfig);
      await syncd?.reload(nextConfig);
      logger.info('configuration reloaded', r);
      settle(logger, nextConfig);
    } catch (e) {
      logger.error('reload refused; the running configuration stays', { err: (e as Error).message });
      await keeper.resume();
    }
  };
  const stop = () =>
    (stopping ??= (async () => {
      scripts.stop();
      bfd.stop();
      keeper.stop();
      await service.stop();
      await tearDownVirtualLinks(vlinks, plan.virtualLinks, logger);
      vlinks.close();
      await cloud?.stop();
      await lvs?.stop();
      await syncd?.stop();
      await notifier.close();
      server?.close();
      await metricsServer?.close();
      addresses.close();
      announcer.close();
      links.close();
      routes.close();
      logger.info('floatip agent stopped');
      resolveDone();
    })());
  return { service, reload, stop, done };
}
