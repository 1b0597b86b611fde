/**
 * A small HTTP listener for Prometheus: `GET /metrics` answers the registry's text exposition, anything
 * else 404. Used by `floatip agent --metrics HOST:PORT` (off by default; bind it to loopback or a
 * management address: the metrics carry no secrets, but names of instances and servers).
 */
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  /** The address actually bound (port 0 picks a free one). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/** `127.0.0.1:9650`, `[::1]:9650` or `:9650` (all addresses). Throws a message naming the value. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65_535) {
    throw new Error(
      `--metrics ${JSON.stringify(text)}: expected HOST:PORT (e.g. 127.0.0.1:9650 or [::1]:9650)`,
    );
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/**
 * node:http is imported here, when metrics are asked for: importing it as an ES module reads every export,
 * which loads Node's bundled undici (its ~0.8 MB source stays on the heap) into every agent otherwise.
 */
export async function serveMetrics(listen: string, registry: Registry): Promise<MetricsListener> {
  const { host, port } = parseListen(listen);
  const { createServer } = await import('node:http');
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${String(e)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        address: { host, port: typeof a === 'object' && a !== null ? a.port : port },
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
