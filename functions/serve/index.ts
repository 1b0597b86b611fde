import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { ok } from '../../core/model/index.ts';
import type { HttpDeps } from '../../adapters/http/index.ts';
import { createControlApp } from '../../adapters/http/index.ts';
import { controlKeys } from '../../adapters/redis/index.ts';
import { redisAgentReports } from '../../adapters/redis/agent-reports.ts';
import type { ControlPlane } from '../control-plane/shared.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  /** How often the status page's event stream re-reads Redis (default 1000 ms). */
  statusPollMs?: number;
}

/**
 * What the long-running server adds to the app's deps: the socket's peer address (rate limits), queue
 * depth and agent reports (status page), which the function runtimes do without.
 */
export function serverDeps(cp: ControlPlane, statusPollMs?: number): HttpDeps {
  return {
    ...cp.http,
    peerAddress: (c: Context) => (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.remoteAddress,
    queueCounts: async () => {
      try {
        return ok(
          await (await cp.queue()).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
        );
      } catch (err) {
        return { kind: 'retry', reason: `redis unreachable: ${(err as Error).message}`, retryAfterMs: 1000 };
      }
    },
    agents: redisAgentReports(cp.apiRedis, controlKeys(cp.config.redis.prefix)),
    ...(statusPollMs === undefined ? {} : { statusPollMs }),
  };
}

/** `floatip serve`: the hono app on @hono/node-server. Port 0 picks a free port (tests). */
export async function startServe(cp: ControlPlane, listen?: ServeOptions): Promise<RunningServer> {
  const app = createControlApp(serverDeps(cp, listen?.statusPollMs));
  const host = listen?.host ?? cp.config.http.host;
  const port = listen?.port ?? cp.config.http.port;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const h = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${h}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
