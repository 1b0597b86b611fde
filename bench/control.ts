/**
 * bench:control — webhook received → first provider API call issued, at 100 and 1,000 requests/s on
 * loopback, with the in-memory provider; printed beside a bare hono round trip measured in the same run.
 *
 * Every request is a distinct incident on its own group, so each one makes one failover job whose first
 * provider call (the observe before acting) is timestamped by a wrapper around the provider. "Received" is
 * stamped as the request enters the HTTP server's fetch handler. The API (`floatip serve`), the worker
 * (`floatip worker`) and the load generator run as separate processes, as deployed; times are compared on
 * the machine's wall clock (performance.timeOrigin + now). Bounded counts, loopback only.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { MemoryVipProvider } from '../adapters/memory/index.ts';
import { createControlApp } from '../adapters/http/index.ts';
import { waitReady } from '../adapters/redis/index.ts';
import { createLogger } from '../adapters/system/index.ts';
import { parseControlPlaneConfig } from '../core/config/control-plane.ts';
import type { ControlPlaneConfig } from '../core/config/control-plane.ts';
import type { Epoch, Outcome } from '../core/model/index.ts';
import type {
  ChangeReport,
  Holder,
  MoveOptions,
  Observation,
  VipProvider,
  VipResource,
} from '../core/ports/index.ts';
import { buildControlPlane } from '../functions/control-plane/index.ts';
import { startWorker } from '../functions/worker/index.ts';

const redisUrl = process.env.FLOATIP_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const stages = [
  { rate: 100, count: Number(process.env.FLOATIP_BENCH_N100 ?? 500) },
  { rate: 1000, count: Number(process.env.FLOATIP_BENCH_N1000 ?? 2000) },
];
const token = 'bench-token';

/** Stamps the first provider call per resource (the job's first API call). */
class StampingProvider implements VipProvider {
  readonly name = 'memory';
  readonly first = new Map<string, number>();
  readonly inner: MemoryVipProvider;
  readonly #now: () => number;
  constructor(inner: MemoryVipProvider, now: () => number) {
    this.inner = inner;
    this.#now = now;
  }
  #stamp(id: string): void {
    if (!this.first.has(id)) this.first.set(id, this.#now());
  }
  observe(r: VipResource): Promise<Outcome<Observation>> {
    this.#stamp(r.id);
    return this.inner.observe(r);
  }
  acquire(r: VipResource, h: Holder, e: Epoch, o?: MoveOptions): Promise<Outcome<ChangeReport>> {
    this.#stamp(r.id);
    return this.inner.acquire(r, h, e, o);
  }
  release(r: VipResource, h: Holder, e: Epoch, o?: MoveOptions): Promise<Outcome<ChangeReport>> {
    this.#stamp(r.id);
    return this.inner.release(r, h, e, o);
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

/** Sends `count` requests open-loop at `rate`/s; resolves with each one's client-side round trip. */
async function openLoop(
  rate: number,
  count: number,
  send: (i: number) => Promise<Response>,
): Promise<number[]> {
  const t0 = performance.now();
  const rtts: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    rtts.push(
      send(i).then(async (res) => {
        await res.arrayBuffer();
        if (res.status >= 300) throw new Error(`request ${i}: HTTP ${res.status}`);
        return performance.now() - start;
      }),
    );
  }
  return Promise.all(rtts);
}

async function listen(
  fetchFn: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchFn, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

/** The load generator runs in its own process, so its CPU does not queue behind the server's event loop. */
function clientProcess(
  mode: 'baseline' | 'webhook',
  url: string,
  rate: number,
  count: number,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), 'client', mode, url, String(rate), String(count)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`client exited ${code}`)),
    );
  });
}

const alertFor = (i: number): string =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', floatip_group: `g${i}`, instance: 'a' },
        startsAt: '2026-01-01T00:00:00Z',
        fingerprint: `bench-${i}`,
      },
    ],
  });

/** Requests sent before the measured ones (JIT, connections, Lua script cache), not counted. */
const warmOf = (count: number): number => Math.min(100, Math.floor(count / 5));

