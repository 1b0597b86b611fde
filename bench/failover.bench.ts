/**
 * `npm run bench:failover` (root; needs keepalived and tcpdump): failover time of floatip and of Debian's
 * keepalived, in the same netns lab and the same run, plus the agent's CPU at 10 ms adverts.
 *
 * For each implementation and setting (VRRPv2 advert_int 1, VRRPv3 0.1 and 0.05) a pair runs on d1
 * (priority 150, master) and d2 (priority 100, backup), and two failovers are timed:
 * - link cut: d1's cable is cut at the bridge; the time runs until the client sees d2's first gratuitous
 *   ARP for the VIP (d2 owns the VIP and announced it). RFC: 3 x advert + (256 - 100) / 256 x (v2: 1 s,
 *   v3: advert).
 * - graceful stop: SIGTERM to the master; until d2's first GARP (RFC: the skew time after priority 0).
 * Times are wall-clock stamps of tcpdump on the client minus the moment the cut / signal was made.
 * - from advert: the link-cut runs again, timed from d1's last advert the client saw before the cut. The
 *   cut lands at a random point of the advert interval, which spreads `link cut` over a whole interval
 *   (±50 ms at 0.1 s) and makes 10-run medians of two implementations differ by chance; from the last
 *   advert the time is what the backup itself controls (3 x advert + skew, then the GARP).
 *
 * FIP_FAILOVER_RUNS (default 10) runs per case; advert_int 1 uses FIP_FAILOVER_RUNS_SLOW (default 5)
 * because each of its runs takes ~8 s. Output: median and max per case, floatip/keepalived ratio.
 *
 * FIP_FAILOVER_CPU_ONLY=1 runs only the CPU measurement (FIP_FAILOVER_CPU_SECS per sample, default 10).
 * It prints user and kernel (sys) time apart: an advert's sendmsg, and the delivery to the peers that the
 * kernel does in the sender's softirq, is sys time in both implementations; what Node adds is user time.
 * FIP_FAILOVER_BASELINE=/path/to/other/tree/bin/floatip.mjs adds that tree's agent to the CPU measurement
 * (e.g. a `git worktree` of an older commit with node_modules linked), so before/after come from one run;
 * FIP_FAILOVER_CPU_ROUNDS (default 1) alternates the implementations that many times.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assertLabPrerequisites, createLab, hasAddress, waitFor, type Lab } from '../test/helpers/netns.ts';
import { startFloatip, type RunningFloatip } from '../test/netns/vrrp/lib/floatip.ts';
import { startKeepalived, type RunningKeepalived } from '../test/netns/vrrp/lib/keepalived.ts';

const VIP = '10.99.0.170';
const RUNS = Number(process.env['FIP_FAILOVER_RUNS'] ?? 10);
const RUNS_SLOW = Number(process.env['FIP_FAILOVER_RUNS_SLOW'] ?? 5);

interface Setting {
  label: string;
  version: 2 | 3;
  advert: number;
}
const only = process.env['FIP_FAILOVER_ONLY']?.split(',');
const settings: Setting[] = [
  { label: 'v2 advert_int 1', version: 2 as const, advert: 1 },
  { label: 'v3 advert_int 0.1', version: 3 as const, advert: 0.1 },
  { label: 'v3 advert_int 0.05', version: 3 as const, advert: 0.05 },
].filter((s) => !only || only.includes(String(s.advert)));

type Impl = 'floatip' | 'keepalived';

function config(priority: number, s: Setting): string {
  return `global_defs {
    router_id bench${priority}
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version ${s.version}
    virtual_router_id 71
    priority ${priority}
    advert_int ${s.advert}
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

/** RFC formulas for the backup (priority 100). */
function rfcMs(s: Setting): { cut: number; stop: number } {
  const skew = s.version === 2 ? (156 / 256) * 1000 : (156 / 256) * s.advert * 1000;
  return { cut: 3 * s.advert * 1000 + skew, stop: skew };
}

interface Director {
  stop(): Promise<void>;
  kill(): Promise<void>;
  log(): string;
}

function start(lab: Lab, impl: Impl, node: 'd1' | 'd2', priority: number, s: Setting): Director {
  if (impl === 'floatip') {
    const a: RunningFloatip = startFloatip(lab, node, config(priority, s));
    return {
      log: () => a.log(),
      stop: async () => {
        await a.stop();
        a.cleanup();
      },
      kill: async () => {
        await a.kill();
        a.cleanup();
      },
    };
  }
  const k: RunningKeepalived = startKeepalived(lab, node, config(priority, s));
  return {
    log: () => k.log(),
    stop: () => k.stop(),
    kill: async () => {
      k.kill();
      await k.stop();
    },
  };
}

