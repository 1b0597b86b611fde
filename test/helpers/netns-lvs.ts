/**
 * The seed guides' LVS-NAT lab in network namespaces (prefix fip-lvs-), routed so replies from the real
 * servers come back through the director, as LVS-NAT requires:
 *
 *   client c  eth0 10.98.1.2 (+ .3 .4 .5 as extra clients) ── c0 10.98.1.1 + VIP 10.98.1.100 ┐ director d
 *   real server r1  eth0 10.98.2.2:8080, default via 10.98.2.1 ── r1 10.98.2.1               │ ip_forward=1
 *   real server r2  eth0 10.98.3.2:8080, default via 10.98.3.1 ── r2 10.98.3.1               ┘
 *
 * Real servers are node HTTP servers answering with their name (netns-lvs-server.ts), started inside
 * their namespaces; the client runs netns-lvs-client.ts inside its namespace. destroy() kills every
 * process in the lab's namespaces and deletes them; pair createLvsLab with destroy in t.after/finally.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNamespace, run } from './netns.ts';

export const LVS_LAB_PREFIX = 'fip-lvs-';
const NODE = 'node_modules/.bin/node';

export const lvsLabAddrs = {
  vip: '10.98.1.100',
  clients: ['10.98.1.2', '10.98.1.3', '10.98.1.4', '10.98.1.5'],
  r1: '10.98.2.2',
  r2: '10.98.3.2',
  rsPort: 8080,
  /** The same lab in IPv6 (documentation-style ULA prefixes, inside the namespaces only). */
  vip6: 'fd98:1::100',
  clients6: ['fd98:1::2', 'fd98:1::3'],
  r1v6: 'fd98:2::2',
  r2v6: 'fd98:3::2',
} as const;

export interface LvsLab {
  ns: { c: string; d: string; r1: string; r2: string };
  /** Runs a command in a namespace; returns stdout, throws with stderr. */
  exec(ns: string, argv: string[], input?: string): string;
  /** The argv prefix that runs nft in the director's namespace. */
  nftCommand: string[];
  /** Starts (or restarts) real server `name` (r1|r2); resolves once it listens. */
  startServer(name: 'r1' | 'r2'): Promise<void>;
  /** Stops real server `name` (its web service, not its namespace). */
  stopServer(name: 'r1' | 'r2'): Promise<void>;
  /** `count` new-connection requests from the client to the VIP, cycling over `clients` source addresses. */
  requests(count: number, clients?: readonly string[], port?: number): string[];
  /** The same over IPv6, to the IPv6 VIP. */
  requests6(count: number, clients?: readonly string[]): string[];
  destroy(): void;
}

/** Throws one clear message when the lab cannot run here (CI runs as root with these packages). */
export function assertLvsLabPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('the LVS netns lab needs root (ip netns, veth, nft)');
  for (const tool of ['ip', 'nft']) {
    try {
      run(['sh', '-c', `command -v ${tool}`]);
    } catch {
      throw new Error(
        `the LVS netns lab needs "${tool}" (Debian packages iproute2, nftables; see .ci/apt-packages)`,
      );
    }
  }
}

/** Removes labs left by runs whose process is gone (names carry the creating pid). */
export function sweepStaleLvsLabs(): void {
  for (const line of run(['ip', 'netns', 'list']).split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const m = /^fip-lvs-(\d+)-/.exec(ns);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      killNamespace(ns);
    }
  }
}

/**
 * One namespace for an agent under test, named like the labs (so a crashed run's is swept) and ending in
 * `tag`, with lo up; with `v0Address`, also a veth pair v0/v1, both up, the address on v0. And a new
 * temporary directory. Stale labs are swept first; the namespace and the directory go after the test.
 */
