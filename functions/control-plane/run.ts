import type { ControlJob } from '../../core/ports/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import { describeRedis, RedisConfigError, waitReady } from '../../adapters/redis/index.ts';
import { createLogger } from '../../adapters/system/index.ts';
import type { RunningServer } from '../serve/index.ts';
import { startServe } from '../serve/index.ts';
import type { RunningWorker } from '../worker/index.ts';
import { startWorker } from '../worker/index.ts';
import { ControlConfigError, loadControlPlaneConfig } from './config.ts';
import { describeJob } from './describe.ts';
import { resetDemo, runDemoAlert } from './demo.ts';
import { buildControlPlane } from './shared.ts';

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
}

export interface RunOptions {
  configPath: string;
  /** `serve` = API only, `worker` = worker + sweep scheduler, `all` = both (the local control plane). */
  mode: 'serve' | 'worker' | 'all';
  host?: string;
  port?: number;
  schedule?: boolean;
  /** Wipe the config's Redis prefix, then fire a sample alert and show the failover it causes. */
  demo?: boolean;
  /** Stop once the demo's failover has been printed (tests, CI). */
  exitAfterDemo?: boolean;
  /** Resolves when the process should stop (SIGINT/SIGTERM in the CLI). */
  stop: Promise<void>;
  io: RunIo;
}

/** Runs `floatip serve`, `floatip worker` or `floatip control-plane` until `stop`; returns an exit code. */
export async function runControlPlane(o: RunOptions): Promise<number> {
  let config;
  try {
    config = await loadControlPlaneConfig(o.configPath);
  } catch (err) {
    if (err instanceof ControlConfigError) {
      for (const l of err.lines) o.io.err(l);
      return 5;
    }
    throw err;
  }
  if (o.demo && config.groups.some((g) => g.resources.some((r) => r.provider !== 'memory'))) {
    o.io.err(`${o.configPath}: --demo runs only on groups whose resources all use provider 'memory'`);
    return 64;
  }
  let demoDone: () => void = () => undefined;
  const demoFinished = new Promise<void>((r) => (demoDone = r));
  let cp;
  try {
    cp = buildControlPlane(config, {
      logger: createLogger({ name: 'floatip-control', level: process.env.FLOATIP_LOG_LEVEL ?? 'warn' }),
      onJobDone: (job: ControlJob, r: Outcome<unknown>) => {
        const line = describeJob(job, r);
        if (line) o.io.out(line);
        if (o.demo && job.kind === 'failover' && job.source === 'alertmanager' && r.kind === 'ok') demoDone();
      },
    });
  } catch (err) {
    if (err instanceof ControlConfigError) {
      for (const l of err.lines) o.io.err(l);
      return 5;
    }
    if (err instanceof RedisConfigError) {
      o.io.err(`${o.configPath}: ${err.message}`);
      return 5;
    }
    throw err;
  }
  let server: RunningServer | null = null;
  let worker: RunningWorker | null = null;
  try {
    try {
      await Promise.all([waitReady(cp.apiRedis, 3000), waitReady(cp.workerRedis, 3000)]);
    } catch (err) {
      o.io.err(
        `floatip: ${(err as Error).message}. Start one (redis-server, or \`npm start\` which starts it when installed) or set controlPlane.redis.url in ${o.configPath}.`,
      );
      return 1;
    }
    if (o.demo) await resetDemo(cp);
    if (o.mode !== 'worker') {
      const host = o.host ?? config.http.host;
      const port = o.port ?? config.http.port;
      try {
        server = await startServe(cp, { host, port });
      } catch (err) {
        o.io.err(
          `floatip: cannot listen on ${host}:${port}: ${(err as Error).message} (set controlPlane.http.port or pass --port)`,
        );
        return 1;
      }
    }
    if (o.mode !== 'serve') worker = await startWorker(cp, { schedule: o.schedule !== false });
    o.io.out(
      [
        `floatip control plane (${o.mode}) on ${describeRedis(config.redis)} prefix '${config.redis.prefix}'`,
        server
          ? `  status   ${server.url}/  (sign in with a token of scope read${readTokenHint(config)})`
          : '',
        server
          ? `  API      ${server.url}/v1  (OpenAPI: ${server.url}/openapi.json, metrics: ${server.url}/metrics)`
          : '',
        worker
          ? `  worker   concurrency ${config.worker.concurrency}; sweep every ${config.sweep.everyMs} ms`
          : '',
        `  groups   ${config.groups.map((g) => `${g.id} [${g.members.map((m) => m.id).join(', ')}]`).join('; ')}`,
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
    if (o.demo && server) {
      await runDemoAlert(cp, server.url, o.io);
      if (o.exitAfterDemo) {
        await Promise.race([demoFinished, o.stop]);
        return 0;
      }
    }
    await o.stop;
    return 0;
  } finally {
    await server?.close();
    await worker?.close();
    await cp.close();
  }
}

/** Which configured token opens the status page (its name, never its secret). */
function readTokenHint(config: { tokens: { name: string; scopes: string[] }[] }): string {
  // The least privileged one: looking needs no more than read.
  const t = config.tokens
    .filter((x) => x.scopes.includes('read'))
    .sort((a, b) => a.scopes.length - b.scopes.length)[0];
  return t ? `, e.g. token '${t.name}' of the config` : '; the config has none';
}
