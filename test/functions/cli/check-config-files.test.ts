/**
 * Every configuration floatip reads can be checked: the shipped examples (agent, native with a cloud
 * section, control plane), a broken control-plane file (exit 5, paths named), `--json` also on exit 6,
 * and secrets in the dump only with --show-secrets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliIo } from '../../../functions/cli/command.ts';
import { main } from '../../../functions/cli/main.ts';

const root = join(import.meta.dirname, '..', '..', '..');

async function check(args: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (l) => void (out += `${l}\n`), err: (l) => void (err += `${l}\n`) };
  const code = await main(['check-config', ...args], io);
  return { code, out, err };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fip-cfg-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('every shipped example passes check-config', async () => {
  const cp = await check([join(root, 'examples', 'floatip.control.yaml')]);
  assert.equal(cp.code, 0, cp.err);
  assert.match(cp.out, /control-plane configuration OK — 1 group\(s\), 3 token\(s\), 2 alert mapping\(s\)/);
  assert.match(cp.out, /tokens: ops \(read, failover\), grafana \(read\), agents \(report\)/);
  const cloud = await check([join(root, 'examples', 'cloud-aws.yaml')]);
  assert.equal(cloud.code, 0, cloud.err);
  assert.match(
    cloud.out,
    /cloud \(.*cloud-aws\.yaml\): group web, 2 member\(s\), 4 resource\(s\) on aws, moved when VI_1 becomes MASTER/,
  );
  for (const f of ['keepalived.conf', 'floatip.yaml']) {
    const r = await check([join(root, 'examples', f)]);
    assert.ok(r.code === 0 || r.code === 5, `${f}: ${r.code}\n${r.err}`);
    assert.doesNotMatch(r.err, /: error: /, f);
  }
});

test('a broken control-plane file is refused with every path, exit 5; unset secret variables warn', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'cp.yaml');
  writeFileSync(
    bad,
    'controlPlane:\n  tokens: [{ name: ops, scopes: [admin], value: x }]\n  groups:\n    - id: web\n      members: { a: { priority: 999 } }\n      resources: []\n',
  );
  const r = await check([bad]);
  assert.equal(r.code, 5);
  assert.match(
    r.err,
    /cp\.yaml: error: controlPlane\.tokens\[0\]\.scopes\[0\]: must be 'read', 'failover' or 'report'/,
  );
  assert.match(
    r.err,
    /cp\.yaml: error: controlPlane\.groups\[0\]\.members\.a\.priority: must be an integer from 1 to 254/,
  );
  assert.match(r.err, /cp\.yaml: 3 errors; configuration rejected/);
  const env = join(dir, 'env.yaml');
  writeFileSync(
    env,
    'controlPlane:\n  tokens: [{ name: ops, scopes: [read], env: FLOATIP_TEST_UNSET_TOKEN_X }]\n  groups:\n    - id: web\n      members: { a: {} }\n      resources: [{ id: v, provider: memory, kind: address }]\n',
  );
  const e = await check([env]);
  assert.equal(e.code, 0, e.err);
  assert.match(
    e.err,
    /warning: controlPlane\.tokens\[0\] \(ops\): environment variable FLOATIP_TEST_UNSET_TOKEN_X is not set here/,
  );
  const aws = join(dir, 'aws.yaml');
  writeFileSync(
    aws,
    'controlPlane:\n  groups:\n    - id: web\n      members: { a: {} }\n      resources: [{ id: v, provider: aws, kind: elastic-ip }]\n',
  );
  const a = await check([aws]);
  assert.equal(a.code, 5);
  assert.match(
    a.err,
    /aws\.yaml: error: controlPlane\.groups\[0\]\.resources\[0\]\.provider: unknown provider 'aws' \(configured: memory\)/,
  );
});

test('--json prints the model also on exit 6, and secrets only with --show-secrets', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(
    conf,
    `vrrp_script chk {\n  script "/bin/true"\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  authentication {\n    auth_type PASS\n    auth_pass s3cr3tpw\n  }\n  virtual_ipaddress {\n    10.9.9.9\n  }\n  track_script {\n    chk\n  }\n}\n`,
  );
  const r = await check([conf, '--json']);
  assert.equal(r.code, 6, r.err);
  assert.match(r.err, /enable_script_security is not set/);
  const model = JSON.parse(r.out) as {
    vrrpInstances: Record<string, { authentication: { password: string } }>;
  };
  assert.equal(model.vrrpInstances.VI_1?.authentication.password, '***');
  assert.ok(!r.out.includes('s3cr3tpw') && !r.err.includes('s3cr3tpw'));
  const shown = await check([conf, '--json', '--show-secrets']);
  assert.equal(shown.code, 6);
  assert.equal(
    (JSON.parse(shown.out) as typeof model).vrrpInstances.VI_1?.authentication.password,
    's3cr3tpw',
  );
  const cp = await check([join(root, 'examples', 'floatip.control.yaml'), '--json']);
  assert.ok(!cp.out.includes('demo-ops-token') && !cp.out.includes('demo-hook-secret'), cp.out);
  assert.match(cp.out, /"value": "\*\*\*"/);
});