export function agentNamespace(
  t: { after(fn: () => void): void },
  tag: string,
  v0Address?: string,
): { ns: string; dir: string } {
  sweepStaleLvsLabs();
  const ns = `${LVS_LAB_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), `fip-${tag}-`));
  run(['ip', 'netns', 'add', ns]);
  t.after(() => {
    try {
      run(['ip', 'netns', 'del', ns]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  if (v0Address !== undefined) {
    run(['ip', '-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    run(['ip', '-n', ns, 'addr', 'add', v0Address, 'dev', 'v0']);
    run(['ip', '-n', ns, 'link', 'set', 'v0', 'up']);
    run(['ip', '-n', ns, 'link', 'set', 'v1', 'up']);
  }
  return { ns, dir };
}

/** The lab with both real servers answering, destroyed after the test. */
export async function servedLvsLab(t: { after(fn: () => void): void }): Promise<LvsLab> {
  const lab = await createLvsLab();
  t.after(() => lab.destroy());
  await lab.startServer('r1');
  await lab.startServer('r2');
  return lab;
}

export async function createLvsLab(): Promise<LvsLab> {
  assertLvsLabPrerequisites();
  sweepStaleLvsLabs();
  const id = `${LVS_LAB_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`;
  const ns = { c: `${id}-c`, d: `${id}-d`, r1: `${id}-r1`, r2: `${id}-r2` };
  const created: string[] = [];
  const servers = new Map<string, ChildProcess>();
  const exec = (n: string, argv: string[], input?: string): string =>
    run(['ip', 'netns', 'exec', n, ...argv], input);

  const destroy = (): void => {
    for (const child of servers.values()) if (child.exitCode === null) child.kill('SIGKILL');
    servers.clear();
    for (const n of [...created].reverse()) killNamespace(n);
    created.length = 0;
  };

  try {
    for (const n of Object.values(ns)) {
      run(['ip', 'netns', 'add', n]);
      created.push(n);
      exec(n, ['ip', 'link', 'set', 'lo', 'up']);
    }
    const link = (a: string, aIf: string, b: string, bIf: string): void => {
      run(['ip', 'link', 'add', 'name', aIf, 'netns', a, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
      exec(a, ['ip', 'link', 'set', aIf, 'up']);
      exec(b, ['ip', 'link', 'set', bIf, 'up']);
    };
    link(ns.c, 'eth0', ns.d, 'c0');
    link(ns.r1, 'eth0', ns.d, 'r1');
    link(ns.r2, 'eth0', ns.d, 'r2');
    for (const a of lvsLabAddrs.clients) exec(ns.c, ['ip', 'addr', 'add', `${a}/24`, 'dev', 'eth0']);
    exec(ns.c, ['ip', 'route', 'add', 'default', 'via', '10.98.1.1']);
    exec(ns.d, ['ip', 'addr', 'add', '10.98.1.1/24', 'dev', 'c0']);
    exec(ns.d, ['ip', 'addr', 'add', `${lvsLabAddrs.vip}/32`, 'dev', 'c0']);
    exec(ns.d, ['ip', 'addr', 'add', '10.98.2.1/24', 'dev', 'r1']);
    exec(ns.d, ['ip', 'addr', 'add', '10.98.3.1/24', 'dev', 'r2']);
    exec(ns.d, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    exec(ns.r1, ['ip', 'addr', 'add', `${lvsLabAddrs.r1}/24`, 'dev', 'eth0']);
    exec(ns.r1, ['ip', 'route', 'add', 'default', 'via', '10.98.2.1']);
    exec(ns.r2, ['ip', 'addr', 'add', `${lvsLabAddrs.r2}/24`, 'dev', 'eth0']);
    exec(ns.r2, ['ip', 'route', 'add', 'default', 'via', '10.98.3.1']);
    const v6 = (n: string, dev: string, cidr: string): string =>
      exec(n, ['ip', '-6', 'addr', 'add', cidr, 'dev', dev, 'nodad']);
    for (const a of lvsLabAddrs.clients6) v6(ns.c, 'eth0', `${a}/64`);
    exec(ns.c, ['ip', '-6', 'route', 'add', 'default', 'via', 'fd98:1::1']);
    v6(ns.d, 'c0', 'fd98:1::1/64');
    v6(ns.d, 'c0', `${lvsLabAddrs.vip6}/128`);
    v6(ns.d, 'r1', 'fd98:2::1/64');
    v6(ns.d, 'r2', 'fd98:3::1/64');
    exec(ns.d, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
    v6(ns.r1, 'eth0', `${lvsLabAddrs.r1v6}/64`);
    exec(ns.r1, ['ip', '-6', 'route', 'add', 'default', 'via', 'fd98:2::1']);
    v6(ns.r2, 'eth0', `${lvsLabAddrs.r2v6}/64`);
    exec(ns.r2, ['ip', '-6', 'route', 'add', 'default', 'via', 'fd98:3::1']);
  } catch (e) {
    destroy();
    throw e;
  }

  const startServer = (name: 'r1' | 'r2'): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns[name],
          NODE,
          'test/helpers/netns-lvs-server.ts',
          name,
          String(lvsLabAddrs.rsPort),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      servers.set(name, child);
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`real server ${name} exited (${code}): ${err}`)));
    });

  const stopServer = async (name: 'r1' | 'r2'): Promise<void> => {
    const child = servers.get(name);
    servers.delete(name);
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };

  const requests = (
    count: number,
    clients: readonly string[] = [lvsLabAddrs.clients[0]],
    port = 80,
  ): string[] => {
    const out = exec(ns.c, [
      NODE,
      'test/helpers/netns-lvs-client.ts',
      `http://${lvsLabAddrs.vip}:${port}/`,
      String(count),
      clients.join(','),
    ]);
    return JSON.parse(out) as string[];
  };

  const requests6 = (count: number, clients: readonly string[] = [lvsLabAddrs.clients6[0]]): string[] =>
    JSON.parse(
      exec(ns.c, [
        NODE,
        'test/helpers/netns-lvs-client.ts',
        `http://[${lvsLabAddrs.vip6}]:80/`,
        String(count),
        clients.join(','),
      ]),
    ) as string[];

  return {
    ns,
    exec,
    nftCommand: ['ip', 'netns', 'exec', ns.d, 'nft'],
    startServer,
    stopServer,
    requests,
    requests6,
    destroy,
  };
}

/** A director process (netns-lvs-director.ts) running the agent's LVS side in the lab's director namespace. */
export interface LvsDirector {
  /** Resolves with the first event (JSON line) matching `match`, seen before or after the call. */
  waitFor(
    match: (event: Record<string, unknown>) => boolean,
    what: string,
    limitMs?: number,
  ): Promise<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  /** SIGHUP: re-read the config file. */
  reload(): void;
  stop(): Promise<void>;
}

export function startLvsDirector(lab: LvsLab, configPath: string): LvsDirector {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.ns.d, NODE, 'test/helpers/netns-lvs-director.ts', configPath],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  let stderr = '';
  let buf = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  return {
    events,
    waitFor(match, what, limitMs = 30_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        // A bound so a broken director fails the test instead of hanging it; not a timing assertion.
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `director never reported ${what}; events ${JSON.stringify(events)}; stderr ${stderr}`,
              ),
            ),
          limitMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`director exited (${code}) before ${what}: ${stderr}`));
        });
      });
    },
    reload: () => void child.kill('SIGHUP'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
