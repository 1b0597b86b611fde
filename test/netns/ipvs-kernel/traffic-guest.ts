/**
 * Runs inside the IPVS VM (see ipvs-traffic.test.ts, test/helpers/vm.ts) as root: real TCP connections
 * through IPVS that the floatip agent programmed from a keepalived.conf. It only observes and records into
 * $FIP_VM_OUT/traffic.json; the host test asserts.
 *
 *   netns cl (client)               VM root netns (director, runs the agent)           netns rs1..rs3
 *   eth0 10.10.0.2/24 ──┐           bridge "lab" 10.10.0.1/24 + 10.10.1.1/24      ┌── eth0 10.10.1.1N/24
 *   + 10.10.0.100-131   └── veth ── VIPs 10.10.2.x/32 on dummy "vips" ── veth ──┘   VIPs on lo, tunl0 up
 *   default via .0.1                ip_forward=1, no redirects                       default via 10.10.1.1
 *
 * One L2 segment: DR needs the director to reach the real servers' MACs. NAT replies (source 10.10.1.1N)
 * follow the real server's default route back through the director, which un-NATs them; DR and TUN
 * replies (source a VIP) take a policy route (table 100) straight to the client on the segment, so the
 * director never sees them, as in a real DR/TUN set-up. The VIPs sit outside both subnets, so nobody ARPs
 * for them; arp_ignore/arp_announce are set on the real servers all the same, as a DR real server needs.
 *
 * Each real server answers every connection on port 80 with its own name (busybox nc, one fork per
 * connection). The client (this file again, `client` mode, in netns cl) makes the connections and reports
 * which server answered each one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../helpers/netns.ts';

const MODES = ['NAT', 'DR', 'TUN'] as const;
const SCHEDULERS = ['rr', 'wrr', 'sh', 'mh'] as const;
const SERVERS = ['rs1', 'rs2', 'rs3'] as const;
/** Weights of rs1, rs2, rs3 per scheduler (a weight of 0 must get nothing). */
export const WEIGHTS: Record<(typeof SCHEDULERS)[number], readonly number[]> = {
  rr: [1, 1, 1],
  wrr: [3, 2, 1],
  sh: [2, 1, 1],
  mh: [3, 1, 0],
};

export interface Job {
  mode: string;
  scheduler: string;
  vip: string;
  /** Source addresses, in the order the connections are made (one connection per entry). */
  sources: string[];
}
export interface Conn {
  source: string;
  /** The answering server's name, or `error: CODE` / `timeout`. */
  answer: string;
}

const vip = (mode: number, sched: number) => `10.10.2.${(mode + 1) * 10 + sched + 1}`;
const rsAddr = (i: number) => `10.10.1.${11 + i}`;
/** Client source addresses for the hashing schedulers (sh, mh): 16 sources, each used twice. */
const hashSources = Array.from({ length: 16 }, (_, i) => `10.10.0.${100 + i}`);

function jobs(): Job[] {
  const out: Job[] = [];
  MODES.forEach((mode, m) =>
    SCHEDULERS.forEach((scheduler, s) => {
      const sum = WEIGHTS[scheduler].reduce((a, b) => a + b, 0);
      const sources =
        scheduler === 'sh' || scheduler === 'mh'
          ? [...hashSources, ...hashSources]
          : // rr and wrr: two whole rounds from one source, so the shares are exact.
            Array.from({ length: 2 * sum }, () => '10.10.0.2');
      out.push({ mode, scheduler, vip: vip(m, s), sources });
    }),
  );
  return out;
}

function keepalivedConf(): string {
  const blocks: string[] = [
    '# Written by traffic-guest.ts: one virtual server per forwarding method x scheduler.',
  ];
  MODES.forEach((mode, m) =>
    SCHEDULERS.forEach((scheduler, s) => {
      const reals = SERVERS.map(
        (_, i) => `    real_server ${rsAddr(i)} 80 {\n        weight ${WEIGHTS[scheduler][i]}\n    }`,
      );
      blocks.push(
        `virtual_server ${vip(m, s)} 80 {\n    lb_algo ${scheduler}\n    lb_kind ${mode}\n    protocol TCP\n${reals.join('\n')}\n}`,
      );
    }),
  );
  return blocks.join('\n\n') + '\n';
}

