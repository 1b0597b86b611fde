// @needs root iproute2 nftables
// ha_suspend wiring of the agent's LVS side with the real rtnetlink address watcher, in a namespace of its
// own: a virtual server with ha_suspend does not check its real server while its address is not configured
// here; `ip addr add` (made by no part of floatip, as keepalived's checker also reacts to anybody's change)
// resumes the checks, `ip addr del` stops them again. A second virtual server without ha_suspend is the
// yardstick: the checks of the suspended one are counted against its checks (connections accepted by the
// real servers), never against a clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentNamespace } from '../../helpers/netns-lvs.ts';

const SUSPENDED_PORT = 9001;
const CONTROL_PORT = 9002;
const VIP = '10.77.0.1';

const conf = `
virtual_server ${VIP} 80 {
    ha_suspend
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 ${SUSPENDED_PORT} {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
virtual_server 10.77.0.2 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 ${CONTROL_PORT} {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });

/** Waits for a condition; the bound only turns a hang into a failure and asserts no timing. */
async function until(what: string, ok: () => boolean, boundMs = 30_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 100) {
    if (waited > boundMs) throw new Error(`never: ${what}`);
    await sleep(100);
  }
}

test('ha_suspend: checks stop while the virtual address is absent and follow ip addr add / del', async (t) => {
  const { ns, dir } = agentNamespace(t, 'hs');
  const path = join(dir, 'keepalived.conf');
  writeFileSync(path, conf);

  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'node_modules/.bin/node',
      'test/helpers/netns-lvs-suspend-child.ts',
      path,
      String(SUSPENDED_PORT),
      String(CONTROL_PORT),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const accepts = new Map<number, number>([
    [SUSPENDED_PORT, 0],
    [CONTROL_PORT, 0],
  ]);
  const events: string[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.on('data', (b: Buffer) => {
    pending += b.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const e = JSON.parse(line) as { event: string; port?: number };
      if (e.event === 'accept' && e.port !== undefined) accepts.set(e.port, (accepts.get(e.port) ?? 0) + 1);
      else events.push(e.event);
    }
  });
  const count = (port: number): number => accepts.get(port) ?? 0;
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const alive = (): void => assert.ok(!exited(), `the child exited: ${stderr}`);

  await until('started', () => events.includes('started') || exited());
  alive();
  assert.deepEqual(events, ['suspend-checks', 'started'], 'suspended at start: the address is not here');

  // Absent address: the control server is checked three times, the suspended one never.
  await until('control checked 3 times', () => count(CONTROL_PORT) >= 3 || exited());
  alive();
  assert.equal(count(SUSPENDED_PORT), 0, 'no check while the address is absent');

  // Somebody (not floatip) adds the address: the checks resume.
  ip('-n', ns, 'addr', 'add', `${VIP}/32`, 'dev', 'lo');
  await until('resumed', () => events.includes('resume-checks'));
  await until('the suspended server is checked again', () => count(SUSPENDED_PORT) >= 2 || exited());
  alive();

  // The address goes: the checks stop again (one probe may have been in flight).
  ip('-n', ns, 'addr', 'del', `${VIP}/32`, 'dev', 'lo');
  await until('suspended again', () => events.filter((e) => e === 'suspend-checks').length === 2);
  const atSuspend = count(SUSPENDED_PORT);
  const control = count(CONTROL_PORT);
  await until('control checked 3 more times', () => count(CONTROL_PORT) >= control + 3 || exited());
  alive();
  assert.ok(
    count(SUSPENDED_PORT) <= atSuspend + 1,
    `checks went on after the address left: ${atSuspend} -> ${count(SUSPENDED_PORT)}`,
  );

  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await gone;
});
