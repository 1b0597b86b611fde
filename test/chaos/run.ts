/**
 * The seeded fault-injection run: a private Redis with AOF, the chaos cloud (latency, throttling, 5xx,
 * conditional writes), the HTTP API and three workers as their own processes, and a seeded schedule of
 * requests and faults — Redis killed and restarted past BullMQ's stalled interval, workers SIGKILLed,
 * group locks expiring, duplicate and out-of-order webhooks, manual failovers racing alerts, sweeps.
 * Then it stops the faults, lets everything settle, records the whole history and checks it
 * (checker.ts). The same seed replays the same schedule.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { seededRandom } from '../../adapters/memory/index.ts';
import { controlKeys, createControlQueue } from '../../adapters/redis/index.ts';
import { privateRedis } from '../e2e/control-plane/redis-server.ts';
import { startChaosCloud } from './cloud.ts';
import {
  checkHistory,
  explainedBreaks,
  type History,
  type RecordedEntry,
  type RecordedRequest,
} from './checker.ts';

export interface ChaosOptions {
  seed: number;
  /** How long requests and faults are injected (ms). */
  durationMs: number;
  groups?: number;
  workers?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  violations: string[];
  counts: Record<string, number>;
}

const token = 'chaos-ops-token';
const node = process.execPath;
const proc = join(import.meta.dirname, 'proc.ts');
const LOCK_DURATION_MS = 2000;
const STALLED_MS = 2000;

interface Proc {
  child: ChildProcess;
  out: string;
  ready: Promise<string>;
}

function spawnProc(args: string[]): Proc {
  const child = spawn(node, [proc, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLOATIP_LOG_LEVEL: 'error' },
  });
  const p: Proc = { child, out: '', ready: Promise.resolve('') };
  p.ready = new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      p.out += d.toString();
      const m = /^ready (.*)$/m.exec(p.out);
      if (m) resolve(m[1] ?? '');
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (p.out += d.toString()));
    child.once('exit', (code) =>
      reject(new Error(`${args[0]} exited (${code}) before ready:\n${p.out.slice(-2000)}`)),
    );
  });
  p.ready.catch(() => undefined);
  return p;
}