/** Streams `tcpdump -tt` on the client: d2's gratuitous ARPs for the VIP, with epoch-µs stamps. */
/** tcpdump on the client: the wall-clock stamps (ms) of the frames matching `filter`. */
class StampWatch {
  #lines: number[] = [];
  #child: ChildProcess;
  constructor(lab: Lab, filter: string) {
    this.#child = lab.spawn('c', ['tcpdump', '-i', 'eth0', '-nn', '-l', '-tt', '-p', filter]);
    let buf = '';
    this.#child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const t = Number(line.split(' ')[0]);
        if (Number.isFinite(t)) this.#lines.push(t * 1000);
      }
    });
  }
  /** The first stamp (ms since epoch) at or after `sinceMs`. */
  first(sinceMs: number): number | undefined {
    return this.#lines.find((t) => t >= sinceMs);
  }
  /** The last stamp before `beforeMs`. */
  last(beforeMs: number): number | undefined {
    return this.#lines.findLast((t) => t < beforeMs);
  }
  stop() {
    this.#child.kill('SIGINT');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

async function settled(lab: Lab, s: Setting): Promise<void> {
  await waitFor(
    'd1 to hold the VIP alone',
    () => (hasAddress(lab, 'd1', VIP) && !hasAddress(lab, 'd2', VIP) ? true : undefined),
    30_000,
    20,
  );
  // Let the backup hear a few adverts so its master-down timer runs from a fresh advert.
  await sleep(Math.max(300, 4 * s.advert * 1000));
}

/** d2's gratuitous ARPs for the VIP. */
const garpFilter = (mac: string) =>
  `arp and ether src ${mac} and arp[24:4] = ${VIP.split('.')
    .map((o) => Number(o))
    .reduce((n, o) => n * 256 + o, 0)}`;

async function measure(
  lab: Lab,
  impl: Impl,
  s: Setting,
  runs: number,
  watch: StampWatch,
  adverts: StampWatch,
) {
  const cut: number[] = [];
  /** From d1's last advert on the wire before the cut: the same time without the cut's random phase. */
  const fromAdvert: number[] = [];
  const stop: number[] = [];
  let master = start(lab, impl, 'd1', 150, s);
  const backup = start(lab, impl, 'd2', 100, s);
  try {
    for (let i = 0; i < runs; i++) {
      await settled(lab, s);
      lab.setLink('d1', false);
      const t0 = Date.now();
      const seen = await waitFor('d2 GARP after the cut', () => watch.first(t0), 30_000, 5);
      cut.push(seen - t0);
      const lastAdvert = adverts.last(t0);
      if (lastAdvert !== undefined) fromAdvert.push(seen - lastAdvert);
      lab.setLink('d1', true);
      await waitFor('d2 to yield', () => (!hasAddress(lab, 'd2', VIP) ? true : undefined), 30_000, 20);
    }
    for (let i = 0; i < runs; i++) {
      await settled(lab, s);
      const t1 = Date.now();
      const stopping = master.stop();
      const seen = await waitFor('d2 GARP after the stop', () => watch.first(t1), 30_000, 5);
      stop.push(seen - t1);
      await stopping;
      master = start(lab, impl, 'd1', 150, s);
      await waitFor('d2 to yield', () => (!hasAddress(lab, 'd2', VIP) ? true : undefined), 30_000, 20);
    }
  } catch (e) {
    throw new Error(
      `${impl} ${s.label}: ${(e as Error).message}\n--- d1:\n${master.log()}\n--- d2:\n${backup.log()}`,
      {
        cause: e,
      },
    );
  } finally {
    await master.kill();
    await backup.kill();
    lab.exec('d1', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { allowFail: true });
    lab.exec('d2', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { allowFail: true });
  }
  return { cut, fromAdvert, stop };
}

/** CPU of a process over `ms` (% of one core), user and kernel time apart (/proc/PID/stat utime, stime). */
interface Cpu {
  user: number;
  sys: number;
}
async function cpuPercent(pid: number, ms: number): Promise<Cpu> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return { user: Number(f[11]), sys: Number(f[12]) };
  };
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const a = ticks();
  const t = Date.now();
  await sleep(ms);
  const b = ticks();
  const pct = (d: number) => (d / hz / ((Date.now() - t) / 1000)) * 100;
  return { user: pct(b.user - a.user), sys: pct(b.sys - a.sys) };
}

const CPU_SECS = Number(process.env['FIP_FAILOVER_CPU_SECS'] ?? 10);
const BASELINE = process.env['FIP_FAILOVER_BASELINE'];
const CPU_ROUNDS = Number(process.env['FIP_FAILOVER_CPU_ROUNDS'] ?? 1);

