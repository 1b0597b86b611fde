import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../adapters/memory/index.ts';
import type { Logger, StateChange } from '../../../core/ports/index.ts';
import { openCloudMode } from '../../../functions/agent/cloud-mode.ts';
import { startEc2Emulator } from '../../emulators/ec2.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

test('cloud mode: no overlay next to keepalived.conf means no cloud mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-cloud-mode-'));
  try {
    assert.equal(
      openCloudMode(join(dir, 'keepalived.conf'), { logger: quiet, clock: new ManualClock() }),
      null,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cloud mode: the watched instance becoming MASTER moves the resources; notify still reaches the inner notifier', async (t) => {
  const ec2 = await startEc2Emulator();
  const dir = mkdtempSync(join(tmpdir(), 'fip-cloud-mode-'));
  t.after(async () => {
    await ec2.close();
    rmSync(dir, { recursive: true, force: true });
  });
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', privateIps: ['10.0.1.20'], sourceDestCheck: false });
  ec2.state.addTable({ id: 'rtb-1', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-b' }] });
  writeFileSync(join(dir, 'keepalived.conf'), '# the VRRP side lives here\n');
  writeFileSync(
    join(dir, 'floatip-cloud.yaml'),
    [
      'cloud:',
      '  vrrpInstance: VI_1',
      '  self: a',
      '  reconcileMs: 3600000',
      `  providers: { aws: { type: aws, region: us-east-1, endpoint: "${ec2.url}" } }`,
      '  members: { a: { aws: { networkInterfaceId: eni-a } }, b: { aws: { networkInterfaceId: eni-b } } }',
      '  resources: [{ id: rt, provider: aws, kind: route, spec: { routeTableIds: [rtb-1], destination: 10.9.9.9/32 } }]',
      '  policy: { call: { baseMs: 1, capMs: 5 }, verify: { baseMs: 1, capMs: 5 } }',
      '',
    ].join('\n'),
  );
  const mode = openCloudMode(join(dir, 'keepalived.conf'), {
    logger: quiet,
    clock: new ManualClock(),
    env: { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', ...process.env },
  });
  assert.ok(mode);
  t.after(() => mode.stop());
  const seen: StateChange[] = [];
  const notifier = mode.notifier({ notify: (c) => seen.push(c), idle: async () => {} });
  const prev = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDTEST';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test-secret';
  t.after(() => {
    if (prev.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
    else process.env['AWS_ACCESS_KEY_ID'] = prev.id;
    if (prev.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
    else process.env['AWS_SECRET_ACCESS_KEY'] = prev.secret;
  });
  notifier.notify({ target: { type: 'instance', name: 'VI_2' }, what: 'MASTER', priority: 100 });
  await mode.agent.idle();
  assert.equal(ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId, 'eni-b', 'another instance does not move it');
  notifier.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER', priority: 150 });
  await mode.agent.idle();
  assert.equal(ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId, 'eni-a');
  assert.deepEqual(
    seen.map((c) => `${c.target.name}:${c.what}`),
    ['VI_2:MASTER', 'VI_1:MASTER'],
  );
});