/** One connection: the first line the server sent, or what went wrong. */
function connectOnce(host: string, localAddress: string, localPort: number): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const finish = (v: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const sock = connect({ host, port: 80, localAddress, localPort });
    const timer = setTimeout(() => finish('timeout'), 15_000);
    sock.on('data', (d: Buffer) => (data += d.toString()));
    sock.on('end', () => finish(data.trim() || 'empty'));
    sock.on('close', () => finish(data.trim() || 'empty'));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(`error: ${e.code ?? e.message}`));
  });
}

async function client(jobFile: string): Promise<void> {
  const list = JSON.parse(readFileSync(jobFile, 'utf8')) as Job[];
  // Services run side by side; within one, connections are made one after another, so rr/wrr see them in
  // order. Every connection has its own source port: a reused 4-tuple can meet IPVS's entry for an earlier
  // connection (DR and TUN see one direction only, so that entry may not be in TIME_WAIT) and skip the
  // scheduler.
  const results = await Promise.all(
    list.map(async (job, j) => {
      const conns: Conn[] = [];
      for (const [i, source] of job.sources.entries()) {
        conns.push({ source, answer: await connectOnce(job.vip, source, 20000 + j * 200 + i) });
      }
      return conns;
    }),
  );
  process.stdout.write(JSON.stringify(results));
}

const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function buildLab(): void {
  const vips = MODES.flatMap((_, m) => SCHEDULERS.map((__, s) => vip(m, s)));
  const routedVips = vips.filter((v) => !v.startsWith('10.10.2.1')); // DR and TUN: the real servers hold them
  const lines = [
    'ip link add lab type bridge',
    'ip addr add 10.10.0.1/24 dev lab',
    'ip addr add 10.10.1.1/24 dev lab',
    'ip link set lab up',
    'ip link add vips type dummy',
    'ip link set vips up',
    ...vips.map((v) => `ip addr add ${v}/32 dev vips`),
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
    'echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects',
    'echo 0 > /proc/sys/net/ipv4/conf/lab/send_redirects',
    'ip netns add cl',
    'ip link add cl0 type veth peer name eth0 netns cl',
    'ip link set cl0 master lab up',
    'ip -n cl link set lo up',
    'ip -n cl addr add 10.10.0.2/24 dev eth0',
    ...hashSources.map((a) => `ip -n cl addr add ${a}/24 dev eth0`),
    'ip -n cl link set eth0 up',
    'ip -n cl route add default via 10.10.0.1',
    "ip netns exec cl sh -c 'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter; echo 0 > /proc/sys/net/ipv4/conf/eth0/rp_filter'",
  ];
  SERVERS.forEach((rs, i) => {
    const sys = [
      'conf/all/arp_ignore=1',
      'conf/all/arp_announce=2',
      'conf/all/rp_filter=0',
      'conf/default/rp_filter=0',
      'conf/eth0/rp_filter=0',
      'conf/tunl0/rp_filter=0',
      'conf/all/accept_redirects=0',
    ].map((kv) => {
      const [k, v] = kv.split('=');
      return `echo ${v} > /proc/sys/net/ipv4/${k}`;
    });
    lines.push(
      `ip netns add ${rs}`,
      `ip link add ${rs}0 type veth peer name eth0 netns ${rs}`,
      `ip link set ${rs}0 master lab up`,
      `ip -n ${rs} link set lo up`,
      `ip -n ${rs} addr add ${rsAddr(i)}/24 dev eth0`,
      `ip -n ${rs} link set eth0 up`,
      `ip -n ${rs} route add default via 10.10.1.1`,
      // TUN: the ipip module gives every namespace a tunl0 that decapsulates what the director sends.
      `ip -n ${rs} link set tunl0 up`,
      `ip netns exec ${rs} sh -c '${sys.join('; ')}'`,
      ...routedVips.map((v) => `ip -n ${rs} addr add ${v}/32 dev lo`),
      // Replies from a VIP (DR, TUN) go straight to the client; NAT replies keep the default route.
      `ip -n ${rs} rule add from 10.10.2.0/24 table 100`,
      `ip -n ${rs} route add 10.10.0.0/24 dev eth0 table 100`,
    );
  });
  sh(['set -e', ...lines].join('\n'));
}