/** Median CPU per implementation and role over CPU_ROUNDS rounds (implementations alternate each round). */
async function cpuAt10ms(lab: Lab): Promise<Record<string, Cpu & { total: number }>> {
  const samples: Record<string, Cpu[]> = {};
  for (let round = 0; round < CPU_ROUNDS; round++) {
    const r = await cpuRound(lab);
    for (const [k, v] of Object.entries(r)) (samples[k] ??= []).push(v);
  }
  // The round with the median total (the upper one of an even count), so user + sys add up to the total.
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => {
      const sorted = [...v].sort((a, b) => a.user + a.sys - (b.user + b.sys));
      const at = sorted[Math.floor(sorted.length / 2)] ?? { user: NaN, sys: NaN };
      return [k, { ...at, total: at.user + at.sys }];
    }),
  );
}

async function cpuRound(lab: Lab): Promise<Record<string, Cpu>> {
  const s: Setting = { label: 'v3 advert_int 0.01', version: 3, advert: 0.01 };
  const out: Record<string, Cpu> = {};
  const impls = ['floatip', 'keepalived', ...(BASELINE ? ['baseline'] : [])] as const;
  for (const impl of impls) {
    const launch = (node: 'd1' | 'd2', priority: number) =>
      impl === 'keepalived'
        ? startKeepalived(lab, node, config(priority, s))
        : impl === 'baseline'
          ? startFloatip(lab, node, config(priority, s), [], BASELINE)
          : startFloatip(lab, node, config(priority, s));
    const m = launch('d1', 150);
    const b = launch('d2', 100);
    try {
      await settled(lab, s);
      await sleep(1000);
      const pidOf = (x: typeof m) =>
        impl !== 'keepalived'
          ? (x.process.pid ?? 0)
          : Number(readFileSync(`${(x as RunningKeepalived).dir}/vrrp.pid`, 'utf8'));
      const [pm, pb] = await Promise.all([
        cpuPercent(pidOf(m), CPU_SECS * 1000),
        cpuPercent(pidOf(b), CPU_SECS * 1000),
      ]);
      out[`${impl} master`] = pm;
      out[`${impl} backup`] = pb;
    } finally {
      for (const x of [m, b]) {
        if ('cleanup' in x) {
          await x.kill();
          x.cleanup();
        } else {
          x.kill();
          await x.stop();
        }
      }
      lab.exec('d1', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { allowFail: true });
    }
  }
  return out;
}

async function main(): Promise<void> {
  assertLabPrerequisites(['keepalived', 'tcpdump']);
  const lab = createLab({ directors: 2, client: true });
  const watch = new StampWatch(lab, garpFilter(lab.nodes['d2']?.mac ?? ''));
  const adverts = new StampWatch(lab, `ip proto 112 and ether src ${lab.nodes['d1']?.mac ?? ''}`);
  const rows: string[] = [];
  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`);
  try {
    await sleep(500);
    for (const s of process.env['FIP_FAILOVER_CPU_ONLY'] === '1' ? [] : settings) {
      const runs = s.advert >= 1 ? RUNS_SLOW : RUNS;
      const r: Record<Impl, { cut: number[]; fromAdvert: number[]; stop: number[] }> = {
        floatip: await measure(lab, 'floatip', s, runs, watch, adverts),
        keepalived: await measure(lab, 'keepalived', s, runs, watch, adverts),
      };
      const rfc = rfcMs(s);
      const labels = { cut: 'link cut     ', fromAdvert: ' from advert ', stop: 'graceful stop' };
      for (const kind of ['cut', 'fromAdvert', 'stop'] as const) {
        const f = r.floatip[kind];
        const k = r.keepalived[kind];
        const line =
          `${s.label.padEnd(19)} ${labels[kind]} runs ${String(f.length).padStart(2)}  ` +
          `floatip median ${fmt(median(f)).padStart(9)} max ${fmt(Math.max(...f)).padStart(9)}  ` +
          `keepalived median ${fmt(median(k)).padStart(9)} max ${fmt(Math.max(...k)).padStart(9)}  ` +
          `ratio ${(median(f) / median(k)).toFixed(2)}  (RFC ${fmt(kind === 'stop' ? rfc.stop : rfc.cut)})`;
        console.log(line);
        rows.push(line);
      }
    }
    const cpu = await cpuAt10ms(lab);
    for (const [k, v] of Object.entries(cpu))
      console.log(
        `cpu at 10 ms adverts  ${k.padEnd(18)} ${v.total.toFixed(2)} % of a core ` +
          `(user ${v.user.toFixed(2)} %, sys ${v.sys.toFixed(2)} %)`,
      );
    const ratio = (a: string, b: string) => {
      const x = cpu[a]?.total;
      const y = cpu[b]?.total;
      if (x !== undefined && y) console.log(`cpu at 10 ms adverts  ${a} / ${b} = ${(x / y).toFixed(2)}`);
    };
    for (const role of ['master', 'backup']) {
      ratio(`floatip ${role}`, `keepalived ${role}`);
      ratio(`baseline ${role}`, `keepalived ${role}`);
      ratio(`floatip ${role}`, `baseline ${role}`);
    }
  } finally {
    watch.stop();
    adverts.stop();
    lab.destroy();
  }
}

await main();
