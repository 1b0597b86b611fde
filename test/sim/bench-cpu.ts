// CPU cost of the pure VRRP core, measured through the simulator (not a test: run it by hand with
//   node_modules/.bin/node test/sim/bench-cpu.ts
// ). A 2-node VRRPv3 pair at 10 ms adverts runs for 600 simulated seconds. The script prints the wall time
// and, from it, the share of one core that one node's core logic (codec + reducer) would take at 10 ms
// adverts. That share is an upper bound: the simulator's own queue and logs are included. For scale it
// also prints the same count of bare codec round trips (encode and decode only), as a baseline from the
// same process.
import { decodeAdvert, encodeAdvert, ownAdvert } from '../../core/vrrp/index.ts';
import { VrrpSimulation } from './simulation.ts';
import { instance, node } from './nodes.ts';

const SIM_SECONDS = 600;

function simulate(): { wallMs: number; adverts: number } {
  const sim = new VrrpSimulation({ seed: 1 });
  sim.addNode(node('A', 1, { version: 3, priority: 200, advertIntervalMs: 10 }));
  sim.addNode(node('B', 2, { version: 3, priority: 100, advertIntervalMs: 10 }));
  sim.start('A', 0);
  sim.start('B', 0);
  const t0 = process.hrtime.bigint();
  sim.runUntil(SIM_SECONDS * 1000);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wallMs, adverts: sim.wire.length };
}

function baseline(count: number): number {
  const spec = instance({ sourceIp: '10.0.0.1', version: 3, advertIntervalMs: 10 });
  const ip = { family: 'ipv4' as const, src: '10.0.0.1', dst: '224.0.0.18', ttl: 255, protocol: 112 };
  const advert = ownAdvert(spec, 200);
  const t0 = process.hrtime.bigint();
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const e = encodeAdvert(advert, ip);
    if (e.ok && decodeAdvert(e.bytes, ip).ok) ok++;
  }
  if (ok !== count) throw new Error('baseline round trip failed');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

simulate(); // warm-up
const runs = [simulate(), simulate(), simulate()].sort((a, b) => a.wallMs - b.wallMs);
const best = runs[0] ?? { wallMs: NaN, adverts: 0 };
const base = baseline(best.adverts);
// Both nodes' work is in wallMs; one node's share of a core = wallMs / 2 / simulated ms.
const share = (best.wallMs / 2 / (SIM_SECONDS * 1000)) * 100;
console.log(
  `${SIM_SECONDS} s simulated at 10 ms adverts (${best.adverts} adverts): ${best.wallMs.toFixed(0)} ms wall; ` +
    `bare codec round trips for the same adverts: ${base.toFixed(0)} ms (ratio ${(best.wallMs / base).toFixed(1)}x); ` +
    `core logic per node <= ${share.toFixed(3)}% of one core (issue target for the whole agent: < 2%)`,
);
