// LVS data plane figures (run as root; needs ip, nft): `npm run bench:lvs`
//  1. nftables: cost of one health change (a single real server's weight) as one `nft -f` transaction,
//     with 1, 100 and 1,000 virtual services installed, as a ratio of a no-op transaction (baseline).
//  2. failover in the seed lab: time from stopping a real server's web service until the director's
//     table no longer holds it, against keepalived's bound delay_loop × (retry + 1) + connect_timeout,
//     and until it is back after the server restarts (bound: delay_loop + connect time).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LbDestination, LbService, LbTable } from '../core/ports/index.ts';
import { planLb } from '../core/lb/plan.ts';
import { NftDataplane, NFT_CAPABILITIES } from '../adapters/onprem/nft/index.ts';
import { createLvsLab, lvsLabAddrs, startLvsDirector } from '../test/helpers/netns-lvs.ts';

const dest = (i: number, weight: number): LbDestination => ({
  addr: `10.200.${i >> 8}.${i & 255}`,
  port: 8080,
  family: 'inet',
  forwarding: 'nat',
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});
const table = (services: number, changed: boolean): LbTable => ({
  services: Array.from({ length: services }, (_, s): LbService => ({
    key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: `10.100.${s >> 8}.${s & 255}`, port: 80 },
    scheduler: 'wrr',
    flags: { flag1: false, flag2: false, flag3: false },
    onePacket: false,
    persistence: null,
    destinations: [dest(1, changed && s === 0 ? 5 : 1), dest(2, 1), dest(3, 2)],
  })),
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function nftFigures(): Promise<void> {
  const ns = `fip-lvs-${process.pid}-bench`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const command = ['ip', 'netns', 'exec', ns, 'nft'];
    const noop = (): number => {
      const t = performance.now();
      execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'add table ip fip_bench_noop\n' });
      return performance.now() - t;
    };
    const base = median(Array.from({ length: 7 }, noop));
    console.log(`nft no-op transaction (baseline): ${base.toFixed(1)} ms`);
    for (const n of [1, 100, 1000]) {
      const plane = new NftDataplane({ command, table: `fip_bench_${n}` });
      const first = planLb(table(n, false), { services: [] }, NFT_CAPABILITIES);
      if (first.kind !== 'ok' || (await plane.apply(first.value)).kind !== 'ok')
        throw new Error('install failed');
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const cur = await plane.read();
        const plan = planLb(
          table(n, i % 2 === 0),
          cur.kind === 'ok' ? cur.value : { services: [] },
          NFT_CAPABILITIES,
        );
        if (plan.kind !== 'ok') throw new Error(plan.reason);
        const t = performance.now();
        const r = await plane.apply(plan.value);
        times.push(performance.now() - t);
        if (r.kind !== 'ok') throw new Error(r.reason);
      }
      const m = median(times);
      console.log(
        `nft health change with ${String(n).padStart(4)} services: ${m.toFixed(1)} ms = ${(m / base).toFixed(1)}x the no-op transaction`,
      );
      await plane.remove();
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

async function failoverFigures(): Promise<void> {
  const delayLoop = 1;
  const retry = 1;
  const connectTimeout = 1;
  const conf = `virtual_server ${lvsLabAddrs.vip} 80 {
  delay_loop ${delayLoop}
  lb_algo rr
  lb_kind NAT
  protocol TCP
${['r1', 'r2']
  .map(
    (r) => `  real_server ${lvsLabAddrs[r as 'r1' | 'r2']} ${lvsLabAddrs.rsPort} {
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout ${connectTimeout}
      retry ${retry}
      delay_before_retry ${delayLoop}
    }
  }`,
  )
  .join('\n')}
}
`;
  const dir = mkdtempSync(join(tmpdir(), 'fip-lvs-bench-'));
  const lab = await createLvsLab();
  try {
    await lab.startServer('r1');
    await lab.startServer('r2');
    writeFileSync(join(dir, 'k.conf'), conf);
    const director = startLvsDirector(lab, join(dir, 'k.conf'));
    const both = JSON.stringify([`${lvsLabAddrs.r1}:8080=1`, `${lvsLabAddrs.r2}:8080=1`]);
    const onlyR2 = JSON.stringify([`${lvsLabAddrs.r2}:8080=1`]);
    await director.waitFor((e) => e.event === 'applied' && JSON.stringify(e.dests) === both, 'both');
    const bound = (delayLoop * (retry + 1) + connectTimeout) * 1000;
    const downs: number[] = [];
    const ups: number[] = [];
    for (let round = 0; round < 3; round++) {
      const n0 = director.events.length;
      let t = performance.now();
      await lab.stopServer('r1');
      await director.waitFor(
        (e) => director.events.indexOf(e) >= n0 && JSON.stringify(e.dests) === onlyR2,
        'r1 out',
      );
      downs.push(performance.now() - t);
      const n1 = director.events.length;
      t = performance.now();
      await lab.startServer('r1');
      await director.waitFor(
        (e) => director.events.indexOf(e) >= n1 && JSON.stringify(e.dests) === both,
        'r1 back',
      );
      ups.push(performance.now() - t);
    }
    await director.stop();
    const d = median(downs);
    const u = median(ups);
    console.log(
      `failover (HTTP_GET, delay_loop ${delayLoop}, retry ${retry}, connect_timeout ${connectTimeout}): out after ${(d / 1000).toFixed(2)} s = ${(d / bound).toFixed(2)} of keepalived's bound ${bound / 1000} s (median of 3)`,
    );
    console.log(
      `recovery: back after ${(u / 1000).toFixed(2)} s = ${(u / (delayLoop * 1000)).toFixed(2)} x delay_loop (median of 3)`,
    );
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await nftFigures();
await failoverFigures();
