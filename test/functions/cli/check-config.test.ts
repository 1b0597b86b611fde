// `floatip check-config` and `floatip convert`, run in-process through main() on real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../../functions/cli/main.ts';
import type { CliIo } from '../../../functions/cli/command.ts';

function capture(): CliIo & { outText: string; errText: string } {
  const io = {
    outText: '',
    errText: '',
    out: (t: string) => void (io.outText += `${t}\n`),
    err: (t: string) => void (io.errText += `${t}\n`),
  };
  return io;
}

const seed = (name: string) =>
  join(import.meta.dirname, '..', '..', 'fixtures', 'keepalived-corpus', 'seed', name);

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fip-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('check-config on a valid file: a summary of what it defines (exit 5 as keepalived -t: auth_pass > 8)', async () => {
  const io = capture();
  assert.equal(await main(['check-config', seed('nat-sync-group.lb1.conf')], io), 5);
  assert.match(
    io.outText,
    /configuration loads, as keepalived -t 5 — 2 VRRP instance\(s\), 2 VIP\(s\), 1 sync group\(s\), 1 virtual server\(s\), 4 real server\(s\), checkers: 4 TCP_CHECK/,
  );
  assert.match(io.outText, /vrrp_instance VRRP_EXT: MASTER on eth0, VRID 50, priority 100/);
  assert.match(io.outText, /virtual_server 10\.0\.0\.1:80 TCP: rr\/NAT, 4 real server\(s\)/);
  assert.match(io.errText, /nat-sync-group\.lb1\.conf:27:19: warning: auth_pass/);
});

test('check-config on the bad seed: exit 5 and FILE:LINE:COL: error: … (did you mean VRRP_ENT?)', async () => {
  const io = capture();
  assert.equal(await main(['check-config', seed('bad-sync-group-unknown-instance.conf')], io), 5);
  assert.match(
    io.errText,
    /bad-sync-group-unknown-instance\.conf:15:9: error: vrrp_sync_group VG1 names vrrp_instance 'VRRP_INT', which is not defined .*\(did you mean VRRP_ENT\?\)/,
  );
  assert.match(io.errText, /1 error; configuration rejected/);
  assert.equal(io.outText, '');
});

test('check-config --json prints the normalized model with every default', async () => {
  const io = capture();
  // 5: keepalived -t reports nb_get_retry inside TCP_CHECK as an unknown keyword.
  assert.equal(await main(['check-config', '--json', seed('lvs-dr-rr-tcp-check.master.conf')], io), 5);
  const model = JSON.parse(io.outText) as {
    virtualServers: Array<{ realServers: Array<{ checkers: Array<Record<string, unknown>> }> }>;
  };
  const ck = model.virtualServers[0]!.realServers[0]!.checkers[0]!;
  assert.deepEqual([ck['type'], ck['retry'], ck['delayBeforeRetry'], ck['warmup']], ['TCP_CHECK', 1, 1, 3]);
});

test('check-config: includes from disk, --lenient, YAML by extension, every error listed, usage errors', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(
    join(dir, 'conf.d', 'vi.conf'),
    'vrrp_instance VI_1 {\n  state Master\n  interface eth0\n  virtual_router_id 300\n  virtual_ipaddress {\n    10.0.0.1\n  }\n  new_keyword 1\n}\n',
  );
  writeFileSync(join(dir, 'main.conf'), 'include conf.d/*.conf\n');
  const io = capture();
  assert.equal(await main(['check-config', join(dir, 'main.conf')], io), 5);
  const lines = io.errText.split('\n').filter((l) => l.includes(': error: '));
  assert.equal(lines.length, 3);
  assert.match(
    lines[0]!,
    /conf\.d\/vi\.conf:2:9: error: 'Master' is not a valid state .*\(did you mean MASTER\?\)/,
  );
  assert.match(lines[1]!, /conf\.d\/vi\.conf:4:21: error: .*virtual_router_id/);
  assert.match(lines[2]!, /conf\.d\/vi\.conf:8:3: error: unknown keyword 'new_keyword'/);

  writeFileSync(
    join(dir, 'ok.yml'),
    'vrrpInstances:\n  VI_1:\n    interface: eth0\n    virtualRouterId: 5\n    virtualIpaddress: [{ address: 10.0.0.2, prefix: 32 }]\n',
  );
  const y = capture();
  assert.equal(await main(['check-config', join(dir, 'ok.yml')], y), 0);
  assert.match(y.outText, /1 VRRP instance\(s\), 1 VIP\(s\)/);

  writeFileSync(
    join(dir, 'newer.conf'),
    'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n    10.0.0.1\n  }\n  future_thing on\n}\n',
  );
  assert.equal(await main(['check-config', join(dir, 'newer.conf')], capture()), 5);
  const l = capture();
  assert.equal(await main(['check-config', '--lenient', join(dir, 'newer.conf')], l), 0);
  assert.match(l.errText, /warning: unknown keyword 'future_thing'.*--lenient/);

  assert.equal(await main(['check-config'], capture()), 64);
  assert.equal(await main(['check-config', '--bogus', 'x'], capture()), 64);
  const missing = capture();
  assert.equal(await main(['check-config', join(dir, 'nope.conf')], missing), 5);
  assert.match(missing.errText, /file not found/);
});

test('convert --to yaml|json writes the native format, which check-config accepts', async (t) => {
  const dir = tempDir(t);
  const io = capture();
  assert.equal(await main(['convert', seed('lvs-nat-http-get.master.conf'), '--to', 'yaml'], io), 0);
  assert.match(io.outText, /^# floatip configuration converted from /);
  writeFileSync(join(dir, 'out.yaml'), io.outText);
  const check = capture();
  assert.equal(await main(['check-config', join(dir, 'out.yaml')], check), 0);
  assert.match(check.outText, /2 real server\(s\), checkers: 2 HTTP_GET/);
  const j = capture();
  assert.equal(await main(['convert', seed('vrrp-only.master.conf'), '--to', 'json'], j), 0);
  assert.equal(
    (JSON.parse(j.outText) as { vrrpInstances: Record<string, { state: string }> }).vrrpInstances['VI_1']
      ?.state,
    'BACKUP',
  );
  assert.equal(await main(['convert', seed('vrrp-only.master.conf'), '--to', 'toml'], capture()), 64);
  assert.equal(
    await main(['convert', seed('bad-sync-group-unknown-instance.conf'), '--to', 'yaml'], capture()),
    5,
  );
});

test('npm start (the launcher on examples/keepalived.conf) prints a real summary and exits 0', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'floatip.mjs'), 'check-config', join(root, 'examples', 'keepalived.conf')],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /configuration OK — 1 VRRP instance\(s\), 1 VIP\(s\), 0 sync group\(s\), 1 virtual server\(s\), 2 real server\(s\), checkers: 2 HTTP_GET/,
  );
});
