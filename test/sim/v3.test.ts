// VRRPv3 with centisecond adverts: Skew_Time and Master_Down_Interval scale with Master_Adver_Interval,
// which a backup learns from the master's adverts (rfc5798 §6.1, §6.4.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSimulation } from './simulation.ts';
import { instance, node } from './nodes.ts';

test('v3 at 50 ms: election at 3 x 50 + (256-p) x 50/256, failover from the learned interval', () => {
  const sim = new VrrpSimulation({ seed: 31 });
  sim.addNode(node('A', 1, { version: 3, priority: 200, advertIntervalMs: 50 }));
  // B is configured with 1 s but adopts A's 50 ms once it hears it
  sim.addNode(node('B', 2, { version: 3, priority: 100, advertIntervalMs: 1000 }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.kill('A', 1_000);
  sim.runUntil(999);
  const aMaster = 150 + (56 * 50) / 256; // 160.9375 ms
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), aMaster);
  assert.equal(sim.routerState('B').instances.VI_1?.masterAdverIntervalMs, 50);
  sim.runUntil(5_000);
  const lastAdvert = aMaster + 16 * 50; // 960.9375, the last before the kill at 1000
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), lastAdvert + 1 + 150 + (156 * 50) / 256);
});

test('v3 over IPv6 with 10 ms adverts: graceful stop hands over after the v3 skew', () => {
  const v6 = (name: string, host: number, priority: number) => {
    const address = `fe80::${host}`;
    return {
      name,
      address,
      router: {
        instances: [
          instance({
            sourceIp: address,
            vips: ['fe80::100', '2001:db8::100'],
            priority,
            advertIntervalMs: 10,
          }),
        ],
      },
    };
  };
  const sim = new VrrpSimulation({ seed: 32 });
  sim.addNode(v6('A', 1, 150));
  sim.addNode(v6('B', 2, 100));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.stop('A', 500);
  sim.runUntil(2_000);
  assert.equal(sim.routerState('B').instances.VI_1?.spec.version, 3);
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), 30 + (106 * 10) / 256);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), 501 + (156 * 10) / 256);
  assert.deepEqual(sim.holders('2001:db8::100'), ['B']);
});
