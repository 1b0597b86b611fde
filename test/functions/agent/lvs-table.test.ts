// `floatip lvs-table --config FILE`: the seed guides' keepalived.conf files give the LVS table keepalived
// would program at start, printed as ipvsadm -Ln; bad files are refused with file:line and exit 5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lvsTableCommand } from '../../../functions/cli/commands/status-lvs.ts';

// The seed guides' files, as committed in the repository's corpus (copies of shared/fixtures/seed-configs).
const seeds = 'test/fixtures/keepalived-corpus/seed';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await lvsTableCommand.run(args, {
    out: (t) => (out += t + '\n'),
    err: (t) => (err += t + '\n'),
  });
  return { code, out, err };
}

test('the NAT + HTTP_GET seed: rr over two Masq real servers', async () => {
  const r = await run(['--config', `${seeds}/lvs-nat-http-get.master.conf`]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.168.112.160:80 rr',
      '  -> 192.168.112.153:80           Masq    1      0          0         ',
      '  -> 192.168.112.154:80           Masq    1      0          0         ',
      '',
    ].join('\n'),
  );
});

test('the DR + wrr + persistence seed: persistent 5, Route', async () => {
  const r = await run(['--config', `${seeds}/lvs-dr-wrr-persistence.master.conf`]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^TCP {2}192\.168\.197\.120:80 wrr persistent 5$/m);
  assert.match(r.out, /^ {2}-> 192\.168\.197\.130:80 {11}Route {3}1 /m);
});

test('--json gives the planned table; a VRRP-only file gives no services', async () => {
  const r = await run(['--config', `${seeds}/lvs-dr-rr-tcp-check.master.conf`, '--json']);
  const table = JSON.parse(r.out) as { services: Array<{ scheduler: string; destinations: unknown[] }> };
  assert.equal(table.services[0]?.scheduler, 'rr');
  assert.equal(table.services[0]?.destinations.length, 2);
  const empty = await run(['--config', `${seeds}/vrrp-only.master.conf`]);
  assert.equal(empty.out.split('\n').length, 4, empty.out);
});

test('a bad file is refused with its file and line; a missing --config is a usage error', async () => {
  const r = await run(['--config', `${seeds}/bad-sync-group-unknown-instance.conf`]);
  assert.equal(r.code, 5);
  assert.match(r.err, /bad-sync-group-unknown-instance\.conf:15:\d+: error: .*VRRP_INT/);
  assert.equal((await run([])).code, 64);
  assert.equal((await run(['--config', '/nonexistent/k.conf'])).code, 5);
});

test('--nft prints the nftables transaction (dry run); a DR table is refused by name', async () => {
  const r = await run(['--config', `${seeds}/lvs-nat-http-get.master.conf`, '--nft']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^add table ip floatip_lvs\n/);
  assert.match(
    r.out,
    /add element ip floatip_lvs services \{ 192\.168\.112\.160 \. tcp \. 80 : jump vs_tcp_192_168_112_160_80 \}/,
  );
  assert.match(r.out, /numgen inc mod 2 vmap/);
  const dr = await run(['--config', `${seeds}/lvs-dr-rr-tcp-check.master.conf`, '--nft']);
  assert.equal(dr.code, 1);
  assert.match(dr.err, /real server 192\.168\.1\.20:80: the nftables data plane cannot forward by DR/);
});