const alert = (group: string, member: string, incident: string, status: 'firing' | 'resolved') => ({
  version: '4',
  status,
  alerts: [
    {
      status,
      labels: { alertname: 'NodeDown', floatip_group: group, instance: member },
      annotations: { summary: `${member} ${status === 'firing' ? 'down' : 'back'}` },
      startsAt: '2026-12-06T10:00:00Z',
      fingerprint: incident,
    },
  ],
});

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const say = o.log ?? (() => undefined);
  const random = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[random.below(xs.length)] as T;
  const groups = Array.from({ length: o.groups ?? 3 }, (_, i) => ({
    id: `g${i}`,
    resources: [`g${i}-vip`, `g${i}-route`],
  }));
  const members = ['a', 'b', 'c'];
  const counts: Record<string, number> = {};
  const count = (k: string, n = 1): void => void (counts[k] = (counts[k] ?? 0) + n);

  const redis = await privateRedis();
  await redis.start();
  const cloud = await startChaosCloud({
    seed: o.seed,
    latencyMs: [2, 40],
    throttleRate: 0.05,
    errorRate: 0.05,
  });
  const dir = mkdtempSync(join(tmpdir(), 'fip-chaos-'));
  const prefix = `chaos${o.seed}`;
  const config = join(dir, 'floatip.yaml');
  writeFileSync(
    config,
    stringify({
      controlPlane: {
        redis: { url: redis.url, prefix },
        http: { ratePerMinute: 10_000_000 },
        worker: { concurrency: 4, lockTtlMs: 1500, attempts: 25, backoffMs: 100 },
        tokens: [{ name: 'ops', value: token, scopes: ['read', 'failover'] }],
        alerts: [{ match: { alertname: 'NodeDown' }, groupLabel: 'floatip_group', memberLabel: 'instance' }],
        providers: { chaos: { type: 'memory' } },
        policy: {
          call: { baseMs: 5, capMs: 50 },
          verify: { baseMs: 5, capMs: 50 },
          action: { baseMs: 10, capMs: 100 },
        },
        groups: groups.map((g) => ({
          id: g.id,
          members: { a: { priority: 200 }, b: { priority: 150 }, c: { priority: 100 } },
          resources: g.resources.map((id) => ({ id, provider: 'chaos', kind: 'address' })),
        })),
      },
    }),
  );
  const procs: Proc[] = [];
  const admin = new Redis(redis.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  admin.on('error', () => undefined);
  const startWorker = (): Proc => {
    const p = spawnProc(['worker', config, cloud.url, String(LOCK_DURATION_MS), String(STALLED_MS)]);
    procs.push(p);
    return p;
  };
  const requests: RecordedRequest[] = [];
  try {
    await admin.connect();
    const api = spawnProc(['api', config, cloud.url]);
    procs.push(api);
    const workers = Array.from({ length: o.workers ?? 3 }, startWorker);
    const url = await api.ready;
    await Promise.all(workers.map((w) => w.ready));
    say(
      `chaos seed ${o.seed}: api ${url}, ${workers.length} workers, redis ${redis.url}, cloud ${cloud.url}`,
    );

    const post = async (
      what: string,
      group: string,
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
    ) => {
      const rec: RecordedRequest = { atMs: Date.now(), what, group, status: 0, jobs: [] };
      requests.push(rec);
      count('requests');
      try {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        rec.status = res.status;
        const j = (await res.json().catch(() => ({}))) as { job?: string; jobs?: Array<{ id: string }> };
        rec.jobs = j.job ? [j.job] : (j.jobs ?? []).map((x) => x.id);
      } catch {
        rec.status = -1;
      }
      count(`http-${rec.status}`);
    };

    const incidents: Array<{ group: string; member: string; id: string }> = [];
    let redisDown = false;
    const actions: Array<[number, () => Promise<void> | void]> = [
      [
        30,
        async () => {
          const g = pick(groups).id;
          await post(
            'switchover',
            g,
            `/v1/groups/${g}/switchover`,
            { to: pick(members) },
            random.float() < 0.2 ? { 'idempotency-key': `k${random.below(5)}` } : {},
          );
        },
      ],
      [
        10,
        async () => {
          const g = pick(groups).id;
          await post('failover', g, `/v1/groups/${g}/failover`, {});
        },
      ],
      [
        25,
        async () => {
          const fresh = incidents.length === 0 || random.float() < 0.6;
          const inc = fresh
            ? { group: pick(groups).id, member: pick(members), id: `inc-${o.seed}-${incidents.length}` }
            : pick(incidents);
          if (fresh) incidents.push(inc);
          else count('duplicate-webhooks');
          await post(
            'alert',
            inc.group,
            '/v1/webhooks/alertmanager',
            alert(inc.group, inc.member, inc.id, 'firing'),
          );
        },
      ],
      [
        8,
        async () => {
          // Out of order: a resolved alert (sometimes for an incident never seen firing).
          const inc =
            incidents.length > 0 && random.float() < 0.7
              ? pick(incidents)
              : { group: pick(groups).id, member: pick(members), id: `late-${random.below(1000)}` };
          count('resolved-webhooks');
          await post(
            'resolved',
            inc.group,
            '/v1/webhooks/alertmanager',
            alert(inc.group, inc.member, inc.id, 'resolved'),
          );
        },
      ],
      [
        6,
        async () => {
          const q = await createControlQueue(admin, prefix);
          await q
            .add('sweep', { kind: 'sweep', key: `chaos-sweep-${random.below(1_000_000)}` })
            .catch(() => undefined);
          await q.close().catch(() => undefined);
          count('sweeps');
        },
      ],
      [
        4,
        async () => {
          const live = procs.filter(
            (p) => p !== api && p.child.exitCode === null && p.child.signalCode === null,
          );
          if (live.length < 2) return;
          const victim = pick(live);
          victim.child.kill('SIGKILL');
          count('fault-worker-sigkill');
          setTimeout(() => void startWorker().ready.catch(() => undefined), 300 + random.below(1500));
        },
      ],
      [
        4,
        async () => {
          if (redisDown) return;
          await admin.del(controlKeys(prefix).lock(pick(groups).id)).catch(() => undefined);
          count('fault-lock-expired');
        },
      ],
      [
        1,
        async () => {
          if (redisDown || (counts['fault-redis-kill'] ?? 0) >= 2) return;
          redisDown = true;
          count('fault-redis-kill');
          await redis.kill();
          // Down for longer than BullMQ's stalled interval and the job locks: in-flight jobs are redelivered.
          await new Promise((r) => setTimeout(r, LOCK_DURATION_MS + STALLED_MS + random.below(1500)));
          await redis.start();
          redisDown = false;
        },
      ],
    ];
    const total = actions.reduce((s, [w]) => s + w, 0);
    const end = Date.now() + o.durationMs;
    const inflight = new Set<Promise<void>>();
    while (Date.now() < end) {
      let roll = random.below(total);
      const action = actions.find(([w]) => (roll -= w) < 0)?.[1];
      const p = Promise.resolve(action?.())
        .catch(() => undefined)
        .finally(() => inflight.delete(p));
      inflight.add(p);
      await new Promise((r) => setTimeout(r, 20 + random.below(150)));
    }
    await Promise.all(inflight);
    say(`chaos seed ${o.seed}: faults stopped; settling`);
    return await settleAndCheck({
      o,
      redis,
      admin,
      cloud,
      prefix,
      groups,
      requests,
      counts,
      procs,
      startWorker,
      say,
    });
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    admin.disconnect();
    await cloud.close();
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function settleAndCheck(x: {
  o: ChaosOptions;
  redis: { url: string };
  admin: Redis;
  cloud: Awaited<ReturnType<typeof startChaosCloud>>;
  prefix: string;
  groups: Array<{ id: string; resources: string[] }>;
  requests: RecordedRequest[];
  counts: Record<string, number>;
  procs: Proc[];
  startWorker: () => Proc;
  say: (line: string) => void;
}): Promise<ChaosReport> {
  const { admin, prefix, counts } = x;
  await fetch(`${x.cloud.url}/faults`, {
    method: 'POST',
    body: JSON.stringify({ throttleRate: 0, errorRate: 0 }),
  });
  const live = x.procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (let i = live.length; i < 4; i++) await x.startWorker().ready;
  const queue = await createControlQueue(admin, prefix);
  const idle = async (): Promise<void> => {
    for (let i = 0; i < 1200; i++) {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the queue did not settle: ${JSON.stringify(await queue.getJobCounts())}`);
  };
  await idle();
  // One last sweep per group repairs whatever a fault left half done, and its jobs finish too.
  await queue.add('sweep', { kind: 'sweep', key: 'chaos-final-sweep' });
  await idle();
  const finished = [
    ...(await queue.getJobs(['completed'], 0, -1)),
    ...(await queue.getJobs(['failed'], 0, -1)),
  ];
  const states = await Promise.all(finished.map(async (j) => ({ j, state: await j.getState() })));
  const jobs = states.map(({ j, state }) => ({
    id: j.id ?? '',
    state,
    outcome: ((j.returnvalue as { outcome?: string } | null)?.outcome ?? null) as string | null,
    failedReason: j.failedReason || null,
  }));
  await queue.close();
  const raw = (await admin.xrange(controlKeys(prefix).audit(), '-', '+')) as Array<[string, string[]]>;
  const audit: RecordedEntry[] = raw.map(([id, fields]) => {
    const e = JSON.parse(fields[fields.indexOf('entry') + 1] ?? '{}') as Omit<RecordedEntry, 'id'>;
    return {
      id,
      group: e.group,
      epoch: e.epoch,
      action: e.action,
      outcome: e.outcome,
      from: e.from,
      to: e.to,
      job: e.job,
    };
  });
  const final: Record<string, string | null> = {};
  for (const g of x.groups)
    for (const r of g.resources)
      final[r] = ((await (await fetch(`${x.cloud.url}/r/${r}`)).json()) as { holder: string | null }).holder;
  const history: History = {
    groups: x.groups,
    requests: x.requests,
    jobs,
    audit,
    writes: x.cloud.log,
    final,
  };
  counts['accepted'] = x.requests.filter((r) => r.status === 202).length;
  counts['jobs'] = jobs.length;
  for (const j of jobs)
    counts[`job-${j.state}${j.outcome ? `-${j.outcome}` : ''}`] =
      (counts[`job-${j.state}${j.outcome ? `-${j.outcome}` : ''}`] ?? 0) + 1;
  counts['commits'] = audit.filter((e) => e.outcome === 'ok').length;
  counts['noops'] = audit.filter((e) => e.outcome === 'noop').length;
  counts['supersedes'] = audit.filter((e) => e.outcome === 'superseded').length;
  counts['refused'] = audit.filter((e) => e.action === 'refused').length;
  counts['writes'] = x.cloud.log.length;
  counts['unrecorded-writes-found'] = explainedBreaks(history);
  for (const j of jobs.filter((y) => y.state === 'failed').slice(0, 5))
    x.say(`failed job ${j.id}: ${j.failedReason}`);
  // FLOATIP_CHAOS_HISTORY=DIR keeps each seed's whole history (requests, jobs, audit, writes) to study.
  const keep = process.env['FLOATIP_CHAOS_HISTORY'];
  if (keep) writeFileSync(`${keep}/chaos-seed-${x.o.seed}.json`, JSON.stringify(history, null, 1));
  return { seed: x.o.seed, violations: checkHistory(history), counts };
}

/** `npm run chaos [-- --seeds 1,2,3 --seconds 120]`: the large run; exits 1 on any violation. */
if (import.meta.main) {
  const arg = (name: string, d: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? d) : d;
  };
  const seeds = arg('seeds', '11,12,13').split(',').map(Number);
  const seconds = Number(arg('seconds', '120'));
  let bad = 0;
  for (const seed of seeds) {
    const r = await runChaos({ seed, durationMs: seconds * 1000, groups: 4, log: (l) => console.log(l) });
    console.log(`seed ${seed}: ${JSON.stringify(r.counts)}`);
    for (const v of r.violations) console.log(`  VIOLATION ${v}`);
    bad += r.violations.length;
  }
  console.log(bad === 0 ? 'chaos: no violations' : `chaos: ${bad} violation(s)`);
  process.exit(bad === 0 ? 0 : 1);
}
