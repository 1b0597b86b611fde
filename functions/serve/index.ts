import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane } from '../control-plane/shared.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** `floatip serve`: the hono app on @hono/node-server. Port 0 picks a free port (tests). */
export async function startServe(
  cp: ControlPlane,
  listen?: { host?: string; port?: number },
): Promise<RunningServer> {
  const app = createControlApp(cp.http);
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
