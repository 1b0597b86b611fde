// `floatip check-config` validates the cloud section the agent would use: a native file's `cloud:` key
// and the floatip-cloud.yaml overlay next to a keepalived.conf, with file:line errors and exit 5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fip-cfg-cloud-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const vrrpYaml = `vrrpInstances:
  VI_1:
    interface: eth0
    virtualRouterId: 51
    priority: 100
    virtualIpaddress:
      - { address: 10.0.0.10, prefix: 32 }
`;

const cloudYaml = (self: string) => `cloud:
  vrrpInstance: VI_1
  self: ${self}
  providers:
    aws: { type: aws, region: eu-west-1 }
  members:
    lb-1: { aws: { networkInterfaceId: eni-0a1 } }
    lb-2: { aws: { networkInterfaceId: eni-0b2 } }
  resources:
    - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: eipalloc-01 } }
`;

const keepalivedConf = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.10
    }
}
`;

test('check-config: a native file with a good cloud section is OK and the summary names it', async (t) => {
  const file = join(tempDir(t), 'floatip.yaml');
  writeFileSync(file, `${vrrpYaml}${cloudYaml('lb-1')}`);
  const io = capture();
  assert.equal(await main(['check-config', file], io), 0, io.errText);
  assert.match(io.outText, /cloud \(.*floatip\.yaml\): group default, 2 member\(s\), 1 resource\(s\) on aws/);
});

test('check-config: a native cloud section naming an unknown member is rejected with file:line, exit 5', async (t) => {
  const file = join(tempDir(t), 'floatip.yaml');
  writeFileSync(file, `${vrrpYaml}${cloudYaml('lb-9')}`);
  const io = capture();
  assert.equal(await main(['check-config', file], io), 5);
  // vrrpYaml is 7 lines, `self:` is the 3rd line of the cloud section.
  assert.match(io.errText, /floatip\.yaml:10: error: cloud\.self: self lb-9 is not a member \(lb-1, lb-2\)/);
  assert.match(io.errText, /1 error; configuration rejected/);
  assert.equal(io.outText, '');
});

test('check-config: a resource naming an unknown provider is reported at its line', async (t) => {
  const file = join(tempDir(t), 'floatip.yaml');
  const bad = cloudYaml('lb-1').replace('provider: aws, kind', 'provider: gcp, kind');
  writeFileSync(file, `${vrrpYaml}${bad}`);
  const io = capture();
  assert.equal(await main(['check-config', file], io), 5);
  assert.match(
    io.errText,
    /floatip\.yaml:17: error: cloud\.resources\.0\.provider: unknown provider 'gcp' \(configured: aws, memory\)/,
  );
  assert.match(io.errText, /1 error; configuration rejected/);
});

test('check-config: the floatip-cloud.yaml overlay next to keepalived.conf is checked too', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, keepalivedConf);
  writeFileSync(join(dir, 'floatip-cloud.yaml'), cloudYaml('lb-2'));
  const ok = capture();
  assert.equal(await main(['check-config', conf], ok), 0, ok.errText);
  assert.match(ok.outText, /cloud \(.*floatip-cloud\.yaml\): .*moved when VI_1 becomes MASTER/);

  writeFileSync(join(dir, 'floatip-cloud.yaml'), cloudYaml('lb-3'));
  const bad = capture();
  assert.equal(await main(['check-config', conf], bad), 5);
  assert.match(bad.errText, /floatip-cloud\.yaml:3: error: cloud\.self: self lb-3 is not a member/);
});

test('check-config: a keepalived.conf without an overlay and a native file without cloud: stay as before', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, keepalivedConf);
  const a = capture();
  assert.equal(await main(['check-config', conf], a), 0, a.errText);
  assert.doesNotMatch(a.outText, /cloud \(/);
  const yaml = join(dir, 'floatip.yaml');
  writeFileSync(yaml, vrrpYaml);
  const b = capture();
  assert.equal(await main(['check-config', yaml], b), 0, b.errText);
  assert.doesNotMatch(b.outText, /cloud \(/);
});
