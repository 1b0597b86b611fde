// Scheduler benchmark: decisions per second of every IPVS scheduler in core/lb at 10 and 1,000 real
// servers, beside a baseline loop in the same process that picks servers[i % n] over the same
// requests. The ratio (scheduler / baseline) is the figure to compare across machines; absolute
// rates depend on the machine. Each case is time-boxed (FIP_BENCH_MS per case, default 80 ms), so the
// whole run takes a few seconds.
//
// Run: npm run bench:lb
import { performance } from 'node:perf_hooks';
import { SCHEDULER_NAMES, createVirtualService } from '../core/lb/index.ts';
import type { Request, SchedulerName, VirtualService } from '../core/lb/index.ts';

const CASE_MS = Number(process.env['FIP_BENCH_MS'] ?? 80);
const SIZES = [10, 1000];

const xorshift = (seed: number): ((n: number) => number) => {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
};

/** 1,024 requests from different clients to a few destination addresses. */
const requests: Request[] = Array.from({ length: 1024 }, (_, i) => ({
  saddr: `198.18.${(i >> 8) & 255}.${i & 255}`,
  daddr: `203.0.113.${i % 64}`,
  sport: 1024 + ((i * 7919) % 60000),
  dport: 80,
  proto: 'tcp',
}));

const build = (scheduler: SchedulerName, n: number): VirtualService => {
  const vs = createVirtualService({ scheduler, flags: {}, port: 80, fwmark: 0, random: xorshift(42) });
  const rnd = xorshift(7);
  for (let i = 0; i < n; i++) {
    const id = `rs${i}`;
    vs.addServer({
      id,
      addr: `10.1.${(i >> 8) & 255}.${i & 255}`,
      port: 80,
      weight: 1 + rnd(10),
    });
    vs.setConns(id, { activeConns: rnd(50), inactConns: rnd(200) });
  }
  return vs;
};

/** Run `step` in batches until CASE_MS has passed; decisions per second. */
const measure = (step: (i: number) => unknown): number => {
  let sink = 0;
  for (let i = 0; i < 2000; i++) if (step(i) !== undefined) sink++; // warm up
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < CASE_MS) {
    for (let i = 0; i < 500; i++) if (step(done + i) !== undefined) sink++;
    done += 500;
    elapsed = performance.now() - start;
  }
  if (sink < 0) console.log(sink);
  return (done / elapsed) * 1000;
};

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(12);

console.log(
  `core/lb decisions per second (${CASE_MS} ms per case), baseline = servers[i % n] over the same requests`,
);
console.log(
  `${'scheduler'.padEnd(10)} ${'servers'.padStart(7)} ${'decisions/s'.padStart(12)} ${'baseline/s'.padStart(12)}  ratio`,
);
for (const n of SIZES) {
  const ids = Array.from({ length: n }, (_, i) => `rs${i}`);
  for (const name of SCHEDULER_NAMES) {
    const vs = build(name, n);
    const rate = measure((i) => vs.schedule(requests[i & 1023]!));
    // The baseline runs right after each case, so both see the same machine state.
    const base = measure((i) => (requests[i & 1023]!.sport > -1 ? ids[i % n] : null));
    console.log(
      `${name.padEnd(10)} ${String(n).padStart(7)} ${fmt(rate)} ${fmt(base)}  ${(rate / base).toFixed(4)}`,
    );
  }
}
