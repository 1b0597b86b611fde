// @needs root iproute2 nftables
// lvs_timeouts on the nftables data plane: the table's tcp / tcpfin / udp timeouts become conntrack
// `ct timeout` objects attached to the virtual service's new connections, so a real connection through
// the director gets IPVS's timeout instead of conntrack's default (5 days for an ESTABLISHED TCP one).
// Read from the director's own conntrack table (/proc/net/nf_conntrack) while a client holds a connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LbTable } from '../../../core/ports/index.ts';
import { servedLvsLab, lvsLabAddrs } from '../../helpers/netns-lvs.ts';
import { labNft, labRs, labVs } from '../../helpers/netns-lvs-nft.ts';

const table = (tcp: number, tcpFin: number, udp: number): LbTable => ({
  services: [labVs('rr', [labRs('r1'), labRs('r2')])],
  timeouts: { tcp, tcpFin, udp },
});

test('lvs_timeouts: ct timeout objects attached to the service, renamed and swapped when the values change', async (t) => {
  const lab = await servedLvsLab(t);
  const { converge } = labNft(lab);
  const ruleset = (): string => lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']);

  await converge(table(777, 33, 250));
  let listed = ruleset();
  assert.match(listed, /ct timeout lvs_tcp_777_33 \{[^}]*protocol tcp[^}]*established : 777, fin_wait : 33/s);
  assert.match(listed, /ct timeout lvs_udp_250 \{[^}]*unreplied : 250, replied : 250/s);
  assert.match(
    listed,
    new RegExp(
      `ip daddr ${lvsLabAddrs.vip.replaceAll('.', '\\.')} tcp dport 80 counter packets \\d+ bytes \\d+ ct timeout set "lvs_tcp_777_33"`,
    ),
  );

  // New values: new objects, the rule points at them, the old ones are gone.
  await converge(table(600, 20, 100));
  listed = ruleset();
  assert.match(listed, /ct timeout lvs_tcp_600_20 /);
  assert.match(listed, /ct timeout set "lvs_tcp_600_20"/);
  assert.doesNotMatch(listed, /lvs_tcp_777_33|lvs_udp_250/);
});

test('lvs_timeouts: a connection held through the VIP gets the tcp timeout in conntrack', async (t) => {
  const lab = await servedLvsLab(t);
  await labNft(lab).converge(table(777, 33, 250));
  const ruleset = (): string => lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']);
  // A client holds one connection open through the VIP.
  const holder = spawn(
    'ip',
    [
      'netns',
      'exec',
      lab.ns.c,
      'node_modules/.bin/node',
      '-e',
      `const s = require('node:net').connect(80, '${lvsLabAddrs.vip}', () => console.log('connected')); s.on('error', (e) => { console.error(e.message); process.exit(1); }); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => holder.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (b: Buffer) => b.toString().includes('connected') && resolve());
    holder.once('exit', (code) => reject(new Error(`the client exited ${code}`)));
  });
  const entry = (): string | undefined =>
    lab
      .exec(lab.ns.d, ['cat', '/proc/net/nf_conntrack'])
      .split('\n')
      .find(
        (l) => l.includes('ESTABLISHED') && l.includes(`dst=${lvsLabAddrs.vip}`) && l.includes('dport=80 '),
      );
  for (let i = 0; i < 100 && !entry(); i++) await sleep(100);
  const line = entry();
  assert.ok(line, 'the connection is in the director conntrack table');
  // `ipv4 2 tcp 6 <seconds left> ESTABLISHED ...`
  const left = Number(line.trim().split(/\s+/)[4]);
  assert.ok(left > 0 && left <= 777, `timeout ${left} s, not lvs_timeouts tcp 777 (${line}) ${ruleset()}`);
});
