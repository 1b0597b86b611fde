/**
 * Private Redis processes for the HA tests, on free loopback ports with their own directories: a
 * Sentinel set-up (primary, replica, three sentinels) and a three-primary Redis Cluster, built with
 * Debian's redis-server, redis-sentinel and redis-cli. Every process is killed and every directory
 * removed after the test, pass or fail. The shared Redis on 6379 is never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export interface HostPort {
  host: string;
  port: number;
}

/** Names the missing Debian package, or null when the binaries are there. */
export function missingRedisTools(): string | null {
  for (const [bin, pkg] of [
    ['redis-server', 'redis-server'],
    ['redis-sentinel', 'redis-sentinel'],
    ['redis-cli', 'redis-tools'],
  ] as const)
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} (Debian package ${pkg})`;
  return null;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Clean-ups that run last-registered-first after the test (node:test runs `t.after` hooks in order). */
export type Defer = (fn: () => Promise<unknown> | unknown) => void;

export function lifo(t: TestContext): Defer {
  const stack: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  });
  return (fn) => void stack.push(fn);
}

export interface Proc {
  port: number;
  kill(): Promise<void>;
}

/** Starts `bin args` and waits until the port answers PING. */
export async function startProc(
  defer: Defer,
  bin: string,
  args: string[],
  port: number,
  password?: string,
): Promise<Proc> {
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore' });
  child.once('error', () => undefined);
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  defer(kill);
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    ...(password ? { password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        if ((await probe.ping()) === 'PONG') return { port, kill };
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
  throw new Error(`${bin} did not answer on 127.0.0.1:${port}`);
}

export function scratch(defer: Defer, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `floatip-${name}-`));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const serverArgs = (port: number, dir: string): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
];

export interface SentinelLab {
  name: string;
  primary: Proc;
  replicas: Proc[];
  sentinels: HostPort[];
}

/**
 * A primary, two replicas and three sentinels (quorum 2) watching master `name`, down after 1 s. Two
 * replicas, so one is left to confirm writes (WAIT) once the other has been promoted.
 */
export async function sentinelLab(defer: Defer, name = 'fipmaster'): Promise<SentinelLab> {
  const dir = scratch(defer, 'sentinel');
  const [p1 = 0, ...rest] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
  const primary = await startProc(defer, 'redis-server', serverArgs(p1, dir), p1);
  const replicas: Proc[] = [];
  for (const port of rest.slice(0, 2))
    replicas.push(
      await startProc(
        defer,
        'redis-server',
        [
          ...serverArgs(port, dir),
          '--replicaof',
          '127.0.0.1',
          String(p1),
          '--dbfilename',
          `replica-${port}.rdb`,
        ],
        port,
      ),
    );
  const sentinels: HostPort[] = [];
  for (const port of rest.slice(2)) {
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${p1} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 2`,
        '',
      ].join('\n'),
    );
    await startProc(defer, 'redis-sentinel', [conf], port);
    sentinels.push({ host: '127.0.0.1', port });
  }
  await replicasOnline(p1, 2);
  await settled(sentinels, name, 2);
  return { name, primary, replicas, sentinels };
}

/** Waits until the primary reports `n` replicas online (initial sync done), so WAIT can count them. */
async function replicasOnline(port: number, n: number): Promise<void> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; (await r.info('replication')).match(/state=online/g)?.length !== n; i++) {
      if (i > 300) throw new Error(`the replica of 127.0.0.1:${port} never came online`);
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    r.disconnect();
  }
}

/** Waits until every sentinel knows the replicas and the other sentinels. */
async function settled(sentinels: HostPort[], name: string, replicas: number): Promise<void> {
  for (const s of sentinels) {
    const r = new Redis({ ...s, maxRetriesPerRequest: 1 });
    try {
      for (let i = 0; ; i++) {
        const known = (await r.call('SENTINEL', 'REPLICAS', name)) as unknown[];
        const peers = (await r.call('SENTINEL', 'SENTINELS', name)) as unknown[];
        if (known.length >= replicas && peers.length >= sentinels.length - 1) break;
        if (i > 300) throw new Error(`sentinel ${s.port} did not see its replica and peers`);
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      r.disconnect();
    }
  }
}

/** Three cluster-enabled redis-server primaries joined by `redis-cli --cluster create`, slots all served. */
export async function clusterLab(defer: Defer): Promise<HostPort[]> {
  const nodes: HostPort[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = scratch(defer, `cluster-${i}`);
    const port = await freePort();
    await startProc(
      defer,
      'redis-server',
      [
        ...serverArgs(port, dir),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, 'nodes.conf'),
        '--cluster-node-timeout',
        '5000',
      ],
      port,
    );
    nodes.push({ host: '127.0.0.1', port });
  }
  const made = spawnSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...nodes.map((n) => `${n.host}:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`redis-cli --cluster create failed: ${made.stdout}${made.stderr}`);
  for (const n of nodes) {
    const r = new Redis({ ...n, maxRetriesPerRequest: 1 });
    try {
      for (let i = 0; !String(await r.cluster('INFO')).includes('cluster_state:ok'); i++) {
        if (i > 300) throw new Error(`cluster node ${n.port} never reached cluster_state:ok`);
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      r.disconnect();
    }
  }
  return nodes;
}
