// @needs root iproute2 nftables
// `floatip agent` runs the LVS side of keepalived.conf, and `floatip status --lvs` prints the data plane's
// table in `ipvsadm -Ln` format, in the LVS lab's director namespace.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servedLvsLab, lvsLabAddrs } from '../../helpers/netns-lvs.ts';

const conf = `
virtual_server ${lvsLabAddrs.vip} 80 {
    delay_loop 1
    lb_algo wrr
    lb_kind NAT
    persistence_timeout 30
    persistence_granularity 255.255.255.0
    protocol TCP
    real_server ${lvsLabAddrs.r1} ${lvsLabAddrs.rsPort} {
        weight 3
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server ${lvsLabAddrs.r2} ${lvsLabAddrs.rsPort} {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

async function startAgent(t: TestContext, text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fip-lvs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lab = await servedLvsLab(t);
  const config = join(dir, 'keepalived.conf');
  const socket = join(dir, 'agent.sock');
  writeFileSync(config, text);
  const agent = spawn(
    'ip',
    [
      'netns',
      'exec',
      lab.ns.d,
      'node_modules/.bin/node',
      'bin/floatip.mjs',
      'agent',
      '--config',
      config,
      '--socket',
      socket,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logs = '';
  agent.stdout.on('data', (b: Buffer) => (logs += b.toString()));
  agent.stderr.on('data', (b: Buffer) => (logs += b.toString()));
  t.after(() => {
    if (agent.exitCode === null) agent.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (logs.includes('floatip agent started')) resolve();
    };
    agent.stdout.on('data', check);
    agent.stderr.on('data', check);
    agent.on('exit', (code) => reject(new Error(`agent exited ${code}: ${logs}`)));
  });

  const status = (...extra: string[]): string =>
    execFileSync(
      'node_modules/.bin/node',
      ['bin/floatip.mjs', 'status', '--lvs', '--socket', socket, ...extra],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  return { lab, agent, status, logs: () => logs };
}

test('floatip agent programs the table and floatip status --lvs prints it as ipvsadm -Ln does', async (t) => {
  const { lab, agent, status, logs } = await startAgent(t, conf);
  const out = status();
  // The nftables plane has no IPVS version: the first line says what its table is, from the director's
  // own /proc/sys/net/netfilter.
  const sysctl = (name: string): string =>
    lab.exec(lab.ns.d, ['cat', `/proc/sys/net/netfilter/${name}`]).trim();
  assert.equal(
    out,
    [
      `nftables data plane over nf_conntrack (max=${sysctl('nf_conntrack_max')} buckets=${sysctl('nf_conntrack_buckets')})`,
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      `TCP  ${lvsLabAddrs.vip}:80 wrr persistent 30 mask 255.255.255.0`,
      `  -> ${lvsLabAddrs.r1}:8080`.padEnd(33) + ' Masq    3      0          0         ',
      `  -> ${lvsLabAddrs.r2}:8080`.padEnd(33) + ' Masq    1      0          0         ',
      '',
    ].join('\n'),
    logs(),
  );
  assert.match(status('--stats'), /^Prot LocalAddress:Port {15}Conns {3}InPkts/m);
  // the programmed table carries traffic: one client sticks to one server (persistence /24)
  const got = lab.requests(4);
  assert.equal(new Set(got).size, 1, JSON.stringify(got));

  await new Promise<void>((resolve) => {
    agent.on('exit', () => resolve());
    agent.kill('SIGTERM');
  });
  assert.doesNotMatch(
    lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']),
    /dnat/,
    'stop removes the services',
  );
});

test('a table nftables cannot express is refused by name; the agent keeps running and status says why', async (t) => {
  const { agent, status } = await startAgent(
    t,
    conf.replace('lb_kind NAT', 'lb_kind DR').replace(/ 8080 \{/g, ' 80 {'),
  );
  assert.throws(
    () => status(),
    (e: { status?: number; stderr?: string }) =>
      e.status === 1 && /LVS side is not running: .*cannot forward by DR/.test(e.stderr ?? ''),
  );
  assert.equal(agent.exitCode, null, 'the agent (its VRRP side) is still running');
});