async function runClient(mode: string, url: string, rate: number, count: number): Promise<void> {
  const warm = warmOf(count);
  const rtts = await openLoop(rate, warm + count, (i) =>
    mode === 'baseline'
      ? fetch(`${url}/hook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: alertFor(i),
        })
      : fetch(`${url}/v1/webhooks/alertmanager`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-bench-group': `g${i}`,
          },
          body: alertFor(i),
        }),
  );
  process.stdout.write(JSON.stringify(rtts.slice(warm)));
}

/** The baseline: a bare hono handler that parses the same JSON body, on the same server stack. */
async function baseline(rate: number, count: number): Promise<number[]> {
  const app = new Hono();
  app.post('/hook', async (c) =>
    c.json({ ok: true, n: ((await c.req.json()) as { alerts: unknown[] }).alerts.length }, 202),
  );
  const s = await listen(app.fetch);
  try {
    return await clientProcess('baseline', s.url, rate, count);
  } finally {
    await s.close();
  }
}

/** Wall-clock time with sub-millisecond resolution, comparable between processes on this machine. */
const nowAbs = (): number => performance.timeOrigin + performance.now();

function stageConfig(prefix: string, total: number): ControlPlaneConfig {
  const parsed = parseControlPlaneConfig({
    redis: { url: redisUrl, prefix },
    http: { ratePerMinute: 10_000_000 },
    worker: { concurrency: Number(process.env.FLOATIP_BENCH_CONCURRENCY ?? 64), lockTtlMs: 30_000 },
    sweep: { everyMs: 3_600_000 },
    tokens: [{ name: 'bench', value: token, scopes: ['read', 'failover'] }],
    alerts: [{ match: { alertname: 'NodeDown' }, groupLabel: 'floatip_group', memberLabel: 'instance' }],
    groups: Array.from({ length: total }, (_, i) => ({
      id: `g${i}`,
      members: { a: { priority: 200 }, b: { priority: 100 } },
      resources: [{ id: `vip${i}`, provider: 'memory', kind: 'address', spec: {} }],
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/**
 * `floatip worker` as its own process (as deployed): runs jobs against a stamping in-memory provider and
 * prints, once every resource has seen its first call, the absolute time of each first call.
 */
async function runWorkerProcess(prefix: string, total: number): Promise<void> {
  const memory = new MemoryVipProvider('memory');
  for (let i = 0; i < total; i++) memory.set(`vip${i}`, 'a');
  const provider = new StampingProvider(memory, nowAbs);
  const cp = buildControlPlane(stageConfig(prefix, total), {
    logger: createLogger({ level: 'silent' }),
    providers: { memory: provider },
  });
  await waitReady(cp.workerRedis);
  const worker = await startWorker(cp, { schedule: false });
  process.stdout.write('ready\n');
  const deadline = Date.now() + 90_000;
  while (provider.first.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await worker.close();
  await cp.close();
  process.stdout.write(`${JSON.stringify(Object.fromEntries(provider.first))}\n`);
}

function workerProcess(
  prefix: string,
  total: number,
): { ready: Promise<void>; stamps: Promise<Map<string, number>> } {
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), 'worker', prefix, String(total)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let readyFn: () => void = () => undefined;
  const ready = new Promise<void>((r) => (readyFn = r));
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) readyFn();
  });
  const stamps = new Promise<Map<string, number>>((resolve, reject) =>
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited ${code}`));
      const line =
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .pop() ?? '{}';
      resolve(new Map(Object.entries(JSON.parse(line) as Record<string, number>)));
    }),
  );
  return { ready, stamps };
}

async function controlStage(rate: number, count: number): Promise<{ latencies: number[]; rtts: number[] }> {
  const prefix = `bench-cp-${randomUUID().slice(0, 8)}`;
  const total = warmOf(count) + count;
  const cp = buildControlPlane(stageConfig(prefix, total), {
    logger: createLogger({ level: 'silent' }),
    providers: { memory: new MemoryVipProvider('memory') },
  });
  const received = new Map<string, number>();
  const app = createControlApp(cp.http);
  const s = await listen((req) => {
    const g = req.headers.get('x-bench-group');
    if (g !== null) received.set(g, nowAbs());
    return app.fetch(req);
  });
  try {
    await waitReady(cp.apiRedis);
    const worker = workerProcess(prefix, total);
    await worker.ready;
    const rtts = await clientProcess('webhook', s.url, rate, count);
    const first = await worker.stamps;
    const latencies: number[] = [];
    for (let i = warmOf(count); i < total; i++) {
      const a = received.get(`g${i}`);
      const b = first.get(`vip${i}`);
      if (a !== undefined && b !== undefined) latencies.push(b - a);
    }
    if (latencies.length < count)
      console.error(`  warning: only ${latencies.length}/${count} jobs reached the provider`);
    return { latencies, rtts };
  } finally {
    await s.close();
    await cp.close();
    const r = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
    r.disconnect();
  }
}

const fmt = (n: number): string => n.toFixed(2).padStart(8);
if (process.argv[2] === 'client') {
  const [mode, url, rate, count] = process.argv.slice(3);
  await runClient(mode ?? '', url ?? '', Number(rate), Number(count));
  process.exit(0);
}
if (process.argv[2] === 'worker') {
  await runWorkerProcess(process.argv[3] ?? '', Number(process.argv[4]));
  process.exit(0);
}
console.log(
  'bench:control — webhook received → first provider API call (in-memory provider, loopback, real Redis)',
);
console.log(
  `redis ${redisUrl}; each request = one distinct incident on its own group; API, worker and load generator are separate processes (as deployed)\n`,
);
console.log(
  'rate/s   count | baseline RTT p50/p99 ms | webhook RTT p50/p99 ms | received→first call p50/p99 ms | p99 vs baseline p99',
);
let failedTarget = false;
for (const { rate, count } of stages) {
  const base = await baseline(rate, count);
  const { latencies, rtts } = await controlStage(rate, count);
  const p99 = pct(latencies, 99);
  console.log(
    `${String(rate).padStart(6)} ${String(count).padStart(7)} | ${fmt(pct(base, 50))} ${fmt(pct(base, 99))}      | ${fmt(pct(rtts, 50))} ${fmt(pct(rtts, 99))}     | ${fmt(pct(latencies, 50))} ${fmt(p99)}              | ${(p99 / pct(base, 99)).toFixed(1)}x`,
  );
  if (rate === 100 && !(p99 < 25)) failedTarget = true;
}
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other work shares them)`,
);
console.log(`\ntarget: p99 received→first call < 25 ms at 100 req/s: ${failedTarget ? 'MISSED' : 'met'}`);
process.exit(0);
