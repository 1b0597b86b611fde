/**
 * The seed guides' full LVS-NAT lab: two directors running `floatip agent` (VRRP + LVS), a client and two
 * real servers, in namespaces (prefix fip-lvs-). Two bridges live in a private hub namespace:
 *
 *   brA (client side) : c 10.98.1.2            d1 a0 10.98.1.11   d2 a0 10.98.1.12    VIP 10.98.1.100
 *   brB (server side) : r1 10.98.2.2 r2 .3     d1 b0 10.98.2.11   d2 b0 10.98.2.12    gateway VIP 10.98.2.254
 *
 * Real servers route through the gateway VIP, so replies return through whichever director is master
 * (a vrrp_sync_group keeps both VIPs together). destroy() kills everything and deletes the namespaces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killNamespace, run } from './netns.ts';
import { LVS_LAB_PREFIX, assertLvsLabPrerequisites, sweepStaleLvsLabs } from './netns-lvs.ts';

const NODE = 'node_modules/.bin/node';

export const pairAddrs = {
  vip: '10.98.1.100',
  gatewayVip: '10.98.2.254',
  client: '10.98.1.2',
  d1: { a: '10.98.1.11', b: '10.98.2.11' },
  d2: { a: '10.98.1.12', b: '10.98.2.12' },
  r1: '10.98.2.2',
  r2: '10.98.2.3',
  rsPort: 8080,
} as const;

/**
 * A director's keepalived.conf for this lab: a sync group holding the client-side VIP (a0) and the real
 * servers' gateway VIP (b0), both instances BACKUP at `priority`, and one virtual server on the VIP with
 * rr, NAT and a TCP_CHECK per real server (and ha_suspend when asked).
 */
export function pairConfig(
  routerId: string,
  priority: number,
  options: { realServers?: ReadonlyArray<'r1' | 'r2'>; haSuspend?: boolean } = {},
): string {
  const instance = (name: string, dev: string, vrid: number, vip: string): string => `
vrrp_instance ${name} {
    state BACKUP
    interface ${dev}
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${vip}/24 dev ${dev}
    }
}`;
  const realServer = (rs: 'r1' | 'r2'): string => `
    real_server ${pairAddrs[rs]} ${pairAddrs.rsPort} {
        TCP_CHECK {
            connect_timeout 1
        }
    }`;
  return `
global_defs {
    router_id ${routerId}
}
vrrp_sync_group VG {
    group {
        VI_EXT
        VI_INT
    }
}${instance('VI_EXT', 'a0', 51, pairAddrs.vip)}${instance('VI_INT', 'b0', 52, pairAddrs.gatewayVip)}
virtual_server ${pairAddrs.vip} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP${options.haSuspend ? '\n    ha_suspend' : ''}${(options.realServers ?? ['r1', 'r2']).map(realServer).join('')}
}
`;
}

/** Polls a condition; the bound only turns a hang into a failure, it asserts no timing. */
export async function pairUntil(what: string, ok: () => boolean, boundMs = 30_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 200) {
    if (waited > boundMs) throw new Error(`never: ${what}`);
    await sleep(200);
  }
}

export type PairNode = 'c' | 'd1' | 'd2' | 'r1' | 'r2';

export interface LvsPairLab {
  ns: Record<PairNode | 'hub', string>;
  exec(node: PairNode, argv: string[]): string;
  startServer(name: 'r1' | 'r2'): Promise<void>;
  /** Starts `floatip agent` on a director with this keepalived.conf; resolves once it logged its start. */
  startAgent(director: 'd1' | 'd2', config: string): Promise<{ stop(): Promise<void>; log(): string }>;
  /** Whether `addr` is configured on the director now. */
  holds(director: 'd1' | 'd2', addr: string): boolean;
  requests(count: number): string[];
  destroy(): void;
}

