/**
 * Runs inside the VM of ipvlan-vm.test.ts (Debian's kernel, which has CONFIG_IPVLAN; this machine's kernel
 * does not) as root. It only observes and records into $FIP_VM_OUT/ipvlan.json; the host test asserts.
 *
 *   VM root netns (director)                               netns peer
 *   eth0 10.99.0.11/24 (+ the VIP) ── veth ─────────────── eth0 10.99.0.100/24 (tcpdump, ping)
 *   └─ vrrp.53: ipvlan l2 private, 10.99.0.21/24 (the advert source)
 *
 * keepalived 2.2.7 runs the config first, then floatip's agent the same config; for each, once the VIP is
 * up: the interface holding it, the ipvlan as `ip -d -j link` / `ip -j addr` show it and its sysctls,
 * adverts seen by the peer, whether the peer reaches the VIP, and whether the ipvlan is gone after a
 * clean stop.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILE_CACHE, CONFIG, VIP } from './ipvlan-guest-config.ts';

const out = process.env['FIP_VM_OUT'] ?? '/run';
const root = join(import.meta.dirname, '..', '..', '..');

const sh = (argv: string[], allowFail = false): string => {
  try {
    return execFileSync(argv[0] ?? 'true', argv.slice(1), { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    if (allowFail) return '';
    throw e;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

interface Seen {
  vipOn?: string;
  /** From spawning the daemon to the VIP being up (Node under qemu's emulation starts slowly). */
  startMs?: number;
  link?: unknown;
  addresses?: string[];
  sysctls?: Record<string, string>;
  adverts?: string;
  ping?: boolean;
  goneAfterStop?: boolean;
  log?: string;
  error?: string;
}

const vmac = () => {
  const text = sh(['ip', '-d', '-j', 'link', 'show', 'dev', 'vrrp.53'], true);
  return text.trim() ? (JSON.parse(text) as Record<string, unknown>[])[0] : undefined;
};
/** The interface that holds `address`, if any. */
const holder = (address: string) => {
  const all = JSON.parse(sh(['ip', '-j', 'addr', 'show'])) as {
    ifname: string;
    addr_info: { local: string }[];
  }[];
  return all.find((l) => l.addr_info.some((a) => a.local === address))?.ifname;
};
const addresses = () => {
  const text = sh(['ip', '-j', 'addr', 'show', 'dev', 'vrrp.53'], true);
  if (!text.trim()) return [];
  const [l] = JSON.parse(text) as { addr_info: { local: string; prefixlen: number }[] }[];
  return (l?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
};
const sysctls = () => {
  const o: Record<string, string> = {};
  for (const k of [
    'arp_ignore',
    'arp_filter',
    'arp_announce',
    'accept_local',
    'rp_filter',
    'promote_secondaries',
  ])
    o[k] = readFileSync(`/proc/sys/net/ipv4/conf/vrrp.53/${k}`, 'utf8').trim();
  o['disable_ipv6'] = readFileSync('/proc/sys/net/ipv6/conf/vrrp.53/disable_ipv6', 'utf8').trim();
  return o;
};

async function observe(who: string, child: ChildProcess, seen: Seen): Promise<void> {
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const t0 = Date.now();
    seen.vipOn = await until(`${who} to add the VIP`, 300_000, () => holder(VIP));
    seen.startMs = Date.now() - t0;
    const l = vmac() ?? {};
    const info = (l['linkinfo'] ?? {}) as {
      info_kind?: string;
      info_data?: { mode?: string; flags?: string };
    };
    // This iproute2 leaves the ipvlan flags out of its JSON; its text has them: "ipvlan  mode l2 private".
    const text = sh(['ip', '-d', 'link', 'show', 'dev', 'vrrp.53']);
    seen.link = {
      kind: info.info_kind,
      mode: info.info_data?.mode,
      flags: /ipvlan\s+mode \S+ (\S+)/.exec(text)?.[1],
      base: l['link'],
      sameMacAsBase: l['address'] === readFileSync('/sys/class/net/eth0/address', 'utf8').trim(),
      up: (l['flags'] as string[] | undefined)?.includes('UP'),
    };
    seen.addresses = addresses().sort();
    seen.sysctls = sysctls();
    seen.adverts = sh(
      [
        'ip',
        'netns',
        'exec',
        'peer',
        'timeout',
        '8',
        'tcpdump',
        '-c',
        '2',
        '-n',
        '-e',
        '-i',
        'eth0',
        'ip proto 112',
      ],
      true,
    );
    seen.ping = sh(['ip', 'netns', 'exec', 'peer', 'ping', '-c', '1', '-W', '2', VIP], true).includes(
      ' 0% packet loss',
    );
  } catch (e) {
    seen.error = String(e);
  }
  child.kill('SIGTERM');
  await exited;
  seen.goneAfterStop = vmac() === undefined;
  seen.log = log.slice(-4000);
}

async function guest(): Promise<void> {
  sh(['ip', 'netns', 'add', 'peer']);
  sh(['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'peer']);
  sh(['ip', 'addr', 'add', '10.99.0.11/24', 'dev', 'eth0']);
  sh(['ip', 'link', 'set', 'eth0', 'up']);
  sh(['ip', '-n', 'peer', 'addr', 'add', '10.99.0.100/24', 'dev', 'eth0']);
  sh(['ip', '-n', 'peer', 'link', 'set', 'eth0', 'up']);
  sh(['ip', '-n', 'peer', 'link', 'set', 'lo', 'up']);
  const conf = join('/run', 'keepalived.conf');
  writeFileSync(conf, CONFIG);
  const record: Record<string, Seen> = { keepalived: {}, floatip: {} };
  const ka = spawn('keepalived', [
    '-n',
    '-l',
    '-D',
    '-f',
    conf,
    '-p',
    '/run/k.pid',
    '-r',
    '/run/v.pid',
    '-c',
    '/run/c.pid',
  ]);
  await observe('keepalived', ka, record['keepalived'] ?? {});
  // The host filled a compile cache for this tree (ipvlan-vm.test.ts); a writable copy of it saves Node
  // most of its start-up under emulation.
  const env = { ...process.env };
  if (existsSync(COMPILE_CACHE)) {
    sh(['cp', '-r', COMPILE_CACHE, '/run/node-compile-cache']);
    env['NODE_COMPILE_CACHE'] = '/run/node-compile-cache';
  }
  const agent = spawn(
    process.execPath,
    [join(root, 'bin', 'floatip.mjs'), 'agent', '--config', conf, '--socket', '/run/fip-agent.sock'],
    { env },
  );
  await observe('floatip', agent, record['floatip'] ?? {});
  writeFileSync(join(out, 'ipvlan.json'), JSON.stringify(record, null, 2));
}

await guest();
