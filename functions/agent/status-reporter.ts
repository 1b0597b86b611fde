/**
 * `floatip agent --report-to URL`: every few seconds the agent posts what `floatip status --json` and
 * `floatip status --lvs --json` print to the control plane's `POST /v1/agents/{name}/report`, with the
 * bearer token from FLOATIP_REPORT_TOKEN (scope `report`), so the status page shows its VRRP instances
 * and LVS pools. It asks its own control socket, exactly as the status command does. A failure is logged
 * once when reporting stops working and once when it works again, never per attempt.
 */
import { hostname } from 'node:os';
import { controlRequest } from '../../adapters/system/control-server.ts';

export interface ReporterOptions {
  /** The control plane's base URL, e.g. `http://10.0.0.5:8080`. */
  url: string;
  token: string;
  name: string;
  socketPath: string;
  intervalMs: number;
  log: (level: 'info' | 'warn', message: string) => void;
}

export interface RunningReporter {
  /** Resolves after the first attempt (tests); reporting goes on until stop(). */
  first: Promise<void>;
  stop(): Promise<void>;
}

/** Reads the reporter's options from the agent's flags and the environment; a string is the usage error. */
export function reporterOptions(
  flags: { 'report-to'?: string; 'report-name'?: string; 'report-interval'?: string },
  socketPath: string,
  env: NodeJS.ProcessEnv,
  log: ReporterOptions['log'],
): ReporterOptions | string | null {
  const url = flags['report-to'];
  if (url === undefined) return null;
  if (!/^https?:\/\/[^/\s]+/.test(url)) return `--report-to must be an http(s) URL, got '${url}'`;
  const token = env.FLOATIP_REPORT_TOKEN;
  if (!token) return '--report-to needs the report token in FLOATIP_REPORT_TOKEN (a token with scope report)';
  const name = flags['report-name'] ?? hostname().split('.')[0] ?? 'agent';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name))
    return `--report-name must be letters, digits, '.', '_' or '-' (up to 63), got '${name}'`;
  const seconds = Number(flags['report-interval'] ?? 5);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600)
    return '--report-interval must be a number of seconds from 0.1 to 3600';
  return { url: url.replace(/\/+$/, ''), token, name, socketPath, intervalMs: seconds * 1000, log };
}

/** The agent's status as the report carries it: the VRRP side always, the LVS side when there is one. */
async function collect(socketPath: string): Promise<Record<string, unknown>> {
  const vrrp = await controlRequest(socketPath, 'status');
  let lvs: unknown = null;
  try {
    lvs = await controlRequest(socketPath, 'lvs');
  } catch {
    lvs = null; // an agent without virtual servers, or one that does not serve `lvs`
  }
  return { vrrp, lvs };
}

export function startStatusReporter(o: ReporterOptions): RunningReporter {
  let stopped = false;
  let failing: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const target = `${o.url}/v1/agents/${encodeURIComponent(o.name)}/report`;

  const once = async (): Promise<void> => {
    let problem: string | null = null;
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(await collect(o.socketPath)),
        signal: AbortSignal.timeout(Math.max(1000, Math.min(o.intervalMs, 10_000))),
      });
      if (res.status !== 202) {
        const body = (await res.text()).slice(0, 300);
        problem = `the control plane answered ${res.status}: ${body}`;
      }
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem !== null && failing === null) o.log('warn', `status reports to ${o.url} fail: ${problem}`);
    if (problem === null && failing !== null) o.log('info', `status reports to ${o.url} work again`);
    failing = problem;
  };

  const first = once();
  const loop = (async () => {
    await first;
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, o.intervalMs);
      });
      if (!stopped) await once();
    }
  })();
  return {
    first,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake();
      await loop;
    },
  };
}
