// @needs redis
/**
 * `floatip lease-agent` as deployed: separate processes electing over the real Redis, moving an elastic IP
 * through the real EC2 SDK to the EC2 emulator. Ordering and state are asserted, never wall time.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { startEc2Emulator } from '../../emulators/ec2.ts';
import { dropPrefix, eventually, redisUrl } from '../../e2e/control-plane/fixture.ts';

/** True once `line` appears after the last `<member> MASTER epoch N` line of the agent. */
const backupAfterMaster = (a: Agent, line: string) => async () => {
  const last = a.lines.findLastIndex((l) => / MASTER epoch \d+$/.test(l));
  return last >= 0 && a.lines.slice(last + 1).includes(line) ? true : undefined;
};

const root = join(import.meta.dirname, '..', '..', '..');

interface Agent {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startAgent(config: string, member: string): Agent {
  const proc = spawn(
    process.execPath,
    [
      join(root, 'bin', 'floatip.mjs'),
      'lease-agent',
      '--config',
      config,
      '--member',
      member,
      '--interval-ms',
      '100',
    ],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr?.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, lines, exited };
}

/** The epochs of the `<member> MASTER epoch N` lines, in order. */
const masterEpochs = (a: Agent): number[] =>
  a.lines.flatMap((l) => {
    const m = /^\S+ MASTER epoch (\d+)$/.exec(l);
    return m ? [Number(m[1])] : [];
  });

test('lease agents: higher priority wins, a crashed master is replaced, its return preempts with a higher epoch', async (t) => {
  const ec2 = await startEc2Emulator();
  t.after(() => ec2.close());
  ec2.state.addEni({ id: 'eni-a', instanceId: 'i-a', privateIps: ['10.0.1.10'] });
  ec2.state.addEni({ id: 'eni-b', instanceId: 'i-b', privateIps: ['10.0.1.20'] });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  const eipOn = () => ec2.state.addresses.get('eipalloc-1')?.eniId;

  const prefix = `t-lease-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'fip-lease-'));
  const agents: Agent[] = [];
  t.after(async () => {
    for (const a of agents) if (a.proc.exitCode === null) a.proc.kill('SIGKILL');
    await Promise.all(agents.map((a) => a.exited));
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(redisUrl, prefix);
  });
  const config = join(dir, 'floatip.yaml');
  writeFileSync(
    config,
    stringify({
      controlPlane: {
        redis: { url: redisUrl, prefix },
        providers: { aws: { region: 'us-east-1', endpoint: ec2.url } },
        groups: [
          {
            id: 'edge',
            members: {
              a: { priority: 200, aws: { networkInterfaceId: 'eni-a' } },
              b: { priority: 100, aws: { networkInterfaceId: 'eni-b' } },
            },
            resources: [
              { id: 'edge-eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
            ],
          },
        ],
      },
    }),
  );
  const has = (a: Agent, line: string) => async () => (a.lines.includes(line) ? true : undefined);
  const hasLine = (a: Agent, re: RegExp) => async () => (a.lines.some((l) => re.test(l)) ? true : undefined);
  const show = () => agents.map((a) => a.lines.join('\n')).join('\n---\n');

  // b starts alone and becomes master; then a (priority 200) joins and preempts it.
  const b = startAgent(config, 'b');
  agents.push(b);
  await eventually(async () => (masterEpochs(b).length === 1 ? true : undefined), `b master\n${show()}`);
  await eventually(async () => (eipOn() === 'eni-b' ? true : undefined), `EIP on b\n${show()}`);
  const a = startAgent(config, 'a');
  agents.push(a);
  await eventually(async () => (masterEpochs(a).length === 1 ? true : undefined), `a master\n${show()}`);
  await eventually(backupAfterMaster(b, 'b BACKUP'), `b steps down\n${show()}`);
  await eventually(async () => (eipOn() === 'eni-a' ? true : undefined), `EIP on a\n${show()}`);
  const [bFirst = 0] = masterEpochs(b);
  const [aFirst = 0] = masterEpochs(a);
  assert.ok(aFirst > bFirst, show());
  await eventually(has(a, `a acquired edge-eip (changed) epoch ${aFirst}`), show());

  // a crashes (no step-down advert, no lease release): b takes over after Master_Down.
  a.proc.kill('SIGKILL');
  await a.exited;
  await eventually(async () => (masterEpochs(b).length === 2 ? true : undefined), `b takes over\n${show()}`);
  await eventually(async () => (eipOn() === 'eni-b' ? true : undefined), `EIP back on b\n${show()}`);
  const bSecond = masterEpochs(b)[1] ?? 0;
  assert.ok(bSecond > aFirst, show());

  // a comes back: it preempts b with a higher epoch, and the address follows.
  const a2 = startAgent(config, 'a');
  agents.push(a2);
  await eventually(async () => (masterEpochs(a2).length === 1 ? true : undefined), `a back\n${show()}`);
  await eventually(
    async () => (b.lines.filter((l) => l === 'b BACKUP').length >= 2 ? true : undefined),
    show(),
  );
  await eventually(async () => (eipOn() === 'eni-a' ? true : undefined), `EIP on a again\n${show()}`);
  assert.ok((masterEpochs(a2)[0] ?? 0) > bSecond, show());
  await eventually(hasLine(a2, /^a acquired edge-eip \(changed\) epoch \d+$/), show());

  // A signal stops an agent cleanly.
  for (const x of [a2, b]) x.proc.kill('SIGTERM');
  assert.deepEqual(await Promise.all([a2.exited, b.exited]), [0, 0]);
  assert.ok(a2.lines.includes('a STOPPED') && b.lines.includes('b STOPPED'), show());
});

test('lease-agent: a member in no group is a config error naming the member', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-lease-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'floatip.yaml');
  writeFileSync(
    config,
    stringify({
      controlPlane: {
        groups: [
          {
            id: 'g',
            members: { a: { priority: 100 } },
            resources: [{ id: 'r', provider: 'memory', kind: 'address', spec: {} }],
          },
        ],
      },
    }),
  );
  const x = startAgent(config, 'zz');
  assert.equal(await x.exited, 5);
  assert.ok(
    x.lines.some((l) => l.includes(`${config}: controlPlane.groups: no group has member 'zz'`)),
    x.lines.join('\n'),
  );
});
