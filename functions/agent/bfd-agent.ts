/**
 * The agent's BFD handle: bfd.ts (the BFD core, its UDP sockets, node:crypto for discriminators) is loaded
 * only for a config with a bfd_instance, at start or at the reload that adds one; an agent without BFD never
 * loads it (test/functions/agent/agent-modules.test.ts).
 */
import type { Config } from '../../core/model/index.ts';
import type { Logger } from '../../core/ports/index.ts';
import type { RunningBfd } from './bfd.ts';

/** The agent's handle: BFD started from the config file, restarted on reload only when bfd_instance changed. */
export interface AgentBfd {
  current(): RunningBfd | null;
  /** The configuration the agent re-read on SIGHUP. */
  reload(next: Config): Promise<void>;
  stop(): void;
}

/**
 * Starts BFD for the agent and feeds `track(NAME, up)` for the VRRP side (the `bfd:NAME` trackers). A
 * socket error is logged and leaves the sessions down (their unweighted trackers keep instances in FAULT).
 */
export async function startAgentBfd(
  /** The configuration the agent read (once, for every side). */
  config: Config,
  logger: Logger,
  track: (name: string, up: boolean) => void,
): Promise<AgentBfd> {
  let key = '';
  let running: RunningBfd | null = null;
  let stopped = false;
  const start = async (config: Config) => {
    key = JSON.stringify(config.bfdInstances);
    running = null;
    if (Object.keys(config.bfdInstances).length === 0) return;
    const { startBfd } = await import('./bfd.ts');
    if (stopped) return;
    try {
      running = startBfd(config, logger);
    } catch (e) {
      logger.error(`bfd: not running: ${(e as Error).message}`);
      running = null;
    }
    running?.onChange('vrrp', (name, up) => track(name, up));
  };
  await start(config);
  return {
    current: () => running,
    async reload(next) {
      if (JSON.stringify(next.bfdInstances) === key) {
        // Sessions keep running; instances the reload started afresh learn their current state.
        for (const s of running?.status() ?? [])
          if (running?.isUp(s.name, 'vrrp') !== undefined) track(s.name, s.state === 'Up');
        return;
      }
      running?.stop();
      await start(next);
    },
    stop() {
      stopped = true;
      running?.stop();
      running = null;
    },
  };
}
