import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, seededRandom, silentLogger } from '../../../adapters/memory/index.ts';
import { createCloudAgent, createVrrpFence } from '../../../core/app/index.ts';
import { validateCloudSection } from '../../../core/config/cloud.ts';
import { buildCloud } from '../../../functions/agent/cloud-setup.ts';
import { startEc2Emulator } from '../../emulators/ec2.ts';

test('agent cloud mode: MASTER takes over, a reconcile after a healed split brain re-asserts, hold-down stops flapping', async (t) => {
  const ec2 = await startEc2Emulator();
  t.after(() => ec2.close());
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', privateIps: ['10.0.1.20'], sourceDestCheck: false });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  ec2.state.addTable({ id: 'rtb-1' });
  const section = validateCloudSection({
    providers: { aws: { type: 'aws', region: 'us-east-1', endpoint: ec2.url } },
    members: { a: { aws: { networkInterfaceId: 'eni-a' } }, b: { aws: { networkInterfaceId: 'eni-b' } } },
    resources: [
      { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
      {
        id: 'rt',
        provider: 'aws',
        kind: 'route',
        spec: { routeTableIds: ['rtb-1'], destination: '10.9.9.9/32' },
      },
    ],
    policy: {
      call: { baseMs: 1, capMs: 5 },
      verify: { baseMs: 1, capMs: 5 },
      action: { baseMs: 1, capMs: 5 },
    },
  });
  assert.ok(section.ok);
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  t.after(() => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });
  const clock = new ManualClock();
  const agent = (self: string) => {
    const rt = buildCloud(section.value, {
      random: seededRandom(self.charCodeAt(0)),
      sleep: async () => {},
      clock,
    });
    assert.ok(rt.ok);
    t.after(() => rt.value.close());
    const fence = createVrrpFence();
    fence.setMaster(true); // both believe they are MASTER: a split brain without an arbiter
    return createCloudAgent({
      deps: rt.value.deps(fence),
      group: section.value.group,
      self,
      holdDownMs: 10_000,
      releaseOnStop: false,
      log: silentLogger,
    });
  };
  const a = agent('a');
  const b = agent('b');
  const holders = () => [
    ec2.state.addresses.get('eipalloc-1')?.eniId,
    ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId,
  ];
  const writes = () => ec2.requests.filter((r) => !r.action.startsWith('Describe')).length;

  const first = await a.onMaster();
  assert.ok(first.kind === 'ok' && first.value.outcome === 'committed');
  assert.deepEqual(holders(), ['eni-a', 'eni-a']);

  // Split brain: b also believes it is MASTER and takes everything.
  await b.onMaster();
  assert.deepEqual(holders(), ['eni-b', 'eni-b']);

  // The split heals; b is BACKUP again; a (still MASTER, no state change) reconciles and takes it back.
  const healed = await a.reconcile();
  assert.ok(healed?.kind === 'ok' && healed.value.resources.filter((r) => r.changed).length === 2);
  assert.deepEqual(holders(), ['eni-a', 'eni-a']);
  const quiet = writes();
  await a.reconcile(); // hold-down: looks only
  clock.advance(10_001);
  const idle = await a.reconcile(); // nothing drifted: reads only
  assert.ok(idle?.kind === 'ok' && idle.value.outcome === 'noop');
  assert.equal(writes(), quiet, 'a healthy reconcile writes nothing');

  // A persisting split brain: b steals again; within the hold-down a does not fight back.
  clock.advance(1);
  await b.onMaster();
  await a.reconcile(); // takes back, starts hold-down
  await b.reconcile(); // b: takes back... its own hold-down has not started (its change came from onMaster)
  const during = writes();
  assert.equal(await a.reconcile(), null, 'inside the hold-down');
  assert.equal(writes(), during, 'no flapping inside the hold-down');
  clock.advance(10_001);
  await a.reconcile();
  assert.deepEqual(holders(), ['eni-a', 'eni-a']);
});