/** Polls `check` every 250 ms until it returns a value; throws naming `what` after `ms`. */
const until = <T>(what: string, ms: number, check: () => T | undefined): Promise<T> =>
  waitFor(what, check, ms, 250);

async function guest(): Promise<void> {
  const out = process.env.FIP_VM_OUT ?? '/run';
  const root = join(import.meta.dirname, '..', '..', '..');
  const node = join(root, 'node_modules', '.bin', 'node');
  const children: ChildProcess[] = [];
  const record: Record<string, unknown> = { started: Date.now() };
  let log = '';
  try {
    const conf = join(out, 'keepalived.conf');
    writeFileSync(conf, keepalivedConf());
    const agent = spawn(
      node,
      [join(root, 'bin', 'floatip.mjs'), 'agent', '--config', conf, '--socket', '/run/fip-agent.sock'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(agent);
    // The agent takes longest to start under emulation: the lab is built while it loads.
    agent.stdout.on('data', (d: Buffer) => (log += d.toString()));
    agent.stderr.on('data', (d: Buffer) => (log += d.toString()));
    buildLab();
    for (const rs of SERVERS) {
      children.push(
        spawn('ip', ['netns', 'exec', rs, 'busybox', 'nc', '-ll', '-p', '80', '-e', '/bin/echo', rs], {
          stdio: 'ignore',
        }),
      );
    }
    const want = MODES.length * SCHEDULERS.length;
    await until(`the agent to program ${want} services`, 400_000, () => {
      const t = sh('ipvsadm -Ln');
      const services = t.split('\n').filter((l) => l.startsWith('TCP ')).length;
      const dests = t.split('\n').filter((l) => /^ {2}-> 10\.10\.1\./.test(l)).length;
      return services === want && dests === want * SERVERS.length ? true : undefined;
    });
    record['programmed'] = Date.now();
    record['table'] = sh('ipvsadm -Ln --nosort');
    const list = jobs();
    const jobFile = join(out, 'jobs.json');
    writeFileSync(jobFile, JSON.stringify(list));
    const answers = JSON.parse(
      execFileSync('ip', ['netns', 'exec', 'cl', node, import.meta.filename, 'client', jobFile], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as Conn[][];
    record['connected'] = Date.now();
    record['runs'] = list.map((job, i) => ({ ...job, sources: undefined, conns: answers[i] }));
    // The kernel's own count of connections per real server (Conns), to set beside the client's. The
    // counters ipvsadm reads are summed from per-CPU ones by IPVS's estimator every 2 s: read until two
    // reads 2.5 s apart agree.
    let stats = sh('ipvsadm -Ln --stats --exact');
    for (let i = 0; i < 12; i++) {
      await sleep(2500);
      const again = sh('ipvsadm -Ln --stats --exact');
      if (again === stats) break;
      stats = again;
    }
    record['stats'] = stats;
  } catch (e) {
    record['error'] = `${(e as Error).stack ?? String(e)}\nkernel table:\n${sh('ipvsadm -Ln')}`;
  } finally {
    record['agentLog'] = log;
    for (const c of children) c.kill('SIGKILL');
    writeFileSync(join(out, 'traffic.json'), JSON.stringify(record, null, 2));
  }
}

// Imported by the host test for WEIGHTS: run only as a script.
if (process.argv[1] === import.meta.filename) {
  if (process.argv[2] === 'client') await client(process.argv[3] ?? '');
  else await guest();
}