export function createLvsPairLab(): LvsPairLab {
  assertLvsLabPrerequisites();
  sweepStaleLvsLabs();
  const id = `${LVS_LAB_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`;
  const ns = {
    hub: `${id}-hub`,
    c: `${id}-c`,
    d1: `${id}-d1`,
    d2: `${id}-d2`,
    r1: `${id}-r1`,
    r2: `${id}-r2`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'fip-lvs-pair-'));
  const created: string[] = [];
  const children: ChildProcess[] = [];
  const exec = (node: PairNode | 'hub', argv: string[]): string =>
    run(['ip', 'netns', 'exec', ns[node], ...argv]);
  const destroy = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of [...created].reverse()) killNamespace(n);
    created.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const n of Object.values(ns)) {
      run(['ip', 'netns', 'add', n]);
      created.push(n);
    }
    for (const n of Object.keys(ns) as Array<keyof typeof ns>) exec(n, ['ip', 'link', 'set', 'lo', 'up']);
    for (const br of ['brA', 'brB']) {
      exec('hub', ['ip', 'link', 'add', br, 'type', 'bridge']);
      exec('hub', ['ip', 'link', 'set', br, 'up']);
    }
    let port = 0;
    const plug = (node: PairNode, ifname: string, br: 'brA' | 'brB', cidr: string): void => {
      const hubSide = `p${port++}`;
      run([
        'ip',
        'link',
        'add',
        'name',
        hubSide,
        'netns',
        ns.hub,
        'type',
        'veth',
        'peer',
        'name',
        ifname,
        'netns',
        ns[node],
      ]);
      exec('hub', ['ip', 'link', 'set', hubSide, 'master', br]);
      exec('hub', ['ip', 'link', 'set', hubSide, 'up']);
      exec(node, ['ip', 'addr', 'add', cidr, 'dev', ifname]);
      exec(node, ['ip', 'link', 'set', ifname, 'up']);
    };
    plug('c', 'eth0', 'brA', `${pairAddrs.client}/24`);
    plug('d1', 'a0', 'brA', `${pairAddrs.d1.a}/24`);
    plug('d1', 'b0', 'brB', `${pairAddrs.d1.b}/24`);
    plug('d2', 'a0', 'brA', `${pairAddrs.d2.a}/24`);
    plug('d2', 'b0', 'brB', `${pairAddrs.d2.b}/24`);
    plug('r1', 'eth0', 'brB', `${pairAddrs.r1}/24`);
    plug('r2', 'eth0', 'brB', `${pairAddrs.r2}/24`);
    for (const r of ['r1', 'r2'] as const)
      exec(r, ['ip', 'route', 'add', 'default', 'via', pairAddrs.gatewayVip]);
    for (const d of ['d1', 'd2'] as const) exec(d, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  } catch (e) {
    destroy();
    throw e;
  }

  const waitForLine = (child: ChildProcess, text: string, what: string, out: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out().includes(text)) resolve();
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${out()}`)));
    });

  return {
    ns,
    exec,
    async startServer(name) {
      const child = spawn(
        'ip',
        ['netns', 'exec', ns[name], NODE, 'test/helpers/netns-lvs-server.ts', name, String(pairAddrs.rsPort)],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      await waitForLine(child, 'ready', `real server ${name}`, () => out);
    },
    async startAgent(director, config) {
      const path = join(dir, `${director}.conf`);
      writeFileSync(path, config);
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns[director],
          NODE,
          'bin/floatip.mjs',
          'agent',
          '--config',
          path,
          '--socket',
          join(dir, `${director}.sock`),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      await waitForLine(child, 'floatip agent started', `agent on ${director}`, () => out);
      return {
        log: () => out,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    },
    holds(director, addr) {
      return exec(director, ['ip', '-4', '-o', 'addr', 'show']).includes(` ${addr}/`);
    },
    requests(count) {
      const out = exec('c', [
        NODE,
        'test/helpers/netns-lvs-client.ts',
        `http://${pairAddrs.vip}/`,
        String(count),
      ]);
      return JSON.parse(out) as string[];
    },
    destroy,
  };
}
