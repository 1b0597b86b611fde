/**
 * The fault-injection run's cloud: resources with a holder and a version, read with GET and written with
 * a conditional PUT (If-Match of the version read, as Azure ETags, GCE fingerprints and Route 53's
 * DELETE+CREATE batches make writes conditional). Seeded latency per request, throttling (429 with
 * Retry-After) and 5xx. It does NOT look at epochs: it records each applied write with the epoch the
 * writer said it acted under (header `x-floatip-epoch`), so the history checker can tell whether any
 * write landed under an epoch older than one already committed.
 *
 *   GET  /r/:id          -> { holder, version }
 *   PUT  /r/:id          { holder }  If-Match: <version>  -> 200 { version } | 412 | 429 | 503
 *   GET  /log            -> every applied write, in order
 *   POST /faults         { throttleRate?, errorRate?, latencyMs? } (0 stops them)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../adapters/memory/index.ts';

export interface AppliedWrite {
  atMs: number;
  resource: string;
  holder: string;
  epoch: number;
  job: string;
  version: number;
}

export interface CloudOptions {
  seed: number;
  latencyMs: [number, number];
  throttleRate: number;
  errorRate: number;
}

export async function startChaosCloud(
  o: CloudOptions,
): Promise<{ url: string; close(): Promise<void>; log: AppliedWrite[] }> {
  const random = seededRandom(o.seed);
  const state = new Map<string, { holder: string | null; version: number }>();
  const log: AppliedWrite[] = [];
  let faults = { throttleRate: o.throttleRate, errorRate: o.errorRate, latency: o.latencyMs };
  const slot = (id: string) => {
    let s = state.get(id);
    if (!s) state.set(id, (s = { holder: null, version: 0 }));
    return s;
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const body = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => resolve(text));
    });
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/log') return send(res, 200, log);
      if (url.pathname === '/faults' && req.method === 'POST') {
        const f = JSON.parse(text) as {
          throttleRate?: number;
          errorRate?: number;
          latencyMs?: [number, number];
        };
        faults = {
          throttleRate: f.throttleRate ?? faults.throttleRate,
          errorRate: f.errorRate ?? faults.errorRate,
          latency: f.latencyMs ?? faults.latency,
        };
        return send(res, 200, faults);
      }
      const m = /^\/r\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
      if (!m?.[1]) return send(res, 404, { code: 'NotFound' });
      const [lo, hi] = faults.latency;
      await new Promise((r) => setTimeout(r, lo + random.float() * (hi - lo)));
      const dice = random.float();
      if (dice < faults.throttleRate)
        return send(res, 429, { code: 'Throttled' }, { 'retry-after-ms': '20' });
      if (dice < faults.throttleRate + faults.errorRate)
        return send(res, 503, { code: 'ServiceUnavailable' });
      const s = slot(m[1]);
      if (req.method === 'GET') return send(res, 200, s);
      if (req.method !== 'PUT') return send(res, 405, { code: 'MethodNotAllowed' });
      if (req.headers['if-match'] !== String(s.version))
        return send(res, 412, { code: 'PreconditionFailed' });
      const holder = (JSON.parse(text) as { holder: string }).holder;
      s.holder = holder;
      s.version++;
      log.push({
        atMs: Date.now(),
        resource: m[1],
        holder,
        epoch: Number(req.headers['x-floatip-epoch'] ?? -1),
        job: String(req.headers['x-floatip-job'] ?? ''),
        version: s.version,
      });
      return send(res, 200, { version: s.version });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
